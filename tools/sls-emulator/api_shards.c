/* Read APIs (docs/protocol/sls-api.md §APIs): ListLogStores, GetLogStore, ListShards, GetCursor,
 * GetCursorTime. PullLogs is in api_pull.c. */
#include <stdio.h>
#include <string.h>

#include "api_common.h"
#include "cursor.h"
#include "handler.h"
#include "store.h"
#include "util/str.h"

#include "util/banned.h"

void emu_api_list_logstores(struct emu_ctx *ctx)
{
    json_t *names = json_array();
    pthread_mutex_lock(&ctx->srv->lock);
    for (int i = 0; i < ctx->project->n_logstores; i++) {
        json_array_append_new(names, json_string(ctx->project->logstores[i]->name));
    }
    int n = ctx->project->n_logstores;
    pthread_mutex_unlock(&ctx->srv->lock);
    emu_reply_json(ctx->resp,
                   json_pack("{s:i, s:i, s:o}", "count", n, "total", n, "logstores", names));
}

void emu_api_get_logstore(struct emu_ctx *ctx, struct emu_logstore *ls)
{
    pthread_mutex_lock(&ctx->srv->lock);
    int n_readwrite = 0;
    for (int i = 0; i < ls->n_shards; i++) {
        n_readwrite += !ls->shards[i]->is_readonly;
    }
    json_t *root =
        json_pack("{s:s, s:i, s:i, s:b, s:b, s:i, s:b, s:I, s:I, s:s, s:s}", "logstoreName",
                  ls->name, "ttl", ls->ttl_days, "shardCount", n_readwrite, "enable_tracking", 0,
                  "autoSplit", 0, "maxSplitShard", 64 /* the documented maximum */, "appendMeta", 0,
                  "createTime", (json_int_t)ls->create_time_s, "lastModifyTime",
                  (json_int_t)ls->create_time_s, "telemetryType", "", "mode", "standard");
    pthread_mutex_unlock(&ctx->srv->lock);
    emu_reply_json(ctx->resp, root);
}

void emu_api_list_shards(struct emu_ctx *ctx, struct emu_logstore *ls)
{
    json_t *list = json_array();
    pthread_mutex_lock(&ctx->srv->lock);
    for (int i = 0; i < ls->n_shards; i++) {
        const struct emu_shard *shard = ls->shards[i];
        json_array_append_new(
            list, json_pack("{s:i, s:s, s:s, s:s, s:I}", "shardID", shard->id, "status",
                            shard->is_readonly ? "readonly" : "readwrite", "inclusiveBeginKey",
                            shard->begin_key, "exclusiveEndKey", shard->end_key, "createTime",
                            (json_int_t)shard->create_time_s));
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    emu_reply_json(ctx->resp, list);
}

struct emu_shard *
emu_api_shard_lookup(struct emu_ctx *ctx, struct emu_logstore *ls, const char *seg)
{
    long long id;
    if (!sf_str_to_i64(sf_str_from(seg), 0, 1ll << 30, &id)) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "shard id %.32s is invalid", seg);
        return NULL;
    }
    struct emu_shard *shard = emu_shard_find(ls, id);
    if (!shard) {
        emu_reply_error(ctx->resp, 400, "ShardNotExist", "Shard %lld does not exist", id);
    }
    return shard;
}

/* begin = oldest retained, end = after the newest, a unix time = the first LogGroup received
 * at or after it (docs/protocol/sls-api.md §GetCursor). */
static void get_cursor(struct emu_ctx *ctx, struct emu_shard *shard)
{
    const char *from = emu_ctx_param_value(ctx, "from");
    long long t = 0;
    bool is_time = from && sf_str_to_i64(sf_str_from(from), 0, 1ll << 40, &t);
    if (!from || (!is_time && strcmp(from, "begin") != 0 && strcmp(from, "end") != 0)) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "from must be begin, end or a unix time in seconds");
        return;
    }
    int64_t seq;
    if (is_time) {
        seq = emu_store_seq_at_time(shard, t);
    } else if (strcmp(from, "begin") == 0) {
        seq = shard->first_seq;
    } else {
        seq = emu_shard_end_seq(shard);
    }
    char cursor[EMU_CURSOR_MAX + 1];
    emu_cursor_encode(seq, cursor);
    emu_reply_json(ctx->resp, json_pack("{s:s}", "cursor", cursor));
}

bool emu_api_cursor_seq(struct emu_ctx *ctx,
                        const struct emu_shard *shard,
                        const char *cursor,
                        int64_t *seq)
{
    if (!cursor || !emu_cursor_decode(cursor, seq) || *seq < shard->first_seq ||
        *seq > emu_shard_end_seq(shard)) {
        emu_reply_error(ctx->resp, 400, "InvalidCursor", "cursor %.64s is invalid or expired",
                        cursor ? cursor : "(missing)");
        return false;
    }
    return true;
}

static void get_cursor_time(struct emu_ctx *ctx, struct emu_shard *shard)
{
    int64_t seq;
    if (!emu_api_cursor_seq(ctx, shard, emu_ctx_param_value(ctx, "cursor"), &seq)) {
        return;
    }
    int64_t t = shard->create_time_s;
    size_t idx = (size_t)(seq - shard->first_seq);
    if (idx < shard->n_groups) {
        t = shard->groups[idx]->recv_time_s;
    } else if (shard->n_groups) {
        t = shard->groups[shard->n_groups - 1]->recv_time_s;
    }
    emu_reply_json(ctx->resp, json_pack("{s:I}", "cursor_time", (json_int_t)t));
}

void emu_api_shard_get(struct emu_ctx *ctx,
                       struct emu_logstore *ls,
                       const char *shard_seg,
                       enum emu_api api)
{
    if (api == EMU_API_PULL_LOGS) {
        emu_api_pull_logs(ctx, ls, shard_seg);
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_shard *shard = emu_api_shard_lookup(ctx, ls, shard_seg);
    if (shard && api == EMU_API_GET_CURSOR) {
        get_cursor(ctx, shard);
    } else if (shard) {
        get_cursor_time(ctx, shard);
    }
    pthread_mutex_unlock(&ctx->srv->lock);
}
