#include "transform/json.h"

#include "transform/json_int.h"
#include "util/assert.h"
#include "util/banned.h"

/* RFC 8259 §7: '"', '\\' and U+0000-U+001F must be escaped; the five with a short form use it
 * (as Python's json module and most encoders do), the rest \u00XX. Level 2 is level 1 escaped
 * once more: every '\\' of the level-1 form doubles. */
/* The tables below are laid out as tables, which clang-format would undo. */
/* clang-format off */
#define ESC1(x)   {"\\u00" x, 6}
#define ESC2(x)   {"\\\\u00" x, 7}
#define SHORT1(x) {"\\" x, 2}
#define SHORT2(x) {"\\\\" x, 3}
#define QUOTE1    {"\\\"", 2}
#define BSLASH1   {"\\\\", 2}
#define QUOTE2    {"\\\\\\\"", 4}
#define BSLASH2   {"\\\\\\\\", 4}
#define ESC_TABLE(E, S, QUOTE, BSLASH) {                                                        \
    [0x00] = E("00"), [0x01] = E("01"), [0x02] = E("02"), [0x03] = E("03"), [0x04] = E("04"), \
    [0x05] = E("05"), [0x06] = E("06"), [0x07] = E("07"), [0x08] = S("b"),  [0x09] = S("t"),  \
    [0x0a] = S("n"),  [0x0b] = E("0b"), [0x0c] = S("f"),  [0x0d] = S("r"),  [0x0e] = E("0e"), \
    [0x0f] = E("0f"), [0x10] = E("10"), [0x11] = E("11"), [0x12] = E("12"), [0x13] = E("13"), \
    [0x14] = E("14"), [0x15] = E("15"), [0x16] = E("16"), [0x17] = E("17"), [0x18] = E("18"), \
    [0x19] = E("19"), [0x1a] = E("1a"), [0x1b] = E("1b"), [0x1c] = E("1c"), [0x1d] = E("1d"), \
    [0x1e] = E("1e"), [0x1f] = E("1f"), ['"'] = QUOTE,    ['\\'] = BSLASH,                    \
}

const struct sf_json_esc sf_json_esc_table[SF_JSON_LEVEL_MAX][128] = {
    ESC_TABLE(ESC1, SHORT1, QUOTE1, BSLASH1),
    ESC_TABLE(ESC2, SHORT2, QUOTE2, BSLASH2),
};

#define X16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
const uint8_t sf_json_byte_special[256] = {
    X16(1),                                         /* 0x00-0x0f */
    X16(1),                                         /* 0x10-0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20-0x2f: '"' */
    X16(0),                                         /* 0x30-0x3f */
    X16(0),                                         /* 0x40-0x4f */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50-0x5f: '\\' */
    X16(0),                                         /* 0x60-0x6f */
    X16(0),                                         /* 0x70-0x7f: DEL is valid JSON */
    X16(1), X16(1), X16(1), X16(1),                 /* 0x80-0xbf */
    X16(1), X16(1), X16(1), X16(1),                 /* 0xc0-0xff */
};

/* RFC 3629 §4: C0, C1 and F5-FF never appear; E0 needs A0-BF next (no overlongs), ED 80-9F (no
 * surrogates), F0 90-BF (no overlongs), F4 80-8F (nothing above U+10FFFF). */
#define L2 {2, 0x80, 0xBF}
#define L3 {3, 0x80, 0xBF}
#define L4 {4, 0x80, 0xBF}
const struct sf_utf8_lead sf_utf8_lead_table[256] = {
    [0xC2] = L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, /* C2-CF */
    L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2, L2,  /* D0-DF */
    {3, 0xA0, 0xBF}, L3, L3, L3, L3, L3, L3, L3, L3, L3, L3, L3, L3, /* E0-EC */
    {3, 0x80, 0x9F}, L3, L3,                                         /* ED-EF */
    {4, 0x90, 0xBF}, L4, L4, L4, {4, 0x80, 0x8F},                    /* F0-F4 */
};
/* clang-format on */

uint8_t *sf_json_escape(uint8_t *dst, const char *s, size_t len, unsigned level)
{
    SF_ASSERT(level == 1 || level == 2);
    return sf_json_escape_inline(dst, (const uint8_t *)s, len, level);
}

