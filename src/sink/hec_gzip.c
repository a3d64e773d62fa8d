/* gzip of request bodies with ISA-L igzip (Content-Encoding: gzip,
 * docs/protocol/hec.md §Request headers: Splunk takes gzip, not deflate). Level 1 with one reused
 * level buffer: igzip's level 1 runs several times faster than zlib's level 1 at a similar ratio on
 * JSON, which is what keeps gzip affordable at hundreds of MB per CPU-second. The input may be
 * scattered over several batches' payloads: it is streamed in without being copied together first.
 */
#include <string.h>

#include "sink/hec_int.h"
#include "util/alloc.h"

#include "util/banned.h" /* last: poisons what the project does not use */

void sf_hec_gzip_init(struct sf_hec_gzip *gz, int level)
{
    memset(gz, 0, sizeof(*gz));
    gz->level = level >= 1 ? 1 : 0;
    if (gz->level == 1) {
        gz->level_buf_size = ISAL_DEF_LVL1_DEFAULT;
        gz->level_buf = sf_xmalloc(gz->level_buf_size);
    }
}

void sf_hec_gzip_cleanup(struct sf_hec_gzip *gz)
{
    free(gz->level_buf);
    gz->level_buf = NULL;
}

/* Runs isal_deflate until it took all input (and, on the last chunk, wrote the trailer),
 * growing |out| whenever the output space runs out. */
static sf_err deflate_into(struct sf_hec_gzip *gz, struct sf_buf *out)
{
    for (;;) {
        if (out->cap - out->len < 64) {
            size_t more = out->cap ? out->cap : 4096;
            if (sf_buf_reserve(out, more) != SF_OK && sf_buf_reserve(out, 64) != SF_OK) {
                return SF_ERR_FULL;
            }
        }
        size_t room = out->cap - out->len;
        gz->strm.next_out = out->ptr + out->len;
        gz->strm.avail_out = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
        uint32_t before = gz->strm.avail_out;
        if (isal_deflate(&gz->strm) != COMP_OK) {
            return SF_ERR_INVALID;
        }
        out->len += before - gz->strm.avail_out;
        bool is_done = gz->strm.end_of_stream ? gz->strm.internal_state.state == ZSTATE_END
                                              : gz->strm.avail_in == 0;
        if (is_done) {
            return SF_OK;
        }
    }
}

sf_err sf_hec_gzip_compress(struct sf_hec_gzip *gz,
                            const struct sf_hec_chunk *chunks,
                            size_t n_chunks,
                            struct sf_buf *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n_chunks; i++) {
        total += chunks[i].len;
    }
    sf_buf_reset(out);
    /* JSON shrinks several times; start with a third and grow if this body does not. */
    sf_err err = sf_buf_reserve(out, total / 3 + 1024);
    if (err) {
        return err;
    }
    isal_deflate_init(&gz->strm);
    gz->strm.level = (uint32_t)gz->level;
    gz->strm.level_buf = gz->level_buf;
    gz->strm.level_buf_size = gz->level_buf_size;
    gz->strm.gzip_flag = IGZIP_GZIP;
    gz->strm.flush = NO_FLUSH;
    if (n_chunks == 0) {
        gz->strm.end_of_stream = 1;
        gz->strm.avail_in = 0;
        return deflate_into(gz, out);
    }
    for (size_t i = 0; i < n_chunks && !err; i++) {
        const uint8_t *p = chunks[i].ptr;
        size_t left = chunks[i].len;
        do { /* avail_in is 32 bits */
            uint32_t n = left > (1u << 30) ? (1u << 30) : (uint32_t)left;
            gz->strm.next_in = (uint8_t *)(uintptr_t)p;
            gz->strm.avail_in = n;
            gz->strm.end_of_stream = (i + 1 == n_chunks && n == left) ? 1 : 0;
            err = deflate_into(gz, out);
            p += n;
            left -= n;
        } while (left && !err);
    }
    return err;
}
