/* The Splunk HTTP Event Collector sink (docs/protocol/hec.md): batches' NDJSON lines become
 * POSTs of whole events, sent by one thread over a pool of keep-alive connections, with gzip,
 * retries that never give up on transient errors, splitting on 413 and invalid-event-number,
 * a dead-letter file for events Splunk refuses, a pause while the token is refused, and
 * optional indexer acknowledgement. A batch counts as delivered only when every one of its
 * events is confirmed (2xx, or ack true) or dead-lettered. docs/internals/sink.md.
 * sf_hec_sink_get_stats may be called from any thread; the rest follows sink.h. */
#ifndef SF_SINK_HEC_SINK_H
#define SF_SINK_HEC_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "pipeline/budget.h"
#include "sink/sink.h"
#include "util/proxy.h"

/* Counters since the sink was made (requests by class, events, bytes) and gauges (now). */
struct sf_hec_sink_stats {
    uint64_t requests_ok;               /* 2xx answers */
    uint64_t requests_retried;          /* transient failures sent again: transport, 408, 429, 5xx,
                                         * 4xx that are not HEC refusing events */
    uint64_t requests_transport_errors; /* of which: no HTTP answer */
    uint64_t requests_throttled;        /* of which: 429 and 503 */
    uint64_t requests_split;            /* 413 or an unnamed per-event refusal: halved */
    uint64_t requests_partial;          /* per-event refusal: split at invalid-event-number */
    uint64_t requests_rejected;         /* one event HEC refused by code (or alone over 413) */
    uint64_t requests_refused;          /* 401/403, 3xx, 404, configuration codes: paused */
    uint64_t ack_queries;               /* POSTs to /services/collector/ack */
    uint64_t ack_timeouts;              /* requests sent again for want of an ack */
    uint64_t ack_id_repeats;            /* an ackId given out again while a request held it */
    uint64_t ack_resent_events;         /* events sent again because their ack timed out, was
                                         * ambiguous or was abandoned: possible duplicates */
    uint64_t events_sent;               /* events put on the wire, every attempt counted */
    uint64_t events_confirmed;          /* 2xx, or ack true in ack mode */
    uint64_t events_dead_lettered;      /* written to the dead-letter file */
    uint64_t bytes_raw;                 /* request bodies before gzip, every attempt counted */
    uint64_t bytes_sent;                /* the same after gzip */
    uint64_t retries;                   /* attempts beyond a request's first, any cause */
    uint64_t batches_delivered;
    uint64_t batches_undelivered; /* handed back at stop */
    uint64_t in_flight;           /* requests on the wire now */
    uint64_t ack_pending;         /* requests waiting for their ack now */
    uint64_t max_body_bytes;      /* body limit now: the configured one, or what 413s taught */
    uint64_t requests_done;       /* data requests that finished, any outcome */
    uint64_t request_us_total;    /* their summed duration (connect to last byte), microseconds */
    bool is_paused;               /* the token or the configuration is refused */
    bool is_ack_on;
    bool is_gzip_on;
};

/* One endpoint's counters (output.hec.urls; a single url is endpoint 0) and gauges. */
struct sf_hec_endpoint_stats {
    char endpoint[300];        /* "host:port": no user, password, path or query */
    uint64_t requests;         /* data POSTs sent to it, every attempt counted */
    uint64_t errors_transport; /* no HTTP answer: refused, reset, timeout, DNS */
    uint64_t errors_throttled; /* 429 and 503 */
    uint64_t errors_server;    /* other 5xx */
    uint64_t errors_other;     /* other answers retried as transient (408, a proxy's 4xx) */
    uint64_t resends;          /* requests it did not confirm, sent again (to the others) */
    uint64_t resent_events;    /* their events */
    uint64_t takeouts;         /* times it was taken out (several endpoints only) */
    uint64_t probes;           /* health GETs while it was out */
    uint64_t outstanding;      /* data requests on the wire to it now */
    uint64_t ack_pending;      /* its requests waiting for their indexer ack now */
    bool is_healthy;           /* false while taken out */
};

/* Creates a stopped HEC sink for |cfg| (url final, with its path, or urls; token set); |cfg|
 * may be freed afterwards. sf_sink_start runs the health check (when enabled: synchronous, a few
 * seconds at most, problems logged with advice, never fatal) and starts the thread.
 * SF_ERR_CONFIG with a sentence in |errbuf| when the URL cannot be used. */
sf_err sf_hec_sink_new(const struct sf_config_hec *cfg,
                       struct sf_sink **out,
                       char *errbuf,
                       size_t errbuf_size);

/* Charges the request buffers of |sink| (from sf_hec_sink_new, not started) to |budget|
 * (category hec_requests; docs/internals/pipeline.md): each endpoint's first slot keeps room for
 * one request for good, other slots charge theirs when they start a request and give it back
 * after IDLE_TRIM_MS idle; a slot that cannot charge waits. |budget| must outlive the sink. */
void sf_hec_sink_set_budget(struct sf_sink *sink, struct sf_budget *budget);

/* |sink| must come from sf_hec_sink_new. Any thread. */
void sf_hec_sink_get_stats(struct sf_sink *sink, struct sf_hec_sink_stats *out);
/* How many endpoints |sink| sends to (fixed at new; >= 1). Any thread. */
size_t sf_hec_sink_n_endpoints(struct sf_sink *sink);
/* Endpoint |i|'s counters, i < sf_hec_sink_n_endpoints. Any thread. */
void sf_hec_sink_get_endpoint_stats(struct sf_sink *sink,
                                    size_t i,
                                    struct sf_hec_endpoint_stats *out);

/* The HTTP proxy for |url|, one of |cfg|'s (util/proxy.h): `output.hec.proxy` when set,
 * else the environment |env| (environ-style; the sink itself reads environ). SF_ERR_CONFIG
 * with |errbuf| naming the key or variable at fault. */
sf_err sf_hec_sink_proxy(const struct sf_config_hec *cfg,
                         const char *url,
                         char *const *env,
                         struct sf_proxy *out,
                         char *errbuf,
                         size_t errbuf_size);

/* `slsfwd check`: probes /services/collector/health/1.0 with the token of |cfg| once (each
 * endpoint of urls) and puts a sentence for the operator in |msg| (never the token). True when
 * HEC is healthy (every endpoint) and takes the token. Synchronous, at most ~10 s. */
bool sf_hec_sink_check(const struct sf_config_hec *cfg, char *msg, size_t msg_size);

#endif
