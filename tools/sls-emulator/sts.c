/* STS: request parameters (query and form body), the RPC HMAC-SHA1 signature, the POP error
 * answer, and AssumeRole. Codes, messages and statuses are the service's as far as they could be
 * checked (README.md lists the source of each and what is a guess). */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "handler.h"
#include "sts_int.h"
#include "util/alloc.h"
#include "util/encode.h"
#include "util/str.h"

#include "util/banned.h"

#define MAX_SKEW_S (15 * 60)

/* ---------------------------------------------------------------------------------------- */
/* Parameters                                                                                */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Form decoding: %XX and '+' as space. NULL for a broken escape or a NUL byte. */
static char *decode(struct sts_ctx *ctx, const char *s, size_t len)
{
    char *out = sf_arena_alloc(ctx->arena, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                return NULL;
            }
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return out;
}

static bool parse_pairs(struct sts_ctx *ctx, const char *s, size_t len)
{
    size_t start = 0;
    while (start < len) {
        const char *amp = memchr(s + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - s) : len;
        if (end > start) {
            const char *eq = memchr(s + start, '=', end - start);
            size_t key_len = eq ? (size_t)(eq - s) - start : end - start;
            if (ctx->n_params == STS_MAX_PARAMS) {
                return false;
            }
            struct emu_sts_param *p = &ctx->params[ctx->n_params];
            p->key = decode(ctx, s + start, key_len);
            p->value = eq ? decode(ctx, eq + 1, end - (size_t)(eq - s) - 1) : "";
            if (!p->key || !p->value) {
                return false;
            }
            ctx->n_params++;
        }
        start = end + 1;
    }
    return true;
}

/* Query first, then an application/x-www-form-urlencoded body (the SDKs put RoleArn, OIDCToken
 * and the rest there on POST). */
static bool parse_params(struct sts_ctx *ctx)
{
    const char *target = ctx->req->target ? ctx->req->target : "";
    const char *q = strchr(target, '?');
    if (q && !parse_pairs(ctx, q + 1, strlen(q + 1))) {
        return false;
    }
    const char *type = emu_request_header(ctx->req, "Content-Type");
    bool is_form = type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
    if (ctx->req->body_len && is_form) {
        return parse_pairs(ctx, (const char *)ctx->req->body, ctx->req->body_len);
    }
    return true;
}

