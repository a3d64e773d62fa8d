#include "app/observe.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SF_LOG_MODULE "app"

#include "app/syslog_output.h"
#include "metrics/metrics.h"
#include "sink/hec_sink.h"
#include "sink/syslog_sink.h"
#include "util/alloc.h"
#include "util/banned.h"
#include "util/log.h"

/* One Prometheus family per row; the visitor fills the samples source by source. */
struct family {
    const char *name;
    const char *type;
    const char *help;
};

static const struct family source_families[] = {
    {"slsfwd_events_in_total", "counter", "Logs pulled from SLS. Unit: logs."},
    {"slsfwd_events_out_total", "counter",
     "Logs the outputs confirmed (every configured output). Unit: logs."},
    {"slsfwd_pulled_bytes_total", "counter",
     "Log data pulled from SLS (kind=raw: decompressed, kind=wire: as received). Unit: bytes."},
    {"slsfwd_pulls_total", "counter", "PullLogs calls. Unit: calls."},
    {"slsfwd_pull_errors_total", "counter",
     "Failed PullLogs calls by error; each is retried. Unit: calls."},
    {"slsfwd_checkpoint_commits_total", "counter", "Checkpoints committed. Unit: commits."},
    {"slsfwd_cursor_resets_total", "counter",
     "Checkpoints that pointed into expired data (data lost to retention). Unit: resets."},
    {"slsfwd_rebalances_total", "counter", "Shards granted or revoked. Unit: shards."},
    {"slsfwd_heartbeats_total", "counter", "Consumer-group heartbeats sent. Unit: heartbeats."},
    {"slsfwd_heartbeat_failures_total", "counter", "Heartbeats that failed. Unit: heartbeats."},
    {"slsfwd_source_joined", "gauge",
     "1 when the source is in its consumer group, else 0. Unit: boolean."},
    {"slsfwd_credentials_info", "gauge",
     "1, with the credential provider in use (static, env, oidc_role_arn, profile, file, "
     "ecs_ram_role, ram_role_arn). Unit: constant 1."},
    {"slsfwd_credentials_expiry_timestamp_seconds", "gauge",
     "Unix time at which the current credentials expire; 0 when they do not. Unit: seconds "
     "since the epoch."},
    {"slsfwd_credentials_refreshes_total", "counter",
     "Credential fetches after the first, by result (ok, error). Unit: fetches."},
    {"slsfwd_credentials_refresh_failing", "gauge",
     "1 while the last credential refresh failed (the previous credentials are kept), else 0. "
     "Unit: boolean."},
    {"slsfwd_events_filtered_total", "counter",
     "Logs the source's client-side filters dropped (filters.keep_if, filters.drop_if): counted "
     "in events_in, never sent, delivered for the checkpoint. Unit: logs."},
    {"slsfwd_shard_events_out_total", "counter",
     "Logs confirmed per shard since it was granted. Unit: logs."},
    {"slsfwd_shard_pulled_bytes_total", "counter",
     "Log data pulled per shard since it was granted, decompressed. Unit: bytes."},
    {"slsfwd_shard_lag_seconds", "gauge",
     "Age of the newest confirmed log of the shard; 0 when caught up, -1 when unknown. Unit: "
     "seconds."},
    {"slsfwd_shard_checkpoint_age_seconds", "gauge",
     "Time since the shard's last commit. Unit: seconds."},
    {"slsfwd_shard_in_flight_batches", "gauge",
     "Batches of the shard waiting for the outputs. Unit: batches."},
};

#define FIRST_SHARD_FAMILY 16 /* rows from here on have one sample per shard */

struct collect {
    struct sf_buf *out;
    size_t family; /* index into source_families being written */
};

static void shard_samples(const struct sf_coord_source_view *src,
                          const char *source,
                          size_t family,
                          struct sf_buf *out)
{
    for (size_t i = 0; i < src->n_shards; i++) {
        const struct sf_coord_shard_view *shard = &src->shards[i];
        char labels[256];
        snprintf(labels, sizeof(labels), "source=\"%s\",shard=\"%d\"", source, shard->shard_id);
        double values[] = {(double)shard->events_delivered, (double)shard->raw_bytes,
                           (double)shard->lag_s, (double)shard->checkpoint_age_s,
                           (double)shard->n_inflight};
        sf_metrics_sample(out, source_families[family].name, labels,
                          values[family - FIRST_SHARD_FAMILY]);
    }
}

