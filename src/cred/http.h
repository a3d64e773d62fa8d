/* One blocking HTTP(S) request for the remote credential providers (STS, ECS metadata): a
 * libcurl easy handle per call, so the refresher thread and `slsfwd check` share nothing.
 * HTTPS peer and host verification stay on, redirects are never followed, the response body is
 * capped, and error text names the method, scheme, host and path only: the query string holds
 * signatures and the body holds tokens, so neither ever appears in a message. Thread-safe once
 * curl_global_init() ran (the daemon does it at start-up; curl_easy_init does it otherwise). */
#ifndef SF_CRED_HTTP_H
#define SF_CRED_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* Response bodies larger than this fail with SF_ERR_TOO_BIG: STS and the metadata service
 * answer with a few KB. */
#define SF_CRED_HTTP_MAX_BODY ((size_t)64 * 1024)

struct sf_cred_http_request {
    const char *method;            /* "GET", "POST" or "PUT" */
    const char *url;               /* scheme://host[:port]/path[?query] */
    const char *const *headers;    /* "Name: value" lines, NULL-terminated; NULL for none */
    const char *form_body;         /* x-www-form-urlencoded body (POST) or NULL */
    long timeout_ms;               /* whole request; <= 0: 5000 */
    const char *ca_file;           /* NULL: the system store */
    const char *proxy;             /* NULL: curl's *_proxy environment handling; "": direct */
    const char *proxy_credentials; /* "user:password" for the proxy, or NULL */
    bool no_proxy;                 /* never through any proxy (the metadata service) */
};

struct sf_cred_http_response {
    long status;        /* HTTP status; 0 when no answer arrived */
    struct sf_buf body; /* NUL-terminated; owned, sf_cred_http_response_cleanup() frees it */
};

/* Sends |req| and waits for the answer. Any HTTP status is SF_OK (the caller judges it);
 * SF_ERR_TIMEOUT, SF_ERR_NET (connect, TLS, transfer) or SF_ERR_TOO_BIG otherwise, with
 * |errbuf| "POST https://sts.aliyuncs.com/: <why>". |resp| must be cleaned up either way. */
sf_err sf_cred_http_do(const struct sf_cred_http_request *req,
                       struct sf_cred_http_response *resp,
                       char *errbuf,
                       size_t errbuf_size);
void sf_cred_http_response_cleanup(struct sf_cred_http_response *resp);

/* "https://host:port/path" of |url| without its query or fragment, for messages. */
void sf_cred_http_url_for_log(const char *url, char *out, size_t out_size);

#endif
