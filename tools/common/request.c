#include "common/request.h"

#include <string.h>
#include <strings.h>

#include "util/banned.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

char *tc_url_decode(struct sf_arena *arena, const char *s, size_t len, bool is_query)
{
    char *out = sf_arena_alloc(arena, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3) {
                return NULL;
            }
            int hi = hex_value(s[i + 1]);
            int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return NULL;
            }
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && is_query) {
            out[o++] = ' ';
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    return out;
}

bool tc_url_parse_query(struct sf_arena *arena,
                        const char *q,
                        size_t len,
                        struct tc_param *params,
                        size_t max,
                        size_t *n)
{
    size_t start = 0;
    while (start <= len) {
        const char *amp = memchr(q + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - q) : len;
        if (end > start) {
            const char *piece = q + start;
            size_t piece_len = end - start;
            const char *eq = memchr(piece, '=', piece_len);
            size_t key_len = eq ? (size_t)(eq - piece) : piece_len;
            if (*n == max) {
                return false;
            }
            struct tc_param *param = &params[*n];
            param->key = tc_url_decode(arena, piece, key_len, true);
            param->has_eq = eq != NULL;
            param->value = eq ? tc_url_decode(arena, eq + 1, piece_len - key_len - 1, true) : "";
            if (!param->key || !param->value) {
                return false;
            }
            (*n)++;
        }
        if (!amp) {
            break;
        }
        start = end + 1;
    }
    return true;
}

enum tc_path_result tc_url_split_path(struct sf_arena *arena,
                                      const char *path,
                                      size_t len,
                                      bool keeps_empty,
                                      const char **segs,
                                      size_t max,
                                      size_t *n)
{
    size_t start = 1;
    while (start <= len) {
        const char *slash = memchr(path + start, '/', len - start);
        size_t end = slash ? (size_t)(slash - path) : len;
        if (end > start || keeps_empty) {
            if (*n == max) {
                return TC_PATH_TOO_MANY;
            }
            const char *seg = tc_url_decode(arena, path + start, end - start, false);
            if (!seg) {
                return TC_PATH_BAD_ESCAPE;
            }
            segs[(*n)++] = seg;
        }
        if (!slash) {
            break;
        }
        start = end + 1;
    }
    return TC_PATH_OK;
}

const struct tc_param *tc_param_find(const struct tc_param *params, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(params[i].key, key) == 0) {
            return &params[i];
        }
    }
    return NULL;
}

const char *tc_header_find(const struct tc_header *headers, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (headers[i].name && strcasecmp(headers[i].name, name) == 0) {
            return headers[i].value ? headers[i].value : "";
        }
    }
    return NULL;
}
