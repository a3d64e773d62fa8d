#include "sink/syslog_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util/alloc.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "syslog"

/* One batch of the window: written (maybe partly) or waiting, not yet confirmed. */
struct entry {
    struct sf_batch_entry *hold; /* this sink's hold on the batch: settled when it leaves */
    const struct sf_batch *batch;
    uint64_t end;   /* stream offset just past its last byte on this connection (once started) */
    size_t written; /* bytes of it written on this connection */
    bool was_sent;  /* written (in part) on an earlier connection: the next write is a resend */
};

struct sf_syslog_conn {
    const struct sf_syslog_sink_options *opts; /* the sink's */
    const atomic_llong *stop_deadline_ms;      /* the sink's */
    char *host;
    char *port;
    SSL_CTX *ssl_ctx;

    int fd;
    SSL *ssl;
    uint64_t written;     /* stream bytes written on this connection (plaintext for TLS) */
    uint64_t acked;       /* stream bytes known acknowledged on this connection */
    int64_t progress_ms;  /* last time bytes were written or acknowledged */
    struct entry *window; /* [head, n): unconfirmed, in submission order */
    size_t head, n, cap;
    size_t cur;             /* first entry not completely written */
    bool is_verify_failure; /* the last handshake failed on the peer's certificate */

    atomic_ullong bytes_written, batches_delivered, resent_batches, unconfirmed_bytes;
    atomic_bool is_connected;
};

static bool stop_due(const struct sf_syslog_conn *c)
{
    return sf_syslog_conn_stop_due(c->stop_deadline_ms);
}

static int bounded_ms(const struct sf_syslog_conn *c, int64_t ms)
{
    return sf_syslog_conn_bounded_ms(c->stop_deadline_ms, ms);
}

/* ---- the window ---- */

static void window_push(struct sf_syslog_conn *c, struct sf_batch_entry *hold)
{
    if (c->head > 0 && c->n == c->cap) {
        memmove(c->window, c->window + c->head, (c->n - c->head) * sizeof(*c->window));
        c->n -= c->head;
        c->cur -= c->head;
        c->head = 0;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->window = sf_xrealloc(c->window, c->cap * sizeof(*c->window));
    }
    c->window[c->n++] = (struct entry){.hold = hold, .batch = hold->batch};
}

static size_t window_len(const struct sf_syslog_conn *c)
{
    return c->n - c->head;
}

static void update_unconfirmed(struct sf_syslog_conn *c)
{
    atomic_store(&c->unconfirmed_bytes, c->written - c->acked);
}

/* Drops the first entry from the window and settles its hold with |outcome|. */
static void window_pop(struct sf_syslog_conn *c, enum sf_batch_outcome outcome)
{
    struct sf_batch_entry *hold = c->window[c->head].hold;
    c->head++;
    if (c->cur < c->head) {
        c->cur = c->head;
    }
    if (c->head == c->n) {
        c->head = c->n = c->cur = 0;
    }
    sf_batch_settle(hold, outcome);
}

/* ---- connections ---- */

static const char *ssl_error_text(char *buf, size_t size)
{
    unsigned long e = ERR_get_error();
    if (e == 0) {
        snprintf(buf, size, "%s", errno ? strerror(errno) : "TLS failure");
    } else {
        ERR_error_string_n(e, buf, size);
    }
    ERR_clear_error();
    return buf;
}

static void disconnect(struct sf_syslog_conn *c)
{
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    /* Everything unconfirmed goes out again, from its beginning, on the next connection. */
    for (size_t i = c->head; i < c->n; i++) {
        if (c->window[i].written > 0 || i < c->cur) {
            c->window[i].was_sent = true;
        }
        c->window[i].written = 0;
        c->window[i].end = 0;
    }
    c->cur = c->head;
    c->written = c->acked = 0;
    update_unconfirmed(c);
    atomic_store(&c->is_connected, false);
}

/* Waits for |events| on the socket for at most |timeout_ms|; false on timeout or error. */
static bool wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int rc;
    do {
        rc = poll(&pfd, 1, timeout_ms);
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}

