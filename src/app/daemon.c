#include "app/daemon.h"

#include <stdio.h>
#include <unistd.h>

#include "app/cleartext.h"
#include "app/notify.h"
#include "app/notify_status.h"
#include "app/observe.h"
#include "app/outputs.h"
#include "app/signals.h"
#include "coord/coord.h"
#include "pipeline/budget.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "app"

struct daemon {
    const struct sf_config *config;
    struct sf_coord *coord;
    struct sf_outputs *outputs;
    struct sf_notify_status *status; /* STATUS= reporter under systemd, or NULL */
    struct sf_budget *budget;        /* limits.max_buffered_bytes: coord and sinks charge it */
};

/* The coord's hooks take one context, the daemon; the outputs do the work. */
static sf_err build_events(void *ctx,
                           const struct sf_config_source *source,
                           const struct sf_loggroup_list *list,
                           struct sf_batch *batch)
{
    struct daemon *d = ctx;
    return sf_outputs_build(d->outputs, source, list, batch);
}

static void submit(void *ctx, struct sf_batch *batch)
{
    struct daemon *d = ctx;
    sf_outputs_submit(d->outputs, batch);
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

static void stop_coord(void *ctx)
{
    sf_coord_request_stop(ctx);
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

static int run(struct daemon *d)
{
    int64_t started_ms = sf_now_ms();
    d->budget = sf_budget_new(d->config->max_buffered_bytes);
    if (sf_outputs_new(d->config, &d->outputs) != SF_OK) {
        return SF_EXIT_FATAL;
    }
    sf_outputs_set_budget(d->outputs, d->budget);
    const struct sf_coord_hooks hooks = {.build = build_events,
                                         .submit = submit,
                                         .on_ready = on_ready,
                                         .on_stopping = on_stopping,
                                         .ctx = d,
                                         .budget = d->budget};
    char errbuf[512];
    if (sf_coord_new(d->config, &hooks, &d->coord, errbuf, sizeof(errbuf)) != SF_OK) {
        SF_LOG_ERROR("msg=\"invalid configuration\" error=\"%s\"", errbuf);
        return SF_EXIT_FATAL;
    }
    /* From here a stop signal reaches the coord, also one that came during start-up; the
     * coord then starts, sees it at once and drains (nothing yet) and leaves. */
    sf_signals_attach(stop_coord, d->coord);
    if (sf_outputs_start(d->outputs) != SF_OK) {
        return SF_EXIT_FATAL;
    }
    struct sf_observe *observe = NULL;
    sf_observe_start(d->config, d->coord,
                     sf_outputs_metrics_sink(d->outputs, SF_OUTPUT_METRICS_HEC),
                     sf_outputs_metrics_sink(d->outputs, SF_OUTPUT_METRICS_SYSLOG), &observe);
    /* READY means "the coord runs", not "every source joined": a source that cannot join
     * (its error is logged and retried) must not hold the others back or make systemd kill
     * and restart the whole forwarder. STATUS= tells which sources are still waiting. */
    sf_notify("READY=1\nSTATUS=coord running; joining the consumer groups");
    d->status = sf_notify_status_start(d->coord);
    sf_err err = sf_coord_run(d->coord);
    sf_notify_status_stop(d->status);
    d->status = NULL;
    sf_observe_stop(observe); /* before the sink goes: a scrape reads its counters */
    /* The coord has drained (or given up at the drain timeout): whatever a sink still holds
     * comes back undelivered and stays uncommitted. */
    sf_outputs_stop(d->outputs, sf_now_ms() + 1000);
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
    int rc = run(&d);
    sf_signals_attach(NULL, NULL);
    sf_signals_stop();
    sf_outputs_free(d.outputs); /* sinks first: they hold batches the coord frees */
    sf_coord_free(d.coord);
    sf_budget_free(d.budget); /* last: the sinks and the coord released into it */
    return rc;
}
