/* The extra headers of an answer, kept inside the tool's response (no allocation): both
 * tools set a handful, fixed per kind of answer. */
#ifndef TC_REPLY_H
#define TC_REPLY_H

#include <stdarg.h>
#include <stddef.h>

#define TC_REPLY_MAX_HEADERS 16

struct tc_reply_headers {
    size_t n;
    struct {
        char name[32];
        char value[128];
    } items[TC_REPLY_MAX_HEADERS];
};

/* Adds |name| with the value printf(|fmt|, |ap|), cut to fit. Past TC_REPLY_MAX_HEADERS the
 * header is dropped: a tool bug, never input-driven. */
void tc_reply_header_v(struct tc_reply_headers *headers,
                       const char *name,
                       const char *fmt,
                       va_list ap) __attribute__((format(printf, 3, 0)));
/* The value of header |name| (ASCII case-insensitive), or NULL. */
const char *tc_reply_header_find(const struct tc_reply_headers *headers, const char *name);

#endif
