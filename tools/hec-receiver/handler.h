/* Per-request context shared by the router, the endpoint handlers and the control plane, and
 * the helpers that build Splunk-style answers ({"text":..,"code":..}, docs/protocol/hec.md
 * §Responses). A context lives for one hec_handle() call; its strings come from |arena|. */
#ifndef HEC_HANDLER_H
#define HEC_HANDLER_H

#include <jansson.h>
#include <stdarg.h>

#include "faults.h"
#include "hec.h"
#include "util/arena.h"
#include "util/buf.h"

#define HEC_MAX_PARAMS   32
#define HEC_MAX_SEGMENTS 8

struct hec_ctx {
    struct hec_server *srv;
    const struct tc_request *req;
    struct hec_response *resp;
    struct sf_arena *arena;
    const char *path; /* raw path, without the query */
    struct tc_param params[HEC_MAX_PARAMS];
    size_t n_params;
    const char *segs[HEC_MAX_SEGMENTS]; /* control plane: decoded path segments */
    size_t n_segs;
    uint64_t request_no; /* 1, 2, ...: recorded with each event */

    /* Set by the router for the data and ack endpoints. */
    struct hec_token token; /* a snapshot: the table may change while we work */
    const char *channel;    /* NULL when the request names none */
    struct hec_acks *acks;  /* the indexer this request reached (hec_ctx_acks); NULL: not yet */
    struct hec_fault_decision faults;
    int success_code;    /* 0, or 24/25 when a fault asks for an "approaching capacity" warning */
    long stop_at;        /* a 503 fault with k=N: accept N events, then refuse; -1 otherwise */
    const uint8_t *body; /* decoded request body */
    size_t body_len;
    struct sf_buf decoded; /* owns |body| when the request was gzip */
};

/* Splits the request-target into ctx->path and decoded parameters. False with a 400 answer
 * for a malformed target. */
bool hec_ctx_parse_target(struct hec_ctx *ctx);
/* Splits ctx->path into decoded segments (control plane). False with an answer set. */
bool hec_ctx_split_path(struct hec_ctx *ctx);
/* First query parameter |key|, or NULL. */
const char *hec_ctx_param(const struct hec_ctx *ctx, const char *key);
/* First request header |name| (ASCII case-insensitive), or NULL. */
const char *hec_request_header(const struct tc_request *req, const char *name);

void hec_resp_header(struct hec_response *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The table's status and {"text","code"} for |code|. */
void hec_reply_code(struct hec_response *resp, int code);
/* The same with "invalid-event-number": |k| (docs/protocol/hec.md §Partial acceptance). */
void hec_reply_code_at(struct hec_response *resp, int code, uint64_t k);
/* 200 {"text","code"[,"ackId"]}: |code| 0, or 24/25 (accepted, with a warning). */
void hec_reply_success(struct hec_response *resp, int code, bool has_ack_id, uint64_t ack_id);
/* |status| with {"text":|text|,"code":|code|} for answers outside the table (404, 405, 413). */
void hec_reply_text(struct hec_response *resp, int status, int code, const char *text);
/* |status| with |root| serialised compactly; steals the reference. */
void hec_reply_json(struct hec_response *resp, int status, json_t *root);
/* An intermediary's HTML page (nginx-like) for |status|. */
void hec_reply_html(struct hec_response *resp, int status);
/* Empty body. */
void hec_reply_empty(struct hec_response *resp, int status);
/* Answers the fault in ctx->faults.error (a HEC code, a reset, a proxy page, 413). */
void hec_reply_fault(struct hec_ctx *ctx);

/* Endpoint handlers (api_*.c, control.c). The router has authenticated the request, checked
 * the channel, rolled the faults and decoded the body before the data handlers run. */
void hec_api_event(struct hec_ctx *ctx);
void hec_api_raw(struct hec_ctx *ctx);
void hec_api_ack(struct hec_ctx *ctx);
void hec_api_health(struct hec_ctx *ctx);
void hec_control_handle(struct hec_ctx *ctx);

/* Allocates the request's ackId (after its events are recorded); with ctx->token.has_ack
 * false it does nothing and returns false. */
bool hec_ctx_issue_ack(struct hec_ctx *ctx, uint64_t *ack_id);
/* Checks the ack channel has room before a data request is processed; false with 503
 * code 9 set when it is full. */
bool hec_ctx_ack_room(struct hec_ctx *ctx);
/* The ack state of the indexer this request reached, routed on first use (--indexers);
 * |ctx->srv->lock| held. */
struct hec_acks *hec_ctx_acks(struct hec_ctx *ctx);

/* Adds the request's event counters to the server's under its lock. */
void hec_ctx_count_events(struct hec_ctx *ctx,
                          uint64_t n_accepted,
                          uint64_t n_rejected,
                          uint64_t bytes_accepted);

#endif
