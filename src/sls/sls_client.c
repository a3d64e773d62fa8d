#include "sls/sls_client.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/assert.h"
#include "util/clock.h"
#include "util/encode.h"
#include "util/log.h"
#include "util/proxy.h"
#include "util/str.h"

#include "util/banned.h"

#define SF_LOG_MODULE "sls"

/* libcurl's receive buffer per handle (one per fetch worker and source, plus the control
 * calls' handle): fixed, not charged to the memory budget (docs/internals/pipeline.md). */
#define SF_SLS_RECV_BUFFER (256L << 10)

struct sf_sls_client {
    char *project;
    char *scheme;       /* "https" or "http" */
    char *connect_host; /* what the URL names: <project>.<endpoint> or the IP/localhost */
    char *virtual_host; /* <project>.<endpoint-host>, no port (sls-api.md §Endpoint and Host) */
    int port;           /* 0: the scheme's default */
    int sign_version;
    char region[64];
    char *ca_file;
    char *proxy;             /* NULL: direct */
    char *proxy_display;     /* the proxy's URL without credentials, for messages */
    char *proxy_credentials; /* secret */
    char target[280];        /* "host:port" the proxy is asked to CONNECT to */
    long connect_timeout_ms;
    long timeout_ms;
    char *user_agent;
    size_t max_response_bytes;
    const atomic_bool *cancel;

    pthread_mutex_t creds_lock;
    char *access_key_id;
    char *access_key_secret;
    char *security_token;
    struct sf_sls_sign_key *sign_key; /* of these credentials; forgotten when they change */

    CURL *easy; /* keep-alive connection of the synchronous path */
    /* The handle whose constant options are set (sf_sls_call_prepare): the next call on it
     * sets only what changes; NULL after a failed transfer, so that one starts afresh. */
    CURL *configured;
    char url_prefix[300]; /* "<scheme>://<connect_host>[:<port>]" */
    int64_t date_s;       /* the second |date| was formatted for (v1) */
    char date[40];
};

static bool is_direct_host(const char *host)
{
    struct in_addr v4;
    struct in6_addr v6;
    return strcmp(host, "localhost") == 0 || inet_pton(AF_INET, host, &v4) == 1 ||
           inet_pton(AF_INET6, host, &v6) == 1;
}

bool sf_sls_region_from_endpoint(const char *endpoint, char *out, size_t out_size)
{
    const char *host = strstr(endpoint, "://");
    host = host ? host + 3 : endpoint;
    const char *dot = strchr(host, '.');
    if (!dot || (strncmp(dot, ".log.aliyuncs.com", 17) != 0 &&
                 strncmp(dot, ".sls.aliyuncs.com", 17) != 0)) {
        return false;
    }
    size_t len = (size_t)(dot - host);
    static const char *const suffixes[] = {"-intranet", "-share", "-vpc"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(suffixes[i]);
        if (len > n && strncmp(host + len - n, suffixes[i], n) == 0) {
            len -= n;
            break;
        }
    }
    for (size_t i = 0; i < len; i++) {
        char c = host[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-')) {
            return false;
        }
    }
    if (len == 0 || len >= out_size) {
        return false;
    }
    memcpy(out, host, len);
    out[len] = '\0';
    return true;
}

