/* Logging: one logfmt line per event on stderr, written with one write(2) so threads never
 * interleave. Each .c file defines SF_LOG_MODULE before including this header. The format
 * string is logfmt itself: `SF_LOG_WARN("msg=\"pull failed\" shard=%d", shard)`; the logger
 * prefixes ts, level and module and escapes control bytes so no value can forge a line.
 * A level that is off costs one branch and does not evaluate the arguments. Warnings and
 * errors repeated from one call site are rate-limited (at most 5 per 10 s, then one line
 * counting what was suppressed). Never pass a secret. Thread-safe. */
#ifndef SF_UTIL_LOG_H
#define SF_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum sf_log_level {
    SF_LOG_LEVEL_ERROR,
    SF_LOG_LEVEL_WARN,
    SF_LOG_LEVEL_INFO,
    SF_LOG_LEVEL_DEBUG,
};

/* Highest level printed for any module; DEBUG when some module has debug on. */
extern int sf_log_max_level;

void sf_log_set_level(enum sf_log_level level);
/* Also write every line to |path| (appended, 0640), renamed to path.1 … path.<keep> once it
 * passes |max_bytes|. Lines still go to stderr. Returns false (errno set) when |path| cannot be
 * opened. Call before starting threads. */
bool sf_log_set_file(const char *path, size_t max_bytes, int keep);
/* True when sf_log_set_file set a file. */
bool sf_log_has_file(void);
/* Opens the file's path again (creating it) and writes there from now on: after logrotate
 * moved it away, SIGHUP. False (errno set, the old file kept) when it cannot be opened. */
bool sf_log_reopen(void);
/* Comma-separated module names with debug on ("coord,hec"), or "all"; NULL clears. */
void sf_log_set_debug_modules(const char *modules);
bool sf_log_enabled(enum sf_log_level level, const char *module);
void sf_log_write(enum sf_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SF_LOG_AT(level, ...)                                                             \
    do {                                                                                  \
        if ((int)(level) <= sf_log_max_level && sf_log_enabled((level), SF_LOG_MODULE)) { \
            sf_log_write((level), SF_LOG_MODULE, __VA_ARGS__);                            \
        }                                                                                 \
    } while (0)

#define SF_LOG_ERROR(...) SF_LOG_AT(SF_LOG_LEVEL_ERROR, __VA_ARGS__)
#define SF_LOG_WARN(...)  SF_LOG_AT(SF_LOG_LEVEL_WARN, __VA_ARGS__)
#define SF_LOG_INFO(...)  SF_LOG_AT(SF_LOG_LEVEL_INFO, __VA_ARGS__)
#define SF_LOG_DEBUG(...) SF_LOG_AT(SF_LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
