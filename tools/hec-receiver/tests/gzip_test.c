/* Bounded gunzip: round trips, concatenated members, the limit at the exact byte, a gzip
 * bomb, and broken input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>
#include <zlib.h>

#include "gzip.h"
#include "util/alloc.h"

#include "util/banned.h"

/* gzip of |len| bytes at |data| into a fresh buffer (free it). */
static uint8_t *gz(const void *data, size_t len, size_t *out_len)
{
    z_stream zs = {0};
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    uint8_t *out = sf_xmalloc(cap);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static void round_trips(void **state)
{
    (void)state;
    const char *text = "{\"event\":\"hello\"}{\"event\":\"world\"}";
    size_t len;
    uint8_t *z = gz(text, strlen(text), &len);
    struct sf_buf out;
    sf_buf_init(&out, 0);
    assert_int_equal(hec_gunzip(z, len, 1 << 20, &out), HEC_GUNZIP_OK);
    assert_int_equal(out.len, strlen(text));
    assert_memory_equal(out.ptr, text, out.len);
    sf_buf_cleanup(&out);
    free(z);
}

static void decodes_concatenated_members(void **state)
{
    (void)state;
    size_t a_len, b_len;
    uint8_t *a = gz("first ", 6, &a_len);
    uint8_t *b = gz("second", 6, &b_len);
    uint8_t *both = sf_xmalloc(a_len + b_len);
    memcpy(both, a, a_len);
    memcpy(both + a_len, b, b_len);
    struct sf_buf out;
    sf_buf_init(&out, 0);
    assert_int_equal(hec_gunzip(both, a_len + b_len, 100, &out), HEC_GUNZIP_OK);
    assert_int_equal(out.len, 12);
    assert_memory_equal(out.ptr, "first second", 12);
    sf_buf_cleanup(&out);
    free(a);
    free(b);
    free(both);
}

static void enforces_the_limit_to_the_byte(void **state)
{
    (void)state;
    uint8_t data[5000];
    memset(data, 'x', sizeof(data));
    size_t len;
    uint8_t *z = gz(data, sizeof(data), &len);
    struct sf_buf out;
    sf_buf_init(&out, 0);
    assert_int_equal(hec_gunzip(z, len, sizeof(data), &out), HEC_GUNZIP_OK);
    assert_int_equal(hec_gunzip(z, len, sizeof(data) - 1, &out), HEC_GUNZIP_TOO_LARGE);
    sf_buf_cleanup(&out);
    free(z);
}

/* 64 MiB of zeros compress to ~64 KiB; with a 1 MiB limit the decoder stops early. */
static void stops_a_gzip_bomb(void **state)
{
    (void)state;
    size_t n = (size_t)64 << 20;
    uint8_t *zeros = sf_xcalloc(1, n);
    size_t len;
    uint8_t *z = gz(zeros, n, &len);
    free(zeros);
    assert_true(len < ((size_t)1 << 20));
    struct sf_buf out;
    sf_buf_init(&out, 0);
    assert_int_equal(hec_gunzip(z, len, (size_t)1 << 20, &out), HEC_GUNZIP_TOO_LARGE);
    assert_true(out.cap <= ((size_t)1 << 20) + 1);
    sf_buf_cleanup(&out);
    free(z);
}

static void refuses_broken_input(void **state)
{
    (void)state;
    size_t len;
    uint8_t *z = gz("some text to compress", 21, &len);
    struct sf_buf out;
    sf_buf_init(&out, 0);
    assert_int_equal(hec_gunzip((const uint8_t *)"", 0, 100, &out), HEC_GUNZIP_CORRUPT);
    assert_int_equal(hec_gunzip((const uint8_t *)"not gzip", 8, 100, &out), HEC_GUNZIP_CORRUPT);
    for (size_t cut = 1; cut < len; cut++) {
        assert_int_equal(hec_gunzip(z, cut, 100, &out), HEC_GUNZIP_CORRUPT);
    }
    uint8_t *tail = sf_xmalloc(len + 3);
    memcpy(tail, z, len);
    memcpy(tail + len, "xyz", 3);
    assert_int_equal(hec_gunzip(tail, len + 3, 100, &out), HEC_GUNZIP_CORRUPT);
    z[len - 5] ^= 0xFF; /* CRC */
    assert_int_equal(hec_gunzip(z, len, 100, &out), HEC_GUNZIP_CORRUPT);
    sf_buf_cleanup(&out);
    free(tail);
    free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(decodes_concatenated_members),
        cmocka_unit_test(enforces_the_limit_to_the_byte),
        cmocka_unit_test(stops_a_gzip_bomb),
        cmocka_unit_test(refuses_broken_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
