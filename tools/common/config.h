/* Command-line pieces both tools parse the same way. Each returns false with a reason that
 * names the flag and the value in |errbuf|. */
#ifndef TC_CONFIG_H
#define TC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the reason to |errbuf| and returns false: `return tc_fail(errbuf, size, ...)`. */
bool tc_fail(char *errbuf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "--listen HOST:PORT" (the last ':' splits; PORT 0..65535) into |host| (|host_size| bytes
 * with the NUL) and |*port|. */
bool tc_parse_listen(
    const char *arg, char *host, size_t host_size, int *port, char *errbuf, size_t size);

/* An integer in 0..|max| for |flag|. */
bool tc_parse_u64(
    const char *flag, const char *arg, long long max, uint64_t *out, char *errbuf, size_t size);

/* The same with an optional K, M or G suffix (powers of 1024); |max| bounds the result. */
bool tc_parse_size(
    const char *flag, const char *arg, long long max, size_t *out, char *errbuf, size_t size);

#endif
