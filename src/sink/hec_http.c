/* What every HEC request has in common: the URLs derived from the configured one, the channel
 * GUID, the headers (the only place the token lives), the curl options (TLS on by default,
 * never a redirect, HTTP/1.1 keep-alive) and the advice a transfer failure deserves. Spec
 * docs/protocol/hec.md §Endpoints, §Authentication, §Request headers, §Sender design; the bugs of
 * others it avoids are in §Lessons from other senders. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "sink/hec_int.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/url.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define SF_LOG_MODULE "hec"

extern char **environ;

/* |url|'s path up to "/services/collector" (a proxy prefix stays), then |tail|. */
static sf_err derive(CURLU *u, const char *path, const char *tail, char **out)
{
    const char *cut = strstr(path, "/services/collector");
    size_t prefix = cut ? (size_t)(cut - path) : 0;
    char buf[1200];
    snprintf(buf, sizeof(buf), "%.*s%s", (int)prefix, path, tail);
    char *url = NULL;
    if (curl_url_set(u, CURLUPART_PATH, buf, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        return SF_ERR_CONFIG;
    }
    *out = sf_xstrdup(url);
    curl_free(url);
    return SF_OK;
}

sf_err sf_hec_http_urls(const char *url,
                        char **ack_url,
                        char **health_url,
                        char *hostport,
                        size_t hostport_size,
                        bool *is_https,
                        char *errbuf,
                        size_t errbuf_size)
{
    *ack_url = NULL;
    *health_url = NULL;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    sf_err err = SF_ERR_CONFIG;
    char *shown = sf_url_redact_dup(url); /* errors name the URL, never its token or password */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        snprintf(errbuf, errbuf_size, "HEC URL %.200s cannot be parsed", shown);
        goto out;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        snprintf(errbuf, errbuf_size, "HEC URL %.200s: expected http:// or https://", shown);
        goto out;
    }
    *is_https = strcmp(scheme, "https") == 0;
    snprintf(hostport, hostport_size, "%s:%s", host, port);
    err = derive(u, path, "/services/collector/ack", ack_url);
    err = err ? err : derive(u, path, "/services/collector/health/1.0", health_url);
    if (err) {
        snprintf(errbuf, errbuf_size, "HEC URL %.200s: cannot derive the ack URL", shown);
    }
out:
    free(shown);
    if (err) {
        free(*ack_url);
        free(*health_url);
        *ack_url = NULL;
        *health_url = NULL;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
    return err;
}

void sf_hec_http_channel(char *out, size_t out_size)
{
    uint8_t r[16];
    size_t got = 0;
    while (got < sizeof(r)) {
        ssize_t n = getrandom(r + got, sizeof(r) - got, 0);
        if (n > 0) {
            got += (size_t)n;
        }
    }
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, out_size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
             r[14], r[15]);
}

struct curl_slist *sf_hec_http_headers(const char *token, const char *channel, bool is_gzip)
{
    size_t auth_size = strlen(token) + 32;
    char *auth = sf_xmalloc(auth_size);
    snprintf(auth, auth_size, "Authorization: Splunk %s", token);
    struct curl_slist *list = curl_slist_append(NULL, auth);
    explicit_bzero(auth, auth_size); /* the token is a secret: one copy, in the list */
    free(auth);
    char line[96];
    snprintf(line, sizeof(line), "X-Splunk-Request-Channel: %s", channel);
    list = curl_slist_append(list, line);
    list = curl_slist_append(list, "Content-Type: application/json");
    /* libcurl asks "Expect: 100-continue" for bodies over 1 KiB: a round trip lost per request,
     * and some proxies stall on it (docs/protocol/hec.md §Request headers). */
    list = curl_slist_append(list, "Expect:");
    if (is_gzip) {
        list = curl_slist_append(list, "Content-Encoding: gzip");
    }
    if (!list) {
        fprintf(stderr, "level=fatal msg=\"out of memory\"\n");
        abort();
    }
    return list;
}

sf_err sf_hec_sink_proxy(const struct sf_config_hec *cfg,
                         const char *url,
                         char *const *env,
                         struct sf_proxy *out,
                         char *errbuf,
                         size_t errbuf_size)
{
    return sf_proxy_resolve(url, cfg->proxy, "output.hec.proxy", env, out, errbuf, errbuf_size);
}

