/* Request signature verification, written from docs/protocol/sls-api.md (§Signature v1: HMAC-SHA1,
 * §Signature v4: SLS4-HMAC-SHA256) and independent of slsfwd's signer, so the emulator can catch
 * its bugs. The builders are exposed for the unit tests, which check them against the vectors of
 * docs/protocol/sls-api.md. Pure functions; thread-safe. */
#ifndef EMU_AUTH_H
#define EMU_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu.h"
#include "util/buf.h"

struct emu_auth_param {
    const char *key;   /* decoded */
    const char *value; /* decoded */
    bool has_eq;       /* v1 signs "key=" for "key=" and a bare "key" for "key" */
};

struct emu_auth_input {
    const char *method;
    const char *path; /* exactly as sent */
    const struct emu_auth_param *params;
    size_t n_params;
    const struct tc_header *headers;
    size_t n_headers;
};

/* First header named |name| (case-insensitive), or NULL. */
const char *emu_auth_header(const struct emu_auth_input *in, const char *name);

/* v1 StringToSign (docs/protocol/sls-api.md §Signature v1). The DATE line is x-log-date when
 * present, else Date. */
sf_err emu_auth_v1_string_to_sign(const struct emu_auth_input *in, struct sf_buf *out);
/* base64(HMAC-SHA1 or HMAC-SHA256(secret, msg)) into |out| (>= 48 bytes). */
void emu_auth_v1_signature(
    const char *secret, const char *msg, size_t len, bool is_sha256, char *out);

/* v4 CanonicalRequest (docs/protocol/sls-api.md §Signature v4, steps 2-4) with |payload_hash| as
 * the last line. With |is_tilde_encoded| the query encoder turns '~' into %7E (the Python SDK does;
 * RFC 3986 keeps it), so the verifier can accept either client. */
sf_err emu_auth_v4_canonical_request(const struct emu_auth_input *in,
                                     const char *payload_hash,
                                     bool is_tilde_encoded,
                                     struct sf_buf *out);
/* Lower-hex signature of docs/protocol/sls-api.md §Signature v4, steps 5-6, into |out| (>= 65
 * bytes). |date8| is YYYYMMDD. */
void emu_auth_v4_signature(const char *secret,
                           const char *region,
                           const char *date8,
                           const char *x_log_date,
                           const char *canonical_request,
                           size_t len,
                           char *out);

/* Lower-hex SHA-256 and upper-hex MD5 of |data| (>= 65 / 33 bytes). */
void emu_auth_sha256_hex(const uint8_t *data, size_t len, char *out);
void emu_auth_md5_hex(const uint8_t *data, size_t len, char *out);

/* "Tue, 10 Jun 2025 08:00:00 GMT" (1- or 2-digit day) and "20250610T080000Z" parsers. */
bool emu_auth_parse_rfc1123(const char *s, int64_t *out);
bool emu_auth_parse_iso_basic(const char *s, int64_t *out);

/* Which credential check refused a request (the stats count them). */
enum emu_auth_reason {
    EMU_AUTH_REASON_OTHER,
    EMU_AUTH_REASON_UNKNOWN_KEY, /* InvalidAccessKeyId */
    EMU_AUTH_REASON_EXPIRED,     /* SecurityTokenExpired */
    EMU_AUTH_REASON_BAD_TOKEN,   /* Unauthorized: token missing, wrong, or with a permanent key */
};

struct emu_auth_failure {
    int status;       /* 400 or 401 */
    const char *code; /* SLS errorCode */
    enum emu_auth_reason reason;
    char message[256];
};

struct emu_auth_config {
    const struct emu_key *keys;
    size_t n_keys;
    struct emu_creds *creds; /* NULL: no issued credentials; else also looked up (creds.h) */
    const char *region;      /* NULL: any region in the v4 scope */
    int64_t now_s;
    int64_t max_skew_s; /* 900: the 15 minutes of sls-api.md §Request headers */
};

/* Verifies the Authorization of one request: headers required by the scheme, clock skew,
 * AccessKeyId (the static keys, then the issued credentials), STS token, expiry of an issued
 * credential, body digest (Content-MD5 / x-log-content-sha256) and the signature. True when
 * accepted; else |failure| holds the service's answer. */
bool emu_auth_verify(const struct emu_auth_config *cfg,
                     const struct emu_auth_input *in,
                     const uint8_t *body,
                     size_t body_len,
                     struct emu_auth_failure *failure);

#endif
