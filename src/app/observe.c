#include "app/observe.h"

#include <stdio.h>
#include <string.h>

#include "metrics/metrics.h"
#include "util/banned.h"

/* One Prometheus family per row; the visitor fills the samples source by source. */
struct family {
    const char *name;
    const char *type;
    const char *help;
};

static const struct family source_families[] = {
    {"slsfwd_events_in_total", "counter", "Logs pulled from SLS."},
    {"slsfwd_events_out_total", "counter", "Logs the sink confirmed."},
    {"slsfwd_bytes_in_total", "counter", "Bytes pulled from SLS (kind=raw: decompressed)."},
    {"slsfwd_pulls_total", "counter", "PullLogs calls."},
    {"slsfwd_pull_errors_total", "counter", "Failed PullLogs calls by error; each is retried."},
    {"slsfwd_checkpoint_commits_total", "counter", "Checkpoints committed."},
    {"slsfwd_cursor_resets_total", "counter",
     "Checkpoints that pointed into expired data (data lost to retention)."},
    {"slsfwd_rebalances_total", "counter", "Shards granted or revoked."},
    {"slsfwd_heartbeats_total", "counter", "Consumer-group heartbeats sent."},
    {"slsfwd_heartbeat_failures_total", "counter", "Heartbeats that failed."},
    {"slsfwd_source_joined", "gauge", "1 when the source is in its consumer group."},
    {"slsfwd_shard_events_out_total", "counter", "Logs confirmed per shard since it was granted."},
    {"slsfwd_shard_lag_seconds", "gauge",
     "Age of the newest confirmed log of the shard; 0 when caught up, -1 when unknown."},
    {"slsfwd_shard_checkpoint_age_seconds", "gauge", "Time since the shard's last commit."},
    {"slsfwd_shard_in_flight_batches", "gauge", "Batches of the shard waiting for the sink."},
};

#define FIRST_SHARD_FAMILY 11 /* rows from here on have one sample per shard */

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
        double values[] = {(double)shard->events_delivered, (double)shard->lag_s,
                           (double)shard->checkpoint_age_s, (double)shard->n_inflight};
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
    default:
        shard_samples(src, source, c->family, c->out);
        break;
    }
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
                      "Bytes held in memory against limits.max_buffered_bytes.");
    sf_metrics_sample(out, "slsfwd_buffered_bytes", "", (double)stats.buffered_bytes);
    sf_metrics_family(out, "slsfwd_buffered_bytes_peak", "gauge", "Peak of slsfwd_buffered_bytes.");
    sf_metrics_sample(out, "slsfwd_buffered_bytes_peak", "", (double)stats.max_buffered_bytes);
}
