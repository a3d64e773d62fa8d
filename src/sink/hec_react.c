/* What the sink does with each HEC answer (docs/protocol/hec.md §Retry classes, normative;
 * reactions table in docs/internals/sink.md). The classification is pure (hec_response.c); this
 * file applies it: confirm lines, resend with backoff, halve on 413, cut at invalid-event-number,
 * write dead letters, pause on a refused token, run the indexer-ack protocol. Nothing here ever
 * drops a line: every path ends in confirmed, dead-lettered (on disk), or queued again. Every
 * non-2xx is logged, at most once per status and code per 10 s, with what happens next. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sink/hec_int.h"
#include "util/assert.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define SF_LOG_MODULE "hec"

#define DESCRIBE_MAX 1600 /* status, code, text or a 512-byte body excerpt, escaped */

/* ---------------------------------------------------------------------------------------- */
/* Settling                                                                                  */

void sf_hec_react_delivered(void *ctx, struct sf_batch_entry *hold)
{
    struct sf_hec_sink *hs = ctx;
    SF_HEC_STAT_ADD(hs, batches_delivered, 1);
    sf_batch_settle(hold, SF_BATCH_DELIVERED);
}

static void confirm(struct sf_hec_sink *hs, struct sf_hec_request *req, size_t first, size_t n)
{
    SF_HEC_STAT_ADD(hs, events_confirmed, n);
    sf_hec_batcher_settle(&hs->batcher, req, first, n, sf_hec_react_delivered, hs);
}

static void confirm_cb(void *ctx, struct sf_hec_request *req)
{
    struct sf_hec_sink *hs = ctx;
    confirm(hs, req, 0, req->n_events);
    sf_hec_request_free(&hs->batcher, req);
}

/* A request endpoint |ctx| accepted with a 200 whose indexer ack is not to be had (timed out,
 * ambiguous, abandoned, or the endpoint was taken out): sent again, to whichever endpoint is
 * chosen then. Splunk may have indexed it after all, so each of its events may arrive twice:
 * counted (issue 10 §6: duplicates bounded and counted). */
static void resend_cb(void *ctx, struct sf_hec_request *req)
{
    struct sf_hec_endpoint *ep = ctx;
    struct sf_hec_sink *hs = ep->hs;
    SF_HEC_STAT_ADD(hs, ack_resent_events, req->n_events);
    SF_HEC_STAT_ADD(ep, resends, 1);
    SF_HEC_STAT_ADD(ep, resent_events, req->n_events);
    sf_hec_queue_push(&hs->retry, req);
}

/* ---------------------------------------------------------------------------------------- */
/* Logging                                                                                   */

/* True when a line about (status, code) may be logged now; |*n_suppressed| gets how many were
 * swallowed since the last one. */
static bool
log_allowed(struct sf_hec_sink *hs, long status, int code, int64_t now_ms, unsigned *n_suppressed)
{
    struct sf_hec_log_key *slot = &hs->log_keys[0];
    *n_suppressed = 0;
    for (size_t i = 0; i < SF_HEC_LOG_KEYS; i++) {
        struct sf_hec_log_key *key = &hs->log_keys[i];
        if (key->last_ms && key->status == status && key->code == code) {
            if (now_ms - key->last_ms < SF_HEC_LOG_EVERY_MS) {
                key->n_suppressed++;
                return false;
            }
            *n_suppressed = key->n_suppressed;
            key->n_suppressed = 0;
            key->last_ms = now_ms;
            return true;
        }
        if (key->last_ms < slot->last_ms) {
            slot = key; /* a free key (0), or the least recently used one */
        }
    }
    *slot = (struct sf_hec_log_key){.status = status, .code = code, .last_ms = now_ms};
    return true;
}

/* "status=503 code=9 text=\"Server is busy\"", or the transfer error with its hint, or the
 * start of a body that is not HEC JSON (a proxy's HTML page). */
static void describe(const struct sf_hec_slot *slot,
                     CURLcode cc,
                     long status,
                     const struct sf_hec_reply *reply,
                     char *out,
                     size_t out_size)
{
    if (cc != CURLE_OK) {
        char error[CURL_ERROR_SIZE * 2];
        const char *raw = slot->errbuf[0] ? slot->errbuf : curl_easy_strerror(cc);
        sf_hec_excerpt((const uint8_t *)raw, strlen(raw), sizeof(error), error, sizeof(error));
        snprintf(out, out_size, "curl_code=%d error=\"%s\" hint=\"%s\"", (int)cc, error,
                 sf_hec_http_hint(cc, slot->errbuf, slot->ep->is_https));
        return;
    }
    if (reply->is_json && (reply->code >= 0 || reply->text[0])) {
        const char *text = reply->text[0] ? reply->text : sf_hec_code_text(reply->code);
        char safe[SF_HEC_TEXT_MAX * 2];
        text = text ? text : "";
        sf_hec_excerpt((const uint8_t *)text, strlen(text), SF_HEC_TEXT_MAX, safe, sizeof(safe));
        snprintf(out, out_size, "status=%ld code=%d text=\"%s\"", status, reply->code, safe);
        return;
    }
    char body[SF_HEC_BODY_EXCERPT * 2 + 1];
    sf_hec_excerpt(slot->resp.ptr, slot->resp.len, SF_HEC_BODY_EXCERPT, body, sizeof(body));
    snprintf(out, out_size, "status=%ld body=\"%s\"", status, body);
}

