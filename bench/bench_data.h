/* Synthetic PullLogs bodies for the benchmarks: nginx-like LogGroupLists packed by protobuf-c
 * (the reference encoder), and the same bodies as raw LZ4 blocks. Deterministic: the same
 * target size always gives the same bytes. */
#ifndef SF_BENCH_DATA_H
#define SF_BENCH_DATA_H

#include <stddef.h>
#include <stdint.h>

struct bench_body {
    uint8_t *ptr;
    size_t len;
};

struct bench_bodies {
    struct bench_body *raw; /* n packed LogGroupLists */
    struct bench_body *lz4; /* the same, each a raw LZ4 block */
    size_t n;
    size_t n_groups;
    size_t n_logs;
    size_t raw_bytes;
    size_t lz4_bytes;
};

/* Generates bodies of ~64 groups each until |target_bytes| raw bytes are reached. */
void bench_bodies_generate(struct bench_bodies *bodies, size_t target_bytes);
void bench_bodies_free(struct bench_bodies *bodies);

#endif
