/* sf_decompress and the codec names: the vectors of
 * docs/protocol/sls-loggroup.md §Compression test vectors, round trips through each library, and
 * the failure modes (corruption, truncation, wrong or oversized raw lengths). */
#include "sf_test.h"

#include <pthread.h>

#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include "codec/decompress.h"
#include "util/alloc.h"
#include "vectors.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define MAX_RAW (64u << 20)

static void names_map_both_ways(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum sf_compress type;
    } ok[] = {
        {"lz4", SF_COMPRESS_LZ4},         {"LZ4", SF_COMPRESS_LZ4},      {"zstd", SF_COMPRESS_ZSTD},
        {"deflate", SF_COMPRESS_DEFLATE}, {"gzip", SF_COMPRESS_DEFLATE}, {"", SF_COMPRESS_NONE},
    };
    enum sf_compress type;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        type = SF_COMPRESS_ZSTD;
        SF_CHECK_ERR(sf_compress_from_name(ok[i].name, strlen(ok[i].name), &type), SF_OK);
        assert_int_equal(type, ok[i].type);
    }
    SF_CHECK_ERR(sf_compress_from_name(NULL, 0, &type), SF_OK);
    assert_int_equal(type, SF_COMPRESS_NONE);
    SF_CHECK_ERR(sf_compress_from_name("lz4hc", 3, &type), SF_OK); /* |len| bounds the name */
    assert_int_equal(type, SF_COMPRESS_LZ4);
    static const char *bad[] = {"lz5", "lz4 ", "gzi", "none", "snappy", "deflate\0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        type = SF_COMPRESS_ZSTD;
        size_t len = strlen(bad[i]) + (i == 5);
        SF_CHECK_ERR(sf_compress_from_name(bad[i], len, &type), SF_ERR_INVALID);
        assert_int_equal(type, SF_COMPRESS_NONE);
    }
    assert_string_equal(sf_compress_name(SF_COMPRESS_LZ4), "lz4");
    assert_string_equal(sf_compress_name(SF_COMPRESS_ZSTD), "zstd");
    assert_string_equal(sf_compress_name(SF_COMPRESS_DEFLATE), "deflate");
    assert_string_equal(sf_compress_name(SF_COMPRESS_NONE), "");
    assert_string_equal(sf_compress_name((enum sf_compress)42), "");
}

struct vector {
    enum sf_compress type;
    const char *hex;
    size_t len;
    bool is_checked; /* carries a checksum of the content */
};

static const struct vector pb2_vectors[] = {
    {SF_COMPRESS_LZ4, PB2_LZ4_HEX, 175, false},
    {SF_COMPRESS_DEFLATE, PB2_ZLIB_HEX, 167, true},
    {SF_COMPRESS_ZSTD, PB2_ZSTD_HEX, 176, true},
};

/* Decompresses from an exact-size heap copy, so the sanitizer build sees any overread. */
static sf_err
run(enum sf_compress type, const uint8_t *src, size_t src_len, size_t raw_len, struct sf_buf *out)
{
    uint8_t *copy = sf_xmalloc(src_len ? src_len : 1);
    if (src_len) {
        memcpy(copy, src, src_len);
    }
    sf_err err = sf_decompress(type, copy, src_len, raw_len, MAX_RAW, out);
    free(copy);
    if (err) {
        assert_int_equal(out->len, 0);
    } else {
        assert_int_equal(out->len, raw_len);
    }
    return err;
}

static void spec_vectors_produce_pb2(void **state)
{
    (void)state;
    size_t pb2_len;
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &pb2_len);
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    for (size_t i = 0; i < sizeof(pb2_vectors) / sizeof(pb2_vectors[0]); i++) {
        size_t len;
        uint8_t *src = sf_test_unhex(pb2_vectors[i].hex, &len);
        assert_int_equal(len, pb2_vectors[i].len);
        SF_CHECK_ERR(run(pb2_vectors[i].type, src, len, pb2_len, &out), SF_OK);
        assert_memory_equal(out.ptr, pb2, pb2_len);
        test_free(src);
    }
    size_t len;
    uint8_t *src = sf_test_unhex(LZ4_MATCH_HEX, &len);
    SF_CHECK_ERR(run(SF_COMPRESS_LZ4, src, len, strlen(LZ4_MATCH_EXPECTED), &out), SF_OK);
    assert_memory_equal(out.ptr, LZ4_MATCH_EXPECTED, strlen(LZ4_MATCH_EXPECTED));
    test_free(src);
    SF_CHECK_ERR(run(SF_COMPRESS_NONE, pb2, pb2_len, pb2_len, &out), SF_OK);
    assert_memory_equal(out.ptr, pb2, pb2_len);
    test_free(pb2);
    sf_buf_cleanup(&out);
}

