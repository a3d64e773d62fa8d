#include "test_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/encode.h"

#include "util/banned.h"

#define MAX_SIGNED 12

struct kv {
    char name[64];
    char value[512];
};

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const struct kv *)a)->name, ((const struct kv *)b)->name);
}

static int cmp_param(const void *a, const void *b)
{
    return strcmp(((const struct ts_param *)a)->key, ((const struct ts_param *)b)->key);
}

char *ts_target(const struct ts_request *req)
{
    struct sf_buf buf;
    sf_buf_init(&buf, 1 << 20);
    sf_buf_append_cstr(&buf, req->path);
    for (size_t i = 0; i < req->n_params; i++) {
        sf_buf_append_cstr(&buf, i ? "&" : "?");
        sf_url_encode(&buf, req->params[i].key, strlen(req->params[i].key));
        sf_buf_append_cstr(&buf, "=");
        sf_url_encode(&buf, req->params[i].value, strlen(req->params[i].value));
    }
    sf_buf_terminate(&buf);
    return (char *)buf.ptr;
}

static void add(struct kv *list, size_t *n, const char *name, const char *value)
{
    snprintf(list[*n].name, sizeof(list[0].name), "%s", name);
    snprintf(list[*n].value, sizeof(list[0].value), "%s", value);
    (*n)++;
}

static struct ts_param *sorted_params(const struct ts_request *req)
{
    struct ts_param *params = sf_xcalloc(req->n_params + 1, sizeof(*params));
    if (req->n_params) {
        memcpy(params, req->params, req->n_params * sizeof(*params));
    }
    qsort(params, req->n_params, sizeof(*params), cmp_param);
    return params;
}

static void v1_signature(const struct ts_request *req,
                         struct kv *signed_h,
                         size_t n,
                         const char *md5,
                         const char *date,
                         char *out)
{
    struct sf_buf sts;
    sf_buf_init(&sts, 1 << 20);
    sf_buf_printf(&sts, "%s\n%s\n%s\n%s\n", req->method, md5,
                  req->content_type ? req->content_type : "", date);
    qsort(signed_h, n, sizeof(*signed_h), cmp_kv);
    for (size_t i = 0; i < n; i++) {
        sf_buf_printf(&sts, "%s:%s\n", signed_h[i].name, signed_h[i].value);
    }
    sf_buf_append_cstr(&sts, req->path);
    struct ts_param *params = sorted_params(req);
    for (size_t i = 0; i < req->n_params; i++) {
        sf_buf_printf(&sts, "%c%s=%s", i ? '&' : '?', params[i].key, params[i].value);
    }
    free(params);
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    HMAC(EVP_sha1(), req->ak_secret, (int)strlen(req->ak_secret), sts.ptr, sts.len, mac, &mac_len);
    sf_base64_encode(mac, mac_len, out);
    sf_buf_cleanup(&sts);
}

static void hmac256(const void *key, size_t key_len, const char *msg, uint8_t *out)
{
    unsigned n = 0;
    HMAC(EVP_sha256(), key, (int)key_len, (const uint8_t *)msg, strlen(msg), out, &n);
}

static void sha256_hex(const void *data, size_t len, char *out)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    sf_hex_encode(md, n, false, out);
}

