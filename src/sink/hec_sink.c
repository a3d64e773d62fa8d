/* The HEC sink's life and its thread (docs/internals/sink.md). One thread owns everything: it
 * takes submitted batches from the inbox, cuts their lines into requests (hec_batcher.c),
 * drives up to max_in_flight transfers on one curl multi handle — each easy handle reused, so
 * each keeps its keep-alive connection — plus one ack query at a time, and hands every answer
 * to hec_react.c. With several endpoints (output.hec.urls) each has its own slots, ack query
 * and health probe on the same multi handle, and each request goes to the healthy endpoint
 * with the fewest requests on the wire (hec_endpoint.c). Other threads only push to the inbox,
 * wake the multi handle, set the stop deadline and read counters. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink/hec_int.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/url.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define SF_LOG_MODULE "hec"

#define STAT_SET SF_HEC_STAT_SET
#define STAT_ADD SF_HEC_STAT_ADD

/* ---------------------------------------------------------------------------------------- */
/* Memory budget: request buffers (sf_hec_sink_set_budget)                                   */

#define IDLE_TRIM_MS 5000

/* The slot's buffers may hold |base| bytes before a request starts: charges them when the
 * slot has no charge yet. False when the budget has no room (the request waits). */
static bool slot_charge(struct sf_hec_sink *hs, struct sf_hec_slot *slot)
{
    if (!hs->budget || slot->charged >= hs->slot_base) {
        return true;
    }
    if (!sf_budget_try_charge(hs->budget, SF_BUDGET_HEC_REQUESTS, hs->slot_base - slot->charged)) {
        return slot->is_floor; /* a floor that never fit (warned at start) goes uncharged */
    }
    slot->charged = hs->slot_base;
    return true;
}

/* A lone event larger than the gzip buffer's limit: more room for this request when the
 * budget has it, else it goes uncompressed. */
static void slot_charge_gz(struct sf_hec_sink *hs, struct sf_hec_slot *slot, size_t raw_len)
{
    if (!hs->budget || raw_len <= slot->gz.max) {
        return;
    }
    size_t extra = raw_len + raw_len / 64 + 1024 - slot->gz.max;
    if (sf_budget_try_charge(hs->budget, SF_BUDGET_HEC_REQUESTS, extra)) {
        slot->charged += extra;
        slot->gz.max += extra;
    }
}

/* Idle slots free their buffers; all but the floor give their charge back. */
static void trim_slots(struct sf_hec_sink *hs, int64_t now_ms)
{
    if (!hs->budget) {
        return;
    }
    for (int i = 0; i < hs->n_slots; i++) {
        struct sf_hec_slot *slot = &hs->slots[i];
        if (slot->req || now_ms - slot->last_used_ms < IDLE_TRIM_MS ||
            (slot->body.cap == 0 && slot->gz.cap == 0 &&
             slot->charged == (slot->is_floor ? hs->slot_base : 0))) {
            continue;
        }
        sf_buf_cleanup(&slot->body);
        sf_buf_cleanup(&slot->gz);
        size_t keep = slot->is_floor && slot->charged >= hs->slot_base ? hs->slot_base : 0;
        slot->gz.max = hs->slot_base - slot->body.max;
        sf_budget_release(hs->budget, SF_BUDGET_HEC_REQUESTS, slot->charged - keep);
        slot->charged = keep;
    }
}

