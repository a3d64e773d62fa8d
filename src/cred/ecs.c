/* The ECS instance RAM role, from the instance metadata service.
 *
 * Modelled on aliyun/credentials-go credentials/providers/ecs_ram_role.go (and
 * aliyun/credentials-python alibabacloud_credentials/provider/ecs_ram_role.py, which agrees):
 *  - hardened mode first: PUT /latest/api/token with "X-aliyun-ecs-metadata-token-ttl-seconds:
 *    21600"; the answer body is the token, sent as "X-aliyun-ecs-metadata-token" on the GETs;
 *  - if that PUT fails (no answer or not 200): with IMDSv1 disabled
 *    (ALIBABA_CLOUD_IMDSV1_DISABLED=true) that is the error; otherwise carry on without a token;
 *  - role name: ALIBABA_CLOUD_ECS_METADATA, else GET /latest/meta-data/ram/security-credentials/
 *    (the body, trimmed, is the role name);
 *  - credentials: GET /latest/meta-data/ram/security-credentials/<role>, JSON with "Code":
 *    "Success", AccessKeyId, AccessKeySecret, SecurityToken, Expiration;
 *  - credentials-go also retries a GET that failed with a token once without it, unless IMDSv1
 *    is disabled; we do the same. (The libraries fetch a new token before each GET; we reuse
 *    the one token, valid 6 hours, for the discovery and the credentials GET of one fetch.)
 *  - ALIBABA_CLOUD_ECS_METADATA_DISABLED=true drops the provider from the default chain: that
 *    is the one case answered with SF_ERR_NOT_FOUND. Everything else is a failure the chain
 *    records, as the libraries do.
 * The service is plain HTTP on a link-local address: never through a proxy. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cred/http.h"
#include "cred/provider.h"
#include "cred/remote.h"

#include "util/banned.h"

#define CREDS_PATH "/latest/meta-data/ram/security-credentials/"
#define TOKEN_PATH "/latest/api/token"
#define TOKEN_TTL  "21600"

struct ecs_ctx {
    const struct sf_cred_config *config;
    char base[256];   /* "http://100.100.100.200" */
    char token[1024]; /* "" without one */
    bool imdsv1_disabled;
};

static bool env_true(const struct sf_cred_config *config, const char *name)
{
    const char *v = sf_cred_getenv(config, name);
    return v && strcasecmp(v, "true") == 0;
}

static sf_err set_base(struct ecs_ctx *ctx, char *errbuf, size_t errbuf_size)
{
    const char *endpoint = ctx->config->ecs_metadata_endpoint;
    if (!endpoint || !endpoint[0]) {
        endpoint = "http://100.100.100.200";
    }
    const char *host = endpoint;
    if (strncmp(endpoint, "http://", 7) == 0) {
        host = endpoint + 7;
    } else if (strstr(endpoint, "://")) {
        snprintf(errbuf, errbuf_size, "ecs_metadata_endpoint %s: the metadata service is http://",
                 endpoint);
        return SF_ERR_CONFIG;
    }
    size_t len = strcspn(host, "/?#");
    if (len == 0 || len > 200 || (host[len] && strcmp(host + len, "/") != 0)) {
        snprintf(errbuf, errbuf_size, "ecs_metadata_endpoint %s: expected http://host[:port]",
                 endpoint);
        return SF_ERR_CONFIG;
    }
    snprintf(ctx->base, sizeof(ctx->base), "http://%.*s", (int)len, host);
    return SF_OK;
}

/* One request to the metadata service; |resp| is the caller's to clean up. */
static sf_err metadata_do(const struct ecs_ctx *ctx,
                          const char *method,
                          const char *path,
                          const char *header,
                          struct sf_cred_http_response *resp,
                          char *errbuf,
                          size_t errbuf_size)
{
    char url[512];
    snprintf(url, sizeof(url), "%s%s", ctx->base, path);
    const char *headers[] = {header, NULL};
    struct sf_cred_http_request req = {
        .method = method,
        .url = url,
        .headers = header ? headers : NULL,
        .timeout_ms = ctx->config->timeout_ms,
        .no_proxy = true,
    };
    return sf_cred_http_do(&req, resp, errbuf, errbuf_size);
}

/* Hardened mode's session token. A failure is an error only when IMDSv1 is disabled. */
static sf_err get_token(struct ecs_ctx *ctx, char *errbuf, size_t errbuf_size)
{
    ctx->token[0] = '\0';
    struct sf_cred_http_response resp;
    char why[384];
    sf_err err =
        metadata_do(ctx, "PUT", TOKEN_PATH, "X-aliyun-ecs-metadata-token-ttl-seconds: " TOKEN_TTL,
                    &resp, why, sizeof(why));
    size_t len = err ? 0 : resp.body.len;
    if (!err && resp.status != 200) {
        snprintf(why, sizeof(why), "PUT %s%s: HTTP %ld", ctx->base, TOKEN_PATH, resp.status);
        err = resp.status >= 500 ? SF_ERR_HTTP_RETRY : SF_ERR_AUTH;
    } else if (!err && (len == 0 || len >= sizeof(ctx->token) ||
                        strcspn((const char *)resp.body.ptr, "\r\n") != len)) {
        snprintf(why, sizeof(why), "PUT %s%s: the answer is not a token", ctx->base, TOKEN_PATH);
        err = SF_ERR_INVALID;
    }
    if (!err) {
        memcpy(ctx->token, resp.body.ptr, len + 1);
    }
    sf_cred_http_response_cleanup(&resp);
    if (err && ctx->imdsv1_disabled) {
        snprintf(errbuf, errbuf_size, "ECS metadata token (IMDSv1 is disabled, so no fallback): %s",
                 why);
        return err;
    }
    return SF_OK;
}

