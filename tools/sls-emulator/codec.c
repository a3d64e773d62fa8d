#include "codec.h"

#include <lz4.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#include "util/banned.h"

static const char *const codec_names[EMU_CODEC__COUNT] = {NULL, "lz4", "zstd", "deflate", "gzip"};

const char *emu_codec_name(enum emu_codec codec)
{
    return (unsigned)codec < EMU_CODEC__COUNT ? codec_names[codec] : NULL;
}

bool emu_codec_parse(const char *name, size_t len, enum emu_codec *out)
{
    for (int i = 1; i < EMU_CODEC__COUNT; i++) {
        if (strlen(codec_names[i]) == len && strncasecmp(name, codec_names[i], len) == 0) {
            *out = (enum emu_codec)i;
            return true;
        }
    }
    return false;
}

enum emu_codec emu_codec_from_accept(const char *accept_encoding)
{
    const char *s = accept_encoding ? accept_encoding : "";
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',') {
            s++;
        }
        size_t len = strcspn(s, ",; \t");
        enum emu_codec codec;
        if (len && emu_codec_parse(s, len, &codec)) {
            return codec;
        }
        s += len;
        s += strcspn(s, ","); /* skip ";q=..." parameters */
    }
    return EMU_CODEC_NONE;
}

static struct emu_body *shrink(struct emu_body *body, size_t len)
{
    /* Cached bodies live long; do not keep the worst-case bound allocated. */
    struct emu_body *exact = emu_body_from(body->data, len);
    emu_body_unref(body);
    return exact;
}

static struct emu_body *zlib_compress(const uint8_t *raw, size_t raw_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    deflateInit2(&zs, 1, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY);
    struct emu_body *body = emu_body_new(deflateBound(&zs, raw_len) + 32);
    zs.next_in = (Bytef *)(uintptr_t)raw;
    zs.avail_in = (uInt)raw_len;
    zs.next_out = body->data;
    zs.avail_out = (uInt)body->len;
    deflate(&zs, Z_FINISH);
    size_t len = zs.total_out;
    deflateEnd(&zs);
    return shrink(body, len);
}

struct emu_body *emu_codec_compress(enum emu_codec codec, const uint8_t *raw, size_t raw_len)
{
    struct emu_body *body;
    switch (codec) {
    case EMU_CODEC_LZ4: {
        body = emu_body_new((size_t)LZ4_compressBound((int)raw_len));
        int n = LZ4_compress_default((const char *)raw, (char *)body->data, (int)raw_len,
                                     (int)body->len);
        return shrink(body, n > 0 ? (size_t)n : 0);
    }
    case EMU_CODEC_ZSTD: {
        body = emu_body_new(ZSTD_compressBound(raw_len));
        size_t n = ZSTD_compress(body->data, body->len, raw, raw_len, 1);
        return shrink(body, ZSTD_isError(n) ? 0 : n);
    }
    case EMU_CODEC_DEFLATE:
    case EMU_CODEC_GZIP:
        /* "gzip" too is a zlib stream: that is what the SDKs decode under either name (Python's
         * zlib.decompress, the OpenAPI gateway's zlib.inflate), so a real gzip member would
         * break them. */
        return zlib_compress(raw, raw_len);
    default:
        return emu_body_from(raw, raw_len);
    }
}

static bool
zlib_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t raw_len, int window_bits)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, window_bits) != Z_OK) {
        return false;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)in_len;
    zs.next_out = out;
    zs.avail_out = (uInt)raw_len;
    int rc = inflate(&zs, Z_FINISH);
    bool is_ok = rc == Z_STREAM_END && zs.total_out == raw_len;
    inflateEnd(&zs);
    return is_ok;
}

bool emu_codec_decompress(
    enum emu_codec codec, const uint8_t *in, size_t in_len, uint8_t *out, size_t raw_len)
{
    if (in_len > UINT32_MAX || raw_len > UINT32_MAX) {
        return false;
    }
    switch (codec) {
    case EMU_CODEC_LZ4:
        return LZ4_decompress_safe((const char *)in, (char *)out, (int)in_len, (int)raw_len) ==
               (int)raw_len;
    case EMU_CODEC_ZSTD: {
        size_t n = ZSTD_decompress(out, raw_len, in, in_len);
        return !ZSTD_isError(n) && n == raw_len;
    }
    case EMU_CODEC_DEFLATE:
        /* zlib stream (RFC 1950) as the SDKs send; raw RFC 1951 as the doc describes. */
        return zlib_decompress(in, in_len, out, raw_len, 15 + 32) ||
               zlib_decompress(in, in_len, out, raw_len, -15);
    case EMU_CODEC_GZIP:
        return zlib_decompress(in, in_len, out, raw_len, 15 + 32);
    default:
        if (in_len != raw_len) {
            return false;
        }
        memcpy(out, in, in_len);
        return true;
    }
}
