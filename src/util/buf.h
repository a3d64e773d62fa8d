/* Growable byte buffer with a ceiling. Appends past |max| fail with SF_ERR_FULL and leave the
 * buffer untouched, so the caller can flush and retry. sf_buf_reset keeps the memory: the hot
 * path reuses buffers instead of touching fresh pages. Not thread-safe; one owner. */
#ifndef SF_UTIL_BUF_H
#define SF_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct sf_buf {
    uint8_t *ptr;
    size_t len;
    size_t cap;
    size_t max; /* never grows beyond this many bytes */
};

/* Storage is allocated lazily on the first append. */
void sf_buf_init(struct sf_buf *buf, size_t max);
void sf_buf_cleanup(struct sf_buf *buf);

static inline void sf_buf_reset(struct sf_buf *buf)
{
    buf->len = 0;
}

/* Makes room for |extra| more bytes past len; SF_ERR_FULL beyond max. */
sf_err sf_buf_reserve(struct sf_buf *buf, size_t extra);
sf_err sf_buf_append(struct sf_buf *buf, const void *data, size_t len);
sf_err sf_buf_append_cstr(struct sf_buf *buf, const char *cstr);
/* Appends printf output; SF_ERR_FULL (buffer unchanged) beyond max. */
sf_err sf_buf_printf(struct sf_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Ensures a NUL after the content without counting it in len. */
sf_err sf_buf_terminate(struct sf_buf *buf);

#endif