/* Deflates |src| with zlib's |window_bits|: 15 zlib, 31 gzip, -15 raw. */
static uint8_t *deflate_with(const uint8_t *src, size_t len, int window_bits, size_t *out_len)
{
    z_stream strm;
    memset(&strm, 0, sizeof(strm));
    assert_int_equal(deflateInit2(&strm, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&strm, len) + 32;
    uint8_t *dst = sf_xmalloc(cap);
    strm.next_in = (Bytef *)src;
    strm.avail_in = (uInt)len;
    strm.next_out = dst;
    strm.avail_out = (uInt)cap;
    assert_int_equal(deflate(&strm, Z_FINISH), Z_STREAM_END);
    *out_len = strm.total_out;
    deflateEnd(&strm);
    return dst;
}

static void gzip_and_raw_deflate_are_accepted_too(void **state)
{
    (void)state;
    size_t pb2_len;
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &pb2_len);
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    static const int bits[] = {15, 31, -15};
    for (size_t i = 0; i < 3; i++) {
        size_t len;
        uint8_t *src = deflate_with(pb2, pb2_len, bits[i], &len);
        SF_CHECK_ERR(run(SF_COMPRESS_DEFLATE, src, len, pb2_len, &out), SF_OK);
        assert_memory_equal(out.ptr, pb2, pb2_len);
        /* Bytes after the end of the stream are not part of any body SLS sends. */
        uint8_t *longer = sf_xmalloc(len + 1);
        memcpy(longer, src, len);
        longer[len] = 0;
        SF_CHECK_ERR(run(SF_COMPRESS_DEFLATE, longer, len + 1, pb2_len, &out), SF_ERR_INVALID);
        free(longer);
        free(src);
    }
    test_free(pb2);
    sf_buf_cleanup(&out);
}

/* Every prefix, every byte inverted, every low bit flipped, and raw lengths one off either
 * way, for each vector. A flip may still decode: without a checksum to other bytes of the
 * right length, with one only to the original bytes (a bit the decoder never uses, such as
 * padding). It must never decode to any other length nor touch memory it should not. */
static void corrupt_inputs_are_rejected(void **state)
{
    (void)state;
    size_t pb2_len;
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &pb2_len);
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    for (size_t v = 0; v < sizeof(pb2_vectors) / sizeof(pb2_vectors[0]); v++) {
        const struct vector *vec = &pb2_vectors[v];
        size_t len;
        uint8_t *src = sf_test_unhex(vec->hex, &len);
        for (size_t cut = 0; cut < len; cut++) {
            SF_CHECK_ERR(run(vec->type, src, cut, pb2_len, &out), SF_ERR_INVALID);
        }
        for (size_t i = 0; i < len; i++) {
            for (int mask = 0x01; mask <= 0xff; mask = mask == 1 ? 0xff : 0x100) {
                src[i] ^= (uint8_t)mask;
                sf_err err = run(vec->type, src, len, pb2_len, &out);
                bool is_intact = err == SF_OK && memcmp(out.ptr, pb2, pb2_len) == 0;
                if (err != SF_ERR_INVALID && (err != SF_OK || (vec->is_checked && !is_intact))) {
                    fail_msg("%s: byte %zu ^ %#x gave %s", sf_compress_name(vec->type), i, mask,
                             sf_err_name(err));
                }
                src[i] ^= (uint8_t)mask;
            }
        }
        SF_CHECK_ERR(run(vec->type, src, len, pb2_len - 1, &out), SF_ERR_INVALID);
        SF_CHECK_ERR(run(vec->type, src, len, pb2_len + 1, &out), SF_ERR_INVALID);
        SF_CHECK_ERR(run(vec->type, src, len, 1 << 20, &out), SF_ERR_INVALID);
        SF_CHECK_ERR(run(vec->type, src, len, 1, &out), SF_ERR_INVALID);
        SF_CHECK_ERR(run(vec->type, src, len, pb2_len, &out), SF_OK);
        test_free(src);
    }
    test_free(pb2);
    sf_buf_cleanup(&out);
}

