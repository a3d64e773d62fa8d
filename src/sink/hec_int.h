/* Internals of the Splunk HEC sink (hec_sink.h), shared by its files and its unit tests:
 *   hec_response.c  HEC answers → reactions (pure: docs/protocol/hec.md §Responses to
 * §Retry classes) hec_batcher.c   queued batches → requests of whole lines, and which lines each
 * request holds hec_gzip.c      gzip of a request body with ISA-L hec_ack.c indexer-acknowledgement
 * bookkeeping (docs/protocol/hec.md §Indexer acknowledgement) hec_health.c    the start-up probe of
 * /services/collector/health/1.0 and its advice hec_http.c      URLs, channel GUID, the curl
 * options every HEC request shares hec_react.c     what the sink does with each answer: confirm,
 * retry, split, dead-letter, pause hec_endpoint.c  several endpoints: which one gets a request;
 * take out, probe, put back hec_sink.c      the sink thread: intake, request slots on a curl multi
 * handle, stop dead_letter.c   the NDJSON file of events Splunk refused Everything here runs on the
 * sink thread unless a comment says otherwise. docs/internals/sink.md describes the design. */
#ifndef SF_SINK_HEC_INT_H
#define SF_SINK_HEC_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <isa-l/igzip_lib.h>

#include "config/config.h"
#include "pipeline/batch.h"
#include "pipeline/budget.h"
#include "sink/hec_sink.h"
#include "sink/sink.h"
#include "util/backoff.h"
#include "util/bqueue.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/proxy.h"

struct sf_dead_letter;

#define SF_HEC_TEXT_MAX        128        /* bytes kept of a HEC "text" */
#define SF_HEC_RESP_MAX        (64 << 10) /* bytes kept of a data answer (hec.md §Responses) */
#define SF_HEC_ACK_RESP_MAX    (8 << 20)  /* bytes kept of an ack answer: ~12 bytes per id */
#define SF_HEC_ACK_QUERY_MAX   100000     /* ids per ack query; the rest wait for the next tick */
#define SF_HEC_BODY_EXCERPT    512        /* bytes of a non-JSON answer that go into the log */
#define SF_HEC_RETRY_BASE_MS   200        /* first backoff step */
#define SF_HEC_RETRY_AFTER_MAX 600        /* seconds: a larger Retry-After is taken as this */
#define SF_HEC_MIN_LEARNED     1024       /* a 413 never lowers the body limit below this */
#define SF_HEC_PROBE_BASE_MS   500        /* first wait before probing an endpoint taken out */
#define SF_HEC_ACK_STRIKES                                  \
    3 /* ack queries refused by an unexplained 4xx in a row \
       * before ack is given up */

/* ---------------------------------------------------------------------------------------- */
/* hec_response.c: answers (pure functions; any thread)                                      */

/* The fields of a HEC JSON answer (docs/protocol/hec.md §Responses). Absent fields read -1 / "". */
struct sf_hec_reply {
    bool is_json;            /* the body was one JSON object */
    int code;                /* "code" */
    long long invalid_event; /* "invalid-event-number": 0-based index of the refused event */
    long long ack_id;        /* "ackId" */
    char text[SF_HEC_TEXT_MAX];
};

/* Parses at most the first SF_HEC_RESP_MAX bytes of |body|; never fails (is_json false). */
void sf_hec_reply_parse(const uint8_t *body, size_t len, struct sf_hec_reply *out);

/* What to do with a request after an answer (docs/protocol/hec.md §Retry classes, the normative
 * table). */
enum sf_hec_action {
    SF_HEC_CONFIRM,      /* 2xx: delivered, or waiting for its indexer ack */
    SF_HEC_RETRY,        /* transient or throttled: the same request again after a backoff */
    SF_HEC_SPLIT,        /* 413, or a per-event refusal without k: send each half */
    SF_HEC_SPLIT_AT,     /* per-event refusal at invalid-event-number k: 0..k-1 accepted */
    SF_HEC_DEAD_LETTER,  /* HEC refused this one event (or it alone is over 413): dead letter */
    SF_HEC_PAUSE,        /* token or configuration: pause all delivery, probe slowly */
    SF_HEC_ACK_DISABLED, /* code 14: the token has no indexer acknowledgement */
    SF_HEC_RETRY_SLOW,   /* 415: content encoding refused */
};

