#include "common/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/str.h"

#include "util/banned.h"

#define MAX_HEADERS 128

struct tc_http {
    struct MHD_Daemon *daemon;
    struct tc_http_options opts;
    tc_http_serve_fn serve;
    void *cls;
};

/* One request's state between MHD callbacks. */
struct exchange {
    char *target; /* raw request-target, before MHD decodes it */
    bool has_started;
    bool is_too_large;
    uint64_t declared_len; /* Content-Length, 0 when absent */
    uint64_t wire_len;     /* body bytes that arrived */
    struct sf_buf body;
};

/* The answer in progress, handed to the tool's callback. */
struct tc_http_exchange {
    struct tc_http *http;
    struct MHD_Connection *conn;
    bool is_sent;
    enum MHD_Result result;
};

struct header_list {
    struct tc_header items[MAX_HEADERS];
    size_t n;
};

/* MHD hands over the URI before it unescapes and splits it; keep the exact bytes. The
 * return value becomes the request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct exchange *ex = sf_xcalloc(1, sizeof(*ex));
    ex->target = sf_xstrdup(uri ? uri : "/");
    sf_buf_init(&ex->body, 0);
    return ex;
}

static void on_completed(void *cls,
                         struct MHD_Connection *conn,
                         void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)conn;
    (void)code;
    struct exchange *ex = *con_cls;
    if (ex) {
        sf_buf_cleanup(&ex->body);
        free(ex->target);
        free(ex);
        *con_cls = NULL;
    }
}

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct header_list *list = cls;
    if (list->n < MAX_HEADERS) {
        list->items[list->n++] = (struct tc_header){key, value ? value : ""};
    }
    return MHD_YES;
}

/* First call: size the body buffer from Content-Length, or mark the body too large. */
static void start_exchange(struct tc_http *http, struct MHD_Connection *conn, struct exchange *ex)
{
    size_t max = http->opts.max_body(http->cls);
    ex->body.max = max;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    long long declared;
    if (cl && sf_str_to_i64(sf_str_from(cl), 0, 1ll << 62, &declared)) {
        ex->declared_len = (uint64_t)declared;
        if ((unsigned long long)declared > max) {
            ex->is_too_large = true; /* count and drop the body, answer at the end */
        } else if (declared > 0) {
            sf_buf_reserve(&ex->body, (size_t)declared);
        }
    }
}

static bool expects_continue(struct MHD_Connection *conn)
{
    const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
    return expect && strcasecmp(expect, "100-continue") == 0;
}

/* An RST instead of a FIN: SO_LINGER with a zero timeout makes close() abort. */
static void arm_reset(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info) {
        struct linger lin = {.l_onoff = 1, .l_linger = 0};
        setsockopt(info->connect_fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
    }
}

/* The truncate fault: promise the whole body, deliver half, then fail the stream so MHD
 * closes the connection mid-body. */
struct truncated {
    const uint8_t *data;
    size_t limit;
    void (*body_free)(void *body_cls);
    void *body_cls;
};

static ssize_t read_truncated(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct truncated *t = cls;
    if (pos >= t->limit) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = t->limit - (size_t)pos < max ? t->limit - (size_t)pos : max;
    memcpy(buf, t->data + pos, n);
    return (ssize_t)n;
}

static void free_truncated(void *cls)
{
    struct truncated *t = cls;
    if (t->body_free) {
        t->body_free(t->body_cls);
    }
    free(t);
}

static void ignore_body(void *cls)
{
    (void)cls;
}

/* Hands the body to MHD without copying; MHD runs |body_free| with the last reference. */
static struct MHD_Response *make_response(const struct tc_http_reply *reply)
{
    void (*body_free)(void *) = reply->body_free ? reply->body_free : ignore_body;
    if (!reply->body || reply->body_len == 0) {
        body_free(reply->body_cls);
        return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (reply->action == TC_HTTP_TRUNCATE) {
        struct truncated *t = sf_xmalloc(sizeof(*t));
        *t =
            (struct truncated){reply->body, reply->body_len / 2, reply->body_free, reply->body_cls};
        return MHD_create_response_from_callback(reply->body_len, 64 * 1024, read_truncated, t,
                                                 free_truncated);
    }
    return MHD_create_response_from_buffer_with_free_callback_cls(
        reply->body_len, (void *)(uintptr_t)reply->body, body_free, reply->body_cls);
}

void tc_http_send(struct tc_http_exchange *ex, const struct tc_http_reply *reply)
{
    if (ex->is_sent) {
        return; /* a tool bug: one answer per exchange */
    }
    ex->is_sent = true;
    if (reply->delay_ms > 0) {
        sf_sleep_ms(reply->delay_ms);
    }
    if (reply->action == TC_HTTP_CLOSE || reply->action == TC_HTTP_RESET) {
        if (reply->action == TC_HTTP_RESET) {
            arm_reset(ex->conn);
        }
        if (reply->body_free) {
            reply->body_free(reply->body_cls);
        }
        ex->result = MHD_NO; /* MHD closes the socket without answering */
        return;
    }
    struct MHD_Response *mhd = make_response(reply);
    if (reply->content_type) {
        MHD_add_response_header(mhd, "Content-Type", reply->content_type);
    }
    for (size_t i = 0; reply->headers && i < reply->headers->n; i++) {
        MHD_add_response_header(mhd, reply->headers->items[i].name, reply->headers->items[i].value);
    }
    MHD_add_response_header(mhd, "Server", ex->http->opts.server);
    ex->result = MHD_queue_response(ex->conn, (unsigned)reply->status, mhd);
    MHD_destroy_response(mhd);
}

static enum MHD_Result
answer(struct tc_http *http, struct MHD_Connection *conn, const char *method, struct exchange *ex)
{
    struct header_list *headers = sf_xmalloc(sizeof(*headers));
    headers->n = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, headers);
    struct tc_request req = {
        .method = method,
        .target = ex->target,
        .headers = headers->items,
        .n_headers = headers->n,
        .body = ex->body.ptr,
        .body_len = ex->body.len,
        .is_body_too_large = ex->is_too_large,
        .wire_len = !ex->is_too_large                 ? ex->body.len
                    : ex->declared_len > ex->wire_len ? ex->declared_len
                                                      : ex->wire_len,
    };
    struct tc_http_exchange answering = {.http = http, .conn = conn, .result = MHD_NO};
    http->serve(http->cls, &req, &answering);
    free(headers);
    return answering.result;
}

