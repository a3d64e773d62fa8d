#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

int sf_log_max_level = SF_LOG_LEVEL_INFO;
static int base_level = SF_LOG_LEVEL_INFO;
static char debug_modules[256]; /* ",coord,hec," form, for a cheap substring test */

static const char *const level_names[] = {"error", "warn", "info", "debug"};

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

void sf_log_write(enum sf_log_level level, const char *module, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);

    char line[4096 + 128];
    int pos =
        snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ level=%s module=%s ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(tv.tv_usec / 1000), level_names[level], module);
    /* Escape control bytes: a value from the network must not be able to start a new line. */
    for (const char *p = msg; *p && pos < (int)sizeof(line) - 8; p++) {
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
    line[pos++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)pos);
    (void)ignored;
}
