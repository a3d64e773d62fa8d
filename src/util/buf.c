#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/banned.h"

void sf_buf_init(struct sf_buf *buf, size_t max)
{
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
}

void sf_buf_cleanup(struct sf_buf *buf)
{
    free(buf->ptr);
    buf->ptr = NULL;
    buf->len = 0;
    buf->cap = 0;
}

sf_err sf_buf_reserve(struct sf_buf *buf, size_t extra)
{
    if (extra > buf->max || buf->len > buf->max - extra) {
        return SF_ERR_FULL;
    }
    size_t need = buf->len + extra;
    if (need <= buf->cap) {
        return SF_OK;
    }
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < need) {
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    if (cap > buf->max) {
        cap = buf->max;
    }
    buf->ptr = sf_xrealloc(buf->ptr, cap);
    buf->cap = cap;
    return SF_OK;
}

sf_err sf_buf_append(struct sf_buf *buf, const void *data, size_t len)
{
    sf_err err = sf_buf_reserve(buf, len);
    if (err) {
        return err;
    }
    if (len) {
        memcpy(buf->ptr + buf->len, data, len);
    }
    buf->len += len;
    return SF_OK;
}

sf_err sf_buf_append_cstr(struct sf_buf *buf, const char *cstr)
{
    return sf_buf_append(buf, cstr, strlen(cstr));
}

sf_err sf_buf_printf(struct sf_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return SF_ERR_INVALID;
    }
    sf_err err = sf_buf_reserve(buf, (size_t)n + 1);
    if (err) {
        return err;
    }
    va_start(ap, fmt);
    vsnprintf((char *)buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return SF_OK;
}

sf_err sf_buf_terminate(struct sf_buf *buf)
{
    sf_err err = sf_buf_reserve(buf, 1);
    if (err) {
        return err;
    }
    buf->ptr[buf->len] = '\0';
    return SF_OK;
}
