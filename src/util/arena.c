#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/alloc.h"
#include "util/banned.h"

struct sf_arena_chunk {
    struct sf_arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

#define ARENA_ALIGN alignof(max_align_t)

void sf_arena_init(struct sf_arena *arena, size_t chunk_size)
{
    arena->head = NULL;
    arena->chunk_size = chunk_size ? chunk_size : 4096;
    arena->used_total = 0;
}

static void free_chain(struct sf_arena_chunk *chunk)
{
    while (chunk) {
        struct sf_arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
}

void sf_arena_cleanup(struct sf_arena *arena)
{
    free_chain(arena->head);
    arena->head = NULL;
    arena->used_total = 0;
}

void sf_arena_reset(struct sf_arena *arena)
{
    struct sf_arena_chunk *biggest = NULL;
    for (struct sf_arena_chunk *c = arena->head; c; c = c->next) {
        if (!biggest || c->size > biggest->size) {
            biggest = c;
        }
    }
    /* Next time, one chunk holds what this round needed: the biggest is kept only when it
     * does, else the next allocation would add a second chunk beside it. */
    if (biggest && arena->used_total > biggest->size) {
        biggest = NULL;
    }
    struct sf_arena_chunk *chunk = arena->head;
    while (chunk) {
        struct sf_arena_chunk *next = chunk->next;
        if (chunk != biggest) {
            free(chunk);
        }
        chunk = next;
    }
    arena->head = biggest;
    if (biggest) {
        biggest->next = NULL;
        biggest->used = 0;
    }
    if (arena->used_total > arena->chunk_size) {
        arena->chunk_size = arena->used_total;
    }
    arena->used_total = 0;
}

size_t sf_arena_held(const struct sf_arena *arena)
{
    size_t held = 0;
    for (const struct sf_arena_chunk *c = arena->head; c; c = c->next) {
        held += sizeof(*c) + c->size;
    }
    return held;
}

void *sf_arena_alloc(struct sf_arena *arena, size_t size)
{
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (rounded < size) {
        abort(); /* size_t overflow: a caller bug, not input */
    }
    struct sf_arena_chunk *chunk = arena->head;
    if (!chunk || chunk->size - chunk->used < rounded) {
        size_t want = arena->chunk_size > rounded ? arena->chunk_size : rounded;
        chunk = sf_xmalloc(sizeof(*chunk) + want);
        chunk->size = want;
        chunk->used = 0;
        chunk->next = arena->head;
        arena->head = chunk;
    }
    void *ptr = chunk->data + chunk->used;
    chunk->used += rounded;
    arena->used_total += rounded;
    return ptr;
}
