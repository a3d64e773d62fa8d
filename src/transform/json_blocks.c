/* sf_json_check_copy: a json_fields value checked and copied in one pass, a 64-byte block at a
 * time with SSE2 or, when the CPU has it, AVX2 (chosen at run time; the build's baseline stays
 * x86-64). An AVX-512BW variant ran slower than AVX2 here (gcc 12 kept the block's masks in
 * k registers): bench_transform 100 actiontrail map, 2,370 against 2,700 raw MB/s. Text the block
 * path does not decide (whitespace between tokens, escapes, invalid) goes to sf_json_check.
 * Elsewhere than x86 with a GNU C compiler, sf_json_check alone. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "transform/json.h"
#include "transform/json_int.h"
#include "util/assert.h"

#if SF_JSON_BLOCKS
#include <immintrin.h>
#endif

#include "util/banned.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Copies valid JSON text with each byte below 0x20 turned into a space. In valid JSON those can
 * only be whitespace between tokens (RFC 8259 §2, §7), so the value is unchanged, and a
 * pretty-printed field cannot break the one-event-per-line shape of the output. */
static uint8_t *copy_json_text(uint8_t *d, const uint8_t *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i limit = _mm_set1_epi8(0x1f);
    const __m128i space = _mm_set1_epi8(' ');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i is_ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, limit), v); /* unsigned v <= 0x1f */
        v = _mm_or_si128(_mm_andnot_si128(is_ctl, v), _mm_and_si128(is_ctl, space));
        _mm_storeu_si128((__m128i *)(void *)(d + i), v);
    }
#endif
    for (; i < n; i++) {
        d[i] = s[i] < 0x20 ? ' ' : s[i];
    }
    return d + n;
}

#if SF_JSON_BLOCKS
/* The bytes of one 64-byte block that matter, one bit per byte (bit i: byte i). */
struct block_masks {
    uint64_t quote; /* '"' */
    /* '\\', below 0x20 (whitespace between tokens, or an error in a string), 0x80 and up
     * (UTF-8 in a string, or an error): the rare bytes, told apart only when present. */
    uint64_t rare;
    uint64_t colon;
    uint64_t comma;
    uint64_t bracket; /* { } [ ] */
};

static ALWAYS_INLINE uint64_t movemask_at(__m128i v, unsigned i)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * i);
}

static ALWAYS_INLINE void block_masks_sse2(const uint8_t *p, struct block_masks *m)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i ctl_max = _mm_set1_epi8(0x1f);
    const __m128i case_bit = _mm_set1_epi8(0x20);
    const __m128i open = _mm_set1_epi8('{');  /* '[' | 0x20 == '{' */
    const __m128i close = _mm_set1_epi8('}'); /* ']' | 0x20 == '}' */
    const __m128i colon = _mm_set1_epi8(':');
    const __m128i comma = _mm_set1_epi8(',');
    *m = (struct block_masks){0};
    for (unsigned i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i folded = _mm_or_si128(v, case_bit);
        /* The top bit of |v| itself marks 0x80 and up. */
        __m128i rare = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, bslash), v),
                                    _mm_cmpeq_epi8(_mm_min_epu8(v, ctl_max), v));
        m->quote |= movemask_at(_mm_cmpeq_epi8(v, quote), i);
        m->rare |= movemask_at(rare, i);
        m->colon |= movemask_at(_mm_cmpeq_epi8(v, colon), i);
        m->comma |= movemask_at(_mm_cmpeq_epi8(v, comma), i);
        m->bracket |= movemask_at(
            _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)), i);
    }
}

/* Of the rare bytes of a block: those 0x80 and up. */
static ALWAYS_INLINE uint64_t block_high_sse2(const uint8_t *p)
{
    uint64_t high = 0;
    for (unsigned i = 0; i < 4; i++) {
        high |= movemask_at(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), i);
    }
    return high;
}

/* Bit i: the parity of the set bits at 0..i. */
static ALWAYS_INLINE uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* The same with 32-byte registers (AVX2), compiled for it whatever the build's baseline. */
#define AVX2 __attribute__((target("avx2")))
AVX2 static ALWAYS_INLINE uint64_t movemask32_at(__m256i v, unsigned i)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(v) << (32 * i);
}

AVX2 static ALWAYS_INLINE void block_masks_avx2(const uint8_t *p, struct block_masks *m)
{
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i bslash = _mm256_set1_epi8('\\');
    const __m256i ctl_max = _mm256_set1_epi8(0x1f);
    const __m256i case_bit = _mm256_set1_epi8(0x20);
    const __m256i open = _mm256_set1_epi8('{');
    const __m256i close = _mm256_set1_epi8('}');
    const __m256i colon = _mm256_set1_epi8(':');
    const __m256i comma = _mm256_set1_epi8(',');
    *m = (struct block_masks){0};
    for (unsigned i = 0; i < 2; i++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * i));
        __m256i folded = _mm256_or_si256(v, case_bit);
        __m256i rare = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, bslash), v),
                                       _mm256_cmpeq_epi8(_mm256_min_epu8(v, ctl_max), v));
        m->quote |= movemask32_at(_mm256_cmpeq_epi8(v, quote), i);
        m->rare |= movemask32_at(rare, i);
        m->colon |= movemask32_at(_mm256_cmpeq_epi8(v, colon), i);
        m->comma |= movemask32_at(_mm256_cmpeq_epi8(v, comma), i);
        m->bracket |= movemask32_at(
            _mm256_or_si256(_mm256_cmpeq_epi8(folded, open), _mm256_cmpeq_epi8(folded, close)), i);
    }
}

