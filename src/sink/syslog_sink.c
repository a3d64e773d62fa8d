#include "sink/syslog_sink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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
#include "util/backoff.h"
#include "util/bqueue.h"
#include "util/clock.h"
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

struct syslog_sink {
    struct sf_syslog_sink_options opts; /* strings below are owned copies */
    char *host;
    char *port;
    char *address;
    char *ca_file, *client_cert, *client_key, *server_name;
    SSL_CTX *ssl_ctx;

    struct sf_bqueue queue;
    pthread_t thread;
    bool has_thread;
    atomic_llong stop_deadline_ms; /* 0 while running */
    struct sf_backoff backoff;

    /* Sink thread only. */
    int fd;
    SSL *ssl;
    uint64_t written;     /* stream bytes written on this connection (plaintext for TLS) */
    uint64_t acked;       /* stream bytes known acknowledged on this connection */
    int64_t progress_ms;  /* last time bytes were written or acknowledged */
    struct entry *window; /* [head, n): unconfirmed, in submission order */
    size_t head, n, cap;
    size_t cur;             /* first entry not completely written */
    bool is_verify_failure; /* the last handshake failed on the peer's certificate */

    atomic_ullong bytes_written, batches_delivered, reconnects, connect_errors, resent_batches;
    atomic_ullong unconfirmed_bytes;
    atomic_bool is_connected;
};

static bool stopping(struct syslog_sink *ss)
{
    return atomic_load(&ss->stop_deadline_ms) != 0;
}

static bool stop_due(struct syslog_sink *ss)
{
    long long deadline = atomic_load(&ss->stop_deadline_ms);
    return deadline != 0 && sf_now_ms() >= deadline;
}

/* |ms| bounded by the stop deadline (never negative). */
static int bounded_ms(struct syslog_sink *ss, int64_t ms)
{
    long long deadline = atomic_load(&ss->stop_deadline_ms);
    if (deadline != 0) {
        int64_t left = deadline - sf_now_ms();
        if (left < ms) {
            ms = left;
        }
    }
    return ms < 0 ? 0 : (int)ms;
}

/* ---- the window ---- */

static void window_push(struct syslog_sink *ss, struct sf_batch_entry *hold)
{
    if (ss->head > 0 && ss->n == ss->cap) {
        memmove(ss->window, ss->window + ss->head, (ss->n - ss->head) * sizeof(*ss->window));
        ss->n -= ss->head;
        ss->cur -= ss->head;
        ss->head = 0;
    }
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 16;
        ss->window = sf_xrealloc(ss->window, ss->cap * sizeof(*ss->window));
    }
    ss->window[ss->n++] = (struct entry){.hold = hold, .batch = hold->batch};
}

static size_t window_len(const struct syslog_sink *ss)
{
    return ss->n - ss->head;
}

static void update_unconfirmed(struct syslog_sink *ss)
{
    atomic_store(&ss->unconfirmed_bytes, ss->written - ss->acked);
}

/* Drops the first entry from the window and settles its hold with |outcome|. */
static void window_pop(struct syslog_sink *ss, enum sf_batch_outcome outcome)
{
    struct sf_batch_entry *hold = ss->window[ss->head].hold;
    ss->head++;
    if (ss->cur < ss->head) {
        ss->cur = ss->head;
    }
    if (ss->head == ss->n) {
        ss->head = ss->n = ss->cur = 0;
    }
    sf_batch_settle(hold, outcome);
}

