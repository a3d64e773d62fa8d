/* Request signing for the SLS API: signature v1 (HMAC-SHA1, docs/protocol/sls-api.md §Signature v1)
 * and v4 (SLS4-HMAC-SHA256, docs/protocol/sls-api.md §Signature v4). Pure functions over a
 * description of the request, so every attempt is signed fresh
 * (docs/protocol/sls-api.md §Signing every attempt) and tests can check the vectors of those
 * sections. Thread-safe. */
#ifndef SF_SLS_SIGN_H
#define SF_SLS_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* A query parameter; |value| is raw (not URL-encoded). */
struct sf_sls_param {
    const char *key;
    const char *value;
};

/* A request header as it will be sent; |name| is lower case. */
struct sf_sls_header {
    const char *name;
    const char *value;
};

struct sf_sls_sign_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* "/logstores/app-logs/shards/3": exactly as sent */
    const struct sf_sls_param *params;
    size_t n_params;
    const struct sf_sls_header *headers; /* every header to be sent, including host and date */
    size_t n_headers;
    const uint8_t *body;
    size_t body_len;
};

struct sf_sls_credentials {
    const char *access_key_id;
    const char *access_key_secret;
    const char *security_token; /* NULL or "" without STS */
};

/* Longest Authorization value either version produces, with room to spare. */
#define SF_SLS_AUTH_MAX 256

/* v1 StringToSign of docs/protocol/sls-api.md §Signature v1 into |out| (appended). */
sf_err sf_sls_v1_string_to_sign(const struct sf_sls_sign_request *req, struct sf_buf *out);
/* Fills |auth| with "LOG <id>:<base64 signature>". */
sf_err sf_sls_sign_v1(const struct sf_sls_credentials *creds,
                      const struct sf_sls_sign_request *req,
                      char auth[SF_SLS_AUTH_MAX]);

/* v4 CanonicalRequest of docs/protocol/sls-api.md §Signature v4, step 4 into |out| (appended). */
sf_err sf_sls_v4_canonical_request(const struct sf_sls_sign_request *req, struct sf_buf *out);
/* Fills |auth| with "SLS4-HMAC-SHA256 Credential=<id>/<scope>,Signature=<hex>". The request
 * must carry x-log-date (YYYYMMDDTHHMMSSZ) and x-log-content-sha256 headers. */
sf_err sf_sls_sign_v4(const struct sf_sls_credentials *creds,
                      const char *region,
                      const struct sf_sls_sign_request *req,
                      char auth[SF_SLS_AUTH_MAX]);

/* An HMAC key prepared once for one set of credentials (v1: the secret; v4: the signing key of
 * one day and region), so a signature skips the key schedule and OpenSSL's algorithm look-up
 * (bench/RESULTS.md, the CPU of one SLS request). Not thread-safe: one per client, used under
 * its credentials lock. */
struct sf_sls_sign_key;

struct sf_sls_sign_key *sf_sls_sign_key_new(void);
/* Drops the prepared key (wiped): the next signature keys from the credentials it is given.
 * Call whenever the credentials change, so new keys are used at once. */
void sf_sls_sign_key_forget(struct sf_sls_sign_key *key);
void sf_sls_sign_key_free(struct sf_sls_sign_key *key);

/* sf_sls_sign_v1 / sf_sls_sign_v4 with |key| prepared from |creds| on first use (or after
 * sf_sls_sign_key_forget); the same Authorization value. */
sf_err sf_sls_sign_v1_with(struct sf_sls_sign_key *key,
                           const struct sf_sls_credentials *creds,
                           const struct sf_sls_sign_request *req,
                           char auth[SF_SLS_AUTH_MAX]);
sf_err sf_sls_sign_v4_with(struct sf_sls_sign_key *key,
                           const struct sf_sls_credentials *creds,
                           const char *region,
                           const struct sf_sls_sign_request *req,
                           char auth[SF_SLS_AUTH_MAX]);

/* Uppercase hex MD5 of |data| (Content-MD5, v1); |out| holds 33 bytes. */
void sf_sls_md5_hex_upper(const uint8_t *data, size_t len, char out[33]);
/* Lowercase hex SHA-256 of |data| (x-log-content-sha256, v4); |out| holds 65 bytes. */
void sf_sls_sha256_hex(const uint8_t *data, size_t len, char out[65]);

#endif