const char *sts_param(const struct sts_ctx *ctx, const char *key)
{
    for (size_t i = 0; i < ctx->n_params; i++) {
        if (strcmp(ctx->params[i].key, key) == 0) {
            return ctx->params[i].value;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Signature                                                                                 */

static int cmp_param(const void *a, const void *b)
{
    const struct emu_sts_param *pa = *(const struct emu_sts_param *const *)a;
    const struct emu_sts_param *pb = *(const struct emu_sts_param *const *)b;
    int c = strcmp(pa->key, pb->key);
    return c ? c : strcmp(pa->value, pb->value);
}

sf_err emu_sts_string_to_sign(const char *method,
                              const struct emu_sts_param *params,
                              size_t n_params,
                              struct sf_buf *out)
{
    const struct emu_sts_param **sorted = sf_xcalloc(n_params + 1, sizeof(*sorted));
    size_t n = 0;
    for (size_t i = 0; i < n_params; i++) {
        if (strcmp(params[i].key, "Signature") != 0) {
            sorted[n++] = &params[i];
        }
    }
    qsort(sorted, n, sizeof(*sorted), cmp_param);
    struct sf_buf canon;
    sf_buf_init(&canon, 1 << 20);
    sf_err err = SF_OK;
    for (size_t i = 0; i < n && !err; i++) {
        if (i) {
            err = sf_buf_append_cstr(&canon, "&");
        }
        err = err ? err : sf_url_encode(&canon, sorted[i]->key, strlen(sorted[i]->key));
        err = err ? err : sf_buf_append_cstr(&canon, "=");
        err = err ? err : sf_url_encode(&canon, sorted[i]->value, strlen(sorted[i]->value));
    }
    free(sorted);
    err = err ? err : sf_buf_append_cstr(out, method);
    err = err ? err : sf_buf_append_cstr(out, "&%2F&");
    err = err ? err : sf_url_encode(out, (const char *)canon.ptr, canon.len);
    sf_buf_cleanup(&canon);
    return err;
}

static void rpc_signature(const char *secret, const uint8_t *msg, size_t len, char out[48])
{
    char key[256];
    snprintf(key, sizeof(key), "%s&", secret);
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    HMAC(EVP_sha1(), key, (int)strlen(key), msg, len, mac, &n);
    OPENSSL_cleanse(key, sizeof(key));
    sf_base64_encode(mac, n, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Answers                                                                                   */

static void set_json(struct sts_ctx *ctx, int status, json_t *root)
{
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    emu_body_unref(ctx->resp->body);
    ctx->resp->status = status;
    ctx->resp->body = emu_body_from(text, text ? strlen(text) : 0);
    ctx->resp->content_type = "application/json;charset=utf-8";
    free(text);
}

bool sts_error(struct sts_ctx *ctx, int status, const char *code, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    const char *host = emu_request_header(ctx->req, "Host");
    char host_id[128];
    snprintf(host_id, sizeof(host_id), "%.*s", host ? (int)strcspn(host, ":") : 0,
             host ? host : "");
    char recommend[256];
    snprintf(recommend, sizeof(recommend),
             "https://api.aliyun.com/troubleshoot?q=%s&product=Sts&requestId=%s", code,
             ctx->request_id);
    json_t *msg = json_string(message);
    set_json(ctx, status,
             json_pack("{s:s, s:s, s:s, s:o, s:s}", "RequestId", ctx->request_id, "HostId",
                       host_id[0] ? host_id : "sts.aliyuncs.com", "Code", code, "Message",
                       msg ? msg : json_string("(message not UTF-8)"), "Recommend", recommend));
    return false;
}

/* A stable fake account role id for the AssumedRoleId, derived from the role ARN. */
static unsigned long long role_id(const char *role_arn)
{
    unsigned long long h = 1469598103934665603ull;
    for (const char *p = role_arn; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    }
    return 30000000000000000ull + h % 9999999999999999ull;
}

void sts_reply_credentials(struct sts_ctx *ctx,
                           enum emu_cred_kind kind,
                           const char *role_arn,
                           const char *session,
                           int64_t duration_s,
                           json_t *oidc_info)
{
    struct emu_issued cred;
    emu_creds_issue(ctx->srv->creds, kind, duration_s, ctx->now_s, &cred);
    char expiration[24], arn[512], assumed_id[128];
    emu_creds_fmt_time(cred.expires_s, expiration);
    snprintf(arn, sizeof(arn), "%s/%s", role_arn, session);
    snprintf(assumed_id, sizeof(assumed_id), "%llu:%s", role_id(role_arn), session);
    json_t *root = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}}", "RequestId",
                             ctx->request_id, "AssumedRoleUser", "Arn", arn, "AssumedRoleId",
                             assumed_id, "Credentials", "AccessKeyId", cred.id, "AccessKeySecret",
                             cred.secret, "SecurityToken", cred.token, "Expiration", expiration);
    if (oidc_info) {
        json_object_set_new(root, "OIDCTokenInfo", oidc_info);
    }
    OPENSSL_cleanse(&cred, sizeof(cred));
    set_json(ctx, 200, root);
}

/* ---------------------------------------------------------------------------------------- */
/* Common checks                                                                             */

static bool matches_arn(const char *arn, const char *kind)
{
    /* acs:ram::<account digits>:<kind>/<name> */
    const char *p = arn;
    if (strncmp(p, "acs:ram::", 9) != 0) {
        return false;
    }
    p += 9;
    size_t digits = strspn(p, "0123456789");
    p += digits;
    size_t kind_len = strlen(kind);
    return digits > 0 && *p == ':' && strncmp(p + 1, kind, kind_len) == 0 &&
           p[1 + kind_len] == '/' && p[2 + kind_len] != '\0' && !strchr(arn, ' ');
}

static bool valid_session_name(const char *s)
{
    size_t len = strlen(s);
    if (len < 2 || len > 64) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '.' && c != '@' && c != '-' && c != '_') {
            return false;
        }
    }
    return true;
}

bool sts_check_role(struct sts_ctx *ctx, const char **role_arn, const char **session)
{
    *role_arn = sts_param(ctx, "RoleArn");
    *session = sts_param(ctx, "RoleSessionName");
    if (!*role_arn || !(*role_arn)[0]) {
        return sts_error(ctx, 400, "MissingRoleArn", "RoleArn is mandatory for this action.");
    }
    if (!matches_arn(*role_arn, "role")) {
        return sts_error(ctx, 400, "InvalidParameter.RoleArn",
                         "The parameter RoleArn is wrongly formed.");
    }
    const char *want = emu_creds_role_arn(ctx->srv->creds);
    if (want && strcasecmp(want, *role_arn) != 0) {
        return sts_error(ctx, 404, "EntityNotExist.Role", "The role not exists: %.200s.",
                         *role_arn);
    }
    if (!*session || !(*session)[0]) {
        return sts_error(ctx, 400, "MissingRoleSessionName",
                         "RoleSessionName is mandatory for this action.");
    }
    if (!valid_session_name(*session)) {
        return sts_error(ctx, 400, "InvalidParameter.RoleSessionName",
                         "The parameter RoleSessionName is wrongly formed.");
    }
    return true;
}

