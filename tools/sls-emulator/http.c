#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"

#include "util/banned.h"

/* Larger than any legitimate request (PutLogs <= 10 MB compressed); past it the body is
 * dropped and the request answered PostBodyTooLarge. */
#define MAX_BODY_BYTES ((size_t)64 << 20)
#define MAX_HEADERS    128

struct emu_http {
    struct MHD_Daemon *daemon;
    emu_http_handler handler;
    struct emu_server *srv;
};

/* One request's state between MHD callbacks. */
struct exchange {
    char *target; /* raw request-target, before MHD decodes it */
    bool has_started;
    bool is_too_large;
    struct sf_buf body;
};

struct header_list {
    struct emu_header items[MAX_HEADERS];
    size_t n;
};

/* MHD hands us the URI before it unescapes and splits it; the v1/v4 signatures need the
 * exact bytes, so keep them. The return value becomes the request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct exchange *ex = sf_xcalloc(1, sizeof(*ex));
    ex->target = sf_xstrdup(uri ? uri : "/");
    sf_buf_init(&ex->body, MAX_BODY_BYTES);
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
        list->items[list->n++] = (struct emu_header){key, value ? value : ""};
    }
    return MHD_YES;
}

static void release_body(void *cls)
{
    emu_body_unref(cls);
}

/* The truncate fault: promise the whole body, deliver half, then fail the stream so MHD
 * closes the connection mid-body. */
struct truncated {
    struct emu_body *body;
    size_t limit;
};

static ssize_t read_truncated(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct truncated *t = cls;
    if (pos >= t->limit) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = t->limit - (size_t)pos < max ? t->limit - (size_t)pos : max;
    memcpy(buf, t->body->data + pos, n);
    return (ssize_t)n;
}

static void free_truncated(void *cls)
{
    struct truncated *t = cls;
    emu_body_unref(t->body);
    free(t);
}

static struct MHD_Response *make_response(struct emu_response *resp)
{
    struct emu_body *body = resp->body;
    resp->body = NULL; /* the MHD response owns the reference from here */
    if (!body || body->len == 0) {
        emu_body_unref(body);
        return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (resp->action == EMU_ACTION_TRUNCATE) {
        struct truncated *t = sf_xmalloc(sizeof(*t));
        t->body = body;
        t->limit = body->len / 2;
        return MHD_create_response_from_callback(body->len, 64 * 1024, read_truncated, t,
                                                 free_truncated);
    }
    /* Zero copy: cached bodies are shared by connections and freed with the last one. */
    return MHD_create_response_from_buffer_with_free_callback_cls(body->len, body->data,
                                                                  release_body, body);
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
    struct emu_http *http = cls;
    struct exchange *ex = *con_cls;
    if (!ex->has_started) {
        ex->has_started = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (ex->is_too_large || sf_buf_append(&ex->body, upload_data, *upload_data_size)) {
            ex->is_too_large = true; /* keep reading, drop the bytes, answer at the end */
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct header_list *headers = sf_xmalloc(sizeof(*headers));
    headers->n = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, headers);
    struct emu_request req = {
        .method = method,
        .target = ex->target,
        .headers = headers->items,
        .n_headers = headers->n,
        .body = ex->body.ptr,
        .body_len = ex->body.len,
        .is_body_too_large = ex->is_too_large,
    };
    struct emu_response resp;
    http->handler(http->srv, &req, &resp);
    free(headers);
    if (resp.delay_ms > 0) {
        sf_sleep_ms(resp.delay_ms);
    }
    if (resp.action == EMU_ACTION_DROP) {
        emu_response_cleanup(&resp);
        return MHD_NO; /* MHD closes the socket without answering */
    }
    struct MHD_Response *mhd = make_response(&resp);
    if (resp.content_type) {
        MHD_add_response_header(mhd, "Content-Type", resp.content_type);
    }
    for (size_t i = 0; i < resp.n_headers; i++) {
        MHD_add_response_header(mhd, resp.headers[i].name, resp.headers[i].value);
    }
    MHD_add_response_header(mhd, "Server", "sls-emulator/" EMU_VERSION);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)resp.status, mhd);
    MHD_destroy_response(mhd);
    emu_response_cleanup(&resp);
    return rc;
}

struct emu_http *emu_http_start(emu_http_handler handler,
                                struct emu_server *srv,
                                const char *host,
                                int port,
                                const char *cert_pem,
                                const char *key_pem,
                                int *bound_port,
                                char *errbuf,
                                size_t errbuf_size)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    const char *ip = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
        snprintf(errbuf, errbuf_size, "listen host '%s' is not an IPv4 address", host);
        return NULL;
    }
    if (cert_pem && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
        snprintf(errbuf, errbuf_size, "this libmicrohttpd has no TLS support");
        return NULL;
    }
    struct emu_http *http = sf_xcalloc(1, sizeof(*http));
    http->srv = srv;
    http->handler = handler;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}};
    if (cert_pem) {
        flags |= MHD_USE_TLS;
        tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cert_pem};
        tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key_pem};
        tls[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    }
    http->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, http, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    if (!http->daemon) {
        snprintf(errbuf, errbuf_size, "cannot listen on %s:%d%s", host, port,
                 cert_pem ? " (or the certificate/key is unusable)" : "");
        free(http);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : port;
    return http;
}

void emu_http_stop(struct emu_http *http)
{
    if (http) {
        MHD_stop_daemon(http->daemon);
        free(http);
    }
}
