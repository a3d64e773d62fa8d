/* Splicing independently compressed LZ4 blocks must give one block that any LZ4 decoder
 * decodes to the concatenation of their contents (lz4splice.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz4splice.h"
#include "util/alloc.h"

static uint64_t rng = 42;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* Text-like bytes (compressible) with random runs (incompressible) mixed in. */
static void fill(uint8_t *p, size_t len)
{
    static const char words[] = "GET /index.html HTTP/1.1 200 Mozilla/5.0 seq=12345 ";
    for (size_t i = 0; i < len; i++) {
        p[i] = (next() % 8 == 0) ? (uint8_t)next() : (uint8_t)words[(i * 7 + next() % 3) % 50];
    }
}

static void check_splice(const size_t *sizes, size_t n)
{
    struct emu_lz4_block *blocks = sf_xcalloc(n, sizeof(*blocks));
    const struct emu_lz4_block **ptrs = sf_xcalloc(n, sizeof(*ptrs));
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += sizes[i];
    }
    uint8_t *raw = sf_xmalloc(total + 1);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        fill(raw + off, sizes[i]);
        assert_true(emu_lz4_block_make(raw + off, sizes[i], &blocks[i]));
        ptrs[i] = &blocks[i];
        off += sizes[i];
    }
    size_t bound = emu_lz4_splice_bound(ptrs, n, total);
    uint8_t *spliced = sf_xmalloc(bound);
    size_t len = emu_lz4_splice(ptrs, n, spliced);
    assert_true(len <= bound);
    uint8_t *back = sf_xmalloc(total + 1);
    assert_int_equal(LZ4_decompress_safe((const char *)spliced, (char *)back, (int)len, (int)total),
                     (int)total);
    assert_memory_equal(back, raw, total);
    /* The result is itself a well-formed block. */
    struct emu_lz4_block again = {.data = spliced, .len = (uint32_t)len};
    assert_true(emu_lz4_block_index(&again));
    for (size_t i = 0; i < n; i++) {
        emu_lz4_block_cleanup(&blocks[i]);
    }
    free(blocks);
    free(ptrs);
    free(raw);
    free(spliced);
    free(back);
}

static void splices_loggroup_sized_blocks(void **state)
{
    (void)state;
    const size_t sizes[] = {77000, 12000, 150000, 585, 9000, 70000};
    check_splice(sizes, 6);
}

static void splices_tiny_literal_only_blocks(void **state)
{
    (void)state;
    size_t sizes[200];
    for (size_t i = 0; i < 200; i++) {
        sizes[i] = 1 + i % 12; /* under LZ4's minimum match distance: literals only */
    }
    check_splice(sizes, 200);
    const size_t mixed[] = {3, 5000, 1, 2, 7, 40000, 4, 300};
    check_splice(mixed, 8);
}

static void single_block_is_unchanged_in_content(void **state)
{
    (void)state;
    const size_t one[] = {123456};
    check_splice(one, 1);
    const size_t tiny[] = {1};
    check_splice(tiny, 1);
}

static void random_windows(void **state)
{
    (void)state;
    for (int round = 0; round < 50; round++) {
        size_t n = 1 + next() % 40;
        size_t sizes[40];
        for (size_t i = 0; i < n; i++) {
            sizes[i] = next() % 4 == 0 ? 1 + next() % 20 : 1 + next() % 30000;
        }
        check_splice(sizes, n);
    }
}

static void index_rejects_malformed_blocks(void **state)
{
    (void)state;
    uint8_t bad1[] = {0xF0};            /* literal length extension missing */
    uint8_t bad2[] = {0x50, 'a', 'b'};  /* promises 5 literals, has 2 */
    uint8_t bad3[] = {0x14, 'a', 0x01}; /* match offset cut short */
    struct emu_lz4_block b = {.data = bad1, .len = sizeof(bad1)};
    assert_false(emu_lz4_block_index(&b));
    b = (struct emu_lz4_block){.data = bad2, .len = sizeof(bad2)};
    assert_false(emu_lz4_block_index(&b));
    b = (struct emu_lz4_block){.data = bad3, .len = sizeof(bad3)};
    assert_false(emu_lz4_block_index(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(splices_loggroup_sized_blocks),
        cmocka_unit_test(splices_tiny_literal_only_blocks),
        cmocka_unit_test(single_block_is_unchanged_in_content),
        cmocka_unit_test(random_windows),
        cmocka_unit_test(index_rejects_malformed_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
