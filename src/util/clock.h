/* Clocks and the time formats the protocols need. Thread-safe. */
#ifndef SF_UTIL_CLOCK_H
#define SF_UTIL_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Monotonic milliseconds, for timeouts and durations. */
int64_t sf_now_ms(void);
/* Wall-clock seconds since the epoch. */
time_t sf_wall_s(void);
/* "Tue, 10 Jun 2025 08:00:00 GMT" (RFC 1123, C locale); |out| holds >= 32 bytes. */
void sf_fmt_rfc1123(time_t t, char *out, size_t out_size);
/* "20250610T080000Z" (ISO 8601 basic, UTC); |out| holds >= 17 bytes. */
void sf_fmt_iso_basic(time_t t, char *out, size_t out_size);
/* Sleeps |ms| milliseconds (restarts after signals). */
void sf_sleep_ms(int64_t ms);

#endif
