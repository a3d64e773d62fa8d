#include "common/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"

#include "util/banned.h"

bool tc_fail(char *errbuf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, size, fmt, ap);
    va_end(ap);
    return false;
}

bool tc_parse_listen(
    const char *arg, char *host, size_t host_size, int *port, char *errbuf, size_t size)
{
    const char *colon = strrchr(arg, ':');
    long long v;
    if (!colon || colon == arg || (size_t)(colon - arg) >= host_size ||
        !sf_str_to_i64(sf_str_from(colon + 1), 0, 65535, &v)) {
        return tc_fail(errbuf, size, "--listen wants HOST:PORT, got '%s'", arg);
    }
    snprintf(host, host_size, "%.*s", (int)(colon - arg), arg);
    *port = (int)v;
    return true;
}

bool tc_parse_u64(
    const char *flag, const char *arg, long long max, uint64_t *out, char *errbuf, size_t size)
{
    long long v;
    if (!sf_str_to_i64(sf_str_from(arg), 0, max, &v)) {
        return tc_fail(errbuf, size, "%s wants an integer in 0..%lld, got '%s'", flag, max, arg);
    }
    *out = (uint64_t)v;
    return true;
}

bool tc_parse_size(
    const char *flag, const char *arg, long long max, size_t *out, char *errbuf, size_t size)
{
    size_t len = strlen(arg);
    long long mult = 1;
    if (len > 1) {
        switch (arg[len - 1]) {
        case 'k':
        case 'K':
            mult = 1ll << 10;
            break;
        case 'm':
        case 'M':
            mult = 1ll << 20;
            break;
        case 'g':
        case 'G':
            mult = 1ll << 30;
            break;
        default:
            break;
        }
    }
    long long v;
    if (!sf_str_to_i64((struct sf_str){arg, len - (mult > 1)}, 0, max / mult, &v)) {
        return tc_fail(errbuf, size, "%s wants an integer in 0..%lld, got '%s'", flag, max, arg);
    }
    *out = (size_t)(v * mult);
    return true;
}
