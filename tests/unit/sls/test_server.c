#include "test_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define TS_MAX_REQUESTS 64
#define TS_MAX_REPLIES  32

struct ts_server {
    struct MHD_Daemon *daemon;
    unsigned port;
    pthread_mutex_t lock;
    struct ts_reply replies[TS_MAX_REPLIES];
    size_t n_replies;
    size_t next_reply;
    struct ts_request *requests; /* TS_MAX_REQUESTS */
    size_t n_requests;
    size_t n_connections;
    char *cert_pem;
    char *key_pem;
};

struct conn_state {
    struct ts_request req;
};

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct ts_request *req = cls;
    if (req->n_headers < TS_MAX_HEADERS) {
        snprintf(req->headers[req->n_headers][0], 512, "%s", key);
        snprintf(req->headers[req->n_headers][1], 512, "%s", value ? value : "");
        req->n_headers++;
    }
    return MHD_YES;
}

static enum MHD_Result handle(void *cls,
                              struct MHD_Connection *conn,
                              const char *url,
                              const char *method,
                              const char *version,
                              const char *upload_data,
                              size_t *upload_size,
                              void **con_cls)
{
    (void)version;
    struct ts_server *ts = cls;
    struct conn_state *st = *con_cls;
    if (!st->req.method[0]) {
        snprintf(st->req.method, sizeof(st->req.method), "%s", method);
        snprintf(st->req.path, sizeof(st->req.path), "%s", url);
        MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &st->req);
        return MHD_YES;
    }
    if (*upload_size) {
        size_t room = sizeof(st->req.body) - st->req.body_len;
        size_t n = *upload_size < room ? *upload_size : room;
        memcpy(st->req.body + st->req.body_len, upload_data, n);
        st->req.body_len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&ts->lock);
    if (ts->n_requests < TS_MAX_REQUESTS) {
        ts->requests[ts->n_requests++] = st->req;
    }
    struct ts_reply reply = {.status = 500};
    if (ts->n_replies) {
        reply = ts->replies[ts->next_reply];
        if (ts->next_reply + 1 < ts->n_replies) {
            ts->next_reply++;
        }
    }
    pthread_mutex_unlock(&ts->lock);
    if (reply.delay_ms) {
        usleep(reply.delay_ms * 1000);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        reply.body_len, (void *)(uintptr_t)reply.body, MHD_RESPMEM_MUST_COPY);
    for (size_t i = 0; i < 8 && reply.headers[i][0]; i++) {
        MHD_add_response_header(resp, reply.headers[i][0], reply.headers[i][1]);
    }
    enum MHD_Result ret = MHD_queue_response(conn, reply.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void completed(void *cls,
                      struct MHD_Connection *conn,
                      void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static void on_connection(void *cls,
                          struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)conn;
    (void)socket_context;
    struct ts_server *ts = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&ts->lock);
        ts->n_connections++;
        pthread_mutex_unlock(&ts->lock);
    }
}

/* MHD keeps the raw (still percent-encoded) query only through the URI log callback, whose
 * result becomes the request's context: capture it there. */
static void *log_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct conn_state *st = calloc(1, sizeof(*st));
    const char *q = strchr(uri, '?');
    snprintf(st->req.query, sizeof(st->req.query), "%s", q ? q + 1 : "");
    return st;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    char *data = calloc(1, 65536);
    size_t n = fread(data, 1, 65535, f);
    data[n] = '\0';
    fclose(f);
    return data;
}

struct ts_server *ts_start(const char *cert, const char *key)
{
    struct ts_server *ts = calloc(1, sizeof(*ts));
    pthread_mutex_init(&ts->lock, NULL);
    ts->requests = calloc(TS_MAX_REQUESTS, sizeof(struct ts_request));
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    if (cert) {
        ts->cert_pem = slurp(cert);
        ts->key_pem = slurp(key);
        flags |= MHD_USE_TLS;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (cert) {
        ts->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, handle, ts, MHD_OPTION_SOCK_ADDR, &addr,
            MHD_OPTION_NOTIFY_COMPLETED, completed, ts, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
            ts, MHD_OPTION_URI_LOG_CALLBACK, log_uri, ts, MHD_OPTION_HTTPS_MEM_CERT, ts->cert_pem,
            MHD_OPTION_HTTPS_MEM_KEY, ts->key_pem, MHD_OPTION_END);
    } else {
        ts->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, ts, MHD_OPTION_SOCK_ADDR, &addr,
                                      MHD_OPTION_NOTIFY_COMPLETED, completed, ts,
                                      MHD_OPTION_NOTIFY_CONNECTION, on_connection, ts,
                                      MHD_OPTION_URI_LOG_CALLBACK, log_uri, ts, MHD_OPTION_END);
    }
    if (!ts->daemon) {
        fprintf(stderr, "test server: MHD_start_daemon failed\n");
        abort();
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(ts->daemon, MHD_DAEMON_INFO_BIND_PORT);
    ts->port = info->port;
    return ts;
}

void ts_stop(struct ts_server *ts)
{
    MHD_stop_daemon(ts->daemon);
    free(ts->requests);
    free(ts->cert_pem);
    free(ts->key_pem);
    pthread_mutex_destroy(&ts->lock);
    free(ts);
}

unsigned ts_port(const struct ts_server *ts)
{
    return ts->port;
}

void ts_push(struct ts_server *ts, const struct ts_reply *reply)
{
    pthread_mutex_lock(&ts->lock);
    if (ts->n_replies < TS_MAX_REPLIES) {
        ts->replies[ts->n_replies++] = *reply;
    }
    pthread_mutex_unlock(&ts->lock);
}

const struct ts_request *ts_request(const struct ts_server *ts, size_t i)
{
    return i < ts->n_requests ? &ts->requests[i] : NULL;
}

/* The counters are written by the server's connection threads, under its lock: a test may
 * poll them while a call is in flight. */
size_t ts_n_requests(const struct ts_server *ts)
{
    struct ts_server *locked = (struct ts_server *)ts;
    pthread_mutex_lock(&locked->lock);
    size_t n = ts->n_requests;
    pthread_mutex_unlock(&locked->lock);
    return n;
}

size_t ts_n_connections(const struct ts_server *ts)
{
    struct ts_server *locked = (struct ts_server *)ts;
    pthread_mutex_lock(&locked->lock);
    size_t n = ts->n_connections;
    pthread_mutex_unlock(&locked->lock);
    return n;
}

const char *ts_header(const struct ts_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i][0], name) == 0) {
            return req->headers[i][1];
        }
    }
    return NULL;
}