sf_err sf_hec_http_proxy_init(struct sf_hec_endpoint *ep,
                              const struct sf_config_hec *cfg,
                              char *errbuf,
                              size_t errbuf_size)
{
    struct sf_proxy proxy;
    sf_err err = sf_hec_sink_proxy(cfg, ep->url_full, environ, &proxy, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    ep->proxy_shown[0] = '\0';
    if (proxy.origin[0]) {
        sf_proxy_describe(&proxy, ep->proxy_shown, sizeof(ep->proxy_shown));
    }
    if (proxy.url[0]) {
        char display[SF_PROXY_URL_MAX];
        sf_proxy_display_url(&proxy, display, sizeof(display));
        ep->proxy = sf_xstrdup(proxy.url);
        ep->proxy_display = sf_xstrdup(display);
    }
    explicit_bzero(proxy.url, sizeof(proxy.url));
    return SF_OK;
}

static void wipe_free(char *secret)
{
    if (secret) {
        explicit_bzero(secret, strlen(secret));
        free(secret);
    }
}

void sf_hec_http_proxy_free(struct sf_hec_endpoint *ep)
{
    wipe_free(ep->proxy);
    free(ep->proxy_display);
    ep->proxy = ep->proxy_display = NULL;
}

void sf_hec_http_proxy_explain(const struct sf_hec_endpoint *ep,
                               CURL *easy,
                               CURLcode cc,
                               char *errbuf)
{
    if (!ep->proxy || cc == CURLE_OK) {
        return;
    }
    long connect_code = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    char text[CURL_ERROR_SIZE];
    if (connect_code && (connect_code < 200 || connect_code > 299)) {
        sf_proxy_refusal_text(ep->proxy_display, ep->hostport, connect_code, text, sizeof(text));
    } else if (connect_code == 0 && (cc == CURLE_COULDNT_CONNECT ||
                                     cc == CURLE_COULDNT_RESOLVE_PROXY || cc == CURLE_PROXY)) {
        snprintf(text, sizeof(text), "cannot reach proxy %.100s: %.120s", ep->proxy_display,
                 errbuf[0] ? errbuf : curl_easy_strerror(cc));
    } else {
        return;
    }
    snprintf(errbuf, CURL_ERROR_SIZE, "%s", text);
}

/* Exactly the decided proxy, or none: "" for both options stops libcurl from reading
 * http(s)_proxy and no_proxy itself. Always a CONNECT tunnel, for an http:// URL too: the
 * proxy's own answers (407, 403, an error page) then come to CONNECT and can never be taken
 * for HEC's. TLS to HEC and its certificate check are the same as without a proxy. */
static void set_proxy(const struct sf_hec_sink *hs, const struct sf_hec_endpoint *ep, CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_PROXY, ep->proxy ? ep->proxy : "");
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
    if (!ep->proxy) {
        return;
    }
    curl_easy_setopt(easy, CURLOPT_PROXYTYPE, (long)CURLPROXY_HTTP);
    curl_easy_setopt(easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
    curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (hs->proxy_credentials) {
        curl_easy_setopt(easy, CURLOPT_PROXYUSERPWD, hs->proxy_credentials);
    }
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sf_buf *resp = userdata;
    size_t len = size * nmemb;
    size_t room = resp->max - resp->len;
    /* Beyond the cap the answer is read and dropped: a huge error page must neither fail the
     * transfer nor grow memory (docs/protocol/hec.md §Lessons from other senders, fluent-bit#4723).
     */
    (void)sf_buf_append(resp, data, len < room ? len : room);
    return len;
}

void sf_hec_http_setup(const struct sf_hec_sink *hs,
                       const struct sf_hec_endpoint *ep,
                       CURL *easy,
                       struct sf_buf *resp,
                       char *errbuf)
{
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L); /* 3xx is a configuration error */
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, hs->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, hs->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "slsfwd/0.1");
    /* Both or neither: clearing only VERIFYPEER still checks the name (docs/protocol/hec.md
     * §Lessons from other senders, centreon#310). */
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, hs->ssl_verify ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, hs->ssl_verify ? 2L : 0L);
    if (hs->ca_file) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, hs->ca_file);
    }
    if (hs->client_cert) {
        curl_easy_setopt(easy, CURLOPT_SSLCERT, hs->client_cert);
    }
    if (hs->client_key) {
        curl_easy_setopt(easy, CURLOPT_SSLKEY, hs->client_key);
    }
    set_proxy(hs, ep, easy);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, resp);
    errbuf[0] = '\0';
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
}

static const char *tls_hint(const char *curl_error)
{
    if (strstr(curl_error, "subject name") || strstr(curl_error, "does not match") ||
        strstr(curl_error, "alternative certificate")) {
        return "the certificate does not name this host: use a host name the certificate "
               "holds, or fix the certificate";
    }
    if (strstr(curl_error, "expired")) {
        return "the certificate has expired";
    }
    return "the certificate is not trusted: set output.hec.ca_file to the CA that signed it "
           "(Splunk's default certificate is signed by Splunk's own CA), or fix the host name";
}

const char *sf_hec_http_hint(CURLcode cc, const char *curl_error, bool is_https)
{
    if (strncmp(curl_error, "proxy ", 6) == 0 ||
        strncmp(curl_error, "cannot reach proxy ", 19) == 0) {
        return "the HTTP proxy, not HEC, refused or failed the connection: check "
               "output.hec.proxy and proxy_credentials (or HTTPS_PROXY and NO_PROXY) and the "
               "proxy's rules for this host and port";
    }
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
        return "nothing listens at this host:port: wrong port, or HEC is not running "
               "(HEC's default port is 8088)";
    case CURLE_COULDNT_RESOLVE_HOST:
        return "the host name does not resolve";
    case CURLE_OPERATION_TIMEDOUT:
        return "no answer in time: a firewall dropping packets, or an overloaded server";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return is_https ? "the connection closed without an answer"
                        : "the connection closed without an HTTP answer: HEC probably speaks "
                          "TLS on this port (Splunk's default): use https://";
    case CURLE_SSL_CONNECT_ERROR:
        if (strstr(curl_error, "wrong version number") || strstr(curl_error, "packet length")) {
            return "this port speaks plain HTTP, not TLS: use http:// (or enable SSL on HEC)";
        }
        if (strstr(curl_error, "SSL_ERROR_SYSCALL")) {
            /* a plain-HTTP server that hangs up on a ClientHello instead of answering 400 */
            return "the server hung up during the TLS handshake: this port probably speaks "
                   "plain HTTP (use http://), or it wants a client certificate";
        }
        return "the TLS handshake failed";
    case CURLE_PEER_FAILED_VERIFICATION:
        return tls_hint(curl_error);
    case CURLE_SSL_CACERT_BADFILE:
        return "output.hec.ca_file cannot be read or holds no certificate";
    case CURLE_SSL_CERTPROBLEM:
        return "output.hec.client_cert or client_key cannot be used";
    default:
        return "";
    }
}
