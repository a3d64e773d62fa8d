#include "app/daemon.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/cleartext.h"
#include "app/notify.h"
#include "app/notify_status.h"
#include "app/observe.h"
#include "app/signals.h"
#include "app/syslog_output.h"
#include "coord/coord.h"
#include "sink/file_sink.h"
#include "sink/hec_sink.h"
#include "transform/hec_event.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "app"

struct daemon {
    const struct sf_config *config;
    struct sf_coord *coord;
    struct sf_sink *sinks[3]; /* one per configured output */
    size_t n_sinks;
    struct sf_sink *hec_sink;    /* also in |sinks|, for metrics */
    struct sf_sink *syslog_sink; /* likewise */
    struct sf_hec_mapping *mapping;
    struct sf_syslog_mapping *syslog_mapping; /* with the syslog output */
    struct sf_notify_status *status;          /* STATUS= reporter under systemd, or NULL */
};

static sf_err build_events(void *ctx,
                           const struct sf_config_source *source,
                           const struct sf_loggroup_list *list,
                           struct sf_batch *batch)
{
    struct daemon *d = ctx;
    size_t n_events = 0;
    sf_err err = SF_OK;
    if (d->syslog_mapping) {
        err = sf_syslog_output_build(d->syslog_mapping, source, list, batch);
        n_events = batch->n_events;
    }
    if (!err && (sf_config_has_sink(d->config, SF_CONFIG_SINK_HEC) ||
                 sf_config_has_sink(d->config, SF_CONFIG_SINK_FILE))) {
        err = sf_hec_events_append(d->mapping, list, 0, &batch->payload, &n_events);
    }
    batch->n_events = n_events;
    return err;
}

/* Every sink gets the batch; the engine gets it back when the last sink is done with it. */
static void submit(void *ctx, struct sf_batch *batch)
{
    struct daemon *d = ctx;
    atomic_store(&batch->n_sinks_pending, (int)d->n_sinks);
    atomic_store(&batch->is_refused_somewhere, false);
    for (size_t i = 0; i < d->n_sinks; i++) {
        sf_sink_submit(d->sinks[i], batch);
    }
}

static void sink_done(struct daemon *d, struct sf_batch *batch, bool is_delivered)
{
    if (!is_delivered) {
        atomic_store(&batch->is_refused_somewhere, true);
    }
    if (atomic_fetch_sub(&batch->n_sinks_pending, 1) != 1) {
        return; /* another sink still has it */
    }
    /* A checkpoint may only pass data that every sink confirmed. */
    if (atomic_load(&batch->is_refused_somewhere)) {
        sf_coord_undelivered(d->coord, batch);
    } else {
        sf_coord_delivered(d->coord, batch);
    }
}

static void delivered(void *ctx, struct sf_batch *batch)
{
    sink_done(ctx, batch, true);
}

static void undelivered(void *ctx, struct sf_batch *batch)
{
    sink_done(ctx, batch, false);
}

static void on_ready(void *ctx)
{
    (void)ctx;
    SF_LOG_INFO("msg=\"ready: every source has joined its consumer group\"");
}

static void on_stopping(void *ctx)
{
    struct daemon *d = ctx;
    sf_notify_status_stop(d->status); /* no progress line after STOPPING */
    d->status = NULL;
    sf_notify("STOPPING=1\nSTATUS=draining, committing and releasing shards");
}

static void stop_engine(void *ctx)
{
    sf_coord_request_stop(ctx);
}

static sf_err make_mapping(struct daemon *d)
{
    const struct sf_config_mapping *m = &d->config->mapping;
    struct sf_hec_mapping_options opts = {
        .sourcetype = m->sourcetype,
        .index = m->index,
        .source = m->source,
        .host = m->host,
        .event_as_string = m->event_as_string,
        .json_fields = (const char *const *)m->json_fields,
        .n_json_fields = m->n_json_fields,
        .fields = (const char *const *)m->fields,
        .n_fields = m->n_fields,
    };
    char errbuf[256];
    sf_err err = sf_hec_mapping_new(&opts, &d->mapping, errbuf, sizeof(errbuf));
    if (err) {
        SF_LOG_ERROR("msg=\"invalid event mapping\" error=\"%s\"", errbuf);
    }
    return err;
}

static void log_summary(struct sf_coord *coord, int64_t started_ms)
{
    struct sf_coord_stats s;
    sf_coord_get_stats(coord, &s);
    SF_LOG_INFO("msg=\"stopped\" uptime_ms=%lld events_fetched=%llu events_delivered=%llu "
                "raw_bytes=%llu wire_bytes=%llu pulls=%llu pull_errors=%llu checkpoints=%llu "
                "cursor_resets=%llu rebalances=%llu heartbeats=%llu heartbeat_failures=%llu "
                "peak_buffered_bytes=%llu",
                (long long)(sf_now_ms() - started_ms), (unsigned long long)s.events_fetched,
                (unsigned long long)s.events_delivered, (unsigned long long)s.raw_bytes_fetched,
                (unsigned long long)s.wire_bytes_fetched, (unsigned long long)s.pulls,
                (unsigned long long)s.pull_errors, (unsigned long long)s.checkpoints_committed,
                (unsigned long long)s.cursor_resets, (unsigned long long)s.rebalances,
                (unsigned long long)s.heartbeats, (unsigned long long)s.heartbeat_failures,
                (unsigned long long)s.max_buffered_bytes);
}

