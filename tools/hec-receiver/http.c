#include "http.h"

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
#include "util/str.h"

#define SF_LOG_MODULE "hec-receiver"
#include "util/log.h"

#include "util/banned.h"

#define MAX_HEADERS 128

struct hec_http {
    struct MHD_Daemon *daemon;
    struct hec_server *srv;
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

struct header_list {
    struct hec_header items[MAX_HEADERS];
    size_t n;
};

/* MHD hands over the URI before it unescapes it; keep the exact bytes. */
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
        list->items[list->n++] = (struct hec_header){key, value ? value : ""};
    }
    return MHD_YES;
}

/* First call: size the body buffer from Content-Length, or mark the body too large. */
static void start_exchange(struct hec_http *http, struct MHD_Connection *conn, struct exchange *ex)
{
    size_t max = atomic_load(&http->srv->max_content_length);
    ex->body.max = max;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    long long declared;
    if (cl && sf_str_to_i64(sf_str_from(cl), 0, 1ll << 62, &declared)) {
        ex->declared_len = (uint64_t)declared;
        if ((unsigned long long)declared > max) {
            ex->is_too_large = true; /* count and drop the body, answer 413 */
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

static enum MHD_Result
answer(struct hec_http *http, struct MHD_Connection *conn, const char *method, struct exchange *ex)
{
    struct header_list *headers = sf_xmalloc(sizeof(*headers));
    headers->n = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, headers);
    struct hec_request req = {
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
    struct hec_response resp;
    hec_handle(http->srv, &req, &resp);
    free(headers);
    if (resp.delay_ms > 0) {
        sf_sleep_ms(resp.delay_ms);
    }
    if (resp.action != HEC_ACTION_NONE) {
        if (resp.action == HEC_ACTION_RESET) {
            arm_reset(conn);
        }
        hec_response_cleanup(&resp);
        return MHD_NO; /* MHD closes the socket without answering */
    }
    struct MHD_Response *mhd =
        resp.body_len
            ? MHD_create_response_from_buffer(resp.body_len, resp.body, MHD_RESPMEM_MUST_FREE)
            : MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (resp.body_len) {
        resp.body = NULL; /* MHD frees it */
    }
    if (resp.content_type) {
        MHD_add_response_header(mhd, "Content-Type", resp.content_type);
    }
    for (size_t i = 0; i < resp.n_headers; i++) {
        MHD_add_response_header(mhd, resp.headers[i].name, resp.headers[i].value);
    }
    MHD_add_response_header(mhd, "Server", "hec-receiver/" HEC_VERSION);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)resp.status, mhd);
    MHD_destroy_response(mhd);
    hec_response_cleanup(&resp);
    return rc;
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
    struct hec_http *http = cls;
    struct exchange *ex = *con_cls;
    if (!ex->has_started) {
        ex->has_started = true;
        start_exchange(http, conn, ex);
        if (ex->is_too_large && expects_continue(conn)) {
            return answer(http, conn, method, ex); /* 413 instead of 100 Continue */
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ex->is_too_large) {
            if (sf_buf_append(&ex->body, upload_data, *upload_data_size) != SF_OK) {
                ex->is_too_large = true; /* chunked past the limit: count, drop, answer 413 */
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

/* libmicrohttpd's own messages ("Application reported internal error" after a reset fault,
 * TLS handshake failures from plain-HTTP clients) are expected here: DEBUG only. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char text[256];
    vsnprintf(text, sizeof(text), fmt, ap);
    text[strcspn(text, "\r\n")] = '\0';
    SF_LOG_DEBUG("msg=\"libmicrohttpd\" detail=\"%s\"", text);
}

/* Builds the MHD option list; TLS material is used only when given. */
static size_t build_options(struct MHD_OptionItem *items,
                            const struct hec_http_options *opts,
                            struct sockaddr_in *addr)
{
    size_t n = 0;
    /* First, so that MHD routes every later message through it. */
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL};
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

struct hec_http *hec_http_start(struct hec_server *srv,
                                const struct hec_http_options *opts,
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
    struct hec_http *http = sf_xcalloc(1, sizeof(*http));
    http->srv = srv;
    /* A thread per connection by default: a latency fault then stalls only its own
     * connection. The pool (--threads N) is for --count-only benchmarks. */
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

void hec_http_stop(struct hec_http *http)
{
    if (http) {
        MHD_stop_daemon(http->daemon);
        free(http);
    }
}
