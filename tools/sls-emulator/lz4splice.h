/* Pre-compressed LZ4 for PullLogs. Every stored LogGroup is compressed once, at ingest, into
 * its own raw LZ4 block; a PullLogs answer for any window of LogGroups is then one valid
 * raw LZ4 block (docs/protocol/sls-loggroup.md §Compression) made by splicing those blocks, at
 * memcpy speed.
 *
 * Splicing works because a block compressed on its own never refers to bytes before its
 * start, and only its last sequence is special (literals, no match). So: drop each block's
 * last sequence, carry its literals forward, and prepend them to the next block's first
 * sequence by rewriting that sequence's literal length. The final carried literals become the
 * spliced block's last sequence. Pure functions; thread-safe. */
#ifndef EMU_LZ4SPLICE_H
#define EMU_LZ4SPLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_lz4_block {
    uint8_t *data; /* the compressed block (sf_xmalloc'd) */
    uint32_t len;
    uint32_t first_hdr;  /* bytes of the first sequence's token and literal-length extension */
    uint32_t first_lits; /* literals of the first sequence */
    uint32_t last_off;   /* offset of the last (literal-only) sequence's token */
    uint32_t last_lits;  /* its literal count; its literals are the block's last bytes */
    bool is_single;      /* one sequence only: first == last */
};

/* Compresses and indexes |raw|; false if LZ4 fails (input over 2 GB). */
bool emu_lz4_block_make(const uint8_t *raw, size_t raw_len, struct emu_lz4_block *out);
void emu_lz4_block_cleanup(struct emu_lz4_block *block);
/* Indexes an existing block; false if it is not a well-formed LZ4 block. */
bool emu_lz4_block_index(struct emu_lz4_block *block);

/* Upper bound of emu_lz4_splice's output for these blocks holding |raw_len| bytes. */
size_t emu_lz4_splice_bound(const struct emu_lz4_block *const *blocks, size_t n, size_t raw_len);
/* Writes one raw LZ4 block decoding to the concatenation of the blocks' contents; returns
 * its length. |n| >= 1. */
size_t emu_lz4_splice(const struct emu_lz4_block *const *blocks, size_t n, uint8_t *out);

#endif
