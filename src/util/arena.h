/* Bump allocator for one unit of work (a batch): many small allocations, freed together.
 * sf_arena_reset keeps the largest chunk, so a reused arena stops touching fresh memory after
 * its first few batches. Not thread-safe; one owner. */
#ifndef SF_UTIL_ARENA_H
#define SF_UTIL_ARENA_H

#include <stddef.h>

struct sf_arena_chunk;

struct sf_arena {
    struct sf_arena_chunk *head; /* current chunk; older ones linked behind it */
    size_t chunk_size;           /* minimum size of a new chunk */
    size_t used_total;           /* bytes handed out since the last reset */
};

void sf_arena_init(struct sf_arena *arena, size_t chunk_size);
void sf_arena_cleanup(struct sf_arena *arena);
/* Frees every allocation at once; keeps the biggest chunk for reuse. */
void sf_arena_reset(struct sf_arena *arena);
/* Bytes of memory the arena holds now (its chunks, headers included): what a caller charges
 * to a memory budget. */
size_t sf_arena_held(const struct sf_arena *arena);
/* |size| bytes aligned for any type; never NULL (aborts on OOM). */
void *sf_arena_alloc(struct sf_arena *arena, size_t size);

#endif
