/* PostLogStoreLogs / PutLogs: one LogGroup protobuf per request, LoadBalance mode
 * (`/shards/lb`, or `/logstores/<ls>` as the Go SDK sends it) or KeyHash mode
 * (`/shards/route?key=` or the x-log-hashkey header). Error codes and limits follow the
 * PutLogs API page; the body was already decompressed by the router. */
#include <string.h>
#include <strings.h>

#include "api_common.h"
#include "emu_logs.pb-c.h"
#include "store.h"

#include "util/banned.h"

#define MAX_RAW_BODY ((size_t)10 << 20)
#define MAX_LOGS     512000 /* what current SDKs allow per request (older docs: 4096) */

bool emu_api_require_type(struct emu_ctx *ctx, const char *type)
{
    const char *value = emu_request_header(ctx->req, "Content-Type");
    if (!value) {
        return true; /* only bodyless requests get here without one (router rule) */
    }
    size_t len = strcspn(value, "; \t");
    if (len == strlen(type) && strncasecmp(value, type, len) == 0) {
        return true;
    }
    emu_reply_error(ctx->resp, 415, "InvalidContentType", "Content-Type %.64s is unsupported.",
                    value);
    return false;
}

static bool group_is_utf8(const Emu__LogGroup *group)
{
    bool is_ok = (!group->has_topic || emu_is_utf8(group->topic.data, group->topic.len)) &&
                 (!group->has_source || emu_is_utf8(group->source.data, group->source.len));
    for (size_t t = 0; t < group->n_logtags && is_ok; t++) {
        is_ok = emu_is_utf8(group->logtags[t]->key.data, group->logtags[t]->key.len) &&
                emu_is_utf8(group->logtags[t]->value.data, group->logtags[t]->value.len);
    }
    for (size_t l = 0; l < group->n_logs && is_ok; l++) {
        const Emu__Log *log = group->logs[l];
        for (size_t c = 0; c < log->n_contents && is_ok; c++) {
            is_ok = emu_is_utf8(log->contents[c]->key.data, log->contents[c]->key.len) &&
                    emu_is_utf8(log->contents[c]->value.data, log->contents[c]->value.len);
        }
    }
    return is_ok;
}

/* Checks the body is one well-formed LogGroup within the limits; returns its log count or -1
 * after answering. */
static long validate(struct emu_ctx *ctx)
{
    if (ctx->body_len > MAX_RAW_BODY) {
        emu_reply_error(ctx->resp, 400, "PostBodyTooLarge",
                        "Logs must be less than or equal to 10 MB and 512000 entries.");
        return -1;
    }
    Emu__LogGroup *group = emu__log_group__unpack(NULL, ctx->body_len, ctx->body);
    if (!group) {
        emu_reply_error(ctx->resp, 400, "PostBodyInvalid", "Protobuffer content cannot be parsed.");
        return -1;
    }
    long n_logs = (long)group->n_logs;
    bool is_ok = true;
    if (n_logs > MAX_LOGS) {
        emu_reply_error(ctx->resp, 400, "PostBodyTooLarge",
                        "Logs must be less than or equal to 10 MB and 512000 entries.");
        is_ok = false;
    } else if (ctx->srv->is_strict_utf8 && !group_is_utf8(group)) {
        emu_reply_error(ctx->resp, 400, "InvalidEncoding", "Non-UTF8 characters are in logs.");
        is_ok = false;
    }
    emu__log_group__free_unpacked(group, NULL);
    return is_ok ? n_logs : -1;
}

void emu_api_post_logs(struct emu_ctx *ctx, struct emu_logstore *ls, const char *route_key)
{
    if (!emu_api_require_type(ctx, "application/x-protobuf")) {
        return;
    }
    const char *key =
        route_key ? emu_ctx_param_value(ctx, "key") : emu_request_header(ctx->req, "x-log-hashkey");
    if (route_key && (!key || !key[0])) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "key is required in KeyHash mode");
        return;
    }
    long n_logs = validate(ctx);
    if (n_logs < 0) {
        return;
    }
    if (n_logs == 0) {
        emu_reply_empty(ctx->resp); /* nothing to store; SDKs skip such requests anyway */
        return;
    }
    struct emu_lg *lg = emu_lg_new(ctx->body, ctx->body_len, (uint32_t)n_logs, emu_now_s());
    emu_lg_seal(lg); /* outside the lock: compression is the slow part */
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_shard *shard = key && key[0] ? emu_store_route(ls, key) : emu_store_pick_shard(ls);
    if (shard) {
        emu_store_append(shard, lg);
        lg = NULL;
        ctx->srv->stats.posted_groups++;
        ctx->srv->stats.posted_logs += (uint64_t)n_logs;
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    emu_lg_unref(lg);
    if (!shard) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "hash key %.64s is not 32 hex digits",
                        key ? key : "");
        return;
    }
    emu_reply_empty(ctx->resp);
}
