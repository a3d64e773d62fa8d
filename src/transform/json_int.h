/* Inside of json.c shared with hec_event.c: the escaping loop as an inline function, so the
 * per-value call on the hot path costs no call and the compiler can specialise it per level.
 * Not an API for other modules; use json.h. */
#ifndef SF_TRANSFORM_JSON_INT_H
#define SF_TRANSFORM_JSON_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "transform/json.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* One escape sequence of up to 7 bytes, NUL-padded: always copied as 8 bytes at once, and the
 * padding lands in scratch space that the next write overwrites. */
struct sf_json_esc {
    char seq[8];
    uint8_t len;
};

/* [level - 1][byte]: escape of each ASCII byte that JSON requires to escape (below 0x20, '"'
 * and '\\'); zero for the rest. */
extern const struct sf_json_esc sf_json_esc_table[SF_JSON_LEVEL_MAX][128];

/* Nonzero for every byte that cannot be copied as is: below 0x20, '"', '\\', and 0x80 and up. */
extern const uint8_t sf_json_byte_special[256];

/* Per lead byte: length of the sequence it starts (2-4; 0 when it never starts one) and the
 * range allowed for the second byte (RFC 3629 §4 table), which excludes overlongs, surrogates
 * and code points above U+10FFFF. */
struct sf_utf8_lead {
    uint8_t len;
    uint8_t lo;
    uint8_t hi;
};
extern const struct sf_utf8_lead sf_utf8_lead_table[256];

/* For |s| at a byte >= 0x80 with |avail| >= 1 bytes left: the length of the well-formed
 * sequence it starts (2-4), or minus the length of the maximal subpart of an ill-formed one
 * (-1 to -3), which becomes a single U+FFFD. */
static inline int sf_utf8_scan(const uint8_t *s, size_t avail)
{
    const struct sf_utf8_lead *lead = &sf_utf8_lead_table[s[0]];
    if (lead->len == 0 || avail < 2 || s[1] < lead->lo || s[1] > lead->hi) {
        return -1;
    }
    if (lead->len == 2) {
        return 2;
    }
    if (avail < 3 || (s[2] & 0xC0) != 0x80) {
        return -2;
    }
    if (lead->len == 3) {
        return 3;
    }
    if (avail < 4 || (s[3] & 0xC0) != 0x80) {
        return -3;
    }
    return 4;
}

/* Bytes of |x| (8 input bytes, first byte least significant) that need attention: the high bit
 * of each such byte is set. Borrows can also flag bytes after a flagged one, never before it,
 * so the lowest flag is exact. */
static inline uint64_t sf_json_swar_special(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t quote = x ^ (ones * '"');
    uint64_t bslash = x ^ (ones * '\\');
    uint64_t m = ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash);
    return (m | x) & (ones * 0x80);
}

/* 8 bytes at |s|, the first one least significant whatever the host's byte order. */
static inline uint64_t sf_json_load_le64(const uint8_t *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* 4 bytes at |s| as sf_json_swar_special input: the first one least significant, and the
 * upper half filled with a plain byte ('a') so that only these 4 can be flagged. */
static inline uint64_t sf_json_load_le32_padded(const uint8_t *s)
{
    uint32_t x;
    memcpy(&x, s, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap32(x);
#endif
    return (uint64_t)x | 0x6161616100000000ull;
}

/* Length of the run of plain bytes (neither '"', '\\', below 0x20 nor 0x80 and up) at |s|,
 * which ends at the first special byte or at |end|. When |d| is not NULL the run is also copied
 * there, in whole blocks that may store up to end - s bytes: callers reserve
 * sf_json_escape_bound, so the stores never pass what the remaining input could expand to.
 * Values are mostly short, so the last 4-15 bytes are two overlapping words, not a loop. */
#if defined(__SSE2__)
/* One bit per byte of |v| that is '"', '\\', below 0x20 or 0x80 and up. */
static inline unsigned sf_json_sse_special(__m128i v)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    /* Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them too. */
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                               _mm_cmplt_epi8(v, space));
    return (unsigned)_mm_movemask_epi8(hit);
}

static inline __m128i sf_json_load32(const uint8_t *s)
{
    int32_t x;
    memcpy(&x, s, 4);
    return _mm_cvtsi32_si128(x);
}
#endif

