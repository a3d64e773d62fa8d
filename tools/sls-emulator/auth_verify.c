/* The service's authentication policy: which header is required by which scheme, the 15-minute
 * clock window, key and STS token lookup, body digests, and the error code for each failure
 * (docs/protocol/sls-api.md §Request headers, §Signature v1, §Signature v4, §Error reactions; codes
 * and messages of the SLS "common error codes" page). */
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "creds.h"

#include "util/banned.h"

static bool
fail(struct emu_auth_failure *failure, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool
fail(struct emu_auth_failure *failure, int status, const char *code, const char *fmt, ...)
{
    failure->status = status;
    failure->code = code;
    failure->reason = EMU_AUTH_REASON_OTHER;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(failure->message, sizeof(failure->message), fmt, ap);
    va_end(ap);
    return false;
}

static const struct emu_key *find_key(const struct emu_auth_config *cfg, const char *id, size_t len)
{
    for (size_t i = 0; i < cfg->n_keys; i++) {
        if (strlen(cfg->keys[i].id) == len && memcmp(cfg->keys[i].id, id, len) == 0) {
            return &cfg->keys[i];
        }
    }
    return NULL;
}

static bool same(const char *a, const char *b)
{
    size_t len = strlen(a);
    return len == strlen(b) && CRYPTO_memcmp(a, b, len) == 0;
}

/* STS credentials are a triple: a temporary key only works with its token, and a token sent
 * with a permanent key is just as invalid. */
static bool check_token(const struct emu_key *key,
                        const struct emu_auth_input *in,
                        struct emu_auth_failure *failure)
{
    const char *token = emu_auth_header(in, "x-acs-security-token");
    if (!key->sts_token && !token) {
        return true;
    }
    if (key->sts_token && token && same(key->sts_token, token)) {
        return true;
    }
    fail(failure, 401, "Unauthorized", "The security token you provided is invalid.");
    failure->reason = EMU_AUTH_REASON_BAD_TOKEN;
    return false;
}

/* The request's key: a static one, or one the emulator issued (copied into |issued|, which
 * must outlive |*out|). Then its token, then, for an issued key, its expiry. The token is
 * checked first: only the holder of the whole triple learns that it expired. */
static bool resolve_key(const struct emu_auth_config *cfg,
                        const struct emu_auth_input *in,
                        const char *id,
                        size_t len,
                        struct emu_issued *issued,
                        struct emu_key *out,
                        struct emu_auth_failure *failure)
{
    const struct emu_key *key = find_key(cfg, id, len);
    enum emu_cred_state state = EMU_CRED_VALID;
    if (key) {
        *out = *key;
    } else if (cfg->creds && (state = emu_creds_find(cfg->creds, id, len, cfg->now_s, issued)) !=
                                 EMU_CRED_UNKNOWN) {
        *out = (struct emu_key){issued->id, issued->secret, issued->token};
    } else {
        fail(failure, 401, "InvalidAccessKeyId", "The AccessKeyId is invalid: %.*s",
             len > 64 ? 64 : (int)len, id);
        failure->reason = EMU_AUTH_REASON_UNKNOWN_KEY;
        return false;
    }
    if (!check_token(out, in, failure)) {
        return false;
    }
    if (state == EMU_CRED_EXPIRED) {
        char when[24];
        emu_creds_fmt_time(issued->expires_s, when);
        fail(failure, 401, "SecurityTokenExpired",
             "The security token you provided has expired (at %s).", when);
        failure->reason = EMU_AUTH_REASON_EXPIRED;
        return false;
    }
    return true;
}

static bool check_time(const struct emu_auth_config *cfg,
                       const char *value,
                       int64_t t,
                       struct emu_auth_failure *failure)
{
    int64_t skew = t - cfg->now_s;
    if (skew > cfg->max_skew_s || skew < -cfg->max_skew_s) {
        return fail(failure, 400, "RequestTimeExpired",
                    "Request time %s has been expired while server time is %lld.", value,
                    (long long)cfg->now_s);
    }
    return true;
}

static bool verify_v1(const struct emu_auth_config *cfg,
                      const struct emu_auth_input *in,
                      const char *cred,
                      const uint8_t *body,
                      size_t body_len,
                      struct emu_auth_failure *failure)
{
    const char *colon = strrchr(cred, ':');
    if (!colon || colon == cred) {
        return fail(failure, 401, "Unauthorized", "Authorization header is malformed.");
    }
    const char *method = emu_auth_header(in, "x-log-signaturemethod");
    if (!method) {
        return fail(failure, 400, "MissingSignatureMethod",
                    "x-log-signaturemethod does not exist in http header.");
    }
    bool is_sha256 = strcmp(method, "hmac-sha256") == 0;
    if (!is_sha256 && strcmp(method, "hmac-sha1") != 0) {
        return fail(failure, 400, "InvalidSignatureMethod",
                    "signature method %.64s is unsupported.", method);
    }
    const char *date = emu_auth_header(in, "x-log-date");
    if (!date) {
        date = emu_auth_header(in, "Date");
    }
    int64_t t;
    if (!date) {
        return fail(failure, 400, "MissingDate", "Date does not exist in http header.");
    }
    if (!emu_auth_parse_rfc1123(date, &t)) {
        return fail(failure, 400, "InvalidDateFormat", "Date %.64s must follow RFC822.", date);
    }
    if (!check_time(cfg, date, t, failure)) {
        return false;
    }
    struct emu_issued issued;
    struct emu_key resolved;
    if (!resolve_key(cfg, in, cred, (size_t)(colon - cred), &issued, &resolved, failure)) {
        return false;
    }
    const struct emu_key *key = &resolved;
    const char *md5 = emu_auth_header(in, "Content-MD5");
    if (md5 && md5[0]) {
        char want[33];
        emu_auth_md5_hex(body, body_len, want);
        if (strcasecmp(md5, want) != 0) {
            return fail(failure, 401, "SignatureNotMatch",
                        "Content-MD5 %.40s does not match the request body.", md5);
        }
    }
    struct sf_buf sts;
    sf_buf_init(&sts, 1 << 20);
    char sig[64] = "";
    if (emu_auth_v1_string_to_sign(in, &sts) == SF_OK) {
        emu_auth_v1_signature(key->secret, (const char *)sts.ptr, sts.len, is_sha256, sig);
    }
    sf_buf_cleanup(&sts);
    if (!sig[0] || !same(colon + 1, sig)) {
        return fail(failure, 401, "SignatureNotMatch", "Signature %.60s not matched.", colon + 1);
    }
    return true;
}

/* "Credential=<id>/<date8>/<region>/sls/aliyun_v4_request,Signature=<hex>" */
static bool parse_v4(const char *s, char *cred, size_t cred_size, char *sig, size_t sig_size)
{
    cred[0] = sig[0] = '\0';
    while (*s) {
        while (*s == ' ' || *s == ',') {
            s++;
        }
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len > 11 && strncmp(s, "Credential=", 11) == 0 && len - 11 < cred_size) {
            snprintf(cred, cred_size, "%.*s", (int)(len - 11), s + 11);
        } else if (len > 10 && strncmp(s, "Signature=", 10) == 0 && len - 10 < sig_size) {
            snprintf(sig, sig_size, "%.*s", (int)(len - 10), s + 10);
        }
        s += len;
    }
    return cred[0] && sig[0];
}

