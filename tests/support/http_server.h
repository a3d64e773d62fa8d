/* A scripted HTTP server on a free port of 127.0.0.1 (or another IPv4 address) for the unit
 * tests of every client of HTTP in slsfwd: the SLS client, the credential providers, the HEC
 * sink. It records every request (gzip bodies are also kept decompressed), and answers each
 * with what a handler — or else a queue of scripted replies — says: any status, body and
 * headers, a delay, or a dropped connection. Plain or TLS. Thread-per-connection, so
 * concurrent requests are really concurrent. The test reads what it recorded through the
 * functions below, which lock: it may poll them while a call is in flight. */
#ifndef SF_TEST_HTTP_SERVER_H
#define SF_TEST_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HSV_MAX_HEADERS 32

struct hsv_request {
    char method[16];
    char path[512];                    /* decoded by libmicrohttpd */
    char *query;                       /* raw query string as received, "" when none */
    char *headers[HSV_MAX_HEADERS][2]; /* name, value */
    size_t n_headers;
    uint8_t *body; /* as received, NUL-terminated; NULL when empty */
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
    const void *body;          /* copied; NULL: empty */
    size_t body_len;           /* 0: |body| is a NUL-terminated string */
    const char *headers[8][2]; /* name, value; NULL-terminated */
    unsigned delay_ms;         /* sleep before answering */
    bool drop;                 /* close the connection without an answer */
    char buf[8192];            /* this request's own: a handler may build |body| here */
};

/* Decides the reply to |req| (already recorded, body complete). Runs on server threads. */
typedef void (*hsv_handler_fn)(void *ctx, const struct hsv_request *req, struct hsv_reply *reply);

struct hsv_server;

/* A HEC-like server on a free port of |bind_ip| ("127.0.0.1" when NULL); |cert|/|key| PEM
 * paths for TLS or NULL. Every answer has Content-Type application/json; with no handler and
 * nothing queued it answers 200 {"text":"Success","code":0}. */
struct hsv_server *hsv_start(const char *bind_ip, const char *cert, const char *key);
/* A bare server on 127.0.0.1: no Content-Type unless a reply gives one, and 500 with an
 * empty body when nothing is queued (the SLS and credential tests). */
struct hsv_server *hsv_start_bare(const char *cert, const char *key);
void hsv_stop(struct hsv_server *srv);
unsigned hsv_port(const struct hsv_server *srv);
void hsv_set_handler(struct hsv_server *srv, hsv_handler_fn fn, void *ctx);
/* Queues a reply (used when no handler is set): in order, the last one repeats. */
void hsv_push(struct hsv_server *srv, const struct hsv_reply *reply);
size_t hsv_n_requests(struct hsv_server *srv);
/* The |i|-th request (stable pointer), or NULL. */
const struct hsv_request *hsv_request(struct hsv_server *srv, size_t i);
size_t hsv_n_connections(struct hsv_server *srv);
size_t hsv_max_concurrent(struct hsv_server *srv);
/* Header value by case-insensitive name, or NULL. */
const char *hsv_header(const struct hsv_request *req, const char *name);

#endif
