/* The syslog sink against receivers written here: a TCP (optionally TLS) listener thread that
 * records every connection's bytes, and a UDP socket. Delivery in order and exactly once per
 * batch; a receiver that closes the connection (nothing lost, each batch confirmed once); a
 * receiver that is not there yet; stop with a deadline handing everything back; UDP datagrams;
 * TLS verification with and without the test CA. */
#include "sf_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "sink/syslog_sink.h"
#include "util/buf.h"
#include "util/clock.h"

#define MAX_BATCHES 64

/* ---- what the sink handed back ---- */

struct rec {
    pthread_mutex_t mu;
    int delivered[MAX_BATCHES];
    int undelivered[MAX_BATCHES];
    uint64_t order[MAX_BATCHES * 4];
    size_t n_order;
    size_t n_delivered, n_undelivered;
};

static void rec_init(struct rec *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
}

static void on_delivered(struct rec *r, struct sf_batch *batch)
{
    pthread_mutex_lock(&r->mu);
    r->delivered[batch->seq]++;
    if (r->n_order < MAX_BATCHES * 4) {
        r->order[r->n_order++] = batch->seq;
    }
    r->n_delivered++;
    pthread_mutex_unlock(&r->mu);
}

static void on_undelivered(struct rec *r, struct sf_batch *batch)
{
    pthread_mutex_lock(&r->mu);
    r->undelivered[batch->seq]++;
    r->n_undelivered++;
    pthread_mutex_unlock(&r->mu);
}

/* The batches' back function: the sink settled its hold, the only one. */
static void rec_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    if (is_delivered) {
        on_delivered(ctx, batch);
    } else {
        on_undelivered(ctx, batch);
    }
}

/* Gives |sink| the only hold on |batch|; |r| records how the sink settles it. */
static void submit(struct sf_sink *sink, struct rec *r, struct sf_batch *batch)
{
    sf_batch_open(batch, rec_back, NULL, r);
    sf_sink_submit(sink, sf_batch_hold(batch, 0));
    sf_batch_unref(batch); /* the test's own reference */
}

static size_t rec_count(struct rec *r, bool delivered)
{
    pthread_mutex_lock(&r->mu);
    size_t n = delivered ? r->n_delivered : r->n_undelivered;
    pthread_mutex_unlock(&r->mu);
    return n;
}

static bool wait_delivered(struct rec *r, size_t n, int timeout_ms)
{
    int64_t end = sf_now_ms() + timeout_ms;
    while (rec_count(r, true) < n && sf_now_ms() < end) {
        usleep(5000);
    }
    return rec_count(r, true) >= n;
}

/* Batch |seq|: |n_lines| LF-terminated lines "<14>1 ... batch=SEQ line=I xxxx". */
static struct sf_batch *make_batch(uint64_t seq, size_t n_lines, size_t filler)
{
    struct sf_batch *b = sf_batch_new();
    b->seq = seq;
    for (size_t i = 0; i < n_lines; i++) {
        assert_int_equal(sf_buf_printf(&b->syslog_payload,
                                       "<14>1 - h app - - - batch=%03llu line=%zu ",
                                       (unsigned long long)seq, i),
                         SF_OK);
        for (size_t k = 0; k < filler; k++) {
            assert_int_equal(sf_buf_append(&b->syslog_payload, "x", 1), SF_OK);
        }
        assert_int_equal(sf_buf_append(&b->syslog_payload, "\n", 1), SF_OK);
    }
    return b;
}

static void free_batch(struct sf_batch *b)
{
    sf_batch_free(b);
}

/* ---- a TCP / TLS receiver ---- */

#define MAX_CONNS 16

struct lsn {
    int lfd;
    uint16_t port;
    pthread_t thread;
    atomic_bool stop;
    SSL_CTX *sctx;      /* TLS when set */
    size_t close_after; /* first connection: close once it received this many bytes */
    pthread_mutex_t mu;
    struct sf_buf conns[MAX_CONNS];
    int n_conns;
    atomic_int n_handshake_failures;
    atomic_bool first_closed;
};

