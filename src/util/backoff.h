/* Capped exponential backoff with jitter (each delay uniform in [d/2, d]: never much shorter
 * than planned, yet spread), so many shards failing at once do not retry in lock-step. One per
 * retrying thing; not thread-safe. */
#ifndef SF_UTIL_BACKOFF_H
#define SF_UTIL_BACKOFF_H

#include <stdint.h>

struct sf_backoff {
    int64_t base_ms;
    int64_t cap_ms;
    unsigned attempt;
    uint64_t rng; /* xorshift state */
};

void sf_backoff_init(struct sf_backoff *backoff, int64_t base_ms, int64_t cap_ms);
/* Delay before the next attempt: uniform in [d/2, d] where d = min(cap, base * 2^attempt). */
int64_t sf_backoff_next_ms(struct sf_backoff *backoff);
/* Full jitter: uniform in [0, d], at least |floor_ms| — for senders that many others may be
 * retrying against at once (HEC, docs/protocol/hec.md §Sender design). Advances like
 * sf_backoff_next_ms. */
int64_t sf_backoff_next_full_ms(struct sf_backoff *backoff, int64_t floor_ms);
/* After a success: the next failure starts from |base_ms| again. */
void sf_backoff_reset(struct sf_backoff *backoff);

#endif
