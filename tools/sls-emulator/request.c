/* Request-target parsing. The wire carries percent-encoded values (docs/protocol/sls-api.md
 * §Signature v1: a cursor
 * "...MA==" travels as "%3D%3D"); handlers and the v1 signature want them decoded, v4 wants
 * them re-encoded by its own rule, so both forms are derived here from the raw target. */
#include <string.h>

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
    switch (tc_url_split_path(ctx->arena, target, path_len, true, ctx->segs, EMU_MAX_SEGMENTS,
                              &ctx->n_segs)) {
    case TC_PATH_OK:
        break;
    case TC_PATH_TOO_MANY:
        emu_reply_error(ctx->resp, 404, "NotFound", "path has too many segments");
        return false;
    case TC_PATH_BAD_ESCAPE:
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "invalid percent-encoding in path");
        return false;
    }
    if (qmark && !tc_url_parse_query(ctx->arena, qmark + 1, target_len - path_len - 1, ctx->params,
                                     EMU_MAX_PARAMS, &ctx->n_params)) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "invalid percent-encoding or too many query parameters");
        return false;
    }
    return true;
}

const struct tc_param *emu_ctx_param(const struct emu_ctx *ctx, const char *key)
{
    return tc_param_find(ctx->params, ctx->n_params, key);
}

const char *emu_ctx_param_value(const struct emu_ctx *ctx, const char *key)
{
    const struct tc_param *param = emu_ctx_param(ctx, key);
    return param ? param->value : NULL;
}

const char *emu_request_header(const struct tc_request *req, const char *name)
{
    return tc_header_find(req->headers, req->n_headers, name);
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
