#include "util/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

int sf_log_max_level = SF_LOG_LEVEL_INFO;
static int base_level = SF_LOG_LEVEL_INFO;
static char debug_modules[256]; /* ",coord,hec," form, for a cheap substring test */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* The optional log file and its rotation; guarded by |file_lock|. */
static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;
static char file_path[1024];
static int file_fd = -1;
static size_t file_size;
static size_t file_max_bytes;
static int file_keep;

/* Repeats of a warning or error from one call site (keyed by its format string). */
#define RATE_SLOTS     64
#define RATE_WINDOW_MS 10000
#define RATE_BURST     5
struct rate_slot {
    const char *fmt;
    long long window_start_ms;
    unsigned n_in_window;
    unsigned n_suppressed;
};
static struct rate_slot rate_slots[RATE_SLOTS];
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;

static void update_max(void)
{
    sf_log_max_level = debug_modules[0] ? SF_LOG_LEVEL_DEBUG : base_level;
}

void sf_log_set_level(enum sf_log_level level)
{
    base_level = level;
    update_max();
}

void sf_log_set_debug_modules(const char *modules)
{
    if (!modules || !modules[0]) {
        debug_modules[0] = '\0';
    } else {
        snprintf(debug_modules, sizeof(debug_modules), ",%s,", modules);
    }
    update_max();
}

bool sf_log_set_file(const char *path, size_t max_bytes, int keep)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        return false;
    }
    struct stat st;
    pthread_mutex_lock(&file_lock);
    if (file_fd >= 0) {
        close(file_fd);
    }
    file_fd = fd;
    file_size = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
    file_max_bytes = max_bytes;
    file_keep = keep;
    snprintf(file_path, sizeof(file_path), "%s", path);
    pthread_mutex_unlock(&file_lock);
    return true;
}

bool sf_log_has_file(void)
{
    pthread_mutex_lock(&file_lock);
    bool has_file = file_fd >= 0 || file_path[0];
    pthread_mutex_unlock(&file_lock);
    return has_file;
}

bool sf_log_reopen(void)
{
    pthread_mutex_lock(&file_lock);
    int fd = file_path[0] ? open(file_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640) : -1;
    bool is_open = fd >= 0 || !file_path[0];
    if (fd >= 0) {
        struct stat st;
        if (file_fd >= 0) {
            close(file_fd);
        }
        file_fd = fd;
        file_size = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
    }
    pthread_mutex_unlock(&file_lock);
    return is_open;
}

/* path.(n-1) → path.n, …, path → path.1; then a fresh path. Lock held. */
static void rotate(void)
{
    char from[1100], to[1100];
    for (int i = file_keep; i >= 1; i--) {
        snprintf(to, sizeof(to), "%s.%d", file_path, i);
        if (i == 1) {
            snprintf(from, sizeof(from), "%s", file_path);
        } else {
            snprintf(from, sizeof(from), "%s.%d", file_path, i - 1);
        }
        rename(from, to); /* a missing older file is fine */
    }
    close(file_fd);
    file_fd = open(file_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_TRUNC, 0640);
    file_size = 0;
}

static void write_file(const char *line, size_t len)
{
    pthread_mutex_lock(&file_lock);
    if (file_fd >= 0) {
        if (file_max_bytes && file_size + len > file_max_bytes && file_size > 0) {
            rotate();
        }
        if (file_fd >= 0 && write(file_fd, line, len) == (ssize_t)len) {
            file_size += len;
        }
    }
    pthread_mutex_unlock(&file_lock);
}

bool sf_log_enabled(enum sf_log_level level, const char *module)
{
    if ((int)level <= base_level) {
        return true;
    }
    if (level != SF_LOG_LEVEL_DEBUG || !debug_modules[0]) {
        return false;
    }
    if (strstr(debug_modules, ",all,")) {
        return true;
    }
    char needle[64];
    snprintf(needle, sizeof(needle), ",%s,", module);
    return strstr(debug_modules, needle) != NULL;
}

/* False when this call site already logged RATE_BURST lines in the current window;
 * |*n_suppressed| reports what the previous window swallowed, once. */
static bool rate_allows(const char *fmt, long long now_ms, unsigned *n_suppressed)
{
    *n_suppressed = 0;
    pthread_mutex_lock(&rate_lock);
    struct rate_slot *slot = &rate_slots[((size_t)fmt >> 4) % RATE_SLOTS];
    if (slot->fmt != fmt || now_ms - slot->window_start_ms >= RATE_WINDOW_MS) {
        *n_suppressed = slot->fmt == fmt ? slot->n_suppressed : 0;
        slot->fmt = fmt;
        slot->window_start_ms = now_ms;
        slot->n_in_window = 0;
        slot->n_suppressed = 0;
    }
    bool is_allowed = slot->n_in_window++ < RATE_BURST;
    if (!is_allowed) {
        slot->n_suppressed++;
    }
    pthread_mutex_unlock(&rate_lock);
    return is_allowed;
}

void sf_log_write(enum sf_log_level level, const char *module, const char *fmt, ...)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long now_ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    unsigned n_suppressed = 0;
    if (level <= SF_LOG_LEVEL_WARN && !rate_allows(fmt, now_ms, &n_suppressed)) {
        return;
    }
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);

    char line[4096 + 128];
    int pos =
        snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ level=%s module=%s ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(tv.tv_usec / 1000), level_names[level], module);
    /* Escape control bytes: a value from the network must not be able to start a new line. */
    for (const char *p = msg; *p && pos < (int)sizeof(line) - 64; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n') {
            line[pos++] = '\\';
            line[pos++] = 'n';
        } else if (c < 0x20 || c == 0x7f) {
            pos += snprintf(line + pos, sizeof(line) - (size_t)pos, "\\x%02x", c);
        } else {
            line[pos++] = (char)c;
        }
    }
    if (n >= (int)sizeof(msg)) {
        pos += snprintf(line + pos, sizeof(line) - (size_t)pos, " truncated=true");
    }
    if (n_suppressed) {
        pos += snprintf(line + pos, sizeof(line) - (size_t)pos, " similar_suppressed=%u",
                        n_suppressed);
    }
    line[pos++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)pos);
    (void)ignored;
    write_file(line, (size_t)pos);
}