/* Reaction to HTTP |status| with |reply| for a request of |n_events| events. */
enum sf_hec_action sf_hec_classify(long status, const struct sf_hec_reply *reply, size_t n_events);
/* Reaction to a transfer that got no HTTP answer: TLS verification and unusable TLS files
 * pause (a human must act, docs/protocol/hec.md §Retry classes); everything else is transient. */
enum sf_hec_action sf_hec_classify_transport(CURLcode cc);
const char *sf_hec_action_name(enum sf_hec_action action);
/* Splunk's text for HEC |code| 0..27 (docs/protocol/hec.md §Status codes), or NULL. */
const char *sf_hec_code_text(int code);
/* A Retry-After value in ms when it is an integer number of seconds (HTTP dates are not
 * honoured), capped at SF_HEC_RETRY_AFTER_MAX; -1 when absent or not an integer. */
int64_t sf_hec_retry_after_ms(const char *value);

/* Calls |fn| for each id of an ack answer {"acks":{"<id>":true|false,...}} (docs/protocol/hec.md
 * §Indexer acknowledgement). False when the body is not such an object (then |fn| was not called).
 */
typedef void (*sf_hec_ack_fn)(void *ctx, uint64_t ack_id, bool is_indexed);
bool sf_hec_ack_reply_parse(const uint8_t *body, size_t len, sf_hec_ack_fn fn, void *ctx);

/* Copies at most |max| bytes of |data| into |out| (|out_size| bytes) as a logfmt-safe quoted
 * value body: '"' and '\\' escaped; control bytes are left to the logger. */
void sf_hec_excerpt(const uint8_t *data, size_t len, size_t max, char *out, size_t out_size);

/* ---------------------------------------------------------------------------------------- */
/* hec_batcher.c: lines → requests                                                          */

/* A batch while the sink holds it. Its payload is NDJSON: one event per line. */
struct sf_hec_batch {
    struct sf_batch_entry *hold;      /* the sink's hold: settled when the batch leaves */
    struct sf_batch *batch;           /* hold->batch */
    struct sf_hec_batch *prev, *next; /* the live list, in arrival order */
    uint32_t *ends;                   /* ends[i]: offset just past line i's '\n' */
    size_t n_lines;
    size_t cap_ends;
    size_t n_taken;   /* lines [0, n_taken) are in requests */
    size_t n_settled; /* confirmed or dead-lettered; == n_lines: delivered */
    int64_t arrived_ms;
};

/* Lines [first, first + n) of one batch: the unit a request is made of. */
struct sf_hec_seg {
    struct sf_hec_batch *hb;
    size_t first;
    size_t n;
};

/* One HEC POST: whole lines of one or more batches, in order. A request is resent as it is,
 * cut (413, invalid-event-number) into new requests, or settled line range by line range. */
struct sf_hec_request {
    struct sf_hec_request *next; /* queue link */
    uint64_t id;                 /* for logs */
    struct sf_hec_seg *segs;
    size_t n_segs;
    size_t cap_segs;
    size_t n_events;
    size_t raw_len;    /* body bytes before gzip */
    unsigned attempts; /* sends so far */
    int64_t sent_ms;   /* start of the last attempt */
    uint64_t ack_id;   /* while waiting for its indexer ack */
    uint64_t ack_seq;  /* when it joined the ack set: 1, 2, ... per sink */
    int64_t acked_ms;  /* when the 200 with ack_id arrived */
    long dl_status;    /* while waiting for its dead-letter write: why */
    int dl_code;
    char dl_text[SF_HEC_TEXT_MAX];
};

struct sf_hec_queue {
    struct sf_hec_request *head, *tail;
    size_t n;
};

struct sf_hec_batcher {
    struct sf_hec_batch *head, *tail; /* every batch not yet delivered */
    struct sf_hec_batch *take;        /* first batch with untaken lines; NULL: none */
    size_t untaken_bytes;
    size_t untaken_lines;
    size_t n_live;
    struct sf_hec_batch *free_batches; /* records kept for reuse, with their ends arrays */
    size_t n_free_batches;
    struct sf_hec_request *free_requests;
    size_t n_free_requests;
    uint64_t next_request_id;
};

