/* The server object: construction, name lookups, and the small refcounted types. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "cache.h"
#include "creds.h"
#include "emu.h"
#include "util/alloc.h"

#include "util/banned.h"

static const char *const api_names[] = {
#define EMU_API_NAME(id, name) name,
    EMU_API_LIST(EMU_API_NAME)
#undef EMU_API_NAME
};

const char *emu_api_name(enum emu_api api)
{
    return (unsigned)api < EMU_API__COUNT ? api_names[api] : "Unknown";
}

bool emu_api_parse(const char *name, enum emu_api *out)
{
    if (strcasecmp(name, "PutLogs") == 0) {
        *out = EMU_API_POST_LOGS;
        return true;
    }
    if (strcasecmp(name, "ConsumerGroupGetCheckPoint") == 0) {
        *out = EMU_API_GET_CHECKPOINT;
        return true;
    }
    for (int i = 0; i < EMU_API__COUNT; i++) {
        if (strcasecmp(name, api_names[i]) == 0) {
            *out = (enum emu_api)i;
            return true;
        }
    }
    return false;
}

int64_t emu_now_s(void)
{
    return (int64_t)time(NULL);
}

int64_t emu_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

struct emu_lg *emu_lg_new(const uint8_t *loggroup, size_t len, uint32_t n_logs, int64_t recv_s)
{
    uint8_t prefix[11];
    size_t n_prefix = 0;
    prefix[n_prefix++] = 0x0A; /* LogGroupList.LogGroups, wire type 2 */
    for (size_t v = len;; v >>= 7) {
        prefix[n_prefix++] = (uint8_t)((v & 0x7F) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80) {
            break;
        }
    }
    struct emu_lg *lg = sf_xmalloc(sizeof(*lg) + n_prefix + len);
    atomic_init(&lg->refs, 1);
    memset(&lg->lz4, 0, sizeof(lg->lz4));
    lg->recv_time_s = recv_s;
    lg->n_logs = n_logs;
    lg->len = (uint32_t)(n_prefix + len);
    memcpy(lg->data, prefix, n_prefix);
    if (len && loggroup) {
        memcpy(lg->data + n_prefix, loggroup, len);
    }
    return lg;
}

void emu_lg_seal(struct emu_lg *lg)
{
    if (!emu_lz4_block_make(lg->data, lg->len, &lg->lz4)) {
        memset(&lg->lz4, 0, sizeof(lg->lz4)); /* PullLogs falls back to compressing */
    }
}

void emu_lg_ref(struct emu_lg *lg)
{
    atomic_fetch_add_explicit(&lg->refs, 1, memory_order_relaxed);
}

void emu_lg_unref(struct emu_lg *lg)
{
    if (lg && atomic_fetch_sub_explicit(&lg->refs, 1, memory_order_acq_rel) == 1) {
        emu_lz4_block_cleanup(&lg->lz4);
        free(lg);
    }
}

struct emu_body *emu_body_new(size_t len)
{
    struct emu_body *body = sf_xmalloc(sizeof(*body) + len);
    atomic_init(&body->refs, 1);
    body->len = len;
    return body;
}

struct emu_body *emu_body_from(const void *data, size_t len)
{
    struct emu_body *body = emu_body_new(len);
    if (len) {
        memcpy(body->data, data, len);
    }
    return body;
}

void emu_body_ref(struct emu_body *body)
{
    atomic_fetch_add_explicit(&body->refs, 1, memory_order_relaxed);
}

void emu_body_unref(struct emu_body *body)
{
    if (body && atomic_fetch_sub_explicit(&body->refs, 1, memory_order_acq_rel) == 1) {
        free(body);
    }
}