static void
error_samples(const struct sf_coord_source_view *src, const char *source, struct sf_buf *out)
{
    for (int e = 1; e < SF_ERR__COUNT; e++) {
        if (src->errors[e]) {
            char labels[256];
            snprintf(labels, sizeof(labels), "source=\"%s\",error=\"%s\"", source,
                     sf_err_name((sf_err)e));
            sf_metrics_sample(out, "slsfwd_pull_errors_total", labels, (double)src->errors[e]);
        }
    }
}

static void visit(void *ctx, const struct sf_coord_source_view *src)
{
    struct collect *c = ctx;
    char source[160], labels[256];
    sf_metrics_label(source, sizeof(source), src->name);
    snprintf(labels, sizeof(labels), "source=\"%s\"", source);
    const struct sf_coord_stats *s = &src->stats;
    const char *name = source_families[c->family].name;
    switch (c->family) {
    case 0:
        sf_metrics_sample(c->out, name, labels, (double)s->events_fetched);
        break;
    case 1:
        sf_metrics_sample(c->out, name, labels, (double)s->events_delivered);
        break;
    case 2: {
        char raw[300], wire[300];
        snprintf(raw, sizeof(raw), "%s,kind=\"raw\"", labels);
        snprintf(wire, sizeof(wire), "%s,kind=\"wire\"", labels);
        sf_metrics_sample(c->out, name, raw, (double)s->raw_bytes_fetched);
        sf_metrics_sample(c->out, name, wire, (double)s->wire_bytes_fetched);
        break;
    }
    case 3:
        sf_metrics_sample(c->out, name, labels, (double)s->pulls);
        break;
    case 4:
        error_samples(src, source, c->out);
        break;
    case 5:
        sf_metrics_sample(c->out, name, labels, (double)s->checkpoints_committed);
        break;
    case 6:
        sf_metrics_sample(c->out, name, labels, (double)s->cursor_resets);
        break;
    case 7:
        sf_metrics_sample(c->out, name, labels, (double)s->rebalances);
        break;
    case 8:
        sf_metrics_sample(c->out, name, labels, (double)s->heartbeats);
        break;
    case 9:
        sf_metrics_sample(c->out, name, labels, (double)s->heartbeat_failures);
        break;
    case 10:
        sf_metrics_sample(c->out, name, labels, src->is_joined ? 1 : 0);
        break;
    case 11: {
        char info[300];
        snprintf(info, sizeof(info), "%s,provider=\"%s\"", labels,
                 sf_cred_provider_name(src->credentials.provider));
        sf_metrics_sample(c->out, name, info, 1);
        break;
    }
    case 12:
        sf_metrics_sample(c->out, name, labels, (double)src->credentials.expiration);
        break;
    case 13: {
        char ok[300], error[300];
        snprintf(ok, sizeof(ok), "%s,result=\"ok\"", labels);
        snprintf(error, sizeof(error), "%s,result=\"error\"", labels);
        sf_metrics_sample(c->out, name, ok, (double)src->credentials.refreshes);
        sf_metrics_sample(c->out, name, error, (double)src->credentials.failures);
        break;
    }
    case 14:
        sf_metrics_sample(c->out, name, labels, src->credentials.failing ? 1 : 0);
        break;
    case 15:
        sf_metrics_sample(c->out, name, labels, (double)s->events_filtered);
        break;
    default:
        shard_samples(src, source, c->family, c->out);
        break;
    }
}

/* The memory budget and who holds it (pipeline/budget.h, docs/internals/pipeline.md). */
static void memory_samples(const struct sf_budget *budget, struct sf_buf *out)
{
    sf_metrics_family(out, "slsfwd_memory_budget_bytes", "gauge",
                      "limits.max_buffered_bytes: what everything that grows with data or "
                      "shards is charged to. Unit: bytes.");
    sf_metrics_sample(out, "slsfwd_memory_budget_bytes", "", (double)sf_budget_limit(budget));
    sf_metrics_family(out, "slsfwd_memory_charged_bytes", "gauge",
                      "Bytes charged to the memory budget now, by category; the sum never "
                      "exceeds slsfwd_memory_budget_bytes. Unit: bytes.");
    for (int c = 0; c < SF_BUDGET__COUNT; c++) {
        char labels[64];
        snprintf(labels, sizeof(labels), "category=\"%s\"",
                 sf_budget_category_name((enum sf_budget_category)c));
        sf_metrics_sample(out, "slsfwd_memory_charged_bytes", labels,
                          (double)sf_budget_charged(budget, (enum sf_budget_category)c));
    }
    sf_metrics_family(out, "slsfwd_memory_charged_peak_bytes", "gauge",
                      "Highest sum of slsfwd_memory_charged_bytes since the start. Unit: bytes.");
    sf_metrics_sample(out, "slsfwd_memory_charged_peak_bytes", "", (double)sf_budget_peak(budget));
    sf_metrics_family(
        out, "slsfwd_memory_budget_waits_total", "counter",
        "Charges that had to wait for room (pulls held back by the budget). Unit: waits.");
    sf_metrics_sample(out, "slsfwd_memory_budget_waits_total", "", (double)sf_budget_waits(budget));
}