typedef void (*sf_hec_done_fn)(void *ctx, struct sf_batch_entry *hold);

void sf_hec_batcher_init(struct sf_hec_batcher *b);
/* Frees the pools; live batches must have been popped (sf_hec_batcher_pop) first. */
void sf_hec_batcher_cleanup(struct sf_hec_batcher *b);
/* Indexes the lines of |hold|'s batch (blank lines are skipped) and queues them. A batch
 * without a line is returned as delivered through |done| at once. */
void sf_hec_batcher_add(struct sf_hec_batcher *b,
                        struct sf_batch_entry *hold,
                        int64_t now_ms,
                        sf_hec_done_fn done,
                        void *ctx);
/* True when a request should be built now: a full one is waiting, the oldest untaken line
 * has lingered |linger_ms|, or |flush|. Otherwise lowers |*wake_ms| to when it will be. */
bool sf_hec_batcher_ready(const struct sf_hec_batcher *b,
                          size_t max_bytes,
                          size_t max_events,
                          int64_t now_ms,
                          int64_t linger_ms,
                          bool flush,
                          int64_t *wake_ms);
/* A new request of whole untaken lines, oldest first: up to |max_bytes| and |max_events|
 * (0: no limit), at least one line (alone when it is bigger than |max_bytes|). NULL when
 * no line waits. */
struct sf_hec_request *
sf_hec_batcher_take(struct sf_hec_batcher *b, size_t max_bytes, size_t max_events);
struct sf_hec_request *sf_hec_request_new(struct sf_hec_batcher *b);
/* Returns |req| to the pool; its lines are not settled (that is the caller's business). */
void sf_hec_request_free(struct sf_hec_batcher *b, struct sf_hec_request *req);
/* A new request holding events [first, first + n) of |req| (n >= 1). */
struct sf_hec_request *sf_hec_request_slice(struct sf_hec_batcher *b,
                                            const struct sf_hec_request *req,
                                            size_t first,
                                            size_t n);
/* Where to halve |req| (n_events >= 2): the line boundary nearest half its bytes, 1..n-1. */
size_t sf_hec_request_split_point(const struct sf_hec_request *req);
/* Event |k| of |req|: its batch and bytes (the '\n' included). */
void sf_hec_request_line(const struct sf_hec_request *req,
                         size_t k,
                         struct sf_batch **batch,
                         const uint8_t **ptr,
                         size_t *len);
/* Bytes of segment |seg|. */
void sf_hec_seg_bytes(const struct sf_hec_seg *seg, const uint8_t **ptr, size_t *len);
/* Counts events [first, first + n) of |req| as settled; each batch whose every line is settled
 * leaves the live list through |done|. The request itself stays the caller's. */
void sf_hec_batcher_settle(struct sf_hec_batcher *b,
                           const struct sf_hec_request *req,
                           size_t first,
                           size_t n,
                           sf_hec_done_fn done,
                           void *ctx);
/* The hold on the oldest live batch, removed; NULL when none. For stop: no request may refer
 * to it. */
struct sf_batch_entry *sf_hec_batcher_pop(struct sf_hec_batcher *b);

void sf_hec_queue_push(struct sf_hec_queue *q, struct sf_hec_request *req);
void sf_hec_queue_push_front(struct sf_hec_queue *q, struct sf_hec_request *req);
struct sf_hec_request *sf_hec_queue_pop(struct sf_hec_queue *q);

/* ---------------------------------------------------------------------------------------- */
/* hec_gzip.c                                                                                */

struct sf_hec_gzip {
    struct isal_zstream strm;
    uint8_t *level_buf; /* ISA-L level-1 hash and token space, reused for every body */
    uint32_t level_buf_size;
    int level;
};

struct sf_hec_chunk {
    const uint8_t *ptr;
    size_t len;
};

/* |level| 0 (fastest) or 1. */
void sf_hec_gzip_init(struct sf_hec_gzip *gz, int level);
void sf_hec_gzip_cleanup(struct sf_hec_gzip *gz);
/* Replaces |out|'s content with one gzip member of the concatenated |chunks|. SF_ERR_FULL when
 * |out|'s max is too small. */