static bool v4_signature_matches(const struct emu_key *key,
                                 const struct emu_auth_input *in,
                                 const char *region,
                                 const char *date8,
                                 const char *x_log_date,
                                 const char *payload_hash,
                                 const char *sig)
{
    bool has_tilde = false;
    for (size_t i = 0; i < in->n_params; i++) {
        has_tilde = has_tilde || strchr(in->params[i].key, '~') || strchr(in->params[i].value, '~');
    }
    struct sf_buf canon;
    sf_buf_init(&canon, 1 << 20);
    bool is_match = false;
    for (int variant = 0; variant < (has_tilde ? 2 : 1) && !is_match; variant++) {
        sf_buf_reset(&canon);
        if (emu_auth_v4_canonical_request(in, payload_hash, variant == 1, &canon) != SF_OK) {
            break;
        }
        char want[65];
        emu_auth_v4_signature(key->secret, region, date8, x_log_date, (const char *)canon.ptr,
                              canon.len, want);
        is_match = same(sig, want);
    }
    sf_buf_cleanup(&canon);
    return is_match;
}

static bool verify_v4(const struct emu_auth_config *cfg,
                      const struct emu_auth_input *in,
                      const char *params,
                      const uint8_t *body,
                      size_t body_len,
                      struct emu_auth_failure *failure)
{
    char cred[256], sig[80];
    char id[128], date8[16], region[64], service[16], terminator[32];
    if (!parse_v4(params, cred, sizeof(cred), sig, sizeof(sig)) ||
        sscanf(cred, "%127[^/]/%15[^/]/%63[^/]/%15[^/]/%31s", id, date8, region, service,
               terminator) != 5 ||
        strcmp(service, "sls") != 0 || strcmp(terminator, "aliyun_v4_request") != 0) {
        return fail(failure, 401, "Unauthorized", "Authorization header is malformed.");
    }
    const char *x_log_date = emu_auth_header(in, "x-log-date");
    int64_t t;
    if (!x_log_date) {
        return fail(failure, 400, "MissingDate", "x-log-date does not exist in http header.");
    }
    if (!emu_auth_parse_iso_basic(x_log_date, &t)) {
        return fail(failure, 400, "InvalidDateFormat", "x-log-date %.64s must be YYYYMMDDTHHMMSSZ.",
                    x_log_date);
    }
    if (!check_time(cfg, x_log_date, t, failure)) {
        return false;
    }
    struct emu_issued issued;
    struct emu_key resolved;
    if (!resolve_key(cfg, in, id, strlen(id), &issued, &resolved, failure)) {
        return false;
    }
    const struct emu_key *key = &resolved;
    if (strncmp(date8, x_log_date, 8) != 0 || strlen(date8) != 8) {
        return fail(failure, 401, "SignatureNotMatch",
                    "Credential scope date %s does not match x-log-date.", date8);
    }
    if (cfg->region && strcmp(cfg->region, region) != 0) {
        return fail(failure, 401, "SignatureNotMatch", "Credential scope region %s is not %s.",
                    region, cfg->region);
    }
    const char *payload = emu_auth_header(in, "x-log-content-sha256");
    char want_hash[65];
    emu_auth_sha256_hex(body, body_len, want_hash);
    if (!payload) {
        return fail(failure, 401, "SignatureNotMatch",
                    "x-log-content-sha256 does not exist in http header.");
    }
    if (strcasecmp(payload, want_hash) != 0) {
        return fail(failure, 401, "SignatureNotMatch",
                    "x-log-content-sha256 does not match the request body.");
    }
    if (!v4_signature_matches(key, in, region, date8, x_log_date, payload, sig)) {
        return fail(failure, 401, "SignatureNotMatch", "Signature %.64s not matched.", sig);
    }
    return true;
}

bool emu_auth_verify(const struct emu_auth_config *cfg,
                     const struct emu_auth_input *in,
                     const uint8_t *body,
                     size_t body_len,
                     struct emu_auth_failure *failure)
{
    const char *authz = emu_auth_header(in, "Authorization");
    if (!authz || !authz[0]) {
        return fail(failure, 400, "MissAccessKeyId", "Authorization does not exist in header.");
    }
    const char *version = emu_auth_header(in, "x-log-apiversion");
    if (!version) {
        return fail(failure, 400, "MissingAPIVersion",
                    "x-log-apiversion does not exist in http header.");
    }
    if (strcmp(version, "0.6.0") != 0) {
        return fail(failure, 400, "InvalidAPIVersion", "x-log-apiversion %.32s is unsupported.",
                    version);
    }
    if (strncmp(authz, "LOG ", 4) == 0) {
        return verify_v1(cfg, in, authz + 4, body, body_len, failure);
    }
    if (strncmp(authz, "SLS4-HMAC-SHA256 ", 17) == 0) {
        return verify_v4(cfg, in, authz + 17, body, body_len, failure);
    }
    return fail(failure, 401, "Unauthorized", "Authorization header is malformed.");
}