static void oversized_raw_lengths_fail_before_allocating(void **state)
{
    (void)state;
    size_t len;
    uint8_t *src = sf_test_unhex(PB2_LZ4_HEX, &len);
    static const enum sf_compress types[] = {SF_COMPRESS_NONE, SF_COMPRESS_LZ4, SF_COMPRESS_ZSTD,
                                             SF_COMPRESS_DEFLATE};
    for (size_t i = 0; i < 4; i++) {
        struct sf_buf out;
        sf_buf_init(&out, MAX_RAW);
        SF_CHECK_ERR(sf_decompress(types[i], src, len, 366, 365, &out), SF_ERR_TOO_BIG);
        SF_CHECK_ERR(sf_decompress(types[i], src, len, SIZE_MAX, SIZE_MAX, &out), SF_ERR_TOO_BIG);
        assert_null(out.ptr);
        /* The buffer's own ceiling counts as well. */
        sf_buf_init(&out, 100);
        SF_CHECK_ERR(sf_decompress(types[i], src, len, 366, MAX_RAW, &out), SF_ERR_TOO_BIG);
        assert_null(out.ptr);
        assert_int_equal(out.len, 0);
    }
    test_free(src);
}

static void uncompressed_length_must_match(void **state)
{
    (void)state;
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    SF_CHECK_ERR(run(SF_COMPRESS_NONE, (const uint8_t *)"abc", 3, 4, &out), SF_ERR_INVALID);
    SF_CHECK_ERR(run(SF_COMPRESS_NONE, (const uint8_t *)"abc", 3, 2, &out), SF_ERR_INVALID);
    SF_CHECK_ERR(run(SF_COMPRESS_NONE, (const uint8_t *)"abc", 3, 3, &out), SF_OK);
    assert_memory_equal(out.ptr, "abc", 3);
    SF_CHECK_ERR(sf_decompress((enum sf_compress)9, (const uint8_t *)"abc", 3, 3, 3, &out),
                 SF_ERR_INVALID);
    sf_buf_cleanup(&out);
}

static void zero_raw_length_skips_decompression(void **state)
{
    (void)state;
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    SF_CHECK_ERR(run(SF_COMPRESS_NONE, (const uint8_t *)"abc", 3, 3, &out), SF_OK);
    static const enum sf_compress types[] = {SF_COMPRESS_NONE, SF_COMPRESS_LZ4, SF_COMPRESS_ZSTD,
                                             SF_COMPRESS_DEFLATE};
    for (size_t i = 0; i < 4; i++) {
        SF_CHECK_ERR(sf_decompress(types[i], NULL, 0, 0, MAX_RAW, &out), SF_OK);
        assert_int_equal(out.len, 0);
        SF_CHECK_ERR(sf_decompress(types[i], (const uint8_t *)"junk", 4, 0, 0, &out), SF_OK);
        assert_int_equal(out.len, 0);
    }
    sf_buf_cleanup(&out);
}

/* zstd frames other than "one frame, content size declared": no declared size is fine; extra
 * bytes, a second frame or a skippable frame are not. */
static void zstd_accepts_one_frame_and_nothing_else(void **state)
{
    (void)state;
    size_t pb2_len;
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &pb2_len);
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
    size_t cap = ZSTD_compressBound(pb2_len) * 2 + 16;
    uint8_t *frame = sf_xmalloc(cap);
    size_t n = ZSTD_compress2(cctx, frame, cap, pb2, pb2_len);
    assert_false(ZSTD_isError(n));
    assert_int_equal(ZSTD_getFrameContentSize(frame, n), ZSTD_CONTENTSIZE_UNKNOWN);
    SF_CHECK_ERR(run(SF_COMPRESS_ZSTD, frame, n, pb2_len, &out), SF_OK);
    assert_memory_equal(out.ptr, pb2, pb2_len);
    SF_CHECK_ERR(run(SF_COMPRESS_ZSTD, frame, n, pb2_len + 1, &out), SF_ERR_INVALID);
    SF_CHECK_ERR(run(SF_COMPRESS_ZSTD, frame, n, pb2_len - 1, &out), SF_ERR_INVALID);
    memcpy(frame + n, frame, n); /* two frames back to back */
    SF_CHECK_ERR(run(SF_COMPRESS_ZSTD, frame, 2 * n, 2 * pb2_len, &out), SF_ERR_INVALID);
    frame[n] = 0; /* one frame and junk */
    SF_CHECK_ERR(run(SF_COMPRESS_ZSTD, frame, n + 1, pb2_len, &out), SF_ERR_INVALID);
    static const uint8_t skippable[] = {0x50, 0x2a, 0x4d, 0x18, 0x02, 0, 0, 0, 'h', 'i'};
    SF_CHECK_ERR(run(SF_COMPRESS_ZSTD, skippable, sizeof(skippable), 2, &out), SF_ERR_INVALID);
    ZSTD_freeCCtx(cctx);
    free(frame);
    test_free(pb2);
    sf_buf_cleanup(&out);
}