size_t sf_json_escaped_len(const char *s, size_t len, unsigned level)
{
    SF_ASSERT(level == 1 || level == 2);
    const struct sf_json_esc *table = sf_json_esc_table[level - 1];
    const uint8_t *p = (const uint8_t *)s;
    const uint8_t *end = p + len;
    size_t n = 0;
    while (p < end) {
        uint8_t c = *p;
        if (!sf_json_byte_special[c]) {
            n++;
            p++;
        } else if (c < 0x80) {
            n += table[c].len;
            p++;
        } else {
            int k = sf_utf8_scan(p, (size_t)(end - p));
            n += k > 0 ? (size_t)k : 3;
            p += k > 0 ? k : -k;
        }
    }
    return n;
}

/* ---- validation ---- */

/* One pass over the text, every token read where it lies: a goto per grammar state and the
 * string scan inlined, because a json_fields value (an ActionTrail event: ~1.2 KB, ~130
 * tokens) is mostly short strings, and a call and a state dispatch per token cost more than
 * the token. */
#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Compact JSON has no whitespace between tokens: one compare decides that case. */
static ALWAYS_INLINE const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
    while (p < end && *p <= ' ' && is_ws(*p)) {
        p++;
    }
    return p;
}

static int hex4(const uint8_t *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        int d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            d = (c | 0x20) - 'a' + 10;
        } else {
            return -1;
        }
        v = v << 4 | d;
    }
    return v;
}

/* After the 'u' of a \u escape: returns the end of the escape (of both halves for a surrogate
 * pair), or NULL when it is malformed or a lone surrogate. */
static const uint8_t *scan_u_escape(const uint8_t *p, const uint8_t *end)
{
    if (end - p < 4) {
        return NULL;
    }
    int cp = hex4(p);
    p += 4;
    if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
        return NULL;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - p < 6 || p[0] != '\\' || p[1] != 'u') {
            return NULL;
        }
        int low = hex4(p + 2);
        if (low < 0xDC00 || low > 0xDFFF) {
            return NULL;
        }
        p += 6;
    }
    return p;
}

/* After the opening quote: returns the byte after the closing quote, or NULL. Away from the
 * end of the text, 16 bytes at a time with no tail to handle. */