static void take_queue(struct syslog_sink *ss, int64_t timeout_ms)
{
    struct sf_bqueue_node *list = sf_bqueue_pop_all(&ss->queue, timeout_ms);
    while (list) {
        struct sf_bqueue_node *next = list->next;
        list->next = NULL;
        window_push(ss, sf_batch_entry_of(list));
        list = next;
    }
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

static void disconnect(struct syslog_sink *ss)
{
    if (ss->ssl) {
        SSL_free(ss->ssl);
        ss->ssl = NULL;
    }
    if (ss->fd >= 0) {
        close(ss->fd);
        ss->fd = -1;
    }
    /* Everything unconfirmed goes out again, from its beginning, on the next connection. */
    for (size_t i = ss->head; i < ss->n; i++) {
        if (ss->window[i].written > 0 || i < ss->cur) {
            ss->window[i].was_sent = true;
        }
        ss->window[i].written = 0;
        ss->window[i].end = 0;
    }
    ss->cur = ss->head;
    ss->written = ss->acked = 0;
    update_unconfirmed(ss);
    atomic_store(&ss->is_connected, false);
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

static int tcp_connect_one(struct syslog_sink *ss, const struct addrinfo *ai, int64_t end_ms)
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
    if (!wait_fd(fd, POLLOUT, bounded_ms(ss, end_ms - sf_now_ms()))) {
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

static sf_err tls_handshake(struct syslog_sink *ss, int64_t end_ms, char *why, size_t why_size)
{
    ss->ssl = SSL_new(ss->ssl_ctx);
    if (!ss->ssl || SSL_set_fd(ss->ssl, ss->fd) != 1) {
        ssl_error_text(why, why_size);
        return SF_ERR_NET;
    }
    SSL_set_mode(ss->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const char *name = ss->server_name ? ss->server_name : ss->host;
    if (!is_ip_literal(name)) {
        SSL_set_tlsext_host_name(ss->ssl, name);
    }
    if (ss->opts.tls_verify) {
        X509_VERIFY_PARAM *param = SSL_get0_param(ss->ssl);
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
        int rc = SSL_connect(ss->ssl);
        if (rc == 1) {
            return SF_OK;
        }
        int e = SSL_get_error(ss->ssl, rc);
        short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (events == 0) {
            long vr = SSL_get_verify_result(ss->ssl);
            if (vr != X509_V_OK) {
                ss->is_verify_failure = true;
                snprintf(why, why_size, "certificate verification failed: %s",
                         X509_verify_cert_error_string(vr));
            } else {
                ssl_error_text(why, why_size);
            }
            return SF_ERR_NET;
        }
        if (!wait_fd(ss->fd, events, bounded_ms(ss, end_ms - sf_now_ms()))) {
            snprintf(why, why_size, "TLS handshake timed out");
            return SF_ERR_TIMEOUT;
        }
    }
}

static sf_err do_connect(struct syslog_sink *ss, char *why, size_t why_size)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = ss->opts.transport == SF_SYSLOG_SINK_UDP ? SOCK_DGRAM
                                                                                     : SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(ss->host, ss->port, &hints, &res);
    if (rc != 0) {
        snprintf(why, why_size, "cannot resolve: %s", gai_strerror(rc));
        return SF_ERR_NET;
    }
    int64_t end_ms = sf_now_ms() + ss->opts.connect_timeout_ms;
    int fd = -1;
    errno = 0;
    for (struct addrinfo *ai = res; ai && fd < 0 && !stop_due(ss); ai = ai->ai_next) {
        fd = tcp_connect_one(ss, ai, end_ms);
    }
    int saved = errno;
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(why, why_size, "%s", saved ? strerror(saved) : "no address");
        return SF_ERR_NET;
    }
    ss->fd = fd;
    if (ss->opts.transport == SF_SYSLOG_SINK_TLS) {
        sf_err err = tls_handshake(ss, end_ms, why, why_size);
        if (err) {
            disconnect(ss);
            return err;
        }
    }
    ss->written = ss->acked = 0;
    ss->progress_ms = sf_now_ms();
    atomic_store(&ss->is_connected, true);
    return SF_OK;
}

/* ---- TCP and TLS ---- */

/* Writes what it can without blocking: SF_OK when it wrote everything or would block. */
static sf_err stream_write(struct syslog_sink *ss, char *why, size_t why_size)
{
    while (ss->cur < ss->n) {
        struct entry *e = &ss->window[ss->cur];
        const struct sf_buf *p = &e->batch->syslog_payload;
        if (e->written == 0) {
            e->end = ss->written + p->len;
            if (e->was_sent) {
                atomic_fetch_add(&ss->resent_batches, 1);
                e->was_sent = false;
            }
        }
        if (e->written == p->len) {
            ss->cur++;
            continue;
        }
        const uint8_t *data = p->ptr + e->written;
        size_t len = p->len - e->written;
        ssize_t n;
        if (ss->ssl) {
            ERR_clear_error();
            int rc = SSL_write(ss->ssl, data, len > INT32_MAX ? INT32_MAX : (int)len);
            if (rc <= 0) {
                int err = SSL_get_error(ss->ssl, rc);
                if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
                    return SF_OK;
                }
                ssl_error_text(why, why_size);
                return SF_ERR_NET;
            }
            n = rc;
        } else {
            n = send(ss->fd, data, len, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    return SF_OK;
                }
                snprintf(why, why_size, "write: %s", strerror(errno));
                return SF_ERR_NET;
            }
        }
        e->written += (size_t)n;
        ss->written += (uint64_t)n;
        ss->progress_ms = sf_now_ms();
        atomic_fetch_add(&ss->bytes_written, (unsigned long long)n);
    }
    return SF_OK;
}

