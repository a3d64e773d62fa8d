/* Allocation that never returns NULL: a daemon cannot do useful work without memory, so
 * real exhaustion aborts with a message (Redis, librdkafka, h2o). Memory use is bounded by
 * configuration, not by malloc failure. Thread-safe. */
#ifndef SF_UTIL_ALLOC_H
#define SF_UTIL_ALLOC_H

#include <stddef.h>
#include <stdlib.h> /* free() releases what these return */

void *sf_xmalloc(size_t size);
void *sf_xcalloc(size_t n, size_t size);
void *sf_xrealloc(void *ptr, size_t size);
char *sf_xstrdup(const char *s);
char *sf_xstrndup(const char *s, size_t len);
/* Overwrites |size| bytes at |ptr| with zeros (not optimised away), then frees it: for
 * memory that held a secret. NULL is a no-op. */
void sf_free_secret(void *ptr, size_t size);

#endif