static void release_slots(struct sf_hec_sink *hs)
{
    for (int i = 0; hs->budget && i < hs->n_slots; i++) {
        sf_budget_release(hs->budget, SF_BUDGET_HEC_REQUESTS, hs->slots[i].charged);
        hs->slots[i].charged = 0;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Sending                                                                                   */

static void gzip_body(struct sf_hec_sink *hs, struct sf_hec_slot *slot, struct sf_hec_request *req)
{
    if (hs->cap_chunks < req->n_segs) {
        hs->cap_chunks = req->n_segs;
        hs->chunks = sf_xrealloc(hs->chunks, hs->cap_chunks * sizeof(hs->chunks[0]));
    }
    for (size_t i = 0; i < req->n_segs; i++) {
        sf_hec_seg_bytes(&req->segs[i], &hs->chunks[i].ptr, &hs->chunks[i].len);
    }
    slot->is_gzip = sf_hec_gzip_compress(&hs->gzip, hs->chunks, req->n_segs, &slot->gz) == SF_OK;
}

/* The body as one buffer: a request within one batch is sent straight from the batch's payload
 * (curl reads it in place); one spanning batches is gathered into the slot's reused buffer. */
static void raw_body(struct sf_hec_slot *slot,
                     const struct sf_hec_request *req,
                     const uint8_t **body,
                     size_t *len)
{
    if (req->n_segs == 1) {
        sf_hec_seg_bytes(&req->segs[0], body, len);
        return;
    }
    sf_buf_reset(&slot->body);
    for (size_t i = 0; i < req->n_segs; i++) {
        const uint8_t *p;
        size_t n;
        sf_hec_seg_bytes(&req->segs[i], &p, &n);
        sf_err err = sf_buf_append(&slot->body, p, n);
        SF_ASSERT(err == SF_OK); /* a multi-batch request is within max_body_bytes */
    }
    *body = slot->body.ptr;
    *len = slot->body.len;
}

static void start_request(struct sf_hec_sink *hs,
                          struct sf_hec_slot *slot,
                          struct sf_hec_request *req,
                          int64_t now_ms)
{
    struct sf_hec_endpoint *ep = slot->ep;
    SF_ASSERT(req->n_events > 0 && req->raw_len > 0); /* never an empty body (code 5) */
    const uint8_t *body;
    size_t len;
    slot->is_gzip = false;
    slot->last_used_ms = now_ms;
    if (hs->is_gzip_on && req->raw_len >= hs->gzip_min_bytes) {
        slot_charge_gz(hs, slot, req->raw_len);
        gzip_body(hs, slot, req);
    }
    if (slot->is_gzip) {
        body = slot->gz.ptr;
        len = slot->gz.len;
    } else {
        raw_body(slot, req, &body, &len);
    }
    slot->req = req;
    req->attempts++;
    req->sent_ms = now_ms;
    sf_buf_reset(&slot->resp);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(slot->easy, CURLOPT_HTTPHEADER,
                     slot->is_gzip ? ep->headers_gzip : ep->headers);
    curl_multi_add_handle(hs->multi, slot->easy);
    hs->n_busy++;
    ep->health.n_out++;
    STAT_SET(hs, in_flight, (uint64_t)hs->n_busy);
    SF_HEC_STAT_ADD(ep, requests, 1);
    SF_HEC_STAT_SET(ep, outstanding, (uint64_t)ep->health.n_out);
    STAT_ADD(hs, events_sent, req->n_events);
    STAT_ADD(hs, bytes_raw, req->raw_len);
    STAT_ADD(hs, bytes_sent, len);
    if (req->attempts > 1) {
        STAT_ADD(hs, retries, 1);
    }
    SF_LOG_DEBUG("msg=\"sending\" request=%llu events=%zu raw_bytes=%zu body_bytes=%zu gzip=%s "
                 "attempt=%u endpoint=%s",
                 (unsigned long long)req->id, req->n_events, req->raw_len, len,
                 slot->is_gzip ? "true" : "false", req->attempts, ep->hostport);
}

static struct sf_hec_slot *idle_slot(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep)
{
    for (int i = 0; i < hs->max_in_flight; i++) {
        if (!ep->slots[i].req) {
            return &ep->slots[i];
        }
    }
    return NULL;
}

/* Starts requests while the flow control allows: resends first, then new lines — a full
 * request at once, a partial one after linger_ms, anything when stopping — each to the
 * healthy endpoint with the fewest requests on the wire. When every endpoint is out, they
 * wait (the probes' timers wake the loop). */
static void fill_slots(struct sf_hec_sink *hs, int64_t now_ms, bool is_stopping, int64_t *wake_ms)
{
    while (hs->n_busy < hs->limit) {
        if (now_ms < hs->gate_ms) {
            if ((hs->retry.n || hs->batcher.take) && hs->gate_ms < *wake_ms) {
                *wake_ms = hs->gate_ms;
            }
            return;
        }
        size_t rr = hs->rr; /* the turn moves only when a request goes */
        int i = sf_hec_ep_choose(hs->eps, hs->n_eps, hs->max_in_flight, &rr);
        if (i < 0) {
            return;
        }
        struct sf_hec_slot *slot = idle_slot(hs, &hs->eps[i]);
        if ((hs->retry.n || hs->batcher.take) && !slot_charge(hs, slot)) {
            /* No room for this slot's buffers: requests wait for a slot that has them (each
             * endpoint's floor slot always does, and is busy: its end wakes the loop). */
            return;
        }
        struct sf_hec_request *req = sf_hec_queue_pop(&hs->retry);
        if (!req) {
            if (!sf_hec_batcher_ready(&hs->batcher, hs->max_body, hs->max_events, now_ms,
                                      hs->linger_ms, is_stopping, wake_ms)) {
                return;
            }
            req = sf_hec_batcher_take(&hs->batcher, hs->max_body, hs->max_events);
        }
        hs->rr = rr;
        start_request(hs, slot, req, now_ms);
    }
}

static void start_ack_query(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep)
{
    struct sf_hec_slot *slot = &ep->ack_slot;
    sf_err err = sf_hec_acks_query(&ep->acks, SF_HEC_ACK_QUERY_MAX, &slot->body);
    SF_ASSERT(err == SF_OK);
    sf_buf_reset(&slot->resp);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)slot->body.len);
    curl_easy_setopt(slot->easy, CURLOPT_POSTFIELDS, slot->body.ptr);
    curl_multi_add_handle(hs->multi, slot->easy);
    ep->is_ack_busy = true;
    ep->ack_query_seq = hs->ack_seq; /* its answer speaks for these requests only */
    STAT_ADD(hs, ack_queries, 1);
    SF_LOG_DEBUG("msg=\"asking for acks\" pending=%zu endpoint=%s", sf_hec_acks_pending(&ep->acks),
                 ep->hostport);
}

