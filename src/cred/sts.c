/* STS AssumeRole (signed with a RAM user's keys) and AssumeRoleWithOIDC (RRSA, anonymous).
 *
 * Request shapes follow aliyun/credentials-go credentials/providers/ram_role_arn.go and
 * credentials/providers/oidc.go: POST https://<endpoint>/ with the common parameters in the
 * query (Action, Version 2015-04-01, Format JSON, Timestamp; AssumeRole adds SignatureMethod
 * HMAC-SHA1, SignatureVersion 1.0, SignatureNonce, AccessKeyId, SecurityToken when the source
 * keys are STS ones, and Signature) and the role parameters in an x-www-form-urlencoded body
 * (RoleArn, RoleSessionName, DurationSeconds, Policy when set; OIDCProviderArn and OIDCToken for
 * OIDC). AssumeRole's signature covers query and body parameters together, with method POST.
 * (credentials-python sends everything in a GET query instead; STS accepts both.) Default
 * endpoint sts.aliyuncs.com, or sts[-vpc].<region>.aliyuncs.com from ALIBABA_CLOUD_STS_REGION
 * and ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED; DurationSeconds 3600 by default, at least 900.
 * The OIDC token file is read at every call: the kubelet rotates it. */
#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cred/http.h"
#include "cred/provider.h"
#include "cred/remote.h"
#include "cred/rpc_sign.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/str.h"

#include "util/banned.h"

/* A projected service-account token is 1-2 KB; anything near this is not a token. */
#define OIDC_TOKEN_MAX (32 * 1024)
#define MAX_PARAMS     16

struct sts_endpoint {
    char base[300]; /* "https://sts.aliyuncs.com/" */
    char host[280]; /* "sts.aliyuncs.com" or "127.0.0.1:9000", for messages */
};

static sf_err parse_endpoint(const struct sf_cred_config *config,
                             struct sts_endpoint *ep,
                             char *errbuf,
                             size_t errbuf_size)
{
    char fallback[128] = "sts.aliyuncs.com";
    const char *endpoint = config->sts_endpoint;
    if (!endpoint || !endpoint[0]) {
        const char *region = sf_cred_getenv(config, "ALIBABA_CLOUD_STS_REGION");
        const char *vpc = sf_cred_getenv(config, "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED");
        if (region && region[0]) {
            snprintf(fallback, sizeof(fallback), "%s.%s.aliyuncs.com",
                     vpc && strcasecmp(vpc, "true") == 0 ? "sts-vpc" : "sts", region);
        }
        endpoint = fallback;
    }
    const char *scheme = "https";
    const char *host = endpoint;
    if (strncmp(endpoint, "https://", 8) == 0) {
        host = endpoint + 8;
    } else if (strncmp(endpoint, "http://", 7) == 0) {
        scheme = "http";
        host = endpoint + 7;
    } else if (strstr(endpoint, "://")) {
        snprintf(errbuf, errbuf_size, "sts_endpoint %s: only http:// and https:// are supported",
                 endpoint);
        return SF_ERR_CONFIG;
    }
    size_t len = strcspn(host, "/?#");
    const char *rest = host + len;
    if (len == 0 || len >= sizeof(ep->host) || (*rest && strcmp(rest, "/") != 0)) {
        snprintf(errbuf, errbuf_size,
                 "sts_endpoint %s: expected host, https://host[:port] or http://host:port",
                 endpoint);
        return SF_ERR_CONFIG;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)host[i];
        if (c <= 0x20 || c == '@' || c == '\\' || c >= 0x7f) {
            snprintf(errbuf, errbuf_size, "sts_endpoint %s: invalid host", endpoint);
            return SF_ERR_CONFIG;
        }
    }
    snprintf(ep->host, sizeof(ep->host), "%.*s", (int)len, host);
    snprintf(ep->base, sizeof(ep->base), "%s://%s/", scheme, ep->host);
    return SF_OK;
}

static int duration_of(const struct sf_cred_config *config)
{
    return config->duration_s ? config->duration_s : 3600;
}

static sf_err check_duration(const struct sf_cred_config *config, char *errbuf, size_t errbuf_size)
{
    if (duration_of(config) < 900) {
        snprintf(errbuf, errbuf_size,
                 "duration %d s: STS sessions last at least 900 s (15 minutes)",
                 duration_of(config));
        return SF_ERR_CONFIG;
    }
    return SF_OK;
}

