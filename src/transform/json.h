/* JSON text from untrusted bytes: string escaping that always yields valid UTF-8 and valid JSON,
 * and a strict RFC 8259 validator that never allocates. These are the building blocks of the HEC
 * event writer (hec_event.h); they know nothing of SLS or Splunk. Pure functions of their
 * arguments: any thread may call them.
 *
 * UTF-8 policy (docs/internals/transform.md): a byte sequence that is not well-formed UTF-8
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF, no truncated or stray
 * continuation bytes) becomes U+FFFD, one per maximal subpart of an ill-formed sequence, as the
 * Unicode "best practice" (Unicode 15 §3.9, WHATWG Encoding, Python's errors="replace") does. */
#ifndef SF_TRANSFORM_JSON_H
#define SF_TRANSFORM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/str.h"

/* How many string layers a text is escaped for. Level 1 is the content of a JSON string.
 * Level 2 is the content of a string inside JSON text that is itself the content of a JSON
 * string (the reference program's "event" as a string): escaping at level 2 equals escaping at
 * level 1 twice. */
#define SF_JSON_LEVEL_MAX 2

/* Deepest nesting sf_json_check accepts as |max_depth|. */
#define SF_JSON_DEPTH_LIMIT 256

/* Upper bound on what sf_json_escape writes for |len| input bytes at |level|, including the
 * few bytes of scratch it may store past its result (the fast path writes whole words). */
static inline size_t sf_json_escape_bound(size_t len, unsigned level)
{
    /* \u00XX is 6 bytes for 1 (7 once more escaped); U+FFFD is 3 bytes for at least 1. */
    return len * (level == 1 ? 6 : 7) + 16;
}

/* Writes |s| (|len| bytes, any content) escaped at |level| (1 or 2) to |dst|, which must have
 * room for sf_json_escape_bound(len, level) bytes, and returns the end of what it wrote. No
 * quotes are added. Valid UTF-8 other than the characters JSON requires to escape passes
 * through unchanged (DEL and U+2028 included); '"' and '\\' become \" and \\; \b \f \n \r \t
 * their short escapes; other bytes below 0x20 \u00XX (lower-case hex); ill-formed UTF-8
 * U+FFFD. */
uint8_t *sf_json_escape(uint8_t *dst, const char *s, size_t len, unsigned level);

/* Exactly how many bytes sf_json_escape would return for the same arguments. */
size_t sf_json_escaped_len(const char *s, size_t len, unsigned level);

/* True when |s| (|len| bytes) is exactly one JSON value (RFC 8259: any type at the top, optional
 * surrounding whitespace) nested at most |max_depth| (<= SF_JSON_DEPTH_LIMIT) arrays/objects
 * deep, with well-formed UTF-8 throughout. Stricter than RFC 8259 in one point: a \u escape of
 * a lone surrogate (\uD800 without its \uDC00 pair) is refused, because strict receivers
 * (jansson, many Java and Go decoders) refuse it too. Numbers are checked for grammar only, not
 * range. When true and |value| is not NULL, it gets the value without surrounding whitespace. */
bool sf_json_check(const char *s, size_t len, unsigned max_depth, struct sf_str *value);

/* sf_json_check that also copies: when true and |d| is not NULL, |value| is written to |d|
 * (value->len bytes; |d| needs room for |len|) with every byte below 0x20 turned into a space:
 * in valid JSON those can only be whitespace between tokens, so the value is unchanged and stays
 * on one line. |s| lies in a buffer readable up to |readable_end| (NULL: s + len), so that it
 * can be read in whole 64-byte blocks without a tail; nothing past readable_end is read. On
 * false, [d, d + len) may have been written. Compact text without escapes (an ActionTrail
 * event) is checked a block at a time as it is copied; anything else by sf_json_check. */
bool sf_json_check_copy(uint8_t *d,
                        const char *s,
                        size_t len,
                        unsigned max_depth,
                        const uint8_t *readable_end,
                        struct sf_str *value);

#endif
