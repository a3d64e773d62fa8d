/* Generator driver: reserves `seq` numbers and a random stream under the lock, builds
 * LogGroups (protobuf-c, packed straight into their stored frame) without it, then appends
 * them round-robin to the read-write shards. */
#include "generate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gen_int.h"
#include "store.h"
#include "util/alloc.h"

#include "util/banned.h"

bool emu_gen_kind_parse(const char *name, enum emu_gen_kind *out)
{
    if (strcasecmp(name, "nginx") == 0) {
        *out = EMU_GEN_NGINX;
        return true;
    }
    if (strcasecmp(name, "actiontrail") == 0) {
        *out = EMU_GEN_ACTIONTRAIL;
        return true;
    }
    return false;
}

const char *emu_gen_kind_name(enum emu_gen_kind kind)
{
    return kind == EMU_GEN_NGINX ? "nginx" : "actiontrail";
}

/* splitmix64: good enough, tiny, and identical on every platform. */
uint64_t gen_u64(struct gen *g)
{
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

unsigned gen_pick(struct gen *g, unsigned n)
{
    return (unsigned)(gen_u64(g) % n);
}

ProtobufCBinaryData gen_fmt(struct gen *g, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof(buf) ? sizeof(buf) - 1 : (size_t)n;
    uint8_t *data = sf_arena_alloc(&g->arena, len + 1);
    memcpy(data, buf, len);
    return (ProtobufCBinaryData){.len = len, .data = data};
}

ProtobufCBinaryData gen_lit(const char *s)
{
    return (ProtobufCBinaryData){.len = strlen(s), .data = (uint8_t *)(uintptr_t)s};
}

void gen_add(Emu__Log *log, const char *key, ProtobufCBinaryData value)
{
    Emu__Log__Content *c = (Emu__Log__Content *)log->contents[log->n_contents];
    c->key = gen_lit(key);
    c->value = value;
    log->n_contents++;
}

Emu__Log *gen_log_new(struct gen *g, uint32_t time_s, size_t max_contents)
{
    Emu__Log *log = sf_arena_alloc(&g->arena, sizeof(*log));
    emu__log__init(log);
    log->time = time_s;
    log->contents = sf_arena_alloc(&g->arena, max_contents * sizeof(*log->contents));
    Emu__Log__Content *items = sf_arena_alloc(&g->arena, max_contents * sizeof(*items));
    for (size_t i = 0; i < max_contents; i++) {
        emu__log__content__init(&items[i]);
        log->contents[i] = &items[i];
    }
    return log;
}

static void add_tag(struct gen *g, Emu__LogGroup *group, const char *key, ProtobufCBinaryData v)
{
    Emu__LogTag *tag = sf_arena_alloc(&g->arena, sizeof(*tag));
    emu__log_tag__init(tag);
    tag->key = gen_lit(key);
    tag->value = v;
    group->logtags[group->n_logtags++] = tag;
}

/* Logtail's view of a producer host: hostname, path, source IP, pack id. */
static void set_envelope(struct gen *g, Emu__LogGroup *group, enum emu_gen_kind kind, uint64_t pack)
{
    unsigned host = gen_pick(g, 16);
    group->logtags = sf_arena_alloc(&g->arena, 8 * sizeof(*group->logtags));
    group->has_source = true;
    if (kind == EMU_GEN_NGINX) {
        group->source = gen_fmt(g, "192.168.%u.%u", 10 + host / 8, 20 + host);
        add_tag(g, group, "__hostname__", gen_fmt(g, "web-%02u", host + 1));
        add_tag(g, group, "__path__", gen_lit("/var/log/nginx/access.log"));
    } else {
        group->has_topic = true;
        group->topic = gen_lit("actiontrail_audit_event");
        group->source = gen_lit("actiontrail.aliyuncs.com");
    }
    add_tag(g, group, "__pack_id__",
            gen_fmt(g, "%016llX-%llX", (unsigned long long)(0xA5C3E1F200000000ull | host),
                    (unsigned long long)pack));
    add_tag(g, group, "__receive_time__", gen_fmt(g, "%lld", (long long)g->recv_s));
    add_tag(g, group, "__client_ip__", gen_fmt(g, "47.98.%u.%u", host, 100 + host));
}

static struct emu_lg *
build_group(struct gen *g, enum emu_gen_kind kind, size_t n_logs, uint64_t pack)
{
    sf_arena_reset(&g->arena);
    Emu__LogGroup group;
    emu__log_group__init(&group);
    set_envelope(g, &group, kind, pack);
    group.logs = sf_arena_alloc(&g->arena, n_logs * sizeof(*group.logs));
    bool has_ns = pack % 2 == 1; /* half the producers report nanoseconds */
    for (size_t i = 0; i < n_logs; i++) {
        Emu__Log *log = gen_log_new(g, (uint32_t)(g->recv_s - (int64_t)gen_pick(g, 3)), 24);
        if (has_ns) {
            log->has_time_ns = true;
            log->time_ns = (uint32_t)(gen_u64(g) % 1000000000u);
        }
        if (kind == EMU_GEN_NGINX) {
            gen_nginx_log(g, log);
        } else {
            gen_actiontrail_log(g, log);
        }
        group.logs[group.n_logs++] = log;
    }
    size_t len = emu__log_group__get_packed_size(&group);
    struct emu_lg *lg = emu_lg_new(NULL, len, (uint32_t)n_logs, g->recv_s);
    emu__log_group__pack(&group, lg->data + lg->len - len);
    emu_lg_seal(lg);
    return lg;
}

static size_t group_size(struct gen *g, enum emu_gen_kind kind)
{
    return kind == EMU_GEN_NGINX ? 16 + gen_pick(g, 241) : 16 + gen_pick(g, 113);
}

uint64_t emu_generate(struct emu_server *srv,
                      struct emu_logstore *ls,
                      enum emu_gen_kind kind,
                      uint64_t n_logs,
                      int64_t spread_s,
                      int shard_id)
{
    struct gen g = {0};
    pthread_mutex_lock(&srv->lock);
    g.seq = srv->next_log_seq;
    srv->next_log_seq += n_logs;
    g.rng = ls->gen_rng;
    ls->gen_rng = gen_u64(&g) | 1;
    uint64_t pack = ls->gen_packs;
    ls->gen_packs += n_logs;
    pthread_mutex_unlock(&srv->lock);

    sf_arena_init(&g.arena, 256 * 1024);
    size_t cap = 64, n_groups = 0;
    struct emu_lg **groups = sf_xmalloc(cap * sizeof(*groups));
    int64_t now = emu_now_s();
    uint64_t done = 0;
    size_t expected_groups = (size_t)(n_logs / (kind == EMU_GEN_NGINX ? 136 : 72)) + 1;
    while (done < n_logs) {
        size_t n = group_size(&g, kind);
        n = n > n_logs - done ? (size_t)(n_logs - done) : n;
        g.recv_s = now - spread_s +
                   (int64_t)((double)spread_s * (double)n_groups /
                             (double)(expected_groups ? expected_groups : 1));
        g.recv_s = g.recv_s > now ? now : g.recv_s;
        if (n_groups == cap) {
            cap *= 2;
            groups = sf_xrealloc(groups, cap * sizeof(*groups));
        }
        groups[n_groups] = build_group(&g, kind, n, pack + n_groups);
        n_groups++;
        done += n;
    }
    sf_arena_cleanup(&g.arena);

    pthread_mutex_lock(&srv->lock);
    struct emu_shard *only = shard_id >= 0 ? emu_shard_find(ls, shard_id) : NULL;
    uint64_t written = 0;
    for (size_t i = 0; i < n_groups; i++) {
        struct emu_shard *shard = shard_id >= 0 ? only : emu_store_pick_shard(ls);
        if (!shard || shard->is_readonly) {
            emu_lg_unref(groups[i]);
            continue;
        }
        written += groups[i]->n_logs;
        emu_store_append(shard, groups[i]);
    }
    pthread_mutex_unlock(&srv->lock);
    free(groups);
    return written;
}
