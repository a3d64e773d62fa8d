/* POST /services/collector/raw[/1.0]: the body is text; each line is an event (Splunk's
 * default LINE_BREAKER ([\r\n]+), so blank lines vanish). Metadata comes only from the query
 * (channel, host, source, sourcetype, index; docs/protocol/hec.md §Raw endpoint). */
#include <string.h>

#include "envelope.h"
#include "handler.h"
#include "record.h"

#include "util/banned.h"

void hec_api_raw(struct hec_ctx *ctx)
{
    struct hec_raw_meta raw = {
        .host = hec_ctx_param(ctx, "host"),
        .source = hec_ctx_param(ctx, "source"),
        .sourcetype = hec_ctx_param(ctx, "sourcetype"),
        .index = hec_ctx_param(ctx, "index"),
    };
    const char *allow = ctx->token.indexes[0] ? ctx->token.indexes : ctx->srv->index_allow;
    if (raw.index && !hec_index_allowed(allow, raw.index, strlen(raw.index))) {
        hec_reply_code(ctx->resp, 7);
        return;
    }
    struct hec_record_meta meta = {
        .request_no = ctx->request_no,
        .endpoint = "raw",
        .token_name = ctx->token.name,
        .channel = ctx->channel,
    };
    struct hec_recorder rec;
    bool is_recording = !ctx->srv->is_count_only;
    if (is_recording) {
        hec_recorder_init(&rec, ctx->srv, &meta);
    }
    uint64_t n = 0, bytes = 0;
    const uint8_t *p = ctx->body, *end = ctx->body + ctx->body_len;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *line_end = nl ? nl : end;
        while (p < line_end) { /* a lone '\r' breaks lines too */
            const uint8_t *cr = memchr(p, '\r', (size_t)(line_end - p));
            const uint8_t *e = cr ? cr : line_end;
            if (e > p) {
                if (is_recording) {
                    hec_recorder_raw(&rec, p, (size_t)(e - p), &raw);
                }
                n++;
                bytes += (size_t)(e - p);
            }
            p = cr ? cr + 1 : line_end;
        }
        p = nl ? nl + 1 : end;
    }
    if (is_recording) {
        hec_recorder_finish(&rec);
    }
    hec_ctx_count_events(ctx, n, 0, bytes);
    if (n == 0) {
        hec_reply_code(ctx->resp, 5);
        return;
    }
    uint64_t ack_id = 0;
    bool has_ack_id = hec_ctx_issue_ack(ctx, &ack_id);
    hec_reply_success(ctx->resp, ctx->success_code, has_ack_id, ack_id);
}