/* Splits "[scheme://]host[:port][/]" into the client's fields. */
static sf_err
parse_endpoint(struct sf_sls_client *sls, const char *endpoint, char *errbuf, size_t errbuf_size)
{
    const char *host = endpoint;
    const char *scheme = "https"; /* the SDKs default to http (sls-api.md §Endpoint and Host) */
    if (strncmp(endpoint, "https://", 8) == 0) {
        host = endpoint + 8;
    } else if (strncmp(endpoint, "http://", 7) == 0) {
        scheme = "http";
        host = endpoint + 7;
    } else if (strstr(endpoint, "://")) {
        snprintf(errbuf, errbuf_size, "endpoint %s: only http:// and https:// are supported",
                 endpoint);
        return SF_ERR_CONFIG;
    }
    size_t host_len = strcspn(host, ":/");
    if (host_len == 0 || host_len > 200) {
        snprintf(errbuf, errbuf_size, "endpoint %s: no host name", endpoint);
        return SF_ERR_CONFIG;
    }
    const char *rest = host + host_len;
    if (*rest == ':') {
        long long port = 0;
        size_t port_len = strcspn(rest + 1, "/");
        if (!sf_str_to_i64((struct sf_str){rest + 1, port_len}, 1, 65535, &port)) {
            snprintf(errbuf, errbuf_size, "endpoint %s: port must be 1-65535", endpoint);
            return SF_ERR_CONFIG;
        }
        sls->port = (int)port;
        rest += 1 + port_len;
    }
    if (*rest && strcmp(rest, "/") != 0) {
        snprintf(errbuf, errbuf_size, "endpoint %s: a path is not allowed", endpoint);
        return SF_ERR_CONFIG;
    }
    char *bare = sf_xstrndup(host, host_len);
    size_t vhost_len = strlen(sls->project) + 1 + host_len + 1;
    sls->virtual_host = sf_xmalloc(vhost_len);
    snprintf(sls->virtual_host, vhost_len, "%s.%s", sls->project, bare);
    sls->connect_host = is_direct_host(bare) ? sf_xstrdup(bare) : sf_xstrdup(sls->virtual_host);
    sls->scheme = sf_xstrdup(scheme);
    free(bare);
    return SF_OK;
}