static void session_name(const struct sf_cred_config *config, char *out, size_t out_size)
{
    if (config->role_session_name && config->role_session_name[0]) {
        snprintf(out, out_size, "%s", config->role_session_name);
    } else {
        snprintf(out, out_size, "slsfwd-%lld", (long long)time(NULL));
    }
}

static void iso8601_now(char out[24])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A fresh UUID-shaped nonce: STS refuses a SignatureNonce it saw in the last 15 minutes. */
static void make_nonce(char out[40])
{
    uint8_t b[16];
    if (RAND_bytes(b, sizeof(b)) != 1) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        memcpy(b, &ts, sizeof(ts) < sizeof(b) ? sizeof(ts) : sizeof(b));
    }
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static sf_err sts_error(const char *action,
                        const struct sts_endpoint *ep,
                        const struct sf_cred_http_response *resp,
                        const char *const *secrets,
                        char *errbuf,
                        size_t errbuf_size)
{
    json_t *root = json_loadb((const char *)resp->body.ptr, resp->body.len, 0, NULL);
    const char *code = json_string_value(json_object_get(root, "Code"));
    const char *message = json_string_value(json_object_get(root, "Message"));
    const char *request_id = json_string_value(json_object_get(root, "RequestId"));
    char clean_code[80], clean_msg[210], clean_id[80];
    sf_cred_clean_message(code ? code : "", secrets, clean_code, sizeof(clean_code));
    sf_cred_clean_message(message ? message : "", secrets, clean_msg, sizeof(clean_msg));
    sf_cred_clean_message(request_id ? request_id : "", secrets, clean_id, sizeof(clean_id));
    if (code) {
        snprintf(errbuf, errbuf_size,
                 "STS %s at %s: HTTP %ld, Code %s, Message \"%s\", RequestId %s", action, ep->host,
                 resp->status, clean_code, clean_msg, clean_id[0] ? clean_id : "-");
    } else {
        snprintf(errbuf, errbuf_size, "STS %s at %s: HTTP %ld without an STS error body", action,
                 ep->host, resp->status);
    }
    sf_err err = SF_ERR_AUTH;
    if (resp->status >= 500 || resp->status == 429 ||
        (code && strncmp(code, "Throttling", 10) == 0)) {
        err = SF_ERR_HTTP_RETRY;
    } else if (resp->status < 400) {
        err = SF_ERR_INVALID; /* 1xx/3xx: a redirect we do not follow, or nonsense */
    }
    json_decref(root);
    return err;
}

/* Sends the prepared query and form, and turns the answer into |out|. */
static sf_err sts_call(const struct sf_cred_config *config,
                       const char *action,
                       const struct sts_endpoint *ep,
                       const char *query,
                       const char *form,
                       const char *const *secrets,
                       struct sf_cred_value *out,
                       char *errbuf,
                       size_t errbuf_size)
{
    struct sf_buf url;
    sf_buf_init(&url, (size_t)64 << 10);
    sf_err err = sf_buf_printf(&url, "%s?%s", ep->base, query);
    if (!err) {
        err = sf_buf_terminate(&url);
    }
    if (err) {
        sf_buf_cleanup(&url);
        snprintf(errbuf, errbuf_size, "STS %s at %s: request too large", action, ep->host);
        return SF_ERR_TOO_BIG;
    }
    static const char *const headers[] = {"Accept: application/json", NULL};
    struct sf_cred_http_request req = {
        .method = "POST",
        .url = (const char *)url.ptr,
        .headers = headers,
        .form_body = form,
        .timeout_ms = config->timeout_ms,
        .ca_file = config->ca_file,
        .proxy = config->proxy,
        .proxy_credentials = config->proxy_credentials,
    };
    struct sf_cred_http_response resp;
    char why[384];
    err = sf_cred_http_do(&req, &resp, why, sizeof(why));
    sf_buf_cleanup(&url);
    if (err) {
        snprintf(errbuf, errbuf_size, "STS %s: %s", action, why);
    } else if (resp.status != 200) {
        err = sts_error(action, ep, &resp, secrets, errbuf, errbuf_size);
    } else {
        json_t *root = json_loadb((const char *)resp.body.ptr, resp.body.len, 0, NULL);
        char what[320];
        snprintf(what, sizeof(what), "STS %s at %s: HTTP 200 answer", action, ep->host);
        if (!root) {
            snprintf(errbuf, errbuf_size, "%s is not JSON", what);
            err = SF_ERR_INVALID;
        } else {
            err = sf_cred_value_from_json(json_object_get(root, "Credentials"), what, out, errbuf,
                                          errbuf_size);
        }
        json_decref(root);
    }
    /* The answer held the new secret: do not leave it in freed memory. */
    if (resp.body.ptr) {
        memset(resp.body.ptr, 0, resp.body.cap);
    }
    sf_cred_http_response_cleanup(&resp);
    return err;
}

