/* A scripted HTTP server on 127.0.0.1 for the SLS transport tests: it records each request and
 * answers with the next scripted reply. Plain or TLS. Not thread-safe toward the test. */
#ifndef SF_TEST_SERVER_H
#define SF_TEST_SERVER_H

#include <stddef.h>
#include <stdint.h>

#define TS_MAX_HEADERS 32

struct ts_reply {
    unsigned status;
    const char *headers[8][2]; /* name, value; NULL-terminated */
    const uint8_t *body;
    size_t body_len;
    unsigned delay_ms; /* sleep before answering */
};

struct ts_request {
    char method[16];
    char path[512];
    char query[16384]; /* raw query string as received, "" when none (sls.query: up to 12 KiB) */
    char headers[TS_MAX_HEADERS][2][512];
    size_t n_headers;
    uint8_t body[65536];
    size_t body_len;
};

struct ts_server;

/* Starts on a free port; |cert|/|key| PEM paths for TLS or NULL. */
struct ts_server *ts_start(const char *cert, const char *key);
void ts_stop(struct ts_server *ts);
unsigned ts_port(const struct ts_server *ts);
/* Queues a reply; replies are used in order, the last one repeats. */
void ts_push(struct ts_server *ts, const struct ts_reply *reply);
/* The |i|-th request received (0-based); NULL if not received. */
const struct ts_request *ts_request(const struct ts_server *ts, size_t i);
size_t ts_n_requests(const struct ts_server *ts);
size_t ts_n_connections(const struct ts_server *ts);
/* Header value by case-insensitive name, or NULL. */
const char *ts_header(const struct ts_request *req, const char *name);

#endif