static int listen_on(uint16_t port, uint16_t *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *bound = ntohs(sa.sin_port);
    return fd;
}

/* A port where nothing listens (bound once, then closed). */
static uint16_t free_port(void)
{
    uint16_t port;
    int fd = listen_on(0, &port);
    close(fd);
    return port;
}

static void serve_conn(struct lsn *l, int fd, int idx)
{
    struct timeval tv = {.tv_sec = 0, .tv_usec = 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    SSL *ssl = NULL;
    if (l->sctx) {
        ssl = SSL_new(l->sctx);
        SSL_set_fd(ssl, fd);
        int rc;
        int64_t end = sf_now_ms() + 3000;
        while ((rc = SSL_accept(ssl)) != 1) {
            int e = SSL_get_error(ssl, rc);
            if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || sf_now_ms() > end ||
                atomic_load(&l->stop)) {
                atomic_fetch_add(&l->n_handshake_failures, 1);
                SSL_free(ssl);
                close(fd);
                return;
            }
        }
    }
    uint8_t buf[65536];
    while (!atomic_load(&l->stop)) {
        ssize_t n;
        if (ssl) {
            int rc = SSL_read(ssl, buf, sizeof(buf));
            if (rc <= 0) {
                int e = SSL_get_error(ssl, rc);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    continue;
                }
                break;
            }
            n = rc;
        } else {
            n = recv(fd, buf, sizeof(buf), 0);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                continue;
            }
            if (n <= 0) {
                break;
            }
        }
        pthread_mutex_lock(&l->mu);
        sf_buf_append(&l->conns[idx], buf, (size_t)n);
        bool is_done = idx == 0 && l->close_after && l->conns[0].len >= l->close_after;
        pthread_mutex_unlock(&l->mu);
        if (is_done) {
            break;
        }
    }
    if (ssl) {
        SSL_free(ssl);
    }
    close(fd);
    if (idx == 0) {
        atomic_store(&l->first_closed, true);
    }
}

static void *lsn_main(void *arg)
{
    struct lsn *l = arg;
    while (!atomic_load(&l->stop)) {
        struct pollfd pfd = {.fd = l->lfd, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0) {
            continue;
        }
        int fd = accept(l->lfd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        pthread_mutex_lock(&l->mu);
        int idx = l->n_conns < MAX_CONNS ? l->n_conns++ : MAX_CONNS - 1;
        pthread_mutex_unlock(&l->mu);
        serve_conn(l, fd, idx);
    }
    return NULL;
}

static struct lsn *lsn_start(uint16_t port, SSL_CTX *sctx, size_t close_after)
{
    struct lsn *l = calloc(1, sizeof(*l));
    assert_non_null(l);
    pthread_mutex_init(&l->mu, NULL);
    for (int i = 0; i < MAX_CONNS; i++) {
        sf_buf_init(&l->conns[i], SIZE_MAX);
    }
    l->sctx = sctx;
    l->close_after = close_after;
    l->lfd = listen_on(port, &l->port);
    assert_int_equal(pthread_create(&l->thread, NULL, lsn_main, l), 0);
    return l;
}

static void lsn_stop(struct lsn *l)
{
    atomic_store(&l->stop, true);
    pthread_join(l->thread, NULL);
    close(l->lfd);
    for (int i = 0; i < MAX_CONNS; i++) {
        sf_buf_cleanup(&l->conns[i]);
    }
    free(l);
}

static size_t lsn_total(struct lsn *l)
{
    pthread_mutex_lock(&l->mu);
    size_t n = 0;
    for (int i = 0; i < MAX_CONNS; i++) {
        n += l->conns[i].len;
    }
    pthread_mutex_unlock(&l->mu);
    return n;
}

/* "Delivered" means the listener's kernel acknowledged the bytes, not that its thread has read
 * them yet: a slow (e.g. ThreadSanitizer) build can confirm first, so wait for the bytes. */
static bool wait_received(struct lsn *l, size_t n, int timeout_ms)
{
    int64_t end = sf_now_ms() + timeout_ms;
    while (lsn_total(l) < n && sf_now_ms() < end) {
        usleep(5000);
    }
    return lsn_total(l) >= n;
}

static bool contains(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t len)
{
    for (size_t i = 0; i + len <= hay_len; i++) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, len) == 0) {
            return true;
        }
    }
    return false;
}

