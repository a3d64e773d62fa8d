/* A small client-side SLS signer for the emulator's smoke test and benchmark: builds the
 * signed header set of one request (v1 HMAC-SHA1 or v4 SLS4-HMAC-SHA256) straight from the
 * spec, separately from the server's verifier, so the two check each other. */
#ifndef EMU_TEST_SIGNER_H
#define EMU_TEST_SIGNER_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ts_param {
    const char *key;
    const char *value; /* raw; URL-encoded by ts_target */
};

struct ts_request {
    const char *method;
    const char *host; /* Host header, e.g. "smoke.127.0.0.1" */
    const char *path;
    const struct ts_param *params;
    size_t n_params;
    const uint8_t *body;
    size_t body_len;
    size_t raw_len;           /* x-log-bodyrawsize (the body's size before compression) */
    const char *content_type; /* NULL: none */
    const char *compress;     /* x-log-compresstype or NULL */
    const char *accept_encoding;
    const char *ak_id;
    const char *ak_secret;
    const char *sts_token; /* NULL: none */
    bool is_v4;
    const char *region; /* v4 */
    time_t now;         /* request time */
};

/* "/path?k=v&..." with values percent-encoded as on the wire; caller frees. */
char *ts_target(const struct ts_request *req);
/* Every header the request needs, signed; caller frees with curl_slist_free_all. */
struct curl_slist *ts_sign(const struct ts_request *req);

#endif
