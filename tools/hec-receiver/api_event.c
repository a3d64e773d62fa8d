/* POST /services/collector[/event[/1.0]]: concatenated envelopes, checked in order; the
 * first bad one stops the request (docs/protocol/hec.md §Partial acceptance). Events before it are
 * accepted and recorded, the answer names it with invalid-event-number, and nothing after it is
 * looked at. */
#include "envelope.h"
#include "handler.h"
#include "record.h"
#include "scan.h"

#include "util/banned.h"

struct outcome {
    uint64_t n_accepted;
    uint64_t bytes_accepted;
    int code;     /* 0, or the code refusing event n_accepted */
    bool is_busy; /* a 503 fault with k stopped the request after k events */
};

/* The per-event verdict: --count-only looks at the scanner's notes only. */
static int check_one(struct hec_ctx *ctx,
                     const struct hec_envelope_rules *rules,
                     const struct hec_scan_object *obj)
{
    size_t len = obj->end - obj->start;
    if (ctx->srv->max_event_size && len > ctx->srv->max_event_size) {
        return 6; /* inputs.conf maxEventSize: a parse error (hec.md §Server limits) */
    }
    if (ctx->srv->is_count_only) {
        return !obj->has_event ? 12 : obj->is_event_blank ? 13 : 0;
    }
    return hec_envelope_check(ctx->body + obj->start, len, rules);
}

static void process(struct hec_ctx *ctx, struct hec_recorder *rec, struct outcome *out)
{
    struct hec_envelope_rules rules = {
        .indexes = ctx->token.indexes[0] ? ctx->token.indexes : ctx->srv->index_allow,
        .is_lenient_time = ctx->srv->is_lenient_time,
    };
    size_t pos = 0;
    for (;;) {
        struct hec_scan_object obj;
        enum hec_scan_status st = hec_scan_next(ctx->body, ctx->body_len, &pos, &obj);
        if (st == HEC_SCAN_END) {
            return;
        }
        if (st != HEC_SCAN_OBJECT) {
            out->code = 6; /* a JSON array, a bare value, or broken JSON */
            return;
        }
        if (ctx->stop_at >= 0 && out->n_accepted == (uint64_t)ctx->stop_at) {
            out->is_busy = true;
            return;
        }
        out->code = check_one(ctx, &rules, &obj);
        if (out->code) {
            return;
        }
        if (rec) {
            hec_recorder_envelope(rec, ctx->body + obj.start, obj.end - obj.start);
        }
        out->n_accepted++;
        out->bytes_accepted += obj.end - obj.start;
    }
}

void hec_api_event(struct hec_ctx *ctx)
{
    struct hec_record_meta meta = {
        .request_no = ctx->request_no,
        .endpoint = "event",
        .token_name = ctx->token.name,
        .channel = ctx->channel,
    };
    struct hec_recorder rec;
    bool is_recording = !ctx->srv->is_count_only;
    if (is_recording) {
        hec_recorder_init(&rec, ctx->srv, &meta);
    }
    struct outcome out = {0};
    process(ctx, is_recording ? &rec : NULL, &out);
    if (is_recording) {
        hec_recorder_finish(&rec);
    }
    hec_ctx_count_events(ctx, out.n_accepted, out.code ? 1 : 0, out.bytes_accepted);
    uint64_t ack_id = 0;
    if (out.code) {
        hec_reply_code_at(ctx->resp, out.code, out.n_accepted);
    } else if (out.is_busy) {
        hec_reply_code_at(ctx->resp, 9, out.n_accepted);
    } else if (out.n_accepted == 0) {
        hec_reply_code(ctx->resp, 5); /* whitespace only */
    } else {
        bool has_ack_id = hec_ctx_issue_ack(ctx, &ack_id);
        hec_reply_success(ctx->resp, ctx->success_code, has_ack_id, ack_id);
    }
}
