/* hec_handle(): one request from raw parts to an answer, in the order a HEC listener applies
 * its checks: route and method → body size (the HTTP layer's max_content_length,
 * docs/protocol/hec.md §Server limits) → authentication (§Authentication) → channel (
 * §Indexer acknowledgement) → injected faults → Content-Encoding and gzip (§Request headers) → the
 * endpoint itself. Everything it needs from the HTTP layer is in struct hec_request, so the fuzzer
 * drives it without sockets. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acks.h"
#include "auth.h"
#include "gzip.h"
#include "handler.h"
#include "stats.h"
#include "tokens.h"
#include "util/clock.h"

#define SF_LOG_MODULE "hec-receiver"
#include "util/log.h"

#include "util/banned.h"

static const struct {
    const char *path;
    enum hec_endpoint endpoint;
} routes[] = {
    {"/services/collector", HEC_EP_EVENT},
    {"/services/collector/event", HEC_EP_EVENT},
    {"/services/collector/event/1.0", HEC_EP_EVENT},
    {"/services/collector/raw", HEC_EP_RAW},
    {"/services/collector/raw/1.0", HEC_EP_RAW},
    {"/services/collector/ack", HEC_EP_ACK},
    {"/services/collector/health", HEC_EP_HEALTH},
    {"/services/collector/health/1.0", HEC_EP_HEALTH},
};

/* Exact match, or with one trailing '/'. */
static bool path_is(const char *path, const char *want)
{
    size_t len = strlen(want);
    return strncmp(path, want, len) == 0 && (path[len] == '\0' || strcmp(path + len, "/") == 0);
}

static bool is_method(const struct hec_ctx *ctx, const char *method)
{
    return strcmp(ctx->req->method, method) == 0;
}

static bool check_method(struct hec_ctx *ctx, enum hec_endpoint ep)
{
    bool is_get = ep == HEC_EP_HEALTH;
    const char *allow = is_get ? "GET, HEAD" : "POST";
    if (is_get ? (is_method(ctx, "GET") || is_method(ctx, "HEAD")) : is_method(ctx, "POST")) {
        return true;
    }
    if (is_method(ctx, "OPTIONS")) {
        hec_reply_empty(ctx->resp, 200);
    } else {
        hec_reply_text(ctx->resp, 405, 405, "Method Not Allowed");
    }
    hec_resp_header(ctx->resp, "Allow", "%s", allow);
    return false;
}