static int tcp_connect_one(struct sf_syslog_conn *c, const struct addrinfo *ai, int64_t end_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        return -1;
    }
    if (ai->ai_socktype == SOCK_STREAM) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        return fd;
    }
    if (errno != EINPROGRESS) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (!wait_fd(fd, POLLOUT, bounded_ms(c, end_ms - sf_now_ms()))) {
        close(fd);
        errno = ETIMEDOUT;
        return -1;
    }
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) {
        close(fd);
        errno = so_error ? so_error : EIO;
        return -1;
    }
    return fd;
}

static bool is_ip_literal(const char *host)
{
    unsigned char tmp[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

static sf_err tls_handshake(struct sf_syslog_conn *c, int64_t end_ms, char *why, size_t why_size)
{
    c->ssl = SSL_new(c->ssl_ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
        ssl_error_text(why, why_size);
        return SF_ERR_NET;
    }
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const char *name = c->opts->server_name ? c->opts->server_name : c->host;
    if (!is_ip_literal(name)) {
        SSL_set_tlsext_host_name(c->ssl, name);
    }
    if (c->opts->tls_verify) {
        X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = is_ip_literal(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name)
                                     : X509_VERIFY_PARAM_set1_host(param, name, 0);
        if (ok != 1) {
            snprintf(why, why_size, "cannot set the name to verify");
            return SF_ERR_NET;
        }
    }
    for (;;) {
        ERR_clear_error();
        int rc = SSL_connect(c->ssl);
        if (rc == 1) {
            return SF_OK;
        }
        int e = SSL_get_error(c->ssl, rc);
        short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (events == 0) {
            long vr = SSL_get_verify_result(c->ssl);
            if (vr != X509_V_OK) {
                c->is_verify_failure = true;
                snprintf(why, why_size, "certificate verification failed: %s",
                         X509_verify_cert_error_string(vr));
            } else {
                ssl_error_text(why, why_size);
            }
            return SF_ERR_NET;
        }
        if (!wait_fd(c->fd, events, bounded_ms(c, end_ms - sf_now_ms()))) {
            snprintf(why, why_size, "TLS handshake timed out");
            return SF_ERR_TIMEOUT;
        }
    }
}

static sf_err do_connect(struct sf_syslog_conn *c, char *why, size_t why_size)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = c->opts->transport == SF_SYSLOG_SINK_UDP ? SOCK_DGRAM
                                                                                     : SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(c->host, c->port, &hints, &res);
    if (rc != 0) {
        snprintf(why, why_size, "cannot resolve: %s", gai_strerror(rc));
        return SF_ERR_NET;
    }
    int64_t end_ms = sf_now_ms() + c->opts->connect_timeout_ms;
    int fd = -1;
    errno = 0;
    for (struct addrinfo *ai = res; ai && fd < 0 && !stop_due(c); ai = ai->ai_next) {
        fd = tcp_connect_one(c, ai, end_ms);
    }
    int saved = errno;
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(why, why_size, "%s", saved ? strerror(saved) : "no address");
        return SF_ERR_NET;
    }
    c->fd = fd;
    if (c->opts->transport == SF_SYSLOG_SINK_TLS) {
        sf_err err = tls_handshake(c, end_ms, why, why_size);
        if (err) {
            disconnect(c);
            return err;
        }
    }
    c->written = c->acked = 0;
    c->progress_ms = sf_now_ms();
    atomic_store(&c->is_connected, true);
    return SF_OK;
}

/* ---- TCP and TLS ---- */

/* After a send or recv failed with |errno| (not EINTR, which the caller retries): SF_OK when
 * the socket would block, else SF_ERR_NET with "<op>: <error>" in |why|. */
static sf_err socket_error(const char *op, char *why, size_t why_size)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return SF_OK;
    }
    snprintf(why, why_size, "%s: %s", op, strerror(errno));
    return SF_ERR_NET;
}