static inline size_t sf_json_plain_run(const uint8_t *s, const uint8_t *end, uint8_t *d)
{
    const uint8_t *start = s;
#if defined(__SSE2__)
    while (end - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        if (d) {
            _mm_storeu_si128((__m128i *)(void *)(d + (s - start)), v);
        }
        unsigned mask = sf_json_sse_special(v);
        if (mask) {
            return (size_t)(s - start) + (unsigned)__builtin_ctz(mask);
        }
        s += 16;
    }
    size_t off = (size_t)(s - start);
    size_t r = (size_t)(end - s);
    if (r >= 8) {
        /* The first 8 and the last 8 bytes, side by side in one register. */
        __m128i x = _mm_loadl_epi64((const __m128i *)(const void *)s);
        __m128i y = _mm_loadl_epi64((const __m128i *)(const void *)(end - 8));
        if (d) {
            _mm_storel_epi64((__m128i *)(void *)(d + off), x);
            _mm_storel_epi64((__m128i *)(void *)(d + off + r - 8), y);
        }
        unsigned mask = sf_json_sse_special(_mm_unpacklo_epi64(x, y));
        if (mask & 0xFF) {
            return off + (unsigned)__builtin_ctz(mask);
        }
        /* The first 8 are plain, so the lowest flag in the last 8 is the first special. */
        return mask ? off + r - 8 + (unsigned)__builtin_ctz(mask >> 8) : off + r;
    }
    if (r >= 4) {
        __m128i x = sf_json_load32(s);
        __m128i y = sf_json_load32(end - 4);
        if (d) {
            memcpy(d + off, s, 4);
            memcpy(d + off + r - 4, end - 4, 4);
        }
        /* Bytes 8-15 of the register are zero, and flagged: only the low 8 bits count. */
        unsigned mask = sf_json_sse_special(_mm_unpacklo_epi32(x, y)) & 0xFF;
        if (mask & 0x0F) {
            return off + (unsigned)__builtin_ctz(mask);
        }
        return mask ? off + r - 4 + (unsigned)__builtin_ctz(mask >> 4) : off + r;
    }
#else
    while (end - s >= 16) {
        if (d) {
            memcpy(d + (s - start), s, 8);
        }
        uint64_t m = sf_json_swar_special(sf_json_load_le64(s));
        if (m) {
            return (size_t)(s - start) + ((unsigned)__builtin_ctzll(m) >> 3);
        }
        s += 8;
    }
    size_t off = (size_t)(s - start);
    size_t r = (size_t)(end - s);
    if (r >= 8) {
        if (d) {
            memcpy(d + off, s, 8);
            memcpy(d + off + r - 8, end - 8, 8);
        }
        uint64_t m = sf_json_swar_special(sf_json_load_le64(s));
        if (m) {
            return off + ((unsigned)__builtin_ctzll(m) >> 3);
        }
        /* The first 8 are plain, so the lowest flag in the last 8 is the first special. */
        m = sf_json_swar_special(sf_json_load_le64(end - 8));
        return m ? off + r - 8 + ((unsigned)__builtin_ctzll(m) >> 3) : off + r;
    }
    if (r >= 4) {
        if (d) {
            memcpy(d + off, s, 4);
            memcpy(d + off + r - 4, end - 4, 4);
        }
        uint64_t m = sf_json_swar_special(sf_json_load_le32_padded(s));
        if (m) {
            return off + ((unsigned)__builtin_ctzll(m) >> 3);
        }
        m = sf_json_swar_special(sf_json_load_le32_padded(end - 4));
        return m ? off + r - 4 + ((unsigned)__builtin_ctzll(m) >> 3) : off + r;
    }
#endif
    while (s < end && !sf_json_byte_special[*s]) {
        if (d) {
            d[off] = *s;
        }
        s++;
        off++;
    }
    return off;
}

/* The block-at-a-time half of sf_json_check_copy (json_blocks.c), where it is built: x86 with
 * SSE2 and a GNU C compiler (gcc, clang). */
#if defined(__SSE2__) && defined(__GNUC__)
#define SF_JSON_BLOCKS 1

/* Its variants, by the vector instructions they use. */
enum sf_json_isa { SF_JSON_ISA_SSE2, SF_JSON_ISA_AVX2 };

/* True when this CPU can run variant |isa|. */
bool sf_json_isa_supported(enum sf_json_isa isa);

/* Variant |isa| (supported) of the block path, apart for tests: true only for compact text (no
 * whitespace between tokens) without escapes that sf_json_check accepts, whole; false for
 * everything it leaves to sf_json_check. May write [d, d + len) (|d| may be NULL); reads |s|
 * in whole 64-byte blocks before |readable_end| (>= s + len) and nothing past it. */
bool sf_json_check_blocks_isa(enum sf_json_isa isa,
                              uint8_t *d,
                              const uint8_t *s,
                              size_t len,
                              unsigned max_depth,
                              const uint8_t *readable_end);
#else
#define SF_JSON_BLOCKS 0
#endif

/* ---- the validators' scalars (json.c, json_blocks.c) ---- */

