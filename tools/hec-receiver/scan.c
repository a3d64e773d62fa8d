/* The /event body scanner (scan.h). Strings dominate HEC bodies, so their bytes are skipped
 * sixteen at a time (SSE2, or eight with plain 64-bit words elsewhere) until a quote, a
 * backslash or a control byte shows up. */
#include "scan.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/banned.h"

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Non-zero when some byte of |x| is below |n| (n <= 128). */
static inline uint64_t has_below(uint64_t x, uint8_t n)
{
    return (x - ONES * n) & ~x & HIGHS;
}

/* Non-zero when some byte of |x| equals |b|. */
static inline uint64_t has_byte(uint64_t x, uint8_t b)
{
    uint64_t y = x ^ (ONES * b);
    return (y - ONES) & ~y & HIGHS;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_scalar(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '+' || c == '-';
}

/* |i| is just past an opening quote. Returns the index just past the closing quote, or 0
 * when the string is malformed or unterminated (0 can never be a valid answer). */
static size_t skip_string(const uint8_t *p, size_t len, size_t i)
{
    for (;;) {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i backslash = _mm_set1_epi8('\\');
        const __m128i ctrl_max = _mm_set1_epi8(0x1F);
        while (i + 16 <= len) {
            __m128i x = _mm_loadu_si128((const __m128i *)(p + i));
            /* max(x, 0x1F) == 0x1F exactly when x <= 0x1F (unsigned). */
            __m128i special =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                             _mm_cmpeq_epi8(_mm_max_epu8(x, ctrl_max), ctrl_max));
            unsigned mask = (unsigned)_mm_movemask_epi8(special);
            if (mask) {
                i += (size_t)__builtin_ctz(mask);
                break;
            }
            i += 16;
        }
#endif
        while (i + 8 <= len) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            if (has_below(x, 0x20) | has_byte(x, '"') | has_byte(x, '\\')) {
                break;
            }
            i += 8;
        }
        if (i >= len) {
            return 0;
        }
        uint8_t c = p[i];
        if (c == '"') {
            return i + 1;
        }
        if (c < 0x20) {
            return 0; /* RFC 8259 §7: control characters must be escaped */
        }
        if (c != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= len) {
            return 0;
        }
        uint8_t e = p[i + 1];
        if (e == 'u') {
            if (i + 6 > len || !is_hex(p[i + 2]) || !is_hex(p[i + 3]) || !is_hex(p[i + 4]) ||
                !is_hex(p[i + 5])) {
                return 0;
            }
            i += 6;
        } else if (e != '\0' && strchr("\"\\/bfnrt", e)) {
            i += 2;
        } else {
            return 0;
        }
    }
}

struct depth_stack {
    uint64_t is_array[HEC_SCAN_MAX_DEPTH / 64];
    int depth;
};

static bool push(struct depth_stack *st, bool is_array)
{
    if (st->depth == HEC_SCAN_MAX_DEPTH) {
        return false;
    }
    uint64_t bit = 1ull << (st->depth % 64);
    if (is_array) {
        st->is_array[st->depth / 64] |= bit;
    } else {
        st->is_array[st->depth / 64] &= ~bit;
    }
    st->depth++;
    return true;
}

static bool pop(struct depth_stack *st, bool is_array)
{
    if (st->depth == 0) {
        return false;
    }
    st->depth--;
    bool top_is_array = (st->is_array[st->depth / 64] >> (st->depth % 64)) & 1u;
    return top_is_array == is_array;
}

/* Scans the object at |i| (p[i] == '{'); returns the index past its '}' or 0. */
static size_t scan_object(const uint8_t *p, size_t len, size_t i, struct hec_scan_object *obj)
{
    struct depth_stack st = {.depth = 0};
    bool is_expecting_key = false;  /* depth 1, after '{' or ',' */
    bool is_awaiting_event = false; /* the value of a top-level "event" key comes next */
    while (i < len) {
        uint8_t c = p[i];
        if (is_ws(c) || c == ':') {
            i++;
        } else if (c == '"') {
            size_t j = skip_string(p, len, i + 1);
            if (j == 0) {
                return 0;
            }
            if (st.depth == 1 && is_expecting_key) {
                is_expecting_key = false;
                if (j - i == 7 && memcmp(p + i + 1, "event", 5) == 0) {
                    obj->has_event = true;
                    is_awaiting_event = true;
                }
            } else if (is_awaiting_event) {
                obj->is_event_blank = j - i == 2;
                is_awaiting_event = false;
            }
            i = j;
        } else if (c == '{' || c == '[') {
            if (!push(&st, c == '[')) {
                return 0;
            }
            if (st.depth == 1) {
                is_expecting_key = true;
            } else if (is_awaiting_event) {
                obj->is_event_blank = false;
                is_awaiting_event = false;
            }
            i++;
        } else if (c == '}' || c == ']') {
            if (!pop(&st, c == ']')) {
                return 0;
            }
            i++;
            if (st.depth == 0) {
                return i;
            }
        } else if (c == ',') {
            is_expecting_key = st.depth == 1;
            i++;
        } else if (is_scalar(c)) {
            while (i < len && is_scalar(p[i])) {
                i++;
            }
            if (is_awaiting_event) {
                obj->is_event_blank = false;
                is_awaiting_event = false;
            }
        } else {
            return 0;
        }
    }
    return 0;
}

enum hec_scan_status
hec_scan_next(const uint8_t *p, size_t len, size_t *pos, struct hec_scan_object *obj)
{
    size_t i = *pos;
    while (i < len && is_ws(p[i])) {
        i++;
    }
    *pos = i;
    memset(obj, 0, sizeof(*obj));
    if (i == len) {
        return HEC_SCAN_END;
    }
    if (p[i] != '{') {
        return HEC_SCAN_NOT_OBJECT;
    }
    size_t end = scan_object(p, len, i, obj);
    if (end == 0) {
        return HEC_SCAN_INVALID;
    }
    obj->start = i;
    obj->end = end;
    *pos = end;
    return HEC_SCAN_OBJECT;
}

sf_err hec_scan_compact(const uint8_t *p, size_t len, struct sf_buf *out)
{
    sf_err err = sf_buf_reserve(out, len);
    if (err) {
        return err;
    }
    uint8_t *o = out->ptr + out->len;
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        if (is_ws(c)) {
            i++;
            continue;
        }
        if (c != '"') {
            *o++ = c;
            i++;
            continue;
        }
        size_t j = skip_string(p, len, i + 1);
        if (j == 0) {
            j = len; /* not reached for scanned input; copy the rest as is */
        }
        memcpy(o, p + i, j - i);
        o += j - i;
        i = j;
    }
    out->len = (size_t)(o - out->ptr);
    return SF_OK;
}