/* Whether some connection received |b|'s payload whole, waiting up to |timeout_ms| for the
 * listener's thread to read it (see wait_received). */
static bool lsn_has(struct lsn *l, const struct sf_batch *b, int timeout_ms)
{
    int64_t end = sf_now_ms() + timeout_ms;
    for (;;) {
        pthread_mutex_lock(&l->mu);
        bool found = false;
        for (int i = 0; i < MAX_CONNS && !found; i++) {
            found = contains(l->conns[i].ptr, l->conns[i].len, b->syslog_payload.ptr,
                             b->syslog_payload.len);
        }
        pthread_mutex_unlock(&l->mu);
        if (found || sf_now_ms() >= end) {
            return found;
        }
        usleep(5000);
    }
}

static struct sf_syslog_sink_options opts_for(const char *address, enum sf_syslog_sink_transport t)
{
    struct sf_syslog_sink_options o = {
        .address = address,
        .transport = t,
        .tls_verify = true,
        .connect_timeout_ms = 2000,
        .retry_max_ms = 400,
        .ack_poll_ms = 20,
        .ack_timeout_ms = 3000,
    };
    return o;
}

static struct sf_sink *new_sink(const struct sf_syslog_sink_options *o)
{
    struct sf_sink *sink = NULL;
    char err[256];
    sf_err e = sf_syslog_sink_new(o, &sink, err, sizeof(err));
    if (e != SF_OK) {
        fail_msg("sf_syslog_sink_new: %s: %s", sf_err_name(e), err);
    }
    SF_CHECK_ERR(sf_sink_start(sink), SF_OK);
    return sink;
}

/* (1) In order, byte-exact, each confirmed once; one large batch forces partial writes. */
static void test_tcp_in_order(void **state)
{
    (void)state;
    struct lsn *l = lsn_start(0, NULL, 0);
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%u", l->port);
    struct sf_syslog_sink_options o = opts_for(addr, SF_SYSLOG_SINK_TCP);
    struct rec r;
    rec_init(&r);
    struct sf_sink *sink = new_sink(&o);
    enum { N = 20 };
    struct sf_batch *b[N];
    struct sf_buf expect;
    sf_buf_init(&expect, SIZE_MAX);
    for (int i = 0; i < N; i++) {
        b[i] = make_batch((uint64_t)i, i == 7 ? 20000 : 10, i == 7 ? 200 : 30);
        sf_buf_append(&expect, b[i]->syslog_payload.ptr, b[i]->syslog_payload.len);
        submit(sink, &r, b[i]);
    }
    assert_true(wait_delivered(&r, N, 10000));
    for (int i = 0; i < N; i++) {
        assert_int_equal(r.delivered[i], 1);
        assert_int_equal(r.order[i], (uint64_t)i);
    }
    assert_true(wait_received(l, expect.len, 10000));
    pthread_mutex_lock(&l->mu);
    assert_int_equal(l->n_conns, 1);
    assert_int_equal(l->conns[0].len, expect.len);
    assert_memory_equal(l->conns[0].ptr, expect.ptr, expect.len);
    pthread_mutex_unlock(&l->mu);
    struct sf_syslog_sink_stats s;
    sf_syslog_sink_get_stats(sink, &s);
    assert_int_equal(s.batches_delivered, N);
    assert_int_equal(s.bytes_written, expect.len);
    assert_int_equal(s.unconfirmed_bytes, 0);
    assert_true(s.is_connected);
    assert_int_equal(s.reconnects, 0);
    sf_sink_stop(sink, sf_now_ms() + 1000);
    assert_int_equal(rec_count(&r, false), 0);
    sf_sink_free(sink);
    lsn_stop(l);
    sf_buf_cleanup(&expect);
    for (int i = 0; i < N; i++) {
        free_batch(b[i]);
    }
}

