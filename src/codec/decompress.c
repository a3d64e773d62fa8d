#include "codec/decompress.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST /* next_in as const: we never write to the body */
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include "util/str.h"

#include "util/banned.h" /* last: poisons what the project does not use */

static const struct {
    const char *name;
    enum sf_compress type;
} codec_names[] = {
    {"lz4", SF_COMPRESS_LZ4},
    {"zstd", SF_COMPRESS_ZSTD},
    {"deflate", SF_COMPRESS_DEFLATE},
    {"gzip", SF_COMPRESS_DEFLATE}, /* the Python SDK treats it as deflate; zlib detects gzip */
};

sf_err sf_compress_from_name(const char *name, size_t len, enum sf_compress *out)
{
    *out = SF_COMPRESS_NONE;
    if (name == NULL || len == 0) {
        return SF_OK;
    }
    struct sf_str s = {.ptr = name, .len = len};
    for (size_t i = 0; i < sizeof(codec_names) / sizeof(codec_names[0]); i++) {
        if (sf_str_ieq(s, sf_str_from(codec_names[i].name))) {
            *out = codec_names[i].type;
            return SF_OK;
        }
    }
    return SF_ERR_INVALID;
}

const char *sf_compress_name(enum sf_compress type)
{
    switch (type) {
    case SF_COMPRESS_LZ4:
        return "lz4";
    case SF_COMPRESS_ZSTD:
        return "zstd";
    case SF_COMPRESS_DEFLATE:
        return "deflate";
    default:
        return "";
    }
}

/* docs/protocol/sls-loggroup.md §Compression: a raw block, decoded straight into a buffer of
 * exactly |raw_len| bytes. The Go SDK also insists that the result fills it. */
static sf_err decode_lz4(const uint8_t *src, size_t src_len, uint8_t *dst, size_t raw_len)
{
    int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)raw_len);
    return n >= 0 && (size_t)n == raw_len ? SF_OK : SF_ERR_INVALID;
}

/* A DCtx holds ~100 KiB of tables; creating one per body would dominate small bodies. Each
 * thread keeps its own, freed by the key's destructor when the thread exits. */
static pthread_once_t dctx_once = PTHREAD_ONCE_INIT;
static pthread_key_t dctx_key;
static _Thread_local ZSTD_DCtx *thread_dctx;

static void free_dctx(void *dctx)
{
    ZSTD_freeDCtx(dctx);
}

static void create_dctx_key(void)
{
    if (pthread_key_create(&dctx_key, free_dctx) != 0) {
        abort(); /* out of keys: a process-wide bug, like OOM */
    }
}

static ZSTD_DCtx *get_dctx(void)
{
    if (thread_dctx == NULL) {
        thread_dctx = ZSTD_createDCtx();
        if (thread_dctx == NULL) {
            abort(); /* OOM aborts, as in sf_xmalloc */
        }
        pthread_once(&dctx_once, create_dctx_key);
        pthread_setspecific(dctx_key, thread_dctx);
    }
    return thread_dctx;
}

/* Exactly one frame and nothing after it; a declared content size must match x-log-bodyrawsize
 * before we spend time decoding. Skippable frames declare 0 and so never pass. */
static sf_err decode_zstd(const uint8_t *src, size_t src_len, uint8_t *dst, size_t raw_len)
{
    size_t frame_len = ZSTD_findFrameCompressedSize(src, src_len);
    if (ZSTD_isError(frame_len) || frame_len != src_len) {
        return SF_ERR_INVALID;
    }
    unsigned long long declared = ZSTD_getFrameContentSize(src, src_len);
    if (declared == ZSTD_CONTENTSIZE_ERROR ||
        (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != raw_len)) {
        return SF_ERR_INVALID;
    }
    size_t n = ZSTD_decompressDCtx(get_dctx(), dst, raw_len, src, src_len);
    return !ZSTD_isError(n) && n == raw_len ? SF_OK : SF_ERR_INVALID;
}

/* One call with Z_FINISH: all input and all output space are there, so anything but
 * Z_STREAM_END means corrupt, truncated, or longer than |raw_len|. */
static int
inflate_into(z_stream *strm, const uint8_t *src, size_t src_len, uint8_t *dst, size_t raw_len)
{
    strm->next_in = src;
    strm->avail_in = (uInt)src_len;
    strm->next_out = dst;
    strm->avail_out = (uInt)raw_len;
    return inflate(strm, Z_FINISH);
}

/* docs/protocol/sls-loggroup.md §Compression: Python sends zlib (RFC 1950) and the doc mentions RFC
 * 1951, so windowBits 15+32 accepts zlib or gzip headers, and a header error (a stream failing
 * before any output) is retried as raw deflate. Bytes after the end of the stream are rejected. */
static sf_err decode_deflate(const uint8_t *src, size_t src_len, uint8_t *dst, size_t raw_len)
{
    z_stream strm;
    memset(&strm, 0, sizeof(strm));
    if (inflateInit2(&strm, 15 + 32) != Z_OK) {
        abort(); /* only fails on OOM or a zlib version mismatch */
    }
    int rc = inflate_into(&strm, src, src_len, dst, raw_len);
    if (rc == Z_DATA_ERROR && strm.total_out == 0 && inflateReset2(&strm, -15) == Z_OK) {
        rc = inflate_into(&strm, src, src_len, dst, raw_len);
    }
    bool ok = rc == Z_STREAM_END && strm.total_out == raw_len && strm.avail_in == 0;
    inflateEnd(&strm);
    return ok ? SF_OK : SF_ERR_INVALID;
}

/* Limits of the libraries' own size types: LZ4 takes int, zlib takes uInt. */
static bool fits_codec(enum sf_compress type, size_t src_len, size_t raw_len)
{
    switch (type) {
    case SF_COMPRESS_LZ4:
        return src_len <= INT_MAX && raw_len <= INT_MAX;
    case SF_COMPRESS_DEFLATE:
        return src_len <= UINT_MAX && raw_len <= UINT_MAX;
    default:
        return true;
    }
}

sf_err sf_decompress(enum sf_compress type,
                     const uint8_t *src,
                     size_t src_len,
                     size_t raw_len,
                     size_t max_raw_len,
                     struct sf_buf *out)
{
    sf_buf_reset(out);
    if (type > SF_COMPRESS_DEFLATE) {
        return SF_ERR_INVALID;
    }
    if (raw_len > max_raw_len || raw_len > out->max || !fits_codec(type, src_len, raw_len)) {
        return SF_ERR_TOO_BIG;
    }
    if (raw_len == 0) {
        return SF_OK;
    }
    if (type == SF_COMPRESS_NONE && src_len != raw_len) {
        return SF_ERR_INVALID;
    }
    if (sf_buf_reserve(out, raw_len) != SF_OK) {
        return SF_ERR_TOO_BIG; /* unreachable after the check above; kept for safety */
    }
    sf_err err;
    switch (type) {
    case SF_COMPRESS_LZ4:
        err = decode_lz4(src, src_len, out->ptr, raw_len);
        break;
    case SF_COMPRESS_ZSTD:
        err = decode_zstd(src, src_len, out->ptr, raw_len);
        break;
    case SF_COMPRESS_DEFLATE:
        err = decode_deflate(src, src_len, out->ptr, raw_len);
        break;
    default:
        memcpy(out->ptr, src, raw_len);
        err = SF_OK;
        break;
    }
    out->len = err ? 0 : raw_len;
    return err;
}
