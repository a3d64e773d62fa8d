/* Byte-string views: {ptr, len}, not NUL-terminated, borrowed from whoever owns the bytes
 * (usually a batch's decompressed buffer). sf_str_dup is the way to keep one. */
#ifndef SF_UTIL_STR_H
#define SF_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct sf_str {
    const char *ptr;
    size_t len;
};

#define SF_STR_LIT(lit) ((struct sf_str){.ptr = (lit), .len = sizeof(lit) - 1})

static inline struct sf_str sf_str_from(const char *cstr)
{
    return (struct sf_str){.ptr = cstr, .len = strlen(cstr)};
}

static inline bool sf_str_eq(struct sf_str a, struct sf_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool sf_str_eq_cstr(struct sf_str a, const char *cstr)
{
    return sf_str_eq(a, sf_str_from(cstr));
}

/* ASCII case-insensitive equality (HTTP header names, SLS error codes). */
bool sf_str_ieq(struct sf_str a, struct sf_str b);

/* A NUL-terminated heap copy; free() it. */
char *sf_str_dup(struct sf_str s);

/* Bounded copy into |dst| of |dst_size| bytes, always NUL-terminated, truncating. */
void sf_str_copy(char *dst, size_t dst_size, struct sf_str src);

/* Parses all of |s| as a decimal integer in [min, max]; false on anything else. */
bool sf_str_to_i64(struct sf_str s, long long min, long long max, long long *out);

#endif
