#include "gzip.h"

#include <zlib.h>

#include "util/banned.h"

#define CHUNK_MAX ((unsigned)1 << 30) /* zlib counts in uInt */

enum hec_gunzip_result
hec_gunzip(const uint8_t *in, size_t in_len, size_t max_out, struct sf_buf *out)
{
    sf_buf_reset(out);
    out->max = max_out + 1; /* one byte past the limit tells "too large" from "exactly" */
    size_t guess = in_len < max_out / 4 ? in_len * 4 + 4096 : max_out + 1;
    sf_buf_reserve(out, guess < out->max ? guess : out->max);

    z_stream zs = {0};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        return HEC_GUNZIP_CORRUPT;
    }
    enum hec_gunzip_result result = HEC_GUNZIP_CORRUPT;
    size_t pos = 0;
    for (;;) {
        if (out->len == out->cap && sf_buf_reserve(out, out->cap) != SF_OK &&
            sf_buf_reserve(out, out->max - out->len) != SF_OK) {
            result = HEC_GUNZIP_TOO_LARGE;
            break;
        }
        size_t in_left = in_len - pos;
        size_t out_left = out->cap - out->len;
        zs.next_in = (Bytef *)(in + pos);
        zs.avail_in = in_left > CHUNK_MAX ? CHUNK_MAX : (uInt)in_left;
        zs.next_out = out->ptr + out->len;
        zs.avail_out = out_left > CHUNK_MAX ? CHUNK_MAX : (uInt)out_left;
        uInt avail_in = zs.avail_in, avail_out = zs.avail_out;
        int rc = inflate(&zs, Z_NO_FLUSH);
        pos += avail_in - zs.avail_in;
        out->len += avail_out - zs.avail_out;
        if (out->len > max_out) {
            result = HEC_GUNZIP_TOO_LARGE;
            break;
        }
        if (rc == Z_STREAM_END) {
            if (pos == in_len) {
                result = HEC_GUNZIP_OK;
                break;
            }
            inflateReset(&zs); /* another member follows */
            continue;
        }
        if (rc == Z_BUF_ERROR && zs.avail_out > 0) {
            break; /* input ended inside a member */
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            break;
        }
        if (pos == in_len && zs.avail_out > 0) {
            break; /* all input used, stream not finished: truncated */
        }
    }
    inflateEnd(&zs);
    return result;
}
