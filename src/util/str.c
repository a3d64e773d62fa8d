#include "util/str.h"

#include <errno.h>
#include <stdlib.h>

#include "util/alloc.h"
#include "util/banned.h"

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool sf_str_ieq(struct sf_str a, struct sf_str b)
{
    if (a.len != b.len) {
        return false;
    }
    for (size_t i = 0; i < a.len; i++) {
        if (lower(a.ptr[i]) != lower(b.ptr[i])) {
            return false;
        }
    }
    return true;
}

char *sf_str_dup(struct sf_str s)
{
    return sf_xstrndup(s.ptr ? s.ptr : "", s.len);
}

void sf_str_copy(char *dst, size_t dst_size, struct sf_str src)
{
    if (dst_size == 0) {
        return;
    }
    size_t n = src.len < dst_size - 1 ? src.len : dst_size - 1;
    if (n) {
        memcpy(dst, src.ptr, n);
    }
    dst[n] = '\0';
}

bool sf_str_to_i64(struct sf_str s, long long min, long long max, long long *out)
{
    char tmp[32];
    if (s.len == 0 || s.len >= sizeof(tmp)) {
        return false;
    }
    memcpy(tmp, s.ptr, s.len);
    tmp[s.len] = '\0';
    /* strtoll accepts leading blanks and '+'; the wire forms we parse never have them. */
    if (!(tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9'))) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    long long value = strtoll(tmp, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max) {
        return false;
    }
    *out = value;
    return true;
}
