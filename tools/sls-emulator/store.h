/* Projects, logstores and shards: creation, appending LogGroups, hash-key routing, split and
 * merge (docs/protocol/sls-consumer-group.md §Order, split and merge), retention, and time lookups
 * for GetCursor. Every function needs srv->lock held (or runs before the server starts). */
#ifndef EMU_STORE_H
#define EMU_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

/* Names: 1..63 of [a-z0-9_-], starting and ending with a letter or digit. */
bool emu_store_valid_name(const char *name);

/* NULL with |*why| set when the name is invalid, taken, or over the limits. */
struct emu_project *
emu_store_add_project(struct emu_server *srv, const char *name, const char **why);
struct emu_logstore *emu_store_add_logstore(struct emu_server *srv,
                                            struct emu_project *project,
                                            const char *name,
                                            int n_shards,
                                            const char **why);

/* Takes ownership of |lg|. Receive times never go backwards within a shard. */
void emu_store_append(struct emu_shard *shard, struct emu_lg *lg);
/* Next read-write shard in round-robin order (LoadBalance mode), or NULL if none. */
struct emu_shard *emu_store_pick_shard(struct emu_logstore *ls);
/* The read-write shard whose [begin, end) range holds the 32-hex |key| (KeyHash mode);
 * NULL when |key| is not 32 hex digits. */
struct emu_shard *emu_store_route(struct emu_logstore *ls, const char *key);
/* 32-hex MD5 of |data| (lower case): how a client's hash key is usually derived. */
void emu_store_hash_key(const char *data, size_t len, char *out);

/* Splits read-write shard |id| at |split_key| (32 hex, strictly inside its range) or at its
 * middle when NULL. The parent turns read-only; two read-write children get new ids. */
bool emu_store_split(struct emu_server *srv,
                     struct emu_logstore *ls,
                     int id,
                     const char *split_key,
                     int children[2],
                     const char **why);
/* Merges read-write shard |id| with the read-write shard right after it in hash order. */
bool emu_store_merge(
    struct emu_server *srv, struct emu_logstore *ls, int id, int *child, const char **why);

/* Drops LogGroups received before now - srv->retention_s; returns how many. */
uint64_t emu_store_apply_retention(struct emu_server *srv, int64_t now_s);
/* Sequence number of the first LogGroup received at or after |t|, or the end. */
int64_t emu_store_seq_at_time(const struct emu_shard *shard, int64_t t);

#endif