/* Reads and discards whatever the peer sent; SF_ERR_NET when it closed or failed. */
static sf_err stream_drain(struct syslog_sink *ss, char *why, size_t why_size)
{
    uint8_t buf[4096];
    for (;;) {
        if (ss->ssl) {
            ERR_clear_error();
            int rc = SSL_read(ss->ssl, buf, sizeof(buf));
            if (rc > 0) {
                continue;
            }
            int err = SSL_get_error(ss->ssl, rc);
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
        ssize_t n = recv(ss->fd, buf, sizeof(buf), MSG_DONTWAIT);
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
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return SF_OK;
        }
        snprintf(why, why_size, "read: %s", strerror(errno));
        return SF_ERR_NET;
    }
}

static void ask_kernel(struct syslog_sink *ss);

/* Asks the kernel how much of the stream the peer acknowledged; confirms those batches. */
static void confirm_acked(struct syslog_sink *ss)
{
    if (ss->fd >= 0 && ss->written > ss->acked) {
        ask_kernel(ss);
    }
    while (ss->head < ss->cur && ss->window[ss->head].end <= ss->acked) {
        atomic_fetch_add(&ss->batches_delivered, 1);
        window_pop(ss, SF_BATCH_DELIVERED);
    }
    update_unconfirmed(ss);
}

