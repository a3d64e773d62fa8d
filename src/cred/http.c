#include "cred/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

struct body_sink {
    struct sf_buf *buf;
    bool too_big;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct body_sink *sink = ctx;
    size_t n = size * nmemb;
    if (sf_buf_append(sink->buf, data, n) != SF_OK) {
        sink->too_big = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    return n;
}

void sf_cred_http_url_for_log(const char *url, char *out, size_t out_size)
{
    size_t len = strcspn(url, "?#");
    snprintf(out, out_size, "%.*s", (int)len, url);
}

void sf_cred_http_response_cleanup(struct sf_cred_http_response *resp)
{
    sf_buf_cleanup(&resp->body);
}

sf_err sf_cred_http_do(const struct sf_cred_http_request *req,
                       struct sf_cred_http_response *resp,
                       char *errbuf,
                       size_t errbuf_size)
{
    char where[512];
    sf_cred_http_url_for_log(req->url, where, sizeof(where));
    resp->status = 0;
    sf_buf_init(&resp->body, SF_CRED_HTTP_MAX_BODY);
    CURL *easy = curl_easy_init();
    if (!easy) {
        snprintf(errbuf, errbuf_size, "%s %s: curl_easy_init failed", req->method, where);
        return SF_ERR_NET;
    }
    struct curl_slist *headers = NULL;
    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        headers = curl_slist_append(headers, req->headers[i]);
    }
    /* No "Expect: 100-continue" round trip for the small STS form. */
    headers = curl_slist_append(headers, "Expect:");
    long timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : 5000;
    struct body_sink sink = {.buf = &resp->body};
    char curl_error[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(easy, CURLOPT_URL, req->url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect is an answer, not a hop */
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (req->ca_file && req->ca_file[0]) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, req->ca_file);
    }
    if (req->no_proxy) {
        /* The metadata service is link-local to the instance: a proxy would either fail or,
         * worse, fetch some other host's credentials. "" disables proxies, "*" also the
         * environment's. */
        curl_easy_setopt(easy, CURLOPT_PROXY, "");
        curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
    } else if (req->proxy) {
        /* As the SLS client does (util/proxy.h): exactly this proxy, through a CONNECT
         * tunnel, with no environment read by curl itself. */
        curl_easy_setopt(easy, CURLOPT_PROXY, req->proxy);
        curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
        if (req->proxy[0]) {
            curl_easy_setopt(easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
            if (req->proxy_credentials && req->proxy_credentials[0]) {
                curl_easy_setopt(easy, CURLOPT_PROXYUSERPWD, req->proxy_credentials);
            }
        }
    }
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "slsfwd");
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
    if (strcmp(req->method, "GET") != 0) {
        /* POST and PUT carry a body (empty for the metadata token PUT, with Content-Length: 0
         * as Go's client sends it). */
        const char *body = req->form_body ? req->form_body : "";
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req->method);
        if (!req->form_body) {
            headers = curl_slist_append(headers, "Content-Type:");
        }
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);

    CURLcode rc = curl_easy_perform(easy);
    sf_err err = SF_OK;
    if (sink.too_big) {
        snprintf(errbuf, errbuf_size, "%s %s: response body larger than %zu bytes", req->method,
                 where, SF_CRED_HTTP_MAX_BODY);
        err = SF_ERR_TOO_BIG;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(errbuf, errbuf_size, "%s %s: no answer within %ld ms", req->method, where,
                 timeout_ms);
        err = SF_ERR_TIMEOUT;
    } else if (rc != CURLE_OK) {
        /* curl's own text names hosts and OS errors, never the query we sent. */
        snprintf(errbuf, errbuf_size, "%s %s: %s", req->method, where,
                 curl_error[0] ? curl_error : curl_easy_strerror(rc));
        err = SF_ERR_NET;
    } else {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp->status);
        err = sf_buf_terminate(&resp->body);
        if (err) {
            snprintf(errbuf, errbuf_size, "%s %s: response body larger than %zu bytes", req->method,
                     where, SF_CRED_HTTP_MAX_BODY);
            err = SF_ERR_TOO_BIG;
        }
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    return err;
}