/* One query for all of |ep|'s pending ids every ack_poll_ms. */
static void
run_ack_timer(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep, int64_t now_ms, int64_t *wake_ms)
{
    if (!hs->is_ack_on || !sf_hec_acks_pending(&ep->acks)) {
        ep->next_ack_poll_ms = 0;
        return;
    }
    if (!ep->next_ack_poll_ms) {
        ep->next_ack_poll_ms = now_ms + hs->ack_poll_ms; /* give Splunk time to index */
    }
    if (now_ms >= ep->next_ack_poll_ms && !ep->is_ack_busy) {
        sf_hec_react_ack_tick(hs, ep, now_ms);
        if (sf_hec_acks_pending(&ep->acks)) {
            start_ack_query(hs, ep);
        }
        ep->next_ack_poll_ms = now_ms + hs->ack_poll_ms;
    }
    if (!ep->is_ack_busy && ep->next_ack_poll_ms < *wake_ms) {
        *wake_ms = ep->next_ack_poll_ms;
    }
}

/* An endpoint taken out gets one health GET when its wait is over. */
static void run_probe_timer(struct sf_hec_sink *hs,
                            struct sf_hec_endpoint *ep,
                            int64_t now_ms,
                            int64_t *wake_ms)
{
    if (!sf_hec_ep_probe_due(&ep->health, now_ms, wake_ms)) {
        return;
    }
    sf_hec_ep_probing(&ep->health);
    sf_buf_reset(&ep->probe_slot.resp);
    ep->probe_slot.errbuf[0] = '\0';
    curl_multi_add_handle(hs->multi, ep->probe_slot.easy);
    SF_HEC_STAT_ADD(ep, probes, 1);
    SF_LOG_DEBUG("msg=\"probing an endpoint taken out\" endpoint=%s", ep->hostport);
}

/* Ack polling, probes of endpoints taken out, and dead-letter retries. */
static void run_timers(struct sf_hec_sink *hs, int64_t now_ms, int64_t *wake_ms)
{
    size_t n_pending = 0;
    for (size_t i = 0; i < hs->n_eps; i++) {
        struct sf_hec_endpoint *ep = &hs->eps[i];
        run_ack_timer(hs, ep, now_ms, wake_ms);
        run_probe_timer(hs, ep, now_ms, wake_ms);
        n_pending += sf_hec_acks_pending(&ep->acks);
        SF_HEC_STAT_SET(ep, ack_pending, sf_hec_acks_pending(&ep->acks));
    }
    if (hs->dead.n && hs->dl_retry_ms) {
        if (now_ms >= hs->dl_retry_ms) {
            sf_hec_react_flush_dead(hs, now_ms);
        }
        if (hs->dl_retry_ms && hs->dl_retry_ms < *wake_ms) {
            *wake_ms = hs->dl_retry_ms;
        }
    }
    STAT_SET(hs, ack_pending, n_pending);
}

/* Hands finished transfers to hec_react.c; true when there was one. */
static bool drain_completions(struct sf_hec_sink *hs)
{
    bool has_done = false;
    CURLMsg *msg;
    int n_left;
    while ((msg = curl_multi_info_read(hs->multi, &n_left))) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        CURL *easy = msg->easy_handle;
        CURLcode cc = msg->data.result; /* |msg| dies with remove_handle */
        curl_multi_remove_handle(hs->multi, easy);
        has_done = true;
        struct sf_hec_slot *slot = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&slot);
        struct sf_hec_endpoint *ep = slot->ep;
        sf_hec_http_proxy_explain(ep, easy, cc, slot->errbuf);
        if (slot->kind == SF_HEC_SLOT_ACK) {
            ep->is_ack_busy = false;
            sf_hec_react_ack_done(hs, ep, cc);
            continue;
        }
        if (slot->kind == SF_HEC_SLOT_PROBE) {
            sf_hec_react_probe_done(hs, ep, cc);
            continue;
        }
        hs->n_busy--;
        ep->health.n_out--;
        STAT_SET(hs, in_flight, (uint64_t)hs->n_busy);
        SF_HEC_STAT_SET(ep, outstanding, (uint64_t)ep->health.n_out);
        curl_off_t total_us = 0;
        curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
        atomic_fetch_add(&hs->stats.requests_done, 1);
        atomic_fetch_add(&hs->stats.request_us_total, (uint64_t)total_us);
        sf_hec_react_done(hs, slot, cc);
    }
    return has_done;
}

