/* slow_syslog: a TCP syslog receiver for the integration tests that reads slowly and pauses,
 * so a sender's unconfirmed window stays full for a long time, and records every message.
 *   slow_syslog --out FILE [--listen 127.0.0.1:PORT] [--read-size N] [--read-delay-us U]
 *               [--pause-every-ms A --pause-ms B] [--rcvbuf BYTES]
 * Prints "slow_syslog listening on 127.0.0.1:PORT" once it accepts. Reads at most N bytes per
 * read, sleeps U µs after each, and stops reading for B ms every A ms; --rcvbuf shrinks the socket
 * receive buffer (the kernel acknowledges only what it holds). Frames may be octet counted (RFC
 * 6587 "LEN SP MSG") or LF terminated. Each message's JSON part (from the first
 * '{' after the structured data's "] ") is written to FILE as {"event":<json>}\n, the form
 * seqcheck reads; a message without one is written as {"event":null}. Serves one connection
 * at a time (a sender reconnects after a failure, never holds two). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
    const char *out;
    int port;
    size_t read_size;
    long read_delay_us;
    long pause_every_ms;
    long pause_ms;
    int rcvbuf;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_us(long us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Writes the JSON part of one message to |out|. */
static void record(FILE *out, const char *msg, size_t len)
{
    const char *json = NULL;
    for (size_t i = 0; i + 1 < len; i++) {
        if (msg[i] == ']' && msg[i + 1] == ' ') {
            const char *p = msg + i + 2;
            if ((size_t)(p - msg) + 3 <= len && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
                p += 3; /* RFC 5424 BOM */
            }
            if (p < msg + len && *p == '{') {
                json = p;
                break;
            }
        }
    }
    if (!json) {
        fputs("{\"event\":null}\n", out);
        return;
    }
    size_t n = len - (size_t)(json - msg);
    while (n > 0 && (json[n - 1] == '\n' || json[n - 1] == '\r')) {
        n--;
    }
    fputs("{\"event\":", out);
    fwrite(json, 1, n, out);
    fputs("}\n", out);
}

/* Takes every complete frame off the front of |buf|; returns the bytes consumed. */
static size_t take_frames(FILE *out, const char *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        const char *p = buf + pos;
        size_t left = len - pos;
        if (*p >= '1' && *p <= '9') {
            size_t i = 0, n = 0;
            while (i < left && p[i] >= '0' && p[i] <= '9') {
                n = n * 10 + (size_t)(p[i] - '0');
                i++;
            }
            if (i == left) {
                break; /* length not complete yet */
            }
            if (p[i] != ' ') {
                fprintf(stderr, "slow_syslog: bad frame length\n");
                exit(1);
            }
            if (left < i + 1 + n) {
                break;
            }
            record(out, p + i + 1, n);
            pos += i + 1 + n;
        } else {
            const char *nl = memchr(p, '\n', left);
            if (!nl) {
                break;
            }
            if (nl > p) {
                record(out, p, (size_t)(nl - p));
            }
            pos += (size_t)(nl - p) + 1;
        }
    }
    return pos;
}

static void serve(int fd, FILE *out, const struct opts *o, long long *next_pause)
{
    size_t cap = 1 << 22, len = 0;
    char *buf = malloc(cap);
    char *chunk = malloc(o->read_size);
    if (!buf || !chunk) {
        exit(1);
    }
    for (;;) {
        if (o->pause_every_ms > 0 && now_ms() >= *next_pause) {
            sleep_us(o->pause_ms * 1000);
            *next_pause = now_ms() + o->pause_every_ms;
        }
        ssize_t n = read(fd, chunk, o->read_size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (len + (size_t)n > cap) {
            while (len + (size_t)n > cap) {
                cap *= 2;
            }
            buf = realloc(buf, cap);
            if (!buf) {
                exit(1);
            }
        }
        memcpy(buf + len, chunk, (size_t)n);
        len += (size_t)n;
        size_t used = take_frames(out, buf, len);
        memmove(buf, buf + used, len - used);
        len -= used;
        fflush(out);
        if (o->read_delay_us > 0) {
            sleep_us(o->read_delay_us);
        }
    }
    free(chunk);
    free(buf);
    close(fd);
}

int main(int argc, char **argv)
{
    struct opts o = {.read_size = 65536};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--out") == 0) {
            o.out = v;
        } else if (strcmp(k, "--listen") == 0) {
            const char *colon = strrchr(v, ':');
            o.port = atoi(colon ? colon + 1 : v);
        } else if (strcmp(k, "--read-size") == 0) {
            o.read_size = (size_t)atol(v);
        } else if (strcmp(k, "--read-delay-us") == 0) {
            o.read_delay_us = atol(v);
        } else if (strcmp(k, "--pause-every-ms") == 0) {
            o.pause_every_ms = atol(v);
        } else if (strcmp(k, "--pause-ms") == 0) {
            o.pause_ms = atol(v);
        } else if (strcmp(k, "--rcvbuf") == 0) {
            o.rcvbuf = atoi(v);
        } else {
            fprintf(stderr, "slow_syslog: unknown option %s\n", k);
            return 2;
        }
    }
    if (!o.out || o.read_size == 0) {
        fprintf(stderr, "usage: slow_syslog --out FILE [--listen 127.0.0.1:PORT] ...\n");
        return 2;
    }
    FILE *out = fopen(o.out, "a");
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (o.rcvbuf > 0) {
        /* Small: the kernel acknowledges only what fits, so the sender waits for our reads. */
        setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &o.rcvbuf, sizeof(o.rcvbuf));
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    if (!out || lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(lfd, 8) != 0 || getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
        fprintf(stderr, "slow_syslog: %s: %s\n", o.out, strerror(errno));
        return 1;
    }
    printf("slow_syslog listening on 127.0.0.1:%u\n", ntohs(sa.sin_port));
    fflush(stdout);
    long long next_pause = now_ms() + o.pause_every_ms;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "slow_syslog: accept: %s\n", strerror(errno));
            return 1;
        }
        serve(fd, out, &o, &next_pause);
    }
}