bool sf_sls_client_target(const char *endpoint, const char *project, char *out, size_t out_size)
{
    struct sf_sls_client tmp = {.project = (char *)project};
    char why[256];
    out[0] = '\0';
    if (!endpoint || !project || parse_endpoint(&tmp, endpoint, why, sizeof(why)) != SF_OK) {
        return false;
    }
    if (tmp.port) {
        snprintf(out, out_size, "%s://%s:%d", tmp.scheme, tmp.connect_host, tmp.port);
    } else {
        snprintf(out, out_size, "%s://%s", tmp.scheme, tmp.connect_host);
    }
    free(tmp.scheme);
    free(tmp.connect_host);
    free(tmp.virtual_host);
    return true;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

sf_err sf_sls_client_new(const struct sf_sls_client_config *config,
                         struct sf_sls_client **out,
                         char *errbuf,
                         size_t errbuf_size)
{
    *out = NULL;
    struct sf_sls_client *sls = sf_xcalloc(1, sizeof(*sls));
    pthread_mutex_init(&sls->creds_lock, NULL);
    sf_err err = SF_ERR_CONFIG;
    const char *project = config->project ? config->project : "";
    bool project_ok = project[0] != '\0' && strlen(project) <= 63;
    for (const char *p = project; *p && project_ok; p++) {
        project_ok = is_name_char(*p) && *p != '_';
    }
    if (!project_ok) {
        snprintf(errbuf, errbuf_size,
                 "project \"%s\": expected 1-63 characters of a-z, 0-9 and '-'", project);
        goto out;
    }
    sls->project = sf_xstrdup(project);
    if (!config->endpoint || !config->endpoint[0]) {
        snprintf(errbuf, errbuf_size, "endpoint is empty");
        goto out;
    }
    err = parse_endpoint(sls, config->endpoint, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    err = SF_ERR_CONFIG;
    if (!config->creds.access_key_id || !config->creds.access_key_id[0] ||
        !config->creds.access_key_secret || !config->creds.access_key_secret[0]) {
        snprintf(errbuf, errbuf_size, "AccessKey id and secret are required");
        goto out;
    }
    sls->sign_version = config->sign_version ? config->sign_version : 1;
    if (sls->sign_version != 1 && sls->sign_version != 4) {
        snprintf(errbuf, errbuf_size, "sign version must be 1 or 4, not %d", sls->sign_version);
        goto out;
    }
    if (sls->sign_version == 4) {
        if (config->region && config->region[0]) {
            snprintf(sls->region, sizeof(sls->region), "%s", config->region);
        } else if (!sf_sls_region_from_endpoint(config->endpoint, sls->region,
                                                sizeof(sls->region))) {
            snprintf(errbuf, errbuf_size,
                     "signature v4 needs a region: set one, or use a <region>.log.aliyuncs.com "
                     "endpoint (got %s)",
                     config->endpoint);
            goto out;
        }
    }
    sls->ca_file = config->ca_file && config->ca_file[0] ? sf_xstrdup(config->ca_file) : NULL;
    if (config->proxy && config->proxy[0]) {
        struct sf_proxy shown;
        snprintf(shown.url, sizeof(shown.url), "%s", config->proxy);
        char display[SF_PROXY_URL_MAX];
        sf_proxy_display_url(&shown, display, sizeof(display));
        sls->proxy = sf_xstrdup(config->proxy);
        sls->proxy_display = sf_xstrdup(display);
        explicit_bzero(shown.url, sizeof(shown.url));
    }
    if (config->proxy_credentials && config->proxy_credentials[0]) {
        sls->proxy_credentials = sf_xstrdup(config->proxy_credentials);
    }
    int port = sls->port ? sls->port : strcmp(sls->scheme, "https") == 0 ? 443 : 80;
    snprintf(sls->target, sizeof(sls->target), "%s:%d", sls->connect_host, port);
    sls->connect_timeout_ms = config->connect_timeout_ms > 0 ? config->connect_timeout_ms : 5000;
    sls->timeout_ms = config->timeout_ms > 0 ? config->timeout_ms : 60000;
    sls->user_agent = sf_xstrdup(config->user_agent ? config->user_agent : "slsfwd/0.1");
    sls->max_response_bytes =
        config->max_response_bytes ? config->max_response_bytes : (size_t)64 << 20;
    sls->cancel = config->cancel;
    if (sls->port) {
        snprintf(sls->url_prefix, sizeof(sls->url_prefix), "%s://%s:%d", sls->scheme,
                 sls->connect_host, sls->port);
    } else {
        snprintf(sls->url_prefix, sizeof(sls->url_prefix), "%s://%s", sls->scheme,
                 sls->connect_host);
    }
    sls->sign_key = sf_sls_sign_key_new();
    sf_sls_client_set_credentials(sls, &config->creds);
    sls->easy = curl_easy_init();
    if (!sls->easy) {
        snprintf(errbuf, errbuf_size, "curl_easy_init failed");
        goto out;
    }
    *out = sls;
    sls = NULL;
    err = SF_OK;
out:
    sf_sls_client_free(sls);
    return err;
}

static void wipe_free(char *secret)
{
    if (secret) {
        /* Secrets do not linger in freed heap memory (core dumps). */
        volatile char *p = secret;
        while (*p) {
            *p++ = 0;
        }
        free(secret);
    }
}

void sf_sls_client_free(struct sf_sls_client *sls)
{
    if (!sls) {
        return;
    }
    if (sls->easy) {
        curl_easy_cleanup(sls->easy);
    }
    free(sls->project);
    free(sls->scheme);
    free(sls->connect_host);
    free(sls->virtual_host);
    free(sls->ca_file);
    wipe_free(sls->proxy); /* may hold a password from the environment */
    free(sls->proxy_display);
    wipe_free(sls->proxy_credentials);
    free(sls->user_agent);
    free(sls->access_key_id);
    wipe_free(sls->access_key_secret);
    wipe_free(sls->security_token);
    sf_sls_sign_key_free(sls->sign_key);
    pthread_mutex_destroy(&sls->creds_lock);
    free(sls);
}

void sf_sls_client_set_credentials(struct sf_sls_client *sls,
                                   const struct sf_sls_credentials *creds)
{
    char *id = sf_xstrdup(creds->access_key_id);
    char *secret = sf_xstrdup(creds->access_key_secret);
    char *token = creds->security_token && creds->security_token[0]
                      ? sf_xstrdup(creds->security_token)
                      : NULL;
    pthread_mutex_lock(&sls->creds_lock);
    char *old_id = sls->access_key_id;
    char *old_secret = sls->access_key_secret;
    char *old_token = sls->security_token;
    sls->access_key_id = id;
    sls->access_key_secret = secret;
    sls->security_token = token;
    sf_sls_sign_key_forget(sls->sign_key); /* the next request signs with the new secret */
    pthread_mutex_unlock(&sls->creds_lock);
    free(old_id);
    wipe_free(old_secret);
    wipe_free(old_token);
}

const char *sf_sls_client_project(const struct sf_sls_client *sls)
{
    return sls->project;
}

size_t sf_sls_client_max_response_bytes(const struct sf_sls_client *sls)
{
    return sls->max_response_bytes;
}

void sf_sls_request_init(struct sf_sls_request *req,
                         const char *api,
                         const char *method,
                         const char *logstore,
                         int shard)
{
    memset(req, 0, sizeof(*req));
    req->api = api;
    req->method = method;
    req->logstore = logstore;
    req->shard = shard;
}

void sf_sls_request_param(struct sf_sls_request *req, const char *key, const char *value)
{
    SF_ASSERT(req->n_params < SF_SLS_MAX_PARAMS);
    req->params[req->n_params].key = key;
    req->params[req->n_params].value = value;
    req->n_params++;
}

void sf_sls_response_init(struct sf_sls_response *resp, size_t max_body)
{
    memset(resp, 0, sizeof(*resp));
    sf_buf_init(&resp->body, max_body);
}

void sf_sls_response_cleanup(struct sf_sls_response *resp)
{
    sf_buf_cleanup(&resp->body);
}

static void response_reset(struct sf_sls_response *resp)
{
    resp->http_status = 0;
    resp->request_id[0] = '\0';
    resp->cursor[0] = '\0';
    resp->has_cursor = false;
    resp->count = -1;
    resp->raw_size = -1;
    resp->compress_type[0] = '\0';
    resp->end_of_cursor = false;
    resp->raw_data_size = -1;
    resp->raw_data_count = -1;
    resp->raw_data_lines = -1;
    resp->result_lines = -1;
    resp->failed_lines = -1;
    resp->header_invalid = false;
    resp->body_too_big = false;
    sf_buf_reset(&resp->body);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sf_sls_response *resp = userdata;
    size_t len = size * nmemb;
    if (sf_buf_append(&resp->body, data, len) != SF_OK) {
        resp->body_too_big = true;
        return 0; /* makes curl abort with CURLE_WRITE_ERROR */
    }
    return len;
}

/* Copies a header value, refusing (not truncating) one that does not fit. */
static void take_value(struct sf_sls_response *resp, struct sf_str value, char *dst, size_t size)
{
    if (value.len >= size) {
        resp->header_invalid = true;
        dst[0] = '\0';
        return;
    }
    sf_str_copy(dst, size, value);
}

static void take_number(struct sf_sls_response *resp, struct sf_str value, long long *dst)
{
    if (!sf_str_to_i64(value, 0, (long long)1 << 50, dst)) {
        resp->header_invalid = true;
        *dst = -1;
    }
}

/* Counters that only inform (pacing, `check`): like the SDKs, a malformed one is absent,
 * not a failed pull. */
static void take_optional_number(struct sf_str value, long long *dst)
{
    if (!sf_str_to_i64(value, 0, (long long)1 << 50, dst)) {
        *dst = -1;
    }
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sf_sls_response *resp = userdata;
    size_t len = size * nmemb;
    struct sf_str line = {data, len};
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        response_reset(resp); /* a new response (after 100 Continue or a redirect) */
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon) {
        return len;
    }
    struct sf_str name = {data, (size_t)(colon - data)};
    if (name.len < 6 || strncasecmp(data, "x-log-", 6) != 0) {
        return len; /* Date, Content-Length, Server...: nothing we read */
    }
    struct sf_str value = {colon + 1, len - name.len - 1};
    while (value.len && (value.ptr[0] == ' ' || value.ptr[0] == '\t')) {
        value.ptr++;
        value.len--;
    }
    while (value.len && (value.ptr[value.len - 1] == '\r' || value.ptr[value.len - 1] == '\n' ||
                         value.ptr[value.len - 1] == ' ')) {
        value.len--;
    }
    (void)line;
    if (sf_str_ieq(name, SF_STR_LIT("x-log-requestid"))) {
        take_value(resp, value, resp->request_id, sizeof(resp->request_id));
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-cursor"))) {
        take_value(resp, value, resp->cursor, sizeof(resp->cursor));
        resp->has_cursor = value.len > 0 && !resp->header_invalid;
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-count"))) {
        take_number(resp, value, &resp->count);
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-bodyrawsize"))) {
        take_number(resp, value, &resp->raw_size);
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-compresstype"))) {
        take_value(resp, value, resp->compress_type, sizeof(resp->compress_type));
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-end-of-cursor"))) {
        resp->end_of_cursor = sf_str_eq(value, SF_STR_LIT("1"));
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-rawdatasize"))) {
        take_optional_number(value, &resp->raw_data_size);
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-rawdatacount"))) {
        take_optional_number(value, &resp->raw_data_count);
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-rawdatalines"))) {
        take_optional_number(value, &resp->raw_data_lines);
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-resultlines"))) {
        take_optional_number(value, &resp->result_lines);
    } else if (sf_str_ieq(name, SF_STR_LIT("x-log-failedlines"))) {
        take_optional_number(value, &resp->failed_lines);
    }
    return len;
}

/* libcurl calls this at least once a second while a transfer runs, data or not: the
 * latency within which a stop abandons a call in flight. */
static int on_progress(
    void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const struct sf_sls_client *sls = userdata;
    return atomic_load(sls->cancel) ? 1 : 0; /* non-zero: CURLE_ABORTED_BY_CALLBACK */
}

static sf_err build_url(struct sf_sls_client *sls, struct sf_sls_call *call)
{
    struct sf_buf url;
    sf_buf_init(&url, sizeof(call->url) - 1);
    sf_err err = sf_buf_append_cstr(&url, sls->url_prefix);
    if (!err) {
        err = sf_buf_append_cstr(&url, call->req.path);
    }
    /* On the wire every value is percent-encoded; the signature uses the raw value
     * (docs/protocol/sls-api.md §Signature v1). */
    for (size_t i = 0; i < call->req.n_params && !err; i++) {
        err = sf_buf_append(&url, i == 0 ? "?" : "&", 1);
        if (!err) {
            err = sf_buf_append_cstr(&url, call->req.params[i].key);
        }
        if (!err) {
            err = sf_buf_append(&url, "=", 1);
        }
        if (!err) {
            const char *value = call->req.params[i].value;
            err = sf_url_encode(&url, value, strlen(value));
        }
    }
    if (!err) {
        memcpy(call->url, url.ptr, url.len);
        call->url[url.len] = '\0';
    }
    sf_buf_cleanup(&url);
    return err;
}

/* Every header that is sent, lower-case names, so the signer sees exactly the wire. */
struct header_set {
    struct sf_sls_header items[16];
    size_t n;
};

static void add_header(struct header_set *set, const char *name, const char *value)
{
    SF_ASSERT(set->n < sizeof(set->items) / sizeof(set->items[0]));
    set->items[set->n].name = name;
    set->items[set->n].value = value;
    set->n++;
}

static sf_err sign_into(struct sf_sls_client *sls,
                        struct header_set *set,
                        const struct sf_sls_request *req,
                        char auth[SF_SLS_AUTH_MAX])
{
    struct sf_sls_sign_request sign_req = {
        .method = req->method,
        .path = req->path,
        .params = req->params,
        .n_params = req->n_params,
        .headers = set->items,
        .n_headers = set->n,
        .body = req->body,
        .body_len = req->body_len,
    };
    pthread_mutex_lock(&sls->creds_lock);
    struct sf_sls_credentials creds = {sls->access_key_id, sls->access_key_secret,
                                       sls->security_token};
    sf_err err = sls->sign_version == 4
                     ? sf_sls_sign_v4_with(sls->sign_key, &creds, sls->region, &sign_req, auth)
                     : sf_sls_sign_v1_with(sls->sign_key, &creds, &sign_req, auth);
    pthread_mutex_unlock(&sls->creds_lock);
    return err;
}

struct header_lines {
    struct sf_sls_call *call;
    size_t n;    /* nodes used */
    size_t used; /* bytes of header_text used */
    bool overflow;
};

/* Appends "<a><b><c>" as the next header line of the call's list. */
static void add_line(struct header_lines *lines, const char *a, const char *b, const char *c)
{
    struct sf_sls_call *call = lines->call;
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    size_t room = sizeof(call->header_text) - lines->used;
    if (lines->n == SF_SLS_CALL_MAX_HEADERS || la + lb + lc + 1 > room) {
        lines->overflow = true;
        return;
    }
    char *line = call->header_text + lines->used;
    memcpy(line, a, la);
    memcpy(line + la, b, lb);
    memcpy(line + la + lb, c, lc);
    line[la + lb + lc] = '\0';
    lines->used += la + lb + lc + 1;
    struct curl_slist *node = &call->header_nodes[lines->n];
    node->data = line;
    node->next = NULL;
    if (lines->n > 0) {
        call->header_nodes[lines->n - 1].next = node;
    }
    lines->n++;
}

static sf_err build_headers(struct sf_sls_client *sls, struct sf_sls_call *call)
{
    const struct sf_sls_request *req = &call->req;
    struct header_set set = {.n = 0};
    char raw_size[24], md5[33], sha256[65], date[40], log_date[20];
    char token[4096];
    char auth[SF_SLS_AUTH_MAX];

    add_header(&set, "host", sls->virtual_host);
    add_header(&set, "x-log-apiversion", "0.6.0");
    /* Go refuses to send a request without it; 0 is accepted for bodiless calls
     * (docs/protocol/sls-api.md §Request headers). */
    snprintf(raw_size, sizeof(raw_size), "%zu", req->body_len);
    add_header(&set, "x-log-bodyrawsize", raw_size);
    if (req->body_len) {
        add_header(&set, "content-type", req->content_type);
    }
    if (sls->sign_version == 4) {
        sf_sls_sha256_hex(req->body, req->body_len, sha256);
        sf_fmt_iso_basic(sf_wall_s(), log_date, sizeof(log_date));
        add_header(&set, "x-log-content-sha256", sha256);
        add_header(&set, "x-log-date", log_date);
    } else {
        int64_t now = sf_wall_s();
        if (now != sls->date_s || !sls->date[0]) {
            sf_fmt_rfc1123(now, sls->date, sizeof(sls->date));
            sls->date_s = now;
        }
        snprintf(date, sizeof(date), "%s", sls->date);
        add_header(&set, "date", date);
        add_header(&set, "x-log-signaturemethod", "hmac-sha1");
        if (req->body_len) {
            sf_sls_md5_hex_upper(req->body, req->body_len, md5);
            add_header(&set, "content-md5", md5);
        }
    }
    pthread_mutex_lock(&sls->creds_lock);
    bool has_token = sls->security_token != NULL;
    if (has_token) {
        snprintf(token, sizeof(token), "%s", sls->security_token);
    }
    pthread_mutex_unlock(&sls->creds_lock);
    if (has_token) {
        add_header(&set, "x-acs-security-token", token);
    }
    if (req->accept_encoding) {
        add_header(&set, "accept", "application/x-protobuf");
        add_header(&set, "accept-encoding", req->accept_encoding);
    }
    sf_err err = sign_into(sls, &set, req, auth);
    if (err) {
        return err;
    }
    add_header(&set, "authorization", auth);
    add_header(&set, "user-agent", sls->user_agent);

    /* The list lives in |call| (libcurl only reads it): no allocation per header. */
    struct header_lines lines = {.call = call};
    for (size_t i = 0; i < set.n && !lines.overflow; i++) {
        /* "name;" is curl's way to send a header with an empty value. */
        if (set.items[i].value[0]) {
            add_line(&lines, set.items[i].name, ": ", set.items[i].value);
        } else {
            add_line(&lines, set.items[i].name, ";", "");
        }
    }
    /* No "Expect: 100-continue" round trip for small JSON bodies. */
    add_line(&lines, "Expect:", "", "");
    if (has_token) {
        explicit_bzero(token, strlen(token)); /* only what was written: 4 KiB every call shows */
    }
    call->header_used = lines.used;
    if (lines.overflow) {
        explicit_bzero(call->header_text, call->header_used);
        call->header_used = 0;
        return SF_ERR_TOO_BIG;
    }
    call->headers = &call->header_nodes[0];
    return SF_OK;
}

static void fill_detail(const struct sf_sls_client *sls,
                        const struct sf_sls_request *req,
                        struct sf_sls_error *detail)
{
    memset(detail, 0, sizeof(*detail));
    detail->api = req->api;
    sf_str_copy(detail->project, sizeof(detail->project), sf_str_from(sls->project));
    sf_str_copy(detail->logstore, sizeof(detail->logstore),
                sf_str_from(req->logstore ? req->logstore : ""));
    detail->shard = req->shard;
}

/* Exactly the configured proxy, or none: "" for both options stops libcurl from reading
 * http(s)_proxy and no_proxy itself. Always a CONNECT tunnel, for an http:// endpoint too: a
 * proxy's own answer (407, 403, an error page) then comes to CONNECT and can never pass for
 * SLS's; certificate checks of the endpoint are the same as without a proxy. */
static void set_proxy(const struct sf_sls_client *sls, CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_PROXY, sls->proxy ? sls->proxy : "");
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "");
    if (!sls->proxy) {
        return;
    }
    curl_easy_setopt(easy, CURLOPT_PROXYTYPE, (long)CURLPROXY_HTTP);
    curl_easy_setopt(easy, CURLOPT_HTTPPROXYTUNNEL, 1L);
    curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (sls->proxy_credentials) {
        curl_easy_setopt(easy, CURLOPT_PROXYUSERPWD, sls->proxy_credentials);
    }
}