/* (2) The receiver closes the connection after the first N bytes and accepts again: the next
 * batches go into a dead connection (the write succeeds, the reset follows) or find it closed;
 * either way every batch arrives whole at least once and is confirmed exactly once. The cut is
 * at a point the receiver read completely: bytes its kernel acknowledged but the program
 * discarded are the loss only RELP could avoid (docs/protocol/syslog.md §Transports and framing).
 */
static void test_tcp_peer_closes(void **state)
{
    (void)state;
    enum { N1 = 5, N = 12 };
    struct sf_batch *b[N];
    size_t first_bytes = 0;
    for (int i = 0; i < N; i++) {
        b[i] = make_batch((uint64_t)i, 50, 40);
        if (i < N1) {
            first_bytes += b[i]->syslog_payload.len;
        }
    }
    struct lsn *l = lsn_start(0, NULL, first_bytes);
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%u", l->port);
    struct sf_syslog_sink_options o = opts_for(addr, SF_SYSLOG_SINK_TCP);
    o.retry_max_ms = 200;
    struct rec r;
    rec_init(&r);
    struct sf_sink *sink = new_sink(&o);
    for (int i = 0; i < N1; i++) {
        submit(sink, &r, b[i]);
    }
    int64_t end = sf_now_ms() + 5000;
    while (!atomic_load(&l->first_closed) && sf_now_ms() < end) {
        usleep(1000);
    }
    assert_true(atomic_load(&l->first_closed));
    for (int i = N1; i < N; i++) { /* at once: most likely into the dead connection */
        submit(sink, &r, b[i]);
    }
    assert_true(wait_delivered(&r, N, 10000));
    for (int i = 0; i < N; i++) {
        assert_int_equal(r.delivered[i], 1);
        assert_true(lsn_has(l, b[i], 10000));
    }
    struct sf_syslog_sink_stats s;
    sf_syslog_sink_get_stats(sink, &s);
    assert_true(s.reconnects >= 1);
    pthread_mutex_lock(&l->mu);
    assert_true(l->n_conns >= 2);
    pthread_mutex_unlock(&l->mu);
    print_message("peer closes: reconnects=%llu resent_batches=%llu\n",
                  (unsigned long long)s.reconnects, (unsigned long long)s.resent_batches);
    sf_sink_stop(sink, sf_now_ms() + 1000);
    assert_int_equal(rec_count(&r, false), 0);
    sf_sink_free(sink);
    lsn_stop(l);
    for (int i = 0; i < N; i++) {
        free_batch(b[i]);
    }
}

/* (3) Connection refused at start; the receiver appears later. */
static void test_tcp_listener_later(void **state)
{
    (void)state;
    uint16_t port = free_port();
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
    struct sf_syslog_sink_options o = opts_for(addr, SF_SYSLOG_SINK_TCP);
    struct rec r;
    rec_init(&r);
    struct sf_sink *sink = new_sink(&o);
    enum { N = 4 };
    struct sf_batch *b[N];
    for (int i = 0; i < N; i++) {
        b[i] = make_batch((uint64_t)i, 3, 10);
        submit(sink, &r, b[i]);
    }
    usleep(500000);
    assert_int_equal(rec_count(&r, true), 0);
    struct sf_syslog_sink_stats s;
    sf_syslog_sink_get_stats(sink, &s);
    assert_true(s.connect_errors >= 1);
    assert_false(s.is_connected);
    struct lsn *l = lsn_start(port, NULL, 0);
    assert_true(wait_delivered(&r, N, 5000));
    for (int i = 0; i < N; i++) {
        assert_int_equal(r.delivered[i], 1);
        assert_int_equal(r.order[i], (uint64_t)i);
        assert_true(lsn_has(l, b[i], 10000));
    }
    sf_sink_stop(sink, sf_now_ms() + 1000);
    sf_sink_free(sink);
    lsn_stop(l);
    for (int i = 0; i < N; i++) {
        free_batch(b[i]);
    }
}

