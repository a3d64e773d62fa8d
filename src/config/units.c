/* Durations, sizes and booleans as people write them in a config file, and back. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config_int.h"
#include "util/banned.h"

/* Far beyond any sensible setting, and far from overflowing int64 when multiplied. */
#define MAX_NUMBER 1000000000000000LL /* 1e15 */

/* Reads the decimal digits at |*p| into |*out|; false when there are none or too many. */
static bool read_number(const char **p, int64_t *out)
{
    const char *s = *p;
    int64_t value = 0;
    if (*s < '0' || *s > '9') {
        return false;
    }
    while (*s >= '0' && *s <= '9') {
        value = value * 10 + (*s - '0');
        if (value > MAX_NUMBER) {
            return false;
        }
        s++;
    }
    *p = s;
    *out = value;
    return true;
}

struct unit {
    const char *name;
    int64_t factor;
};

static const struct unit duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", 86400 * 1000},
};

/* The longest unit name at |p| (so "ms" is not read as "m" + "s"). */
static const struct unit *
match_unit(const char *p, const struct unit *units, size_t n_units, size_t *len)
{
    const struct unit *best = NULL;
    *len = 0;
    for (size_t i = 0; i < n_units; i++) {
        size_t n = strlen(units[i].name);
        if (n > *len && strncasecmp(p, units[i].name, n) == 0) {
            best = &units[i];
            *len = n;
        }
    }
    return best;
}

bool sf_config_parse_duration_ms(const char *text, int64_t *out_ms)
{
    const char *p = text;
    int64_t total = 0;
    int64_t number;
    if (!read_number(&p, &number)) {
        return false;
    }
    if (*p == '\0') { /* a plain number counts seconds, like the reference program's */
        *out_ms = number * 1000;
        return true;
    }
    /* "1h30m": number-unit pairs, each unit given once, largest first. */
    int64_t last_factor = INT64_MAX;
    for (;;) {
        size_t len;
        const struct unit *unit = match_unit(p, duration_units, 5, &len);
        if (!unit || unit->factor >= last_factor) {
            return false;
        }
        last_factor = unit->factor;
        total += number * unit->factor;
        if (total > MAX_NUMBER) {
            return false;
        }
        p += len;
        if (*p == '\0') {
            break;
        }
        if (!read_number(&p, &number)) {
            return false;
        }
    }
    *out_ms = total;
    return true;
}

static const struct unit size_units[] = {
    {"b", 1},
    {"k", 1LL << 10},
    {"kib", 1LL << 10},
    {"kb", 1000LL},
    {"m", 1LL << 20},
    {"mib", 1LL << 20},
    {"mb", 1000LL * 1000},
    {"g", 1LL << 30},
    {"gib", 1LL << 30},
    {"gb", 1000LL * 1000 * 1000},
    {"t", 1LL << 40},
    {"tib", 1LL << 40},
    {"tb", 1000LL * 1000 * 1000 * 1000},
};

bool sf_config_parse_size(const char *text, uint64_t *out)
{
    const char *p = text;
    int64_t number;
    if (!read_number(&p, &number)) {
        return false;
    }
    while (*p == ' ') {
        p++;
    }
    int64_t factor = 1;
    if (*p) {
        size_t len;
        const struct unit *unit =
            match_unit(p, size_units, sizeof(size_units) / sizeof(size_units[0]), &len);
        if (!unit || p[len] != '\0') {
            return false;
        }
        factor = unit->factor;
    }
    if (number > MAX_NUMBER / factor) {
        return false;
    }
    *out = (uint64_t)(number * factor);
    return true;
}

void sf_config_format_duration_ms(int64_t ms, char *out, size_t out_size)
{
    static const struct unit by_size[] = {
        {"d", 86400 * 1000}, {"h", 3600 * 1000}, {"m", 60 * 1000}, {"s", 1000}};
    for (size_t i = 0; i < 4; i++) {
        if (ms != 0 && ms % by_size[i].factor == 0) {
            snprintf(out, out_size, "%lld%s", (long long)(ms / by_size[i].factor), by_size[i].name);
            return;
        }
    }
    snprintf(out, out_size, ms == 0 ? "0s" : "%lldms", (long long)ms);
}

void sf_config_format_size(uint64_t bytes, char *out, size_t out_size)
{
    static const struct unit by_size[] = {{"TiB", 1LL << 40},
                                          {"GiB", 1LL << 30},
                                          {"MiB", 1LL << 20},
                                          {"KiB", 1LL << 10},
                                          {"TB", 1000LL * 1000 * 1000 * 1000},
                                          {"GB", 1000LL * 1000 * 1000},
                                          {"MB", 1000LL * 1000},
                                          {"KB", 1000LL}};
    for (size_t i = 0; i < sizeof(by_size) / sizeof(by_size[0]); i++) {
        if (bytes != 0 && bytes % (uint64_t)by_size[i].factor == 0) {
            snprintf(out, out_size, "%llu%s",
                     (unsigned long long)(bytes / (uint64_t)by_size[i].factor), by_size[i].name);
            return;
        }
    }
    snprintf(out, out_size, "%llu", (unsigned long long)bytes);
}

bool sf_config_parse_bool(const char *text, bool *out)
{
    static const char *const truths[] = {"true", "yes", "on", "1"};
    static const char *const lies[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, truths[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(text, lies[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}