sf_err sf_hec_gzip_compress(struct sf_hec_gzip *gz,
                            const struct sf_hec_chunk *chunks,
                            size_t n_chunks,
                            struct sf_buf *out);

/* ---------------------------------------------------------------------------------------- */
/* hec_ack.c: requests waiting for their indexer acknowledgement                             */

struct sf_hec_ack_entry {
    uint64_t ack_id;
    struct sf_hec_request *req; /* NULL: taken (compacted away later) */
};

struct sf_hec_acks {
    struct sf_hec_ack_entry *v; /* sorted by ack_id */
    size_t n;
    size_t cap;
    size_t n_taken;
};

void sf_hec_acks_init(struct sf_hec_acks *acks);
void sf_hec_acks_cleanup(struct sf_hec_acks *acks);
size_t sf_hec_acks_pending(const struct sf_hec_acks *acks);
/* Records |req| under |ack_id| and returns NULL; but when a pending request already holds
 * |ack_id| (Splunk restarted or forgot the channel, or a load balancer without stickiness
 * spreads it over several indexers, each counting from 0), an answer for that id cannot say
 * whose it is: that request is removed and returned, |req| is not recorded, and the caller
 * resends both. */
struct sf_hec_request *
sf_hec_acks_add(struct sf_hec_acks *acks, uint64_t ack_id, struct sf_hec_request *req);
/* Removes and returns the request waiting for |ack_id|; NULL when unknown. */
struct sf_hec_request *sf_hec_acks_take(struct sf_hec_acks *acks, uint64_t ack_id);
/* The same, but only a request whose ack_seq is at most |max_seq|: an ack answer speaks for
 * the requests its query asked about, not for one that took the id over since. */
struct sf_hec_request *
sf_hec_acks_take_asked(struct sf_hec_acks *acks, uint64_t ack_id, uint64_t max_seq);
/* Removes every request whose 200 came before |cutoff_ms| (|cutoff_ms| < INT64_MAX), or all of
 * them (INT64_MAX), handing each to |fn|, which must not touch |acks|. Returns how many. */
size_t sf_hec_acks_take_expired(struct sf_hec_acks *acks,
                                int64_t cutoff_ms,
                                void (*fn)(void *ctx, struct sf_hec_request *req),
                                void *ctx);
/* {"acks":[id,...]} with up to |max_ids| pending ids, oldest first. */
sf_err sf_hec_acks_query(const struct sf_hec_acks *acks, size_t max_ids, struct sf_buf *out);

/* ---------------------------------------------------------------------------------------- */
/* hec_health.c                                                                              */

enum sf_hec_health_verdict {
    SF_HEC_HEALTH_OK,            /* 200 code 17 */
    SF_HEC_HEALTH_UNHEALTHY,     /* 503 codes 18/19/20 (or 23) */
    SF_HEC_HEALTH_REFUSED,       /* connection refused: nothing listens there */
    SF_HEC_HEALTH_NO_REPLY,      /* closed without an answer: http against an https port */
    SF_HEC_HEALTH_TLS_PLAIN,     /* https against a plain-http port */
    SF_HEC_HEALTH_TLS_UNTRUSTED, /* certificate chain not trusted */
    SF_HEC_HEALTH_TLS_NAME,      /* certificate does not name the host */
    SF_HEC_HEALTH_TLS_OTHER,     /* other TLS failure (expired, files unreadable) */
    SF_HEC_HEALTH_RESOLVE,       /* host name unknown */
    SF_HEC_HEALTH_TIMEOUT,       /* no answer in time */
    SF_HEC_HEALTH_TOKEN,         /* 400 codes 21/22, 401, 403 */
    SF_HEC_HEALTH_NOT_HEC,       /* 404, 3xx: wrong port or path */
    SF_HEC_HEALTH_PROXY,         /* the HTTP proxy refused the CONNECT or cannot be reached */
    SF_HEC_HEALTH_OTHER,
};

/* Turns the outcome of GET /services/collector/health/1.0 into a verdict and a sentence for
 * the operator in |msg| naming |hostport| (never the token). |curl_error| is curl's error
 * buffer ("" when none); |status|, |body| the HTTP answer when |cc| is CURLE_OK. Pure. */