static ALWAYS_INLINE const uint8_t *scan_string(const uint8_t *p, const uint8_t *end)
{
    for (;;) {
#if defined(__SSE2__)
        if (end - p >= 16) {
            unsigned mask = sf_json_sse_special(_mm_loadu_si128((const __m128i *)(const void *)p));
            if (mask == 0) {
                p += 16;
                continue;
            }
            p += (unsigned)__builtin_ctz(mask);
        } else
#endif
        {
            p += sf_json_plain_run(p, end, NULL);
            if (p == end) {
                return NULL;
            }
        }
        uint8_t c = *p;
        if (c == '"') {
            return p + 1;
        }
        if (c == '\\') {
            if (end - p < 2) {
                return NULL;
            }
            switch (p[1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                p += 2;
                break;
            case 'u':
                p = scan_u_escape(p + 2, end);
                if (p == NULL) {
                    return NULL;
                }
                break;
            default:
                return NULL;
            }
        } else if (c < 0x80) {
            return NULL; /* unescaped control character */
        } else {
            /* Non-ASCII text comes in runs (CJK, accents): stay here for the run. */
            do {
                int n = sf_utf8_scan(p, (size_t)(end - p));
                if (n < 0) {
                    return NULL;
                }
                p += n;
            } while (p < end && *p >= 0x80);
        }
    }
}

static ALWAYS_INLINE const uint8_t *scan_digits(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *start = p;
    while (p < end && *p >= '0' && *p <= '9') {
        p++;
    }
    return p == start ? NULL : p;
}

/* RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const uint8_t *scan_number(const uint8_t *p, const uint8_t *end)
{
    if (p < end && *p == '-') {
        p++;
    }
    if (p < end && *p == '0') {
        p++;
    } else {
        p = scan_digits(p, end);
        if (p == NULL) {
            return NULL;
        }
    }
    if (p < end && *p == '.') {
        p = scan_digits(p + 1, end);
        if (p == NULL) {
            return NULL;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }
        p = scan_digits(p, end);
    }
    return p;
}

static ALWAYS_INLINE const uint8_t *
scan_literal(const uint8_t *p, const uint8_t *end, const char *word, size_t n)
{
    if ((size_t)(end - p) < n || memcmp(p, word, n) != 0) {
        return NULL;
    }
    return p + n;
}

bool sf_json_check(const char *s, size_t len, unsigned max_depth, struct sf_str *value)
{
    SF_ASSERT(max_depth <= SF_JSON_DEPTH_LIMIT);
    const uint8_t *end = (const uint8_t *)s + len;
    const uint8_t *p = skip_ws((const uint8_t *)s, end);
    const uint8_t *value_start = p;
    /* The open containers: bit d set when the one at depth d is an object. */
    uint64_t is_object[SF_JSON_DEPTH_LIMIT / 64] = {0};
    unsigned depth = 0;
    bool is_obj;

    /* Whitespace is skipped after each token, so every state starts at a token or the end. */
value:
    if (p == end) {
        return false;
    }
    switch (*p) {
    case '"':
        p = scan_string(p + 1, end);
        break;
    case '{':
    case '[': {
        if (depth == max_depth) {
            return false;
        }
        is_obj = *p == '{';
        uint64_t bit = 1ull << (depth % 64);
        uint64_t *word = &is_object[depth / 64];
        *word = is_obj ? *word | bit : *word & ~bit;
        depth++;
        p = skip_ws(p + 1, end);
        if (p < end && *p == (is_obj ? '}' : ']')) {
            depth--;
            p++;
            goto after;
        }
        if (is_obj) {
            goto key;
        }
        goto value;
    }
    case 't':
        p = scan_literal(p, end, "true", 4);
        break;
    case 'f':
        p = scan_literal(p, end, "false", 5);
        break;
    case 'n':
        p = scan_literal(p, end, "null", 4);
        break;
    default:
        p = (*p == '-' || (*p >= '0' && *p <= '9')) ? scan_number(p, end) : NULL;
        break;
    }
    if (p == NULL) {
        return false;
    }
    goto after;

key:
    if (p == end || *p != '"') {
        return false;
    }
    p = scan_string(p + 1, end);
    if (p == NULL) {
        return false;
    }
    p = skip_ws(p, end);
    if (p == end || *p != ':') {
        return false;
    }
    p = skip_ws(p + 1, end);
    goto value;

after:
    p = skip_ws(p, end);
    if (depth == 0) {
        goto done;
    }
    if (p == end) {
        return false;
    }
    is_obj = (is_object[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1;
    if (*p == ',') {
        p = skip_ws(p + 1, end);
        if (is_obj) {
            goto key;
        }
        goto value;
    }
    if (*p != (is_obj ? '}' : ']')) {
        return false;
    }
    depth--;
    p++;
    goto after;

done:
    /* The value is complete at depth 0; only whitespace may follow it. */
    if (p != end) {
        return false;
    }
    if (value) {
        const uint8_t *value_end = end;
        while (value_end > value_start && is_ws(value_end[-1])) {
            value_end--;
        }
        *value = (struct sf_str){.ptr = (const char *)value_start,
                                 .len = (size_t)(value_end - value_start)};
    }
    return true;
}

/* ---- validation and copy, a 64-byte block at a time ---- */

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

#if defined(__SSE2__)
/* The bytes of one 64-byte block that matter, one bit per byte (bit i: byte i). */
struct block_masks {
    uint64_t quote;      /* '"' */
    uint64_t bslash;     /* '\\' */
    uint64_t ctl;        /* below 0x20: whitespace between tokens, or an error in a string */
    uint64_t high;       /* 0x80 and up: UTF-8 in a string, or an error */
    uint64_t structural; /* { } [ ] : , */
};

static ALWAYS_INLINE void block_masks(const uint8_t *p, struct block_masks *m)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i ctl_max = _mm_set1_epi8(0x1f);
    const __m128i case_bit = _mm_set1_epi8(0x20);
    const __m128i lbrace = _mm_set1_epi8('{'); /* '[' | 0x20 == '{' */
    const __m128i rbrace = _mm_set1_epi8('}'); /* ']' | 0x20 == '}' */
    const __m128i colon = _mm_set1_epi8(':');
    const __m128i comma = _mm_set1_epi8(',');
    *m = (struct block_masks){0};
    for (unsigned i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i folded = _mm_or_si128(v, case_bit);
        __m128i st = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(folded, lbrace), _mm_cmpeq_epi8(folded, rbrace)),
            _mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, comma)));
        unsigned shift = 16 * i;
        m->quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << shift;
        m->bslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, bslash)) << shift;
        m->ctl |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl_max), v))
                  << shift;
        m->high |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << shift;
        m->structural |= (uint64_t)(unsigned)_mm_movemask_epi8(st) << shift;
    }
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

