/* Decompression of PullLogs bodies (docs/protocol/sls-loggroup.md §Compression): raw LZ4 block,
 * zstd frame, zlib/gzip/raw deflate, or none. The output size is always known up front
 * (x-log-bodyrawsize) and enforced exactly: no codec may write past it, and a body that decodes to
 * any other length is rejected. Stateless apart from a per-thread zstd context; any thread may call
 * these functions. */
#ifndef SF_CODEC_DECOMPRESS_H
#define SF_CODEC_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

enum sf_compress {
    SF_COMPRESS_NONE,
    SF_COMPRESS_LZ4,    /* raw LZ4 block: no frame, no magic, no size prefix */
    SF_COMPRESS_ZSTD,   /* one standard zstd frame */
    SF_COMPRESS_DEFLATE /* zlib (RFC 1950), gzip (RFC 1952) or raw deflate (RFC 1951) */
};

/* Maps an x-log-compresstype value (|len| bytes, not NUL-terminated, ASCII case ignored) to a
 * codec: "lz4", "zstd", "deflate", "gzip" (→ DEFLATE, as the Python SDK accepts it); "" or a
 * NULL |name| → NONE. Anything else → SF_ERR_INVALID with *out = NONE. */
sf_err sf_compress_from_name(const char *name, size_t len, enum sf_compress *out);

/* "lz4", "zstd" or "deflate": the value to send as Accept-Encoding. NONE (and any value outside
 * the enum) gives "", the empty string that sf_compress_from_name maps back to NONE. */
const char *sf_compress_name(enum sf_compress type);

/* Decompresses |src| (|src_len| bytes) into |out|, which is reset first and then holds exactly
 * |raw_len| bytes (x-log-bodyrawsize). The caller owns |out| and reuses it across batches.
 * - raw_len > max_raw_len, or more than |out|->max or a codec's own limit → SF_ERR_TOO_BIG,
 *   checked before anything is allocated.
 * - raw_len == 0 → SF_OK with out->len == 0, without looking at |src|
 * (docs/protocol/sls-loggroup.md §Compression: skip).
 * - NONE: |src_len| must equal |raw_len|; the bytes are copied.
 * - corrupt input, trailing bytes after the stream, or output of any length other than
 *   |raw_len| → SF_ERR_INVALID (out->len is 0 then).
 * Never reads outside |src| nor writes past raw_len bytes of |out|. */
sf_err sf_decompress(enum sf_compress type,
                     const uint8_t *src,
                     size_t src_len,
                     size_t raw_len,
                     size_t max_raw_len,
                     struct sf_buf *out);

#endif
