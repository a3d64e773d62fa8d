/* bench_transform: how fast decoded logs become HEC events. The logs are the golden inputs of
 * tests/data/reference-mapping (nginx: 1000 access logs, ~570 raw bytes and 15 contents each,
 * 5 tags; actiontrail: 500 audit events with a ~1 KB JSON "event" field, embedded), re-encoded
 * as PullLogs bodies of 40 LogGroups of 100 logs (the size the SDKs see), repeated to ~100 MB
 * raw per dataset. Stages, each over every body:
 *   map             sf_hec_event_append_list only (bodies decoded beforehand)
 *   decode+map      sf_loggroup_decode (one arena, reset per body) + map
 *   lz4+decode+map  sf_decompress of a raw LZ4 block + decode + map: the whole per-batch pass
 * in object form and in string form (event_as_string), and with routing off (fixed metadata),
 * with templates (sourcetype, index, source and host built from each log's topic, tag and
 * content, and the source's names) and with templates plus position fields. Each figure is the best
 * of N_RUNS runs of process CPU time; MB is 10^6 bytes of raw protobuf (raw_mb_per_s) or of JSON
 * written (out_mb_per_s). The output buffer is one per body, reset between bodies, as a batch's
 * payload. Usage: bench_transform [target_mb_per_dataset [dataset [stage [form [routing]]]]]; the
 * filters (e.g. "nginx map object templates") narrow a run down for a profiler.
 * bench: $BUILD/bench/bench_transform 100
 * bench-smoke: $BUILD/bench/bench_transform 2 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lz4.h>

#include "codec/decompress.h"
#include "codec/loggroup.h"
#include "transform/hec_event.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"

#include "util/banned.h"

#ifndef SF_TESTDATA_DIR
#error "SF_TESTDATA_DIR must point to tests/data/reference-mapping"
#endif

#define N_RUNS          5
#define LOGS_PER_GROUP  100
#define GROUPS_PER_BODY 40

struct body {
    uint8_t *raw;
    size_t raw_len;
    uint8_t *lz4;
    size_t lz4_len;
    struct sf_loggroup_list list; /* decoded once, for the map-only stage */
};

struct dataset {
    const char *name;
    struct body *bodies;
    size_t n_bodies;
    size_t raw_bytes;
    size_t n_logs;
    struct sf_arena arena; /* holds every body's decoded list */
};

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "bench: cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = sf_xmalloc((size_t)size + 1);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "bench: short read on %s\n", path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* ---- a minimal protobuf writer for the re-encoding (docs/protocol/sls-loggroup.md §Schema tag
 * bytes) ---- */

static void pb_varint(struct sf_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    sf_buf_append(b, tmp, n);
}

static void pb_bytes(struct sf_buf *b, uint8_t tag, const void *data, size_t len)
{
    sf_buf_append(b, &tag, 1);
    pb_varint(b, len);
    sf_buf_append(b, data, len);
}

static void pb_kv(struct sf_buf *b, uint8_t tag, const struct sf_log_kv *kv, struct sf_buf *tmp)
{
    sf_buf_reset(tmp);
    pb_bytes(tmp, 0x0a, kv->key.ptr, kv->key.len);
    pb_bytes(tmp, 0x12, kv->value.ptr, kv->value.len);
    pb_bytes(b, tag, tmp->ptr, tmp->len);
}

static void
pb_log(struct sf_buf *b, const struct sf_log *log, struct sf_buf *msg, struct sf_buf *tmp)
{
    sf_buf_reset(msg);
    uint8_t tag = 0x08;
    sf_buf_append(msg, &tag, 1);
    pb_varint(msg, log->time);
    for (size_t i = 0; i < log->n_contents; i++) {
        pb_kv(msg, 0x12, &log->contents[i], tmp);
    }
    pb_bytes(b, 0x0a, msg->ptr, msg->len);
}

/* Re-encodes the logs of |src| (cycled) into bodies of GROUPS_PER_BODY groups of
 * LOGS_PER_GROUP logs, each group with |src|'s first group's topic, source and tags. */
