/* Oracles shared by the transform tests, written independently of src/transform: a UTF-8
 * decoder that works by code point ranges (not by the second-byte table the module uses), the
 * replacement it implies, a strict UTF-8 validator, and jansson helpers. */
#ifndef SF_TEST_XFORM_TEST_H
#define SF_TEST_XFORM_TEST_H

#include "sf_test.h"

#include <jansson.h>

/* At s[i] (< n): how many bytes form the next well-formed character (*valid = true) or the
 * maximal subpart of an ill-formed sequence (*valid = false): the longest prefix that some
 * completion would make well-formed, at least one byte. */
static inline size_t ref_utf8_step(const uint8_t *s, size_t n, size_t i, bool *valid)
{
    uint8_t b0 = s[i];
    size_t need;
    uint32_t cp;
    *valid = false;
    if (b0 < 0x80) {
        *valid = true;
        return 1;
    } else if ((b0 & 0xE0) == 0xC0) {
        need = 1;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        need = 2;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        need = 3;
        cp = b0 & 0x07;
    } else {
        return 1;
    }
    static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    static const uint32_t max_cp[4] = {0, 0x7FF, 0xFFFF, 0x10FFFF};
    for (size_t k = 0; k <= need; k++) {
        if (k > 0) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80) {
                return k;
            }
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        /* Code points this prefix can still become. */
        unsigned rest = (unsigned)(6 * (need - k));
        uint32_t lo = cp << rest;
        uint32_t hi = lo | ((1u << rest) - 1);
        if (lo < min_cp[need]) {
            lo = min_cp[need];
        }
        if (hi > max_cp[need]) {
            hi = max_cp[need];
        }
        bool possible = lo <= hi && !(lo >= 0xD800 && hi <= 0xDFFF);
        if (!possible) {
            return k == 0 ? 1 : k;
        }
    }
    *valid = true;
    return need + 1;
}

static inline bool ref_utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        bool valid;
        i += ref_utf8_step(s, n, i, &valid);
        if (!valid) {
            return false;
        }
    }
    return true;
}

/* The UTF-8 of |s| with each maximal ill-formed subpart replaced by U+FFFD; |out| has room for
 * 3 * n bytes. Returns the length. */
static inline size_t ref_sanitize(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        bool valid;
        size_t k = ref_utf8_step(s, n, i, &valid);
        if (valid) {
            memcpy(out + o, s + i, k);
            o += k;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
        i += k;
    }
    return o;
}

/* Escapes |s| for one string layer as the module documents (after ref_sanitize); |out| has
 * room for 6 * n bytes. */
static inline size_t ref_escape_once(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        const char *short_form = NULL;
        switch (c) {
        case '"':
            short_form = "\\\"";
            break;
        case '\\':
            short_form = "\\\\";
            break;
        case '\b':
            short_form = "\\b";
            break;
        case '\f':
            short_form = "\\f";
            break;
        case '\n':
            short_form = "\\n";
            break;
        case '\r':
            short_form = "\\r";
            break;
        case '\t':
            short_form = "\\t";
            break;
        default:
            break;
        }
        if (short_form) {
            memcpy(out + o, short_form, 2);
            o += 2;
        } else if (c < 0x20) {
            o += (size_t)snprintf((char *)out + o, 7, "\\u%04x", c);
        } else {
            out[o++] = c;
        }
    }
    return o;
}

/* Parses one line of output with jansson; fails the test when it does not parse. */
static inline json_t *parse_json_or_fail(const char *text, size_t len)
{
    json_error_t error;
    json_t *json = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (json == NULL) {
        fail_msg("jansson: %s at %d in \"%.*s\"", error.text, error.position,
                 (int)(len > 300 ? 300 : len), text);
    }
    return json;
}

/* True when jansson's string |json| holds exactly the bytes |want| (|len|). */
static inline bool json_string_is(const json_t *json, const void *want, size_t len)
{
    return json_is_string(json) && json_string_length(json) == len &&
           memcmp(json_string_value(json), want, len) == 0;
}

#endif
