/* A scripted HEC-like HTTP server on 127.0.0.1 for the sink tests (adapted from
 * tests/unit/sls/test_server): it records every request (gzip bodies are also kept
 * decompressed), and answers each with what a handler — or else a queue of scripted replies —
 * says: any status, body and headers, a delay, or a dropped connection. Plain or TLS.
 * Thread-per-connection, so concurrent requests are really concurrent. */
#ifndef SF_HEC_SERVER_H
#define SF_HEC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HSV_MAX_HEADERS 32

struct hsv_request {
    char method[16];
    char path[256];
    char query[512];
    char headers[HSV_MAX_HEADERS][2][256];
    size_t n_headers;
    uint8_t *body; /* as received */
    size_t body_len;
    uint8_t *plain; /* body, gunzipped when Content-Encoding is gzip; NUL-terminated */
    size_t plain_len;
    bool is_gzip_ok; /* Content-Encoding gzip and it decoded */
    size_t n_lines;  /* non-blank lines of |plain| */
    unsigned status; /* what the server answered (0: dropped the connection) */
    size_t index;    /* 0-based arrival order */
};

struct hsv_reply {
    unsigned status;
    const char *body;          /* copied; NULL: empty */
    const char *headers[4][2]; /* name, value; NULL-terminated */
    unsigned delay_ms;         /* sleep before answering */
    bool drop;                 /* close the connection without an answer */
    char buf[8192];            /* this request's own: a handler may build |body| here */
};

/* Decides the reply to |req| (already recorded, body complete). Runs on server threads. */
typedef void (*hsv_handler_fn)(void *ctx, const struct hsv_request *req, struct hsv_reply *reply);

struct hsv_server;

/* Starts on a free port of |bind_ip| ("127.0.0.1" when NULL); |cert|/|key| PEM paths for TLS. */
struct hsv_server *hsv_start(const char *bind_ip, const char *cert, const char *key);
void hsv_stop(struct hsv_server *srv);
unsigned hsv_port(const struct hsv_server *srv);
void hsv_set_handler(struct hsv_server *srv, hsv_handler_fn fn, void *ctx);
/* Queues a reply (used when no handler is set): in order, the last one repeats; 200 code 0
 * when none. */
void hsv_push(struct hsv_server *srv, const struct hsv_reply *reply);
size_t hsv_n_requests(struct hsv_server *srv);
/* The |i|-th request (stable pointer), or NULL. */
const struct hsv_request *hsv_request(struct hsv_server *srv, size_t i);
size_t hsv_n_connections(struct hsv_server *srv);
size_t hsv_max_concurrent(struct hsv_server *srv);
/* Header value by case-insensitive name, or NULL. */
const char *hsv_header(const struct hsv_request *req, const char *name);

#endif
