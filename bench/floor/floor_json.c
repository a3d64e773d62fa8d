/* JSON strings for the floor: escaping with UTF-8 repair, and a strict validator for values
 * that are embedded as JSON. SSE2 scans 16 bytes at a time for the bytes that need attention;
 * short values are read as one padded block (the input has FLOOR_SLACK readable bytes past its
 * end), so there is no byte loop on the plain path. */
#include <emmintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floor.h"

struct esc {
    char seq[8];
    uint8_t len;
};

static struct esc esc_table[128];

/* Per lead byte >= 0x80: sequence length (0: never a lead) and the second byte's range. */
struct lead {
    uint8_t len, lo, hi;
};
static struct lead lead_table[256];

void floor_buf_reserve(struct floor_buf *b, size_t more)
{
    size_t need = b->len + more + FLOOR_SLACK;
    if (need <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        cap *= 2;
    }
    b->ptr = realloc(b->ptr, cap);
    if (!b->ptr) {
        fprintf(stderr, "floor: out of memory (%zu bytes)\n", cap);
        abort();
    }
    b->cap = cap;
}

void floor_json_init(void)
{
    for (int c = 0; c < 0x20; c++) {
        snprintf(esc_table[c].seq, sizeof(esc_table[c].seq), "\\u%04x", c);
        esc_table[c].len = 6;
    }
    const char *shorts = "\b\f\n\r\t";
    const char *letters = "bfnrt";
    for (int i = 0; shorts[i]; i++) {
        struct esc *e = &esc_table[(unsigned char)shorts[i]];
        memset(e->seq, 0, sizeof(e->seq));
        e->seq[0] = '\\';
        e->seq[1] = letters[i];
        e->len = 2;
    }
    esc_table['"'] = (struct esc){.seq = "\\\"", .len = 2};
    esc_table['\\'] = (struct esc){.seq = "\\\\", .len = 2};
    for (int c = 0xC2; c <= 0xDF; c++) {
        lead_table[c] = (struct lead){2, 0x80, 0xBF};
    }
    for (int c = 0xE1; c <= 0xEF; c++) {
        lead_table[c] = (struct lead){3, 0x80, 0xBF};
    }
    lead_table[0xE0] = (struct lead){3, 0xA0, 0xBF};
    lead_table[0xED] = (struct lead){3, 0x80, 0x9F};
    lead_table[0xF0] = (struct lead){4, 0x90, 0xBF};
    for (int c = 0xF1; c <= 0xF3; c++) {
        lead_table[c] = (struct lead){4, 0x80, 0xBF};
    }
    lead_table[0xF4] = (struct lead){4, 0x80, 0x8F};
}

/* Length of the well-formed sequence at |s| (2-4), or minus the maximal ill-formed subpart. */
static inline int utf8_scan(const uint8_t *s, size_t avail)
{
    const struct lead *l = &lead_table[s[0]];
    if (l->len == 0 || avail < 2 || s[1] < l->lo || s[1] > l->hi) {
        return -1;
    }
    if (l->len == 2) {
        return 2;
    }
    if (avail < 3 || (s[2] & 0xC0) != 0x80) {
        return -2;
    }
    if (l->len == 3) {
        return 3;
    }
    if (avail < 4 || (s[3] & 0xC0) != 0x80) {
        return -3;
    }
    return 4;
}

/* One bit per byte that is '"', '\\', below 0x20 or 0x80 and up. */
static inline unsigned special_mask(__m128i v)
{
    __m128i hit = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    return (unsigned)_mm_movemask_epi8(hit);
}

uint8_t *floor_json_escape(uint8_t *d, const uint8_t *s, size_t n)
{
    const uint8_t *end = s + n;
    while (s < end) {
        size_t left = (size_t)(end - s);
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        _mm_storeu_si128((__m128i *)(void *)d, v);
        unsigned mask = special_mask(v);
        if (left < 16) {
            mask &= (1u << left) - 1;
        }
        if (mask == 0) {
            size_t k = left < 16 ? left : 16;
            s += k;
            d += k;
            continue;
        }
        unsigned k = (unsigned)__builtin_ctz(mask);
        s += k;
        d += k;
        uint8_t c = *s;
        if (c < 0x80) {
            memcpy(d, esc_table[c].seq, 8);
            d += esc_table[c].len;
            s++;
            continue;
        }
        /* Non-ASCII text comes in runs (CJK, accents): stay in the scalar loop for the run. */
        do {
            int r = utf8_scan(s, (size_t)(end - s));
            if (r > 0) {
                memcpy(d, s, 4);
                d += r;
                s += r;
            } else {
                memcpy(d, "\xEF\xBF\xBD", 3);
                d += 3;
                s += -r;
            }
        } while (s < end && *s >= 0x80);
    }
    return d;
}

/* ---- validator ---- */

static inline bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline size_t skip_ws(const uint8_t *s, size_t i, size_t n, bool *has_ctrl)
{
    while (i < n && is_ws(s[i])) {
        *has_ctrl |= s[i] != ' ';
        i++;
    }
    return i;
}

