#include "store.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/encode.h"

#include "util/banned.h"

/* Shard hash ranges are 128-bit MD5 space; exclusiveEndKey of the last shard is written as
 * ffff...ffff, as the service does. */
typedef unsigned __int128 u128;

static void key_format(u128 v, char *out)
{
    for (int i = 31; i >= 0; i--) {
        out[i] = "0123456789abcdef"[(unsigned)(v & 15)];
        v >>= 4;
    }
    out[32] = '\0';
}

static bool key_parse(const char *s, u128 *out)
{
    u128 v = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        int c = tolower((unsigned char)s[n]);
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0 || n == 32) {
            return false;
        }
        v = v << 4 | (u128)d;
    }
    *out = v;
    return n == 32;
}

bool emu_store_valid_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 63) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool is_alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!is_alnum && ((c != '-' && c != '_') || i == 0 || i == len - 1)) {
            return false;
        }
    }
    return true;
}

static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 0x100000001B3ull;
    }
    return h;
}

struct emu_project *
emu_store_add_project(struct emu_server *srv, const char *name, const char **why)
{
    if (!emu_store_valid_name(name)) {
        *why = "project name must be 1-63 of [a-z0-9_-]";
        return NULL;
    }
    if (emu_project_find(srv, name, strlen(name))) {
        *why = "project already exists";
        return NULL;
    }
    if (srv->n_projects == EMU_MAX_PROJECTS) {
        *why = "too many projects";
        return NULL;
    }
    struct emu_project *project = sf_xcalloc(1, sizeof(*project));
    snprintf(project->name, sizeof(project->name), "%s", name);
    project->create_time_s = emu_now_s();
    srv->projects[srv->n_projects++] = project;
    return project;
}

static struct emu_shard *
shard_new(struct emu_server *srv, struct emu_logstore *ls, u128 begin, const char *end_key)
{
    struct emu_shard *shard = sf_xcalloc(1, sizeof(*shard));
    shard->id = ls->n_shards;
    shard->uid = srv->next_shard_uid++;
    key_format(begin, shard->begin_key);
    snprintf(shard->end_key, sizeof(shard->end_key), "%s", end_key);
    shard->create_time_s = emu_now_s();
    /* Cursors look like the service's (a large int64) and differ between shards, so a cursor
     * used on the wrong shard is refused rather than silently read. */
    shard->first_seq = shard->create_time_s * 1000000000ll + (int64_t)shard->id * 10000000ll;
    ls->shards[ls->n_shards++] = shard;
    return shard;
}

struct emu_logstore *emu_store_add_logstore(struct emu_server *srv,
                                            struct emu_project *project,
                                            const char *name,
                                            int n_shards,
                                            const char **why)
{
    if (!emu_store_valid_name(name)) {
        *why = "logstore name must be 1-63 of [a-z0-9_-]";
        return NULL;
    }
    if (emu_logstore_find(project, name, strlen(name))) {
        *why = "logstore already exists";
        return NULL;
    }
    if (project->n_logstores == EMU_MAX_LOGSTORES || n_shards < 1 ||
        n_shards > EMU_MAX_NEW_SHARDS) {
        *why = "too many logstores, or shard count not in 1..800";
        return NULL;
    }
    struct emu_logstore *ls = sf_xcalloc(1, sizeof(*ls));
    snprintf(ls->name, sizeof(ls->name), "%s", name);
    ls->create_time_s = emu_now_s();
    ls->ttl_days = 30;
    ls->gen_rng = fnv1a(name, fnv1a(project->name, 0xCBF29CE484222325ull ^ srv->seed)) | 1;
    u128 step = ((u128)1 << 127) / (u128)n_shards * 2;
    for (int i = 0; i < n_shards; i++) {
        char end[EMU_KEY_HEX];
        if (i == n_shards - 1) {
            snprintf(end, sizeof(end), "ffffffffffffffffffffffffffffffff");
        } else {
            key_format(step * (u128)(i + 1), end);
        }
        shard_new(srv, ls, step * (u128)i, end);
    }
    project->logstores[project->n_logstores++] = ls;
    return ls;
}

void emu_store_append(struct emu_shard *shard, struct emu_lg *lg)
{
    if (shard->n_groups == shard->cap_groups) {
        shard->cap_groups = shard->cap_groups ? shard->cap_groups * 2 : 256;
        shard->groups = sf_xrealloc(shard->groups, shard->cap_groups * sizeof(*shard->groups));
    }
    if (shard->n_groups && lg->recv_time_s < shard->groups[shard->n_groups - 1]->recv_time_s) {
        lg->recv_time_s = shard->groups[shard->n_groups - 1]->recv_time_s;
    }
    shard->groups[shard->n_groups++] = lg;
    shard->n_logs_total += lg->n_logs;
    shard->raw_bytes_total += lg->len;
}

struct emu_shard *emu_store_pick_shard(struct emu_logstore *ls)
{
    for (int tries = 0; tries < ls->n_shards; tries++) {
        struct emu_shard *shard = ls->shards[ls->rr_next++ % (unsigned)ls->n_shards];
        if (!shard->is_readonly) {
            return shard;
        }
    }
    return NULL;
}

