/* hec-receiver: the state of a Splunk-HEC-compatible receiver (tokens, faults, indexer
 * acknowledgement, counters) and the request/response types the HTTP layer and the fuzzer
 * hand to hec_handle(). Mutable state lives in struct hec_server behind its mutex |lock|;
 * request bodies are parsed without it. Protocol: docs/protocol/hec.md, and §Test receiver for why
 * this exists. */
#ifndef HEC_H
#define HEC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reply.h"
#include "common/request.h"

#define HEC_VERSION "0.1.0"

#define HEC_MAX_TOKENS          64
#define HEC_TOKEN_MAX           256 /* bytes of a token value */
#define HEC_NAME_MAX            64  /* token names, shown in stats and in recorded events */
#define HEC_INDEXES_MAX         512 /* ",a,b,c," allow-list text */
#define HEC_MAX_FAULTS          32
#define HEC_SPEC_MAX            200
#define HEC_DEFAULT_MAX_CONTENT ((size_t)838860800) /* limits.conf, Splunk >= 6.5 */
#define HEC_DEFAULT_MAX_EVENT   ((size_t)5242880)   /* inputs.conf maxEventSize */

/* ---------------------------------------------------------------------------------------- */
/* HEC answer codes (hec.md §Status codes): code, HTTP status, text exactly as Splunk writes it */

#define HEC_CODE_LIST(X)                                                        \
    X(0, 200, "Success")                                                        \
    X(1, 403, "Token disabled")                                                 \
    X(2, 401, "Token is required")                                              \
    X(3, 401, "Invalid authorization")                                          \
    X(4, 403, "Invalid token")                                                  \
    X(5, 400, "No data")                                                        \
    X(6, 400, "Invalid data format")                                            \
    X(7, 400, "Incorrect index")                                                \
    X(8, 500, "Internal server error")                                          \
    X(9, 503, "Server is busy")                                                 \
    X(10, 400, "Data channel is missing")                                       \
    X(11, 400, "Invalid data channel")                                          \
    X(12, 400, "Event field is required")                                       \
    X(13, 400, "Event field cannot be blank")                                   \
    X(14, 400, "ACK is disabled")                                               \
    X(15, 400, "Error in handling indexed fields")                              \
    X(16, 400, "Query string authorization is not enabled")                     \
    X(17, 200, "HEC is healthy")                                                \
    X(18, 503, "HEC is unhealthy, queues are full")                             \
    X(19, 503, "HEC is unhealthy, ack service unavailable")                     \
    X(20, 503, "HEC is unhealthy, queues are full, ack service unavailable")    \
    X(21, 400, "Invalid token")                                                 \
    X(22, 400, "Token disabled")                                                \
    X(23, 503, "Server is shutting down")                                       \
    X(24, 200, "HEC queue is approaching its capacity limit")                   \
    X(25, 200, "HEC ACK is approaching its capacity limit")                     \
    X(26, 429, "HEC queue is at capacity and cannot process any more requests") \
    X(27, 429, "HEC ACK channel is at capacity and cannot process any more requests")

#define HEC_CODE_MAX 27

/* HTTP status of |code|, or 0 when |code| is not in the table. */
int hec_code_status(int code);
/* Splunk's text for |code|, or NULL. */
const char *hec_code_text(int code);

/* ---------------------------------------------------------------------------------------- */
/* Tokens                                                                                    */

struct hec_token {
    char value[HEC_TOKEN_MAX + 1];
    char name[HEC_NAME_MAX + 1];
    bool is_disabled;
    bool has_ack;                  /* useACK=1 */
    bool allows_query;             /* allowQueryStringAuth=true */
    char indexes[HEC_INDEXES_MAX]; /* ",main,cloud," or "" (then the server-wide list) */
};

/* ---------------------------------------------------------------------------------------- */
/* Endpoints and faults                                                                      */

