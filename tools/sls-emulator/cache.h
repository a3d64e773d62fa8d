/* Cache of compressed PullLogs bodies (zstd, deflate, gzip: LZ4 is spliced from pre-compressed
 * blocks and needs none) keyed by (shard uid, first sequence number, LogGroup count, codec).
 * A stored LogGroup never changes, so such a body is valid forever; the cache only bounds
 * memory (least recently used first out). Repeated reads of a range (several consumer groups,
 * replays after a rebalance or a crash) are then served without compressing again.
 * Thread-safe (own mutex). */
#ifndef EMU_CACHE_H
#define EMU_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "emu.h"

struct emu_cache_key {
    uint64_t shard_uid;
    int64_t seq;
    uint32_t n_groups;
    uint32_t codec;
};

struct emu_cache_stats {
    uint64_t hits;
    uint64_t misses;
    uint64_t entries;
    uint64_t bytes;
    uint64_t max_bytes;
};

/* |max_bytes| 0 disables caching. */
struct emu_cache *emu_cache_new(size_t max_bytes);
void emu_cache_free(struct emu_cache *cache);
/* A new reference to the cached body and its raw size, or NULL. */
struct emu_body *
emu_cache_get(struct emu_cache *cache, const struct emu_cache_key *key, size_t *raw_len);
/* Stores |body| (takes its own reference). Bodies larger than a quarter of the budget are
 * not kept: they would evict everything else. */
void emu_cache_put(struct emu_cache *cache,
                   const struct emu_cache_key *key,
                   struct emu_body *body,
                   size_t raw_len);
void emu_cache_get_stats(struct emu_cache *cache, struct emu_cache_stats *out);

#endif
