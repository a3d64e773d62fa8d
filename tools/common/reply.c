#include "common/reply.h"

#include <stdio.h>
#include <strings.h>

#include "util/banned.h"

void tc_reply_header_v(struct tc_reply_headers *headers,
                       const char *name,
                       const char *fmt,
                       va_list ap)
{
    if (headers->n == TC_REPLY_MAX_HEADERS) {
        return;
    }
    snprintf(headers->items[headers->n].name, sizeof(headers->items[0].name), "%s", name);
    vsnprintf(headers->items[headers->n].value, sizeof(headers->items[0].value), fmt, ap);
    headers->n++;
}

const char *tc_reply_header_find(const struct tc_reply_headers *headers, const char *name)
{
    for (size_t i = 0; i < headers->n; i++) {
        if (strcasecmp(headers->items[i].name, name) == 0) {
            return headers->items[i].value;
        }
    }
    return NULL;
}