/* Bits [from, to) of a block. */
static ALWAYS_INLINE uint64_t bit_range(unsigned from, unsigned to)
{
    uint64_t below_to = to == 64 ? ~0ull : (1ull << to) - 1;
    return below_to & ~((1ull << from) - 1);
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

/* The common case of sf_json_check_copy: compact JSON (no whitespace between tokens) without
 * escapes, where the token after each token is the next byte (after a string: the byte after its
 * closing quote; after a number or literal: the byte after its run). Each 64-byte block is
 * classified at once: which bytes lie in strings (the parity of the quotes before them), which
 * strings are keys (those after '{' or an object's ','), and what each token allows next
 * (RFC 8259 §2, §4, §5), all as bit masks. Only brackets (the stack and which container each
 * ',' is in), numbers and literals (their grammar) and non-ASCII bytes (UTF-8) are visited one by
 * one, and an ActionTrail event has few of them. String contents need no walk: with no
 * backslash, every quote opens or closes one, and control bytes were found as a mask.
 * Returns true only for text sf_json_check accepts, whole (nothing to trim); false means "not
 * decided here": invalid, or whitespace, escapes, empty. Reads whole blocks only while they lie
 * before |readable_end|, the last partial one through a copy; writes only [d, d + len). */
bool sf_json_check_blocks(
    uint8_t *d, const uint8_t *s, size_t len, unsigned max_depth, const uint8_t *readable_end)
{
    const uint8_t *end = s + len;
    uint64_t is_object[SF_JSON_DEPTH_LIMIT / 64] = {0};
    unsigned depth = 0;
    /* The innermost open container: 0 none (top level), 1 array, 2 object. */
    unsigned ctx = 0;
    struct block_carry carry = {.need_value = 1}; /* the text starts where a value must */
    const uint8_t *utf8_done = s;                 /* the UTF-8 sequences checked so far end here */
    uint8_t tail[64];

    if (len == 0) {
        return false;
    }
    for (size_t off = 0; off < len; off += 64) {
        const uint8_t *p = s + off;
        size_t left = len - off;
        const uint8_t *src = p;
        uint64_t valid = ~0ull;
        uint64_t end_bit = 0; /* the position just past the text, when in this block */
        if (left < 64) {
            valid = (1ull << left) - 1;
            end_bit = 1ull << left;
            if (readable_end - p < 64) {
                memcpy(tail, p, left);
                memset(tail + left, ' ', 64 - left);
                src = tail;
            }
        }
        struct block_masks m;
        block_masks(src, &m);
        if (d) {
            memcpy(d + off, p, left >= 64 ? 64 : left);
        }
        if ((m.bslash | m.ctl) & valid) {
            return false;
        }
        uint64_t quote = m.quote & valid;
        uint64_t inside = prefix_xor(quote) ^ carry.in_string; /* opening quote in, closing out */
        carry.in_string = (uint64_t)((int64_t)inside >> 63);
        uint64_t open_quote = quote & inside;
        uint64_t close_quote = quote & ~inside;
        uint64_t high = m.high & valid;
        if (high) {
            if (high & ~inside) {
                return false;
            }
            do {
                const uint8_t *q = p + __builtin_ctzll(high);
                high &= high - 1;
                if (q < utf8_done) {
                    continue; /* a continuation byte of a checked sequence */
                }
                int n = sf_utf8_scan(q, (size_t)(end - q));
                if (n < 0) {
                    return false;
                }
                utf8_done = q + n;
            } while (high);
        }
        uint64_t structural = m.structural & ~inside & valid;
        uint64_t other = ~inside & ~structural & ~quote & valid;

        uint64_t lbrace = 0, rbrace = 0, lbracket = 0, rbracket = 0, colon = 0, comma = 0;
        uint64_t obj_ctx = 0; /* positions whose innermost container is an object */
        uint64_t top_ctx = 0; /* positions outside any container */
        {
            unsigned from = 0;
            uint64_t st = structural;
            while (st) {
                unsigned pos = (unsigned)__builtin_ctzll(st);
                uint64_t bit = st & -st;
                st &= st - 1;
                uint8_t c = src[pos];
                if (c == ':') {
                    colon |= bit;
                    continue;
                }
                if (c == ',') {
                    comma |= bit;
                    continue;
                }
                /* A bracket: the container changes from the next byte on. */
                uint64_t seg = bit_range(from, pos + 1);
                obj_ctx |= ctx == 2 ? seg : 0;
                top_ctx |= ctx == 0 ? seg : 0;
                from = pos + 1;
                if (c == '{' || c == '[') {
                    if (depth == max_depth) {
                        return false;
                    }
                    uint64_t b = 1ull << (depth % 64);
                    uint64_t *word = &is_object[depth / 64];
                    *word = c == '{' ? *word | b : *word & ~b;
                    depth++;
                    ctx = c == '{' ? 2 : 1;
                    lbrace |= c == '{' ? bit : 0;
                    lbracket |= c == '[' ? bit : 0;
                } else {
                    if (ctx != (c == '}' ? 2u : 1u)) {
                        return false; /* nothing open, or the other kind */
                    }
                    depth--;
                    ctx = depth == 0
                              ? 0
                              : 1 + ((is_object[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1);
                    rbrace |= c == '}' ? bit : 0;
                    rbracket |= c == ']' ? bit : 0;
                }
            }
            if (from < 64) {
                uint64_t seg = bit_range(from, 64);
                obj_ctx |= ctx == 2 ? seg : 0;
                top_ctx |= ctx == 0 ? seg : 0;
            }
        }
        if (comma & top_ctx) {
            return false; /* a second value at the top */
        }
        uint64_t obj_comma = comma & obj_ctx;
        uint64_t arr_comma = comma & ~obj_ctx;

        /* Numbers and literals: one scan each, which must take their whole run. */
        uint64_t scalar_start = other & ~(other << 1 | carry.other);
        uint64_t after_scalar = ~other & (other << 1 | carry.other);
        carry.other = other >> 63;
        for (uint64_t ns = scalar_start; ns; ns &= ns - 1) {
            const uint8_t *t = p + __builtin_ctzll(ns);
            const uint8_t *e;
            if (*t == 't') {
                e = scan_literal(t, end, "true", 4);
            } else if (*t == 'f') {
                e = scan_literal(t, end, "false", 5);
            } else if (*t == 'n') {
                e = scan_literal(t, end, "null", 4);
            } else {
                e = scan_number(t, end); /* NULL unless it starts like one */
            }
            if (e == NULL || (e != end && *e != ',' && *e != '}' && *e != ']')) {
                return false; /* "1x", "true1"; "1 " is not decided here */
            }
        }

        /* Keys: strings whose opening quote follows '{' or an object's ','. Adding the opening
         * quote's bit to its run in |inside| carries to the closing quote. */
        uint64_t key_open =
            open_quote & (lbrace << 1 | obj_comma << 1 | carry.need_key_or_close | carry.need_key);
        uint64_t sum;
        uint64_t c1 = __builtin_uaddll_overflow(inside, key_open, (unsigned long long *)&sum);
        uint64_t c2 = __builtin_uaddll_overflow(sum, carry.key_add, (unsigned long long *)&sum);
        carry.key_add = c1 | c2;
        uint64_t key_close = sum & ~inside & close_quote;
        uint64_t value_close = close_quote & ~key_close;

        uint64_t value_start = open_quote | scalar_start | lbrace | lbracket;
        uint64_t after_value_ok = comma | rbrace | rbracket | end_bit;
        uint64_t need_value = colon | arr_comma;
        uint64_t value_end = value_close | rbrace | rbracket;
        uint64_t bad = ((need_value << 1 | carry.need_value) & ~value_start) |
                       ((lbracket << 1 | carry.need_open_value) & ~(value_start | rbracket)) |
                       ((lbrace << 1 | carry.need_key_or_close) & ~(open_quote | rbrace)) |
                       ((obj_comma << 1 | carry.need_key) & ~open_quote) |
                       ((key_close << 1 | carry.need_colon) & ~colon) |
                       ((value_end << 1 | carry.after_value | after_scalar) & ~after_value_ok);
        if (bad) {
            return false;
        }
        carry.need_value = need_value >> 63;
        carry.need_open_value = lbracket >> 63;
        carry.need_key_or_close = lbrace >> 63;
        carry.need_key = obj_comma >> 63;
        carry.need_colon = key_close >> 63;
        carry.after_value = value_end >> 63;
    }
    /* A text that ends where a token needs a successor ends early (when its length is a multiple
     * of 64; otherwise the end bit above was refused already). */
    return depth == 0 && carry.in_string == 0 &&
           (carry.need_value | carry.need_open_value | carry.need_key_or_close | carry.need_key |
            carry.need_colon) == 0;
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
#if defined(__SSE2__)
    const uint8_t *u = (const uint8_t *)s;
    if (readable_end == NULL || readable_end < u + len) {
        readable_end = u + len;
    }
    if (sf_json_check_blocks(d, u, len, max_depth, readable_end)) {
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