static void set_constant_options(const struct sf_sls_client *sls, CURL *easy);

sf_err sf_sls_call_prepare(struct sf_sls_client *sls,
                           struct sf_sls_call *call,
                           CURL *easy,
                           struct sf_sls_error *detail)
{
    fill_detail(sls, &call->req, detail);
    call->headers = NULL;
    call->header_used = 0;
    call->errbuf[0] = '\0';
    response_reset(call->resp);
    sf_err err = build_url(sls, call);
    if (!err) {
        err = build_headers(sls, call);
    }
    if (err) {
        snprintf(detail->message, sizeof(detail->message), "cannot build the request");
        call->headers = NULL;
        return err;
    }
    if (easy != sls->configured) {
        set_constant_options(sls, easy);
        sls->configured = easy;
    }
    /* What differs between calls on a configured handle; everything else stays set. */
    curl_easy_setopt(easy, CURLOPT_URL, call->url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, call->headers);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->errbuf);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, call->resp);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, call->resp);
    bool is_get = strcmp(call->req.method, "GET") == 0;
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, is_get ? NULL : call->req.method);
    if (call->req.body_len) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->req.body);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->req.body_len);
    } else if (strcmp(call->req.method, "POST") == 0 || strcmp(call->req.method, "PUT") == 0) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    } else {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L); /* no body left from a previous POST */
    }
    return SF_OK;
}

