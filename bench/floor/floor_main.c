/* bench_floor: the floor slsfwd is measured against (floor.h). Fetches the PullLogs bodies of
 * a generated data set from the SLS emulator once, then, single-threaded with warm buffers,
 * runs every body through LZ4 decompress → LogGroupList decode → HEC JSON, and with gzip on
 * also ISA-L igzip level 1 of each body's JSON (one gzip stream per pull). Each setting runs
 * |passes| times; the figure is the median pass by process CPU time (best also printed):
 *   RESULT bench=floor data=<nginx|actiontrail> gzip=<on|off> raw_mb_per_s=<median> ...
 * MB is 10^6 bytes of raw (decompressed) protobuf, as slsfwd's raw_mb_per_cpu_s.
 * With --send on (the default) as many passes again also write each body's output to a TCP
 * reader on loopback (floor_send.c), timed apart, and the line adds send_mb_per_cpu_s,
 * delivery_raw_mb_per_s (floor and send) and max_floor_ratio (floor / (floor + send)).
 * usage: bench_floor [--endpoint http://127.0.0.1:PORT --project P --logstore L]
 *                    [--emulator PATH] [--data nginx|actiontrail|both] [--logs N]
 *                    [--gzip on|off|both] [--send on|off] [--passes N] [--dump FILE]
 * Without --endpoint it starts the emulator itself (default: sls-emulator next to the bench
 * directory of the build) with --logs logs per data set (default: 300000 nginx, 100000
 * actiontrail); with --endpoint it pulls |L| of a running emulator (--no-auth). --dump writes
 * the JSON of the first (warm-up) pass of the first data set to FILE.
 * bench: $BUILD/bench/bench_floor
 * bench-smoke: $BUILD/bench/bench_floor --logs 5000 --passes 1 */
#define _GNU_SOURCE
#include <isa-l/igzip_lib.h>
#include <libgen.h>
#include <limits.h>
#include <lz4.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "floor.h"
#include "spawn.h"

#define MAX_PASSES 31

struct options {
    const char *endpoint, *project, *logstore, *emulator, *data, *gzip, *send, *dump;
    long logs;
    int passes;
};

struct pass {
    double cpu_s;
    double send_s; /* the writes to the loopback reader, when sending */
    uint64_t out_bytes, gz_bytes, events, embedded;
};

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_cpu(const void *a, const void *b)
{
    double x = ((const struct pass *)a)->cpu_s, y = ((const struct pass *)b)->cpu_s;
    return x < y ? -1 : x > y;
}

static int by_send(const void *a, const void *b)
{
    double x = ((const struct pass *)a)->send_s, y = ((const struct pass *)b)->send_s;
    return x < y ? -1 : x > y;
}

/* Warm state reused by every pass. */
static struct floor_buf raw, json, gz;
static uint8_t *level_buf;
static FILE *dump; /* --dump: the warm-up pass's JSON, to compare with what slsfwd sends */

static void gzip_body(void)
{
    struct isal_zstream strm;
    isal_deflate_init(&strm);
    strm.level = 1;
    strm.level_buf = level_buf;
    strm.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    strm.gzip_flag = IGZIP_GZIP;
    strm.end_of_stream = 1;
    strm.flush = NO_FLUSH;
    strm.next_in = json.ptr;
    strm.avail_in = (uint32_t)json.len;
    gz.len = 0;
    /* Stored blocks bound the output: the input plus a few bytes per 64 KiB, and the header. */
    floor_buf_reserve(&gz, json.len + json.len / 1024 + 1024);
    strm.next_out = gz.ptr;
    strm.avail_out = (uint32_t)(gz.cap - FLOOR_SLACK);
    if (isal_deflate(&strm) != COMP_OK || strm.internal_state.state != ZSTATE_END) {
        fprintf(stderr, "floor: isal_deflate did not finish\n");
        exit(1);
    }
    gz.len = strm.total_out;
}

/* One pass over every body. With |sender|, each body's output (JSON, or its gzip) is also
 * written to the loopback reader; that time goes to send_s, not cpu_s. */
