#include "sf_test.h"

#include <stdalign.h>

#include "util/arena.h"

static void allocations_are_aligned_and_distinct(void **state)
{
    (void)state;
    struct sf_arena arena;
    sf_arena_init(&arena, 64);
    char *a = sf_arena_alloc(&arena, 3);
    char *b = sf_arena_alloc(&arena, 100); /* larger than a chunk */
    char *c = sf_arena_alloc(&arena, 1);
    assert_int_equal((uintptr_t)a % alignof(max_align_t), 0);
    assert_int_equal((uintptr_t)b % alignof(max_align_t), 0);
    assert_int_equal((uintptr_t)c % alignof(max_align_t), 0);
    memset(a, 'a', 3);
    memset(b, 'b', 100);
    memset(c, 'c', 1);
    assert_int_equal(a[2], 'a');
    assert_int_equal(b[99], 'b');
    sf_arena_cleanup(&arena);
}

static void reset_reuses_one_chunk_big_enough_for_last_round(void **state)
{
    (void)state;
    struct sf_arena arena;
    sf_arena_init(&arena, 128);
    for (int i = 0; i < 10; i++) {
        sf_arena_alloc(&arena, 100);
    }
    sf_arena_reset(&arena);
    /* No chunk held the whole round: none is kept, so the next round's one chunk is not
     * added beside a useless one (what a memory budget is charged for stays one chunk). */
    assert_null(arena.head);
    assert_int_equal(sf_arena_held(&arena), 0);
    assert_true(arena.chunk_size >= 1000);
    for (int i = 0; i < 10; i++) {
        sf_arena_alloc(&arena, 100);
    }
    size_t held = sf_arena_held(&arena);
    assert_true(held >= 1000 && held < 1200); /* one chunk */
    sf_arena_reset(&arena);
    assert_non_null(arena.head);
    assert_int_equal(sf_arena_held(&arena), held);
    void *first = sf_arena_alloc(&arena, 100);
    for (int i = 0; i < 9; i++) {
        sf_arena_alloc(&arena, 100);
    }
    sf_arena_reset(&arena);
    assert_ptr_equal(sf_arena_alloc(&arena, 100), first);
    sf_arena_cleanup(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_aligned_and_distinct),
        cmocka_unit_test(reset_reuses_one_chunk_big_enough_for_last_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
