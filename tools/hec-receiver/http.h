/* The HTTP front (common/http.h) serving hec_handle(): plain or TLS. Turns each exchange
 * into a hec_request and carries out the answer with its latency, close and reset faults.
 * Bodies over max_content_length are counted and dropped, not buffered; with `Expect:
 * 100-continue` and a Content-Length over the limit the 413 goes out before the body. Call
 * start and tc_http_stop() from one thread. */
#ifndef HEC_HTTP_H
#define HEC_HTTP_H

#include <stddef.h>

#include "hec.h"

struct tc_http;

struct hec_http_options {
    const char *host;     /* IPv4 literal or "localhost" */
    int port;             /* 0: any free port */
    int threads;          /* 0: a thread per connection; N: an internal pool of N threads */
    const char *cert_pem; /* both NULL: plain HTTP */
    const char *key_pem;
};

/* Listens; the bound port goes to |*bound_port|. NULL with a reason in |errbuf|. Stop it with
 * tc_http_stop(). */
struct tc_http *hec_http_start(struct hec_server *srv,
                               const struct hec_http_options *opts,
                               int *bound_port,
                               char *errbuf,
                               size_t errbuf_size);

#endif