void emu_server_init(struct emu_server *srv, const struct emu_server_options *opts)
{
    memset(srv, 0, sizeof(*srv));
    pthread_mutex_init(&srv->lock, NULL);
    srv->n_keys = opts->n_keys;
    srv->keys = sf_xcalloc(opts->n_keys ? opts->n_keys : 1, sizeof(*srv->keys));
    for (size_t i = 0; i < opts->n_keys; i++) {
        srv->keys[i].id = sf_xstrdup(opts->keys[i].id);
        srv->keys[i].secret = sf_xstrdup(opts->keys[i].secret);
        srv->keys[i].sts_token =
            opts->keys[i].sts_token ? sf_xstrdup(opts->keys[i].sts_token) : NULL;
    }
    srv->is_no_auth = opts->is_no_auth;
    srv->region = opts->region ? sf_xstrdup(opts->region) : NULL;
    srv->is_strict_utf8 = opts->is_strict_utf8;
    srv->max_pull_bytes = opts->max_pull_bytes ? opts->max_pull_bytes : (size_t)10 << 20;
    srv->max_generate = opts->max_generate ? opts->max_generate : 10000000;
    srv->seed = opts->seed;
    srv->retention_s = opts->retention_s;
    srv->cache = emu_cache_new(opts->cache_bytes);
    struct emu_creds_options defaults = {0};
    srv->creds = emu_creds_new(opts->creds ? opts->creds : &defaults);
    srv->next_log_seq = 1;
    srv->next_shard_uid = 1;
    srv->faults.next_id = 1;
    srv->faults.rng = opts->seed ^ 0x9E3779B97F4A7C15ull;
    atomic_init(&srv->n_requests, 0);
}

static void shard_free(struct emu_shard *shard)
{
    for (size_t i = 0; i < shard->n_groups; i++) {
        emu_lg_unref(shard->groups[i]);
    }
    free(shard->groups);
    free(shard);
}

void emu_server_cleanup(struct emu_server *srv)
{
    for (int p = 0; p < srv->n_projects; p++) {
        struct emu_project *project = srv->projects[p];
        for (int l = 0; l < project->n_logstores; l++) {
            struct emu_logstore *ls = project->logstores[l];
            for (int s = 0; s < ls->n_shards; s++) {
                shard_free(ls->shards[s]);
            }
            for (int g = 0; g < ls->n_groups; g++) {
                free(ls->groups[g]);
            }
            free(ls);
        }
        free(project);
    }
    for (size_t i = 0; i < srv->n_keys; i++) {
        free(srv->keys[i].id);
        free(srv->keys[i].secret);
        free(srv->keys[i].sts_token);
    }
    free(srv->keys);
    free(srv->region);
    emu_cache_free(srv->cache);
    emu_creds_free(srv->creds);
    pthread_mutex_destroy(&srv->lock);
    memset(srv, 0, sizeof(*srv));
}

static bool name_eq(const char *stored, const char *name, size_t len)
{
    return strlen(stored) == len && memcmp(stored, name, len) == 0;
}

struct emu_project *emu_project_find(struct emu_server *srv, const char *name, size_t len)
{
    for (int i = 0; i < srv->n_projects; i++) {
        if (name_eq(srv->projects[i]->name, name, len)) {
            return srv->projects[i];
        }
    }
    return NULL;
}

struct emu_logstore *emu_logstore_find(struct emu_project *project, const char *name, size_t len)
{
    for (int i = 0; i < project->n_logstores; i++) {
        if (name_eq(project->logstores[i]->name, name, len)) {
            return project->logstores[i];
        }
    }
    return NULL;
}

struct emu_shard *emu_shard_find(struct emu_logstore *ls, long long id)
{
    if (id < 0 || id >= ls->n_shards) {
        return NULL;
    }
    return ls->shards[id];
}

struct emu_group *emu_group_find(struct emu_logstore *ls, const char *name, size_t len)
{
    for (int i = 0; i < ls->n_groups; i++) {
        if (name_eq(ls->groups[i]->name, name, len)) {
            return ls->groups[i];
        }
    }
    return NULL;
}