static sf_err encode_params(struct sf_buf *out,
                            const struct sf_cred_param *params,
                            size_t n,
                            const char *action,
                            char *errbuf,
                            size_t errbuf_size)
{
    sf_err err = sf_cred_form_encode(out, params, n);
    if (!err) {
        err = sf_buf_terminate(out);
    }
    if (err) {
        snprintf(errbuf, errbuf_size, "STS %s: request parameters too large", action);
    }
    return err;
}

sf_err sf_cred_fetch_ram_role_arn(const struct sf_cred_config *config,
                                  struct sf_cred_value *out,
                                  char *errbuf,
                                  size_t errbuf_size)
{
    static const char action[] = "AssumeRole";
    if (!config->access_key_id || !config->access_key_id[0] || !config->access_key_secret ||
        !config->access_key_secret[0]) {
        snprintf(errbuf, errbuf_size,
                 "ram_role_arn needs access_key_id and access_key_secret to sign AssumeRole");
        return SF_ERR_CONFIG;
    }
    if (!config->role_arn || !config->role_arn[0]) {
        snprintf(errbuf, errbuf_size, "ram_role_arn needs role_arn (or ALIBABA_CLOUD_ROLE_ARN)");
        return SF_ERR_CONFIG;
    }
    sf_err err = check_duration(config, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    struct sts_endpoint ep;
    err = parse_endpoint(config, &ep, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    char timestamp[24], nonce[40], session[128], duration[16], signature[32];
    iso8601_now(timestamp);
    make_nonce(nonce);
    session_name(config, session, sizeof(session));
    snprintf(duration, sizeof(duration), "%d", duration_of(config));

    struct sf_cred_param query[MAX_PARAMS], form[MAX_PARAMS], all[2 * MAX_PARAMS];
    size_t nq = 0, nf = 0;
    query[nq++] = (struct sf_cred_param){"Action", action};
    query[nq++] = (struct sf_cred_param){"Version", "2015-04-01"};
    query[nq++] = (struct sf_cred_param){"Format", "JSON"};
    query[nq++] = (struct sf_cred_param){"Timestamp", timestamp};
    query[nq++] = (struct sf_cred_param){"SignatureMethod", "HMAC-SHA1"};
    query[nq++] = (struct sf_cred_param){"SignatureVersion", "1.0"};
    query[nq++] = (struct sf_cred_param){"SignatureNonce", nonce};
    query[nq++] = (struct sf_cred_param){"AccessKeyId", config->access_key_id};
    if (config->security_token && config->security_token[0]) {
        query[nq++] = (struct sf_cred_param){"SecurityToken", config->security_token};
    }
    form[nf++] = (struct sf_cred_param){"RoleArn", config->role_arn};
    form[nf++] = (struct sf_cred_param){"RoleSessionName", session};
    form[nf++] = (struct sf_cred_param){"DurationSeconds", duration};
    if (config->policy && config->policy[0]) {
        form[nf++] = (struct sf_cred_param){"Policy", config->policy};
    }
    memcpy(all, query, nq * sizeof(*all));
    memcpy(all + nq, form, nf * sizeof(*all));
    err = sf_cred_rpc_sign("POST", all, nq + nf, config->access_key_secret, signature);
    if (err) {
        snprintf(errbuf, errbuf_size, "STS %s: cannot compute the request signature", action);
        return err;
    }
    query[nq++] = (struct sf_cred_param){"Signature", signature};

    struct sf_buf q, f;
    sf_buf_init(&q, (size_t)32 << 10);
    sf_buf_init(&f, (size_t)32 << 10);
    err = encode_params(&q, query, nq, action, errbuf, errbuf_size);
    if (!err) {
        err = encode_params(&f, form, nf, action, errbuf, errbuf_size);
    }
    if (!err) {
        const char *const secrets[] = {config->access_key_secret, config->security_token, NULL};
        err = sts_call(config, action, &ep, (const char *)q.ptr, (const char *)f.ptr, secrets, out,
                       errbuf, errbuf_size);
    }
    /* The query carries the source SecurityToken. */
    if (q.ptr) {
        memset(q.ptr, 0, q.cap);
    }
    sf_buf_cleanup(&q);
    sf_buf_cleanup(&f);
    return err;
}

/* Reads the token fresh; trailing whitespace (a hand-written file's newline) is not part of a
 * JWT and is dropped. */
static sf_err read_oidc_token(const char *path, char **token, char *errbuf, size_t errbuf_size)
{
    size_t len = 0;
    char why[320];
    if (!sf_file_read_small(path, OIDC_TOKEN_MAX, token, &len, why, sizeof(why))) {
        snprintf(errbuf, errbuf_size, "oidc_token_file: %s", why);
        return SF_ERR_IO;
    }
    while (len > 0 && ((*token)[len - 1] == '\n' || (*token)[len - 1] == '\r' ||
                       (*token)[len - 1] == ' ' || (*token)[len - 1] == '\t')) {
        (*token)[--len] = '\0';
    }
    if (len == 0) {
        snprintf(errbuf, errbuf_size, "oidc_token_file %s is empty", path);
        free(*token);
        *token = NULL;
        return SF_ERR_INVALID;
    }
    return SF_OK;
}

sf_err sf_cred_fetch_oidc(const struct sf_cred_config *config,
                          struct sf_cred_value *out,
                          char *errbuf,
                          size_t errbuf_size)
{
    static const char action[] = "AssumeRoleWithOIDC";
    /* credentials-go's OIDC builder fails without these three, and the default chain then
     * leaves the provider out: absent, not failing. */
    const char *missing = !config->role_arn || !config->role_arn[0] ? "ALIBABA_CLOUD_ROLE_ARN"
                          : !config->oidc_provider_arn || !config->oidc_provider_arn[0]
                              ? "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
                          : !config->oidc_token_file || !config->oidc_token_file[0]
                              ? "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
                              : NULL;
    if (missing) {
        snprintf(errbuf, errbuf_size, "oidc_role_arn: %s is not set", missing);
        return SF_ERR_NOT_FOUND;
    }
    sf_err err = check_duration(config, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    struct sts_endpoint ep;
    err = parse_endpoint(config, &ep, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    char *token = NULL;
    err = read_oidc_token(config->oidc_token_file, &token, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    char timestamp[24], session[128], duration[16];
    iso8601_now(timestamp);
    session_name(config, session, sizeof(session));
    snprintf(duration, sizeof(duration), "%d", duration_of(config));
    struct sf_cred_param query[] = {
        {"Action", action},
        {"Version", "2015-04-01"},
        {"Format", "JSON"},
        {"Timestamp", timestamp},
    };
    struct sf_cred_param form[MAX_PARAMS];
    size_t nf = 0;
    form[nf++] = (struct sf_cred_param){"RoleArn", config->role_arn};
    form[nf++] = (struct sf_cred_param){"OIDCProviderArn", config->oidc_provider_arn};
    form[nf++] = (struct sf_cred_param){"OIDCToken", token};
    form[nf++] = (struct sf_cred_param){"RoleSessionName", session};
    form[nf++] = (struct sf_cred_param){"DurationSeconds", duration};
    if (config->policy && config->policy[0]) {
        form[nf++] = (struct sf_cred_param){"Policy", config->policy};
    }
    struct sf_buf q, f;
    sf_buf_init(&q, (size_t)4 << 10);
    sf_buf_init(&f, (size_t)128 << 10);
    err = encode_params(&q, query, sizeof(query) / sizeof(query[0]), action, errbuf, errbuf_size);
    if (!err) {
        err = encode_params(&f, form, nf, action, errbuf, errbuf_size);
    }
    if (!err) {
        const char *const secrets[] = {token, NULL};
        err = sts_call(config, action, &ep, (const char *)q.ptr, (const char *)f.ptr, secrets, out,
                       errbuf, errbuf_size);
    }
    if (f.ptr) {
        memset(f.ptr, 0, f.cap);
    }
    memset(token, 0, strlen(token));
    free(token);
    sf_buf_cleanup(&q);
    sf_buf_cleanup(&f);
    return err;
}
