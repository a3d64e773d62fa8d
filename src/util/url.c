#include "util/url.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"

#include "util/banned.h"

#define REDACTED "<redacted>"

static bool is_secret_name(const char *name, size_t len)
{
    static const char *const words[] = {"token", "key",  "secret",     "pass",
                                        "sig",   "auth", "credential", "session"};
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t wlen = strlen(words[w]);
        for (size_t i = 0; i + wlen <= len; i++) {
            if (strncasecmp(name + i, words[w], wlen) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* scheme://[userinfo@]host…: the userinfo's password (or all of it) redacted. */
static const char *append_authority(const char *start, struct sf_buf *out)
{
    size_t len = strcspn(start, "/?#");
    const char *at = NULL;
    for (const char *p = start; p < start + len; p++) {
        at = *p == '@' ? p : at; /* the last @: a password may hold one */
    }
    if (!at) {
        sf_buf_append(out, start, len);
        return start + len;
    }
    const char *colon = memchr(start, ':', (size_t)(at - start));
    if (colon) {
        sf_buf_append(out, start, (size_t)(colon + 1 - start));
    }
    sf_buf_append_cstr(out, REDACTED);
    sf_buf_append(out, at, (size_t)(start + len - at));
    return start + len;
}

/* ?a=1&token=…#frag: each secret-like parameter's value redacted. */
static const char *append_query(const char *query, struct sf_buf *out)
{
    size_t len = strcspn(query, "#");
    const char *end = query + len;
    const char *p = query;
    while (p < end) {
        size_t plen = strcspn(p, "&;#");
        plen = p + plen > end ? (size_t)(end - p) : plen;
        const char *eq = memchr(p, '=', plen);
        if (eq && is_secret_name(p, (size_t)(eq - p))) {
            sf_buf_append(out, p, (size_t)(eq + 1 - p));
            sf_buf_append_cstr(out, REDACTED);
        } else {
            sf_buf_append(out, p, plen);
        }
        p += plen;
        if (p < end) {
            sf_buf_append(out, p, 1); /* the separator */
            p++;
        }
    }
    return end;
}

void sf_url_redact(const char *url, struct sf_buf *out)
{
    const char *sep = strstr(url, "://");
    if (!sep) {
        sf_buf_append_cstr(out, url);
        return;
    }
    sf_buf_append(out, url, (size_t)(sep + 3 - url));
    const char *p = append_authority(sep + 3, out);
    size_t path_len = strcspn(p, "?#");
    sf_buf_append(out, p, path_len);
    p += path_len;
    if (*p == '?') {
        sf_buf_append(out, p, 1);
        p = append_query(p + 1, out);
    }
    sf_buf_append_cstr(out, p); /* the fragment */
}

char *sf_url_redact_dup(const char *url)
{
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    sf_url_redact(url, &out);
    char *copy = out.len ? sf_xstrndup((const char *)out.ptr, out.len) : sf_xstrdup("");
    sf_buf_cleanup(&out);
    return copy;
}