/* Options that are the same for every call of |sls|, after a reset of |easy| (which keeps its
 * connection cache: keep-alive survives). Setting them, and the reset, cost more than a
 * request's own work, so this runs once per handle (and after a failed transfer). */
static void set_constant_options(const struct sf_sls_client *sls, CURL *easy)
{
    curl_easy_reset(easy);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, sls->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, sls->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    /* A PullLogs answer is up to a few MiB on the wire: libcurl's 16 KiB default reads it in
     * hundreds of recv and poll calls, and hands it to on_body as many pieces. */
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, SF_SLS_RECV_BUFFER);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (sls->ca_file) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, sls->ca_file);
    }
    set_proxy(sls, easy);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    if (sls->cancel) {
        curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(easy, CURLOPT_XFERINFODATA, (void *)sls);
    }
}

static sf_err curl_to_err(CURLcode result)
{
    switch (result) {
    case CURLE_OPERATION_TIMEDOUT:
        return SF_ERR_TIMEOUT;
    case CURLE_ABORTED_BY_CALLBACK:
        return SF_ERR_CANCELLED;
    default:
        return SF_ERR_NET;
    }
}

/* A transfer through the proxy that failed: the message names the proxy, not SLS, when the
 * proxy refused the CONNECT (its status) or could not be reached; otherwise it adds "via
 * proxy". Returns true when the proxy is at fault. Never shows the proxy's credentials. */
