#include "sls/sls_sign.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "util/alloc.h"
#include "util/encode.h"

#include "util/banned.h"

/* Canonical lists are short (a handful of entries): insertion sort by byte order. */
static void sort_params(const struct sf_sls_param **items, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const struct sf_sls_param *item = items[i];
        size_t j = i;
        while (j > 0 && strcmp(items[j - 1]->key, item->key) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = item;
    }
}

static void sort_headers(const struct sf_sls_header **items, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const struct sf_sls_header *item = items[i];
        size_t j = i;
        while (j > 0 && strcmp(items[j - 1]->name, item->name) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = item;
    }
}

#define SIGN_MAX_ITEMS 32

static const char *header_value(const struct sf_sls_sign_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcmp(req->headers[i].name, name) == 0) {
            return req->headers[i].value;
        }
    }
    return NULL;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* v1 (docs/protocol/sls-api.md §Signature v1): x-log-* and x-acs-*, minus x-log-meta-* and
 * x-log-date. */
static bool is_v1_signed_header(const char *name)
{
    if (starts_with(name, "x-log-meta-") || strcmp(name, "x-log-date") == 0) {
        return false;
    }
    return starts_with(name, "x-log-") || starts_with(name, "x-acs-");
}

/* v4 (docs/protocol/sls-api.md §Signature v4, step 2): host, content-type, x-log-* minus
 * x-log-meta-*, x-acs-*. */
static bool is_v4_signed_header(const char *name)
{
    if (starts_with(name, "x-log-meta-")) {
        return false;
    }
    return strcmp(name, "host") == 0 || strcmp(name, "content-type") == 0 ||
           starts_with(name, "x-log-") || starts_with(name, "x-acs-");
}

static size_t select_headers(const struct sf_sls_sign_request *req,
                             bool (*wanted)(const char *),
                             const struct sf_sls_header **out)
{
    size_t n = 0;
    for (size_t i = 0; i < req->n_headers && n < SIGN_MAX_ITEMS; i++) {
        if (wanted(req->headers[i].name)) {
            out[n++] = &req->headers[i];
        }
    }
    sort_headers(out, n);
    return n;
}

static size_t sorted_params(const struct sf_sls_sign_request *req, const struct sf_sls_param **out)
{
    size_t n = req->n_params < SIGN_MAX_ITEMS ? req->n_params : SIGN_MAX_ITEMS;
    for (size_t i = 0; i < n; i++) {
        out[i] = &req->params[i];
    }
    sort_params(out, n);
    return n;
}

static sf_err append3(struct sf_buf *out, const char *a, const char *b, const char *c)
{
    sf_err err = sf_buf_append_cstr(out, a);
    if (!err) {
        err = sf_buf_append_cstr(out, b);
    }
    if (!err) {
        err = sf_buf_append_cstr(out, c);
    }
    return err;
}

sf_err sf_sls_v1_string_to_sign(const struct sf_sls_sign_request *req, struct sf_buf *out)
{
    const char *md5 = header_value(req, "content-md5");
    const char *type = header_value(req, "content-type");
    const char *date = header_value(req, "date");
    /* Appends, not printf: this runs on every request (bench/RESULTS.md, per-request CPU). */
    const char *lines[] = {req->method, md5 ? md5 : "", type ? type : "", date ? date : ""};
    sf_err err = SF_OK;
    for (size_t i = 0; i < 4 && !err; i++) {
        err = append3(out, lines[i], "\n", "");
    }

    const struct sf_sls_header *headers[SIGN_MAX_ITEMS];
    size_t n_headers = select_headers(req, is_v1_signed_header, headers);
    for (size_t i = 0; i < n_headers && !err; i++) {
        err = append3(out, headers[i]->name, ":", headers[i]->value);
        if (!err) {
            err = sf_buf_append(out, "\n", 1);
        }
    }
    if (!err) {
        err = sf_buf_append_cstr(out, req->path);
    }
    /* Query values are signed raw, not URL-encoded (docs/protocol/sls-api.md §Signature v1). */
    const struct sf_sls_param *params[SIGN_MAX_ITEMS];
    size_t n_params = sorted_params(req, params);
    for (size_t i = 0; i < n_params && !err; i++) {
        err = append3(out, i == 0 ? "?" : "&", params[i]->key, "=");
        if (!err) {
            err = sf_buf_append_cstr(out, params[i]->value);
        }
    }
    return err;
}

/* OpenSSL 3 looks an algorithm up in its provider store on every EVP_sha1() / HMAC() call
 * (locks, property matching): a few microseconds per request. Fetched once instead. */
static pthread_once_t algorithms_once = PTHREAD_ONCE_INIT;
static EVP_MAC *hmac_alg;
static EVP_MD *md5_alg;
static EVP_MD *sha256_alg;

