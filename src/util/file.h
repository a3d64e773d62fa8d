/* Reading small local files safely (config, secrets, credentials). Thread-safe. */
#ifndef SF_UTIL_FILE_H
#define SF_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Reads all of |path|, a regular file of at most |max_bytes| (a FIFO or a device such as
 * /dev/zero could block or never end), into a NUL-terminated heap buffer (*out, free() it).
 * On failure fills |why| with a sentence naming the file and returns false. */
bool sf_file_read_small(
    const char *path, size_t max_bytes, char **out, size_t *len, char *why, size_t why_size);

#endif
