/* Request-target parsing. HEC paths are plain ASCII and matched as sent; query values
 * (channel, token, host, source, sourcetype, index) are percent-decoded, '+' as space. */
#include <string.h>

#include "handler.h"

#include "util/banned.h"

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
    if (qmark && !tc_url_parse_query(ctx->arena, qmark + 1, target_len - path_len - 1, ctx->params,
                                     HEC_MAX_PARAMS, &ctx->n_params)) {
        hec_reply_text(ctx->resp, 400, 400,
                       "Invalid percent-encoding or too many query parameters");
        return false;
    }
    return true;
}

bool hec_ctx_split_path(struct hec_ctx *ctx)
{
    switch (tc_url_split_path(ctx->arena, ctx->path, strlen(ctx->path), false, ctx->segs,
                              HEC_MAX_SEGMENTS, &ctx->n_segs)) {
    case TC_PATH_OK:
        return true;
    case TC_PATH_TOO_MANY:
        hec_reply_text(ctx->resp, 404, 404, "No such control call");
        return false;
    case TC_PATH_BAD_ESCAPE:
        break;
    }
    hec_reply_text(ctx->resp, 400, 400, "Invalid percent-encoding in path");
    return false;
}

const char *hec_ctx_param(const struct hec_ctx *ctx, const char *key)
{
    const struct tc_param *param = tc_param_find(ctx->params, ctx->n_params, key);
    return param ? param->value : NULL;
}

const char *hec_request_header(const struct tc_request *req, const char *name)
{
    return tc_header_find(req->headers, req->n_headers, name);
}