void sf_observe_collect(struct sf_coord *coord, struct sf_buf *out)
{
    struct collect c = {.out = out};
    for (c.family = 0; c.family < sizeof(source_families) / sizeof(source_families[0]);
         c.family++) {
        const struct family *f = &source_families[c.family];
        sf_metrics_family(out, f->name, f->type, f->help);
        sf_coord_visit(coord, visit, &c);
    }
    struct sf_coord_stats stats;
    sf_coord_get_stats(coord, &stats);
    sf_metrics_family(out, "slsfwd_buffered_bytes", "gauge",
                      "Log data held in memory against limits.max_buffered_bytes. Unit: bytes.");
    sf_metrics_sample(out, "slsfwd_buffered_bytes", "", (double)stats.buffered_bytes);
    sf_metrics_family(out, "slsfwd_buffered_peak_bytes", "gauge",
                      "Highest slsfwd_buffered_bytes since the start. Unit: bytes.");
    sf_metrics_sample(out, "slsfwd_buffered_peak_bytes", "", (double)stats.max_buffered_bytes);
    memory_samples(sf_coord_budget(coord), out);
}

struct sf_observe {
    const struct sf_config *config;
    struct sf_coord *coord;
    struct sf_sink *sink;
    struct sf_sink *syslog_sink;
    struct sf_metrics *metrics;
};

static void counter(struct sf_buf *out, const char *name, const char *help, uint64_t value)
{
    sf_metrics_family(out, name, "counter", help);
    sf_metrics_sample(out, name, "", (double)value);
}

static void gauge(struct sf_buf *out, const char *name, const char *help, double value)
{
    sf_metrics_family(out, name, "gauge", help);
    sf_metrics_sample(out, name, "", value);
}

/* One family with one sample per HEC endpoint (label endpoint="host:port"). */
struct hec_ep_metric {
    const char *name;
    const char *type;
    const char *help;
    size_t offset; /* of a uint64_t in struct sf_hec_endpoint_stats; SIZE_MAX: is_healthy */
};

#define EP_FIELD(f) offsetof(struct sf_hec_endpoint_stats, f)
static const struct hec_ep_metric hec_ep_metrics[] = {
    {"slsfwd_hec_endpoint_requests_total", "counter",
     "Data requests sent to the endpoint, every attempt. Unit: requests.", EP_FIELD(requests)},
    {"slsfwd_hec_endpoint_resends_total", "counter",
     "Requests the endpoint did not confirm (failed, or taken out before their ack), sent "
     "again. Unit: requests.",
     EP_FIELD(resends)},
    {"slsfwd_hec_endpoint_resent_events_total", "counter",
     "Events of those requests: possible duplicates when the endpoint had answered 200. Unit: "
     "events.",
     EP_FIELD(resent_events)},
    {"slsfwd_hec_endpoint_takeouts_total", "counter",
     "Times the endpoint was taken out after a failure. Unit: takeouts.", EP_FIELD(takeouts)},
    {"slsfwd_hec_endpoint_probes_total", "counter",
     "Health checks of the endpoint while it was out. Unit: probes.", EP_FIELD(probes)},
    {"slsfwd_hec_endpoint_healthy", "gauge",
     "1 while the endpoint gets requests, 0 while out. Unit: boolean.", SIZE_MAX},
    {"slsfwd_hec_endpoint_outstanding", "gauge",
     "Data requests on the wire to the endpoint. Unit: requests.", EP_FIELD(outstanding)},
    {"slsfwd_hec_endpoint_ack_pending", "gauge",
     "The endpoint's requests waiting for their indexer ack. Unit: requests.",
     EP_FIELD(ack_pending)},
};