/* ---------------------------------------------------------------------------------------- */
/* The thread                                                                                */

static void intake(struct sf_hec_sink *hs, int64_t now_ms)
{
    struct sf_bqueue_node *node = sf_bqueue_pop_all(&hs->inbox, 0);
    while (node) {
        struct sf_bqueue_node *next = node->next;
        sf_hec_batcher_add(&hs->batcher, sf_batch_entry_of(node), now_ms, sf_hec_react_delivered,
                           hs);
        node = next;
    }
}

static void hand_back(struct sf_hec_sink *hs, struct sf_batch_entry *hold, size_t *n_events)
{
    *n_events += hold->batch->n_events;
    STAT_ADD(hs, batches_undelivered, 1);
    sf_batch_settle(hold, SF_BATCH_UNDELIVERED);
}

static void free_request_cb(void *ctx, struct sf_hec_request *req)
{
    struct sf_hec_sink *hs = ctx;
    sf_hec_request_free(&hs->batcher, req);
}

/* At the deadline: abort transfers, forget requests (their lines stay unconfirmed), hand every
 * live batch back exactly once. */
static void shutdown_all(struct sf_hec_sink *hs)
{
    for (int i = 0; i < hs->n_slots; i++) {
        if (hs->slots[i].req) {
            curl_multi_remove_handle(hs->multi, hs->slots[i].easy);
            sf_hec_request_free(&hs->batcher, hs->slots[i].req);
            hs->slots[i].req = NULL;
        }
    }
    hs->n_busy = 0;
    for (size_t i = 0; i < hs->n_eps; i++) {
        struct sf_hec_endpoint *ep = &hs->eps[i];
        if (ep->is_ack_busy) {
            curl_multi_remove_handle(hs->multi, ep->ack_slot.easy);
            ep->is_ack_busy = false;
        }
        if (ep->health.phase == SF_HEC_EP_PROBING) {
            curl_multi_remove_handle(hs->multi, ep->probe_slot.easy);
            ep->health.phase = SF_HEC_EP_OUT;
        }
        ep->health.n_out = 0;
        sf_hec_acks_take_expired(&ep->acks, INT64_MAX, free_request_cb, hs);
        SF_HEC_STAT_SET(ep, outstanding, 0);
        SF_HEC_STAT_SET(ep, ack_pending, 0);
    }
    struct sf_hec_request *req;
    while ((req = sf_hec_queue_pop(&hs->retry)) || (req = sf_hec_queue_pop(&hs->dead))) {
        sf_hec_request_free(&hs->batcher, req);
    }
    sf_buf_reset(&hs->dl_pending);
    hs->dl_written = 0;
    size_t n_batches = 0, n_events = 0;
    struct sf_batch_entry *hold;
    while ((hold = sf_hec_batcher_pop(&hs->batcher))) {
        hand_back(hs, hold, &n_events);
        n_batches++;
    }
    for (struct sf_bqueue_node *node = sf_bqueue_pop_all(&hs->inbox, 0); node;) {
        struct sf_bqueue_node *next = node->next;
        hand_back(hs, sf_batch_entry_of(node), &n_events);
        n_batches++;
        node = next;
    }
    STAT_SET(hs, in_flight, 0);
    STAT_SET(hs, ack_pending, 0);
    if (n_batches) {
        SF_LOG_WARN("msg=\"stopped with unconfirmed events: handed back, their checkpoints stay "
                    "behind and they will be read again\" batches=%zu events=%zu",
                    n_batches, n_events);
    }
}

