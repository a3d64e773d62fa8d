#include "http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#define HSV_MAX_REQUESTS 20000
#define HSV_MAX_REPLIES  64
#define HSV_MAX_BODY     (256u << 20)

struct hsv_server {
    struct MHD_Daemon *daemon;
    unsigned port;
    pthread_mutex_t lock;
    hsv_handler_fn handler;
    void *handler_ctx;
    struct hsv_reply replies[HSV_MAX_REPLIES];
    char *reply_bodies[HSV_MAX_REPLIES];
    size_t n_replies;
    size_t next_reply;
    const char *content_type;  /* added to every answer; NULL: none */
    struct hsv_reply fallback; /* with no handler and nothing queued */
    struct hsv_request **requests;
    size_t n_requests;
    size_t n_connections;
    size_t n_active;
    size_t max_active;
    char *cert_pem;
    char *key_pem;
};

struct conn_state {
    struct hsv_request *req;
    size_t cap;
};

static void free_request(struct hsv_request *req)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        free(req->headers[i][0]);
        free(req->headers[i][1]);
    }
    free(req->query);
    free(req->body);
    free(req->plain);
    free(req);
}

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct hsv_request *req = cls;
    if (req->n_headers < HSV_MAX_HEADERS) {
        req->headers[req->n_headers][0] = strdup(key);
        req->headers[req->n_headers][1] = strdup(value ? value : "");
        req->n_headers++;
    }
    return MHD_YES;
}

const char *hsv_header(const struct hsv_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i][0], name) == 0) {
            return req->headers[i][1];
        }
    }
    return NULL;
}

static bool gunzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return false;
    }
    size_t cap = len * 4 + 1024, n = 0;
    uint8_t *buf = malloc(cap + 1);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    int rc;
    do {
        if (cap - n < 4096) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        zs.next_out = buf + n;
        zs.avail_out = (uInt)(cap - n);
        rc = inflate(&zs, Z_NO_FLUSH);
        n = cap - zs.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || zs.avail_in != 0) {
        free(buf);
        return false;
    }
    buf[n] = 0;
    *out = buf;
    *out_len = n;
    return true;
}

static size_t count_lines(const uint8_t *p, size_t len)
{
    size_t n = 0;
    bool has_content = false;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\n') {
            n += has_content;
            has_content = false;
        } else if (p[i] != ' ' && p[i] != '\r') {
            has_content = true;
        }
    }
    return n + has_content;
}

static void finish_body(struct hsv_request *req)
{
    const char *enc = hsv_header(req, "Content-Encoding");
    if (enc && strcasecmp(enc, "gzip") == 0 &&
        gunzip(req->body, req->body_len, &req->plain, &req->plain_len)) {
        req->is_gzip_ok = true;
    } else {
        req->plain = malloc(req->body_len + 1);
        if (req->body_len) {
            memcpy(req->plain, req->body, req->body_len);
        }
        req->plain[req->body_len] = 0;
        req->plain_len = req->body_len;
    }
    req->n_lines = count_lines(req->plain, req->plain_len);
}

/* Records |req| and picks its reply, under the lock. */
static void decide(struct hsv_server *srv, struct hsv_request *req, struct hsv_reply *reply)
{
    pthread_mutex_lock(&srv->lock);
    req->index = srv->n_requests;
    if (srv->n_requests < HSV_MAX_REQUESTS) {
        srv->requests[srv->n_requests++] = req;
    }
    *reply = srv->fallback;
    if (!srv->handler && srv->n_replies) {
        *reply = srv->replies[srv->next_reply];
        if (srv->next_reply + 1 < srv->n_replies) {
            srv->next_reply++;
        }
    }
    hsv_handler_fn fn = srv->handler;
    void *ctx = srv->handler_ctx;
    srv->n_active++;
    if (srv->n_active > srv->max_active) {
        srv->max_active = srv->n_active;
    }
    pthread_mutex_unlock(&srv->lock);
    if (fn) {
        fn(ctx, req, reply);
    }
    req->status = reply->drop ? 0 : reply->status;
}

static enum MHD_Result
respond(struct hsv_server *srv, struct MHD_Connection *conn, struct hsv_request *req)
{
    finish_body(req);
    struct hsv_reply reply;
    decide(srv, req, &reply);
    if (reply.delay_ms) {
        usleep(reply.delay_ms * 1000);
    }
    pthread_mutex_lock(&srv->lock);
    srv->n_active--;
    pthread_mutex_unlock(&srv->lock);
    if (reply.drop) {
        return MHD_NO; /* MHD closes the connection: the client sees no answer */
    }
    const void *body = reply.body ? reply.body : "";
    size_t body_len = reply.body_len ? reply.body_len : strlen(body);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(body_len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    for (size_t i = 0; i < 8 && reply.headers[i][0]; i++) {
        MHD_add_response_header(resp, reply.headers[i][0], reply.headers[i][1]);
    }
    if (srv->content_type) {
        MHD_add_response_header(resp, "Content-Type", srv->content_type);
    }
    enum MHD_Result ret = MHD_queue_response(conn, reply.status, resp);
    MHD_destroy_response(resp);
    return ret;
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
    struct hsv_server *srv = cls;
    struct conn_state *st = *con_cls;
    struct hsv_request *req = st->req;
    if (!req->method[0]) {
        snprintf(req->method, sizeof(req->method), "%s", method);
        snprintf(req->path, sizeof(req->path), "%s", url);
        MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, req);
        return MHD_YES;
    }
    if (*upload_size) {
        if (req->body_len + *upload_size > st->cap && st->cap < HSV_MAX_BODY) {
            while (st->cap < req->body_len + *upload_size) {
                st->cap = st->cap ? st->cap * 2 : 65536;
            }
            req->body = realloc(req->body, st->cap + 1);
        }
        size_t n = *upload_size;
        if (req->body_len + n > st->cap) {
            n = st->cap - req->body_len;
        }
        memcpy(req->body + req->body_len, upload_data, n);
        req->body_len += n;
        req->body[req->body_len] = 0;
        *upload_size = 0;
        return MHD_YES;
    }
    st->req = NULL; /* the server's now */
    return respond(srv, conn, req);
}