static void hec_endpoints_collect(struct sf_sink *sink, struct sf_buf *out)
{
    size_t n = sf_hec_sink_n_endpoints(sink);
    struct sf_hec_endpoint_stats *eps = sf_xcalloc(n, sizeof(*eps));
    char(*labels)[400] = sf_xcalloc(n, sizeof(*labels));
    for (size_t i = 0; i < n; i++) {
        sf_hec_sink_get_endpoint_stats(sink, i, &eps[i]);
        char value[320];
        sf_metrics_label(value, sizeof(value), eps[i].endpoint);
        snprintf(labels[i], sizeof(labels[i]), "endpoint=\"%s\"", value);
    }
    for (size_t m = 0; m < sizeof(hec_ep_metrics) / sizeof(hec_ep_metrics[0]); m++) {
        const struct hec_ep_metric *metric = &hec_ep_metrics[m];
        sf_metrics_family(out, metric->name, metric->type, metric->help);
        for (size_t i = 0; i < n; i++) {
            double v = metric->offset == SIZE_MAX
                           ? (eps[i].is_healthy ? 1.0 : 0.0)
                           : (double)*(const uint64_t *)((const char *)&eps[i] + metric->offset);
            sf_metrics_sample(out, metric->name, labels[i], v);
        }
    }
    const char *name = "slsfwd_hec_endpoint_errors_total";
    sf_metrics_family(
        out, name, "counter",
        "Failed data requests and ack queries by class: transport (no answer), "
        "throttled (429, 503), server (other 5xx), other (408, unexplained 4xx). Unit: "
        "requests.");
    for (size_t i = 0; i < n; i++) {
        char with_class[480];
        static const char *const classes[] = {"transport", "throttled", "server", "other"};
        const uint64_t values[] = {eps[i].errors_transport, eps[i].errors_throttled,
                                   eps[i].errors_server, eps[i].errors_other};
        for (size_t c = 0; c < 4; c++) {
            snprintf(with_class, sizeof(with_class), "%s,class=\"%s\"", labels[i], classes[c]);
            sf_metrics_sample(out, name, with_class, (double)values[c]);
        }
    }
    free(labels);
    free(eps);
}

/* The HEC sink's counters (docs/protocol/hec.md §Sender design "Metrics"). */
static void hec_collect(struct sf_sink *sink, struct sf_buf *out)
{
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(sink, &s);
    const char *name = "slsfwd_hec_requests_total";
    sf_metrics_family(out, name, "counter", "HEC requests by outcome. Unit: requests.");
    sf_metrics_sample(out, name, "outcome=\"ok\"", (double)s.requests_ok);
    sf_metrics_sample(out, name, "outcome=\"retried\"", (double)s.requests_retried);
    sf_metrics_sample(out, name, "outcome=\"throttled\"", (double)s.requests_throttled);
    sf_metrics_sample(out, name, "outcome=\"transport_error\"",
                      (double)s.requests_transport_errors);
    sf_metrics_sample(out, name, "outcome=\"split_413\"", (double)s.requests_split);
    sf_metrics_sample(out, name, "outcome=\"partial\"", (double)s.requests_partial);
    sf_metrics_sample(out, name, "outcome=\"rejected\"", (double)s.requests_rejected);
    sf_metrics_sample(out, name, "outcome=\"refused\"", (double)s.requests_refused);
    counter(out, "slsfwd_hec_retries_total", "Attempts beyond a request's first. Unit: attempts.",
            s.retries);
    counter(out, "slsfwd_hec_events_sent_total",
            "Events put on the wire, every attempt. Unit: events.", s.events_sent);
    counter(out, "slsfwd_hec_events_confirmed_total", "Events HEC confirmed. Unit: events.",
            s.events_confirmed);
    counter(out, "slsfwd_hec_events_dead_lettered_total",
            "Events HEC refused as invalid, written to the dead-letter file. Unit: events.",
            s.events_dead_lettered);
    sf_metrics_family(out, "slsfwd_hec_bytes_total", "counter",
                      "HEC request bodies (stage=raw before gzip, stage=wire after). Unit: bytes.");
    sf_metrics_sample(out, "slsfwd_hec_bytes_total", "stage=\"raw\"", (double)s.bytes_raw);
    sf_metrics_sample(out, "slsfwd_hec_bytes_total", "stage=\"wire\"", (double)s.bytes_sent);
    counter(out, "slsfwd_hec_ack_queries_total", "Indexer acknowledgement queries. Unit: queries.",
            s.ack_queries);
    counter(out, "slsfwd_hec_ack_timeouts_total",
            "Requests sent again for want of an ack. Unit: requests.", s.ack_timeouts);
    counter(out, "slsfwd_hec_ack_id_repeats_total",
            "AckIds HEC gave out again while a request held them (restart, or a channel spread "
            "over several indexers). Unit: ack ids.",
            s.ack_id_repeats);
    counter(out, "slsfwd_hec_ack_resent_events_total",
            "Events sent again because their ack timed out, was ambiguous or was given up: "
            "possible duplicates. Unit: events.",
            s.ack_resent_events);
    gauge(out, "slsfwd_hec_in_flight", "HEC requests on the wire now. Unit: requests.",
          (double)s.in_flight);
    const char *latency = "slsfwd_hec_request_duration_seconds";
    sf_metrics_family(out, latency, "summary",
                      "HEC request durations, connect to last byte. Unit: seconds.");
    sf_metrics_sample(out, "slsfwd_hec_request_duration_seconds_sum", "",
                      (double)s.request_us_total / 1e6);
    sf_metrics_sample(out, "slsfwd_hec_request_duration_seconds_count", "",
                      (double)s.requests_done);
    gauge(out, "slsfwd_hec_ack_pending", "Requests waiting for their indexer ack. Unit: requests.",
          (double)s.ack_pending);
    gauge(out, "slsfwd_hec_paused",
          "1 while HEC refuses the token or the configuration, else 0. Unit: boolean.",
          s.is_paused ? 1 : 0);
    hec_endpoints_collect(sink, out);
}

