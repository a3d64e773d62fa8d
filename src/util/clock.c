#include "util/clock.h"

#include <errno.h>
#include <stdio.h>

#include "util/banned.h"

int64_t sf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t sf_wall_s(void)
{
    return time(NULL);
}

/* strftime's %a/%b follow the locale; HTTP dates must not, so the names are spelled here. */
static const char *const day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void sf_fmt_rfc1123(time_t t, char *out, size_t out_size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, out_size, "%s, %02d %s %04d %02d:%02d:%02d GMT", day_names[tm.tm_wday],
             tm.tm_mday, month_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

void sf_fmt_iso_basic(time_t t, char *out, size_t out_size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, out_size, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void sf_sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