static void completed(void *cls,
                      struct MHD_Connection *conn,
                      void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct conn_state *st = *con_cls;
    if (st && st->req) { /* never answered: not recorded */
        free_request(st->req);
    }
    free(st);
    *con_cls = NULL;
}

static void on_connection(void *cls,
                          struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)conn;
    (void)socket_context;
    struct hsv_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&srv->lock);
        srv->n_connections++;
        pthread_mutex_unlock(&srv->lock);
    }
}

static void *log_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct conn_state *st = calloc(1, sizeof(*st));
    st->req = calloc(1, sizeof(*st->req));
    const char *q = strchr(uri, '?');
    st->req->query = strdup(q ? q + 1 : "");
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

static struct hsv_server *start(const char *bind_ip,
                                const char *cert,
                                const char *key,
                                const char *content_type,
                                const struct hsv_reply *fallback)
{
    struct hsv_server *srv = calloc(1, sizeof(*srv));
    srv->content_type = content_type;
    srv->fallback = *fallback;
    pthread_mutex_init(&srv->lock, NULL);
    srv->requests = calloc(HSV_MAX_REQUESTS, sizeof(srv->requests[0]));
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, bind_ip ? bind_ip : "127.0.0.1", &addr.sin_addr);
    if (cert) {
        srv->cert_pem = slurp(cert);
        srv->key_pem = slurp(key);
        flags |= MHD_USE_TLS;
        srv->daemon =
            MHD_start_daemon(flags, 0, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
                             MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                             MHD_OPTION_URI_LOG_CALLBACK, log_uri, srv, MHD_OPTION_HTTPS_MEM_CERT,
                             srv->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, srv->key_pem, MHD_OPTION_END);
    } else {
        srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR,
                                       &addr, MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
                                       MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                                       MHD_OPTION_URI_LOG_CALLBACK, log_uri, srv, MHD_OPTION_END);
    }
    if (!srv->daemon) {
        fprintf(stderr, "test http server: MHD_start_daemon failed\n");
        abort();
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info->port;
    return srv;
}

struct hsv_server *hsv_start(const char *bind_ip, const char *cert, const char *key)
{
    struct hsv_reply success = {.status = 200, .body = "{\"text\":\"Success\",\"code\":0}"};
    return start(bind_ip, cert, key, "application/json", &success);
}

struct hsv_server *hsv_start_bare(const char *cert, const char *key)
{
    struct hsv_reply failure = {.status = 500};
    return start(NULL, cert, key, NULL, &failure);
}

void hsv_stop(struct hsv_server *srv)
{
    MHD_stop_daemon(srv->daemon);
    for (size_t i = 0; i < srv->n_requests; i++) {
        free_request(srv->requests[i]);
    }
    for (size_t i = 0; i < srv->n_replies; i++) {
        free(srv->reply_bodies[i]);
    }
    free(srv->requests);
    free(srv->cert_pem);
    free(srv->key_pem);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

unsigned hsv_port(const struct hsv_server *srv)
{
    return srv->port;
}

void hsv_set_handler(struct hsv_server *srv, hsv_handler_fn fn, void *ctx)
{
    pthread_mutex_lock(&srv->lock);
    srv->handler = fn;
    srv->handler_ctx = ctx;
    pthread_mutex_unlock(&srv->lock);
}

void hsv_push(struct hsv_server *srv, const struct hsv_reply *reply)
{
    pthread_mutex_lock(&srv->lock);
    if (srv->n_replies < HSV_MAX_REPLIES) {
        struct hsv_reply *r = &srv->replies[srv->n_replies];
        *r = *reply;
        if (reply->body) {
            size_t len = reply->body_len ? reply->body_len : strlen(reply->body);
            char *copy = malloc(len + 1);
            memcpy(copy, reply->body, len);
            copy[len] = '\0';
            srv->reply_bodies[srv->n_replies] = copy;
            r->body = copy;
        }
        srv->n_replies++;
    }
    pthread_mutex_unlock(&srv->lock);
}

size_t hsv_n_requests(struct hsv_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    size_t n = srv->n_requests;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

const struct hsv_request *hsv_request(struct hsv_server *srv, size_t i)
{
    pthread_mutex_lock(&srv->lock);
    const struct hsv_request *req = i < srv->n_requests ? srv->requests[i] : NULL;
    pthread_mutex_unlock(&srv->lock);
    return req;
}

size_t hsv_n_connections(struct hsv_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    size_t n = srv->n_connections;
    pthread_mutex_unlock(&srv->lock);
    return n;
}

size_t hsv_max_concurrent(struct hsv_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    size_t n = srv->max_active;
    pthread_mutex_unlock(&srv->lock);
    return n;
}
