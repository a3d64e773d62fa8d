/* One HTTP exchange as both tools' handlers see it (the HTTP front builds it; so do the
 * fuzzers and the handler tests, without sockets), and the request-target pieces both parse
 * the same way: percent-decoding, the query string, path segments, header lookup. Decoded
 * strings come from the caller's arena. NUL bytes and broken escapes are refused: no
 * parameter of either protocol holds them. */
#ifndef TC_REQUEST_H
#define TC_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

struct tc_header {
    const char *name;
    const char *value;
};

struct tc_request {
    const char *method;
    const char *target; /* request-target as received: path and optional "?query", encoded */
    const struct tc_header *headers;
    size_t n_headers;
    const uint8_t *body; /* as received (still compressed when the encoding says so) */
    size_t body_len;
    bool is_body_too_large; /* the HTTP front stopped buffering past its limit */
    uint64_t wire_len;      /* body bytes seen (or declared, if more), buffered or not */
};

struct tc_param {
    const char *key;   /* percent-decoded, NUL-terminated */
    const char *value; /* percent-decoded; "" when absent */
    bool has_eq;       /* "key=" (or "key=v") rather than a bare "key" */
};

/* Decodes %XX in |len| bytes of |s| (and '+' as space when |is_query|, the form encoding
 * every SDK's query builder uses). NULL for a broken escape or %00. */
char *tc_url_decode(struct sf_arena *arena, const char *s, size_t len, bool is_query);

/* Splits the |len| bytes of query |q| (without '?') at '&' into decoded parameters appended
 * to |params| (|*n| of |max| used); empty pieces are skipped. False for a broken escape or
 * more than |max| parameters. */
bool tc_url_parse_query(struct sf_arena *arena,
                        const char *q,
                        size_t len,
                        struct tc_param *params,
                        size_t max,
                        size_t *n);

enum tc_path_result {
    TC_PATH_OK,
    TC_PATH_TOO_MANY, /* more than |max| segments */
    TC_PATH_BAD_ESCAPE,
};

/* Splits the |len| bytes of |path| (which starts with '/') at '/' into decoded segments
 * appended to |segs| (|*n| of |max| used). |keeps_empty|: "//" yields an empty segment. */
enum tc_path_result tc_url_split_path(struct sf_arena *arena,
                                      const char *path,
                                      size_t len,
                                      bool keeps_empty,
                                      const char **segs,
                                      size_t max,
                                      size_t *n);

/* The first parameter named |key|, or NULL. */
const struct tc_param *tc_param_find(const struct tc_param *params, size_t n, const char *key);
/* The value of the first header named |name| (ASCII case-insensitive; "" for a NULL value),
 * or NULL. */
const char *tc_header_find(const struct tc_header *headers, size_t n, const char *name);

#endif
