/* The coord's charges to the memory budget (memory.c; docs/internals/pipeline.md). Fetch
 * worker functions run on the worker that owns |worker|, without the coord lock; the pool
 * functions with coord->lock held. */
#ifndef SF_COORD_MEMORY_H
#define SF_COORD_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/batch.h"

struct sf_coord;
struct sf_coord_worker;

/* The most one pull may receive (wire) and decompress to (raw) by default: a sixteenth of
 * the budget per worker, between 16 KiB and 8 MiB. Pulls ask for about half of it. */
size_t sf_coord_memory_window(const struct sf_coord *coord);
/* The widest window a shard gets when one LogGroup does not fit the default: a sixteenth of
 * the budget, so its reservation (at most 12 windows) leaves room for the rest. */
size_t sf_coord_memory_window_max(const struct sf_coord *coord);
/* How many payload bytes may wait for the sinks to take them before pulls pause. */
size_t sf_coord_memory_queue_cap(const struct sf_coord *coord);
void sf_coord_memory_init(struct sf_coord *coord);
/* Charges |worker|'s pull buffers for a pull of up to |window| bytes, its decode arena and a
 * batch payload for what such a pull needs, waiting for room; caps the buffers at what is
 * charged. False when the coord stops while waiting, or when the reservation is larger than
 * the whole budget (then the coord is not stopping). */
bool sf_coord_memory_reserve_pull(struct sf_coord_worker *worker, size_t window);
/* After a pull: charges the decode arena's growth beyond its reservation. False when that
 * does not fit (the arena was freed: the pull must be dropped). */
bool sf_coord_memory_settle_decode(struct sf_coord_worker *worker);
/* Before building |batch| from a pull: its payloads may grow into the reservation. */
void sf_coord_memory_prepare_batch(struct sf_coord_worker *worker, struct sf_batch *batch);
/* After building: the batch's charge becomes what its buffers hold, taken from the worker's
 * reservation. False when the batch outgrew what could be charged (drop it). */
bool sf_coord_memory_settle_batch(struct sf_coord_worker *worker,
                                  struct sf_batch *batch,
                                  size_t raw_size);
/* Lock held: whether |batch| (back from the sinks) is worth keeping warm in the pool: the
 * pool is small, and a batch that grew past what a pull needs now is freed instead. */
bool sf_coord_memory_should_pool(const struct sf_coord *coord, const struct sf_batch *batch);
/* |batch|'s buffers are about to be freed: releases its charge. */
void sf_coord_memory_batch_freed(struct sf_coord *coord, struct sf_batch *batch);
/* Frees and uncharges |worker|'s pull buffers once it pulled no data for a while. */
void sf_coord_memory_trim_worker(struct sf_coord_worker *worker, int64_t now_ms);
/* Frees and uncharges |worker|'s buffers now (coord stop). */
void sf_coord_memory_release_worker(struct sf_coord_worker *worker);
/* Lock held: frees and uncharges pooled batches that sat unused for a while. */
void sf_coord_memory_trim_pool(struct sf_coord *coord, int64_t now_ms);

#endif
