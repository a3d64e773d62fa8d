#include "lz4splice.h"

#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* Reads an LZ4 length: the 4-bit |nibble|, then 255-continued extension bytes at *pos. */
static bool read_len(const uint8_t *b, size_t len, size_t *pos, uint32_t nibble, uint32_t *out)
{
    uint64_t v = nibble;
    if (nibble == 15) {
        uint8_t ext;
        do {
            if (*pos >= len) {
                return false;
            }
            ext = b[(*pos)++];
            v += ext;
        } while (ext == 255 && v < UINT32_MAX);
    }
    if (v >= UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool emu_lz4_block_index(struct emu_lz4_block *block)
{
    const uint8_t *b = block->data;
    size_t len = block->len;
    size_t p = 0;
    for (bool is_first = true; p < len; is_first = false) {
        size_t pos = p + 1;
        uint32_t lits, match;
        if (!read_len(b, len, &pos, b[p] >> 4, &lits) || lits > len - pos) {
            return false;
        }
        if (is_first) {
            block->first_hdr = (uint32_t)(pos - p);
            block->first_lits = lits;
        }
        if (pos + lits == len) {
            block->last_off = (uint32_t)p;
            block->last_lits = lits;
            block->is_single = is_first;
            return true;
        }
        pos += lits + 2; /* literals, then the 2-byte match offset */
        if (pos > len || !read_len(b, len, &pos, b[p] & 15, &match)) {
            return false;
        }
        p = pos;
    }
    return false;
}

bool emu_lz4_block_make(const uint8_t *raw, size_t raw_len, struct emu_lz4_block *out)
{
    memset(out, 0, sizeof(*out));
    if (raw_len > (size_t)LZ4_MAX_INPUT_SIZE) {
        return false;
    }
    int bound = LZ4_compressBound((int)raw_len);
    uint8_t *tmp = sf_xmalloc((size_t)bound);
    int n = LZ4_compress_default((const char *)raw, (char *)tmp, (int)raw_len, bound);
    if (n <= 0) {
        free(tmp);
        return false;
    }
    out->data = sf_xrealloc(tmp, (size_t)n);
    out->len = (uint32_t)n;
    if (!emu_lz4_block_index(out)) {
        emu_lz4_block_cleanup(out);
        return false;
    }
    return true;
}

void emu_lz4_block_cleanup(struct emu_lz4_block *block)
{
    free(block->data);
    memset(block, 0, sizeof(*block));
}

size_t emu_lz4_splice_bound(const struct emu_lz4_block *const *blocks, size_t n, size_t raw_len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += blocks[i]->len;
    }
    /* Merged literal runs may need longer length extensions: one byte per 255 literals. */
    return total + raw_len / 255 + 16 * n + 16;
}

static uint8_t *write_token(uint8_t *o, uint32_t lits, uint8_t match_nibble)
{
    *o++ = (uint8_t)((lits >= 15 ? 15 : lits) << 4 | match_nibble);
    if (lits >= 15) {
        uint32_t rest = lits - 15;
        while (rest >= 255) {
            *o++ = 255;
            rest -= 255;
        }
        *o++ = (uint8_t)rest;
    }
    return o;
}

/* Carried literals: the final literal runs of the blocks spliced so far that no match has
 * ended yet. They are contiguous in output order but live in different blocks. */
struct carry {
    const uint8_t *ptr[64];
    uint32_t len[64];
    size_t n;
    uint64_t total;
};

static uint8_t *flush_carry(uint8_t *o, struct carry *c)
{
    for (size_t i = 0; i < c->n; i++) {
        memcpy(o, c->ptr[i], c->len[i]);
        o += c->len[i];
    }
    c->n = 0;
    c->total = 0;
    return o;
}

size_t emu_lz4_splice(const struct emu_lz4_block *const *blocks, size_t n, uint8_t *out)
{
    uint8_t *o = out;
    struct carry carry = {.n = 0};
    uint8_t *scratch = NULL; /* when carry.ptr is full, spans are merged here */
    for (size_t i = 0; i < n; i++) {
        const struct emu_lz4_block *b = blocks[i];
        const uint8_t *last_lits = b->data + b->len - b->last_lits;
        if (!b->is_single) {
            /* First sequence, with the carried literals in front of its own. */
            uint32_t lits = (uint32_t)(carry.total + b->first_lits);
            o = write_token(o, lits, b->data[0] & 15);
            o = flush_carry(o, &carry);
            const uint8_t *rest = b->data + b->first_hdr;
            memcpy(o, rest, b->last_off - b->first_hdr);
            o += b->last_off - b->first_hdr;
        }
        if (carry.n == sizeof(carry.ptr) / sizeof(carry.ptr[0])) {
            /* Many literal-only blocks in a row (tiny LogGroups): collapse the spans. */
            uint8_t *merged = sf_xmalloc(carry.total + 1);
            uint8_t *end = flush_carry(merged, &carry);
            free(scratch);
            scratch = merged;
            carry.ptr[0] = merged;
            carry.len[0] = (uint32_t)(end - merged);
            carry.total = carry.len[0];
            carry.n = 1;
        }
        carry.ptr[carry.n] = last_lits;
        carry.len[carry.n++] = b->last_lits;
        carry.total += b->last_lits;
    }
    o = write_token(o, (uint32_t)carry.total, 0);
    o = flush_carry(o, &carry);
    free(scratch);
    return (size_t)(o - out);
}