AVX2 static ALWAYS_INLINE uint64_t block_high_avx2(const uint8_t *p)
{
    return movemask32_at(_mm256_loadu_si256((const __m256i *)(const void *)p), 0) |
           movemask32_at(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), 1);
}

/* The first |n| (< 64) of 64 readable bytes at |s| to |d|, writing nothing past d + n: two
 * overlapping stores of a fixed size instead of a call. */
static ALWAYS_INLINE void copy_short(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n >= 32) {
        memcpy(d, s, 32);
        memcpy(d + n - 32, s + n - 32, 32);
    } else if (n >= 16) {
        memcpy(d, s, 16);
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++) {
            d[i] = s[i];
        }
    }
}

/* What one block hands to the next: the bits that fall off its top end. */
struct block_carry {
    uint64_t in_string;         /* all ones when the block ended inside a string */
    uint64_t key_add;           /* the key-string addition's carry (see below) */
    uint64_t other;             /* ended inside a number or literal */
    uint64_t need_value;        /* ended with ':' or an array's ',' (or nothing yet: the start) */
    uint64_t need_open_value;   /* ended with '[' */
    uint64_t need_key_or_close; /* ended with '{' */
    uint64_t need_key;          /* ended with an object's ',' */
    uint64_t need_colon;        /* ended with a key's closing quote */
    uint64_t after_value;       /* ended with a value's last byte (not a number's: see other) */
};

/* clang-format off */
#define BLOCKS_FN     check_blocks_sse2
#define BLOCKS_TARGET
#define BLOCKS_MASKS  block_masks_sse2
#define BLOCKS_HIGH   block_high_sse2
#include "transform/json_blocks_body.h"
#undef BLOCKS_FN
#undef BLOCKS_TARGET
#undef BLOCKS_MASKS
#undef BLOCKS_HIGH

#define BLOCKS_FN     check_blocks_avx2
#define BLOCKS_TARGET AVX2
#define BLOCKS_MASKS  block_masks_avx2
#define BLOCKS_HIGH   block_high_avx2
#include "transform/json_blocks_body.h"
/* clang-format on */

typedef bool (*check_blocks_fn)(uint8_t *, const uint8_t *, size_t, unsigned, const uint8_t *);

static check_blocks_fn isa_fn(enum sf_json_isa isa)
{
    return isa == SF_JSON_ISA_AVX2 ? check_blocks_avx2 : check_blocks_sse2;
}

bool sf_json_isa_supported(enum sf_json_isa isa)
{
    __builtin_cpu_init();
    switch (isa) {
    case SF_JSON_ISA_SSE2:
        return true;
    case SF_JSON_ISA_AVX2:
        return __builtin_cpu_supports("avx2");
    }
    return false;
}

bool sf_json_check_blocks_isa(enum sf_json_isa isa,
                              uint8_t *d,
                              const uint8_t *s,
                              size_t len,
                              unsigned max_depth,
                              const uint8_t *readable_end)
{
    SF_ASSERT(sf_json_isa_supported(isa));
    return isa_fn(isa)(d, s, len, max_depth, readable_end);
}

/* AVX2 when the CPU has it, chosen at the first call (threads that race store the same). */
static bool check_blocks(
    uint8_t *d, const uint8_t *s, size_t len, unsigned max_depth, const uint8_t *readable_end)
{
    static check_blocks_fn chosen;
    check_blocks_fn fn = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (fn == NULL) {
        enum sf_json_isa isa =
            sf_json_isa_supported(SF_JSON_ISA_AVX2) ? SF_JSON_ISA_AVX2 : SF_JSON_ISA_SSE2;
        fn = isa_fn(isa);
        __atomic_store_n(&chosen, fn, __ATOMIC_RELAXED);
    }
    return fn(d, s, len, max_depth, readable_end);
}
#endif

bool sf_json_check_copy(uint8_t *d,
                        const char *s,
                        size_t len,
                        unsigned max_depth,
                        const uint8_t *readable_end,
                        struct sf_str *value)
{
    SF_ASSERT(max_depth <= SF_JSON_DEPTH_LIMIT);
#if SF_JSON_BLOCKS
    const uint8_t *u = (const uint8_t *)s;
    if (readable_end == NULL || readable_end < u + len) {
        readable_end = u + len;
    }
    if (check_blocks(d, u, len, max_depth, readable_end)) {
        *value = (struct sf_str){.ptr = s, .len = len};
        return true;
    }
#else
    (void)readable_end;
#endif
    if (!sf_json_check(s, len, max_depth, value)) {
        return false;
    }
    if (d) {
        copy_json_text(d, (const uint8_t *)value->ptr, value->len);
    }
    return true;
}
