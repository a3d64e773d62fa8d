#include "util/backoff.h"

#include <time.h>

#include "util/banned.h"

void sf_backoff_init(struct sf_backoff *backoff, int64_t base_ms, int64_t cap_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    backoff->base_ms = base_ms > 0 ? base_ms : 1;
    backoff->cap_ms = cap_ms > backoff->base_ms ? cap_ms : backoff->base_ms;
    backoff->attempt = 0;
    backoff->rng =
        ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)backoff ^ 0x9e3779b97f4a7c15u;
}

static uint64_t next_random(struct sf_backoff *backoff)
{
    uint64_t x = backoff->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    backoff->rng = x;
    return x;
}

/* d = min(cap, base * 2^attempt); then one attempt more. */
static int64_t next_ceiling(struct sf_backoff *backoff)
{
    int64_t delay = backoff->base_ms;
    for (unsigned i = 0; i < backoff->attempt && delay < backoff->cap_ms; i++) {
        delay *= 2;
    }
    if (delay > backoff->cap_ms) {
        delay = backoff->cap_ms;
    }
    if (backoff->attempt < 64) {
        backoff->attempt++;
    }
    return delay;
}

int64_t sf_backoff_next_full_ms(struct sf_backoff *backoff, int64_t floor_ms)
{
    int64_t ceiling = next_ceiling(backoff);
    int64_t delay = (int64_t)(next_random(backoff) % (uint64_t)(ceiling + 1));
    return delay < floor_ms ? floor_ms : delay;
}

int64_t sf_backoff_next_ms(struct sf_backoff *backoff)
{
    int64_t delay = next_ceiling(backoff);
    int64_t half = delay / 2;
    return half + (int64_t)(next_random(backoff) % (uint64_t)(delay - half + 1));
}

void sf_backoff_reset(struct sf_backoff *backoff)
{
    backoff->attempt = 0;
}