enum sf_hec_health_verdict sf_hec_health_classify(bool is_https,
                                                  const char *hostport,
                                                  CURLcode cc,
                                                  const char *curl_error,
                                                  long status,
                                                  const uint8_t *body,
                                                  size_t len,
                                                  char *msg,
                                                  size_t msg_size);
const char *sf_hec_health_verdict_name(enum sf_hec_health_verdict verdict);
struct sf_hec_sink;
struct sf_hec_endpoint;
/* Runs the check for |hs|'s first endpoint now (synchronous, at most ~10 s) and classifies it. */
enum sf_hec_health_verdict
sf_hec_health_probe(const struct sf_hec_sink *hs, char *msg, size_t msg_size);
/* The same for endpoint |ep| of |hs|. */
enum sf_hec_health_verdict sf_hec_health_probe_ep(const struct sf_hec_sink *hs,
                                                  const struct sf_hec_endpoint *ep,
                                                  char *msg,
                                                  size_t msg_size);
/* Sets |easy| up for a health GET of |ep| (bounded: connect <= 5 s, total <= 10 s). */
void sf_hec_health_setup(const struct sf_hec_sink *hs,
                         const struct sf_hec_endpoint *ep,
                         CURL *easy,
                         struct sf_buf *resp,
                         char *errbuf);

/* ---------------------------------------------------------------------------------------- */
/* hec_sink.c / hec_react.c / hec_http.c: the sink                                          */

struct sf_hec_endpoint;

enum sf_hec_slot_kind {
    SF_HEC_SLOT_DATA,  /* POSTs events */
    SF_HEC_SLOT_ACK,   /* POSTs ack queries */
    SF_HEC_SLOT_PROBE, /* GETs the health endpoint of an endpoint taken out */
};

/* One request's curl transfer and its reused buffers. */
struct sf_hec_slot {
    CURL *easy;
    struct sf_hec_endpoint *ep; /* where it sends; fixed at start */
    enum sf_hec_slot_kind kind;
    struct sf_hec_request *req; /* NULL: idle */
    struct sf_buf body;         /* the raw body when the request spans several batches */
    struct sf_buf gz;           /* the compressed body */
    struct sf_buf resp;         /* the answer, up to its max */
    bool is_gzip;
    /* Data slots with a memory budget (hec_sink.c): |body| and |gz| never grow past what is
     * charged. The first slot of each endpoint keeps |base| charged for good, so a request
     * can always go; the others charge it when they start one and give it back when idle. */
    size_t charged;
    bool is_floor;
    int64_t last_used_ms;
    char errbuf[CURL_ERROR_SIZE];
};

/* ---------------------------------------------------------------------------------------- */
/* hec_endpoint.c: several endpoints (output.hec.urls)                                       */

/* An endpoint's place in the take-out state machine:
 *   UP --failure--> OUT --probe due--> PROBING --healthy--> UP
 *                    ^                    |
 *                    +----not healthy-----+   (the wait before each probe doubles)
 * Only UP endpoints get new requests. A single endpoint is never taken out: the sink's gate
 * and backoff (flow control) do that job, as before several endpoints existed. */
enum sf_hec_ep_phase {
    SF_HEC_EP_UP,
    SF_HEC_EP_OUT,     /* waiting for probe_ms */
    SF_HEC_EP_PROBING, /* the health GET is on the wire */
};

struct sf_hec_ep_health {
    enum sf_hec_ep_phase phase;
    int n_out;                 /* data requests on the wire to it now */
    int64_t probe_ms;          /* OUT: when the next probe starts */
    int64_t out_ms;            /* when it was taken out */
    struct sf_backoff backoff; /* reset only by a data request it confirmed */
};

/* Counters of one endpoint (metrics), written by the sink thread, read by anyone. */
struct sf_hec_ep_counters {
    atomic_uint_fast64_t requests, errors_transport, errors_throttled, errors_server, errors_other,
        resends, resent_events, takeouts, probes, outstanding, ack_pending;
    atomic_bool is_healthy;
};