struct emu_shard *emu_store_route(struct emu_logstore *ls, const char *key)
{
    u128 k = 0;
    if (!key_parse(key, &k)) {
        return NULL;
    }
    for (int i = 0; i < ls->n_shards; i++) {
        struct emu_shard *shard = ls->shards[i];
        u128 begin = 0, end = 0;
        key_parse(shard->begin_key, &begin);
        key_parse(shard->end_key, &end);
        bool is_last = strcmp(shard->end_key, "ffffffffffffffffffffffffffffffff") == 0;
        if (!shard->is_readonly && k >= begin && (k < end || is_last)) {
            return shard;
        }
    }
    return NULL;
}

void emu_store_hash_key(const char *data, size_t len, char *out)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(data, len, md, &n, EVP_md5(), NULL);
    sf_hex_encode(md, n, false, out);
}

static bool check_growable(struct emu_logstore *ls, int n_new, const char **why)
{
    if (ls->n_shards + n_new > EMU_MAX_SHARDS) {
        *why = "logstore has too many shards";
        return false;
    }
    return true;
}

bool emu_store_split(struct emu_server *srv,
                     struct emu_logstore *ls,
                     int id,
                     const char *split_key,
                     int children[2],
                     const char **why)
{
    struct emu_shard *parent = emu_shard_find(ls, id);
    if (!parent || parent->is_readonly) {
        *why = parent ? "shard is read-only" : "shard does not exist";
        return false;
    }
    if (!check_growable(ls, 2, why)) {
        return false;
    }
    u128 begin = 0, end = 0, mid = 0;
    key_parse(parent->begin_key, &begin);
    key_parse(parent->end_key, &end);
    if (split_key) {
        if (!key_parse(split_key, &mid) || mid <= begin || mid >= end) {
            *why = "split key must be 32 hex digits strictly inside the shard's range";
            return false;
        }
    } else {
        mid = begin + (end - begin) / 2;
        if (mid == begin) {
            *why = "shard range too small to split";
            return false;
        }
    }
    parent->is_readonly = true;
    char mid_key[EMU_KEY_HEX];
    key_format(mid, mid_key);
    struct emu_shard *left = shard_new(srv, ls, begin, mid_key);
    struct emu_shard *right = shard_new(srv, ls, mid, parent->end_key);
    left->parents[0] = right->parents[0] = parent->id;
    left->n_parents = right->n_parents = 1;
    children[0] = left->id;
    children[1] = right->id;
    return true;
}

bool emu_store_merge(
    struct emu_server *srv, struct emu_logstore *ls, int id, int *child, const char **why)
{
    struct emu_shard *left = emu_shard_find(ls, id);
    if (!left || left->is_readonly) {
        *why = left ? "shard is read-only" : "shard does not exist";
        return false;
    }
    struct emu_shard *right = NULL;
    for (int i = 0; i < ls->n_shards; i++) {
        if (!ls->shards[i]->is_readonly && strcmp(ls->shards[i]->begin_key, left->end_key) == 0) {
            right = ls->shards[i];
        }
    }
    if (!right) {
        *why = "no read-write shard follows this one in hash order";
        return false;
    }
    if (!check_growable(ls, 1, why)) {
        return false;
    }
    u128 begin = 0;
    key_parse(left->begin_key, &begin);
    left->is_readonly = right->is_readonly = true;
    struct emu_shard *merged = shard_new(srv, ls, begin, right->end_key);
    merged->parents[0] = left->id;
    merged->parents[1] = right->id;
    merged->n_parents = 2;
    *child = merged->id;
    return true;
}

static uint64_t drop_before(struct emu_shard *shard, int64_t cutoff)
{
    size_t k = 0;
    while (k < shard->n_groups && shard->groups[k]->recv_time_s < cutoff) {
        emu_lg_unref(shard->groups[k]);
        k++;
    }
    if (k) {
        memmove(shard->groups, shard->groups + k, (shard->n_groups - k) * sizeof(*shard->groups));
        shard->n_groups -= k;
        shard->first_seq += (int64_t)k;
    }
    return k;
}

uint64_t emu_store_apply_retention(struct emu_server *srv, int64_t now_s)
{
    if (srv->retention_s <= 0) {
        return 0;
    }
    uint64_t n = 0;
    for (int p = 0; p < srv->n_projects; p++) {
        for (int l = 0; l < srv->projects[p]->n_logstores; l++) {
            struct emu_logstore *ls = srv->projects[p]->logstores[l];
            for (int s = 0; s < ls->n_shards; s++) {
                n += drop_before(ls->shards[s], now_s - srv->retention_s);
            }
        }
    }
    return n;
}

int64_t emu_store_seq_at_time(const struct emu_shard *shard, int64_t t)
{
    size_t lo = 0, hi = shard->n_groups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (shard->groups[mid]->recv_time_s < t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return shard->first_seq + (int64_t)lo;
}
