/* Body compression of docs/protocol/sls-loggroup.md §Compression: raw LZ4 block, zstd frame, zlib
 * stream ("deflate", and "gzip", which SDKs decode as a zlib stream too; requests may send either
 * zlib or gzip framing). Used for PullLogs responses and compressed PostLogStoreLogs bodies.
 * Thread-safe. */
#ifndef EMU_CODEC_H
#define EMU_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu.h"

enum emu_codec {
    EMU_CODEC_NONE,
    EMU_CODEC_LZ4,
    EMU_CODEC_ZSTD,
    EMU_CODEC_DEFLATE,
    EMU_CODEC_GZIP,
    EMU_CODEC__COUNT,
};

/* "lz4", "zstd", "deflate", "gzip"; NULL for NONE. */
const char *emu_codec_name(enum emu_codec codec);
/* Exact, case-insensitive name of |len| bytes; false when unsupported. */
bool emu_codec_parse(const char *name, size_t len, enum emu_codec *out);
/* The codec for a PullLogs answer: the first supported token of an Accept-Encoding list
 * ("lz4", "zstd, lz4", "gzip;q=1"); NONE when absent or nothing matches. */
enum emu_codec emu_codec_from_accept(const char *accept_encoding);

/* Compresses |raw| into a new body (NONE copies). */
struct emu_body *emu_codec_compress(enum emu_codec codec, const uint8_t *raw, size_t raw_len);
/* Decompresses into |out| of exactly |raw_len| bytes; false unless the input is well-formed
 * and decodes to exactly |raw_len| bytes. */
bool emu_codec_decompress(
    enum emu_codec codec, const uint8_t *in, size_t in_len, uint8_t *out, size_t raw_len);

#endif
