/* The receiver's side of the shared HTTP front (common/http.h): HEC's body limit is the
 * server's max_content_length (the control plane may change it), a request over it with
 * `Expect: 100-continue` gets its 413 before the body, and MHD's own messages are DEBUG. */
#include "http.h"

#include <stdlib.h>

#include "common/http.h"

#include "util/banned.h"

static size_t max_body(void *cls)
{
    struct hec_server *srv = cls;
    return atomic_load(&srv->max_content_length);
}

static void serve(void *cls, const struct tc_request *req, struct tc_http_exchange *ex)
{
    struct hec_response resp;
    hec_handle(cls, req, &resp);
    struct tc_http_reply reply = {
        .status = resp.status,
        .action = resp.action == HEC_ACTION_RESET   ? TC_HTTP_RESET
                  : resp.action == HEC_ACTION_CLOSE ? TC_HTTP_CLOSE
                                                    : TC_HTTP_ANSWER,
        .delay_ms = resp.delay_ms,
        .content_type = resp.content_type,
        .headers = &resp.headers,
        .body = resp.body,
        .body_len = resp.body_len,
        .body_free = free,
        .body_cls = resp.body,
    };
    resp.body = NULL; /* the front frees it */
    tc_http_send(ex, &reply);
    hec_response_cleanup(&resp);
}

struct tc_http *hec_http_start(struct hec_server *srv,
                               const struct hec_http_options *opts,
                               int *bound_port,
                               char *errbuf,
                               size_t errbuf_size)
{
    struct tc_http_options front = {
        .host = opts->host,
        .port = opts->port,
        .threads = opts->threads,
        .cert_pem = opts->cert_pem,
        .key_pem = opts->key_pem,
        .server = "hec-receiver/" HEC_VERSION,
        .max_body = max_body,
        .answers_before_body = true,
        .log_module = "hec-receiver",
    };
    return tc_http_start(&front, serve, srv, bound_port, errbuf, errbuf_size);
}
