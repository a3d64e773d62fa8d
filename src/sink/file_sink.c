#include "sink/file_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/backoff.h"
#include "util/bqueue.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "sink"

struct file_sink {
    char *path;
    int fd;
    bool is_stdout;
    bool can_sync; /* false for pipes, FIFOs, terminals: fsync has nothing to flush */
    struct sf_bqueue queue;
    pthread_t thread;
    bool has_thread;
    atomic_llong stop_deadline_ms; /* 0 while running */
    struct sf_backoff backoff;
};

static bool stop_due(struct file_sink *fs)
{
    long long deadline = atomic_load(&fs->stop_deadline_ms);
    return deadline != 0 && sf_now_ms() >= deadline;
}

/* Where the last complete line of the regular file |fd| of |size| bytes ends (0: none), read
 * backwards a block at a time; -1 when it cannot be read. */
static off_t last_line_end(int fd, off_t size)
{
    char block[4096];
    off_t end = size;
    while (end > 0) {
        size_t n = end < (off_t)sizeof(block) ? (size_t)end : sizeof(block);
        if (pread(fd, block, n, end - (off_t)n) != (ssize_t)n) {
            return -1;
        }
        for (size_t i = n; i > 0; i--) {
            if (block[i - 1] == '\n') {
                return end - (off_t)n + (off_t)i;
            }
        }
        end -= (off_t)n;
    }
    return 0;
}

/* At start: a run killed inside write(2) (kill -9, power loss) leaves the file ending in part
 * of a line, since the kernel stops a write between pages. Those events were never confirmed,
 * so SLS hands them out again; cut the bytes off, as a failed write's are (cut_torn_line), so
 * that the next line is not glued to them. Complete lines are never touched. Not on a reopen
 * after a failed write: a torn line there is this run's own, which cut_torn_line cut or which
 * the resumed write completes. */
