/* The dead-letter file: events Splunk refuses for good (docs/protocol/hec.md §Partial acceptance,
 * §Retry classes) are appended here as NDJSON with the reason and where they came from, so nothing
 * is dropped silently (docs/README.md §Promises) and an operator can fix and replay them. The file
 * is opened on first use (most runs never need it), appended to, and fsync'ed before the events
 * count as confirmed. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sink/hec_int.h"
#include "transform/json.h"
#include "util/alloc.h"

#include "util/banned.h" /* last: poisons what the project does not use */

struct sf_dead_letter {
    char *path;
    int fd;
};

struct sf_dead_letter *sf_dead_letter_new(const char *path)
{
    struct sf_dead_letter *dl = sf_xcalloc(1, sizeof(*dl));
    dl->path = sf_xstrdup(path);
    dl->fd = -1;
    return dl;
}

void sf_dead_letter_free(struct sf_dead_letter *dl)
{
    if (!dl) {
        return;
    }
    if (dl->fd >= 0) {
        close(dl->fd);
    }
    free(dl->path);
    free(dl);
}

const char *sf_dead_letter_path(const struct sf_dead_letter *dl)
{
    return dl->path;
}

/* "<escaped s>" appended; |s| may hold any bytes. */
static sf_err append_string(struct sf_buf *out, const char *s, size_t len)
{
    sf_err err = sf_buf_reserve(out, sf_json_escape_bound(len, 1) + 2);
    if (err) {
        return err;
    }
    uint8_t *p = out->ptr + out->len;
    *p++ = '"';
    p = sf_json_escape(p, s, len, 1);
    *p++ = '"';
    out->len = (size_t)(p - out->ptr);
    return SF_OK;
}

sf_err sf_dead_letter_format(struct sf_buf *out,
                             time_t time_dead,
                             long status,
                             int code,
                             const char *text,
                             const struct sf_batch *batch,
                             const uint8_t *event,
                             size_t len)
{
    size_t mark = out->len;
    const char *source = batch->source ? batch->source : "";
    sf_err err = sf_buf_printf(out, "{\"time_dead\":%lld,\"status\":%ld,\"code\":%d,\"text\":",
                               (long long)time_dead, status, code);
    err = err ? err : append_string(out, text, strlen(text));
    err = err ? err : sf_buf_append_cstr(out, ",\"source\":");
    err = err ? err : append_string(out, source, strlen(source));
    err = err ? err : sf_buf_printf(out, ",\"shard\":%d,\"cursor\":", batch->shard_id);
    err = err ? err
              : append_string(out, batch->cursor, strnlen(batch->cursor, sizeof(batch->cursor)));
    /* The event is our own JSON (transform guarantees it), embedded as it is. Should a line
     * ever not be one JSON value, it is kept as a string rather than breaking the file. */
    struct sf_str value;
    if (!err && sf_json_check((const char *)event, len, SF_JSON_DEPTH_LIMIT, &value)) {
        err = sf_buf_append_cstr(out, ",\"event\":");
        err = err ? err : sf_buf_append(out, value.ptr, value.len);
    } else if (!err) {
        while (len && (event[len - 1] == '\n' || event[len - 1] == '\r')) {
            len--;
        }
        err = sf_buf_append_cstr(out, ",\"event_is_not_json\":true,\"event\":");
        err = err ? err : append_string(out, (const char *)event, len);
    }
    err = err ? err : sf_buf_append_cstr(out, "}\n");
    if (err) {
        out->len = mark; /* all or nothing */
    }
    return err;
}

sf_err
sf_dead_letter_write(struct sf_dead_letter *dl, const uint8_t *data, size_t len, size_t *written)
{
    if (dl->fd < 0) {
        dl->fd = open(dl->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (dl->fd < 0) {
            return SF_ERR_IO;
        }
    }
    while (*written < len) {
        ssize_t n = write(dl->fd, data + *written, len - *written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int saved = errno;
            close(dl->fd); /* reopen next time: the file may have been moved or its disk fixed */
            dl->fd = -1;
            errno = n == 0 ? EIO : saved;
            return SF_ERR_IO;
        }
        *written += (size_t)n;
    }
    if (fsync(dl->fd) != 0) {
        /* After a failed fsync the kernel may have dropped the dirty pages: write it all
         * again next time (a duplicate line beats a lost one). */
        int saved = errno;
        *written = 0;
        close(dl->fd);
        dl->fd = -1;
        errno = saved;
        return SF_ERR_IO;
    }
    return SF_OK;
}