struct sf_hec_endpoint {
    struct sf_hec_sink *hs; /* its sink */
    struct sf_hec_ep_health health;
    char *url_full; /* as configured: where data goes */
    char *url;      /* the same without user:password@ and query, for messages */
    char *ack_url;
    char *health_url;
    char hostport[300]; /* "host:port", for messages and the metrics label */
    bool is_https;
    /* The proxy for this URL (util/proxy.h: NO_PROXY may exempt one endpoint and not
     * another), decided at creation: NULL when direct. |proxy| may hold a password from the
     * environment; messages use |proxy_display|. */
    char *proxy;
    char *proxy_display;
    char proxy_shown[SF_PROXY_URL_MAX + 64]; /* sf_proxy_describe: for the start-up log */
    char channel[40];                        /* its own ack channel: ackIds count per endpoint */
    struct curl_slist *headers;              /* auth, content type, channel, blank Expect */
    struct curl_slist *headers_gzip;         /* the same and Content-Encoding: gzip */
    struct sf_hec_slot *slots;               /* its max_in_flight data slots, within hs->slots */
    struct sf_hec_slot ack_slot;
    bool is_ack_busy;
    struct sf_hec_slot probe_slot;
    struct sf_hec_acks acks; /* only this endpoint's answers confirm these */
    int64_t next_ack_poll_ms;
    int64_t ack_repeat_ms;  /* when an ackId last came again while held; 0: never */
    uint64_t ack_query_seq; /* ack_seq when the ack query on the wire was built */
    unsigned ack_strikes;   /* ack queries refused in a row by a 4xx that is not code 14 */
    struct sf_hec_ep_counters stats;
};

void sf_hec_ep_health_init(struct sf_hec_ep_health *h, int64_t probe_max_ms);
/* The UP endpoint of |eps| with the fewest requests on the wire, below |max_out|; among
 * equals the first after *|rr| (round robin), which becomes the new *|rr|. -1: none. */
int sf_hec_ep_choose(const struct sf_hec_endpoint *eps, size_t n, int max_out, size_t *rr);
/* UP -> OUT, the first probe after the backoff (at least |retry_after_ms|). False (nothing
 * changed) when it was already out: answers to requests sent before say nothing new. */
bool sf_hec_ep_take_out(struct sf_hec_ep_health *h, int64_t now_ms, int64_t retry_after_ms);
/* OUT and probe_ms reached: true (the caller starts the probe and calls ..._probing). Else
 * lowers *|wake_ms| to when one will be due. */
bool sf_hec_ep_probe_due(const struct sf_hec_ep_health *h, int64_t now_ms, int64_t *wake_ms);
void sf_hec_ep_probing(struct sf_hec_ep_health *h);
/* PROBING -> UP when |is_up|, else -> OUT with a longer wait. Returns |is_up|. */
bool sf_hec_ep_probe_done(struct sf_hec_ep_health *h, bool is_up, int64_t now_ms);
/* A data request it answered was confirmed: the next take-out waits from the base again. */
void sf_hec_ep_success(struct sf_hec_ep_health *h);
/* Whether a health verdict lets an endpoint back in: healthy, and answers that show HEC is
 * there but not what the data path will find (token, TLS, not HEC: it pauses with the right
 * message). Unhealthy, refused, no reply, timeout, DNS and the rest keep it out. */
bool sf_hec_ep_verdict_is_up(enum sf_hec_health_verdict verdict);

/* Counters, written by the sink thread, read by anyone (sf_hec_sink_get_stats). */
struct sf_hec_counters {
    atomic_uint_fast64_t requests_ok, requests_retried, requests_transport_errors,
        requests_throttled, requests_split, requests_partial, requests_rejected, requests_refused,
        ack_queries, ack_timeouts, ack_id_repeats, ack_resent_events, events_sent, events_confirmed,
        events_dead_lettered, bytes_raw, bytes_sent, retries, batches_delivered,
        batches_undelivered, in_flight, ack_pending, max_body_bytes, requests_done,
        request_us_total;
    atomic_bool is_paused, is_ack_on, is_gzip_on;
};

/* One (status, code) pair's log rate limit: one line per SF_HEC_LOG_EVERY_MS with counts. */
#define SF_HEC_LOG_EVERY_MS 10000
#define SF_HEC_LOG_KEYS     32
struct sf_hec_log_key {
    long status; /* HTTP status, or -curl code for transfers without an answer */
    int code;
    int64_t last_ms;
    unsigned n_suppressed;
};

