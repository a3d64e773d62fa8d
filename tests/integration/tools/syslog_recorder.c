/* syslog-recorder: a TCP syslog receiver for tests that records every message it read and can
 * be stopped and started again on the same port without losing what the sender confirmed.
 *   syslog-recorder --listen HOST:PORT --out FILE [--drain-ms N] [--pause-ms N]
 * Prints "syslog-recorder listening on HOST:PORT" on stdout when ready (PORT 0 picks one).
 * Frames are RFC 6587 octet counting ("LEN SP MSG") or LF-terminated, told apart per frame by
 * the first byte. Each RFC 5424 message becomes one line appended to FILE:
 *   {"source":"L/N","event":MSG}   when MSG (after a UTF-8 BOM) is a JSON object, as slsfwd
 *                                  sends;
 *   {"source":"L/N","text":"..."}  otherwise (seqcheck counts it as a bad line).
 * L and N are the logstore="L" and shard="N" parameters of the STRUCTURED-DATA ("?" when
 * absent), so a test can tell where a log came from.
 *
 * Why a graceful stop matters: slsfwd confirms a syslog batch once the receiver's kernel
 * acknowledged its bytes, not once a program read them. A receiver that closes a socket with
 * unread data in its receive buffer throws away bytes the sender already counts as delivered.
 * So on SIGTERM/SIGINT this one stops accepting, half-closes every connection (FIN), and keeps
 * reading each one until the sender closes its side (slsfwd does on seeing the FIN) or
 * --drain-ms passes (default 10000); only then does it exit 0. Connections cut at the deadline
 * are reported on stderr: data on them may be lost.
 *
 * SIGUSR1 makes it stop reading (and accepting) for --pause-ms (default 5000): a receiver that
 * falls behind, so the sender's window fills and its TCP send buffer stays full. */
#define _GNU_SOURCE /* memmem, accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define MAX_FRAME (64u << 20)

struct conn {
    int fd;
    char *buf;
    size_t len, cap;
};

static volatile sig_atomic_t stop_requested, pause_requested;
static unsigned long long messages, partial_frames, bad_frames;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        pause_requested = 1;
    } else {
        stop_requested = 1;
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void json_string(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else {
            fputc(c, out);
        }
    }
    fputc('"', out);
}

/* Skips |n| space-separated header fields; returns the position after them or NULL. */
static const char *skip_fields(const char *p, const char *end, int n)
{
    for (int i = 0; i < n; i++) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (!sp) {
            return NULL;
        }
        p = sp + 1;
    }
    return p;
}

/* Copies the value of SD parameter |name| found in [p, end) into |out| ("?" when absent). */
static void sd_param(const char *p, const char *end, const char *name, char *out, size_t size)
{
    char key[32];
    int n = snprintf(key, sizeof(key), " %s=\"", name);
    const char *hit = memmem(p, (size_t)(end - p), key, (size_t)n);
    size_t len = 0;
    if (hit) {
        for (const char *v = hit + n; v < end && *v != '"' && len + 1 < size; v++) {
            if (*v == '\\' && v + 1 < end) {
                v++;
            }
            out[len++] = *v;
        }
    }
    if (len == 0) {
        out[len++] = '?';
    }
    out[len] = '\0';
}

/* Parses STRUCTURED-DATA at |p|: "-" or "[...]..." with \" \\ \] escapes inside values.
 * Returns the position after it (NULL when malformed) and writes "logstore/shard" from its
 * parameters into |source|. */
static const char *parse_sd(const char *p, const char *end, char *source, size_t size)
{
    if (p < end && *p == '-') {
        return p + 1;
    }
    const char *start = p;
    while (p < end && *p == '[') {
        bool in_value = false;
        for (p++; p < end; p++) {
            if (in_value && *p == '\\' && p + 1 < end) {
                p++;
            } else if (*p == '"') {
                in_value = !in_value;
            } else if (!in_value && *p == ']') {
                break;
            }
        }
        if (p >= end) {
            return NULL;
        }
        p++;
    }
    if (p == start) {
        return NULL;
    }
    char logstore[128], shard[16];
    sd_param(start, p, "logstore", logstore, sizeof(logstore));
    sd_param(start, p, "shard", shard, sizeof(shard));
    snprintf(source, size, "%s/%s", logstore, shard);
    return p;
}