static inline int hex4(const uint8_t *s)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        uint8_t c = s[k];
        int h = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (h < 0) {
            return -1;
        }
        v = v << 4 | h;
    }
    return v;
}

/* |i| is just past the opening quote; returns the index past the closing one, or 0. */
static size_t check_string(const uint8_t *s, size_t i, size_t n)
{
    for (;;) {
        if (i >= n) {
            return 0;
        }
        size_t left = n - i;
        unsigned mask = special_mask(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        if (left < 16) {
            mask &= (1u << left) - 1;
        }
        if (mask == 0) {
            i += left < 16 ? left : 16;
            continue;
        }
        i += (unsigned)__builtin_ctz(mask);
        uint8_t c = s[i];
        if (c == '"') {
            return i + 1;
        }
        if (c >= 0x80) {
            int r = utf8_scan(s + i, n - i);
            if (r < 0) {
                return 0;
            }
            i += (size_t)r;
            continue;
        }
        if (c != '\\' || i + 1 >= n) {
            return 0; /* a control byte */
        }
        c = s[i + 1];
        if (strchr("\"\\/bfnrt", c) && c) {
            i += 2;
            continue;
        }
        if (c != 'u' || i + 6 > n) {
            return 0;
        }
        int u = hex4(s + i + 2);
        if (u < 0 || (u >= 0xDC00 && u <= 0xDFFF)) {
            return 0;
        }
        i += 6;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u') {
                return 0;
            }
            int lo = hex4(s + i + 2);
            if (lo < 0xDC00 || lo > 0xDFFF) {
                return 0;
            }
            i += 6;
        }
    }
}

static size_t digits(const uint8_t *s, size_t i, size_t n)
{
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    return i;
}

/* Returns the index past the number at |i|, or 0. */
static size_t check_number(const uint8_t *s, size_t i, size_t n)
{
    if (s[i] == '-') {
        i++;
    }
    if (i >= n) {
        return 0;
    }
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        i = digits(s, i, n);
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        size_t j = digits(s, i + 1, n);
        if (j == i + 1) {
            return 0;
        }
        i = j;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        size_t j = digits(s, i, n);
        if (j == i) {
            return 0;
        }
        i = j;
    }
    return i;
}

bool floor_json_check(const uint8_t *s, size_t n, size_t *start, size_t *len, bool *has_ws_ctrl)
{
    bool ctrl = false;
    uint64_t is_obj = 0; /* bit d: container at depth d is an object */
    int depth = 0;
    size_t i = skip_ws(s, 0, n, &ctrl);
    *start = i;
    ctrl = false;
value:
    if (i >= n) {
        return false;
    }
    switch (s[i]) {
    case '{':
    case '[':
        if (depth == 64) {
            return false;
        }
        is_obj = s[i] == '{' ? is_obj | (1ull << depth) : is_obj & ~(1ull << depth);
        depth++;
        i = skip_ws(s, i + 1, n, &ctrl);
        if (i < n && s[i] == (is_obj >> (depth - 1) & 1 ? '}' : ']')) {
            depth--;
            i++;
            goto after;
        }
        if (is_obj >> (depth - 1) & 1) {
            goto key;
        }
        goto value;
    case '"':
        i = check_string(s, i + 1, n);
        if (!i) {
            return false;
        }
        goto after;
    case 't':
        if (n - i < 4 || memcmp(s + i, "true", 4) != 0) {
            return false;
        }
        i += 4;
        goto after;
    case 'f':
        if (n - i < 5 || memcmp(s + i, "false", 5) != 0) {
            return false;
        }
        i += 5;
        goto after;
    case 'n':
        if (n - i < 4 || memcmp(s + i, "null", 4) != 0) {
            return false;
        }
        i += 4;
        goto after;
    default:
        i = check_number(s, i, n);
        if (!i) {
            return false;
        }
        goto after;
    }
key:
    if (i >= n || s[i] != '"') {
        return false;
    }
    i = check_string(s, i + 1, n);
    if (!i) {
        return false;
    }
    i = skip_ws(s, i, n, &ctrl);
    if (i >= n || s[i] != ':') {
        return false;
    }
    i = skip_ws(s, i + 1, n, &ctrl);
    goto value;
after : {
    size_t end = i;
    bool inner = ctrl;
    i = skip_ws(s, i, n, &ctrl);
    if (depth == 0) {
        if (i != n) {
            return false;
        }
        *len = end - *start;
        *has_ws_ctrl = inner;
        return true;
    }
    if (i >= n) {
        return false;
    }
    bool obj = is_obj >> (depth - 1) & 1;
    if (s[i] == ',') {
        i = skip_ws(s, i + 1, n, &ctrl);
        if (obj) {
            goto key;
        }
        goto value;
    }
    if (s[i] == (obj ? '}' : ']')) {
        depth--;
        i++;
        goto after;
    }
    return false;
}
}
