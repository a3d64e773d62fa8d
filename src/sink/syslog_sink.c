#include "sink/syslog_sink.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink/syslog_conn.h"
#include "util/alloc.h"
#include "util/backoff.h"
#include "util/bqueue.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "syslog"

struct syslog_sink {
    struct sf_syslog_sink_options opts; /* strings below are owned copies */
    char *address;
    char *ca_file, *client_cert, *client_key, *server_name;

    struct sf_bqueue queue;
    pthread_t thread;
    bool has_thread;
    atomic_llong stop_deadline_ms; /* 0 while running */
    struct sf_backoff backoff;
    struct sf_syslog_conn *conn; /* its window: sink thread only */

    atomic_ullong reconnects, connect_errors;
};

static bool stopping(struct syslog_sink *ss)
{
    return atomic_load(&ss->stop_deadline_ms) != 0;
}

static bool stop_due(struct syslog_sink *ss)
{
    return sf_syslog_conn_stop_due(&ss->stop_deadline_ms);
}

static void take_queue(struct syslog_sink *ss, int64_t timeout_ms)
{
    struct sf_bqueue_node *list = sf_bqueue_pop_all(&ss->queue, timeout_ms);
    while (list) {
        struct sf_bqueue_node *next = list->next;
        list->next = NULL;
        sf_syslog_conn_push(ss->conn, sf_batch_entry_of(list));
        list = next;
    }
}

/* ---- the thread ---- */

static void back_off(struct syslog_sink *ss)
{
    int64_t end = sf_now_ms() + sf_backoff_next_ms(&ss->backoff);
    while (!stop_due(ss)) {
        int64_t left = end - sf_now_ms();
        if (left <= 0) {
            break;
        }
        sf_sleep_ms(sf_syslog_conn_bounded_ms(&ss->stop_deadline_ms, left < 50 ? left : 50));
    }
}

/* While idle: notices a peer that closed, so the next batch does not go into a dead socket. */
static void check_idle(struct syslog_sink *ss)
{
    char why[256];
    if (sf_syslog_conn_check_idle(ss->conn, why, sizeof(why)) != SF_OK) {
        SF_LOG_INFO("msg=\"syslog connection closed while idle\" address=\"%s\" error=\"%s\"",
                    ss->address, why);
        sf_syslog_conn_close(ss->conn);
        atomic_fetch_add(&ss->reconnects, 1);
    }
}

static void *syslog_sink_main(void *arg)
{
    struct sf_sink *sink = arg;
    struct syslog_sink *ss = sink->impl;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE); /* OpenSSL writes with write(2): a reset must not kill us */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    char why[512];
    struct sf_syslog_conn *c = ss->conn;
    for (;;) {
        take_queue(ss, sf_syslog_conn_n_unconfirmed(c) > 0 ? 0 : 200);
        if (sf_syslog_conn_n_unconfirmed(c) == 0) {
            if (stopping(ss)) {
                break; /* stopping and everything confirmed */
            }
            check_idle(ss);
            continue;
        }
        if (stop_due(ss)) {
            break;
        }
        if (!sf_syslog_conn_is_open(c)) {
            why[0] = '\0';
            bool is_cert_refused;
            sf_err err = sf_syslog_conn_open(c, &is_cert_refused, why, sizeof(why));
            if (err) {
                atomic_fetch_add(&ss->connect_errors, 1);
                if (is_cert_refused) {
                    SF_LOG_ERROR("msg=\"syslog receiver's TLS certificate refused; check ca_file "
                                 "and server_name\" address=\"%s\" error=\"%s\" "
                                 "unconfirmed_batches=%zu",
                                 ss->address, why, sf_syslog_conn_n_unconfirmed(c));
                } else {
                    SF_LOG_WARN("msg=\"cannot connect to syslog receiver\" address=\"%s\" "
                                "error=\"%s\" unconfirmed_batches=%zu",
                                ss->address, why, sf_syslog_conn_n_unconfirmed(c));
                }
                back_off(ss);
                continue;
            }
            if (atomic_load(&ss->reconnects) > 0 || atomic_load(&ss->connect_errors) > 0) {
                SF_LOG_INFO("msg=\"connected to syslog receiver\" address=\"%s\" "
                            "resending_batches=%zu",
                            ss->address, sf_syslog_conn_n_unconfirmed(c));
            }
        }
        why[0] = '\0';
        sf_err err = sf_syslog_conn_pump(c, why, sizeof(why));
        if (err == SF_OK) {
            if (sf_syslog_conn_n_unconfirmed(c) == 0) {
                sf_backoff_reset(&ss->backoff);
            }
            continue;
        }
        if (stop_due(ss)) {
            break;
        }
        SF_LOG_WARN("msg=\"syslog connection lost; will reconnect and resend\" address=\"%s\" "
                    "error=\"%s\" unconfirmed_batches=%zu",
                    ss->address, why, sf_syslog_conn_n_unconfirmed(c));
        sf_syslog_conn_close(c);
        atomic_fetch_add(&ss->reconnects, 1);
        back_off(ss);
    }
    sf_syslog_conn_confirm(c); /* a last look before handing the rest back */
    take_queue(ss, 0);
    sf_syslog_conn_fail_all(c);
    sf_syslog_conn_close(c);
    return NULL;
}

/* ---- the interface ---- */

