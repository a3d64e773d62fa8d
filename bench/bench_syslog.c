/* bench_syslog: how fast decoded logs become framed syslog messages. Generates nginx-like
 * PullLogs bodies (bench_data.h: ~15 contents and ~570 raw bytes per log), decodes them once,
 * then runs sf_syslog_line_append over every log of every body, in RFC 5424 with octet framing and
 * a JSON MSG (the default), with a kv MSG, and in RFC 3164 with LF framing. The output buffer
 * is one per body (4 MB max, flushed by reset when full), as a batch's payload. Each figure is
 * the best of N_RUNS runs of process CPU time; MB is 10^6 bytes of raw protobuf (raw_mb_per_s)
 * or of syslog written (out_mb_per_s). One line per case:
 *   RESULT bench=syslog case=<name> logs=N events_per_s= raw_mb_per_s= out_mb_per_s= ...
 * Usage: bench_syslog [target_mb]
 * bench: $BUILD/bench/bench_syslog 100
 * bench-smoke: $BUILD/bench/bench_syslog 2 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_data.h"
#include "codec/loggroup.h"
#include "transform/syslog_line.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"

#include "util/banned.h"

#define N_RUNS 5

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_case(const char *name,
                     const struct sf_syslog_line_options *opts,
                     const struct sf_loggroup_list *lists,
                     const struct bench_bodies *bodies)
{
    struct sf_syslog_line_mapping *m;
    char errbuf[256];
    if (sf_syslog_line_mapping_new(opts, &m, errbuf, sizeof(errbuf)) != SF_OK) {
        fprintf(stderr, "mapping: %s\n", errbuf);
        exit(1);
    }
    struct sf_buf out;
    sf_buf_init(&out, 4u << 20);
    double best = 1e30;
    size_t out_bytes = 0;
    for (int run = 0; run < N_RUNS; run++) {
        size_t written = 0;
        double t0 = cpu_seconds();
        for (size_t b = 0; b < bodies->n; b++) {
            const struct sf_loggroup_list *list = &lists[b];
            sf_buf_reset(&out);
            for (size_t g = 0; g < list->n_groups; g++) {
                const struct sf_loggroup *group = &list->groups[g];
                for (size_t l = 0; l < group->n_logs; l++) {
                    sf_err err = sf_syslog_line_append(m, "proj", "nginx-access", (int)g % 4, group,
                                                       &group->logs[l], &out);
                    if (err == SF_ERR_FULL) {
                        written += out.len;
                        sf_buf_reset(&out);
                        err = sf_syslog_line_append(m, "proj", "nginx-access", (int)g % 4, group,
                                                    &group->logs[l], &out);
                    }
                    if (err != SF_OK) {
                        fprintf(stderr, "append: %s\n", sf_err_str(err));
                        exit(1);
                    }
                }
            }
            written += out.len;
        }
        double t = cpu_seconds() - t0;
        if (t < best) {
            best = t;
        }
        out_bytes = written;
    }
    printf("RESULT bench=syslog case=%s logs=%zu events_per_s=%.0f raw_mb_per_s=%.1f "
           "out_mb_per_s=%.1f out_bytes_per_event=%.0f\n",
           name, bodies->n_logs, (double)bodies->n_logs / best,
           (double)bodies->raw_bytes / 1e6 / best, (double)out_bytes / 1e6 / best,
           (double)out_bytes / (double)bodies->n_logs);
    sf_buf_cleanup(&out);
    sf_syslog_line_mapping_free(m);
}

int main(int argc, char **argv)
{
    size_t target_mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100;
    struct bench_bodies bodies;
    bench_bodies_generate(&bodies, target_mb * 1000 * 1000);
    struct sf_arena arena;
    sf_arena_init(&arena, 1u << 20);
    struct sf_loggroup_list *lists = sf_xcalloc(bodies.n, sizeof(*lists));
    for (size_t b = 0; b < bodies.n; b++) {
        if (sf_loggroup_decode(bodies.raw[b].ptr, bodies.raw[b].len, &arena, &lists[b]) != SF_OK) {
            fprintf(stderr, "decode failed\n");
            return 1;
        }
    }
    fprintf(stderr, "bench: bodies=%zu logs=%zu raw_mb=%.1f\n", bodies.n, bodies.n_logs,
            (double)bodies.raw_bytes / 1e6);

    struct sf_syslog_line_options o;
    sf_syslog_line_options_init(&o);
    o.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_SOURCE;
    run_case("5424-octet-json", &o, lists, &bodies);
    o.msg_format = SF_SYSLOG_LINE_MSG_KV;
    run_case("5424-octet-kv", &o, lists, &bodies);
    sf_syslog_line_options_init(&o);
    o.framing = SF_SYSLOG_LINE_FRAMING_LF;
    o.severity_field = "status";
    run_case("5424-lf-json-sev", &o, lists, &bodies);
    sf_syslog_line_options_init(&o);
    o.format = SF_SYSLOG_LINE_RFC3164;
    o.framing = SF_SYSLOG_LINE_FRAMING_LF;
    o.max_message_size = 8192;
    run_case("3164-lf-json", &o, lists, &bodies);

    free(lists);
    sf_arena_cleanup(&arena);
    bench_bodies_free(&bodies);
    return 0;
}
