/* bench_decode: how fast PullLogs bodies turn into logs. Generates ~100 MB of nginx-like
 * LogGroupList protobuf (deterministic; ~15 contents and ~570 raw bytes per log, groups of
 * 80-120 logs, the usual __tag__s), packed by protobuf-c into bodies of ~4 MB, then measures
 *   sf          sf_loggroup_decode over every body (one arena, reset per body)
 *   protobuf-c  log_group_list__unpack + free_unpacked over the same bodies
 *   sf-lz4      sf_decompress of each body pre-compressed as a raw LZ4 block, then sf decode
 * Each figure is the best of several runs of process CPU time (CLOCK_PROCESS_CPUTIME_ID);
 * MB is 10^6 bytes of raw (decompressed) protobuf.
 * Usage: bench_decode [target_mb [impl]]   (impl: run only that one, e.g. under perf)
 * impl sf-cached, only on request, decodes the first body over and over: the decoder's speed
 * when its input is already in cache, as right after decompression.
 * bench: $BUILD/bench/bench_decode 100
 * bench-smoke: $BUILD/bench/bench_decode 2 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lz4.h>

#include "bench_data.h"
#include "codec/decompress.h"
#include "codec/loggroup.h"
#include "sls_logs.pb-c.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define N_RUNS_SF  7
#define N_RUNS_PBC 3

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps the compiler from discarding work whose result nobody reads. */
static volatile size_t sink;

static double run_sf(const struct bench_bodies *bodies, struct sf_arena *arena)
{
    double start = cpu_seconds();
    size_t n_logs = 0;
    for (size_t i = 0; i < bodies->n; i++) {
        struct sf_loggroup_list list;
        if (sf_loggroup_decode(bodies->raw[i].ptr, bodies->raw[i].len, arena, &list) != SF_OK) {
            fprintf(stderr, "bench: sf decode failed on body %zu\n", i);
            exit(1);
        }
        n_logs += list.n_logs_total;
        sf_arena_reset(arena);
    }
    sink = n_logs;
    return cpu_seconds() - start;
}

/* As run_sf, but always the first body (~4 MB, which stays in L3). */
static double run_sf_cached(const struct bench_bodies *bodies, struct sf_arena *arena)
{
    double start = cpu_seconds();
    size_t n_logs = 0;
    for (size_t i = 0; i < bodies->n; i++) {
        struct sf_loggroup_list list;
        if (sf_loggroup_decode(bodies->raw[0].ptr, bodies->raw[0].len, arena, &list) != SF_OK) {
            exit(1);
        }
        n_logs += list.n_logs_total;
        sf_arena_reset(arena);
    }
    sink = n_logs;
    return cpu_seconds() - start;
}

static double run_pbc(const struct bench_bodies *bodies)
{
    double start = cpu_seconds();
    size_t n_groups = 0;
    for (size_t i = 0; i < bodies->n; i++) {
        LogGroupList *list = log_group_list__unpack(NULL, bodies->raw[i].len, bodies->raw[i].ptr);
        if (list == NULL) {
            fprintf(stderr, "bench: protobuf-c unpack failed on body %zu\n", i);
            exit(1);
        }
        n_groups += list->n_loggroups;
        log_group_list__free_unpacked(list, NULL);
    }
    sink = n_groups;
    return cpu_seconds() - start;
}

static double
run_sf_lz4(const struct bench_bodies *bodies, struct sf_arena *arena, struct sf_buf *raw)
{
    double start = cpu_seconds();
    size_t n_logs = 0;
    for (size_t i = 0; i < bodies->n; i++) {
        const struct bench_body *lz = &bodies->lz4[i];
        struct sf_loggroup_list list;
        if (sf_decompress(SF_COMPRESS_LZ4, lz->ptr, lz->len, bodies->raw[i].len, 64u << 20, raw) !=
                SF_OK ||
            sf_loggroup_decode(raw->ptr, raw->len, arena, &list) != SF_OK) {
            fprintf(stderr, "bench: lz4 + decode failed on body %zu\n", i);
            exit(1);
        }
        n_logs += list.n_logs_total;
        sf_arena_reset(arena);
    }
    sink = n_logs;
    return cpu_seconds() - start;
}

static bool wants(const char *only, const char *impl)
{
    return only == NULL || strcmp(only, impl) == 0;
}

static void
report(const char *only, const char *impl, const struct bench_bodies *bodies, double secs)
{
    if (!wants(only, impl)) {
        return;
    }
    printf("RESULT bench=decode impl=%s raw_mb_per_s=%.1f logs_per_s=%.0f\n", impl,
           (double)bodies->raw_bytes / 1e6 / secs, (double)bodies->n_logs / secs);
}

int main(int argc, char **argv)
{
    size_t target_mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
    struct bench_bodies bodies;
    bench_bodies_generate(&bodies, target_mb * 1000000);
    fprintf(stderr,
            "bench: %zu bodies, %zu groups, %zu logs, %.1f MB raw (%.0f bytes/log), "
            "%.1f MB as lz4; best CPU time of %d (sf) / %d (protobuf-c) runs\n",
            bodies.n, bodies.n_groups, bodies.n_logs, (double)bodies.raw_bytes / 1e6,
            (double)bodies.raw_bytes / (double)bodies.n_logs, (double)bodies.lz4_bytes / 1e6,
            N_RUNS_SF, N_RUNS_PBC);

    struct sf_arena arena;
    struct sf_buf raw;
    sf_arena_init(&arena, 1 << 20);
    sf_buf_init(&raw, 64u << 20);
    const char *only = argc > 2 ? argv[2] : NULL;
    double best_sf = 1e9, best_pbc = 1e9, best_lz4 = 1e9;
    for (int run = 0; run < N_RUNS_SF; run++) {
        if (wants(only, "sf")) {
            double s = run_sf(&bodies, &arena);
            best_sf = s < best_sf ? s : best_sf;
        }
        if (only != NULL && strcmp(only, "sf-cached") == 0) {
            double s = run_sf_cached(&bodies, &arena) * (double)bodies.raw_bytes /
                       (double)(bodies.raw[0].len * bodies.n); /* scaled to the whole set */
            best_sf = s < best_sf ? s : best_sf;
        }
        if (wants(only, "sf-lz4")) {
            double s = run_sf_lz4(&bodies, &arena, &raw);
            best_lz4 = s < best_lz4 ? s : best_lz4;
        }
    }
    for (int run = 0; run < N_RUNS_PBC && wants(only, "protobuf-c"); run++) {
        double s = run_pbc(&bodies);
        best_pbc = s < best_pbc ? s : best_pbc;
    }
    report(only, "sf", &bodies, best_sf);
    if (only != NULL && strcmp(only, "sf-cached") == 0) {
        report(only, "sf-cached", &bodies, best_sf);
    }
    report(only, "protobuf-c", &bodies, best_pbc);
    report(only, "sf-lz4", &bodies, best_lz4);
    if (only == NULL) {
        fprintf(stderr, "bench: sf is %.1fx protobuf-c\n", best_pbc / best_sf);
    }
    sf_buf_cleanup(&raw);
    sf_arena_cleanup(&arena);
    bench_bodies_free(&bodies);
    return 0;
}