/* 1 MiB of half-compressible bytes through each library: well past zlib's 32 KiB window and
 * the output buffer's first growth steps. */
static void large_round_trips_for_every_codec(void **state)
{
    (void)state;
    size_t raw_len = 1 << 20;
    uint8_t *raw = sf_xmalloc(raw_len);
    uint32_t x = 12345;
    for (size_t i = 0; i < raw_len; i++) {
        x = x * 1103515245 + 12345;
        raw[i] = (x >> 16) % 4 == 0 ? (uint8_t)(x >> 24) : (uint8_t) "abcdefgh"[i % 8];
    }
    size_t cap = (size_t)LZ4_compressBound((int)raw_len) + ZSTD_compressBound(raw_len);
    uint8_t *dst = sf_xmalloc(cap);
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    int n = LZ4_compress_default((const char *)raw, (char *)dst, (int)raw_len, (int)cap);
    assert_true(n > 0);
    SF_CHECK_ERR(run(SF_COMPRESS_LZ4, dst, (size_t)n, raw_len, &out), SF_OK);
    assert_memory_equal(out.ptr, raw, raw_len);
    size_t z = ZSTD_compress(dst, cap, raw, raw_len, 3);
    assert_false(ZSTD_isError(z));
    SF_CHECK_ERR(run(SF_COMPRESS_ZSTD, dst, z, raw_len, &out), SF_OK);
    assert_memory_equal(out.ptr, raw, raw_len);
    size_t d_len;
    uint8_t *d = deflate_with(raw, raw_len, 15, &d_len);
    SF_CHECK_ERR(run(SF_COMPRESS_DEFLATE, d, d_len, raw_len, &out), SF_OK);
    assert_memory_equal(out.ptr, raw, raw_len);
    free(d);
    free(dst);
    free(raw);
    sf_buf_cleanup(&out);
}

struct thread_arg {
    const uint8_t *pb2;
    const uint8_t *src;
    size_t src_len;
};

/* No cmocka calls in here: its allocation tracking is not thread-safe. */
static void *decompress_zstd_in_thread(void *p)
{
    const struct thread_arg *arg = p;
    struct sf_buf out;
    sf_buf_init(&out, MAX_RAW);
    void *result = NULL;
    for (int i = 0; i < 50 && !result; i++) {
        if (sf_decompress(SF_COMPRESS_ZSTD, arg->src, arg->src_len, 366, MAX_RAW, &out) != SF_OK ||
            memcmp(out.ptr, arg->pb2, 366) != 0) {
            result = (void *)1;
        }
    }
    sf_buf_cleanup(&out);
    return result;
}

/* Each thread gets its own zstd context, freed when the thread ends (the sanitizer build
 * reports a leak otherwise). */
static void zstd_works_from_several_threads(void **state)
{
    (void)state;
    size_t pb2_len;
    struct thread_arg arg;
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &pb2_len);
    uint8_t *src = sf_test_unhex(PB2_ZSTD_HEX, &arg.src_len);
    arg.pb2 = pb2;
    arg.src = src;
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, decompress_zstd_in_thread, &arg), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *result;
        pthread_join(threads[i], &result);
        assert_null(result);
    }
    test_free(src);
    test_free(pb2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_map_both_ways),
        cmocka_unit_test(spec_vectors_produce_pb2),
        cmocka_unit_test(gzip_and_raw_deflate_are_accepted_too),
        cmocka_unit_test(corrupt_inputs_are_rejected),
        cmocka_unit_test(oversized_raw_lengths_fail_before_allocating),
        cmocka_unit_test(uncompressed_length_must_match),
        cmocka_unit_test(zero_raw_length_skips_decompression),
        cmocka_unit_test(zstd_accepts_one_frame_and_nothing_else),
        cmocka_unit_test(large_round_trips_for_every_codec),
        cmocka_unit_test(zstd_works_from_several_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