/* The syslog sink's counters. */
static void syslog_collect(struct sf_sink *sink, struct sf_buf *out)
{
    struct sf_syslog_sink_stats s;
    sf_syslog_sink_get_stats(sink, &s);
    counter(out, "slsfwd_syslog_written_bytes_total",
            "Syslog messages written to the receiver. Unit: bytes.", s.bytes_written);
    counter(out, "slsfwd_syslog_batches_delivered_total",
            "Batches whose bytes the receiver's kernel acknowledged. Unit: batches.",
            s.batches_delivered);
    counter(out, "slsfwd_syslog_reconnects_total",
            "Connections lost or refused after being up. Unit: reconnects.", s.reconnects);
    counter(out, "slsfwd_syslog_connect_errors_total",
            "Failed connection attempts. Unit: attempts.", s.connect_errors);
    counter(out, "slsfwd_syslog_resent_batches_total",
            "Batches written again after a reconnect (possible duplicates). Unit: batches.",
            s.resent_batches);
    counter(out, "slsfwd_syslog_truncated_messages_total",
            "Messages cut to fit output.syslog.max_message_size (marked, logged). Unit: messages.",
            sf_syslog_output_truncated_total());
    gauge(out, "slsfwd_syslog_unconfirmed_bytes",
          "Syslog data written but not yet acknowledged. Unit: bytes.",
          (double)s.unconfirmed_bytes);
    gauge(out, "slsfwd_syslog_connected",
          "1 while connected to the syslog receiver, else 0. Unit: boolean.",
          s.is_connected ? 1 : 0);
}

static void collect(void *ctx, struct sf_buf *out)
{
    struct sf_observe *observe = ctx;
    sf_observe_collect(observe->coord, out);
    if (observe->sink) {
        hec_collect(observe->sink, out);
    }
    if (observe->syslog_sink) {
        syslog_collect(observe->syslog_sink, out);
    }
}

static bool ready(void *ctx, struct sf_buf *why)
{
    struct sf_observe *observe = ctx;
    bool is_joined = sf_coord_is_ready(observe->coord);
    bool is_paused = false;
    if (observe->sink) {
        struct sf_hec_sink_stats s;
        sf_hec_sink_get_stats(observe->sink, &s);
        is_paused = s.is_paused;
    }
    sf_buf_append_cstr(why, !is_joined  ? "not ready: a source has not joined its consumer group\n"
                            : is_paused ? "not ready: HEC refuses the token or the configuration\n"
                                        : "ready\n");
    return is_joined && !is_paused;
}

void sf_observe_start(const struct sf_config *config,
                      struct sf_coord *coord,
                      struct sf_sink *sink,
                      struct sf_sink *syslog_sink,
                      struct sf_observe **out)
{
    *out = NULL;
    if (!config->metrics_listen || !config->metrics_listen[0]) {
        return;
    }
    struct sf_observe *observe = sf_xcalloc(1, sizeof(*observe));
    observe->config = config;
    observe->coord = coord;
    observe->sink = sink;
    observe->syslog_sink = syslog_sink;
    char errbuf[256];
    if (sf_metrics_start(config->metrics_listen, collect, ready, observe, &observe->metrics, errbuf,
                         sizeof(errbuf)) != SF_OK) {
        SF_LOG_WARN("msg=\"metrics endpoint not started; delivery goes on without it\" "
                    "error=\"%s\"",
                    errbuf);
        free(observe);
        return;
    }
    SF_LOG_INFO("msg=\"metrics listening\" listen=%s port=%d paths=/metrics,/healthz",
                config->metrics_listen, sf_metrics_port(observe->metrics));
    *out = observe;
}

void sf_observe_stop(struct sf_observe *observe)
{
    if (!observe) {
        return;
    }
    sf_metrics_stop(observe->metrics);
    free(observe);
}
