#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define N_BUCKETS 4096

struct entry {
    struct emu_cache_key key;
    struct emu_body *body;
    size_t raw_len;
    struct entry *next_in_bucket;
    struct entry *lru_prev; /* towards most recently used */
    struct entry *lru_next;
};

struct emu_cache {
    pthread_mutex_t lock;
    size_t max_bytes;
    size_t bytes;
    uint64_t entries;
    uint64_t hits;
    uint64_t misses;
    struct entry *buckets[N_BUCKETS];
    struct entry *lru_head; /* most recently used */
    struct entry *lru_tail;
};

static size_t bucket_of(const struct emu_cache_key *key)
{
    uint64_t h = key->shard_uid * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)key->seq * 0xC2B2AE3D27D4EB4Full;
    h ^= ((uint64_t)key->n_groups << 8 | key->codec) * 0x165667B19E3779F9ull;
    return (size_t)(h >> 52) % N_BUCKETS;
}

static bool key_eq(const struct emu_cache_key *a, const struct emu_cache_key *b)
{
    return a->shard_uid == b->shard_uid && a->seq == b->seq && a->n_groups == b->n_groups &&
           a->codec == b->codec;
}

struct emu_cache *emu_cache_new(size_t max_bytes)
{
    struct emu_cache *cache = sf_xcalloc(1, sizeof(*cache));
    pthread_mutex_init(&cache->lock, NULL);
    cache->max_bytes = max_bytes;
    return cache;
}

void emu_cache_free(struct emu_cache *cache)
{
    if (!cache) {
        return;
    }
    for (struct entry *e = cache->lru_head; e;) {
        struct entry *next = e->lru_next;
        emu_body_unref(e->body);
        free(e);
        e = next;
    }
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

static void lru_unlink(struct emu_cache *cache, struct entry *e)
{
    if (e->lru_prev) {
        e->lru_prev->lru_next = e->lru_next;
    } else {
        cache->lru_head = e->lru_next;
    }
    if (e->lru_next) {
        e->lru_next->lru_prev = e->lru_prev;
    } else {
        cache->lru_tail = e->lru_prev;
    }
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct emu_cache *cache, struct entry *e)
{
    e->lru_next = cache->lru_head;
    e->lru_prev = NULL;
    if (cache->lru_head) {
        cache->lru_head->lru_prev = e;
    }
    cache->lru_head = e;
    if (!cache->lru_tail) {
        cache->lru_tail = e;
    }
}

static struct entry *find(struct emu_cache *cache, const struct emu_cache_key *key)
{
    for (struct entry *e = cache->buckets[bucket_of(key)]; e; e = e->next_in_bucket) {
        if (key_eq(&e->key, key)) {
            return e;
        }
    }
    return NULL;
}

struct emu_body *
emu_cache_get(struct emu_cache *cache, const struct emu_cache_key *key, size_t *raw_len)
{
    struct emu_body *body = NULL;
    pthread_mutex_lock(&cache->lock);
    struct entry *e = cache->max_bytes ? find(cache, key) : NULL;
    if (e) {
        lru_unlink(cache, e);
        lru_push_front(cache, e);
        emu_body_ref(e->body);
        body = e->body;
        *raw_len = e->raw_len;
        cache->hits++;
    } else {
        cache->misses++;
    }
    pthread_mutex_unlock(&cache->lock);
    return body;
}

static void evict(struct emu_cache *cache, struct entry *e)
{
    struct entry **link = &cache->buckets[bucket_of(&e->key)];
    while (*link != e) {
        link = &(*link)->next_in_bucket;
    }
    *link = e->next_in_bucket;
    lru_unlink(cache, e);
    cache->bytes -= e->body->len;
    cache->entries--;
    emu_body_unref(e->body);
    free(e);
}

void emu_cache_put(struct emu_cache *cache,
                   const struct emu_cache_key *key,
                   struct emu_body *body,
                   size_t raw_len)
{
    if (body->len > cache->max_bytes / 4) {
        return;
    }
    pthread_mutex_lock(&cache->lock);
    if (!find(cache, key)) {
        struct entry *e = sf_xcalloc(1, sizeof(*e));
        e->key = *key;
        emu_body_ref(body);
        e->body = body;
        e->raw_len = raw_len;
        size_t b = bucket_of(key);
        e->next_in_bucket = cache->buckets[b];
        cache->buckets[b] = e;
        lru_push_front(cache, e);
        cache->bytes += body->len;
        cache->entries++;
        while (cache->bytes > cache->max_bytes && cache->lru_tail) {
            evict(cache, cache->lru_tail);
        }
    }
    pthread_mutex_unlock(&cache->lock);
}

void emu_cache_get_stats(struct emu_cache *cache, struct emu_cache_stats *out)
{
    pthread_mutex_lock(&cache->lock);
    out->hits = cache->hits;
    out->misses = cache->misses;
    out->entries = cache->entries;
    out->bytes = cache->bytes;
    out->max_bytes = cache->max_bytes;
    pthread_mutex_unlock(&cache->lock);
}