/* Writes what it can without blocking: SF_OK when it wrote everything or would block. */
static sf_err stream_write(struct sf_syslog_conn *c, char *why, size_t why_size)
{
    while (c->cur < c->n) {
        struct entry *e = &c->window[c->cur];
        const struct sf_buf *p = &e->batch->syslog_payload;
        if (e->written == 0) {
            e->end = c->written + p->len;
            if (e->was_sent) {
                atomic_fetch_add(&c->resent_batches, 1);
                e->was_sent = false;
            }
        }
        if (e->written == p->len) {
            if (!sf_batch_is_taken(e->hold)) { /* written whole for the first time */
                sf_batch_taken(e->hold);       /* the coord may pull more */
            }
            c->cur++;
            continue;
        }
        const uint8_t *data = p->ptr + e->written;
        size_t len = p->len - e->written;
        ssize_t n;
        if (c->ssl) {
            ERR_clear_error();
            int rc = SSL_write(c->ssl, data, len > INT32_MAX ? INT32_MAX : (int)len);
            if (rc <= 0) {
                int err = SSL_get_error(c->ssl, rc);
                if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
                    return SF_OK;
                }
                ssl_error_text(why, why_size);
                return SF_ERR_NET;
            }
            n = rc;
        } else {
            n = send(c->fd, data, len, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return socket_error("write", why, why_size);
            }
        }
        e->written += (size_t)n;
        c->written += (uint64_t)n;
        c->progress_ms = sf_now_ms();
        atomic_fetch_add(&c->bytes_written, (unsigned long long)n);
    }
    return SF_OK;
}

/* Reads and discards whatever the peer sent; SF_ERR_NET when it closed or failed. */
static sf_err stream_drain(struct sf_syslog_conn *c, char *why, size_t why_size)
{
    uint8_t buf[4096];
    for (;;) {
        if (c->ssl) {
            ERR_clear_error();
            int rc = SSL_read(c->ssl, buf, sizeof(buf));
            if (rc > 0) {
                continue;
            }
            int err = SSL_get_error(c->ssl, rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                return SF_OK;
            }
            if (err == SSL_ERROR_ZERO_RETURN ||
                (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) {
                snprintf(why, why_size, "peer closed the connection");
            } else {
                ssl_error_text(why, why_size);
            }
            return SF_ERR_NET;
        }
        ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            continue;
        }
        if (n == 0) {
            snprintf(why, why_size, "peer closed the connection");
            return SF_ERR_NET;
        }
        if (errno == EINTR) {
            continue;
        }
        return socket_error("read", why, why_size);
    }
}

static void ask_kernel(struct sf_syslog_conn *c);

/* Asks the kernel how much of the stream the peer acknowledged; confirms those batches. */
static void confirm_acked(struct sf_syslog_conn *c)
{
    if (c->fd >= 0 && c->written > c->acked) {
        ask_kernel(c);
    }
    while (c->head < c->cur && c->window[c->head].end <= c->acked) {
        atomic_fetch_add(&c->batches_delivered, 1);
        window_pop(c, SF_BATCH_DELIVERED);
    }
    update_unconfirmed(c);
}

/* Updates |acked| from SIOCOUTQ (and TCP_INFO over TLS). */
static void ask_kernel(struct sf_syslog_conn *c)
{
    int outq = 0;
    if (ioctl(c->fd, TIOCOUTQ, &outq) != 0 || outq < 0) {
        return;
    }
    uint64_t acked;
    if (c->ssl) {
        /* TLS records add overhead: only "all acknowledged" maps onto plaintext offsets. */
        struct tcp_info ti;
        socklen_t len = sizeof(ti);
        memset(&ti, 0, sizeof(ti));
        if (outq != 0 || getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
            ti.tcpi_unacked != 0) {
            return;
        }
        acked = c->written;
    } else {
        if ((uint64_t)outq > c->written) {
            return;
        }
        acked = c->written - (uint64_t)outq;
    }
    if (acked > c->acked) {
        c->acked = acked;
        c->progress_ms = sf_now_ms();
    }
}

/* One round on a stream connection: write, read, confirm, then wait up to ack_poll_ms. */
static sf_err stream_pump(struct sf_syslog_conn *c, char *why, size_t why_size)
{
    sf_err err = stream_write(c, why, why_size);
    if (err) {
        return err;
    }
    confirm_acked(c);
    update_unconfirmed(c);
    if (window_len(c) == 0) {
        return SF_OK;
    }
    bool has_unwritten = c->cur < c->n;
    struct pollfd pfd = {.fd = c->fd, .events = (short)(POLLIN | (has_unwritten ? POLLOUT : 0))};
    int rc = poll(&pfd, 1, bounded_ms(c, c->opts->ack_poll_ms));
    if (rc < 0 && errno != EINTR) {
        snprintf(why, why_size, "poll: %s", strerror(errno));
        return SF_ERR_IO;
    }
    if (rc > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
        err = stream_drain(c, why, why_size);
        if (err) {
            return err;
        }
        if (pfd.revents & POLLERR) {
            int so_error = 0;
            socklen_t len = sizeof(so_error);
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            snprintf(why, why_size, "socket error: %s", strerror(so_error ? so_error : EIO));
            return SF_ERR_NET;
        }
    }
    if (c->written > c->acked || has_unwritten) {
        if (sf_now_ms() - c->progress_ms > c->opts->ack_timeout_ms) {
            snprintf(why, why_size, "no progress for %d ms (%llu bytes unacknowledged)",
                     c->opts->ack_timeout_ms, (unsigned long long)(c->written - c->acked));
            return SF_ERR_TIMEOUT;
        }
    }
    return SF_OK;
}

