/* The HTTP front both tools share: libmicrohttpd, plain or TLS, one thread per connection by
 * default (a latency fault then stalls only its own connection) or a pool. It keeps the raw
 * request-target (signatures and percent-decoding need the exact bytes), buffers the body up
 * to a limit and past it counts and drops it, hands each exchange to the tool's |serve|
 * callback and carries out the answer: a delay first, then a normal answer, a close without
 * one (FIN), a reset (RST) or a body cut in half. Call start/stop from one thread. */
#ifndef TC_HTTP_H
#define TC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reply.h"
#include "common/request.h"

struct tc_http;

enum tc_http_action {
    TC_HTTP_ANSWER,   /* send the answer */
    TC_HTTP_CLOSE,    /* close the connection (FIN) without an answer */
    TC_HTTP_RESET,    /* abort the connection (TCP RST) without an answer */
    TC_HTTP_TRUNCATE, /* announce the whole body, send the first half, close */
};

/* What the tool answers. Header strings are copied by tc_http_send; the body is handed over:
 * |body_free|(|body_cls|) runs once the front is done with it (also when it is not sent). */
struct tc_http_reply {
    int status;
    enum tc_http_action action;
    int delay_ms; /* sleep before acting */
    const char *content_type;
    const struct tc_reply_headers *headers; /* NULL: none */
    const void *body;                       /* NULL or |body_len| 0: empty */
    size_t body_len;
    void (*body_free)(void *body_cls); /* NULL: nothing to free */
    void *body_cls;
};

/* The exchange being answered; opaque to the tool. */
struct tc_http_exchange;

/* Answers |req| (its pointers are valid during the call only): builds a reply and calls
 * tc_http_send() exactly once before returning (not calling it closes the connection without an
 * answer). Runs on connection threads. */
typedef void (*tc_http_serve_fn)(void *cls,
                                 const struct tc_request *req,
                                 struct tc_http_exchange *ex);

/* Carries out |reply| (see enum tc_http_action). */
void tc_http_send(struct tc_http_exchange *ex, const struct tc_http_reply *reply);

struct tc_http_options {
    const char *host;     /* IPv4 literal or "localhost" */
    int port;             /* 0: any free port */
    int threads;          /* 0: a thread per connection; N: an internal pool of N threads */
    const char *cert_pem; /* PEM text kept alive until tc_http_stop; both NULL: plain HTTP */
    const char *key_pem;
    const char *server; /* value of the Server header of every answer */
    /* Body limit in bytes, read at the start of each request (it may change at run time). */
    size_t (*max_body)(void *cls);
    /* With `Expect: 100-continue` and a Content-Length over the limit, answer at once
     * instead of reading the body (HEC); false: read and drop it, then answer (SLS). */
    bool answers_before_body;
    /* libmicrohttpd's own messages: NULL leaves them on stderr; a log module name sends
     * them to its DEBUG log (they are expected after a reset fault or a plain-HTTP client
     * on a TLS port). */
    const char *log_module;
};

/* Listens and serves every request with |serve|(|cls|, ...); the bound port goes to
 * |*bound_port|. NULL with a reason in |errbuf|. */
struct tc_http *tc_http_start(const struct tc_http_options *opts,
                              tc_http_serve_fn serve,
                              void *cls,
                              int *bound_port,
                              char *errbuf,
                              size_t errbuf_size);
/* Stops accepting, finishes the requests in progress, frees. NULL is fine. */
void tc_http_stop(struct tc_http *http);

#endif