struct sf_hec_sink {
    struct sf_sink *sink;
    struct sf_budget *budget; /* NULL: request buffers are not charged (tests) */
    size_t slot_base;         /* a data slot's body and gzip buffer limits, together */
    /* settings */
    struct sf_hec_endpoint *eps; /* one per configured URL, made at new; never reallocated */
    size_t n_eps;
    bool is_multi; /* n_eps > 1: failing endpoints are taken out instead of gating all */
    char *ca_file, *client_cert, *client_key;
    bool ssl_verify;
    long timeout_ms, connect_timeout_ms;
    size_t cfg_max_body;
    size_t max_events;
    int64_t linger_ms;
    size_t gzip_min_bytes;
    int max_in_flight;
    int64_t ack_poll_ms, ack_timeout_ms, retry_max_ms, auth_retry_ms;
    bool health_check;
    char *proxy_credentials; /* secret "user:password" for every endpoint's proxy */

    /* threads */
    CURLM *multi;
    struct sf_bqueue inbox;
    pthread_t thread;
    bool has_thread;
    bool is_started;
    atomic_llong stop_deadline_ms; /* 0 while running */

    /* sink-thread state */
    struct sf_hec_slot *slots; /* max_in_flight per endpoint, endpoint by endpoint */
    int n_slots;
    int n_busy;
    size_t rr; /* the endpoint chosen last: ties go to the next one */
    struct sf_hec_batcher batcher;
    struct sf_hec_queue retry; /* requests to send before any new line */
    struct sf_hec_queue dead;  /* requests whose lines wait for the dead-letter write */
    struct sf_hec_gzip gzip;
    struct sf_hec_chunk *chunks; /* scratch for gzip input */
    size_t cap_chunks;
    struct sf_dead_letter *dead_letter;
    struct sf_buf dl_pending; /* formatted dead-letter lines not yet on disk */
    size_t dl_written;        /* of them, bytes already written */
    int64_t dl_retry_ms;      /* 0: none scheduled */
    unsigned dl_failures;

    /* flow control (docs/protocol/hec.md §Retry classes, §Sender design): on a failure the gate
     * closes for a backoff and the concurrency limit drops to 1 (a probe); each success sent after
     * the failure reopens one more slot. */
    int limit;
    int max_limit; /* max_in_flight for each endpoint */
    int64_t gate_ms;
    struct sf_backoff retry_backoff; /* full jitter, base SF_HEC_RETRY_BASE_MS */
    int64_t last_fail_ms;
    bool is_paused;
    int64_t paused_ms;
    unsigned index_strikes; /* consecutive code 7 refusals of event 0 */
    bool is_ack_on;
    bool is_gzip_on;
    bool has_warned_no_ack_id;
    bool has_warned_not_json;
    uint64_t ack_seq; /* the last ack_seq given to a request (any endpoint) */
    size_t max_body;  /* learned: lowered by 413 */
    struct sf_hec_log_key log_keys[SF_HEC_LOG_KEYS];
    struct sf_hec_counters stats;
};

#define SF_HEC_STAT_SET(hs, field, v) \
    atomic_store_explicit(&(hs)->stats.field, (v), memory_order_relaxed)
#define SF_HEC_STAT_ADD(hs, field, n) \
    atomic_fetch_add_explicit(&(hs)->stats.field, (n), memory_order_relaxed)

/* hec_http.c */
/* The ack and health URLs of |url| (docs/protocol/hec.md §Endpoints): its path from
 * "/services/collector" on (or the whole path when it has none) replaced; query dropped. Also
 * "host:port" and the scheme. */
sf_err sf_hec_http_urls(const char *url,
                        char **ack_url,
                        char **health_url,
                        char *hostport,
                        size_t hostport_size,
                        bool *is_https,
                        char *errbuf,
                        size_t errbuf_size);
/* A random UUIDv4 (RFC 4122) in |out| (>= 37 bytes). */
void sf_hec_http_channel(char *out, size_t out_size);
/* The headers every request carries; the token only ever lives in this list. */
struct curl_slist *sf_hec_http_headers(const char *token, const char *channel, bool is_gzip);
/* Options every HEC transfer shares: TLS, timeouts, no redirects, no signals, HTTP/1.1, the
 * response collected into |resp|. */
