/* PullLogs (spec §4, §6): the hot path. Under the lock it only validates the cursor, picks
 * the LogGroups and takes references; the body is then built without the lock, so pulls on
 * different shards and connections run in parallel: LZ4 by splicing the LogGroups'
 * pre-compressed blocks, no compression by concatenating the pre-framed LogGroups, zstd and
 * deflate by compressing once and caching the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "cache.h"
#include "codec.h"
#include "cursor.h"
#include "util/alloc.h"
#include "util/str.h"

#include "util/banned.h"

#define MAX_COUNT 1000

struct pull_plan {
    struct emu_lg *groups[MAX_COUNT]; /* referenced */
    size_t n_groups;
    size_t raw_len;
    uint64_t n_logs;
    int64_t seq;      /* first LogGroup */
    int64_t next_seq; /* the answer's x-log-cursor */
    bool is_end;      /* caught up with the shard's data */
    uint64_t shard_uid;
};

static bool parse_count(struct emu_ctx *ctx, long long *count)
{
    const char *value = emu_ctx_param_value(ctx, "count");
    if (!value || !sf_str_to_i64(sf_str_from(value), 1, MAX_COUNT, count)) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "count must be in 1..1000");
        return false;
    }
    return true;
}

/* Chooses [seq, next_seq): at most |count| LogGroups, up to end_cursor (exclusive) and
 * srv->max_pull_bytes raw (at least one LogGroup, so a big one cannot stall a consumer). */
static bool plan(struct emu_ctx *ctx, struct emu_shard *shard, long long count, struct pull_plan *p)
{
    if (!emu_api_cursor_seq(ctx, shard, emu_ctx_param_value(ctx, "cursor"), &p->seq)) {
        return false;
    }
    int64_t limit = emu_shard_end_seq(shard);
    const char *end_cursor = emu_ctx_param_value(ctx, "end_cursor");
    if (end_cursor && end_cursor[0]) {
        int64_t end_seq;
        if (!emu_cursor_decode(end_cursor, &end_seq)) {
            emu_reply_error(ctx->resp, 400, "InvalidCursor", "end_cursor %.64s is invalid",
                            end_cursor);
            return false;
        }
        limit = end_seq < limit ? (end_seq < p->seq ? p->seq : end_seq) : limit;
    }
    size_t first = (size_t)(p->seq - shard->first_seq);
    while (p->n_groups < (size_t)count && p->seq + (int64_t)p->n_groups < limit) {
        struct emu_lg *lg = shard->groups[first + p->n_groups];
        if (p->n_groups && p->raw_len + lg->len > ctx->srv->max_pull_bytes) {
            break;
        }
        emu_lg_ref(lg);
        p->groups[p->n_groups++] = lg;
        p->raw_len += lg->len;
        p->n_logs += lg->n_logs;
    }
    p->next_seq = p->seq + (int64_t)p->n_groups;
    p->is_end = p->next_seq == emu_shard_end_seq(shard);
    p->shard_uid = shard->uid;
    return true;
}

static bool has_lz4(const struct pull_plan *p)
{
    for (size_t i = 0; i < p->n_groups; i++) {
        if (!p->groups[i]->lz4.data) {
            return false;
        }
    }
    return true;
}

/* LZ4 (what every SDK asks for by default) is spliced from the per-LogGroup blocks and no
 * body is uncompressed-then-recompressed; other codecs compress once and go to the cache. */
static struct emu_body *
build_body(struct emu_server *srv, const struct pull_plan *p, enum emu_codec codec)
{
    if (codec == EMU_CODEC_LZ4 && has_lz4(p)) {
        const struct emu_lz4_block **blocks = sf_xmalloc(p->n_groups * sizeof(*blocks));
        for (size_t i = 0; i < p->n_groups; i++) {
            blocks[i] = &p->groups[i]->lz4;
        }
        struct emu_body *body = emu_body_new(emu_lz4_splice_bound(blocks, p->n_groups, p->raw_len));
        body->len = emu_lz4_splice(blocks, p->n_groups, body->data);
        free(blocks);
        return body;
    }
    struct emu_cache_key key = {p->shard_uid, p->seq, (uint32_t)p->n_groups, (uint32_t)codec};
    size_t raw_len = 0;
    struct emu_body *body =
        codec == EMU_CODEC_NONE ? NULL : emu_cache_get(srv->cache, &key, &raw_len);
    if (body) {
        return body;
    }
    struct emu_body *raw = emu_body_new(p->raw_len);
    size_t off = 0;
    for (size_t i = 0; i < p->n_groups; i++) {
        memcpy(raw->data + off, p->groups[i]->data, p->groups[i]->len);
        off += p->groups[i]->len;
    }
    if (codec == EMU_CODEC_NONE) {
        return raw;
    }
    body = emu_codec_compress(codec, raw->data, raw->len);
    emu_body_unref(raw);
    emu_cache_put(srv->cache, &key, body, p->raw_len);
    return body;
}

void emu_api_pull_logs(struct emu_ctx *ctx, struct emu_logstore *ls, const char *shard_seg)
{
    long long count;
    if (emu_ctx_param(ctx, "query") || emu_ctx_param(ctx, "processor")) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "SPL query and processor are not supported by the emulator");
        return;
    }
    if (!parse_count(ctx, &count)) {
        return;
    }
    struct pull_plan *p = sf_arena_alloc(ctx->arena, sizeof(*p));
    memset(p, 0, sizeof(*p));
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_shard *shard = emu_api_shard_lookup(ctx, ls, shard_seg);
    bool is_planned = shard && plan(ctx, shard, count, p);
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!is_planned) {
        return;
    }
    enum emu_codec codec = emu_codec_from_accept(emu_request_header(ctx->req, "Accept-Encoding"));
    struct emu_body *body = p->n_groups ? build_body(ctx->srv, p, codec) : NULL;
    for (size_t i = 0; i < p->n_groups; i++) {
        emu_lg_unref(p->groups[i]);
    }

    struct emu_response *resp = ctx->resp;
    char next[EMU_CURSOR_MAX + 1];
    emu_cursor_encode(p->next_seq, next);
    resp->status = 200;
    resp->body = body;
    resp->content_type = "application/x-protobuf";
    emu_resp_header(resp, "x-log-cursor", "%s", next);
    emu_resp_header(resp, "x-log-count", "%zu", p->n_groups);
    emu_resp_header(resp, "x-log-bodyrawsize", "%zu", p->raw_len);
    if (p->n_groups && codec != EMU_CODEC_NONE) {
        emu_resp_header(resp, "x-log-compresstype", "%s", emu_codec_name(codec));
    }
    if (p->n_groups) {
        emu_resp_header(resp, "x-log-read-last-cursor", "%lld", (long long)p->next_seq - 1);
    }
    emu_resp_header(resp, "x-log-end-of-cursor", "%d", p->is_end ? 1 : 0);

    pthread_mutex_lock(&ctx->srv->lock);
    ctx->srv->stats.pulled_groups += p->n_groups;
    ctx->srv->stats.pulled_logs += p->n_logs;
    ctx->srv->stats.bytes_raw += p->raw_len;
    ctx->srv->stats.bytes_wire += body ? body->len : 0;
    pthread_mutex_unlock(&ctx->srv->lock);
}
