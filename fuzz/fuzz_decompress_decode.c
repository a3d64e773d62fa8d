/* libFuzzer target: a PullLogs body as the daemon sees it. Input layout:
 *   byte 0      codec (value % 4: none, lz4, zstd, deflate)
 *   bytes 1..4  x-log-bodyrawsize, little-endian, limited to MAX_RAW (larger → SF_ERR_TOO_BIG)
 *   bytes 5..   the body
 * The body is decompressed, then decoded. Neither step may crash, overrun, or hand back a view
 * outside the decompressed bytes; a successful decompression has exactly raw_len bytes. */
#include <stdlib.h>
#include <string.h>

#include "codec/decompress.h"
#include "codec/loggroup.h"
#include "util/arena.h"
#include "util/buf.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define MAX_RAW (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sf_buf raw;
    static struct sf_arena arena;
    static bool is_ready;

    if (!is_ready) {
        sf_buf_init(&raw, MAX_RAW);
        sf_arena_init(&arena, 64 * 1024);
        is_ready = true;
    }
    if (size < 5) {
        return 0;
    }
    enum sf_compress type = (enum sf_compress)(data[0] % 4);
    size_t raw_len =
        (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 | (size_t)data[4] << 24;
    sf_err err = sf_decompress(type, data + 5, size - 5, raw_len, MAX_RAW, &raw);
    if (err != SF_OK) {
        if (raw.len != 0 || (raw_len > MAX_RAW && err != SF_ERR_TOO_BIG)) {
            abort();
        }
        return 0;
    }
    if (raw.len != raw_len) {
        abort();
    }
    struct sf_loggroup_list list;
    if (sf_loggroup_decode(raw.ptr, raw.len, &arena, &list) == SF_OK) {
        sf_loggroup_list_assert_within(&list, raw.ptr, raw.len);
    }
    sf_arena_reset(&arena);
    return 0;
}
