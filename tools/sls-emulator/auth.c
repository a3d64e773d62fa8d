/* Signature verification for SLS v1 (HMAC-SHA1, and the HMAC-SHA256 variant the newer
 * OpenAPI SDKs select with x-log-signaturemethod: hmac-sha256) and v4 (SLS4-HMAC-SHA256).
 * Each canonical form is rebuilt from what the request carries, exactly as docs/protocol/sls-api.md
 * §Signature v1 and §Signature v4 say a client builds it, and the signatures are compared in
 * constant time. */
#include "auth.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/alloc.h"
#include "util/encode.h"

#include "util/banned.h"

#define V4_ALGORITHM "SLS4-HMAC-SHA256"

/* ---------------------------------------------------------------------------------------- */
/* Canonical pieces                                                                          */

struct canon_header {
    char name[64]; /* lower-cased */
    const char *value;
    size_t value_len; /* trimmed */
};

static int cmp_header(const void *a, const void *b)
{
    return strcmp(((const struct canon_header *)a)->name, ((const struct canon_header *)b)->name);
}

static int cmp_param(const void *a, const void *b)
{
    const struct emu_auth_param *pa = *(const struct emu_auth_param *const *)a;
    const struct emu_auth_param *pb = *(const struct emu_auth_param *const *)b;
    int c = strcmp(pa->key, pb->key);
    return c ? c : strcmp(pa->value, pb->value);
}

static bool has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static void trim(const char *value, const char **out, size_t *out_len)
{
    size_t len = strlen(value);
    while (len && (value[0] == ' ' || value[0] == '\t')) {
        value++;
        len--;
    }
    while (len && (value[len - 1] == ' ' || value[len - 1] == '\t')) {
        len--;
    }
    *out = value;
    *out_len = len;
}

/* Headers the scheme signs, lower-cased and sorted. v1: x-log-* and x-acs-*, minus
 * x-log-date (the server reads it as the DATE line instead,
 * docs/protocol/sls-api.md §Request headers) and x-log-meta-*. v4 adds host and content-type and
 * keeps x-log-date. Caller frees *out.
 */
static size_t
collect_headers(const struct emu_auth_input *in, bool is_v4, struct canon_header **out)
{
    struct canon_header *list = sf_xcalloc(in->n_headers ? in->n_headers : 1, sizeof(*list));
    size_t n = 0;
    for (size_t i = 0; i < in->n_headers; i++) {
        const char *name = in->headers[i].name;
        if (!name || strlen(name) >= sizeof(list[0].name)) {
            continue;
        }
        bool is_signed = has_prefix_ci(name, "x-log-") || has_prefix_ci(name, "x-acs-");
        if (has_prefix_ci(name, "x-log-meta-")) {
            is_signed = false;
        }
        if (is_v4) {
            is_signed =
                is_signed || strcasecmp(name, "host") == 0 || strcasecmp(name, "content-type") == 0;
        } else if (strcasecmp(name, "x-log-date") == 0) {
            is_signed = false;
        }
        if (!is_signed) {
            continue;
        }
        size_t k = 0;
        for (; name[k]; k++) {
            list[n].name[k] = (char)tolower((unsigned char)name[k]);
        }
        list[n].name[k] = '\0';
        trim(in->headers[i].value ? in->headers[i].value : "", &list[n].value, &list[n].value_len);
        n++;
    }
    qsort(list, n, sizeof(*list), cmp_header);
    *out = list;
    return n;
}

static const struct emu_auth_param **sorted_params(const struct emu_auth_input *in)
{
    const struct emu_auth_param **sorted = sf_xcalloc(in->n_params + 1, sizeof(*sorted));
    for (size_t i = 0; i < in->n_params; i++) {
        sorted[i] = &in->params[i];
    }
    qsort(sorted, in->n_params, sizeof(*sorted), cmp_param);
    return sorted;
}

const char *emu_auth_header(const struct emu_auth_input *in, const char *name)
{
    for (size_t i = 0; i < in->n_headers; i++) {
        if (in->headers[i].name && strcasecmp(in->headers[i].name, name) == 0) {
            return in->headers[i].value ? in->headers[i].value : "";
        }
    }
    return NULL;
}

