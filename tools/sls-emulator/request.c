/* Request-target parsing. The wire carries percent-encoded values (docs/protocol/sls-api.md
 * §Signature v1: a cursor
 * "...MA==" travels as "%3D%3D"); handlers and the v1 signature want them decoded, v4 wants
 * them re-encoded by its own rule, so both forms are derived here from the raw target. */
#include <string.h>
#include <strings.h>

#include "handler.h"

#include "util/banned.h"

char *emu_ctx_strndup(struct emu_ctx *ctx, const char *s, size_t len)
{
    char *out = sf_arena_alloc(ctx->arena, len + 1);
    if (len) {
        memcpy(out, s, len);
    }
    out[len] = '\0';
    return out;
}

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

/* Decodes %XX (and '+' as space when |is_query|, the form encoding every SDK's query
 * builder uses). NUL bytes and broken escapes are refused: no SLS parameter holds them. */
static char *decode(struct emu_ctx *ctx, const char *s, size_t len, bool is_query)
{
    char *out = sf_arena_alloc(ctx->arena, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len) {
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

static bool parse_query(struct emu_ctx *ctx, const char *q, size_t len)
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
            if (ctx->n_params == EMU_MAX_PARAMS) {
                return false;
            }
            struct emu_param *param = &ctx->params[ctx->n_params];
            param->key = decode(ctx, piece, key_len, true);
            param->has_eq = eq != NULL;
            param->value = eq ? decode(ctx, eq + 1, piece_len - key_len - 1, true) : "";
            if (!param->key || !param->value) {
                return false;
            }
            ctx->n_params++;
        }
        if (!amp) {
            break;
        }
        start = end + 1;
    }
    return true;
}

bool emu_ctx_parse_target(struct emu_ctx *ctx)
{
    const char *target = ctx->req->target ? ctx->req->target : "";
    size_t target_len = strlen(target);
    const char *qmark = memchr(target, '?', target_len);
    size_t path_len = qmark ? (size_t)(qmark - target) : target_len;
    if (path_len == 0 || target[0] != '/') {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "request target must start with /");
        return false;
    }
    ctx->raw_path = emu_ctx_strndup(ctx, target, path_len);
    size_t start = 1;
    while (start <= path_len) {
        const char *slash = memchr(target + start, '/', path_len - start);
        size_t end = slash ? (size_t)(slash - target) : path_len;
        if (ctx->n_segs == EMU_MAX_SEGMENTS) {
            emu_reply_error(ctx->resp, 404, "NotFound", "path has too many segments");
            return false;
        }
        const char *seg = decode(ctx, target + start, end - start, false);
        if (!seg) {
            emu_reply_error(ctx->resp, 400, "ParameterInvalid", "invalid percent-encoding in path");
            return false;
        }
        ctx->segs[ctx->n_segs++] = seg;
        if (!slash) {
            break;
        }
        start = end + 1;
    }
    if (qmark && !parse_query(ctx, qmark + 1, target_len - path_len - 1)) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "invalid percent-encoding or too many query parameters");
        return false;
    }
    return true;
}

const struct emu_param *emu_ctx_param(const struct emu_ctx *ctx, const char *key)
{
    for (size_t i = 0; i < ctx->n_params; i++) {
        if (strcmp(ctx->params[i].key, key) == 0) {
            return &ctx->params[i];
        }
    }
    return NULL;
}

const char *emu_ctx_param_value(const struct emu_ctx *ctx, const char *key)
{
    const struct emu_param *param = emu_ctx_param(ctx, key);
    return param ? param->value : NULL;
}

const char *emu_request_header(const struct emu_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0) {
            return req->headers[i].value ? req->headers[i].value : "";
        }
    }
    return NULL;
}

/* RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF. */
bool emu_is_utf8(const uint8_t *s, size_t len)
{
    static const uint32_t min_cp[] = {0, 0x80, 0x800, 0x10000};
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (len - i <= n) {
            return false;
        }
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}
