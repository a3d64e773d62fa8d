/* The start-up check (docs/protocol/hec.md §Endpoints, §Sender design): GET
 * /services/collector/health/1.0 with the token, and one clear sentence for each usual mistake —
 * wrong port, http against https and back, untrusted certificate, bad token, Splunk Web instead of
 * HEC (docs/protocol/hec.md §Lessons from other senders: fluent-bit#6484, splunk-ansible#373,
 * home-assistant#11151). Advice only: delivery retries or pauses by itself, and some Splunk builds
 * answer 200 to a bad token here, so it never decides anything. */
#include <stdio.h>
#include <string.h>

#include "sink/hec_int.h"

#include "util/banned.h" /* last: poisons what the project does not use */

static const char *const verdict_names[] = {
    "ok",        "unhealthy", "refused", "no_reply", "tls_plain", "tls_untrusted", "tls_name",
    "tls_other", "resolve",   "timeout", "token",    "not_hec",   "proxy",         "other",
};

const char *sf_hec_health_verdict_name(enum sf_hec_health_verdict verdict)
{
    return verdict_names[verdict];
}

static enum sf_hec_health_verdict classify_transport(bool is_https,
                                                     const char *hostport,
                                                     CURLcode cc,
                                                     const char *curl_error,
                                                     char *msg,
                                                     size_t msg_size)
{
    enum sf_hec_health_verdict v = SF_HEC_HEALTH_OTHER;
    const char *hint = sf_hec_http_hint(cc, curl_error, is_https);
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
        v = SF_HEC_HEALTH_REFUSED;
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        v = SF_HEC_HEALTH_RESOLVE;
        break;
    case CURLE_OPERATION_TIMEDOUT:
        v = SF_HEC_HEALTH_TIMEOUT;
        break;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        v = SF_HEC_HEALTH_NO_REPLY;
        break;
    case CURLE_SSL_CONNECT_ERROR:
        v = strstr(hint, "plain HTTP") ? SF_HEC_HEALTH_TLS_PLAIN : SF_HEC_HEALTH_TLS_OTHER;
        v = strstr(hint, "hung up") ? SF_HEC_HEALTH_TLS_PLAIN : v;
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        v = strstr(hint, "does not name") ? SF_HEC_HEALTH_TLS_NAME
            : strstr(hint, "not trusted") ? SF_HEC_HEALTH_TLS_UNTRUSTED
                                          : SF_HEC_HEALTH_TLS_OTHER;
        break;
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        v = SF_HEC_HEALTH_TLS_OTHER;
        break;
    default:
        break;
    }
    if (strncmp(curl_error, "proxy ", 6) == 0 ||
        strncmp(curl_error, "cannot reach proxy ", 19) == 0) {
        v = SF_HEC_HEALTH_PROXY; /* sf_hec_http_proxy_explain's words: the proxy is at fault */
    }
    snprintf(msg, msg_size, "HEC at %s: %s%s(%s)", hostport, hint, hint[0] ? " " : "",
             curl_error[0] ? curl_error : curl_easy_strerror(cc));
    return v;
}

enum sf_hec_health_verdict sf_hec_health_classify(bool is_https,
                                                  const char *hostport,
                                                  CURLcode cc,
                                                  const char *curl_error,
                                                  long status,
                                                  const uint8_t *body,
                                                  size_t len,
                                                  char *msg,
                                                  size_t msg_size)
{
    if (cc != CURLE_OK) {
        return classify_transport(is_https, hostport, cc, curl_error, msg, msg_size);
    }
    struct sf_hec_reply reply;
    sf_hec_reply_parse(body, len, &reply);
    const char *text = reply.text[0] ? reply.text : "";
    if (status == 200) {
        snprintf(msg, msg_size, "HEC at %s is healthy", hostport);
        return SF_HEC_HEALTH_OK;
    }
    if (status == 503 || (reply.code >= 18 && reply.code <= 20) || reply.code == 23) {
        snprintf(msg, msg_size,
                 "HEC at %s is unhealthy (status %ld code %d \"%s\"): delivery will back off "
                 "and retry",
                 hostport, status, reply.code, text);
        return SF_HEC_HEALTH_UNHEALTHY;
    }
    if (status == 401 || status == 403 || reply.code == 21 || reply.code == 22 ||
        (reply.code >= 1 && reply.code <= 4)) {
        snprintf(msg, msg_size,
                 "HEC at %s refused the token (status %ld code %d \"%s\"): check "
                 "output.hec.token, and that the token is enabled in Splunk",
                 hostport, status, reply.code, text);
        return SF_HEC_HEALTH_TOKEN;
    }
    if (status == 404 || (status >= 300 && status <= 399)) {
        snprintf(msg, msg_size,
                 "%s answered %ld to the HEC health check: this is not a HEC endpoint (wrong "
                 "port or path? HEC listens on 8088 by default, Splunk Web on 8000, the "
                 "management port on 8089), or HEC is disabled",
                 hostport, status);
        return SF_HEC_HEALTH_NOT_HEC;
    }
    snprintf(msg, msg_size, "HEC at %s answered the health check with status %ld code %d \"%s\"",
             hostport, status, reply.code, text);
    return SF_HEC_HEALTH_OTHER;
}