/* ---- UDP ---- */

/* Sends each '\n'-terminated line of the window's batches as one datagram. */
static sf_err udp_pump(struct sf_syslog_conn *c, char *why, size_t why_size)
{
    while (window_len(c) > 0) {
        struct entry *e = &c->window[c->head];
        const struct sf_buf *p = &e->batch->syslog_payload;
        while (e->written < p->len) {
            const uint8_t *start = p->ptr + e->written;
            size_t left = p->len - e->written;
            const uint8_t *nl = memchr(start, '\n', left);
            size_t line = nl ? (size_t)(nl - start) : left;
            size_t consumed = nl ? line + 1 : left;
            if (line > 0) {
                ssize_t n = send(c->fd, start, line, MSG_NOSIGNAL);
                if (n < 0) {
                    if (errno == EINTR || errno == ECONNREFUSED) {
                        continue; /* ECONNREFUSED: an earlier datagram's ICMP; UDP is lossy */
                    }
                    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
                        if (stop_due(c)) {
                            snprintf(why, why_size, "stop deadline passed");
                            return SF_ERR_TIMEOUT;
                        }
                        wait_fd(c->fd, POLLOUT, bounded_ms(c, 100));
                        continue;
                    }
                    if (errno == EMSGSIZE) {
                        SF_LOG_ERROR("msg=\"syslog message too large for one datagram; "
                                     "dropped\" address=\"%s\" bytes=%zu",
                                     c->opts->address, line);
                    } else {
                        snprintf(why, why_size, "send: %s", strerror(errno));
                        return SF_ERR_NET;
                    }
                } else {
                    atomic_fetch_add(&c->bytes_written, (unsigned long long)n);
                }
            }
            e->written += consumed;
        }
        atomic_fetch_add(&c->batches_delivered, 1);
        window_pop(c, SF_BATCH_DELIVERED);
    }
    return SF_OK;
}

/* ---- set-up ---- */

/* "host:port" or "[v6]:port" → host, port. */
static bool split_address(const char *address, char **host, char **port)
{
    const char *colon = strrchr(address, ':');
    if (!colon || colon[1] == '\0' || colon == address) {
        return false;
    }
    const char *h = address;
    size_t hlen = (size_t)(colon - address);
    if (h[0] == '[') {
        if (hlen < 3 || h[hlen - 1] != ']') {
            return false;
        }
        h++;
        hlen -= 2;
    } else if (memchr(h, ':', hlen)) {
        return false; /* a bare IPv6 address needs brackets */
    }
    for (const char *p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
    }
    long port_num = strtol(colon + 1, NULL, 10);
    if (port_num < 1 || port_num > 65535) {
        return false;
    }
    *host = sf_xstrndup(h, hlen);
    *port = sf_xstrdup(colon + 1);
    return true;
}