static bool authenticate(struct hec_ctx *ctx)
{
    const char *header = hec_request_header(ctx->req, "Authorization");
    const char *query = hec_ctx_param(ctx, "token");
    char value[HEC_TOKEN_MAX + 1];
    bool is_via_query = false;
    if (header) {
        if (hec_auth_parse_header(header, value, sizeof(value)) != HEC_AUTH_OK) {
            hec_reply_code(ctx->resp, 3);
            return false;
        }
    } else if (query && query[0] && strlen(query) <= HEC_TOKEN_MAX) {
        snprintf(value, sizeof(value), "%s", query);
        is_via_query = true;
    } else if (query && query[0]) {
        hec_reply_code(ctx->resp, 4);
        return false;
    } else {
        hec_reply_code(ctx->resp, 2);
        return false;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    struct hec_token *token = hec_tokens_find(ctx->srv, value);
    if (token) {
        ctx->token = *token;
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!token) {
        hec_reply_code(ctx->resp, 4);
        return false;
    }
    if (is_via_query && !ctx->token.allows_query) {
        hec_reply_code(ctx->resp, 16);
        return false;
    }
    if (ctx->token.is_disabled) {
        hec_reply_code(ctx->resp, 1);
        return false;
    }
    return true;
}

/* X-Splunk-Request-Channel or ?channel= (docs/protocol/hec.md §Request headers): GUID-shaped
 * whenever present. */
static bool check_channel(struct hec_ctx *ctx, bool is_required)
{
    const char *channel = hec_request_header(ctx->req, "X-Splunk-Request-Channel");
    if (!channel || !channel[0]) {
        channel = hec_ctx_param(ctx, "channel");
    }
    if (channel && channel[0]) {
        if (!hec_channel_is_guid(channel)) {
            hec_reply_code(ctx->resp, 11);
            return false;
        }
        ctx->channel = channel;
    } else if (is_required) {
        hec_reply_code(ctx->resp, 10);
        return false;
    }
    return true;
}

/* Rolls the faults of |ep|; false when one of them answers the request. */
static bool apply_faults(struct hec_ctx *ctx, enum hec_endpoint ep)
{
    pthread_mutex_lock(&ctx->srv->lock);
    hec_faults_decide(&ctx->srv->faults, ep, ctx->token.has_ack, &ctx->faults);
    ctx->srv->stats.faults_fired += (uint64_t)ctx->faults.n_fired;
    pthread_mutex_unlock(&ctx->srv->lock);
    ctx->resp->delay_ms = ctx->faults.delay_ms;
    if (!ctx->faults.has_error) {
        return true;
    }
    const struct hec_fault *rule = &ctx->faults.error;
    if (rule->type == HEC_FAULT_CODE && hec_code_status(rule->code) == 200) {
        ctx->success_code = rule->code; /* 24/25: accepted, with a warning */
        return true;
    }
    if (rule->type == HEC_FAULT_CODE && rule->code == 9 && rule->k > 0 && ep == HEC_EP_EVENT) {
        ctx->stop_at = rule->k; /* handled by hec_api_event */
        return true;
    }
    hec_reply_fault(ctx);
    return false;
}

/* Content-Encoding: gzip is decoded (bounded by max_content_length); deflate and anything
 * else is 415 (splunk/splunk-connect-for-syslog PR#2254). */
static bool decode_body(struct hec_ctx *ctx)
{
    const struct tc_request *req = ctx->req;
    const char *encoding = hec_request_header(req, "Content-Encoding");
    ctx->body = req->body;
    ctx->body_len = req->body_len;
    bool is_gzip = false;
    if (encoding && encoding[0] && strcasecmp(encoding, "identity") != 0) {
        if (strcasecmp(encoding, "gzip") != 0 && strcasecmp(encoding, "x-gzip") != 0) {
            hec_reply_text(ctx->resp, 415, 415, "Unsupported Content-Encoding");
            return false;
        }
        is_gzip = true;
    }
    size_t max = atomic_load(&ctx->srv->max_content_length);
    if (is_gzip && req->body_len > 0) {
        enum hec_gunzip_result rc = hec_gunzip(req->body, req->body_len, max, &ctx->decoded);
        if (rc == HEC_GUNZIP_TOO_LARGE) {
            char text[128];
            snprintf(text, sizeof(text), "Decompressed content too large (maximum is %zu)", max);
            hec_reply_text(ctx->resp, 413, 413, text);
            return false;
        }
        if (rc != HEC_GUNZIP_OK) {
            hec_reply_code_at(ctx->resp, 6, 0);
            return false;
        }
        ctx->body = ctx->decoded.ptr;
        ctx->body_len = ctx->decoded.len;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    ctx->srv->stats.bytes_wire += req->wire_len;
    ctx->srv->stats.bytes_decompressed += ctx->body_len;
    ctx->srv->stats.requests_gzip += is_gzip;
    pthread_mutex_unlock(&ctx->srv->lock);
    return true;
}

static bool check_size(struct hec_ctx *ctx)
{
    size_t max = atomic_load(&ctx->srv->max_content_length);
    if (!ctx->req->is_body_too_large && ctx->req->wire_len <= max) {
        return true;
    }
    char text[128];
    snprintf(text, sizeof(text), "Content-Length of %llu too large (maximum is %zu)",
             (unsigned long long)ctx->req->wire_len, max);
    hec_reply_text(ctx->resp, 413, 413, text);
    return false;
}

static void serve_data(struct hec_ctx *ctx, enum hec_endpoint ep)
{
    bool is_raw = ep == HEC_EP_RAW;
    if (!check_size(ctx) || !authenticate(ctx) ||
        !check_channel(ctx, ctx->token.has_ack || (is_raw && ctx->srv->is_raw_channel_required)) ||
        !apply_faults(ctx, ep) || !hec_ctx_ack_room(ctx) || !decode_body(ctx)) {
        return;
    }
    if (ctx->body_len == 0) {
        hec_reply_code(ctx->resp, 5);
        return;
    }
    if (is_raw) {
        hec_api_raw(ctx);
    } else {
        hec_api_event(ctx);
    }
}

static void serve_ack(struct hec_ctx *ctx)
{
    if (!check_size(ctx) || !authenticate(ctx)) {
        return;
    }
    if (!ctx->token.has_ack) {
        hec_reply_code(ctx->resp, 14);
        return;
    }
    if (check_channel(ctx, true) && apply_faults(ctx, HEC_EP_ACK) && decode_body(ctx)) {
        hec_api_ack(ctx);
    }
}

static void route(struct hec_ctx *ctx)
{
    if (strcmp(ctx->path, "/_receiver") == 0 || strncmp(ctx->path, "/_receiver/", 11) == 0) {
        ctx->resp->endpoint = HEC_EP_CONTROL;
        if (hec_ctx_split_path(ctx)) {
            hec_control_handle(ctx);
        }
        return;
    }
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!path_is(ctx->path, routes[i].path)) {
            continue;
        }
        enum hec_endpoint ep = routes[i].endpoint;
        ctx->resp->endpoint = ep;
        if (!check_method(ctx, ep)) {
            return;
        }
        if (ep == HEC_EP_HEALTH) {
            hec_api_health(ctx);
        } else if (ep == HEC_EP_ACK) {
            serve_ack(ctx);
        } else {
            serve_data(ctx, ep);
        }
        return;
    }
    hec_reply_text(ctx->resp, 404, 404, "The requested URL was not found on this server.");
}