static void cut_torn_tail(struct file_sink *fs)
{
    struct stat st;
    if (fs->is_stdout || fstat(fs->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        return;
    }
    off_t size = st.st_size;
    int rfd = open(fs->path, O_RDONLY | O_CLOEXEC); /* the sink's own descriptor is write-only */
    off_t end = rfd >= 0 ? last_line_end(rfd, size) : -1;
    int saved = errno;
    if (rfd >= 0) {
        close(rfd);
    }
    if (end == size) {
        return; /* it ends with a complete line, as it should */
    }
    /* Another live writer of the same file (O_APPEND) may have been inside a write: its bytes
     * are not ours to cut. The file's unchanged size says the tail is dead. */
    if (end >= 0 && (fstat(fs->fd, &st) != 0 || st.st_size != size)) {
        return;
    }
    if (end < 0 || ftruncate(fs->fd, end) != 0) {
        saved = end < 0 ? saved : errno;
        SF_LOG_ERROR("msg=\"output file ends in a partly written line that cannot be cut off: "
                     "the next line is appended to it\" path=\"%s\" error=\"%s\"",
                     fs->path, strerror(saved));
        return;
    }
    SF_LOG_WARN("msg=\"output file ended in a partly written line (an earlier run stopped inside "
                "a write): cut it off; its events were never confirmed and come again\" "
                "path=\"%s\" torn_bytes=%lld",
                fs->path, (long long)(size - end));
}

static sf_err open_target(struct file_sink *fs)
{
    if (fs->is_stdout) {
        fs->fd = STDOUT_FILENO;
    } else {
        /* O_NONBLOCK: a FIFO without a reader must not hang the thread (ENXIO, retried). */
        fs->fd = open(fs->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0640);
        if (fs->fd < 0) {
            return SF_ERR_IO;
        }
    }
    struct stat st;
    fs->can_sync = fstat(fs->fd, &st) == 0 && S_ISREG(st.st_mode);
    return SF_OK;
}

/* Writes all of |data| from |*offset| on, waiting for a slow reader without blocking past the
 * stop deadline. */
static sf_err write_all(struct file_sink *fs, const uint8_t *data, size_t len, size_t *offset)
{
    while (*offset < len) {
        ssize_t n = write(fs->fd, data + *offset, len - *offset);
        if (n > 0) {
            *offset += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            if (stop_due(fs)) {
                return SF_ERR_TIMEOUT;
            }
            struct pollfd pfd = {.fd = fs->fd, .events = POLLOUT};
            poll(&pfd, 1, 200);
            continue;
        }
        return SF_ERR_IO;
    }
    return SF_OK;
}

/* Writes the pending batches (resuming a partly written one at |*offset|), then syncs. */
static sf_err flush_pending(struct file_sink *fs,
                            struct sf_bqueue_node *pending,
                            size_t *offset,
                            struct sf_bqueue_node **failed_at)
{
    *failed_at = pending;
    if (fs->fd < 0) {
        sf_err err = open_target(fs);
        if (err) {
            return err;
        }
    }
    for (struct sf_bqueue_node *node = pending; node; node = node->next) {
        const struct sf_batch *batch = sf_batch_entry_of(node)->batch;
        *failed_at = node;
        sf_err err = write_all(fs, batch->payload.ptr, batch->payload.len, offset);
        if (err) {
            return err;
        }
        *offset = 0;
    }
    *failed_at = NULL;
    if (fs->can_sync && fsync(fs->fd) != 0) {
        *failed_at = pending; /* nothing of this round is known to be on disk */
        return SF_ERR_IO;
    }
    return SF_OK;
}

/* After a failed write of |data| (one batch: whole lines) stopped at |offset|: where to resume
 * so the file never holds a torn NDJSON line (issue 10 §6). The bytes of the last, incomplete
 * line (a short write before ENOSPC or EFBIG) are cut off a regular file with ftruncate(2), and
 * writing resumes at that line's start: complete lines are neither torn nor written twice. A
 * pipe or FIFO cannot take bytes back; its next reader starts at a line's start. Returns the
 * new offset into |data|; when the cut fails, |offset| (the caller's reopen starts over). */
static size_t cut_torn_line(struct file_sink *fs, const uint8_t *data, size_t offset)
{
    size_t line_start = offset;
    while (line_start > 0 && data[line_start - 1] != '\n') {
        line_start--;
    }
    if (line_start == offset || fs->fd < 0 || fs->is_stdout) {
        return line_start;
    }
    struct stat st;
    if (fstat(fs->fd, &st) != 0) {
        return offset;
    }
    if (!S_ISREG(st.st_mode)) {
        return line_start;
    }
    /* One writer (this thread) appends: the torn bytes are the file's last ones. */
    off_t torn = (off_t)(offset - line_start);
    if (st.st_size < torn || ftruncate(fs->fd, st.st_size - torn) != 0) {
        int saved = errno;
        SF_LOG_ERROR("msg=\"cannot cut a partly written line off the output file: it may hold "
                     "a torn line\" path=\"%s\" error=\"%s\" torn_bytes=%lld",
                     fs->path, strerror(saved), (long long)torn);
        errno = saved;
        return offset;
    }
    return line_start;
}

/* Settles each entry of |list|: they leave the list as they are settled. */
static void hand_back(struct sf_bqueue_node *list, enum sf_batch_outcome outcome)
{
    while (list) {
        struct sf_bqueue_node *next = list->next;
        sf_batch_settle(sf_batch_entry_of(list), outcome);
        list = next;
    }
}

static struct sf_bqueue_node *append_list(struct sf_bqueue_node *list, struct sf_bqueue_node *more)
{
    if (!list) {
        return more;
    }
    struct sf_bqueue_node *tail = list;
    while (tail->next) {
        tail = tail->next;
    }
    tail->next = more;
    return list;
}

static void *file_sink_main(void *arg)
{
    struct sf_sink *sink = arg;
    struct file_sink *fs = sink->impl;
    struct sf_bqueue_node *pending = NULL;
    size_t offset = 0; /* bytes of the first pending batch already written */
    for (;;) {
        pending = append_list(pending, sf_bqueue_pop_all(&fs->queue, pending ? 0 : 200));
        if (!pending) {
            if (atomic_load(&fs->stop_deadline_ms) != 0) {
                break; /* stopping and nothing left */
            }
            continue;
        }
        struct sf_bqueue_node *failed_at = NULL;
        sf_err err = flush_pending(fs, pending, &offset, &failed_at);
        /* Everything before |failed_at| is on disk: confirm it. */
        struct sf_bqueue_node *done = failed_at == pending ? NULL : pending;
        if (done) {
            struct sf_bqueue_node *last = done;
            while (last->next != failed_at) {
                last = last->next;
            }
            last->next = NULL;
        }
        pending = failed_at;
        hand_back(done, SF_BATCH_DELIVERED);
        if (err == SF_OK) {
            sf_backoff_reset(&fs->backoff);
            continue;
        }
        if (stop_due(fs)) {
            break;
        }
        int64_t delay = sf_backoff_next_ms(&fs->backoff);
        SF_LOG_ERROR("msg=\"cannot write events\" path=\"%s\" error=\"%s\" will_retry_in_ms=%lld",
                     fs->is_stdout ? "-" : fs->path, strerror(errno), (long long)delay);
        if (err == SF_ERR_IO && pending) {
            offset = cut_torn_line(fs, sf_batch_entry_of(pending)->batch->payload.ptr, offset);
        }
        if (fs->fd >= 0 && !fs->is_stdout && err == SF_ERR_IO) {
            close(fs->fd); /* reopen: the file may have been replaced or its disk remounted */
            fs->fd = -1;
        }
        sf_sleep_ms(delay);
    }
    pending = append_list(pending, sf_bqueue_pop_all(&fs->queue, 0));
    hand_back(pending, SF_BATCH_UNDELIVERED);
    return NULL;
}

static sf_err file_sink_start(struct sf_sink *sink)
{
    struct file_sink *fs = sink->impl;
    sf_err err = open_target(fs);
    if (err && errno != ENXIO) { /* ENXIO: a FIFO with no reader yet; the thread retries */
        SF_LOG_ERROR("msg=\"cannot open output file\" path=\"%s\" error=\"%s\"", fs->path,
                     strerror(errno));
        return SF_ERR_CONFIG;
    }
    if (!err) {
        cut_torn_tail(fs);
    }
    if (pthread_create(&fs->thread, NULL, file_sink_main, sink) != 0) {
        return SF_ERR_IO;
    }
    fs->has_thread = true;
    return SF_OK;
}

static void file_sink_submit(struct sf_sink *sink, struct sf_batch_entry *entry)
{
    struct file_sink *fs = sink->impl;
    sf_bqueue_push(&fs->queue, &entry->link);
}

static void file_sink_stop(struct sf_sink *sink, int64_t deadline_ms)
{
    struct file_sink *fs = sink->impl;
    atomic_store(&fs->stop_deadline_ms, deadline_ms > 0 ? deadline_ms : 1);
    sf_bqueue_close(&fs->queue);
    if (fs->has_thread) {
        pthread_join(fs->thread, NULL);
        fs->has_thread = false;
    }
}

static void file_sink_destroy(struct sf_sink *sink)
{
    struct file_sink *fs = sink->impl;
    file_sink_stop(sink, 1);
    if (fs->fd >= 0 && !fs->is_stdout) {
        close(fs->fd);
    }
    sf_bqueue_cleanup(&fs->queue);
    free(fs->path);
    free(fs);
    free(sink);
}

static const struct sf_sink_ops file_sink_ops = {
    .name = "file",
    .start = file_sink_start,
    .submit = file_sink_submit,
    .stop = file_sink_stop,
    .destroy = file_sink_destroy,
};

sf_err sf_file_sink_new(const char *path, struct sf_sink **out)
{
    struct file_sink *fs = sf_xcalloc(1, sizeof(*fs));
    fs->path = sf_xstrdup(path);
    fs->is_stdout = strcmp(path, "-") == 0;
    fs->fd = -1;
    sf_bqueue_init(&fs->queue);
    sf_backoff_init(&fs->backoff, 100, 30000);
    atomic_init(&fs->stop_deadline_ms, 0);
    struct sf_sink *sink = sf_xcalloc(1, sizeof(*sink));
    sink->ops = &file_sink_ops;
    sink->impl = fs;
    *out = sink;
    return SF_OK;
}