static sf_err make_ssl_ctx(struct sf_syslog_conn *c, char *errbuf, size_t errbuf_size)
{
    char why[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        snprintf(errbuf, errbuf_size, "cannot create a TLS context: %s",
                 ssl_error_text(why, sizeof(why)));
        return SF_ERR_CONFIG;
    }
    c->ssl_ctx = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (c->opts->tls_verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        int ok = c->opts->ca_file ? SSL_CTX_load_verify_locations(ctx, c->opts->ca_file, NULL)
                                  : SSL_CTX_set_default_verify_paths(ctx);
        if (ok != 1) {
            snprintf(errbuf, errbuf_size, "cannot load CA file %s: %s",
                     c->opts->ca_file ? c->opts->ca_file : "(system store)",
                     ssl_error_text(why, sizeof(why)));
            return SF_ERR_CONFIG;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (c->opts->client_cert || c->opts->client_key) {
        if (!c->opts->client_cert || !c->opts->client_key) {
            snprintf(errbuf, errbuf_size, "client_cert and client_key go together");
            return SF_ERR_CONFIG;
        }
        if (SSL_CTX_use_certificate_chain_file(ctx, c->opts->client_cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, c->opts->client_key, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            snprintf(errbuf, errbuf_size, "cannot load client certificate %s / key %s: %s",
                     c->opts->client_cert, c->opts->client_key, ssl_error_text(why, sizeof(why)));
            return SF_ERR_CONFIG;
        }
    }
    return SF_OK;
}

/* ---- the interface ---- */

void sf_syslog_conn_free(struct sf_syslog_conn *c)
{
    if (!c) {
        return;
    }
    disconnect(c);
    if (c->ssl_ctx) {
        SSL_CTX_free(c->ssl_ctx);
    }
    free(c->window);
    free(c->host);
    free(c->port);
    free(c);
}

sf_err sf_syslog_conn_new(const struct sf_syslog_sink_options *opts,
                          const atomic_llong *stop_deadline_ms,
                          struct sf_syslog_conn **out,
                          char *errbuf,
                          size_t errbuf_size)
{
    *out = NULL;
    struct sf_syslog_conn *c = sf_xcalloc(1, sizeof(*c));
    c->opts = opts;
    c->stop_deadline_ms = stop_deadline_ms;
    c->fd = -1;
    sf_err err = SF_OK;
    if (!split_address(opts->address, &c->host, &c->port)) {
        snprintf(errbuf, errbuf_size, "syslog address %s is not host:port", opts->address);
        err = SF_ERR_CONFIG;
    } else if (opts->transport == SF_SYSLOG_SINK_TLS) {
        err = make_ssl_ctx(c, errbuf, errbuf_size);
    }
    if (err) {
        sf_syslog_conn_free(c);
        return err;
    }
    *out = c;
    return SF_OK;
}

void sf_syslog_conn_push(struct sf_syslog_conn *c, struct sf_batch_entry *hold)
{
    window_push(c, hold);
}

size_t sf_syslog_conn_n_unconfirmed(const struct sf_syslog_conn *c)
{
    return window_len(c);
}

void sf_syslog_conn_fail_all(struct sf_syslog_conn *c)
{
    while (window_len(c) > 0) {
        window_pop(c, SF_BATCH_UNDELIVERED);
    }
}

bool sf_syslog_conn_is_open(const struct sf_syslog_conn *c)
{
    return c->fd >= 0;
}

sf_err
sf_syslog_conn_open(struct sf_syslog_conn *c, bool *is_cert_refused, char *why, size_t why_size)
{
    c->is_verify_failure = false;
    sf_err err = do_connect(c, why, why_size);
    *is_cert_refused = err && c->is_verify_failure;
    return err;
}

sf_err sf_syslog_conn_pump(struct sf_syslog_conn *c, char *why, size_t why_size)
{
    return c->opts->transport == SF_SYSLOG_SINK_UDP ? udp_pump(c, why, why_size)
                                                    : stream_pump(c, why, why_size);
}

sf_err sf_syslog_conn_check_idle(struct sf_syslog_conn *c, char *why, size_t why_size)
{
    if (c->opts->transport == SF_SYSLOG_SINK_UDP || c->fd < 0 || !wait_fd(c->fd, POLLIN, 0)) {
        return SF_OK;
    }
    return stream_drain(c, why, why_size);
}

void sf_syslog_conn_confirm(struct sf_syslog_conn *c)
{
    if (c->fd >= 0 && c->opts->transport != SF_SYSLOG_SINK_UDP) {
        confirm_acked(c);
    }
}

void sf_syslog_conn_close(struct sf_syslog_conn *c)
{
    disconnect(c);
}

void sf_syslog_conn_get_stats(const struct sf_syslog_conn *c, struct sf_syslog_sink_stats *out)
{
    out->bytes_written = atomic_load(&c->bytes_written);
    out->batches_delivered = atomic_load(&c->batches_delivered);
    out->resent_batches = atomic_load(&c->resent_batches);
    out->unconfirmed_bytes = atomic_load(&c->unconfirmed_bytes);
    out->is_connected = atomic_load(&c->is_connected);
}
