/* The emulator's side of the shared HTTP front (common/http.h): bodies up to 64 MiB, MHD's
 * messages left on stderr, and zero-copy answers: cached PullLogs bodies are shared by
 * connections and freed with the last one. */
#include "http.h"

#include <stdlib.h>

#include "common/http.h"
#include "util/alloc.h"

#include "util/banned.h"

/* Larger than any legitimate request (PutLogs <= 10 MB compressed); past it the body is
 * dropped and the request answered PostBodyTooLarge. */
#define MAX_BODY_BYTES ((size_t)64 << 20)

struct emu_http {
    struct tc_http *front;
    emu_http_handler handler;
    struct emu_server *srv;
};

static size_t max_body(void *cls)
{
    (void)cls;
    return MAX_BODY_BYTES;
}

static void release_body(void *cls)
{
    emu_body_unref(cls);
}

static void serve(void *cls, const struct tc_request *req, struct tc_http_exchange *ex)
{
    struct emu_http *http = cls;
    struct emu_response resp;
    http->handler(http->srv, req, &resp);
    struct emu_body *body = resp.body;
    resp.body = NULL; /* the front owns the reference from here */
    struct tc_http_reply reply = {
        .status = resp.status,
        .action = resp.action == EMU_ACTION_DROP       ? TC_HTTP_CLOSE
                  : resp.action == EMU_ACTION_TRUNCATE ? TC_HTTP_TRUNCATE
                                                       : TC_HTTP_ANSWER,
        .delay_ms = resp.delay_ms,
        .content_type = resp.content_type,
        .headers = &resp.headers,
        .body = body ? body->data : NULL,
        .body_len = body ? body->len : 0,
        .body_free = release_body,
        .body_cls = body,
    };
    tc_http_send(ex, &reply);
    emu_response_cleanup(&resp);
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
    struct emu_http *http = sf_xcalloc(1, sizeof(*http));
    http->handler = handler;
    http->srv = srv;
    struct tc_http_options front = {
        .host = host,
        .port = port,
        .cert_pem = cert_pem,
        .key_pem = key_pem,
        .server = "sls-emulator/" EMU_VERSION,
        .max_body = max_body,
    };
    http->front = tc_http_start(&front, serve, http, bound_port, errbuf, errbuf_size);
    if (!http->front) {
        free(http);
        return NULL;
    }
    return http;
}

void emu_http_stop(struct emu_http *http)
{
    if (http) {
        tc_http_stop(http->front);
        free(http);
    }
}