#define HEC_ENDPOINT_LIST(X) \
    X(EVENT, "event")        \
    X(RAW, "raw")            \
    X(ACK, "ack")            \
    X(HEALTH, "health")      \
    X(CONTROL, "control")    \
    X(OTHER, "other")

enum hec_endpoint {
#define HEC_ENDPOINT_ENUM(id, name) HEC_EP_##id,
    HEC_ENDPOINT_LIST(HEC_ENDPOINT_ENUM)
#undef HEC_ENDPOINT_ENUM
        HEC_EP__COUNT
};

const char *hec_endpoint_name(enum hec_endpoint ep);

#define HEC_EPMASK(ep)  (1u << (ep))
#define HEC_EPMASK_DATA (HEC_EPMASK(HEC_EP_EVENT) | HEC_EPMASK(HEC_EP_RAW))
#define HEC_EPMASK_ALL                                                            \
    (HEC_EPMASK(HEC_EP_EVENT) | HEC_EPMASK(HEC_EP_RAW) | HEC_EPMASK(HEC_EP_ACK) | \
     HEC_EPMASK(HEC_EP_HEALTH))

enum hec_fault_type {
    HEC_FAULT_CODE,      /* answer a HEC code (503/9, 500/8, 429/26, 403/1, any of the table) */
    HEC_FAULT_LATENCY,   /* sleep |latency_ms|, then answer normally */
    HEC_FAULT_RESET,     /* reset the connection (RST) without an answer; nothing recorded */
    HEC_FAULT_CLOSE,     /* close the connection (FIN) without an answer; nothing recorded */
    HEC_FAULT_LOST_ACK,  /* accept normally, but the request's ackId never turns true */
    HEC_FAULT_UNHEALTHY, /* the health endpoint answers 503 with |code| 18, 19 or 20 */
    HEC_FAULT_PROXY,     /* an intermediary's HTML answer with |status| (502, 504, 413, 303) */
    HEC_FAULT_TOO_LARGE, /* 413 as if the body were over max_content_length */
};

struct hec_fault {
    int id;
    enum hec_fault_type type;
    unsigned endpoints; /* HEC_EPMASK bits */
    int code;           /* HEC_FAULT_CODE / HEC_FAULT_UNHEALTHY */
    int status;         /* HEC_FAULT_PROXY */
    int retry_after_s;  /* -1: no Retry-After header */
    long k;             /* 503 code 9: accept the first k events, then refuse (-1: none) */
    double rate;        /* probability per matching request */
    int latency_ms;
    long remaining; /* fires at most this many more times; -1 = unlimited */
    uint64_t n_fired;
    char spec[HEC_SPEC_MAX]; /* as given, for listings */
};

struct hec_faults {
    struct hec_fault rules[HEC_MAX_FAULTS];
    int n_rules;
    int next_id;
    uint64_t rng;
};

/* ---------------------------------------------------------------------------------------- */
/* Counters (GET /_receiver/stats)                                                           */

#define HEC_STATUS_MIN 100
#define HEC_STATUS_MAX 599

struct hec_ep_stats {
    uint64_t requests;
    uint64_t by_status[HEC_STATUS_MAX - HEC_STATUS_MIN + 1];
    uint64_t by_code[HEC_CODE_MAX + 1];
};

struct hec_stats {
    struct hec_ep_stats endpoints[HEC_EP__COUNT];
    uint64_t events_accepted;
    uint64_t events_rejected; /* the event at invalid-event-number, one per refused request */
    uint64_t bytes_wire;      /* request bodies as received, data endpoints */
    uint64_t bytes_decompressed;
    uint64_t bytes_accepted; /* envelope (or raw line) bytes of accepted events */
    uint64_t requests_gzip;
    uint64_t acks_issued;
    uint64_t ack_queries;
    uint64_t acks_true;  /* ids answered true (then forgotten) */
    uint64_t acks_false; /* ids answered false */
    uint64_t acks_lost;  /* ids a lost_ack fault made never-true */
    uint64_t faults_fired;
    uint64_t resets;
};

