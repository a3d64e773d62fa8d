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
        p = sf_json_scan_literal(p, end, "true", 4);
        break;
    case 'f':
        p = sf_json_scan_literal(p, end, "false", 5);
        break;
    case 'n':
        p = sf_json_scan_literal(p, end, "null", 4);
        break;
    default:
        p = (*p == '-' || (*p >= '0' && *p <= '9')) ? sf_json_scan_number(p, end) : NULL;
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