static bool describe_proxy_failure(const struct sf_sls_client *sls,
                                   CURL *easy,
                                   CURLcode result,
                                   const char *error,
                                   struct sf_sls_error *detail)
{
    long connect_code = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    if (connect_code && (connect_code < 200 || connect_code > 299)) {
        sf_proxy_refusal_text(sls->proxy_display, sls->target, connect_code, detail->message,
                              sizeof(detail->message));
        return true;
    }
    if (connect_code == 0 && (result == CURLE_COULDNT_CONNECT ||
                              result == CURLE_COULDNT_RESOLVE_PROXY || result == CURLE_PROXY)) {
        snprintf(detail->message, sizeof(detail->message), "cannot reach proxy %.100s: %.130s",
                 sls->proxy_display, error);
        return true;
    }
    return false;
}

sf_err sf_sls_call_finish(struct sf_sls_client *sls,
                          struct sf_sls_call *call,
                          CURL *easy,
                          CURLcode result,
                          struct sf_sls_error *detail)
{
    struct sf_sls_response *resp = call->resp;
    call->headers = NULL;
    explicit_bzero(call->header_text, call->header_used); /* held the signature, token */
    call->header_used = 0;
    if (result != CURLE_OK) {
        sls->configured = NULL; /* whatever state the failure left: the next call resets */
    }
    sf_str_copy(detail->request_id, sizeof(detail->request_id), sf_str_from(resp->request_id));
    if (resp->body_too_big) {
        snprintf(detail->message, sizeof(detail->message),
                 "response body larger than the %zu-byte limit", resp->body.max);
        return SF_ERR_TOO_BIG;
    }
    if (result != CURLE_OK) {
        const char *error = call->errbuf[0] ? call->errbuf : curl_easy_strerror(result);
        if (sls->proxy && describe_proxy_failure(sls, easy, result, error, detail)) {
            SF_LOG_DEBUG("msg=\"transfer failed at the proxy\" api=%s curl_code=%d", call->req.api,
                         (int)result);
            return curl_to_err(result); /* SF_ERR_NET: retried like any network failure */
        }
        /* OpenSSL's words for a ClientHello answered by plain HTTP: https:// at an http://
         * port, e.g. the emulator. Said first, so a long error cannot cut it off. */
        bool is_plain = result == CURLE_SSL_CONNECT_ERROR &&
                        (strstr(error, "wrong version number") || strstr(error, "packet length"));
        if (is_plain) {
            snprintf(detail->message, sizeof(detail->message),
                     "the server answered plain HTTP, not TLS: use http:// in the endpoint "
                     "(%.150s)",
                     error);
        } else if (sls->proxy) {
            snprintf(detail->message, sizeof(detail->message), "%.150s (via proxy %.90s)", error,
                     sls->proxy_display);
        } else {
            snprintf(detail->message, sizeof(detail->message), "%s", error);
        }
        SF_LOG_DEBUG("msg=\"transfer failed\" api=%s curl_code=%d", call->req.api, (int)result);
        return curl_to_err(result);
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    resp->http_status = status;
    detail->http_status = status;
    if (status != 200) {
        return sf_sls_error_parse(status, resp->body.ptr, resp->body.len, detail);
    }
    if (resp->header_invalid) {
        snprintf(detail->message, sizeof(detail->message), "malformed x-log-* response header");
        return SF_ERR_INVALID;
    }
    return SF_OK;
}

sf_err sf_sls_client_perform(struct sf_sls_client *sls,
                             const struct sf_sls_request *req,
                             struct sf_sls_response *resp,
                             struct sf_sls_error *detail)
{
    /* Not zero-initialised: prepare sets what is read (a 16 KiB memset per request). */
    struct sf_sls_call call;
    call.req = *req;
    call.resp = resp;
    if (sls->cancel && atomic_load(sls->cancel)) {
        fill_detail(sls, req, detail);
        snprintf(detail->message, sizeof(detail->message), "not sent: stopping");
        return SF_ERR_CANCELLED;
    }
    sf_err err = sf_sls_call_prepare(sls, &call, sls->easy, detail);
    if (err) {
        return err;
    }
    CURLcode result = curl_easy_perform(sls->easy);
    return sf_sls_call_finish(sls, &call, sls->easy, result, detail);
}