static void record(FILE *out, const char *msg, size_t n)
{
    const char *end = msg + n;
    char source[160] = "?/?";
    /* <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG] */
    const char *p = skip_fields(msg, end, 6);
    p = p ? parse_sd(p, end, source, sizeof(source)) : NULL;
    if (!p) {
        bad_frames++;
        fprintf(out, "{\"source\":\"?/?\",\"text\":");
        json_string(out, msg, n);
        fputs("}\n", out);
        return;
    }
    if (p < end && *p == ' ') {
        p++;
    }
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
    }
    while (end > p && (end[-1] == '\n' || end[-1] == '\r')) {
        end--;
    }
    fputs("{\"source\":", out);
    json_string(out, source, strlen(source));
    fputc(',', out);
    if (p < end && *p == '{' && end[-1] == '}' && !memchr(p, '\n', (size_t)(end - p))) {
        fputs("\"event\":", out);
        fwrite(p, 1, (size_t)(end - p), out);
    } else {
        fputs("\"text\":", out);
        json_string(out, p, (size_t)(end - p));
    }
    fputs("}\n", out);
    messages++;
}

/* Records every complete frame in |c|'s buffer and keeps the unfinished rest. */
static int consume(struct conn *c, FILE *out)
{
    size_t pos = 0;
    while (pos < c->len) {
        const char *p = c->buf + pos;
        size_t left = c->len - pos;
        if (*p >= '0' && *p <= '9') {
            const char *sp = memchr(p, ' ', left < 12 ? left : 12);
            if (!sp) {
                if (left >= 12) {
                    return -1; /* not a length */
                }
                break;
            }
            char *num_end;
            unsigned long long len = strtoull(p, &num_end, 10);
            if (num_end != sp || len == 0 || len > MAX_FRAME) {
                return -1;
            }
            size_t head = (size_t)(sp - p) + 1;
            if (left < head + len) {
                break;
            }
            record(out, sp + 1, (size_t)len);
            pos += head + (size_t)len;
        } else {
            const char *nl = memchr(p, '\n', left);
            if (!nl) {
                if (left > MAX_FRAME) {
                    return -1;
                }
                break;
            }
            if (nl > p) {
                record(out, p, (size_t)(nl - p));
            }
            pos += (size_t)(nl - p) + 1;
        }
    }
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
    return 0;
}

/* Reads what is there; returns 1 while open, 0 at EOF, -1 on error. */
static int read_conn(struct conn *c, FILE *out)
{
    for (size_t budget = 0; budget < (4u << 20);) {
        if (c->cap - c->len < 65536) {
            c->cap = c->cap ? c->cap * 2 : 262144;
            c->buf = realloc(c->buf, c->cap);
            if (!c->buf) {
                perror("syslog-recorder: realloc");
                exit(1);
            }
        }
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n > 0) {
            c->len += (size_t)n;
            budget += (size_t)n;
            if (consume(c, out) != 0) {
                fprintf(stderr, "syslog-recorder: unframed data; closing the connection\n");
                return -1;
            }
            continue;
        }
        if (n == 0) {
            return 0;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 1;
        }
        return -1;
    }
    return 1; /* more to read: let the other connections have a turn */
}

static void close_conn(struct conn *c)
{
    if (c->len > 0) {
        partial_frames++; /* a sender killed mid-frame; it resends what it did not confirm */
    }
    close(c->fd);
    free(c->buf);
    *c = (struct conn){.fd = -1};
}

static int listen_on(const char *spec, char *shown, size_t shown_size)
{
    char host[64];
    const char *colon = strrchr(spec, ':');
    if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
        return -1;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    socklen_t len = sizeof(sa);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        return -1;
    }
    snprintf(shown, shown_size, "%s:%u", host, ntohs(sa.sin_port));
    return fd;
}