static void dataset_build(struct dataset *ds, const char *name, size_t target_bytes)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.pb", SF_TESTDATA_DIR, name);
    size_t pb_len;
    uint8_t *pb = read_file(path, &pb_len);
    struct sf_arena src_arena;
    struct sf_loggroup_list src;
    sf_arena_init(&src_arena, 1 << 20);
    if (sf_loggroup_decode(pb, pb_len, &src_arena, &src) != SF_OK || src.n_groups == 0) {
        fprintf(stderr, "bench: cannot decode %s\n", path);
        exit(1);
    }
    const struct sf_loggroup *model = &src.groups[0];

    *ds = (struct dataset){.name = name};
    sf_arena_init(&ds->arena, 16 << 20);
    size_t cap = 0;
    size_t next_log = 0;
    struct sf_buf body, group, msg, tmp;
    sf_buf_init(&body, SIZE_MAX);
    sf_buf_init(&group, SIZE_MAX);
    sf_buf_init(&msg, SIZE_MAX);
    sf_buf_init(&tmp, SIZE_MAX);
    while (ds->raw_bytes < target_bytes) {
        sf_buf_reset(&body);
        for (size_t g = 0; g < GROUPS_PER_BODY; g++) {
            sf_buf_reset(&group);
            for (size_t l = 0; l < LOGS_PER_GROUP; l++) {
                pb_log(&group, &model->logs[next_log++ % model->n_logs], &msg, &tmp);
            }
            pb_bytes(&group, 0x1a, model->topic.ptr, model->topic.len);
            pb_bytes(&group, 0x22, model->source.ptr, model->source.len);
            for (size_t t = 0; t < model->n_tags; t++) {
                pb_kv(&group, 0x32, &model->tags[t], &tmp);
            }
            pb_bytes(&body, 0x0a, group.ptr, group.len);
        }
        if (ds->n_bodies == cap) {
            cap = cap ? 2 * cap : 16;
            ds->bodies = sf_xrealloc(ds->bodies, cap * sizeof(*ds->bodies));
        }
        struct body *b = &ds->bodies[ds->n_bodies++];
        b->raw_len = body.len;
        b->raw = sf_xmalloc(body.len);
        memcpy(b->raw, body.ptr, body.len);
        int bound = LZ4_compressBound((int)body.len);
        b->lz4 = sf_xmalloc((size_t)bound);
        b->lz4_len = (size_t)LZ4_compress_default((const char *)b->raw, (char *)b->lz4,
                                                  (int)body.len, bound);
        if (sf_loggroup_decode(b->raw, b->raw_len, &ds->arena, &b->list) != SF_OK) {
            fprintf(stderr, "bench: re-encoded body does not decode\n");
            exit(1);
        }
        ds->raw_bytes += b->raw_len;
        ds->n_logs += b->list.n_logs_total;
    }
    sf_buf_cleanup(&tmp);
    sf_buf_cleanup(&msg);
    sf_buf_cleanup(&group);
    sf_buf_cleanup(&body);
    sf_arena_cleanup(&src_arena);
    free(pb);
}

static void dataset_free(struct dataset *ds)
{
    for (size_t i = 0; i < ds->n_bodies; i++) {
        free(ds->bodies[i].raw);
        free(ds->bodies[i].lz4);
    }
    free(ds->bodies);
    sf_arena_cleanup(&ds->arena);
}

enum stage { STAGE_MAP, STAGE_DECODE_MAP, STAGE_LZ4_DECODE_MAP };
static const char *const stage_names[] = {"map", "decode+map", "lz4+decode+map"};

enum routing { ROUTING_OFF, ROUTING_TEMPLATES, ROUTING_POSITION };
static const char *const routing_names[] = {"off", "templates", "templates+position"};

/* Where the bench's bodies "come from": what {project}, {logstore} and the position read. */
static const struct sf_hec_event_origin bench_origin = {.project = "prod-logs",
                                                        .logstore = "nginx",
                                                        .shard = 3,
                                                        .cursor = "MTc0OTU0MjQwMDAwMDAwMDAwMA=="};

static void map_list(const struct sf_hec_event_mapping *map,
                     const struct sf_loggroup_list *list,
                     struct sf_buf *out)
{
    size_t n_done, n_filtered;
    sf_buf_reset(out);
    if (sf_hec_event_append_list_from(map, NULL, &bench_origin, list, 0, out, &n_done,
                                      &n_filtered) != SF_OK) {
        fprintf(stderr, "bench: map failed\n");
        exit(1);
    }
}