static void run_pass(const struct floor_bodies *bodies,
                     bool is_gzip,
                     struct floor_sender *sender,
                     struct pass *out)
{
    struct floor_stats stats = {0};
    memset(out, 0, sizeof(*out));
    double start = cpu_now();
    for (size_t i = 0; i < bodies->n; i++) {
        const struct floor_body *b = &bodies->items[i];
        int n = LZ4_decompress_safe((const char *)b->lz4, (char *)raw.ptr, (int)b->lz4_len,
                                    (int)b->raw_len);
        json.len = 0;
        if (n != (int)b->raw_len || !floor_events_append(raw.ptr, b->raw_len, &json, &stats)) {
            fprintf(stderr, "floor: body %zu does not decode\n", i);
            exit(1);
        }
        out->out_bytes += json.len;
        if (dump) {
            fwrite(json.ptr, 1, json.len, dump);
        }
        if (is_gzip) {
            gzip_body();
            out->gz_bytes += gz.len;
        }
        if (sender) {
            double t = cpu_now();
            if (!(is_gzip ? floor_send(sender, gz.ptr, gz.len)
                          : floor_send(sender, json.ptr, json.len))) {
                exit(1);
            }
            out->send_s += cpu_now() - t;
        }
    }
    out->cpu_s = cpu_now() - start - out->send_s;
    out->events = stats.n_events;
    out->embedded = stats.n_embedded;
}

/* The floor's passes, then (|sender|) as many again writing each body's output to the
 * loopback reader, of which only the writes count: the send figures are the median of those. */
static void measure(const char *data,
                    const struct floor_bodies *bodies,
                    const char *gzip,
                    int passes,
                    struct floor_sender *sender)
{
    size_t max_raw = 0;
    for (size_t i = 0; i < bodies->n; i++) {
        max_raw = bodies->items[i].raw_len > max_raw ? bodies->items[i].raw_len : max_raw;
    }
    raw.len = 0;
    floor_buf_reserve(&raw, max_raw);
    memset(raw.ptr, 0, raw.cap); /* the slack read past a body is defined */
    for (int g = 0; g < 2; g++) {
        bool is_gzip = g == 1;
        if (strcmp(gzip, "both") != 0 && strcmp(gzip, is_gzip ? "on" : "off") != 0) {
            continue;
        }
        struct pass p[MAX_PASSES + 1];
        run_pass(bodies, is_gzip, NULL, &p[0]); /* warm-up: buffers grow, pages touched */
        if (dump) {
            fclose(dump);
            dump = NULL;
        }
        for (int i = 0; i < passes; i++) {
            run_pass(bodies, is_gzip, NULL, &p[i]);
        }
        struct pass last = p[passes - 1];
        qsort(p, (size_t)passes, sizeof(*p), by_cpu);
        double mb = (double)bodies->raw_bytes / 1e6;
        double cpu_s = p[passes / 2].cpu_s;
        printf("RESULT bench=floor data=%s gzip=%s raw_mb_per_s=%.1f best_raw_mb_per_s=%.1f "
               "raw_mb=%.1f events=%llu json_bytes=%llu gzip_bytes=%llu embedded=%llu "
               "bodies=%zu passes=%d",
               data, is_gzip ? "on" : "off", mb / cpu_s, mb / p[0].cpu_s, mb,
               (unsigned long long)last.events, (unsigned long long)last.out_bytes,
               (unsigned long long)last.gz_bytes, (unsigned long long)last.embedded, bodies->n,
               passes);
        if (sender) {
            struct pass q[MAX_PASSES];
            for (int i = 0; i < passes; i++) {
                run_pass(bodies, is_gzip, sender, &q[i]);
            }
            qsort(q, (size_t)passes, sizeof(*q), by_send);
            double send_s = q[passes / 2].send_s;
            uint64_t sent = is_gzip ? last.gz_bytes : last.out_bytes;
            /* delivery: the floor plus handing its output to TCP; max_floor_ratio: the best
             * floor_ratio a forwarder can reach that does the floor's work and that write. */
            printf(" send_mb_per_cpu_s=%.1f delivery_raw_mb_per_s=%.1f max_floor_ratio=%.2f",
                   (double)sent / 1e6 / send_s, mb / (cpu_s + send_s), cpu_s / (cpu_s + send_s));
        }
        printf("\n");
        fflush(stdout);
    }
}

