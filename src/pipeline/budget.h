/* struct sf_budget: the one memory budget (limits.max_buffered_bytes) that everything which
 * grows with data or shard count is charged to before it is allocated, and released to when
 * it is freed or trimmed (docs/internals/pipeline.md says who charges what, and when).
 *
 * Charges are counted per category, so /metrics can say who holds the memory. The sum of all
 * categories never exceeds the limit: a charge that does not fit fails (sf_budget_try_charge)
 * or waits for a release (sf_budget_charge). Nothing is forced past the limit.
 *
 * Thread-safe: any thread may charge, release and read. Charging is lock-free; only a charge
 * that has to wait takes the budget's mutex, and a release wakes such waiters. */
#ifndef SF_PIPELINE_BUDGET_H
#define SF_PIPELINE_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sf_budget_category {
    SF_BUDGET_PULL_WIRE,    /* fetch workers: PullLogs response bodies as received */
    SF_BUDGET_PULL_RAW,     /* fetch workers: decompressed LogGroupList bytes */
    SF_BUDGET_DECODE,       /* fetch workers: decoder arenas (views into the raw bytes) */
    SF_BUDGET_BATCHES,      /* batch payloads in every state: built, in the sinks, pooled */
    SF_BUDGET_HEC_REQUESTS, /* HEC request bodies and their gzip buffers, per slot */
    /* No syslog category: the syslog sink's unconfirmed window is the batches it holds, which
     * stay charged (batches) until it confirms them; it copies nothing of its own. */
    SF_BUDGET__COUNT,
};

struct sf_budget;

/* A budget of |limit| bytes; never NULL (aborts on OOM). */
struct sf_budget *sf_budget_new(size_t limit);
/* NULL is fine. Every charge should have been released (not checked: a stop may leak). */
void sf_budget_free(struct sf_budget *budget);

/* Charges |n| bytes to |cat| when they fit under the limit: true. False (nothing charged)
 * when they do not. n == 0 always fits. */
bool sf_budget_try_charge(struct sf_budget *budget, enum sf_budget_category cat, size_t n);
/* Charges |n| bytes to |cat|, waiting for releases until they fit: true. False (nothing
 * charged) after |timeout_ms| (negative: no timeout), when |cancel| (may be NULL) becomes
 * true (seen within 100 ms), or at once when |n| exceeds the whole limit. */
bool sf_budget_charge(struct sf_budget *budget,
                      enum sf_budget_category cat,
                      size_t n,
                      int64_t timeout_ms,
                      const atomic_bool *cancel);
/* Gives back |n| bytes charged to |cat| (asserted: not more than is charged there). */
void sf_budget_release(struct sf_budget *budget, enum sf_budget_category cat, size_t n);
/* Moves |n| charged bytes from |from| to |to| without releasing them (a reservation that
 * turned into what it was for). */
void sf_budget_move(struct sf_budget *budget,
                    enum sf_budget_category from,
                    enum sf_budget_category to,
                    size_t n);

size_t sf_budget_limit(const struct sf_budget *budget);
size_t sf_budget_charged(const struct sf_budget *budget, enum sf_budget_category cat);
size_t sf_budget_total(const struct sf_budget *budget); /* sum over the categories */
size_t sf_budget_peak(const struct sf_budget *budget);  /* highest total so far */
/* Charges that had to wait (sf_budget_charge) and that failed, since the start. */
uint64_t sf_budget_waits(const struct sf_budget *budget);
/* "pull_wire", "pull_raw", "decode", "batches", "hec_requests". */
const char *sf_budget_category_name(enum sf_budget_category cat);

#endif
