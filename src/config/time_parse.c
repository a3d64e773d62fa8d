/* Points in time for start and end_time: unix seconds, or the ISO-8601 forms people paste
 * ("2025-06-10T08:00:00Z", "2025-06-10T08:00:00+08:00", "2025-06-10 08:00:00" meaning UTC,
 * "2025-06-10" meaning midnight UTC). A time without an offset is UTC, never local time: a
 * daemon's TZ is an accident of its host. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/config_int.h"
#include "util/banned.h"

/* Exactly |n| digits at |*p|. */
static bool read_digits(const char **p, int n, int *out)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    *p += n;
    *out = value;
    return true;
}

static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* "Z", "+08:00", "+0800", "+08", "-05:30"; |*p| at the sign. Sets seconds east of UTC. */
static bool read_offset(const char **p, int *offset_s)
{
    const char *s = *p;
    int sign = *s == '-' ? -1 : 1;
    int hours;
    int minutes = 0;
    if (*s == 'Z' || *s == 'z') {
        *offset_s = 0;
        *p = s + 1;
        return true;
    }
    if (*s != '+' && *s != '-') {
        return false;
    }
    s++;
    if (!read_digits(&s, 2, &hours) || hours > 23) {
        return false;
    }
    if (*s == ':') {
        s++;
    }
    if (*s && (!read_digits(&s, 2, &minutes) || minutes > 59)) {
        return false;
    }
    *offset_s = sign * (hours * 3600 + minutes * 60);
    *p = s;
    return true;
}

/* "HH:MM[:SS[.fraction]]" with |*p| just past the 'T' or ' '. */
static bool read_clock(const char **p, struct tm *tm)
{
    const char *s = *p;
    if (!read_digits(&s, 2, &tm->tm_hour) || *s++ != ':' || !read_digits(&s, 2, &tm->tm_min)) {
        return false;
    }
    if (*s == ':') {
        s++;
        if (!read_digits(&s, 2, &tm->tm_sec)) {
            return false;
        }
        if (*s == '.' || *s == ',') { /* sub-second precision is below what SLS keeps */
            s++;
            if (*s < '0' || *s > '9') {
                return false;
            }
            while (*s >= '0' && *s <= '9') {
                s++;
            }
        }
    }
    *p = s;
    /* 60 is a leap second; timegm carries it into the next minute. */
    return tm->tm_hour <= 23 && tm->tm_min <= 59 && tm->tm_sec <= 60;
}

static bool parse_iso(const char *text, int64_t *out_s)
{
    const char *p = text;
    struct tm tm;
    int year, month, day;
    int offset_s = 0;
    memset(&tm, 0, sizeof(tm));
    if (!read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &month) || *p++ != '-' ||
        !read_digits(&p, 2, &day)) {
        return false;
    }
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
        return false;
    }
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!read_clock(&p, &tm)) {
            return false;
        }
        if (*p && !read_offset(&p, &offset_s)) {
            return false;
        }
    }
    if (*p != '\0') {
        return false;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    int64_t t = (int64_t)timegm(&tm) - offset_s;
    if (t < 0) {
        return false;
    }
    *out_s = t;
    return true;
}

bool sf_config_parse_time(const char *text, int64_t *out_s)
{
    size_t len = strlen(text);
    if (len > 0 && len <= 12 && strspn(text, "0123456789") == len) {
        long long value = 0;
        for (size_t i = 0; i < len; i++) {
            value = value * 10 + (text[i] - '0');
        }
        *out_s = value;
        return true;
    }
    return parse_iso(text, out_s);
}

void sf_config_format_time(int64_t s, char *out, size_t out_size)
{
    time_t t = (time_t)s;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, out_size, "%lld", (long long)s);
    }
}
