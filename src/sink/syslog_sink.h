/* The syslog sink (docs/protocol/syslog.md §Transports and framing to §slsfwd's syslog output):
 * sends batches whose payload is complete, framed syslog messages back to back, over one persistent
 * TCP, TLS (RFC 5425) or UDP connection.
 *
 * A TCP write is not delivery. Every written batch stays in an ordered window, with the offset
 * where it ends in the connection's byte stream, until the kernel says the peer acknowledged it
 * (bytes acknowledged = bytes written − SIOCOUTQ; over TLS, whose records add overhead, only
 * when SIOCOUTQ and TCP_INFO.tcpi_unacked are both 0). On any error (write error, reset, peer
 * closed, no progress within ack_timeout_ms) the connection is closed and, after a backoff,
 * reopened, and every unconfirmed batch is written again from its beginning, in order:
 * the receiver may see duplicates, never a gap. UDP is lossy: a batch is delivered once every
 * line of it was sent as one datagram (a warning says so at start).
 * syslog_sink.c is the queue, the thread, reconnecting with backoff and the stats;
 * syslog_conn.c the socket, TLS and the window of unconfirmed batches. */
#ifndef SF_SINK_SYSLOG_SINK_H
#define SF_SINK_SYSLOG_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink/sink.h"

enum sf_syslog_sink_transport {
    SF_SYSLOG_SINK_TCP,
    SF_SYSLOG_SINK_TLS,
    SF_SYSLOG_SINK_UDP,
};

struct sf_syslog_sink_options {
    const char *address; /* "host:port", "[v6addr]:port" */
    enum sf_syslog_sink_transport transport;
    const char *ca_file;     /* NULL: the system store */
    const char *client_cert; /* PEM; with client_key: mutual TLS */
    const char *client_key;
    const char *server_name; /* NULL: the host part of |address| */
    bool tls_verify;         /* false: no chain or name check (a warning at start) */
    int connect_timeout_ms;  /* <= 0: 10000 */
    int retry_max_ms;        /* backoff cap; <= 0: 60000 (base 200 ms) */
    int ack_poll_ms;         /* how often to ask the kernel what was acknowledged; <= 0: 50 */
    int ack_timeout_ms;      /* no progress for this long: reconnect; <= 0: 30000 */
};

struct sf_syslog_sink_stats {
    uint64_t bytes_written;     /* all connections, resends included */
    uint64_t batches_delivered; /* settled SF_BATCH_DELIVERED */
    uint64_t reconnects;        /* connections lost or refused after having been up */
    uint64_t connect_errors;    /* failed connection attempts (TCP or TLS handshake) */
    uint64_t resent_batches;    /* batches written again after a reconnect */
    uint64_t unconfirmed_bytes; /* written but not yet acknowledged, now */
    bool is_connected;
};

/* Creates a stopped sink; sf_sink_start starts its thread (and connects from it). Errors
 * (SF_ERR_CONFIG: bad address, unreadable TLS files) are described in |errbuf|. */
sf_err sf_syslog_sink_new(const struct sf_syslog_sink_options *opts,
                          struct sf_sink **out,
                          char *errbuf,
                          size_t errbuf_size);

/* Any thread; |sink| must be a syslog sink. */
void sf_syslog_sink_get_stats(struct sf_sink *sink, struct sf_syslog_sink_stats *out);

#endif