bool sts_check_duration(struct sts_ctx *ctx, int64_t *out)
{
    const char *text = sts_param(ctx, "DurationSeconds");
    long long v = 3600;
    if (text && !sf_str_to_i64(sf_str_from(text), 900, 3600, &v)) {
        return sts_error(ctx, 400, "InvalidParameter.DurationSeconds",
                         "The Min/Max value of DurationSeconds is 15min/1hr.");
    }
    *out = v;
    return true;
}

static bool check_policy(struct sts_ctx *ctx)
{
    const char *policy = sts_param(ctx, "Policy");
    if (!policy || !policy[0]) {
        return true;
    }
    json_t *root = json_loads(policy, 0, NULL);
    bool is_ok = json_is_object(root);
    json_decref(root);
    return is_ok || sts_error(ctx, 400, "InvalidParameter.PolicyGrammar",
                              "The parameter Policy has not passed grammar check.");
}

/* "2026-12-06T03:04:05Z" (what every SDK sends as Timestamp). */
static bool parse_timestamp(const char *s, int64_t *out)
{
    struct tm tm = {0};
    char tail = 0;
    if (strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &tail) != 7 ||
        tail != 'Z') {
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* AssumeRole                                                                                */

/* The caller's secret: a --access-key pair (a RAM user; with its configured token, an STS
 * triple) or a credential this emulator issued. */
static bool caller_secret(struct sts_ctx *ctx, const char *id, char *secret, size_t size)
{
    const char *token = sts_param(ctx, "SecurityToken");
    const char *want_token = NULL;
    bool is_found = false;
    for (size_t i = 0; i < ctx->srv->n_keys && !is_found; i++) {
        if (strcmp(ctx->srv->keys[i].id, id) == 0) {
            snprintf(secret, size, "%s", ctx->srv->keys[i].secret);
            want_token = ctx->srv->keys[i].sts_token;
            is_found = true;
        }
    }
    struct emu_issued cred;
    enum emu_cred_state state = EMU_CRED_VALID;
    if (!is_found) {
        state = emu_creds_find(ctx->srv->creds, id, strlen(id), ctx->now_s, &cred);
        if (state == EMU_CRED_UNKNOWN) {
            return sts_error(ctx, 404, "InvalidAccessKeyId.NotFound",
                             "Specified access key is not found.");
        }
        snprintf(secret, size, "%s", cred.secret);
        want_token = cred.token;
    }
    bool is_ok = true;
    if (want_token && (!token || !token[0])) {
        is_ok = sts_error(ctx, 400, "MissingSecurityToken",
                          "SecurityToken is mandatory for this action.");
    } else if ((want_token || (token && token[0])) &&
               (!want_token || !token || strlen(want_token) != strlen(token) ||
                CRYPTO_memcmp(want_token, token, strlen(token)) != 0)) {
        is_ok = sts_error(ctx, 400, "InvalidSecurityToken.MismatchWithAccessKey",
                          "Specified SecurityToken mismatch with the AccessKey.");
    } else if (state == EMU_CRED_EXPIRED) {
        is_ok = sts_error(ctx, 400, "InvalidSecurityToken.Expired",
                          "Specified SecurityToken is expired.");
    }
    OPENSSL_cleanse(&cred, sizeof(cred));
    return is_ok;
}

static bool check_signature(struct sts_ctx *ctx)
{
    const char *id = sts_param(ctx, "AccessKeyId");
    const char *sig = sts_param(ctx, "Signature");
    const char *method = sts_param(ctx, "SignatureMethod");
    const char *version = sts_param(ctx, "SignatureVersion");
    const char *stamp = sts_param(ctx, "Timestamp");
    int64_t t;
    if (!id || !id[0]) {
        return sts_error(ctx, 400, "MissingAccessKeyId",
                         "AccessKeyId is mandatory for this action.");
    }
    if (!sig || !sig[0]) {
        return sts_error(ctx, 400, "MissingSignature", "Signature is mandatory for this action.");
    }
    if (!method || strcmp(method, "HMAC-SHA1") != 0) {
        return sts_error(ctx, 400, "InvalidSignatureMethod",
                         "Specified signature method is not valid.");
    }
    if (version && strcmp(version, "1.0") != 0) {
        return sts_error(ctx, 400, "InvalidSignatureVersion",
                         "Specified signature version is not valid.");
    }
    if (!stamp) {
        return sts_error(ctx, 400, "MissingTimestamp", "Timestamp is mandatory for this action.");
    }
    if (!parse_timestamp(stamp, &t)) {
        return sts_error(ctx, 400, "InvalidTimeStamp.Format",
                         "Specified time stamp or date value is not well formatted.");
    }
    if (t > ctx->now_s + MAX_SKEW_S || t < ctx->now_s - MAX_SKEW_S) {
        return sts_error(ctx, 400, "InvalidTimeStamp.Expired",
                         "Specified time stamp or date value is expired.");
    }
    char secret[128];
    if (!caller_secret(ctx, id, secret, sizeof(secret))) {
        return false;
    }
    struct sf_buf sts;
    sf_buf_init(&sts, 1 << 22);
    char want[48] = "";
    if (emu_sts_string_to_sign(ctx->req->method, ctx->params, ctx->n_params, &sts) == SF_OK) {
        rpc_signature(secret, sts.ptr, sts.len, want);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    bool is_ok =
        want[0] && strlen(sig) == strlen(want) && CRYPTO_memcmp(sig, want, strlen(want)) == 0;
    if (!is_ok) {
        sts_error(ctx, 400, "SignatureDoesNotMatch",
                  "Specified signature is not matched with our calculation. server string to sign "
                  "is:%.*s",
                  (int)(sts.len > 900 ? 900 : sts.len), (const char *)sts.ptr);
    }
    sf_buf_cleanup(&sts);
    return is_ok;
}

static void assume_role(struct sts_ctx *ctx)
{
    const char *role_arn, *session;
    int64_t duration;
    if (!check_signature(ctx) || !sts_check_role(ctx, &role_arn, &session) ||
        !sts_check_duration(ctx, &duration) || !check_policy(ctx)) {
        return;
    }
    sts_reply_credentials(ctx, EMU_CRED_ASSUME_ROLE, role_arn, session, duration, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch                                                                                  */

static bool apply_fault(struct sts_ctx *ctx)
{
    enum emu_metadata_mode mode;
    struct emu_cred_faults faults;
    emu_creds_get_switches(ctx->srv->creds, &mode, &faults);
    switch (faults.sts_status) {
    case 0:
        return true;
    case -1:
        ctx->resp->action = EMU_ACTION_DROP;
        return sts_error(ctx, 500, "InternalError", "connection dropped");
    case 400:
        return sts_error(ctx, 400, "Throttling.User",
                         "Request was denied due to user flow control.");
    case 403:
        return sts_error(ctx, 403, "NoPermission",
                         "You are not authorized to do this action. You should be authorized by "
                         "RAM.");
    default:
        return sts_error(ctx, faults.sts_status, "InternalError",
                         "The request processing has failed due to some unknown error, exception "
                         "or failure.");
    }
}

static void make_request_id(char out[40])
{
    char hex[33];
    emu_creds_random_alnum(hex, 32); /* only shape matters: re-mapped to hex below */
    static const char digits[] = "0123456789ABCDEF";
    for (int i = 0; i < 32; i++) {
        hex[i] = digits[(unsigned char)hex[i] % 16];
    }
    snprintf(out, 40, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

void emu_sts_handle(struct emu_server *srv, const struct tc_request *req, struct emu_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
    resp->api = EMU_API_UNKNOWN;
    struct sf_arena arena;
    sf_arena_init(&arena, 16 * 1024);
    struct sts_ctx *ctx = sf_xcalloc(1, sizeof(*ctx));
    *ctx = (struct sts_ctx){
        .srv = srv, .req = req, .resp = resp, .arena = &arena, .now_s = emu_now_s()};
    make_request_id(ctx->request_id);
    const char *method = req->method ? req->method : "";
    const char *action = NULL;
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
        sts_error(ctx, 405, "UnsupportedHTTPMethod", "This http method is not supported.");
    } else if (!parse_params(ctx)) {
        sts_error(ctx, 400, "InvalidParameter", "The request parameters are malformed.");
    } else if (!apply_fault(ctx)) {
        /* answered */
    } else if (!(action = sts_param(ctx, "Action")) || !action[0]) {
        sts_error(ctx, 400, "MissingAction", "Action is mandatory for this request.");
    } else if (strcmp(action, "AssumeRole") == 0) {
        assume_role(ctx);
    } else if (strcmp(action, "AssumeRoleWithOIDC") == 0) {
        emu_sts_assume_role_with_oidc(ctx);
    } else {
        sts_error(ctx, 404, "InvalidAction.NotFound",
                  "Specified api is not found, please check your url and method.");
    }
    emu_creds_count_sts(srv->creds, resp->status != 200);
    free(ctx);
    sf_arena_cleanup(&arena);
}