static void fetch_algorithms(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    md5_alg = EVP_MD_fetch(NULL, "MD5", NULL);
    sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static void algorithms(void)
{
    pthread_once(&algorithms_once, fetch_algorithms);
}

struct sf_sls_sign_key {
    EVP_MAC_CTX *ctx; /* keyed; NULL: not prepared */
    char day[9];      /* v4: the day and region |ctx| was derived for */
    char region[64];
};

struct sf_sls_sign_key *sf_sls_sign_key_new(void)
{
    return sf_xcalloc(1, sizeof(struct sf_sls_sign_key));
}

void sf_sls_sign_key_forget(struct sf_sls_sign_key *key)
{
    EVP_MAC_CTX_free(key->ctx); /* cleanses the key schedule */
    key->ctx = NULL;
    key->day[0] = '\0';
    key->region[0] = '\0';
}

void sf_sls_sign_key_free(struct sf_sls_sign_key *key)
{
    if (key) {
        sf_sls_sign_key_forget(key);
        free(key);
    }
}

/* A context keyed with |secret| for HMAC over |digest| ("SHA1", "SHA256"), or NULL. */
static EVP_MAC_CTX *keyed_ctx(const char *digest, const void *secret, size_t len)
{
    algorithms();
    EVP_MAC_CTX *ctx = hmac_alg ? EVP_MAC_CTX_new(hmac_alg) : NULL;
    if (!ctx) {
        return NULL;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!EVP_MAC_init(ctx, secret, len, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* HMAC of |msg| with the key |ctx| holds: a NULL key to EVP_MAC_init restarts from the key
 * schedule computed once. */
static bool mac_with(EVP_MAC_CTX *ctx, const void *msg, size_t len, uint8_t *out, size_t *out_len)
{
    return EVP_MAC_init(ctx, NULL, 0, NULL) && EVP_MAC_update(ctx, msg, len) &&
           EVP_MAC_final(ctx, out, out_len, EVP_MAX_MD_SIZE);
}

sf_err sf_sls_sign_v1_with(struct sf_sls_sign_key *key,
                           const struct sf_sls_credentials *creds,
                           const struct sf_sls_sign_request *req,
                           char auth[SF_SLS_AUTH_MAX])
{
    struct sf_buf sts;
    sf_buf_init(&sts, 64 * 1024);
    sf_err err = sf_sls_v1_string_to_sign(req, &sts);
    if (err) {
        goto out;
    }
    if (!key->ctx) {
        const char *secret = creds->access_key_secret;
        key->ctx = keyed_ctx("SHA1", secret, strlen(secret));
    }
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    if (!key->ctx || !mac_with(key->ctx, sts.ptr, sts.len, mac, &mac_len)) {
        err = SF_ERR_INVALID;
        goto out;
    }
    char sig[64];
    sf_base64_encode(mac, mac_len, sig);
    int n = snprintf(auth, SF_SLS_AUTH_MAX, "LOG %s:%s", creds->access_key_id, sig);
    if (n < 0 || n >= SF_SLS_AUTH_MAX) {
        err = SF_ERR_INVALID;
    }
out:
    sf_buf_cleanup(&sts);
    return err;
}

sf_err sf_sls_sign_v1(const struct sf_sls_credentials *creds,
                      const struct sf_sls_sign_request *req,
                      char auth[SF_SLS_AUTH_MAX])
{
    struct sf_sls_sign_key key = {.ctx = NULL};
    sf_err err = sf_sls_sign_v1_with(&key, creds, req, auth);
    sf_sls_sign_key_forget(&key);
    return err;
}

sf_err sf_sls_v4_canonical_request(const struct sf_sls_sign_request *req, struct sf_buf *out)
{
    sf_err err = sf_buf_printf(out, "%s\n%s\n", req->method, req->path);

    /* Keys raw, values RFC 3986-encoded; an empty value yields just the key
     * (docs/protocol/sls-api.md §Signature v4, step 3). */
    const struct sf_sls_param *params[SIGN_MAX_ITEMS];
    size_t n_params = sorted_params(req, params);
    for (size_t i = 0; i < n_params && !err; i++) {
        if (i > 0) {
            err = sf_buf_append(out, "&", 1);
        }
        if (!err) {
            err = sf_buf_append_cstr(out, params[i]->key);
        }
        if (!err && params[i]->value[0]) {
            err = sf_buf_append(out, "=", 1);
            if (!err) {
                err = sf_url_encode(out, params[i]->value, strlen(params[i]->value));
            }
        }
    }
    if (!err) {
        err = sf_buf_append(out, "\n", 1);
    }

    const struct sf_sls_header *headers[SIGN_MAX_ITEMS];
    size_t n_headers = select_headers(req, is_v4_signed_header, headers);
    for (size_t i = 0; i < n_headers && !err; i++) {
        err = sf_buf_printf(out, "%s:%s\n", headers[i]->name, headers[i]->value);
    }
    if (!err) {
        err = sf_buf_append(out, "\n", 1);
    }
    for (size_t i = 0; i < n_headers && !err; i++) {
        err = sf_buf_printf(out, "%s%s", i ? ";" : "", headers[i]->name);
    }
    const char *payload_hash = header_value(req, "x-log-content-sha256");
    if (!err) {
        err = sf_buf_printf(out, "\n%s", payload_hash ? payload_hash : "");
    }
    return err;
}

/* One-shot: only the signing-key chain uses it, once a day (prepare_v4_key). */
static void
hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len, uint8_t out[32])
{
    size_t len = 32;
    EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, key_len, msg, msg_len, out, 32, &len);
}

/* Prepares |key| with the signing key of |day| and |region|: the chain of
 * docs/protocol/sls-api.md §Signature v4, step 6, once a day instead of on every request. */
static bool prepare_v4_key(struct sf_sls_sign_key *key,
                           const struct sf_sls_credentials *creds,
                           const char *region,
                           const char day[9])
{
    if (key->ctx && strcmp(key->day, day) == 0 && strcmp(key->region, region) == 0) {
        return true;
    }
    sf_sls_sign_key_forget(key);
    if (strlen(region) >= sizeof(key->region)) {
        return false;
    }
    char secret_key[512];
    int key_len = snprintf(secret_key, sizeof(secret_key), "aliyun_v4%s", creds->access_key_secret);
    if (key_len < 0 || key_len >= (int)sizeof(secret_key)) {
        explicit_bzero(secret_key, sizeof(secret_key));
        return false;
    }
    uint8_t k[32];
    hmac_sha256(secret_key, (size_t)key_len, day, 8, k);
    hmac_sha256(k, 32, region, strlen(region), k);
    hmac_sha256(k, 32, "sls", 3, k);
    hmac_sha256(k, 32, "aliyun_v4_request", 17, k);
    key->ctx = keyed_ctx("SHA256", k, 32);
    explicit_bzero(secret_key, sizeof(secret_key));
    explicit_bzero(k, sizeof(k));
    if (!key->ctx) {
        return false;
    }
    memcpy(key->day, day, 9);
    snprintf(key->region, sizeof(key->region), "%s", region);
    return true;
}

sf_err sf_sls_sign_v4_with(struct sf_sls_sign_key *key,
                           const struct sf_sls_credentials *creds,
                           const char *region,
                           const struct sf_sls_sign_request *req,
                           char auth[SF_SLS_AUTH_MAX])
{
    const char *date_time = header_value(req, "x-log-date");
    if (!date_time || strlen(date_time) != 16 || !header_value(req, "x-log-content-sha256")) {
        return SF_ERR_INVALID;
    }
    char day[9];
    memcpy(day, date_time, 8);
    day[8] = '\0';

    struct sf_buf buf;
    sf_buf_init(&buf, 64 * 1024);
    sf_err err = sf_sls_v4_canonical_request(req, &buf);
    if (err) {
        goto out;
    }
    char canonical_hash[65];
    sf_sls_sha256_hex(buf.ptr, buf.len, canonical_hash);

    char scope[128];
    snprintf(scope, sizeof(scope), "%s/%s/sls/aliyun_v4_request", day, region);
    sf_buf_reset(&buf);
    err = sf_buf_printf(&buf, "SLS4-HMAC-SHA256\n%s\n%s\n%s", date_time, scope, canonical_hash);
    if (err) {
        goto out;
    }
    uint8_t sig[EVP_MAX_MD_SIZE];
    size_t sig_len = 0;
    if (!prepare_v4_key(key, creds, region, day) ||
        !mac_with(key->ctx, buf.ptr, buf.len, sig, &sig_len) || sig_len != 32) {
        err = SF_ERR_INVALID;
        goto out;
    }
    char sig_hex[65];
    sf_hex_encode(sig, 32, false, sig_hex);

    int n = snprintf(auth, SF_SLS_AUTH_MAX, "SLS4-HMAC-SHA256 Credential=%s/%s,Signature=%s",
                     creds->access_key_id, scope, sig_hex);
    if (n < 0 || n >= SF_SLS_AUTH_MAX) {
        err = SF_ERR_INVALID;
    }
out:
    sf_buf_cleanup(&buf);
    return err;
}

sf_err sf_sls_sign_v4(const struct sf_sls_credentials *creds,
                      const char *region,
                      const struct sf_sls_sign_request *req,
                      char auth[SF_SLS_AUTH_MAX])
{
    struct sf_sls_sign_key key = {.ctx = NULL};
    sf_err err = sf_sls_sign_v4_with(&key, creds, region, req, auth);
    sf_sls_sign_key_forget(&key);
    return err;
}

static void digest_hex(const EVP_MD *md, const uint8_t *data, size_t len, bool upper, char *out)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned digest_len = 0;
    EVP_Digest(data, len, digest, &digest_len, md, NULL);
    sf_hex_encode(digest, digest_len, upper, out);
}

void sf_sls_md5_hex_upper(const uint8_t *data, size_t len, char out[33])
{
    algorithms();
    digest_hex(md5_alg, data, len, true, out);
}

void sf_sls_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
    algorithms();
    digest_hex(sha256_alg, data, len, false, out);
}