/* Starts the emulator with |kind|:|logs| generated in 4 shards; returns its pid and port. */
static pid_t start_emulator(const char *path, const char *kind, long logs, int *port)
{
    char gen[64];
    snprintf(gen, sizeof(gen), "%s:%ld", kind, logs);
    const char *argv[] = {path,        "--listen",   "127.0.0.1:0", "--no-auth", "--quiet",
                          "--project", "floor",      "--logstore",  kind,        "--shards",
                          "4",         "--generate", gen,           NULL};
    struct tool_proc proc;
    if (!tool_spawn(argv, "sls-emulator", -1, &proc)) {
        return -1;
    }
    *port = proc.port;
    return proc.pid;
}

static bool parse_args(int argc, char **argv, struct options *o)
{
    *o = (struct options){
        .project = "floor", .data = "both", .gzip = "both", .send = "on", .passes = 5};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--endpoint") == 0) {
            o->endpoint = v;
        } else if (strcmp(k, "--project") == 0) {
            o->project = v;
        } else if (strcmp(k, "--logstore") == 0) {
            o->logstore = v;
        } else if (strcmp(k, "--emulator") == 0) {
            o->emulator = v;
        } else if (strcmp(k, "--data") == 0) {
            o->data = v;
        } else if (strcmp(k, "--gzip") == 0) {
            o->gzip = v;
        } else if (strcmp(k, "--send") == 0) {
            o->send = v;
        } else if (strcmp(k, "--logs") == 0) {
            o->logs = strtol(v, NULL, 10);
        } else if (strcmp(k, "--dump") == 0) {
            o->dump = v;
        } else if (strcmp(k, "--passes") == 0) {
            o->passes = (int)strtol(v, NULL, 10);
        } else {
            return false;
        }
    }
    return argc % 2 == 1 && (strcmp(o->send, "on") == 0 || strcmp(o->send, "off") == 0) &&
           o->passes >= 1 && o->passes <= MAX_PASSES &&
           (!o->endpoint || (o->logstore && strcmp(o->data, "both") != 0));
}

int main(int argc, char **argv)
{
    struct options o;
    if (!parse_args(argc, argv, &o)) {
        fprintf(stderr,
                "usage: %s [--endpoint URL --project P --logstore L --data nginx|actiontrail] "
                "[--emulator PATH] [--data nginx|actiontrail|both] [--logs N] "
                "[--gzip on|off|both] [--send on|off] [--passes N] [--dump FILE]\n",
                argv[0]);
        return 2;
    }
    floor_json_init();
    if (o.dump && !(dump = fopen(o.dump, "w"))) {
        fprintf(stderr, "floor: cannot write %s\n", o.dump);
        return 1;
    }
    level_buf = malloc(ISAL_DEF_LVL1_DEFAULT);
    static char self[PATH_MAX], emulator[PATH_MAX];
    if (!o.emulator) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = '\0';
        snprintf(emulator, sizeof(emulator), "%s/../sls-emulator", dirname(self));
        o.emulator = emulator;
    }
    const char *kinds[] = {"nginx", "actiontrail"};
    for (int k = 0; k < 2; k++) {
        if (strcmp(o.data, "both") != 0 && strcmp(o.data, kinds[k]) != 0) {
            continue;
        }
        struct floor_bodies bodies;
        bool ok;
        if (o.endpoint) {
            ok = floor_load(o.endpoint, o.project, o.logstore, &bodies);
        } else {
            int port = 0;
            long logs = o.logs ? o.logs : k == 0 ? 300000 : 100000;
            pid_t pid = start_emulator(o.emulator, kinds[k], logs, &port);
            if (pid < 0) {
                return 1;
            }
            char url[64];
            snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
            ok = floor_load(url, "floor", kinds[k], &bodies);
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
        }
        if (!ok) {
            return 1;
        }
        struct floor_sender sender;
        bool is_send = strcmp(o.send, "on") == 0;
        if (is_send && !floor_sender_open(&sender)) {
            return 1;
        }
        measure(kinds[k], &bodies, o.gzip, o.passes, is_send ? &sender : NULL);
        if (is_send) {
            floor_sender_close(&sender);
        }
        floor_bodies_free(&bodies);
    }
    return 0;
}