/* Updates |acked| from SIOCOUTQ (and TCP_INFO over TLS). */
static void ask_kernel(struct syslog_sink *ss)
{
    int outq = 0;
    if (ioctl(ss->fd, TIOCOUTQ, &outq) != 0 || outq < 0) {
        return;
    }
    uint64_t acked;
    if (ss->ssl) {
        /* TLS records add overhead: only "all acknowledged" maps onto plaintext offsets. */
        struct tcp_info ti;
        socklen_t len = sizeof(ti);
        memset(&ti, 0, sizeof(ti));
        if (outq != 0 || getsockopt(ss->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
            ti.tcpi_unacked != 0) {
            return;
        }
        acked = ss->written;
    } else {
        if ((uint64_t)outq > ss->written) {
            return;
        }
        acked = ss->written - (uint64_t)outq;
    }
    if (acked > ss->acked) {
        ss->acked = acked;
        ss->progress_ms = sf_now_ms();
    }
}

/* One round on a stream connection: write, read, confirm, then wait up to ack_poll_ms. */
static sf_err stream_pump(struct syslog_sink *ss, char *why, size_t why_size)
{
    sf_err err = stream_write(ss, why, why_size);
    if (err) {
        return err;
    }
    confirm_acked(ss);
    update_unconfirmed(ss);
    if (window_len(ss) == 0) {
        return SF_OK;
    }
    bool has_unwritten = ss->cur < ss->n;
    struct pollfd pfd = {.fd = ss->fd, .events = (short)(POLLIN | (has_unwritten ? POLLOUT : 0))};
    int rc = poll(&pfd, 1, bounded_ms(ss, ss->opts.ack_poll_ms));
    if (rc < 0 && errno != EINTR) {
        snprintf(why, why_size, "poll: %s", strerror(errno));
        return SF_ERR_IO;
    }
    if (rc > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
        err = stream_drain(ss, why, why_size);
        if (err) {
            return err;
        }
        if (pfd.revents & POLLERR) {
            int so_error = 0;
            socklen_t len = sizeof(so_error);
            getsockopt(ss->fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            snprintf(why, why_size, "socket error: %s", strerror(so_error ? so_error : EIO));
            return SF_ERR_NET;
        }
    }
    if (ss->written > ss->acked || has_unwritten) {
        if (sf_now_ms() - ss->progress_ms > ss->opts.ack_timeout_ms) {
            snprintf(why, why_size, "no progress for %d ms (%llu bytes unacknowledged)",
                     ss->opts.ack_timeout_ms, (unsigned long long)(ss->written - ss->acked));
            return SF_ERR_TIMEOUT;
        }
    }
    return SF_OK;
}

/* While idle: notices a peer that closed, so the next batch does not go into a dead socket. */
static void check_idle(struct syslog_sink *ss)
{
    if (ss->fd < 0 || !wait_fd(ss->fd, POLLIN, 0)) {
        return;
    }
    char why[256];
    if (stream_drain(ss, why, sizeof(why)) != SF_OK) {
        SF_LOG_INFO("msg=\"syslog connection closed while idle\" address=\"%s\" error=\"%s\"",
                    ss->address, why);
        disconnect(ss);
        atomic_fetch_add(&ss->reconnects, 1);
    }
}

/* ---- UDP ---- */

/* Sends each '\n'-terminated line of the window's batches as one datagram. */
static sf_err udp_pump(struct syslog_sink *ss, char *why, size_t why_size)
{
    while (window_len(ss) > 0) {
        struct entry *e = &ss->window[ss->head];
        const struct sf_buf *p = &e->batch->syslog_payload;
        while (e->written < p->len) {
            const uint8_t *start = p->ptr + e->written;
            size_t left = p->len - e->written;
            const uint8_t *nl = memchr(start, '\n', left);
            size_t line = nl ? (size_t)(nl - start) : left;
            size_t consumed = nl ? line + 1 : left;
            if (line > 0) {
                ssize_t n = send(ss->fd, start, line, MSG_NOSIGNAL);
                if (n < 0) {
                    if (errno == EINTR || errno == ECONNREFUSED) {
                        continue; /* ECONNREFUSED: an earlier datagram's ICMP; UDP is lossy */
                    }
                    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
                        if (stop_due(ss)) {
                            snprintf(why, why_size, "stop deadline passed");
                            return SF_ERR_TIMEOUT;
                        }
                        wait_fd(ss->fd, POLLOUT, bounded_ms(ss, 100));
                        continue;
                    }
                    if (errno == EMSGSIZE) {
                        SF_LOG_ERROR("msg=\"syslog message too large for one datagram; "
                                     "dropped\" address=\"%s\" bytes=%zu",
                                     ss->address, line);
                    } else {
                        snprintf(why, why_size, "send: %s", strerror(errno));
                        return SF_ERR_NET;
                    }
                } else {
                    atomic_fetch_add(&ss->bytes_written, (unsigned long long)n);
                }
            }
            e->written += consumed;
        }
        atomic_fetch_add(&ss->batches_delivered, 1);
        window_pop(ss, SF_BATCH_DELIVERED);
    }
    return SF_OK;
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
        sf_sleep_ms(bounded_ms(ss, left < 50 ? left : 50));
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
    for (;;) {
        take_queue(ss, window_len(ss) > 0 ? 0 : 200);
        if (window_len(ss) == 0) {
            if (stopping(ss)) {
                break; /* stopping and everything confirmed */
            }
            if (ss->opts.transport != SF_SYSLOG_SINK_UDP) {
                check_idle(ss);
            }
            continue;
        }
        if (stop_due(ss)) {
            break;
        }
        if (ss->fd < 0) {
            why[0] = '\0';
            ss->is_verify_failure = false;
            sf_err err = do_connect(ss, why, sizeof(why));
            if (err && ss->is_verify_failure) {
                atomic_fetch_add(&ss->connect_errors, 1);
                SF_LOG_ERROR("msg=\"syslog receiver's TLS certificate refused; check ca_file and "
                             "server_name\" address=\"%s\" error=\"%s\" unconfirmed_batches=%zu",
                             ss->address, why, window_len(ss));
                back_off(ss);
                continue;
            }
            if (err) {
                atomic_fetch_add(&ss->connect_errors, 1);
                SF_LOG_WARN("msg=\"cannot connect to syslog receiver\" address=\"%s\" "
                            "error=\"%s\" unconfirmed_batches=%zu",
                            ss->address, why, window_len(ss));
                back_off(ss);
                continue;
            }
            if (atomic_load(&ss->reconnects) > 0 || atomic_load(&ss->connect_errors) > 0) {
                SF_LOG_INFO("msg=\"connected to syslog receiver\" address=\"%s\" "
                            "resending_batches=%zu",
                            ss->address, window_len(ss));
            }
        }
        why[0] = '\0';
        sf_err err = ss->opts.transport == SF_SYSLOG_SINK_UDP ? udp_pump(ss, why, sizeof(why))
                                                              : stream_pump(ss, why, sizeof(why));
        if (err == SF_OK) {
            if (window_len(ss) == 0) {
                sf_backoff_reset(&ss->backoff);
            }
            continue;
        }
        if (stop_due(ss)) {
            break;
        }
        SF_LOG_WARN("msg=\"syslog connection lost; will reconnect and resend\" address=\"%s\" "
                    "error=\"%s\" unconfirmed_batches=%zu",
                    ss->address, why, window_len(ss));
        disconnect(ss);
        atomic_fetch_add(&ss->reconnects, 1);
        back_off(ss);
    }
    if (ss->fd >= 0 && ss->opts.transport != SF_SYSLOG_SINK_UDP) {
        confirm_acked(ss); /* a last look before handing the rest back */
    }
    take_queue(ss, 0);
    while (window_len(ss) > 0) {
        window_pop(ss, SF_BATCH_UNDELIVERED);
    }
    disconnect(ss);
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
        while (window_len(ss) > 0) {
            window_pop(ss, SF_BATCH_UNDELIVERED);
        }
    }
}