/* The opening of a reaction's log line: log_allowed() for this answer (a transfer error is
 * keyed by its negated curl code) and, when a line is allowed, |what| (DESCRIBE_MAX bytes)
 * describes the answer. */
static bool may_log(struct sf_hec_sink *hs,
                    const struct sf_hec_slot *slot,
                    CURLcode cc,
                    long status,
                    const struct sf_hec_reply *reply,
                    int64_t now_ms,
                    char *what,
                    unsigned *n_suppressed)
{
    if (!log_allowed(hs, cc ? -(long)cc : status, reply->code, now_ms, n_suppressed)) {
        return false;
    }
    describe(slot, cc, status, reply, what, DESCRIBE_MAX);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Flow control: backoff gate and concurrency limit (hec.md §Retry classes, §Sender design) */

/* A failure seen on a request sent after the previous failure is news: back off further and
 * fall back to one request at a time. Answers to requests that were already on the wire say
 * nothing new and leave the gate as it is (except a longer Retry-After). Returns the delay. */
static int64_t flow_failure(struct sf_hec_sink *hs,
                            const struct sf_hec_request *req,
                            int64_t now_ms,
                            int64_t retry_after_ms)
{
    if (req->sent_ms >= hs->last_fail_ms) {
        /* Full jitter, so many senders recovering at once do not come back in step. */
        int64_t delay = sf_backoff_next_full_ms(&hs->retry_backoff, 10);
        hs->gate_ms = now_ms + (retry_after_ms > delay ? retry_after_ms : delay);
        hs->limit = 1;
        hs->last_fail_ms = now_ms;
    } else if (retry_after_ms > 0 && now_ms + retry_after_ms > hs->gate_ms) {
        hs->gate_ms = now_ms + retry_after_ms;
    }
    return hs->gate_ms > now_ms ? hs->gate_ms - now_ms : 0;
}

static void flow_success(struct sf_hec_sink *hs,
                         const struct sf_hec_endpoint *ep,
                         const struct sf_hec_request *req,
                         int64_t now_ms)
{
    if (req->sent_ms < hs->last_fail_ms) {
        return; /* on the wire before the last failure: no news */
    }
    sf_backoff_reset(&hs->retry_backoff);
    if (hs->limit < hs->max_limit) {
        hs->limit++; /* additive increase: one more slot per success */
    }
    if (hs->is_paused) {
        hs->is_paused = false;
        atomic_store(&hs->stats.is_paused, false);
        SF_LOG_INFO("msg=\"HEC accepts requests again: delivery resumed\" url=\"%s\" "
                    "paused_s=%.1f",
                    ep->url, (double)(now_ms - hs->paused_ms) / 1000.0);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Dead letters                                                                              */

void sf_hec_react_flush_dead(struct sf_hec_sink *hs, int64_t now_ms)
{
    if (!hs->dead.n) {
        return;
    }
    if (sf_dead_letter_write(hs->dead_letter, hs->dl_pending.ptr, hs->dl_pending.len,
                             &hs->dl_written) != SF_OK) {
        int64_t delay = 1000;
        for (unsigned i = 0; i < hs->dl_failures && delay < 30000; i++) {
            delay *= 2;
        }
        hs->dl_failures++;
        hs->dl_retry_ms = now_ms + (delay > 30000 ? 30000 : delay);
        SF_LOG_ERROR("msg=\"cannot write the dead-letter file: the refused events stay "
                     "unconfirmed (checkpoints wait)\" path=\"%s\" error=\"%s\" events=%zu "
                     "next=\"will retry in %.1fs\"",
                     sf_dead_letter_path(hs->dead_letter), strerror(errno), hs->dead.n,
                     (double)(hs->dl_retry_ms - now_ms) / 1000.0);
        return;
    }
    sf_buf_reset(&hs->dl_pending);
    hs->dl_written = 0;
    hs->dl_retry_ms = 0;
    hs->dl_failures = 0;
    struct sf_hec_request *req;
    while ((req = sf_hec_queue_pop(&hs->dead))) {
        /* on disk: the lines count as confirmed (docs/README.md §Promises) */
        SF_HEC_STAT_ADD(hs, events_dead_lettered, req->n_events);
        sf_hec_batcher_settle(&hs->batcher, req, 0, req->n_events, sf_hec_react_delivered, hs);
        sf_hec_request_free(&hs->batcher, req);
    }
}

/* Queues every line of |req| for the dead-letter file and tries to write at once. */
static void dead_letter(struct sf_hec_sink *hs,
                        struct sf_hec_request *req,
                        long status,
                        const struct sf_hec_reply *reply,
                        int64_t now_ms)
{
    const char *text = reply->text[0] ? reply->text : sf_hec_code_text(reply->code);
    req->dl_status = status;
    req->dl_code = reply->code;
    snprintf(req->dl_text, sizeof(req->dl_text), "%s", text ? text : "");
    time_t now_s = sf_wall_s();
    for (size_t k = 0; k < req->n_events; k++) {
        struct sf_batch *batch;
        const uint8_t *line;
        size_t len;
        sf_hec_request_line(req, k, &batch, &line, &len);
        sf_err err = sf_dead_letter_format(&hs->dl_pending, now_s, status, req->dl_code,
                                           req->dl_text, batch, line, len);
        SF_ASSERT(err == SF_OK); /* the buffer has no practical ceiling: OOM aborts first */
    }
    sf_hec_queue_push(&hs->dead, req);
    sf_hec_react_flush_dead(hs, now_ms);
}

/* ---------------------------------------------------------------------------------------- */
/* Reactions                                                                                 */

/* Gives up indexer acknowledgement for good (code 14, or the ack endpoint keeps refusing, or
 * the channel is spread over several indexers): 200 answers are final from now on
 * (docs/protocol/hec.md §Indexer acknowledgement item 9). The requests still waiting were accepted
 * but nothing says they were indexed, so they are sent again (counted) rather than confirmed by an
 * answer about something else. */
static void ack_off(struct sf_hec_sink *hs)
{
    hs->is_ack_on = false;
    atomic_store(&hs->stats.is_ack_on, false);
    for (size_t i = 0; i < hs->n_eps; i++) {
        sf_hec_acks_take_expired(&hs->eps[i].acks, INT64_MAX, resend_cb, &hs->eps[i]);
        SF_HEC_STAT_SET(&hs->eps[i], ack_pending, 0);
    }
    SF_HEC_STAT_SET(hs, ack_pending, 0);
}

/* HEC gave out |req|'s ackId while |old| held it. One indexer never repeats an id on a channel,
 * so either Splunk restarted or forgot the channel (every older id reads false forever), or a
 * load balancer without stickiness spreads the channel over several indexers (an ack query
 * reaches any of them, and a "true" for the id may be the other request's): Splunk's own
 * advice is sticky sessions with ack (docs: "Load balancing configurations for Splunk Connect
 * for Kafka"; docs/protocol/hec.md §Indexer acknowledgement, item 8). Neither request is confirmed
 * by that id. The first time, every pending request is sent again (after a restart they would only
 * time out); a repeat again within ack_timeout means the channel is spread: ack is given up. */
static void on_ack_id_repeat(struct sf_hec_sink *hs,
                             struct sf_hec_endpoint *ep,
                             struct sf_hec_request *req,
                             struct sf_hec_request *old,
                             int64_t now_ms)
{
    SF_HEC_STAT_ADD(hs, ack_id_repeats, 1);
    resend_cb(ep, old);
    resend_cb(ep, req);
    bool is_spread = ep->ack_repeat_ms && now_ms - ep->ack_repeat_ms < hs->ack_timeout_ms;
    ep->ack_repeat_ms = now_ms;
    if (is_spread) {
        SF_LOG_ERROR("msg=\"HEC keeps giving out ackIds that are already taken: the channel is "
                     "spread over several indexers (a load balancer without sticky sessions?), "
                     "so no ack can be trusted; indexer acknowledgement OFF, 200 answers count "
                     "as delivered from now on; waiting requests sent again, duplicates "
                     "possible\" url=\"%s\" ack_id=%llu requests=%zu "
                     "fix=\"enable sticky sessions for the HEC port on the load balancer, or "
                     "point output.hec.url at one indexer\"",
                     ep->url, (unsigned long long)req->ack_id, sf_hec_acks_pending(&ep->acks) + 2);
        ack_off(hs);
        return;
    }
    SF_LOG_WARN("msg=\"HEC gave out an ackId that a waiting request holds (Splunk restarted or "
                "forgot the channel, or a load balancer spreads it over several indexers): no "
                "ack for it can be trusted; every waiting request is sent again, duplicates "
                "possible\" url=\"%s\" ack_id=%llu requests=%zu",
                ep->url, (unsigned long long)req->ack_id, sf_hec_acks_pending(&ep->acks) + 2);
    sf_hec_acks_take_expired(&ep->acks, INT64_MAX, resend_cb, ep);
    SF_HEC_STAT_SET(ep, ack_pending, 0);
}

static void on_confirm(struct sf_hec_sink *hs,
                       struct sf_hec_endpoint *ep,
                       struct sf_hec_request *req,
                       const struct sf_hec_reply *reply,
                       int64_t now_ms)
{
    SF_HEC_STAT_ADD(hs, requests_ok, 1);
    hs->index_strikes = 0;
    flow_success(hs, ep, req, now_ms);
    sf_hec_ep_success(&ep->health);
    if (!reply->is_json && !hs->has_warned_not_json) {
        hs->has_warned_not_json = true;
        SF_LOG_WARN("msg=\"a 2xx answer without HEC JSON: is this URL really a HEC endpoint? "
                    "treating it as accepted\" url=\"%s\"",
                    ep->url);
    }
    if (reply->code == 24 || reply->code == 25) {
        hs->limit = hs->limit > 1 ? hs->limit / 2 : 1; /* near capacity (hec.md §Retry classes) */
    }
    if (hs->is_ack_on && reply->ack_id >= 0) {
        if (ep->health.phase != SF_HEC_EP_UP) {
            /* Taken out while this was on the wire: nobody asks that channel any more, and no
             * other endpoint's ack may confirm it. Sent again. */
            resend_cb(ep, req);
            return;
        }
        req->ack_id = (uint64_t)reply->ack_id;
        req->acked_ms = now_ms;
        req->ack_seq = ++hs->ack_seq;
        struct sf_hec_request *old = sf_hec_acks_add(&ep->acks, req->ack_id, req);
        if (old) {
            on_ack_id_repeat(hs, ep, req, old, now_ms);
        }
        return;
    }
    if (hs->is_ack_on && !hs->has_warned_no_ack_id) {
        hs->has_warned_no_ack_id = true;
        SF_LOG_WARN("msg=\"HEC accepted a request without an ackId: the token has no indexer "
                    "acknowledgement, so a 200 counts as delivered\" url=\"%s\"",
                    ep->url);
    }
    confirm_cb(hs, req);
}

static void on_retry(struct sf_hec_sink *hs,
                     struct sf_hec_slot *slot,
                     struct sf_hec_request *req,
                     CURLcode cc,
                     long status,
                     const struct sf_hec_reply *reply,
                     int64_t now_ms)
{
    int64_t retry_after = -1;
    struct curl_header *h;
    if (cc == CURLE_OK &&
        curl_easy_header(slot->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK) {
        retry_after = sf_hec_retry_after_ms(h->value);
    }
    SF_HEC_STAT_ADD(hs, requests_retried, 1);
    if (cc != CURLE_OK) {
        SF_HEC_STAT_ADD(hs, requests_transport_errors, 1);
    }
    if (status == 429 || status == 503) {
        SF_HEC_STAT_ADD(hs, requests_throttled, 1);
    }
    struct sf_hec_endpoint *ep = slot->ep;
    int64_t delay;
    if (hs->is_multi) {
        /* Several endpoints: this one is taken out (the others keep going, no gate) and the
         * request goes to another one at once. */
        SF_HEC_STAT_ADD(ep, resends, 1);
        SF_HEC_STAT_ADD(ep, resent_events, req->n_events);
        char why[64];
        snprintf(why, sizeof(why), cc ? "curl_code=%d" : "status=%d", cc ? (int)cc : (int)status);
        sf_hec_react_take_out(hs, ep, now_ms, retry_after, why);
        delay = 0;
    } else {
        delay = flow_failure(hs, req, now_ms, retry_after);
    }
    sf_hec_queue_push_front(&hs->retry, req);
    unsigned n_suppressed;
    char what[DESCRIBE_MAX];
    if (may_log(hs, slot, cc, status, reply, now_ms, what, &n_suppressed)) {
        if (hs->is_multi) {
            SF_LOG_WARN("msg=\"HEC request failed\" url=\"%s\" request=%llu events=%zu %s "
                        "retry_after_ms=%lld next=\"sending it to another endpoint\" "
                        "repeated=%u",
                        slot->ep->url, (unsigned long long)req->id, req->n_events, what,
                        (long long)retry_after, n_suppressed);
        } else {
            SF_LOG_WARN("msg=\"HEC request failed\" url=\"%s\" request=%llu events=%zu %s "
                        "retry_after_ms=%lld next=\"will retry in %.1fs\" repeated=%u",
                        slot->ep->url, (unsigned long long)req->id, req->n_events, what,
                        (long long)retry_after, (double)delay / 1000.0, n_suppressed);
        }
    }
}

static void on_split(struct sf_hec_sink *hs,
                     struct sf_hec_slot *slot,
                     struct sf_hec_request *req,
                     long status,
                     const struct sf_hec_reply *reply,
                     int64_t now_ms)
{
    SF_HEC_STAT_ADD(hs, requests_split, 1);
    size_t k = sf_hec_request_split_point(req);
    struct sf_hec_request *a = sf_hec_request_slice(&hs->batcher, req, 0, k);
    struct sf_hec_request *b = sf_hec_request_slice(&hs->batcher, req, k, req->n_events - k);
    sf_hec_queue_push_front(&hs->retry, b);
    sf_hec_queue_push_front(&hs->retry, a);
    size_t learned = req->raw_len / 2 > SF_HEC_MIN_LEARNED ? req->raw_len / 2 : SF_HEC_MIN_LEARNED;
    if (status == 413 && learned < hs->max_body) {
        hs->max_body = learned; /* hec.md §Retry classes: learn the server's limit down */
        SF_HEC_STAT_SET(hs, max_body_bytes, hs->max_body);
        SF_LOG_WARN("msg=\"HEC refused a body as too large (413): requests are now at most "
                    "max_body_bytes\" refused_bytes=%zu max_body_bytes=%zu",
                    req->raw_len, hs->max_body);
    }
    unsigned n_suppressed;
    char what[DESCRIBE_MAX];
    if (may_log(hs, slot, CURLE_OK, status, reply, now_ms, what, &n_suppressed)) {
        SF_LOG_WARN("msg=\"%s\" url=\"%s\" request=%llu events=%zu %s "
                    "next=\"split into requests of %zu and %zu events\" repeated=%u",
                    status == 413 ? "HEC request too large"
                                  : "HEC refused an event without naming it: halving the request",
                    slot->ep->url, (unsigned long long)req->id, req->n_events, what, a->n_events,
                    b->n_events, n_suppressed);
    }
    sf_hec_request_free(&hs->batcher, req);
}

/* docs/protocol/hec.md §Partial acceptance: events 0..k-1 are in Splunk's pipeline (confirmed:
 * resending them would duplicate them), k is refused for good (dead letter), k+1.. were never
 * looked at (a new request). */
static void on_split_at(struct sf_hec_sink *hs,
                        struct sf_hec_slot *slot,
                        struct sf_hec_request *req,
                        long status,
                        const struct sf_hec_reply *reply,
                        int64_t now_ms)
{
    SF_HEC_STAT_ADD(hs, requests_partial, 1);
    size_t k = (size_t)reply->invalid_event;
    size_t n_rest = req->n_events - k - 1;
    unsigned n_suppressed;
    char what[DESCRIBE_MAX];
    if (may_log(hs, slot, CURLE_OK, status, reply, now_ms, what, &n_suppressed)) {
        SF_LOG_ERROR("msg=\"HEC refused one event\" url=\"%s\" request=%llu events=%zu %s "
                     "invalid_event=%zu path=\"%s\" next=\"confirmed %zu, dead-lettered 1 "
                     "event, resending %zu\" repeated=%u",
                     slot->ep->url, (unsigned long long)req->id, req->n_events, what, k,
                     sf_dead_letter_path(hs->dead_letter), k, n_rest, n_suppressed);
    }
    if (n_rest) {
        sf_hec_queue_push_front(&hs->retry, sf_hec_request_slice(&hs->batcher, req, k + 1, n_rest));
    }
    struct sf_hec_request *bad = sf_hec_request_slice(&hs->batcher, req, k, 1);
    if (k) {
        confirm(hs, req, 0, k);
    }
    sf_hec_request_free(&hs->batcher, req);
    dead_letter(hs, bad, status, reply, now_ms);
}

static void on_dead_letter(struct sf_hec_sink *hs,
                           struct sf_hec_slot *slot,
                           struct sf_hec_request *req,
                           long status,
                           const struct sf_hec_reply *reply,
                           int64_t now_ms)
{
    SF_HEC_STAT_ADD(hs, requests_rejected, 1);
    unsigned n_suppressed;
    char what[DESCRIBE_MAX];
    if (may_log(hs, slot, CURLE_OK, status, reply, now_ms, what, &n_suppressed)) {
        SF_LOG_ERROR("msg=\"HEC refused a request for good\" url=\"%s\" request=%llu "
                     "events=%zu %s path=\"%s\" next=\"dead-lettered %zu events\" repeated=%u",
                     slot->ep->url, (unsigned long long)req->id, req->n_events, what,
                     sf_dead_letter_path(hs->dead_letter), req->n_events, n_suppressed);
    }
    dead_letter(hs, req, status, reply, now_ms);
}

static const char *pause_reason(long status, int code, CURLcode cc)
{
    if (cc != CURLE_OK) {
        return "the TLS setup or the URL cannot work as configured";
    }
    if (status >= 300 && status <= 399) {
        return "HEC answered with a redirect: this URL is not a HEC endpoint (Splunk Web on "
               "port 8000 answers 303); redirects are never followed";
    }
    if (status == 404 || status == 405) {
        return "this URL is not a HEC endpoint (wrong port or path?), or HEC is disabled";
    }
    if (code == 7) {
        return "the index is not allowed for this token: fix mapping.index or the token's "
               "allowed indexes";
    }
    if (code == 10 || code == 11) {
        return "HEC refused the request channel";
    }
    if (code == 16) {
        return "query-string authorization is not enabled for this token";
    }
    return "HEC refused the token: check output.hec.token, and that the token is enabled";
}

static void on_pause(struct sf_hec_sink *hs,
                     struct sf_hec_slot *slot,
                     struct sf_hec_request *req,
                     CURLcode cc,
                     long status,
                     const struct sf_hec_reply *reply,
                     int64_t now_ms)
{
    SF_HEC_STAT_ADD(hs, requests_refused, 1);
    bool was_paused = hs->is_paused;
    if (!was_paused) {
        hs->is_paused = true;
        hs->paused_ms = now_ms;
        atomic_store(&hs->stats.is_paused, true);
    }
    /* One probe every auth_retry_ms; nothing is confirmed meanwhile, so checkpoints freeze and
     * the coord stops reading once its budget is full (docs/protocol/hec.md §Retry classes: never
     * drop). */
    hs->gate_ms = now_ms + hs->auth_retry_ms;
    hs->limit = 1;
    hs->last_fail_ms = now_ms;
    sf_hec_queue_push_front(&hs->retry, req);
    unsigned n_suppressed;
    if (!was_paused ||
        log_allowed(hs, cc ? -(long)cc : status, reply->code, now_ms, &n_suppressed)) {
        char what[DESCRIBE_MAX];
        char location[512] = "";
        char *redirect = NULL;
        if (cc == CURLE_OK &&
            curl_easy_getinfo(slot->easy, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK &&
            redirect) {
            sf_hec_excerpt((const uint8_t *)redirect, strlen(redirect), 200, location,
                           sizeof(location));
        }
        describe(slot, cc, status, reply, what, sizeof(what));
        SF_LOG_ERROR("msg=\"HEC delivery %s: %s; checkpoints stay where they are\" url=\"%s\" "
                     "%s location=\"%s\" next=\"one request tries again in %.1fs\" paused_s=%.1f",
                     was_paused ? "still paused" : "PAUSED", pause_reason(status, reply->code, cc),
                     slot->ep->url, what, location, (double)hs->auth_retry_ms / 1000.0,
                     (double)(now_ms - hs->paused_ms) / 1000.0);
    }
}

static void on_ack_disabled(struct sf_hec_sink *hs,
                            struct sf_hec_slot *slot,
                            struct sf_hec_request *req,
                            const struct sf_hec_reply *reply)
{
    SF_LOG_WARN("msg=\"HEC says the token has no indexer acknowledgement (code %d): ack mode "
                "off, 200 answers are final from now on; requests waiting for an ack are sent "
                "again, duplicates possible\" url=\"%s\" requests=%zu",
                reply->code, slot->ep->url, sf_hec_acks_pending(&slot->ep->acks));
    ack_off(hs);
    sf_hec_queue_push_front(&hs->retry, req); /* refused with 400: send it again */
}

static void on_retry_slow(struct sf_hec_sink *hs,
                          struct sf_hec_slot *slot,
                          struct sf_hec_request *req,
                          long status,
                          const struct sf_hec_reply *reply,
                          int64_t now_ms)
{
    SF_HEC_STAT_ADD(hs, requests_retried, 1);
    sf_hec_queue_push_front(&hs->retry, req);
    char what[DESCRIBE_MAX];
    describe(slot, CURLE_OK, status, reply, what, sizeof(what));
    if (slot->is_gzip && hs->is_gzip_on) {
        /* docs/protocol/hec.md §Retry classes: 415 = the encoding is refused (a proxy, or deflate);
         * plain JSON always works */
        hs->is_gzip_on = false;
        atomic_store(&hs->stats.is_gzip_on, false);
        SF_LOG_ERROR("msg=\"HEC refused gzip bodies (415): sending uncompressed from now on\" "
                     "url=\"%s\" %s next=\"resending at once without gzip\"",
                     slot->ep->url, what);
        return;
    }
    hs->gate_ms = now_ms + hs->auth_retry_ms;
    hs->limit = 1;
    hs->last_fail_ms = now_ms;
    unsigned n_suppressed;
    if (log_allowed(hs, status, reply->code, now_ms, &n_suppressed)) {
        SF_LOG_ERROR("msg=\"HEC refused the content type (415)\" url=\"%s\" request=%llu %s "
                     "next=\"will retry in %.1fs\" repeated=%u",
                     slot->ep->url, (unsigned long long)req->id, what,
                     (double)hs->auth_retry_ms / 1000.0, n_suppressed);
    }
}

/* Context the pure table cannot know (docs/protocol/hec.md §Status codes, code 7: "PAUSE if all
 * fail"; our events all carry the configured index, so a refused index at event 0, three times
 * running, is a configuration problem, not a bad event). */
static enum sf_hec_action
adjust(struct sf_hec_sink *hs, enum sf_hec_action action, const struct sf_hec_reply *reply)
{
    if (action == SF_HEC_SPLIT_AT && reply->code == 7 && reply->invalid_event == 0) {
        if (hs->is_paused || ++hs->index_strikes >= 3) {
            return SF_HEC_PAUSE;
        }
    }
    if (action == SF_HEC_ACK_DISABLED && !hs->is_ack_on) {
        return SF_HEC_RETRY; /* not about ack at all: an unexplained 400, transient */
    }
    return action;
}

void sf_hec_react_done(struct sf_hec_sink *hs, struct sf_hec_slot *slot, CURLcode cc)
{
    struct sf_hec_request *req = slot->req;
    slot->req = NULL;
    int64_t now = sf_now_ms();
    long status = 0;
    struct sf_hec_reply reply;
    sf_hec_reply_parse(NULL, 0, &reply);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
        sf_hec_reply_parse(slot->resp.ptr, slot->resp.len, &reply);
    }
    enum sf_hec_action action =
        cc ? sf_hec_classify_transport(cc)
           : adjust(hs, sf_hec_classify(status, &reply, req->n_events), &reply);
    SF_LOG_DEBUG("msg=\"answer\" request=%llu status=%ld code=%d curl_code=%d action=%s ms=%lld",
                 (unsigned long long)req->id, status, reply.code, (int)cc,
                 sf_hec_action_name(action), (long long)(now - req->sent_ms));
    if (action == SF_HEC_RETRY) {
        struct sf_hec_endpoint *ep = slot->ep;
        if (cc != CURLE_OK) {
            SF_HEC_STAT_ADD(ep, errors_transport, 1);
        } else if (status == 429 || status == 503) {
            SF_HEC_STAT_ADD(ep, errors_throttled, 1);
        } else if (status >= 500) {
            SF_HEC_STAT_ADD(ep, errors_server, 1);
        } else {
            SF_HEC_STAT_ADD(ep, errors_other, 1);
        }
    }
    switch (action) {
    case SF_HEC_CONFIRM:
        on_confirm(hs, slot->ep, req, &reply, now);
        break;
    case SF_HEC_RETRY:
        on_retry(hs, slot, req, cc, status, &reply, now);
        break;
    case SF_HEC_SPLIT:
        on_split(hs, slot, req, status, &reply, now);
        break;
    case SF_HEC_SPLIT_AT:
        on_split_at(hs, slot, req, status, &reply, now);
        break;
    case SF_HEC_DEAD_LETTER:
        on_dead_letter(hs, slot, req, status, &reply, now);
        break;
    case SF_HEC_PAUSE:
        on_pause(hs, slot, req, cc, status, &reply, now);
        break;
    case SF_HEC_ACK_DISABLED:
        on_ack_disabled(hs, slot, req, &reply);
        break;
    case SF_HEC_RETRY_SLOW:
        on_retry_slow(hs, slot, req, status, &reply, now);
        break;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Indexer acknowledgement (docs/protocol/hec.md §Indexer acknowledgement)                     */

static void on_ack(void *ctx, uint64_t ack_id, bool is_indexed)
{
    struct sf_hec_endpoint *ep = ctx;
    if (!is_indexed) {
        return; /* not yet, unknown or expired: indistinguishable; the timeout decides */
    }
    /* Only a request of this endpoint the query asked about: one that took the id over after
     * the query left (a repeat emptied the set, the id came again) is not what this answer is
     * about, and another endpoint's ids are another channel's. */
    struct sf_hec_request *req = sf_hec_acks_take_asked(&ep->acks, ack_id, ep->ack_query_seq);
    if (req) {
        confirm_cb(ep->hs, req); /* Splunk forgets an id once it said true: record it now */
    }
}

void sf_hec_react_ack_tick(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep, int64_t now_ms)
{
    size_t n = sf_hec_acks_take_expired(&ep->acks, now_ms - hs->ack_timeout_ms, resend_cb, ep);
    if (n) {
        SF_HEC_STAT_ADD(hs, ack_timeouts, n);
        SF_LOG_WARN("msg=\"requests not acknowledged in time: sending them again, duplicates "
                    "possible\" url=\"%s\" requests=%zu ack_timeout_s=%.1f",
                    ep->url, n, (double)hs->ack_timeout_ms / 1000.0);
    }
}

void sf_hec_react_take_out(struct sf_hec_sink *hs,
                           struct sf_hec_endpoint *ep,
                           int64_t now_ms,
                           int64_t retry_after_ms,
                           const char *why)
{
    if (!sf_hec_ep_take_out(&ep->health, now_ms, retry_after_ms)) {
        return; /* already out: an answer to a request sent before says nothing new */
    }
    atomic_store(&ep->stats.is_healthy, false);
    SF_HEC_STAT_ADD(ep, takeouts, 1);
    /* Its 200s without a confirmed ack: nobody will ask its channel for them now. */
    size_t n_acked = sf_hec_acks_take_expired(&ep->acks, INT64_MAX, resend_cb, ep);
    SF_HEC_STAT_SET(ep, ack_pending, 0);
    size_t n_up = 0;
    for (size_t i = 0; i < hs->n_eps; i++) {
        n_up += hs->eps[i].health.phase == SF_HEC_EP_UP;
    }
    SF_LOG_WARN("msg=\"HEC endpoint taken out: its unconfirmed requests go to the other "
                "endpoints; probing its health endpoint until it is healthy\" url=\"%s\" "
                "why=\"%s\" in_flight=%d ack_waiting=%zu endpoints_up=%zu/%zu "
                "next=\"probe in %.1fs\"%s",
                ep->url, why, ep->health.n_out, n_acked, n_up, hs->n_eps,
                (double)(ep->health.probe_ms - now_ms) / 1000.0,
                n_up ? "" : " all=\"every endpoint is out: requests wait\"");
}

void sf_hec_react_probe_done(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep, CURLcode cc)
{
    struct sf_hec_slot *slot = &ep->probe_slot;
    int64_t now = sf_now_ms();
    long status = 0;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
    }
    char msg[768];
    enum sf_hec_health_verdict verdict =
        sf_hec_health_classify(ep->is_https, ep->hostport, cc, slot->errbuf, status, slot->resp.ptr,
                               slot->resp.len, msg, sizeof(msg));
    int64_t out_ms = ep->health.out_ms;
    if (sf_hec_ep_probe_done(&ep->health, sf_hec_ep_verdict_is_up(verdict), now)) {
        atomic_store(&ep->stats.is_healthy, true);
        SF_LOG_INFO("msg=\"HEC endpoint back: it gets requests again\" url=\"%s\" "
                    "verdict=%s out_s=%.1f",
                    ep->url, sf_hec_health_verdict_name(verdict), (double)(now - out_ms) / 1000.0);
        return;
    }
    (void)hs;
    SF_LOG_DEBUG("msg=\"HEC endpoint still out: %s\" verdict=%s next=\"probe in %.1fs\"", msg,
                 sf_hec_health_verdict_name(verdict), (double)(ep->health.probe_ms - now) / 1000.0);
}

void sf_hec_react_ack_done(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep, CURLcode cc)
{
    struct sf_hec_slot *slot = &ep->ack_slot;
    int64_t now = sf_now_ms();
    long status = 0;
    struct sf_hec_reply reply;
    sf_hec_reply_parse(NULL, 0, &reply);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(slot->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200 && sf_hec_ack_reply_parse(slot->resp.ptr, slot->resp.len, on_ack, ep)) {
            ep->ack_strikes = 0;
            SF_HEC_STAT_SET(ep, ack_pending, sf_hec_acks_pending(&ep->acks));
            return;
        }
        sf_hec_reply_parse(slot->resp.ptr, slot->resp.len, &reply);
    }
    char what[DESCRIBE_MAX];
    describe(slot, cc, status, &reply, what, sizeof(what));
    /* docs/protocol/hec.md §Indexer acknowledgement, item 9: a 4xx means ack is unusable. Code 14
     * says so for certain; any other 4xx (a proxy's page, a path a load balancer does not route)
     * may pass, so it takes SF_HEC_ACK_STRIKES in a row. 401/403 from HEC itself keep the ids: the
     * data path pauses on the same token. Either way no answer about the query confirms a request.
     */
    bool is_hec = reply.is_json && reply.code >= 0;
    bool is_4xx = cc == CURLE_OK && status >= 400 && status <= 499 && status != 408 &&
                  status != 429 && !(is_hec && (status == 401 || status == 403));
    if (is_4xx && (reply.code == 14 || ++ep->ack_strikes >= SF_HEC_ACK_STRIKES)) {
        SF_LOG_WARN("msg=\"HEC refused the ack query: indexer acknowledgement is unusable, "
                    "200 answers count as delivered from now on; requests waiting for an ack "
                    "are sent again, duplicates possible\" url=\"%s\" %s refusals=%u "
                    "requests=%zu",
                    ep->ack_url, what, reply.code == 14 ? 1 : ep->ack_strikes,
                    sf_hec_acks_pending(&ep->acks));
        ack_off(hs);
        return;
    }
    if (hs->is_multi && (cc != CURLE_OK || status >= 500)) {
        /* Its ack channel is out of reach: the endpoint goes out and what waits for its acks
         * goes to the others (never confirmed by their answers). */
        if (cc) {
            SF_HEC_STAT_ADD(ep, errors_transport, 1);
        } else {
            SF_HEC_STAT_ADD(ep, errors_server, 1);
        }
        char why[64];
        snprintf(why, sizeof(why), "ack query %s=%d", cc ? "curl_code" : "status",
                 cc ? (int)cc : (int)status);
        sf_hec_react_take_out(hs, ep, now, -1, why);
        return;
    }
    unsigned n_suppressed;
    if (log_allowed(hs, cc ? -(long)cc : status, 1000 + reply.code, now, &n_suppressed)) {
        SF_LOG_WARN("msg=\"ack query failed\" url=\"%s\" %s pending=%zu next=\"will ask again "
                    "in %.1fs\" repeated=%u",
                    ep->ack_url, what, sf_hec_acks_pending(&ep->acks),
                    (double)hs->ack_poll_ms / 1000.0, n_suppressed);
    }
}