static sf_err make_syslog_sink(struct daemon *d, struct sf_sink **out)
{
    char errbuf[512];
    sf_err err =
        sf_syslog_output_mapping(&d->config->syslog, &d->syslog_mapping, errbuf, sizeof(errbuf));
    if (!err) {
        err = sf_syslog_output_sink(&d->config->syslog, delivered, undelivered, d, out, errbuf,
                                    sizeof(errbuf));
        d->syslog_sink = err ? NULL : *out;
    }
    if (err) {
        SF_LOG_ERROR("msg=\"cannot set up the syslog output\" error=\"%s\"", errbuf);
    }
    return err;
}

static sf_err make_hec_sink(struct daemon *d, struct sf_sink **out)
{
    char errbuf[512];
    sf_err err =
        sf_hec_sink_new(&d->config->hec, delivered, undelivered, d, out, errbuf, sizeof(errbuf));
    if (err) {
        SF_LOG_ERROR("msg=\"cannot set up the HEC output\" error=\"%s\"", errbuf);
    }
    d->hec_sink = *out;
    return err;
}

/* The configured outputs: Splunk HEC and/or syslog, or the NDJSON file/stdout sink. */
static sf_err make_sinks(struct daemon *d)
{
    sf_err err = SF_OK;
    if (sf_config_has_sink(d->config, SF_CONFIG_SINK_HEC)) {
        err = make_hec_sink(d, &d->sinks[d->n_sinks]);
        d->n_sinks += err ? 0 : 1;
    }
    if (!err && sf_config_has_sink(d->config, SF_CONFIG_SINK_SYSLOG)) {
        err = make_syslog_sink(d, &d->sinks[d->n_sinks]);
        d->n_sinks += err ? 0 : 1;
    }
    if (!err && sf_config_has_sink(d->config, SF_CONFIG_SINK_FILE)) {
        err = sf_file_sink_new(d->config->file_path, delivered, undelivered, d,
                               &d->sinks[d->n_sinks]);
        d->n_sinks += err ? 0 : 1;
    }
    for (size_t i = 0; i < d->n_sinks && !err; i++) {
        err = sf_sink_start(d->sinks[i]);
    }
    return err;
}

static int run(struct daemon *d)
{
    int64_t started_ms = sf_now_ms();
    const struct sf_coord_hooks hooks = {.build = build_events,
                                         .submit = submit,
                                         .on_ready = on_ready,
                                         .on_stopping = on_stopping,
                                         .ctx = d};
    char errbuf[512];
    if (sf_coord_new(d->config, &hooks, &d->coord, errbuf, sizeof(errbuf)) != SF_OK) {
        SF_LOG_ERROR("msg=\"invalid configuration\" error=\"%s\"", errbuf);
        return SF_EXIT_FATAL;
    }
    /* From here a stop signal reaches the engine, also one that came during start-up; the
     * engine then starts, sees it at once and drains (nothing yet) and leaves. */
    sf_signals_attach(stop_engine, d->coord);
    if (make_sinks(d) != SF_OK) {
        return SF_EXIT_FATAL;
    }
    struct sf_observe *observe = NULL;
    sf_observe_start(d->config, d->coord, d->hec_sink, d->syslog_sink, &observe);
    /* READY means "the engine runs", not "every source joined": a source that cannot join
     * (its error is logged and retried) must not hold the others back or make systemd kill
     * and restart the whole forwarder. STATUS= tells which sources are still waiting. */
    sf_notify("READY=1\nSTATUS=engine running; joining the consumer groups");
    d->status = sf_notify_status_start(d->coord);
    sf_err err = sf_coord_run(d->coord);
    sf_notify_status_stop(d->status);
    d->status = NULL;
    sf_observe_stop(observe); /* before the sink goes: a scrape reads its counters */
    /* The engine has drained (or given up at the drain timeout): whatever a sink still holds
     * comes back undelivered and stays uncommitted. */
    for (size_t i = 0; i < d->n_sinks; i++) {
        sf_sink_stop(d->sinks[i], sf_now_ms() + 1000);
    }
    log_summary(d->coord, started_ms);
    return err ? SF_EXIT_FATAL : SF_EXIT_OK;
}

/* The effective configuration, secrets redacted, as one log line (newlines escaped). */
static void log_config(const struct sf_config *config)
{
    FILE *f = tmpfile();
    if (!f) {
        return;
    }
    sf_config_dump(config, fileno(f));
    char text[16384];
    ssize_t n = pread(fileno(f), text, sizeof(text) - 1, 0);
    fclose(f);
    if (n > 0) {
        text[n] = '\0';
        SF_LOG_INFO("msg=\"effective configuration (slsfwd config prints it)\" config=\"%s\"",
                    text);
    }
}

int sf_daemon_run(const struct sf_config *config)
{
    struct daemon d = {.config = config};
    if (sf_signals_start() != SF_OK) { /* first: every thread started later inherits its mask */
        return SF_EXIT_FATAL;
    }
    log_config(config);
    sf_cleartext_warn(config);
    int rc = make_mapping(&d) == SF_OK ? run(&d) : SF_EXIT_FATAL;
    sf_signals_attach(NULL, NULL);
    sf_signals_stop();
    for (size_t i = 0; i < d.n_sinks; i++) {
        sf_sink_free(d.sinks[i]);
    }
    sf_coord_free(d.coord);
    sf_hec_mapping_free(d.mapping);
    sf_syslog_mapping_free(d.syslog_mapping);
    return rc;
}