sf_err emu_auth_v1_string_to_sign(const struct emu_auth_input *in, struct sf_buf *out)
{
    const char *md5 = emu_auth_header(in, "Content-MD5");
    const char *type = emu_auth_header(in, "Content-Type");
    const char *date = emu_auth_header(in, "x-log-date");
    if (!date) {
        date = emu_auth_header(in, "Date");
    }
    sf_err err = sf_buf_printf(out, "%s\n%s\n%s\n%s\n", in->method, md5 ? md5 : "",
                               type ? type : "", date ? date : "");
    struct canon_header *headers = NULL;
    size_t n_headers = collect_headers(in, false, &headers);
    for (size_t i = 0; i < n_headers && !err; i++) {
        err = sf_buf_printf(out, "%s:%.*s\n", headers[i].name, (int)headers[i].value_len,
                            headers[i].value);
    }
    free(headers);
    if (!err) {
        err = sf_buf_append_cstr(out, in->path);
    }
    const struct emu_auth_param **params = sorted_params(in);
    for (size_t i = 0; i < in->n_params && !err; i++) {
        /* Raw, decoded values (docs/protocol/sls-api.md §Signature v1): "==" not "%3D%3D". */
        err = sf_buf_printf(out, "%c%s%s%s", i == 0 ? '?' : '&', params[i]->key,
                            params[i]->has_eq ? "=" : "", params[i]->value);
    }
    free(params);
    return err;
}

static sf_err v4_encode(struct sf_buf *out, const char *s, bool is_tilde_encoded)
{
    if (!is_tilde_encoded) {
        return sf_url_encode(out, s, strlen(s));
    }
    for (; *s; s++) {
        sf_err err = *s == '~' ? sf_buf_append_cstr(out, "%7E") : sf_url_encode(out, s, 1);
        if (err) {
            return err;
        }
    }
    return SF_OK;
}

sf_err emu_auth_v4_canonical_request(const struct emu_auth_input *in,
                                     const char *payload_hash,
                                     bool is_tilde_encoded,
                                     struct sf_buf *out)
{
    sf_err err = sf_buf_printf(out, "%s\n%s\n", in->method, in->path);
    const struct emu_auth_param **params = sorted_params(in);
    for (size_t i = 0; i < in->n_params && !err; i++) {
        if (i > 0) {
            err = sf_buf_append_cstr(out, "&");
        }
        if (!err) {
            err = v4_encode(out, params[i]->key, is_tilde_encoded);
        }
        /* An empty value is signed as the bare key (docs/protocol/sls-api.md §Signature v4, step
         * 3). */
        if (!err && params[i]->value[0]) {
            err = sf_buf_append_cstr(out, "=");
            if (!err) {
                err = v4_encode(out, params[i]->value, is_tilde_encoded);
            }
        }
    }
    free(params);
    if (!err) {
        err = sf_buf_append_cstr(out, "\n");
    }
    struct canon_header *headers = NULL;
    size_t n_headers = collect_headers(in, true, &headers);
    for (size_t i = 0; i < n_headers && !err; i++) {
        err = sf_buf_printf(out, "%s:%.*s\n", headers[i].name, (int)headers[i].value_len,
                            headers[i].value);
    }
    if (!err) {
        err = sf_buf_append_cstr(out, "\n");
    }
    for (size_t i = 0; i < n_headers && !err; i++) {
        err = sf_buf_printf(out, "%s%s", i ? ";" : "", headers[i].name);
    }
    free(headers);
    if (!err) {
        err = sf_buf_printf(out, "\n%s", payload_hash);
    }
    return err;
}

/* ---------------------------------------------------------------------------------------- */
/* Digests                                                                                   */

static void digest(const EVP_MD *md, const uint8_t *data, size_t len, uint8_t *out, unsigned *n)
{
    EVP_Digest(data, len, out, n, md, NULL);
}

void emu_auth_sha256_hex(const uint8_t *data, size_t len, char *out)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    digest(EVP_sha256(), data, len, md, &n);
    sf_hex_encode(md, n, false, out);
}

void emu_auth_md5_hex(const uint8_t *data, size_t len, char *out)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    digest(EVP_md5(), data, len, md, &n);
    sf_hex_encode(md, n, true, out);
}