/* ---------------------------------------------------------------------------------------- */
/* The server                                                                                */

struct hec_acks;

/* Indexers behind one receiver (--indexers): a load balancer without sticky sessions. */
#define HEC_MAX_INDEXERS 16

struct hec_server_options {
    const struct hec_token *tokens; /* copied */
    size_t n_tokens;
    const char *index_allow; /* "main,cloud" or NULL: any index */
    bool is_ack_all;         /* --ack: every token has useACK unless it says noack */
    bool is_query_token_all; /* --allow-query-token */
    bool is_count_only;
    bool is_lenient_time;
    bool is_raw_channel_required;
    size_t max_content_length; /* 0: default */
    size_t max_event_size;     /* 0: no per-event limit */
    int64_t ack_delay_ms;
    int64_t ack_idle_ms;     /* 0: channels never expire */
    size_t ack_max_pending;  /* per channel; 0: default */
    size_t ack_max_channels; /* 0: default */
    size_t indexers;         /* 0 or 1: one indexer; N: N behind a non-sticky balancer */
    int out_fd;              /* -1: record nothing */
    uint64_t seed;
};

struct hec_server {
    pthread_mutex_t lock;

    /* Fixed after hec_server_init: read without the lock. */
    bool is_count_only;
    bool is_ack_all; /* defaults for tokens added at run time */
    bool is_query_token_all;
    bool is_lenient_time;
    bool is_raw_channel_required;
    size_t max_event_size;
    char index_allow[HEC_INDEXES_MAX]; /* ",a,b," or "" */
    int out_fd;
    pthread_mutex_t out_lock; /* keeps each request's lines together and in order */

    /* Changeable at run time (control plane): atomics, read without the lock. */
    atomic_size_t max_content_length;
    atomic_int_fast64_t ack_delay_ms;
    atomic_uint_fast64_t n_requests;

    /* Guarded by |lock|. */
    struct hec_token tokens[HEC_MAX_TOKENS];
    int n_tokens;
    struct hec_faults faults;
    struct hec_stats stats;
    struct hec_acks *acks; /* indexer 0's; the only one unless --indexers */
    /* --indexers N: each indexer keeps its own ack state (ids from 0 per channel), and each
     * data POST or ack query goes to the next one in turn, as a round-robin load balancer
     * without stickiness sends them. indexer_acks[0] == acks. */
    struct hec_acks *indexer_acks[HEC_MAX_INDEXERS];
    size_t n_indexers;
    size_t lb_turn;
    int64_t started_ms;
};

/* The ack state of the indexer the balancer sends the next request to; |srv->lock| held. */
struct hec_acks *hec_server_route(struct hec_server *srv);

void hec_server_init(struct hec_server *srv, const struct hec_server_options *opts);
void hec_server_cleanup(struct hec_server *srv);

/* ---------------------------------------------------------------------------------------- */
/* One HTTP exchange: struct tc_request (common/request.h) in, hec_response out.             */

enum hec_action {
    HEC_ACTION_NONE,
    HEC_ACTION_RESET, /* abort the connection with a TCP RST, no answer */
    HEC_ACTION_CLOSE, /* close the connection (FIN), no answer */
};

struct hec_response {
    int status;
    int code; /* HEC code of the body, -1 when the body carries none */
    enum hec_endpoint endpoint;
    struct tc_reply_headers headers;
    const char *content_type; /* static string or NULL */
    char *body;               /* heap, owned; NULL for an empty body */
    size_t body_len;
    enum hec_action action;
    int delay_ms;
};

/* Serves one request: fills |resp|. Never fails; any input, however malformed, gets a
 * HEC-style answer. Accepted events are appended to the out file before it returns.
 * Thread-safe. */
void hec_handle(struct hec_server *srv, const struct tc_request *req, struct hec_response *resp);
void hec_response_cleanup(struct hec_response *resp);
/* Response header |name| (case-insensitive) or NULL. */
const char *hec_response_header(const struct hec_response *resp, const char *name);

#endif
