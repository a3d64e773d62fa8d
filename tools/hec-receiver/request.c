/* Request-target parsing. HEC paths are plain ASCII and matched as sent; query values
 * (channel, token, host, source, sourcetype, index) are percent-decoded, '+' as space. */
#include <string.h>
#include <strings.h>

#include "handler.h"

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

/* NUL bytes and broken escapes are refused: no HEC parameter holds them. */
static char *decode(struct hec_ctx *ctx, const char *s, size_t len, bool is_query)
{
    char *out = sf_arena_alloc(ctx->arena, len + 1);
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

static bool parse_query(struct hec_ctx *ctx, const char *q, size_t len)
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
            if (ctx->n_params == HEC_MAX_PARAMS) {
                return false;
            }
            struct hec_param *param = &ctx->params[ctx->n_params];
            param->key = decode(ctx, piece, key_len, true);
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

bool hec_ctx_parse_target(struct hec_ctx *ctx)
{
    const char *target = ctx->req->target ? ctx->req->target : "";
    size_t target_len = strlen(target);
    const char *qmark = memchr(target, '?', target_len);
    size_t path_len = qmark ? (size_t)(qmark - target) : target_len;
    char *path = sf_arena_alloc(ctx->arena, path_len + 1);
    memcpy(path, target, path_len);
    path[path_len] = '\0';
    ctx->path = path;
    if (path_len == 0 || target[0] != '/') {
        hec_reply_text(ctx->resp, 400, 400, "Request target must start with /");
        return false;
    }
    if (qmark && !parse_query(ctx, qmark + 1, target_len - path_len - 1)) {
        hec_reply_text(ctx->resp, 400, 400,
                       "Invalid percent-encoding or too many query parameters");
        return false;
    }
    return true;
}

bool hec_ctx_split_path(struct hec_ctx *ctx)
{
    const char *path = ctx->path;
    size_t path_len = strlen(path);
    size_t start = 1;
    while (start <= path_len) {
        const char *slash = memchr(path + start, '/', path_len - start);
        size_t end = slash ? (size_t)(slash - path) : path_len;
        if (end > start) {
            if (ctx->n_segs == HEC_MAX_SEGMENTS) {
                hec_reply_text(ctx->resp, 404, 404, "No such control call");
                return false;
            }
            const char *seg = decode(ctx, path + start, end - start, false);
            if (!seg) {
                hec_reply_text(ctx->resp, 400, 400, "Invalid percent-encoding in path");
                return false;
            }
            ctx->segs[ctx->n_segs++] = seg;
        }
        if (!slash) {
            break;
        }
        start = end + 1;
    }
    return true;
}

const char *hec_ctx_param(const struct hec_ctx *ctx, const char *key)
{
    for (size_t i = 0; i < ctx->n_params; i++) {
        if (strcmp(ctx->params[i].key, key) == 0) {
            return ctx->params[i].value;
        }
    }
    return NULL;
}

const char *hec_request_header(const struct hec_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0) {
            return req->headers[i].value ? req->headers[i].value : "";
        }
    }
    return NULL;
}