static sf_err syslog_sink_start(struct sf_sink *sink)
{
    struct syslog_sink *ss = sink->impl;
    if (ss->opts.transport == SF_SYSLOG_SINK_UDP) {
        SF_LOG_WARN("msg=\"syslog over UDP is lossy: datagrams are not acknowledged and may be "
                    "dropped without notice\" address=\"%s\"",
                    ss->address);
    }
    if (ss->opts.transport == SF_SYSLOG_SINK_TLS && !ss->opts.tls_verify) {
        SF_LOG_WARN("msg=\"TLS verification is off: the syslog receiver's certificate and name "
                    "are not checked\" address=\"%s\"",
                    ss->address);
    }
    if (pthread_create(&ss->thread, NULL, syslog_sink_main, sink) != 0) {
        return SF_ERR_IO;
    }
    ss->has_thread = true;
    return SF_OK;
}

static void syslog_sink_submit(struct sf_sink *sink, struct sf_batch_entry *entry)
{
    struct syslog_sink *ss = sink->impl;
    sf_bqueue_push(&ss->queue, &entry->link);
}

static void syslog_sink_stop(struct sf_sink *sink, int64_t deadline_ms)
{
    struct syslog_sink *ss = sink->impl;
    atomic_store(&ss->stop_deadline_ms, deadline_ms > 0 ? deadline_ms : 1);
    sf_bqueue_close(&ss->queue);
    if (ss->has_thread) {
        pthread_join(ss->thread, NULL);
        ss->has_thread = false;
    } else {
        /* Never started: whatever was submitted goes back all the same. */
        take_queue(ss, 0);
        sf_syslog_conn_fail_all(ss->conn);
    }
}

/* Frees everything |ss| owns; safe on a sink that was never started or only half built. */
static void free_partial(struct syslog_sink *ss)
{
    sf_syslog_conn_free(ss->conn);
    sf_bqueue_cleanup(&ss->queue);
    free(ss->address);
    free(ss->ca_file);
    free(ss->client_cert);
    free(ss->client_key);
    free(ss->server_name);
    free(ss);
}

static void syslog_sink_destroy(struct sf_sink *sink)
{
    struct syslog_sink *ss = sink->impl;
    syslog_sink_stop(sink, 1);
    free_partial(ss);
    free(sink);
}

static const struct sf_sink_ops syslog_sink_ops = {
    .name = "syslog",
    .start = syslog_sink_start,
    .submit = syslog_sink_submit,
    .stop = syslog_sink_stop,
    .destroy = syslog_sink_destroy,
};

static char *dup_or_null(const char *s)
{
    return s && *s ? sf_xstrdup(s) : NULL;
}

sf_err sf_syslog_sink_new(const struct sf_syslog_sink_options *opts,
                          struct sf_sink **out,
                          char *errbuf,
                          size_t errbuf_size)
{
    *out = NULL;
    if (errbuf_size > 0) {
        errbuf[0] = '\0';
    }
    if (!opts->address || opts->transport > SF_SYSLOG_SINK_UDP) {
        snprintf(errbuf, errbuf_size, "syslog address and transport are required");
        return SF_ERR_CONFIG;
    }
    struct syslog_sink *ss = sf_xcalloc(1, sizeof(*ss));
    ss->opts = *opts;
    sf_bqueue_init(&ss->queue);
    ss->address = sf_xstrdup(opts->address);
    ss->ca_file = dup_or_null(opts->ca_file);
    ss->client_cert = dup_or_null(opts->client_cert);
    ss->client_key = dup_or_null(opts->client_key);
    ss->server_name = dup_or_null(opts->server_name);
    ss->opts.address = ss->address;
    ss->opts.ca_file = ss->ca_file;
    ss->opts.client_cert = ss->client_cert;
    ss->opts.client_key = ss->client_key;
    ss->opts.server_name = ss->server_name;
    if (ss->opts.connect_timeout_ms <= 0) {
        ss->opts.connect_timeout_ms = 10000;
    }
    if (ss->opts.retry_max_ms <= 0) {
        ss->opts.retry_max_ms = 60000;
    }
    if (ss->opts.ack_poll_ms <= 0) {
        ss->opts.ack_poll_ms = 50;
    }
    if (ss->opts.ack_timeout_ms <= 0) {
        ss->opts.ack_timeout_ms = 30000;
    }
    atomic_init(&ss->stop_deadline_ms, 0);
    sf_err err =
        sf_syslog_conn_new(&ss->opts, &ss->stop_deadline_ms, &ss->conn, errbuf, errbuf_size);
    if (err) {
        free_partial(ss);
        return err;
    }
    sf_backoff_init(&ss->backoff, 200,
                    ss->opts.retry_max_ms < 200 ? 200 : (int64_t)ss->opts.retry_max_ms);
    struct sf_sink *sink = sf_xcalloc(1, sizeof(*sink));
    sink->ops = &syslog_sink_ops;
    sink->impl = ss;
    *out = sink;
    return SF_OK;
}

void sf_syslog_sink_get_stats(struct sf_sink *sink, struct sf_syslog_sink_stats *out)
{
    struct syslog_sink *ss = sink->impl;
    sf_syslog_conn_get_stats(ss->conn, out);
    out->reconnects = atomic_load(&ss->reconnects);
    out->connect_errors = atomic_load(&ss->connect_errors);
}
