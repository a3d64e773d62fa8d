/* Internal to codec: the protobuf wire format (varints, tags, the four skippable wire types),
 * read with a bounds check on every byte. Only what loggroup.c needs; no allocation. */
#ifndef SF_CODEC_PB_WIRE_H
#define SF_CODEC_PB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum pb_wire {
    PB_WIRE_VARINT = 0,
    PB_WIRE_FIXED64 = 1,
    PB_WIRE_LEN = 2,
    PB_WIRE_FIXED32 = 5,
};

/* One field: for VARINT, FIXED64 and FIXED32 the value is in |num|; for LEN, the payload is
 * [ptr, ptr + len), already checked to lie inside the enclosing message. */
struct pb_field {
    uint32_t number;
    uint32_t wire;
    uint64_t num;
    const uint8_t *ptr;
    size_t len;
};

/* The multi-byte case: most tags and lengths in SLS data fit in one byte. A varint has at most
 * 10 bytes, and the tenth may only carry bit 63 (protobuf's encoding rules). */
static inline bool pb_read_varint_slow(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p == end) {
            return false;
        }
        uint8_t b = *p++;
        if (shift == 63 && b > 1) {
            return false;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *out = v;
            *pp = p;
            return true;
        }
    }
    return false;
}

/* Reads the varint at *pp, advancing it; false when truncated or overlong. */
static inline bool pb_read_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80) {
        *out = *p;
        *pp = p + 1;
        return true;
    }
    return pb_read_varint_slow(pp, end, out);
}

/* Fixed-width wire values are little-endian; built byte by byte, so alignment and host byte
 * order do not matter (compilers turn this into one load). */
static inline uint64_t pb_load_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

/* Reads a length prefix at *pp and checks that the payload fits before |end|; *pp is left at
 * the payload. Lengths near 2^64 cannot wrap: they are compared, never added. */
static inline bool pb_read_len(const uint8_t **pp, const uint8_t *end, size_t *len)
{
    uint64_t v;
    if (!pb_read_varint(pp, end, &v) || v > (uint64_t)(end - *pp)) {
        return false;
    }
    *len = (size_t)v;
    return true;
}

/* Reads one whole field at *pp (tag, then value or payload) and advances past it. False on
 * truncation, an overlong varint, field number 0, a tag above 32 bits, or wire types 3, 4
 * (deprecated groups, which we do not support), 6 and 7 (undefined). */
static inline bool pb_next_field(const uint8_t **pp, const uint8_t *end, struct pb_field *f)
{
    uint64_t tag;
    if (!pb_read_varint(pp, end, &tag) || tag > UINT32_MAX || tag < 8) {
        return false;
    }
    f->number = (uint32_t)(tag >> 3);
    f->wire = (uint32_t)(tag & 7);
    size_t left = (size_t)(end - *pp);
    switch (f->wire) {
    case PB_WIRE_VARINT:
        return pb_read_varint(pp, end, &f->num);
    case PB_WIRE_FIXED64:
    case PB_WIRE_FIXED32: {
        size_t n = f->wire == PB_WIRE_FIXED64 ? 8 : 4;
        if (left < n) {
            return false;
        }
        f->num = pb_load_le(*pp, n);
        *pp += n;
        return true;
    }
    case PB_WIRE_LEN:
        if (!pb_read_len(pp, end, &f->len)) {
            return false;
        }
        f->ptr = *pp;
        *pp += f->len;
        return true;
    default:
        return false;
    }
}

#endif
