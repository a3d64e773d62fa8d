/* The syslog sink's connection (syslog_sink.h gives the promise): one TCP, TLS or UDP socket
 * to the receiver and the window of batches written on it but not yet confirmed. A batch
 * leaves the window, its hold settled SF_BATCH_DELIVERED, once the kernel says the peer
 * acknowledged its last byte (UDP: once every line of it was sent); on close, everything
 * still in the window is written again, in order, from its beginning on the next connection.
 * Reconnecting, its backoff and the log lines about it are the sink thread's. Everything here
 * runs on the sink thread, except sf_syslog_conn_get_stats (any thread). Every wait is bounded
 * by the sink's stop deadline. */
#ifndef SF_SINK_SYSLOG_CONN_H
#define SF_SINK_SYSLOG_CONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/batch.h"
#include "sink/syslog_sink.h"
#include "util/clock.h"
#include "util/err.h"

struct sf_syslog_conn;

/* Splits |opts->address| and, for TLS, loads the CA and client files into a TLS context;
 * does not connect. SF_ERR_CONFIG with a sentence in |errbuf| when the address is not
 * host:port or a TLS file cannot be used. |opts| (defaults resolved) with its strings, and
 * |stop_deadline_ms| (the sink's: 0 while running, else when waits must end), must outlive
 * the connection. */
sf_err sf_syslog_conn_new(const struct sf_syslog_sink_options *opts,
                          const atomic_llong *stop_deadline_ms,
                          struct sf_syslog_conn **out,
                          char *errbuf,
                          size_t errbuf_size);
/* Closes and frees; its window must be empty (sf_syslog_conn_fail_all). NULL is fine. */
void sf_syslog_conn_free(struct sf_syslog_conn *c);

/* Appends the batch of |hold| to the window: it goes out after those already there. */
void sf_syslog_conn_push(struct sf_syslog_conn *c, struct sf_batch_entry *hold);
/* Batches in the window: written or waiting, not confirmed. */
size_t sf_syslog_conn_n_unconfirmed(const struct sf_syslog_conn *c);
/* Empties the window, settling every batch SF_BATCH_UNDELIVERED (stop). */
void sf_syslog_conn_fail_all(struct sf_syslog_conn *c);

bool sf_syslog_conn_is_open(const struct sf_syslog_conn *c);
/* Resolves, connects within connect_timeout_ms and, for TLS, handshakes. On failure the
 * reason in |why|, and *|is_cert_refused| true when the handshake failed on the receiver's
 * certificate (a configuration problem, not a network one). */
sf_err
sf_syslog_conn_open(struct sf_syslog_conn *c, bool *is_cert_refused, char *why, size_t why_size);
/* One round on an open connection: writes what the socket takes, confirms what the peer
 * acknowledged, then waits up to ack_poll_ms (TCP, TLS); sends the window line by line (UDP).
 * An error (reason in |why|) means the connection is no good: close it and open another. */
sf_err sf_syslog_conn_pump(struct sf_syslog_conn *c, char *why, size_t why_size);
/* With an empty window: SF_ERR_NET (reason in |why|) when the peer closed the connection or
 * it failed, so that the next batch does not go into a dead socket. SF_OK otherwise, and
 * always for UDP or a closed connection. */
sf_err sf_syslog_conn_check_idle(struct sf_syslog_conn *c, char *why, size_t why_size);
/* Confirms what the peer acknowledged by now (TCP, TLS; nothing else): a last look at stop. */
void sf_syslog_conn_confirm(struct sf_syslog_conn *c);
/* Closes the socket; every batch of the window will be written again from its beginning. */
void sf_syslog_conn_close(struct sf_syslog_conn *c);

/* Fills the connection's fields of |out|: bytes_written, batches_delivered, resent_batches,
 * unconfirmed_bytes and is_connected. Any thread. */
void sf_syslog_conn_get_stats(const struct sf_syslog_conn *c, struct sf_syslog_sink_stats *out);

/* The sink's stop deadline |deadline| has passed (0: running). */
static inline bool sf_syslog_conn_stop_due(const atomic_llong *deadline)
{
    long long ms = atomic_load(deadline);
    return ms != 0 && sf_now_ms() >= ms;
}

/* |ms| bounded by the stop deadline |deadline| (never negative). */
static inline int sf_syslog_conn_bounded_ms(const atomic_llong *deadline, int64_t ms)
{
    long long end = atomic_load(deadline);
    if (end != 0) {
        int64_t left = end - sf_now_ms();
        if (left < ms) {
            ms = left;
        }
    }
    return ms < 0 ? 0 : (int)ms;
}

#endif