/* One pass over every body; returns CPU seconds and the JSON bytes written. */
static double run(const struct dataset *ds,
                  enum stage stage,
                  const struct sf_hec_event_mapping *map,
                  struct sf_arena *arena,
                  struct sf_buf *raw,
                  struct sf_buf *out,
                  size_t *out_bytes)
{
    size_t written = 0;
    double start = cpu_seconds();
    for (size_t i = 0; i < ds->n_bodies; i++) {
        const struct body *b = &ds->bodies[i];
        struct sf_loggroup_list list;
        const uint8_t *data = b->raw;
        if (stage == STAGE_MAP) {
            map_list(map, &b->list, out);
            written += out->len;
            continue;
        }
        if (stage == STAGE_LZ4_DECODE_MAP) {
            if (sf_decompress(SF_COMPRESS_LZ4, b->lz4, b->lz4_len, b->raw_len, 64u << 20, raw) !=
                SF_OK) {
                fprintf(stderr, "bench: lz4 failed\n");
                exit(1);
            }
            data = raw->ptr;
        }
        if (sf_loggroup_decode(data, b->raw_len, arena, &list) != SF_OK) {
            fprintf(stderr, "bench: decode failed\n");
            exit(1);
        }
        map_list(map, &list, out);
        written += out->len;
        sf_arena_reset(arena);
    }
    *out_bytes = written;
    return cpu_seconds() - start;
}

static const char *only_stage; /* filters from the command line; NULL: all */
static const char *only_form;
static const char *only_routing;

static void bench_dataset(const struct dataset *ds)
{
    static const char *const fields[] = {"actiontrail_audit_event:event"};
    struct sf_arena arena;
    struct sf_buf raw, out;
    sf_arena_init(&arena, 1 << 20);
    sf_buf_init(&raw, 64u << 20);
    sf_buf_init(&out, 256u << 20);
    for (int form = 0; form < 2; form++) {
        for (int routing = ROUTING_OFF; routing <= ROUTING_POSITION; routing++) {
            if (only_form && strcmp(only_form, form ? "string" : "object") != 0) {
                continue;
            }
            if (only_routing && strcmp(only_routing, routing_names[routing]) != 0) {
                continue;
            }
            struct sf_hec_event_options opts = {
                .sourcetype = "aliyun:sls:nginx",
                .index = "main",
                .source = "sls-consumer",
                .host = "consumer-1",
                .event_as_string = form == 1,
                .json_fields = fields,
                .n_json_fields = 1,
            };
            if (routing != ROUTING_OFF) {
                /* Each of the four reads the log: a group field, a tag, a content, the source. */
                opts.sourcetype = "aliyun:{__topic__|sls}";
                opts.index = "{project}-{logstore}";
                opts.source = "{status|none}";
                opts.host = "{__tag__:__hostname__|-}";
                opts.position_fields = routing == ROUTING_POSITION;
            }
            struct sf_hec_event_mapping *map;
            if (sf_hec_event_mapping_new(&opts, &map, NULL, 0) != SF_OK) {
                exit(1);
            }
            for (int stage = STAGE_MAP; stage <= STAGE_LZ4_DECODE_MAP; stage++) {
                if (only_stage && strcmp(only_stage, stage_names[stage]) != 0) {
                    continue;
                }
                double best = 1e9;
                size_t out_bytes = 0;
                for (int r = 0; r < N_RUNS; r++) {
                    double s = run(ds, (enum stage)stage, map, &arena, &raw, &out, &out_bytes);
                    best = s < best ? s : best;
                }
                printf("RESULT bench=transform stage=%s raw_mb_per_s=%.1f events_per_s=%.0f "
                       "out_mb_per_s=%.1f data=%s form=%s routing=%s\n",
                       stage_names[stage], (double)ds->raw_bytes / 1e6 / best,
                       (double)ds->n_logs / best, (double)out_bytes / 1e6 / best, ds->name,
                       form ? "string" : "object", routing_names[routing]);
                fflush(stdout);
            }
            sf_hec_event_mapping_free(map);
        }
    }
    sf_buf_cleanup(&out);
    sf_buf_cleanup(&raw);
    sf_arena_cleanup(&arena);
}

int main(int argc, char **argv)
{
    size_t target_mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
    const char *only_data = argc > 2 ? argv[2] : NULL;
    only_stage = argc > 3 ? argv[3] : NULL;
    only_form = argc > 4 ? argv[4] : NULL;
    only_routing = argc > 5 ? argv[5] : NULL;
    static const char *const names[] = {"nginx", "actiontrail"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (only_data && strcmp(only_data, names[i]) != 0) {
            continue;
        }
        struct dataset ds;
        dataset_build(&ds, names[i], target_mb * 1000000);
        fprintf(stderr,
                "bench: %s: %zu bodies, %zu logs, %.1f MB raw (%.0f bytes/log); best CPU time "
                "of %d runs\n",
                ds.name, ds.n_bodies, ds.n_logs, (double)ds.raw_bytes / 1e6,
                (double)ds.raw_bytes / (double)ds.n_logs, N_RUNS);
        bench_dataset(&ds);
        dataset_free(&ds);
    }
    return 0;
}