static void v4_signature(const struct ts_request *req,
                         struct kv *signed_h,
                         size_t n,
                         const char *iso,
                         const char *payload,
                         char *out)
{
    struct sf_buf canon;
    sf_buf_init(&canon, 1 << 20);
    sf_buf_printf(&canon, "%s\n%s\n", req->method, req->path);
    struct ts_param *params = sorted_params(req);
    for (size_t i = 0; i < req->n_params; i++) {
        sf_buf_append_cstr(&canon, i ? "&" : "");
        sf_url_encode(&canon, params[i].key, strlen(params[i].key));
        if (params[i].value[0]) {
            sf_buf_append_cstr(&canon, "=");
            sf_url_encode(&canon, params[i].value, strlen(params[i].value));
        }
    }
    free(params);
    sf_buf_append_cstr(&canon, "\n");
    qsort(signed_h, n, sizeof(*signed_h), cmp_kv);
    for (size_t i = 0; i < n; i++) {
        sf_buf_printf(&canon, "%s:%s\n", signed_h[i].name, signed_h[i].value);
    }
    sf_buf_append_cstr(&canon, "\n");
    for (size_t i = 0; i < n; i++) {
        sf_buf_printf(&canon, "%s%s", i ? ";" : "", signed_h[i].name);
    }
    sf_buf_printf(&canon, "\n%s", payload);
    char canon_hash[65];
    sha256_hex(canon.ptr, canon.len, canon_hash);
    sf_buf_cleanup(&canon);

    char date8[9], key[256], sts[512];
    snprintf(date8, sizeof(date8), "%.8s", iso);
    snprintf(key, sizeof(key), "aliyun_v4%s", req->ak_secret);
    uint8_t k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac256(key, strlen(key), date8, k1);
    hmac256(k1, 32, req->region, k2);
    hmac256(k2, 32, "sls", k3);
    hmac256(k3, 32, "aliyun_v4_request", k4);
    snprintf(sts, sizeof(sts), "SLS4-HMAC-SHA256\n%s\n%s/%s/sls/aliyun_v4_request\n%s", iso, date8,
             req->region, canon_hash);
    hmac256(k4, 32, sts, sig);
    sf_hex_encode(sig, 32, false, out);
}

static struct curl_slist *append(struct curl_slist *list, const char *name, const char *value)
{
    size_t size = strlen(name) + strlen(value) + 3;
    char *line = sf_xmalloc(size);
    snprintf(line, size, "%s: %s", name, value);
    list = curl_slist_append(list, line);
    free(line);
    return list;
}

struct curl_slist *ts_sign(const struct ts_request *req)
{
    struct kv signed_h[MAX_SIGNED];
    size_t n = 0;
    char raw[32], md5[33] = "", payload[65], date[64], iso[32], auth[512];
    snprintf(raw, sizeof(raw), "%zu", req->raw_len);
    add(signed_h, &n, "x-log-apiversion", "0.6.0");
    add(signed_h, &n, "x-log-bodyrawsize", raw);
    if (req->compress) {
        add(signed_h, &n, "x-log-compresstype", req->compress);
    }
    if (req->sts_token) {
        add(signed_h, &n, "x-acs-security-token", req->sts_token);
    }
    struct curl_slist *list = NULL;
    if (req->is_v4) {
        sf_fmt_iso_basic(req->now, iso, sizeof(iso));
        sha256_hex(req->body ? (const void *)req->body : "", req->body_len, payload);
        add(signed_h, &n, "x-log-date", iso);
        add(signed_h, &n, "x-log-content-sha256", payload);
        add(signed_h, &n, "host", req->host);
        if (req->content_type) {
            add(signed_h, &n, "content-type", req->content_type);
        }
        char sig[65];
        v4_signature(req, signed_h, n, iso, payload, sig);
        snprintf(auth, sizeof(auth),
                 "SLS4-HMAC-SHA256 Credential=%s/%.8s/%s/sls/aliyun_v4_request,Signature=%s",
                 req->ak_id, iso, req->region, sig);
    } else {
        sf_fmt_rfc1123(req->now, date, sizeof(date));
        add(signed_h, &n, "x-log-signaturemethod", "hmac-sha1");
        if (req->body_len) {
            uint8_t md[EVP_MAX_MD_SIZE];
            unsigned md_len = 0;
            EVP_Digest(req->body, req->body_len, md, &md_len, EVP_md5(), NULL);
            sf_hex_encode(md, md_len, true, md5);
            list = append(list, "Content-MD5", md5);
        }
        char sig[64];
        v1_signature(req, signed_h, n, md5, date, sig);
        snprintf(auth, sizeof(auth), "LOG %s:%s", req->ak_id, sig);
        list = append(list, "Date", date);
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(signed_h[i].name, "host") != 0 &&
            strcmp(signed_h[i].name, "content-type") != 0) {
            list = append(list, signed_h[i].name, signed_h[i].value);
        }
    }
    list = append(list, "Host", req->host);
    list = append(list, "Authorization", auth);
    /* curl adds these on its own unless told otherwise. */
    list = req->content_type ? append(list, "Content-Type", req->content_type)
                             : curl_slist_append(list, "Content-Type:");
    list = curl_slist_append(list, "Expect:");
    if (req->accept_encoding) {
        list = append(list, "Accept-Encoding", req->accept_encoding);
    }
    return list;
}