/* GET |path| with the token when there is one; a failure with the token is retried once
 * without it unless IMDSv1 is disabled (credentials-go getWithFallback). */
static sf_err metadata_get(const struct ecs_ctx *ctx,
                           const char *path,
                           struct sf_cred_http_response *resp,
                           char *errbuf,
                           size_t errbuf_size)
{
    char header[1100] = "";
    if (ctx->token[0]) {
        snprintf(header, sizeof(header), "X-aliyun-ecs-metadata-token: %s", ctx->token);
    }
    sf_err err =
        metadata_do(ctx, "GET", path, header[0] ? header : NULL, resp, errbuf, errbuf_size);
    if ((err || resp->status != 200) && ctx->token[0] && !ctx->imdsv1_disabled) {
        sf_cred_http_response_cleanup(resp);
        err = metadata_do(ctx, "GET", path, NULL, resp, errbuf, errbuf_size);
    }
    if (!err && resp->status != 200) {
        snprintf(errbuf, errbuf_size, "GET %s%s: HTTP %ld", ctx->base, path, resp->status);
        /* A 404 means "no such role": a failure of a provider that is present. */
        err = resp->status >= 500 ? SF_ERR_HTTP_RETRY : SF_ERR_AUTH;
    }
    return err;
}

static bool role_name_ok(const char *name)
{
    if (!name[0] || strlen(name) > 64) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            return false;
        }
    }
    return true;
}

static sf_err discover_role(
    const struct ecs_ctx *ctx, char *role, size_t role_size, char *errbuf, size_t errbuf_size)
{
    struct sf_cred_http_response resp;
    char why[384];
    sf_err err = metadata_get(ctx, CREDS_PATH, &resp, why, sizeof(why));
    if (err) {
        snprintf(errbuf, errbuf_size, "ECS RAM role discovery: %s", why);
    } else {
        const char *body = (const char *)resp.body.ptr;
        size_t start = strspn(body, " \t\r\n");
        size_t len = strcspn(body + start, " \t\r\n");
        snprintf(role, role_size, "%.*s", (int)(len < role_size ? len : role_size - 1),
                 body + start);
        if (!role_name_ok(role)) {
            snprintf(errbuf, errbuf_size,
                     "ECS RAM role discovery: GET %s%s named no usable role (is a RAM role "
                     "attached to the instance?)",
                     ctx->base, CREDS_PATH);
            err = SF_ERR_AUTH;
        }
    }
    sf_cred_http_response_cleanup(&resp);
    return err;
}

sf_err sf_cred_fetch_ecs(const struct sf_cred_config *config,
                         struct sf_cred_value *out,
                         char *errbuf,
                         size_t errbuf_size)
{
    if (env_true(config, "ALIBABA_CLOUD_ECS_METADATA_DISABLED")) {
        snprintf(errbuf, errbuf_size, "ecs_ram_role: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true");
        return SF_ERR_NOT_FOUND;
    }
    struct ecs_ctx ctx = {
        .config = config,
        .imdsv1_disabled =
            config->ecs_imdsv1_disabled || env_true(config, "ALIBABA_CLOUD_IMDSV1_DISABLED"),
    };
    sf_err err = set_base(&ctx, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    char role[80];
    if (config->ecs_role_name && config->ecs_role_name[0]) {
        if (!role_name_ok(config->ecs_role_name)) {
            snprintf(errbuf, errbuf_size,
                     "ecs_role_name \"%s\": expected letters, digits, '-', '_' or '.'",
                     config->ecs_role_name);
            return SF_ERR_CONFIG;
        }
        snprintf(role, sizeof(role), "%s", config->ecs_role_name);
    }
    err = get_token(&ctx, errbuf, errbuf_size);
    if (!err && !(config->ecs_role_name && config->ecs_role_name[0])) {
        err = discover_role(&ctx, role, sizeof(role), errbuf, errbuf_size);
    }
    if (err) {
        return err;
    }
    char path[160];
    snprintf(path, sizeof(path), "%s%s", CREDS_PATH, role);
    struct sf_cred_http_response resp;
    char why[384];
    err = metadata_get(&ctx, path, &resp, why, sizeof(why));
    if (err) {
        snprintf(errbuf, errbuf_size, "ECS RAM role %s: %s", role, why);
    } else {
        char what[640];
        snprintf(what, sizeof(what), "ECS RAM role %s: GET %s%s answer", role, ctx.base, path);
        json_t *root = json_loadb((const char *)resp.body.ptr, resp.body.len, 0, NULL);
        const char *code = json_string_value(json_object_get(root, "Code"));
        if (!root) {
            snprintf(errbuf, errbuf_size, "%s is not JSON", what);
            err = SF_ERR_INVALID;
        } else if (!code || strcmp(code, "Success") != 0) {
            char clean[80];
            sf_cred_clean_message(code ? code : "(none)", NULL, clean, sizeof(clean));
            snprintf(errbuf, errbuf_size, "%s: Code is %s, not Success", what, clean);
            err = SF_ERR_AUTH;
        } else {
            err = sf_cred_value_from_json(root, what, out, errbuf, errbuf_size);
        }
        json_decref(root);
    }
    if (resp.body.ptr) {
        memset(resp.body.ptr, 0, resp.body.cap);
    }
    sf_cred_http_response_cleanup(&resp);
    memset(ctx.token, 0, sizeof(ctx.token));
    return err;
}