void emu_auth_v1_signature(
    const char *secret, const char *msg, size_t len, bool is_sha256, char *out)
{
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    HMAC(is_sha256 ? EVP_sha256() : EVP_sha1(), secret, (int)strlen(secret), (const uint8_t *)msg,
         len, mac, &n);
    sf_base64_encode(mac, n, out);
}

static void hmac256(const uint8_t *key, size_t key_len, const char *msg, size_t len, uint8_t *out)
{
    unsigned n = 0;
    HMAC(EVP_sha256(), key, (int)key_len, (const uint8_t *)msg, len, out, &n);
}

void emu_auth_v4_signature(const char *secret,
                           const char *region,
                           const char *date8,
                           const char *x_log_date,
                           const char *canonical_request,
                           size_t len,
                           char *out)
{
    char hash_hex[65];
    emu_auth_sha256_hex((const uint8_t *)canonical_request, len, hash_hex);

    struct sf_buf buf;
    sf_buf_init(&buf, 1 << 16);
    (void)sf_buf_printf(&buf, "aliyun_v4%s", secret);
    uint8_t k_date[32], k_region[32], k_service[32], k_sign[32], sig[32];
    hmac256(buf.ptr, buf.len, date8, strlen(date8), k_date);
    hmac256(k_date, 32, region, strlen(region), k_region);
    hmac256(k_region, 32, "sls", 3, k_service);
    hmac256(k_service, 32, "aliyun_v4_request", strlen("aliyun_v4_request"), k_sign);

    sf_buf_reset(&buf);
    (void)sf_buf_printf(&buf, V4_ALGORITHM "\n%s\n%s/%s/sls/aliyun_v4_request\n%s", x_log_date,
                        date8, region, hash_hex);
    hmac256(k_sign, 32, (const char *)buf.ptr, buf.len, sig);
    sf_buf_cleanup(&buf);
    sf_hex_encode(sig, 32, false, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Dates                                                                                     */

static bool parse_digits(const char **s, int min_digits, int max_digits, int *out)
{
    int v = 0;
    int n = 0;
    while (n < max_digits && isdigit((unsigned char)**s)) {
        v = v * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    *out = v;
    return n >= min_digits;
}

static bool expect(const char **s, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*s, lit, n) != 0) {
        return false;
    }
    *s += n;
    return true;
}

bool emu_auth_parse_rfc1123(const char *s, int64_t *out)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    bool has_day = false;
    for (int i = 0; i < 7; i++) {
        if (strncmp(s, days[i], 3) == 0) {
            has_day = true;
        }
    }
    struct tm tm = {0};
    int mday, year, hour, min, sec;
    if (!has_day) {
        return false;
    }
    s += 3;
    if (!expect(&s, ", ") || !parse_digits(&s, 1, 2, &mday) || !expect(&s, " ")) {
        return false;
    }
    tm.tm_mon = -1;
    for (int i = 0; i < 12; i++) {
        if (strncmp(s, months[i], 3) == 0) {
            tm.tm_mon = i;
        }
    }
    if (tm.tm_mon < 0) {
        return false;
    }
    s += 3;
    if (!expect(&s, " ") || !parse_digits(&s, 4, 4, &year) || !expect(&s, " ") ||
        !parse_digits(&s, 2, 2, &hour) || !expect(&s, ":") || !parse_digits(&s, 2, 2, &min) ||
        !expect(&s, ":") || !parse_digits(&s, 2, 2, &sec) || !expect(&s, " GMT") || *s) {
        return false;
    }
    if (mday < 1 || mday > 31 || hour > 23 || min > 59 || sec > 60) {
        return false;
    }
    tm.tm_mday = mday;
    tm.tm_year = year - 1900;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm);
    return true;
}

bool emu_auth_parse_iso_basic(const char *s, int64_t *out)
{
    int year, mon, mday, hour, min, sec;
    if (!parse_digits(&s, 4, 4, &year) || !parse_digits(&s, 2, 2, &mon) ||
        !parse_digits(&s, 2, 2, &mday) || !expect(&s, "T") || !parse_digits(&s, 2, 2, &hour) ||
        !parse_digits(&s, 2, 2, &min) || !parse_digits(&s, 2, 2, &sec) || !expect(&s, "Z") || *s) {
        return false;
    }
    if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 || sec > 60) {
        return false;
    }
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm);
    return true;
}
