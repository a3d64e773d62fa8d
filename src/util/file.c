#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/banned.h"

bool sf_file_read_small(
    const char *path, size_t max_bytes, char **out, size_t *len, char *why, size_t why_size)
{
    *out = NULL;
    *len = 0;
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max_bytes) {
        snprintf(why, why_size, "cannot use %s: expected a regular file of at most %zu KiB", path,
                 max_bytes / 1024);
        close(fd);
        return false;
    }
    char *buf = sf_xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    ssize_t n = 1;
    while (got < (size_t)st.st_size && n > 0) {
        n = read(fd, buf + got, (size_t)st.st_size - got);
        got += n > 0 ? (size_t)n : 0;
    }
    int read_errno = errno;
    close(fd);
    if (n < 0) {
        snprintf(why, why_size, "cannot read %s: %s", path, strerror(read_errno));
        free(buf);
        return false;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return true;
}
