#include "app/daemon.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/notify.h"
#include "app/observe.h"
#include "app/outputs.h"
#include "coord/coord.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "app"

struct daemon {
    const struct sf_config *config;
    struct sf_coord *coord;
    struct sf_outputs *outputs;
};

static struct sf_coord *volatile signal_target;
static atomic_int n_signals;

static void on_signal(int signo)
{
    (void)signo;
    if (atomic_fetch_add(&n_signals, 1) > 0) {
        /* Second signal: leave now. Checkpoints lag what was delivered, so the next owner
         * reads some logs again; nothing is lost. */
        static const char msg[] = "level=warn module=app msg=\"second signal: exiting at once\"\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)ignored;
        _exit(SF_EXIT_SIGNALED);
    }
    if (signal_target) {
        sf_coord_request_stop(signal_target);
    }
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL); /* a closed stdout is an EPIPE error, not death */
}

static void on_ready(void *ctx)
{
    (void)ctx;
    SF_LOG_INFO("msg=\"ready: every source has joined its consumer group\"");
    sf_notify("READY=1\nSTATUS=delivering");
}

static void on_stopping(void *ctx)
{
    (void)ctx;
    sf_notify("STOPPING=1\nSTATUS=draining, committing and releasing shards");
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
    if (sf_outputs_new(d->config, &d->outputs) != SF_OK) {
        return SF_EXIT_FATAL;
    }
    const struct sf_coord_hooks hooks = {.build = sf_outputs_build,
                                         .submit = sf_outputs_submit,
                                         .on_ready = on_ready,
                                         .on_stopping = on_stopping,
                                         .ctx = d->outputs};
    char errbuf[512];
    if (sf_coord_new(d->config, &hooks, &d->coord, errbuf, sizeof(errbuf)) != SF_OK) {
        SF_LOG_ERROR("msg=\"invalid configuration\" error=\"%s\"", errbuf);
        return SF_EXIT_FATAL;
    }
    if (sf_outputs_start(d->outputs) != SF_OK) {
        return SF_EXIT_FATAL;
    }
    struct sf_observe *observe = NULL;
    sf_observe_start(d->config, d->coord,
                     sf_outputs_metrics_sink(d->outputs, SF_OUTPUT_METRICS_HEC),
                     sf_outputs_metrics_sink(d->outputs, SF_OUTPUT_METRICS_SYSLOG), &observe);
    signal_target = d->coord;
    sf_err err = sf_coord_run(d->coord);
    signal_target = NULL;
    sf_observe_stop(observe); /* before the sink goes: a scrape reads its counters */
    /* The engine has drained (or given up at the drain timeout): whatever a sink still holds
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
    install_signals();
    log_config(config);
    int rc = run(&d);
    sf_outputs_free(d.outputs); /* sinks first: they hold batches the engine frees */
    sf_coord_free(d.coord);
    return rc;
}