void sf_hec_http_setup(const struct sf_hec_sink *hs,
                       const struct sf_hec_endpoint *ep,
                       CURL *easy,
                       struct sf_buf *resp,
                       char *errbuf);
/* Decides the proxy for |ep|'s URL from `output.hec.proxy` or the environment
 * (sf_hec_sink_proxy with environ) and keeps it in |ep|. SF_ERR_CONFIG with |errbuf| naming
 * the key or variable. */
sf_err sf_hec_http_proxy_init(struct sf_hec_endpoint *ep,
                              const struct sf_config_hec *cfg,
                              char *errbuf,
                              size_t errbuf_size);
void sf_hec_http_proxy_free(struct sf_hec_endpoint *ep);
/* After a transfer through |ep|'s proxy failed with |cc|: when the proxy is at fault (it
 * refused the CONNECT, or cannot be reached), |errbuf| (curl's, CURL_ERROR_SIZE) is replaced
 * by a sentence naming the proxy, never the target's answer nor the proxy's credentials:
 * "proxy http://127.0.0.1:8888 refused CONNECT to 127.0.0.1:8088: 407 Proxy Authentication
 * Required". The failure stays a transport error: retried, never dead-lettered. */
void sf_hec_http_proxy_explain(const struct sf_hec_endpoint *ep,
                               CURL *easy,
                               CURLcode cc,
                               char *errbuf);
/* A sentence on what a transfer failure usually means
 * (docs/protocol/hec.md §Lessons from other senders: clear errors), "" when none. */
const char *sf_hec_http_hint(CURLcode cc, const char *curl_error, bool is_https);

/* hec_react.c */
void sf_hec_react_done(struct sf_hec_sink *hs, struct sf_hec_slot *slot, CURLcode cc);
void sf_hec_react_ack_done(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep, CURLcode cc);
/* Resends requests of |ep| whose ack did not come within ack_timeout. */
void sf_hec_react_ack_tick(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep, int64_t now_ms);
/* The health GET of an endpoint taken out finished: put it back, or wait longer. */
void sf_hec_react_probe_done(struct sf_hec_sink *hs, struct sf_hec_endpoint *ep, CURLcode cc);
/* Several endpoints: takes |ep| out (when it is up) after a failure, and sends what it has
 * not confirmed (requests waiting for its ack) to the others. |why| for the log. */
void sf_hec_react_take_out(struct sf_hec_sink *hs,
                           struct sf_hec_endpoint *ep,
                           int64_t now_ms,
                           int64_t retry_after_ms,
                           const char *why);
/* Writes waiting dead letters; on success their lines count as confirmed. */
void sf_hec_react_flush_dead(struct sf_hec_sink *hs, int64_t now_ms);
/* The batcher's done hook: counts the batch and settles the sink's hold as delivered. */
void sf_hec_react_delivered(void *ctx, struct sf_batch_entry *hold);

/* ---------------------------------------------------------------------------------------- */
/* dead_letter.c                                                                             */

struct sf_dead_letter *sf_dead_letter_new(const char *path);
void sf_dead_letter_free(struct sf_dead_letter *dl);
/* Appends to |out| one NDJSON record for |event| (one JSON value, whitespace around it is
 * ignored; a line that is not JSON is kept as a string and flagged):
 * {"time_dead":…,"status":…,"code":…,"text":…,"source":…,"shard":…,"cursor":…,"event":…} */
sf_err sf_dead_letter_format(struct sf_buf *out,
                             time_t time_dead,
                             long status,
                             int code,
                             const char *text,
                             const struct sf_batch *batch,
                             const uint8_t *event,
                             size_t len);
/* Appends |data| from |*written| on to the file (opened on first use: O_APPEND, 0640) and
 * fsyncs it; |*written| advances with what write(2) took, and drops to 0 after a failed fsync
 * (the kernel may have discarded the pages: all of it is written again). SF_ERR_IO (errno set)
 * on failure: the caller tries again later with the same |data| and |*written|. */
sf_err
sf_dead_letter_write(struct sf_dead_letter *dl, const uint8_t *data, size_t len, size_t *written);
const char *sf_dead_letter_path(const struct sf_dead_letter *dl);

#endif
