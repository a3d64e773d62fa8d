#include "cred/rpc_sign.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/encode.h"

#include "util/banned.h"

/* Names are ASCII and unique per request, so byte order is the documented order. */
static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct sf_cred_param *)a)->name, ((const struct sf_cred_param *)b)->name);
}

sf_err sf_cred_percent_encode(struct sf_buf *out, const char *s)
{
    /* util's encoder keeps exactly A-Z a-z 0-9 - _ . ~ and writes upper-case hex: the RPC
     * rules (no '+' for space, '*' encoded, '~' kept). */
    return sf_url_encode(out, s, strlen(s));
}

sf_err sf_cred_form_encode(struct sf_buf *out, const struct sf_cred_param *params, size_t n)
{
    sf_err err = SF_OK;
    for (size_t i = 0; i < n && !err; i++) {
        if (i > 0) {
            err = sf_buf_append(out, "&", 1);
        }
        if (!err) {
            err = sf_cred_percent_encode(out, params[i].name);
        }
        if (!err) {
            err = sf_buf_append(out, "=", 1);
        }
        if (!err) {
            err = sf_cred_percent_encode(out, params[i].value);
        }
    }
    return err;
}

sf_err sf_cred_rpc_string_to_sign(struct sf_buf *out,
                                  const char *method,
                                  const struct sf_cred_param *params,
                                  size_t n)
{
    struct sf_cred_param *sorted = sf_xmalloc((n ? n : 1) * sizeof(*sorted));
    memcpy(sorted, params, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), by_name);
    struct sf_buf canonical;
    sf_buf_init(&canonical, out->max);
    sf_err err = sf_cred_form_encode(&canonical, sorted, n);
    free(sorted);
    if (!err) {
        err = sf_buf_terminate(&canonical);
    }
    sf_buf_reset(out);
    if (!err) {
        err = sf_buf_printf(out, "%s&%%2F&", method);
    }
    if (!err) {
        err = sf_url_encode(out, (const char *)canonical.ptr, canonical.len);
    }
    if (!err) {
        err = sf_buf_terminate(out);
    }
    sf_buf_cleanup(&canonical);
    return err;
}

sf_err sf_cred_rpc_sign(const char *method,
                        const struct sf_cred_param *params,
                        size_t n,
                        const char *secret,
                        char out[32])
{
    struct sf_buf sts;
    sf_buf_init(&sts, (size_t)1 << 20);
    sf_err err = sf_cred_rpc_string_to_sign(&sts, method, params, n);
    if (err) {
        sf_buf_cleanup(&sts);
        return err;
    }
    size_t secret_len = strlen(secret);
    char *key = sf_xmalloc(secret_len + 2);
    memcpy(key, secret, secret_len);
    key[secret_len] = '&';
    key[secret_len + 1] = '\0';
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    bool ok = HMAC(EVP_sha1(), key, (int)secret_len + 1, sts.ptr, sts.len, mac, &mac_len) != NULL;
    OPENSSL_cleanse(key, secret_len + 1);
    free(key);
    sf_buf_cleanup(&sts);
    if (!ok || mac_len != 20) {
        return SF_ERR_INVALID;
    }
    sf_base64_encode(mac, mac_len, out); /* 28 characters */
    return SF_OK;
}