/* Past the run of digits at |p|, or NULL when there is none. */
static inline const uint8_t *sf_json_scan_digits(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *start = p;
    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }
    return p == start ? NULL : p;
}

/* Past the number at |p| (RFC 8259 §6, grammar only), or NULL:
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static inline const uint8_t *sf_json_scan_number(const uint8_t *p, const uint8_t *end)
{
    if (p < end && *p == '-') {
        p++;
    }
    if (p < end && *p == '0') {
        p++;
    } else {
        p = sf_json_scan_digits(p, end);
        if (p == NULL) {
            return NULL;
        }
    }
    if (p < end && *p == '.') {
        p = sf_json_scan_digits(p + 1, end);
        if (p == NULL) {
            return NULL;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        p = sf_json_scan_digits(p, end);
    }
    return p;
}

/* Past |word| (|n| bytes) at |p|, or NULL when it is not there. */
static inline const uint8_t *
sf_json_scan_literal(const uint8_t *p, const uint8_t *end, const char *word, size_t n)
{
    if ((size_t)(end - p) < n || memcmp(p, word, n) != 0) {
        return NULL;
    }
    return p + n;
}

/* One non-ASCII character at |*s| (before |end|) into |d|: its 2-4 bytes when it is valid
 * UTF-8, else U+FFFD for the invalid bytes; advances |*s|. The escapers' one step for bytes
 * >= 0x80. */
static inline __attribute__((always_inline)) uint8_t *
sf_json_put_non_ascii(uint8_t *d, const uint8_t **s, const uint8_t *end)
{
    const uint8_t *p = *s;
    int n = sf_utf8_scan(p, (size_t)(end - p));
    if (n > 0) {
        /* 2-4 bytes; copying 4 could read past |end|. */
        d[0] = p[0];
        d[1] = p[1];
        if (n > 2) {
            d[2] = p[2];
        }
        if (n > 3) {
            d[3] = p[3];
        }
        *s = p + n;
        return d + n;
    }
    d[0] = 0xEF; /* U+FFFD */
    d[1] = 0xBF;
    d[2] = 0xBD;
    *s = p - n;
    return d + 3;
}

/* sf_json_escape, inlined. |level| is 1 or 2 and usually a constant at the call site. */
static inline uint8_t *
sf_json_escape_inline(uint8_t *d, const uint8_t *s, size_t len, unsigned level)
{
    const uint8_t *end = s + len;
    const struct sf_json_esc *table = sf_json_esc_table[level - 1];
    for (;;) {
        size_t k = sf_json_plain_run(s, end, d);
        s += k;
        d += k;
        if (s == end) {
            return d;
        }
        uint8_t c = *s;
        if (c < 0x80) {
            memcpy(d, table[c].seq, 8);
            d += table[c].len;
            s++;
            continue;
        }
        d = sf_json_put_non_ascii(d, &s, end);
    }
}

/* sf_json_escape_inline for a string |s| that lies in a buffer ending at |readable_end|: while
 * 16 bytes from the read position are in that buffer, each step is one whole-block load and
 * store, the string's end treated as one more stop, with no tail to handle (a short value
 * costs one block). Stores up to 15 bytes past the escaped string, which callers reserve as
 * scratch (hec_event.c: KV_OVERHEAD per key and value). */
static inline __attribute__((always_inline)) uint8_t *sf_json_escape_window(
    uint8_t *d, const uint8_t *s, size_t len, unsigned level, const uint8_t *readable_end)
{
#if defined(__SSE2__)
    const uint8_t *end = s + len;
    const struct sf_json_esc *table = sf_json_esc_table[level - 1];
    while (s < end) {
        if (readable_end - s < 16) { /* the body's last bytes: rare, out of line */
            return sf_json_escape(d, (const char *)s, (size_t)(end - s), level);
        }
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        _mm_storeu_si128((__m128i *)(void *)d, v);
        unsigned mask = sf_json_sse_special(v);
        size_t left = (size_t)(end - s);
        if (left < 16) {
            mask |= 1u << left;
        }
        if (mask == 0) {
            s += 16;
            d += 16;
            continue;
        }
        unsigned k = (unsigned)__builtin_ctz(mask);
        s += k;
        d += k;
        if (s == end) {
            break;
        }
        uint8_t c = *s;
        if (c < 0x80) {
            memcpy(d, table[c].seq, 8);
            d += table[c].len;
            s++;
            continue;
        }
        /* Non-ASCII text comes in runs (CJK, accents): stay here for the run. */
        do {
            d = sf_json_put_non_ascii(d, &s, end);
        } while (s < end && *s >= 0x80);
    }
    return d;
#else
    (void)readable_end;
    return sf_json_escape(d, (const char *)s, len, level);
#endif
}

#endif