struct hec_acks *hec_ctx_acks(struct hec_ctx *ctx)
{
    if (!ctx->acks) {
        ctx->acks = hec_server_route(ctx->srv);
    }
    return ctx->acks;
}

bool hec_ctx_ack_room(struct hec_ctx *ctx)
{
    if (!ctx->token.has_ack) {
        return true;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    bool has_room = hec_acks_has_room(hec_ctx_acks(ctx), ctx->channel, sf_now_ms());
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!has_room) { /* too many pending acks: busy (hec.md §Indexer acknowledgement, item 7) */
        if (ctx->resp->endpoint == HEC_EP_EVENT) {
            hec_reply_code_at(ctx->resp, 9, 0);
        } else {
            hec_reply_code(ctx->resp, 9);
        }
    }
    return has_room;
}

bool hec_ctx_issue_ack(struct hec_ctx *ctx, uint64_t *ack_id)
{
    if (!ctx->token.has_ack) {
        return false;
    }
    int64_t now_ms = sf_now_ms();
    int64_t ready_at_ms = now_ms + atomic_load(&ctx->srv->ack_delay_ms);
    pthread_mutex_lock(&ctx->srv->lock);
    *ack_id = hec_acks_issue(hec_ctx_acks(ctx), ctx->channel, now_ms, ready_at_ms,
                             ctx->faults.is_ack_lost);
    ctx->srv->stats.acks_issued++;
    ctx->srv->stats.acks_lost += ctx->faults.is_ack_lost;
    pthread_mutex_unlock(&ctx->srv->lock);
    return true;
}

void hec_ctx_count_events(struct hec_ctx *ctx,
                          uint64_t n_accepted,
                          uint64_t n_rejected,
                          uint64_t bytes_accepted)
{
    pthread_mutex_lock(&ctx->srv->lock);
    ctx->srv->stats.events_accepted += n_accepted;
    ctx->srv->stats.events_rejected += n_rejected;
    ctx->srv->stats.bytes_accepted += bytes_accepted;
    pthread_mutex_unlock(&ctx->srv->lock);
}

void hec_handle(struct hec_server *srv, const struct tc_request *req, struct hec_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
    resp->code = -1;
    resp->endpoint = HEC_EP_OTHER;

    struct sf_arena arena;
    sf_arena_init(&arena, 4096);
    struct hec_ctx ctx = {.srv = srv, .req = req, .resp = resp, .arena = &arena, .stop_at = -1};
    ctx.request_no = atomic_fetch_add(&srv->n_requests, 1) + 1;
    sf_buf_init(&ctx.decoded, 0);
    if (!req->method || !req->method[0]) {
        hec_reply_text(resp, 400, 400, "Missing method");
    } else if (hec_ctx_parse_target(&ctx)) {
        route(&ctx);
    }
    if (resp->endpoint != HEC_EP_CONTROL) {
        /* What splunkd adds to every HEC answer. */
        hec_resp_header(resp, "X-Content-Type-Options", "nosniff");
        hec_resp_header(resp, "Vary", "Authorization");
    }
    hec_stats_count_response(srv, resp);
    SF_LOG_DEBUG("msg=\"request\" n=%llu method=%.16s path=\"%.120s\" status=%d code=%d "
                 "action=%d token=%s body_bytes=%zu",
                 (unsigned long long)ctx.request_no, req->method ? req->method : "",
                 ctx.path ? ctx.path : "", resp->status, resp->code, (int)resp->action,
                 ctx.token.name[0] ? ctx.token.name : "-", req->body_len);
    sf_buf_cleanup(&ctx.decoded);
    sf_arena_cleanup(&arena);
}