static void *hec_main(void *arg)
{
    struct sf_hec_sink *hs = arg;
    for (;;) {
        int64_t now = sf_now_ms();
        intake(hs, now);
        int64_t deadline = atomic_load(&hs->stop_deadline_ms);
        bool is_stopping = deadline != 0;
        if (is_stopping && (hs->batcher.n_live == 0 || now >= deadline)) {
            break;
        }
        int64_t wake = now + 1000;
        if (is_stopping && deadline < wake) {
            wake = deadline;
        }
        run_timers(hs, now, &wake);
        fill_slots(hs, now, is_stopping, &wake);
        trim_slots(hs, now);
        int n_running = 0;
        curl_multi_perform(hs->multi, &n_running);
        if (drain_completions(hs)) {
            continue; /* slots freed: fill them before waiting */
        }
        int64_t wait = wake - sf_now_ms();
        wait = wait < 0 ? 0 : wait > 1000 ? 1000 : wait;
        curl_multi_poll(hs->multi, NULL, 0, (int)wait, NULL);
    }
    shutdown_all(hs);
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The sink interface                                                                        */

/* The start-up health check of one endpoint (advice; with several endpoints, one that is down
 * or unhealthy starts taken out and is probed like one that failed). */
static void start_check(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep)
{
    char msg[768];
    enum sf_hec_health_verdict v = sf_hec_health_probe_ep(hs, ep, msg, sizeof(msg));
    char *shown = sf_url_redact_dup(ep->health_url);
    if (v == SF_HEC_HEALTH_OK) {
        SF_LOG_INFO("msg=\"%s\" url=\"%s\"", msg, shown);
    } else if (hs->is_multi && !sf_hec_ep_verdict_is_up(v)) {
        SF_LOG_ERROR("msg=\"HEC health check failed: %s; this endpoint starts taken out and is "
                     "probed until it is healthy, the others get the requests\" url=\"%s\" "
                     "verdict=%s",
                     msg, shown, sf_hec_health_verdict_name(v));
        sf_hec_ep_take_out(&ep->health, sf_now_ms(), 0);
        atomic_store(&ep->stats.is_healthy, false);
        SF_HEC_STAT_ADD(ep, takeouts, 1);
    } else {
        SF_LOG_ERROR("msg=\"HEC health check failed: %s; delivery starts anyway and "
                     "retries or pauses by itself\" url=\"%s\" verdict=%s",
                     msg, shown, sf_hec_health_verdict_name(v));
    }
    free(shown);
}

static sf_err hec_start(struct sf_sink *sink)
{
    struct sf_hec_sink *hs = sink->impl;
    for (size_t i = 0; i < hs->n_eps; i++) {
        const struct sf_hec_endpoint *ep = &hs->eps[i];
        SF_LOG_INFO("msg=\"HEC sink starting\" url=\"%s\" channel=%s max_in_flight=%d "
                    "max_body_bytes=%zu max_events=%zu linger_ms=%lld gzip=%s ack=%s "
                    "endpoint=%zu/%zu",
                    ep->url, ep->channel, hs->max_in_flight, hs->cfg_max_body, hs->max_events,
                    (long long)hs->linger_ms, hs->is_gzip_on ? "true" : "false",
                    hs->is_ack_on ? "true" : "false", i + 1, hs->n_eps);
        if (ep->proxy_shown[0]) {
            SF_LOG_INFO("msg=\"HEC proxy\" url=\"%s\" proxy=\"%s\"", ep->url, ep->proxy_shown);
        }
        if (hs->proxy_credentials && !ep->proxy) {
            SF_LOG_WARN("msg=\"output.hec.proxy_credentials is set but no proxy is used for "
                        "this endpoint: they are not sent there\" url=\"%s\"",
                        ep->url);
        }
        if (!hs->ssl_verify && ep->is_https) {
            SF_LOG_WARN("msg=\"TLS verification is OFF for HEC (output.hec.ssl_verify=false): "
                        "neither the certificate nor the host name is checked, so anyone on "
                        "the path can read the events and the token; prefer "
                        "output.hec.ca_file\" url=\"%s\"",
                        ep->url);
        }
    }
    for (size_t i = 0; hs->health_check && i < hs->n_eps; i++) {
        start_check(hs, &hs->eps[i]);
    }
    if (pthread_create(&hs->thread, NULL, hec_main, hs) != 0) {
        return SF_ERR_IO;
    }
    hs->has_thread = true;
    return SF_OK;
}

static void hec_submit(struct sf_sink *sink, struct sf_batch_entry *entry)
{
    struct sf_hec_sink *hs = sink->impl;
    sf_bqueue_push(&hs->inbox, &entry->link);
    curl_multi_wakeup(hs->multi);
}

static void hec_stop(struct sf_sink *sink, int64_t deadline_ms)
{
    struct sf_hec_sink *hs = sink->impl;
    atomic_store(&hs->stop_deadline_ms, deadline_ms > 0 ? deadline_ms : 1);
    sf_bqueue_close(&hs->inbox);
    curl_multi_wakeup(hs->multi);
    if (hs->has_thread) {
        pthread_join(hs->thread, NULL);
        hs->has_thread = false;
    } else {
        shutdown_all(hs); /* never started: what was submitted goes back */
    }
}

static void slot_cleanup(struct sf_hec_slot *slot)
{
    if (slot->easy) {
        curl_easy_cleanup(slot->easy);
    }
    sf_buf_cleanup(&slot->body);
    sf_buf_cleanup(&slot->gz);
    sf_buf_cleanup(&slot->resp);
}

static void hec_free(struct sf_hec_sink *hs)
{
    release_slots(hs);
    for (int i = 0; i < hs->n_slots; i++) {
        slot_cleanup(&hs->slots[i]);
    }
    for (size_t i = 0; hs->eps && i < hs->n_eps; i++) {
        struct sf_hec_endpoint *ep = &hs->eps[i];
        slot_cleanup(&ep->ack_slot);
        slot_cleanup(&ep->probe_slot);
        curl_slist_free_all(ep->headers);
        curl_slist_free_all(ep->headers_gzip);
        sf_hec_acks_cleanup(&ep->acks);
        free(ep->url);
        free(ep->url_full);
        free(ep->ack_url);
        free(ep->health_url);
        sf_hec_http_proxy_free(ep);
    }
    if (hs->proxy_credentials) {
        explicit_bzero(hs->proxy_credentials, strlen(hs->proxy_credentials));
        free(hs->proxy_credentials);
    }
    if (hs->multi) {
        curl_multi_cleanup(hs->multi);
    }
    sf_hec_batcher_cleanup(&hs->batcher);
    sf_hec_gzip_cleanup(&hs->gzip);
    sf_dead_letter_free(hs->dead_letter);
    sf_buf_cleanup(&hs->dl_pending);
    sf_bqueue_cleanup(&hs->inbox);
    free(hs->chunks);
    free(hs->slots);
    free(hs->eps);
    free(hs->ca_file);
    free(hs->client_cert);
    free(hs->client_key);
    free(hs);
}

static void hec_destroy(struct sf_sink *sink)
{
    hec_stop(sink, 1);
    hec_free(sink->impl);
    free(sink);
}

static const struct sf_sink_ops hec_sink_ops = {
    .name = "hec",
    .start = hec_start,
    .submit = hec_submit,
    .stop = hec_stop,
    .destroy = hec_destroy,
};

void sf_hec_sink_set_budget(struct sf_sink *sink, struct sf_budget *budget)
{
    SF_ASSERT(sink->ops == &hec_sink_ops);
    struct sf_hec_sink *hs = sink->impl;
    hs->budget = budget;
    /* A multi-batch body is at most max_body_bytes; its gzip is kept to the same size (a body
     * that does not shrink goes uncompressed). */
    size_t body_max = hs->slots[0].body.max;
    hs->slot_base = 2 * body_max;
    for (size_t e = 0; e < hs->n_eps; e++) {
        for (int i = 0; i < hs->max_in_flight; i++) {
            struct sf_hec_slot *slot = &hs->eps[e].slots[i];
            slot->gz.max = body_max;
            slot->is_floor = i == 0;
        }
        struct sf_hec_slot *floor = &hs->eps[e].slots[0];
        if (!slot_charge(hs, floor)) {
            SF_LOG_WARN("msg=\"limits.max_buffered_bytes has no room for one HEC request of "
                        "output.hec.max_body_bytes: it is sent uncharged; raise the limit\" "
                        "needed_bytes=%zu",
                        hs->slot_base);
        }
    }
}

void sf_hec_sink_get_stats(struct sf_sink *sink, struct sf_hec_sink_stats *out)
{
    SF_ASSERT(sink->ops == &hec_sink_ops);
    const struct sf_hec_counters *c = &((struct sf_hec_sink *)sink->impl)->stats;
#define GET(f) out->f = atomic_load_explicit(&c->f, memory_order_relaxed)
    GET(requests_ok);
    GET(requests_retried);
    GET(requests_transport_errors);
    GET(requests_throttled);
    GET(requests_split);
    GET(requests_partial);
    GET(requests_rejected);
    GET(requests_refused);
    GET(ack_queries);
    GET(ack_timeouts);
    GET(ack_id_repeats);
    GET(ack_resent_events);
    GET(events_sent);
    GET(events_confirmed);
    GET(events_dead_lettered);
    GET(bytes_raw);
    GET(bytes_sent);
    GET(retries);
    GET(batches_delivered);
    GET(batches_undelivered);
    GET(in_flight);
    GET(ack_pending);
    GET(max_body_bytes);
    GET(requests_done);
    GET(request_us_total);
    GET(is_paused);
    GET(is_ack_on);
    GET(is_gzip_on);
#undef GET
}

size_t sf_hec_sink_n_endpoints(struct sf_sink *sink)
{
    SF_ASSERT(sink->ops == &hec_sink_ops);
    return ((struct sf_hec_sink *)sink->impl)->n_eps;
}

void sf_hec_sink_get_endpoint_stats(struct sf_sink *sink,
                                    size_t i,
                                    struct sf_hec_endpoint_stats *out)
{
    SF_ASSERT(sink->ops == &hec_sink_ops);
    const struct sf_hec_sink *hs = sink->impl;
    SF_ASSERT(i < hs->n_eps);
    const struct sf_hec_endpoint *ep = &hs->eps[i];
    snprintf(out->endpoint, sizeof(out->endpoint), "%s", ep->hostport); /* fixed since new */
#define GET(f) out->f = atomic_load_explicit(&ep->stats.f, memory_order_relaxed)
    GET(requests);
    GET(errors_transport);
    GET(errors_throttled);
    GET(errors_server);
    GET(errors_other);
    GET(resends);
    GET(resent_events);
    GET(takeouts);
    GET(probes);
    GET(outstanding);
    GET(ack_pending);
    GET(is_healthy);
#undef GET
}

/* ---------------------------------------------------------------------------------------- */
/* Construction                                                                              */

static char *dup_or_null(const char *s)
{
    return s && s[0] ? sf_xstrdup(s) : NULL;
}

static void copy_settings(struct sf_hec_sink *hs, const struct sf_config_hec *cfg)
{
    hs->ca_file = dup_or_null(cfg->ca_file);
    hs->client_cert = dup_or_null(cfg->client_cert);
    hs->client_key = dup_or_null(cfg->client_key);
    hs->ssl_verify = cfg->ssl_verify;
    hs->timeout_ms = cfg->timeout_ms;
    hs->connect_timeout_ms = cfg->connect_timeout_ms;
    hs->cfg_max_body = cfg->max_body_bytes;
    hs->max_events = cfg->max_events > 0 ? (size_t)cfg->max_events : 0;
    hs->linger_ms = cfg->linger_ms;
    hs->gzip_min_bytes = cfg->gzip_min_bytes;
    hs->max_in_flight = cfg->max_in_flight > 0 ? cfg->max_in_flight : 1;
    hs->ack_poll_ms = cfg->ack_poll_ms;
    hs->ack_timeout_ms = cfg->ack_timeout_ms;
    hs->retry_max_ms =
        cfg->retry_max_ms > SF_HEC_RETRY_BASE_MS ? cfg->retry_max_ms : SF_HEC_RETRY_BASE_MS;
    hs->auth_retry_ms = cfg->auth_retry_ms;
    hs->health_check = cfg->health_check;
    hs->is_ack_on = cfg->ack;
    hs->is_gzip_on = cfg->gzip;
    hs->max_body = hs->cfg_max_body;
}

static sf_err slot_init(struct sf_hec_sink *hs,
                        struct sf_hec_slot *slot,
                        struct sf_hec_endpoint *ep,
                        enum sf_hec_slot_kind kind,
                        size_t resp_max)
{
    slot->ep = ep;
    slot->kind = kind;
    sf_buf_init(&slot->body, hs->cfg_max_body > (1u << 20) ? hs->cfg_max_body : (1u << 20));
    sf_buf_init(&slot->gz, SIZE_MAX / 4); /* a lone huge event may be sent compressed */
    sf_buf_init(&slot->resp, resp_max);
    slot->easy = curl_easy_init();
    if (!slot->easy) {
        return SF_ERR_IO;
    }
    if (kind == SF_HEC_SLOT_PROBE) {
        sf_hec_health_setup(hs, ep, slot->easy, &slot->resp, slot->errbuf);
        curl_easy_setopt(slot->easy, CURLOPT_PRIVATE, slot);
        return SF_OK;
    }
    sf_hec_http_setup(hs, ep, slot->easy, &slot->resp, slot->errbuf);
    curl_easy_setopt(slot->easy, CURLOPT_URL, kind == SF_HEC_SLOT_ACK ? ep->ack_url : ep->url_full);
    curl_easy_setopt(slot->easy, CURLOPT_PRIVATE, slot);
    /* curl copies a body through its upload buffer, 64 KiB (one send(2)) at a time by default;
     * 512 KiB chunks cut the sink thread's CPU by about a tenth (docs/internals/sink.md). */
    curl_easy_setopt(slot->easy, CURLOPT_UPLOAD_BUFFERSIZE, 512L << 10);
    curl_easy_setopt(slot->easy, CURLOPT_HTTPHEADER, ep->headers);
    return SF_OK;
}

static sf_err make_transfers(struct sf_hec_sink *hs)
{
    hs->multi = curl_multi_init();
    if (!hs->multi) {
        return SF_ERR_IO;
    }
    hs->n_slots = hs->max_in_flight * (int)hs->n_eps;
    /* one cached connection per slot and one each for acks and probes, so none is closed
     * between requests */
    curl_multi_setopt(hs->multi, CURLMOPT_MAXCONNECTS, (long)hs->n_slots + 2 * (long)hs->n_eps);
    hs->slots = sf_xcalloc((size_t)hs->n_slots, sizeof(hs->slots[0]));
    for (size_t e = 0; e < hs->n_eps; e++) {
        struct sf_hec_endpoint *ep = &hs->eps[e];
        ep->slots = &hs->slots[e * (size_t)hs->max_in_flight];
        for (int i = 0; i < hs->max_in_flight; i++) {
            if (slot_init(hs, &ep->slots[i], ep, SF_HEC_SLOT_DATA, SF_HEC_RESP_MAX) != SF_OK) {
                return SF_ERR_IO;
            }
        }
        if (slot_init(hs, &ep->ack_slot, ep, SF_HEC_SLOT_ACK, SF_HEC_ACK_RESP_MAX) != SF_OK ||
            slot_init(hs, &ep->probe_slot, ep, SF_HEC_SLOT_PROBE, 4096) != SF_OK) {
            return SF_ERR_IO;
        }
    }
    return SF_OK;
}

/* Endpoint |ep| for |url|: its URLs, channel and headers; its health state starts up. */
static sf_err endpoint_init(struct sf_hec_sink *hs,
                            struct sf_hec_endpoint *ep,
                            const char *url,
                            const struct sf_config_hec *cfg,
                            char *errbuf,
                            size_t errbuf_size)
{
    const char *token = cfg->token;
    ep->hs = hs;
    sf_hec_ep_health_init(&ep->health, hs->retry_max_ms);
    sf_hec_acks_init(&ep->acks);
    atomic_store(&ep->stats.is_healthy, true);
    ep->url_full = sf_xstrdup(url);
    ep->url = sf_url_redact_dup(url);       /* for messages: no user:password@ */
    ep->url[strcspn(ep->url, "?#")] = '\0'; /* nor a query, which could hold a secret */
    sf_err err = sf_hec_http_urls(url, &ep->ack_url, &ep->health_url, ep->hostport,
                                  sizeof(ep->hostport), &ep->is_https, errbuf, errbuf_size);
    err = err ? err : sf_hec_http_proxy_init(ep, cfg, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    sf_hec_http_channel(ep->channel, sizeof(ep->channel));
    ep->headers = sf_hec_http_headers(token, ep->channel, false);
    ep->headers_gzip = sf_hec_http_headers(token, ep->channel, true);
    return SF_OK;
}

sf_err sf_hec_sink_new(const struct sf_config_hec *cfg,
                       struct sf_sink **out,
                       char *errbuf,
                       size_t errbuf_size)
{
    *out = NULL;
    if ((!cfg->url && !cfg->n_urls) || !cfg->token || !cfg->token[0]) {
        snprintf(errbuf, errbuf_size, "HEC needs a URL and a token");
        return SF_ERR_CONFIG;
    }
    if (strpbrk(cfg->token, "\r\n")) {
        snprintf(errbuf, errbuf_size, "the HEC token holds a line break");
        return SF_ERR_CONFIG;
    }
    struct sf_hec_sink *hs = sf_xcalloc(1, sizeof(*hs));
    sf_bqueue_init(&hs->inbox);
    sf_hec_batcher_init(&hs->batcher);
    sf_hec_gzip_init(&hs->gzip, 1);
    sf_buf_init(&hs->dl_pending, SIZE_MAX / 4);
    atomic_init(&hs->stop_deadline_ms, 0);
    copy_settings(hs, cfg);
    if (cfg->proxy_credentials && cfg->proxy_credentials[0]) {
        hs->proxy_credentials = sf_xstrdup(cfg->proxy_credentials);
    }
    hs->n_eps = cfg->n_urls ? cfg->n_urls : 1;
    hs->is_multi = hs->n_eps > 1;
    hs->eps = sf_xcalloc(hs->n_eps, sizeof(hs->eps[0]));
    hs->max_limit = hs->max_in_flight * (int)hs->n_eps;
    hs->limit = hs->max_limit;
    hs->dead_letter = sf_dead_letter_new(cfg->dead_letter_path ? cfg->dead_letter_path
                                                               : "slsfwd-dead-letter.ndjson");
    sf_err err = SF_OK;
    for (size_t i = 0; i < hs->n_eps && !err; i++) {
        err = endpoint_init(hs, &hs->eps[i], cfg->n_urls ? cfg->urls[i] : cfg->url, cfg, errbuf,
                            errbuf_size);
    }
    if (!err) {
        err = make_transfers(hs);
        if (err) {
            snprintf(errbuf, errbuf_size, "cannot set up libcurl for HEC");
        }
    }
    if (err) {
        hec_free(hs);
        return err;
    }
    sf_backoff_init(&hs->retry_backoff, SF_HEC_RETRY_BASE_MS, hs->retry_max_ms);
    STAT_SET(hs, max_body_bytes, hs->max_body);
    atomic_store(&hs->stats.is_ack_on, hs->is_ack_on);
    atomic_store(&hs->stats.is_gzip_on, hs->is_gzip_on);
    struct sf_sink *sink = sf_xcalloc(1, sizeof(*sink));
    sink->ops = &hec_sink_ops;
    sink->impl = hs;
    hs->sink = sink;
    *out = sink;
    return SF_OK;
}