static enum MHD_Result on_request(void *cls,
                                  struct MHD_Connection *conn,
                                  const char *url,
                                  const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size,
                                  void **con_cls)
{
    (void)url;
    (void)version;
    struct tc_http *http = cls;
    struct exchange *ex = *con_cls;
    if (!ex->has_started) {
        ex->has_started = true;
        start_exchange(http, conn, ex);
        if (ex->is_too_large && http->opts.answers_before_body && expects_continue(conn)) {
            return answer(http, conn, method, ex); /* 413 instead of 100 Continue */
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ex->is_too_large) {
            if (sf_buf_append(&ex->body, upload_data, *upload_data_size) != SF_OK) {
                ex->is_too_large = true; /* past the limit: count, drop, answer at the end */
                ex->wire_len = ex->body.len;
                sf_buf_cleanup(&ex->body);
            }
        }
        if (ex->is_too_large) {
            ex->wire_len += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return answer(http, conn, method, ex);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    const char *module = cls;
    if (!sf_log_enabled(SF_LOG_LEVEL_DEBUG, module)) {
        return;
    }
    char text[256];
    vsnprintf(text, sizeof(text), fmt, ap);
    text[strcspn(text, "\r\n")] = '\0';
    sf_log_write(SF_LOG_LEVEL_DEBUG, module, "msg=\"libmicrohttpd\" detail=\"%s\"", text);
}

/* Builds the MHD option list; the logger and TLS material only when given. */
static size_t build_options(struct MHD_OptionItem *items,
                            const struct tc_http_options *opts,
                            struct sockaddr_in *addr)
{
    size_t n = 0;
    if (opts->log_module) {
        /* First, so that MHD routes every later message through it. */
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log,
                                             (void *)(uintptr_t)opts->log_module};
    }
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, addr};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, 256 * 1024, NULL};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL};
    if (opts->threads > 0) {
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, opts->threads, NULL};
    }
    if (opts->cert_pem) {
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)opts->cert_pem};
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)opts->key_pem};
    }
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return n;
}

struct tc_http *tc_http_start(const struct tc_http_options *opts,
                              tc_http_serve_fn serve,
                              void *cls,
                              int *bound_port,
                              char *errbuf,
                              size_t errbuf_size)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opts->port);
    const char *ip = strcmp(opts->host, "localhost") == 0 ? "127.0.0.1" : opts->host;
    if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
        snprintf(errbuf, errbuf_size, "listen host '%s' is not an IPv4 address", opts->host);
        return NULL;
    }
    if (opts->cert_pem && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
        snprintf(errbuf, errbuf_size, "this libmicrohttpd has no TLS support");
        return NULL;
    }
    struct tc_http *http = sf_xcalloc(1, sizeof(*http));
    http->opts = *opts;
    http->serve = serve;
    http->cls = cls;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    flags |= opts->threads > 0 ? MHD_USE_EPOLL : (MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL);
    if (opts->cert_pem) {
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem items[16];
    build_options(items, opts, &addr);
    http->daemon = MHD_start_daemon(flags, (uint16_t)opts->port, NULL, NULL, on_request, http,
                                    MHD_OPTION_ARRAY, items, MHD_OPTION_END);
    if (!http->daemon) {
        snprintf(errbuf, errbuf_size, "cannot listen on %s:%d%s", opts->host, opts->port,
                 opts->cert_pem ? " (or the certificate/key is unusable)" : "");
        free(http);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : opts->port;
    return http;
}

void tc_http_stop(struct tc_http *http)
{
    if (http) {
        MHD_stop_daemon(http->daemon);
        free(http);
    }
}