int main(int argc, char **argv)
{
    const char *listen_spec = NULL, *out_path = NULL;
    long drain_ms = 10000;
    long pause_ms = 5000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--listen") == 0) {
            listen_spec = argv[i + 1];
        } else if (strcmp(argv[i], "--out") == 0) {
            out_path = argv[i + 1];
        } else if (strcmp(argv[i], "--drain-ms") == 0) {
            drain_ms = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--pause-ms") == 0) {
            pause_ms = atol(argv[i + 1]);
        } else {
            break;
        }
    }
    if (!listen_spec || !out_path || argc % 2 == 0) {
        fprintf(stderr, "usage: syslog-recorder --listen HOST:PORT --out FILE [--drain-ms N] "
                        "[--pause-ms N]\n");
        return 2;
    }
    FILE *out = fopen(out_path, "a");
    if (!out) {
        fprintf(stderr, "syslog-recorder: cannot open %s: %s\n", out_path, strerror(errno));
        return 2;
    }
    char shown[96];
    int lfd = listen_on(listen_spec, shown, sizeof(shown));
    if (lfd < 0) {
        fprintf(stderr, "syslog-recorder: cannot listen on %s: %s\n", listen_spec, strerror(errno));
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    printf("syslog-recorder listening on %s\n", shown);
    fflush(stdout);

    static struct conn conns[MAX_CONNS];
    for (int i = 0; i < MAX_CONNS; i++) {
        conns[i].fd = -1;
    }
    long long drain_end = 0;
    long long pause_end = 0;
    unsigned long long pauses = 0;
    unsigned long long accepted = 0, cut = 0;
    for (;;) {
        if (pause_requested) {
            pause_requested = 0;
            pause_end = now_ms() + pause_ms;
            pauses++;
        }
        if (!stop_requested && now_ms() < pause_end) {
            poll(NULL, 0, 50); /* not reading: the kernel buffers fill, then the sender waits */
            continue;
        }
        if (stop_requested && lfd >= 0) {
            close(lfd);
            lfd = -1;
            drain_end = now_ms() + drain_ms;
            for (int i = 0; i < MAX_CONNS; i++) {
                if (conns[i].fd >= 0) {
                    shutdown(conns[i].fd, SHUT_WR);
                }
            }
        }
        struct pollfd pfds[MAX_CONNS + 1];
        int map[MAX_CONNS + 1];
        int n = 0, open_conns = 0;
        if (lfd >= 0) {
            pfds[n] = (struct pollfd){.fd = lfd, .events = POLLIN};
            map[n++] = -1;
        }
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd >= 0) {
                pfds[n] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
                map[n++] = i;
                open_conns++;
            }
        }
        if (lfd < 0 && (open_conns == 0 || now_ms() >= drain_end)) {
            for (int i = 0; i < MAX_CONNS; i++) {
                if (conns[i].fd >= 0) {
                    cut++;
                    close_conn(&conns[i]);
                }
            }
            break;
        }
        int rc = poll(pfds, (nfds_t)n, 100);
        if (rc < 0 && errno != EINTR) {
            perror("syslog-recorder: poll");
            return 1;
        }
        for (int k = 0; rc > 0 && k < n; k++) {
            if (!pfds[k].revents) {
                continue;
            }
            if (map[k] < 0) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    int slot = 0;
                    while (slot < MAX_CONNS && conns[slot].fd >= 0) {
                        slot++;
                    }
                    if (slot == MAX_CONNS) {
                        close(fd);
                        continue;
                    }
                    conns[slot] = (struct conn){.fd = fd};
                    accepted++;
                }
                continue;
            }
            struct conn *c = &conns[map[k]];
            if (read_conn(c, out) <= 0) {
                close_conn(c);
            }
        }
        fflush(out);
    }
    if (fclose(out) != 0) {
        fprintf(stderr, "syslog-recorder: writing %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    fprintf(stderr,
            "syslog-recorder: stopped messages=%llu connections=%llu partial_frames=%llu "
            "bad_frames=%llu cut_at_deadline=%llu pauses=%llu\n",
            messages, accepted, partial_frames, bad_frames, cut, pauses);
    return 0;
}