/* Frees everything |ss| owns; safe on a sink that was never started or only half built. */
static void free_partial(struct syslog_sink *ss)
{
    if (ss->ssl_ctx) {
        SSL_CTX_free(ss->ssl_ctx);
    }
    sf_bqueue_cleanup(&ss->queue);
    free(ss->window);
    free(ss->host);
    free(ss->port);
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
    disconnect(ss);
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

static sf_err make_ssl_ctx(struct syslog_sink *ss, char *errbuf, size_t errbuf_size)
{
    char why[256];
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        snprintf(errbuf, errbuf_size, "cannot create a TLS context: %s",
                 ssl_error_text(why, sizeof(why)));
        return SF_ERR_CONFIG;
    }
    ss->ssl_ctx = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (ss->opts.tls_verify) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        int ok = ss->ca_file ? SSL_CTX_load_verify_locations(ctx, ss->ca_file, NULL)
                             : SSL_CTX_set_default_verify_paths(ctx);
        if (ok != 1) {
            snprintf(errbuf, errbuf_size, "cannot load CA file %s: %s",
                     ss->ca_file ? ss->ca_file : "(system store)",
                     ssl_error_text(why, sizeof(why)));
            return SF_ERR_CONFIG;
        }
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (ss->client_cert || ss->client_key) {
        if (!ss->client_cert || !ss->client_key) {
            snprintf(errbuf, errbuf_size, "client_cert and client_key go together");
            return SF_ERR_CONFIG;
        }
        if (SSL_CTX_use_certificate_chain_file(ctx, ss->client_cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, ss->client_key, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx) != 1) {
            snprintf(errbuf, errbuf_size, "cannot load client certificate %s / key %s: %s",
                     ss->client_cert, ss->client_key, ssl_error_text(why, sizeof(why)));
            return SF_ERR_CONFIG;
        }
    }
    return SF_OK;
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
    ss->fd = -1;
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
    if (!split_address(opts->address, &ss->host, &ss->port)) {
        snprintf(errbuf, errbuf_size, "syslog address %s is not host:port", opts->address);
        free_partial(ss);
        return SF_ERR_CONFIG;
    }
    if (opts->transport == SF_SYSLOG_SINK_TLS) {
        sf_err err = make_ssl_ctx(ss, errbuf, errbuf_size);
        if (err) {
            free_partial(ss);
            return err;
        }
    }
    sf_backoff_init(&ss->backoff, 200,
                    ss->opts.retry_max_ms < 200 ? 200 : (int64_t)ss->opts.retry_max_ms);
    atomic_init(&ss->stop_deadline_ms, 0);
    struct sf_sink *sink = sf_xcalloc(1, sizeof(*sink));
    sink->ops = &syslog_sink_ops;
    sink->impl = ss;
    *out = sink;
    return SF_OK;
}

void sf_syslog_sink_get_stats(struct sf_sink *sink, struct sf_syslog_sink_stats *out)
{
    struct syslog_sink *ss = sink->impl;
    out->bytes_written = atomic_load(&ss->bytes_written);
    out->batches_delivered = atomic_load(&ss->batches_delivered);
    out->reconnects = atomic_load(&ss->reconnects);
    out->connect_errors = atomic_load(&ss->connect_errors);
    out->resent_batches = atomic_load(&ss->resent_batches);
    out->unconfirmed_bytes = atomic_load(&ss->unconfirmed_bytes);
    out->is_connected = atomic_load(&ss->is_connected);
}
