/* PullLogs (docs/protocol/sls-api.md §PullLogs; sls-loggroup.md §Compression): the hot path. Under
 * the lock it only validates the cursor, picks the LogGroups and takes references; the body is then
 * built without the lock, so pulls on different shards and connections run in parallel: LZ4 by
 * splicing the LogGroups' pre-compressed blocks, no compression by concatenating the pre-framed
 * LogGroups, zstd and deflate by compressing once and caching the result. With an SPL `query` the
 * LogGroups are decoded, filtered and re-encoded instead (spl_pull.h), never cached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "cache.h"
#include "codec.h"
#include "cursor.h"
#include "spl_pull.h"
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

/* `query` is an SPL statement; the Go and Python SDKs add pullMode=scan_on_stream, the Java
 * SDK (since 2025) sends none. Parsed once for this request; an empty query is no query (no
 * SDK sends one). False after answering 400 ParameterInvalid. */
static bool parse_query(struct emu_ctx *ctx, struct emu_spl **spl)
{
    *spl = NULL;
    if (emu_ctx_param(ctx, "processor")) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "consume processors are not emulated: send the SPL as query");
        return false;
    }
    const char *mode = emu_ctx_param_value(ctx, "pullMode");
    if (mode && strcmp(mode, "scan_on_stream") != 0) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "pullMode %.32s is not supported (scan_on_stream)", mode);
        return false;
    }
    const char *query = emu_ctx_param_value(ctx, "query");
    if (!query || query[strspn(query, " \t\r\n")] == '\0') {
        return true;
    }
    enum emu_spl_error kind;
    char err[256];
    *spl = emu_spl_parse(query, strlen(query), &kind, err, sizeof(err));
    if (!*spl) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "%s", err);
        return false;
    }
    return true;
}

/* The headers every answer carries; |n_groups| and |raw_len| describe the body sent. */
static void common_headers(struct emu_response *resp,
                           const struct pull_plan *p,
                           size_t n_groups,
                           size_t raw_len,
                           enum emu_codec codec)
{
    char next[EMU_CURSOR_MAX + 1];
    emu_cursor_encode(p->next_seq, next);
    resp->status = 200;
    resp->content_type = "application/x-protobuf";
    emu_resp_header(resp, "x-log-cursor", "%s", next);
    emu_resp_header(resp, "x-log-count", "%zu", n_groups);
    emu_resp_header(resp, "x-log-bodyrawsize", "%zu", raw_len);
    if (n_groups && codec != EMU_CODEC_NONE) {
        emu_resp_header(resp, "x-log-compresstype", "%s", emu_codec_name(codec));
    }
    if (p->n_groups) {
        emu_resp_header(resp, "x-log-read-last-cursor", "%lld", (long long)p->next_seq - 1);
    }
    emu_resp_header(resp, "x-log-end-of-cursor", "%d", p->is_end ? 1 : 0);
}

/* The answer to a pull with a query: only the logs the statement keeps; the cursor still
 * moves over the whole range, and the x-log-rawdata* headers describe what was scanned (the
 * SDKs pace on them when a query is set). */
static void answer_query(struct emu_ctx *ctx,
                         const struct emu_spl *spl,
                         const struct pull_plan *p,
                         enum emu_codec codec)
{
    struct emu_spl_pull out;
    if (!emu_spl_pull(spl, p->groups, p->n_groups, (size_t)1 << 30, &out)) {
        sf_buf_cleanup(&out.raw);
        emu_reply_error(ctx->resp, 500, "InternalServerError", "SPL answer could not be built");
        return;
    }
    struct emu_body *body = NULL;
    if (out.n_groups) {
        body = codec == EMU_CODEC_NONE ? emu_body_from(out.raw.ptr, out.raw.len)
                                       : emu_codec_compress(codec, out.raw.ptr, out.raw.len);
    }
    struct emu_response *resp = ctx->resp;
    resp->body = body;
    common_headers(resp, p, out.n_groups, out.raw.len, codec);
    emu_resp_header(resp, "x-log-rawdatasize", "%zu", p->raw_len);
    emu_resp_header(resp, "x-log-rawdatacount", "%zu", p->n_groups);
    emu_resp_header(resp, "x-log-rawdatalines", "%llu", (unsigned long long)out.n_logs_in);
    emu_resp_header(resp, "x-log-resultlines", "%llu", (unsigned long long)out.n_logs_out);
    emu_resp_header(resp, "x-log-failedlines", "0");

    pthread_mutex_lock(&ctx->srv->lock);
    ctx->srv->stats.pulled_groups += out.n_groups;
    ctx->srv->stats.pulled_logs += out.n_logs_out;
    ctx->srv->stats.bytes_raw += out.raw.len;
    ctx->srv->stats.bytes_wire += body ? body->len : 0;
    pthread_mutex_unlock(&ctx->srv->lock);
    sf_buf_cleanup(&out.raw);
}

void emu_api_pull_logs(struct emu_ctx *ctx, struct emu_logstore *ls, const char *shard_seg)
{
    long long count;
    struct emu_spl *spl;
    if (!parse_query(ctx, &spl)) {
        return;
    }
    struct pull_plan *p = sf_arena_alloc(ctx->arena, sizeof(*p));
    memset(p, 0, sizeof(*p));
    bool is_planned = parse_count(ctx, &count);
    if (is_planned) {
        pthread_mutex_lock(&ctx->srv->lock);
        struct emu_shard *shard = emu_api_shard_lookup(ctx, ls, shard_seg);
        is_planned = shard && plan(ctx, shard, count, p);
        pthread_mutex_unlock(&ctx->srv->lock);
    }
    if (!is_planned) {
        emu_spl_free(spl);
        return;
    }
    enum emu_codec codec = emu_codec_from_accept(emu_request_header(ctx->req, "Accept-Encoding"));
    if (spl) {
        answer_query(ctx, spl, p, codec);
        emu_spl_free(spl);
        for (size_t i = 0; i < p->n_groups; i++) {
            emu_lg_unref(p->groups[i]);
        }
        return;
    }
    struct emu_body *body = p->n_groups ? build_body(ctx->srv, p, codec) : NULL;
    for (size_t i = 0; i < p->n_groups; i++) {
        emu_lg_unref(p->groups[i]);
    }

    ctx->resp->body = body;
    common_headers(ctx->resp, p, p->n_groups, p->raw_len, codec);

    pthread_mutex_lock(&ctx->srv->lock);
    ctx->srv->stats.pulled_groups += p->n_groups;
    ctx->srv->stats.pulled_logs += p->n_logs;
    ctx->srv->stats.bytes_raw += p->raw_len;
    ctx->srv->stats.bytes_wire += body ? body->len : 0;
    pthread_mutex_unlock(&ctx->srv->lock);
}
