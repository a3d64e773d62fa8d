/* The one file allowed to call malloc & co (see banned.h). */
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t size)
{
    fprintf(stderr, "level=fatal module=alloc msg=\"out of memory\" bytes=%zu\n", size);
    abort();
}

void *sf_xmalloc(size_t size)
{
    void *ptr = malloc(size ? size : 1);
    if (!ptr) {
        oom(size);
    }
    return ptr;
}

void *sf_xcalloc(size_t n, size_t size)
{
    void *ptr = calloc(n ? n : 1, size ? size : 1);
    if (!ptr) {
        oom(n * size);
    }
    return ptr;
}

void *sf_xrealloc(void *ptr, size_t size)
{
    void *next = realloc(ptr, size ? size : 1);
    if (!next) {
        oom(size);
    }
    return next;
}

char *sf_xstrndup(const char *s, size_t len)
{
    char *copy = sf_xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *sf_xstrdup(const char *s)
{
    return sf_xstrndup(s, strlen(s));
}

void sf_free_secret(void *ptr, size_t size)
{
    if (ptr) {
        explicit_bzero(ptr, size);
        free(ptr);
    }
}