/* (4) Nothing listens: stop hands every batch back once, by its deadline. */
static void test_stop_hands_back(void **state)
{
    (void)state;
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%u", free_port());
    struct sf_syslog_sink_options o = opts_for(addr, SF_SYSLOG_SINK_TCP);
    o.retry_max_ms = 10000;
    struct rec r;
    rec_init(&r);
    struct sf_sink *sink = new_sink(&o);
    enum { N = 6 };
    struct sf_batch *b[N];
    for (int i = 0; i < N; i++) {
        b[i] = make_batch((uint64_t)i, 2, 10);
        submit(sink, &r, b[i]);
    }
    usleep(300000);
    int64_t t0 = sf_now_ms();
    sf_sink_stop(sink, t0 + 300);
    int64_t took = sf_now_ms() - t0;
    assert_true(took < 1000);
    assert_int_equal(rec_count(&r, true), 0);
    assert_int_equal(rec_count(&r, false), N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(r.undelivered[i], 1);
    }
    sf_sink_free(sink);
    assert_int_equal(rec_count(&r, false), N); /* destroy after stop hands back nothing twice */
    for (int i = 0; i < N; i++) {
        free_batch(b[i]);
    }
}

/* (5) UDP: one datagram per line, without its LF. */
static void test_udp(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int rcvbuf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    char addr[64];
    snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sa.sin_port));
    struct sf_syslog_sink_options o = opts_for(addr, SF_SYSLOG_SINK_UDP);
    struct rec r;
    rec_init(&r);
    struct sf_sink *sink = new_sink(&o);
    enum { N = 3, LINES = 4 };
    struct sf_batch *b[N];
    for (int i = 0; i < N; i++) {
        b[i] = make_batch((uint64_t)i, LINES, 20);
        submit(sink, &r, b[i]);
    }
    assert_true(wait_delivered(&r, N, 5000));
    for (int i = 0; i < N; i++) {
        const char *p = (const char *)b[i]->syslog_payload.ptr;
        for (int k = 0; k < LINES; k++) {
            const char *nl = memchr(p, '\n', b[i]->syslog_payload.len);
            assert_non_null(nl);
            char dg[2048];
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            assert_int_equal(poll(&pfd, 1, 2000), 1);
            ssize_t n = recv(fd, dg, sizeof(dg), 0);
            assert_int_equal(n, nl - p);
            assert_memory_equal(dg, p, (size_t)n);
            p = nl + 1;
        }
        assert_int_equal(r.delivered[i], 1);
    }
    sf_sink_stop(sink, sf_now_ms() + 500);
    sf_sink_free(sink);
    close(fd);
    for (int i = 0; i < N; i++) {
        free_batch(b[i]);
    }
}

/* (6) TLS against the throwaway CA of tests/data/tls. */
struct tls_case {
    const char *host; /* in the address */
    bool has_ca;
    bool verify;
    const char *server_name;
    bool is_delivered;
};