void sf_hec_health_setup(const struct sf_hec_sink *hs,
                         const struct sf_hec_endpoint *ep,
                         CURL *easy,
                         struct sf_buf *resp,
                         char *errbuf)
{
    sf_hec_http_setup(hs, ep, easy, resp, errbuf);
    /* Start-up must not hang on a dead host, nor a probe linger: a few seconds say enough. */
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     hs->connect_timeout_ms < 5000 ? hs->connect_timeout_ms : 5000L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, hs->timeout_ms < 10000 ? hs->timeout_ms : 10000L);
    curl_easy_setopt(easy, CURLOPT_URL, ep->health_url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, ep->headers);
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
}

enum sf_hec_health_verdict sf_hec_health_probe_ep(const struct sf_hec_sink *hs,
                                                  const struct sf_hec_endpoint *ep,
                                                  char *msg,
                                                  size_t msg_size)
{
    CURL *easy = curl_easy_init();
    if (!easy) {
        snprintf(msg, msg_size, "HEC health check skipped: curl_easy_init failed");
        return SF_HEC_HEALTH_OTHER;
    }
    struct sf_buf resp;
    sf_buf_init(&resp, 4096);
    char errbuf[CURL_ERROR_SIZE];
    sf_hec_health_setup(hs, ep, easy, &resp, errbuf);
    CURLcode cc = curl_easy_perform(easy);
    sf_hec_http_proxy_explain(ep, easy, cc, errbuf);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    enum sf_hec_health_verdict verdict = sf_hec_health_classify(
        ep->is_https, ep->hostport, cc, errbuf, status, resp.ptr, resp.len, msg, msg_size);
    curl_easy_cleanup(easy);
    sf_buf_cleanup(&resp);
    return verdict;
}

enum sf_hec_health_verdict
sf_hec_health_probe(const struct sf_hec_sink *hs, char *msg, size_t msg_size)
{
    return sf_hec_health_probe_ep(hs, &hs->eps[0], msg, msg_size);
}

bool sf_hec_sink_check(const struct sf_config_hec *cfg, char *msg, size_t msg_size)
{
    struct sf_sink *sink = NULL;
    char errbuf[512];
    if (sf_hec_sink_new(cfg, &sink, errbuf, sizeof(errbuf)) != SF_OK) {
        snprintf(msg, msg_size, "%s", errbuf);
        return false;
    }
    /* Every endpoint; the sentence names each one that is not healthy (or the only one). */
    const struct sf_hec_sink *hs = sink->impl;
    bool is_ok = true;
    size_t o = 0;
    msg[0] = '\0';
    for (size_t i = 0; i < hs->n_eps; i++) {
        char one[768];
        enum sf_hec_health_verdict verdict =
            sf_hec_health_probe_ep(hs, &hs->eps[i], one, sizeof(one));
        if (verdict == SF_HEC_HEALTH_OK && hs->n_eps > 1) {
            continue;
        }
        is_ok = is_ok && verdict == SF_HEC_HEALTH_OK;
        int n = snprintf(msg + o, msg_size - o, "%s%s", o ? "; " : "", one);
        o = n > 0 && (size_t)n < msg_size - o ? o + (size_t)n : msg_size - 1;
    }
    if (is_ok && hs->n_eps > 1) {
        snprintf(msg, msg_size, "all %zu HEC endpoints are healthy", hs->n_eps);
    }
    sf_sink_free(sink);
    return is_ok;
}