static void run_tls_case(const struct tls_case *c)
{
    const char *dir = getenv("SF_TESTDATA");
    assert_non_null(dir);
    char ca[512], cert[512], key[512];
    snprintf(ca, sizeof(ca), "%s/tls/ca.pem", dir);
    snprintf(cert, sizeof(cert), "%s/tls/server.pem", dir);
    snprintf(key, sizeof(key), "%s/tls/server.key", dir);
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(sctx);
    assert_int_equal(SSL_CTX_use_certificate_chain_file(sctx, cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM), 1);
    struct lsn *l = lsn_start(0, sctx, 0);
    char addr[128];
    snprintf(addr, sizeof(addr), "%s:%u", c->host, l->port);
    struct sf_syslog_sink_options o = opts_for(addr, SF_SYSLOG_SINK_TLS);
    o.ca_file = c->has_ca ? ca : NULL;
    o.tls_verify = c->verify;
    o.server_name = c->server_name;
    struct rec r;
    rec_init(&r);
    struct sf_sink *sink = new_sink(&o);
    enum { N = 5 };
    struct sf_batch *b[N];
    struct sf_buf expect;
    sf_buf_init(&expect, SIZE_MAX);
    for (int i = 0; i < N; i++) {
        b[i] = make_batch((uint64_t)i, i == 2 ? 3000 : 5, 100);
        sf_buf_append(&expect, b[i]->syslog_payload.ptr, b[i]->syslog_payload.len);
        submit(sink, &r, b[i]);
    }
    if (c->is_delivered) {
        assert_true(wait_delivered(&r, N, 10000));
        for (int i = 0; i < N; i++) {
            assert_int_equal(r.delivered[i], 1);
            assert_int_equal(r.order[i], (uint64_t)i);
        }
        assert_true(wait_received(l, expect.len, 10000));
        pthread_mutex_lock(&l->mu);
        assert_int_equal(l->conns[0].len, expect.len);
        assert_memory_equal(l->conns[0].ptr, expect.ptr, expect.len);
        pthread_mutex_unlock(&l->mu);
    } else {
        usleep(800000);
        assert_int_equal(rec_count(&r, true), 0);
        assert_int_equal(lsn_total(l), 0);
        struct sf_syslog_sink_stats s;
        sf_syslog_sink_get_stats(sink, &s);
        assert_true(s.connect_errors >= 1);
        assert_false(s.is_connected);
    }
    sf_sink_stop(sink, sf_now_ms() + 300);
    assert_int_equal(rec_count(&r, true) + rec_count(&r, false), N);
    sf_sink_free(sink);
    lsn_stop(l);
    SSL_CTX_free(sctx);
    sf_buf_cleanup(&expect);
    for (int i = 0; i < N; i++) {
        free_batch(b[i]);
    }
}

static void test_tls(void **state)
{
    (void)state;
    static const struct tls_case cases[] = {
        {"127.0.0.1", false, true, NULL, false},           /* unknown CA */
        {"127.0.0.1", true, true, NULL, true},             /* IP SAN */
        {"localhost", true, true, NULL, true},             /* DNS SAN (::1 refused first, maybe) */
        {"127.0.0.1", true, true, "wrong.example", false}, /* name not in the certificate */
        {"127.0.0.1", false, false, NULL, true},           /* tls_verify = false */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        print_message("tls case %zu\n", i);
        run_tls_case(&cases[i]);
    }
}

static void test_bad_options(void **state)
{
    (void)state;
    static const char *const bad[] = {"nohost", "host:", ":514", "::1:514", "h:99999", "h:5x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sf_syslog_sink_options o = opts_for(bad[i], SF_SYSLOG_SINK_TCP);
        struct sf_sink *sink = NULL;
        char err[256];
        SF_CHECK_ERR(sf_syslog_sink_new(&o, &sink, err, sizeof(err)), SF_ERR_CONFIG);
        assert_null(sink);
        assert_true(err[0] != '\0');
    }
    struct sf_syslog_sink_options o = opts_for("[::1]:514", SF_SYSLOG_SINK_TLS);
    o.ca_file = "/nonexistent/ca.pem";
    struct sf_sink *sink = NULL;
    char err[256];
    SF_CHECK_ERR(sf_syslog_sink_new(&o, &sink, err, sizeof(err)), SF_ERR_CONFIG);
    o.ca_file = NULL;
    SF_CHECK_ERR(sf_syslog_sink_new(&o, &sink, err, sizeof(err)), SF_OK);
    sf_sink_free(sink);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_tcp_in_order),
        cmocka_unit_test(test_tcp_peer_closes),
        cmocka_unit_test(test_tcp_listener_later),
        cmocka_unit_test(test_stop_hands_back),
        cmocka_unit_test(test_udp),
        cmocka_unit_test(test_tls),
    };
    /* As the daemon does (app/signals.c): the TLS listener above writes through OpenSSL, with
     * write(2), to clients that may have hung up already (a refused certificate, a stop). */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
