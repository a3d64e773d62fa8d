/* The total is one atomic word updated by compare-and-swap, so the limit holds exactly under
 * concurrent charges without a lock; the per-category counters are for reporting and are
 * updated after the total (a reader may see them a moment apart, never the total over). */
#include "pipeline/budget.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/alloc.h"
#include "util/assert.h"

#include "util/banned.h"

#define WAIT_SLICE_MS 100 /* how often a waiting charge looks at its cancel flag */

struct sf_budget {
    size_t limit;
    atomic_size_t total;
    atomic_size_t peak;
    atomic_size_t by_cat[SF_BUDGET__COUNT];
    atomic_uint_fast64_t waits;
    atomic_int n_waiters; /* charges inside sf_budget_charge's wait loop */
    pthread_mutex_t lock; /* only for waiting: guards nothing but the condition */
    pthread_cond_t room;
};

static const char *const names[SF_BUDGET__COUNT] = {
    "pull_wire", "pull_raw", "decode", "batches", "hec_requests",
};

const char *sf_budget_category_name(enum sf_budget_category cat)
{
    return (unsigned)cat < SF_BUDGET__COUNT ? names[cat] : "unknown";
}

struct sf_budget *sf_budget_new(size_t limit)
{
    struct sf_budget *budget = sf_xcalloc(1, sizeof(*budget));
    budget->limit = limit;
    atomic_init(&budget->total, 0);
    atomic_init(&budget->peak, 0);
    for (int i = 0; i < SF_BUDGET__COUNT; i++) {
        atomic_init(&budget->by_cat[i], 0);
    }
    atomic_init(&budget->waits, 0);
    atomic_init(&budget->n_waiters, 0);
    pthread_mutex_init(&budget->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&budget->room, &attr);
    pthread_condattr_destroy(&attr);
    return budget;
}

void sf_budget_free(struct sf_budget *budget)
{
    if (!budget) {
        return;
    }
    pthread_mutex_destroy(&budget->lock);
    pthread_cond_destroy(&budget->room);
    free(budget);
}

bool sf_budget_try_charge(struct sf_budget *budget, enum sf_budget_category cat, size_t n)
{
    SF_ASSERT((unsigned)cat < SF_BUDGET__COUNT);
    if (n == 0) {
        return true;
    }
    size_t total = atomic_load(&budget->total);
    do {
        if (n > budget->limit || total > budget->limit - n) {
            return false;
        }
    } while (!atomic_compare_exchange_weak(&budget->total, &total, total + n));
    atomic_fetch_add(&budget->by_cat[cat], n);
    size_t now = total + n;
    size_t peak = atomic_load(&budget->peak);
    while (now > peak && !atomic_compare_exchange_weak(&budget->peak, &peak, now)) {
    }
    return true;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool sf_budget_charge(struct sf_budget *budget,
                      enum sf_budget_category cat,
                      size_t n,
                      int64_t timeout_ms,
                      const atomic_bool *cancel)
{
    if (sf_budget_try_charge(budget, cat, n)) {
        return true;
    }
    if (n > budget->limit) {
        return false; /* would wait forever */
    }
    atomic_fetch_add(&budget->waits, 1);
    int64_t deadline = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
    bool ok = false;
    pthread_mutex_lock(&budget->lock);
    /* Registered before trying again: a release either made the retry succeed or sees a
     * waiter and broadcasts, which it can only do while we wait (we hold the mutex). */
    atomic_fetch_add(&budget->n_waiters, 1);
    for (;;) {
        if (sf_budget_try_charge(budget, cat, n)) {
            ok = true;
            break;
        }
        if (cancel && atomic_load(cancel)) {
            break;
        }
        int64_t now = mono_ms();
        if (deadline >= 0 && now >= deadline) {
            break;
        }
        int64_t slice = WAIT_SLICE_MS;
        if (deadline >= 0 && deadline - now < slice) {
            slice = deadline - now;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        long long ns = until.tv_nsec + slice * 1000000LL;
        until.tv_sec += (time_t)(ns / 1000000000LL);
        until.tv_nsec = (long)(ns % 1000000000LL);
        pthread_cond_timedwait(&budget->room, &budget->lock, &until);
    }
    atomic_fetch_sub(&budget->n_waiters, 1);
    pthread_mutex_unlock(&budget->lock);
    return ok;
}

void sf_budget_release(struct sf_budget *budget, enum sf_budget_category cat, size_t n)
{
    SF_ASSERT((unsigned)cat < SF_BUDGET__COUNT);
    if (n == 0) {
        return;
    }
    size_t before = atomic_fetch_sub(&budget->by_cat[cat], n);
    SF_ASSERT(before >= n); /* released more than was charged to |cat| */
    atomic_fetch_sub(&budget->total, n);
    if (atomic_load(&budget->n_waiters) > 0) {
        pthread_mutex_lock(&budget->lock);
        pthread_cond_broadcast(&budget->room);
        pthread_mutex_unlock(&budget->lock);
    }
}

void sf_budget_move(struct sf_budget *budget,
                    enum sf_budget_category from,
                    enum sf_budget_category to,
                    size_t n)
{
    SF_ASSERT((unsigned)from < SF_BUDGET__COUNT && (unsigned)to < SF_BUDGET__COUNT);
    atomic_fetch_add(&budget->by_cat[to], n);
    size_t before = atomic_fetch_sub(&budget->by_cat[from], n);
    SF_ASSERT(before >= n);
}

size_t sf_budget_limit(const struct sf_budget *budget)
{
    return budget->limit;
}

size_t sf_budget_charged(const struct sf_budget *budget, enum sf_budget_category cat)
{
    SF_ASSERT((unsigned)cat < SF_BUDGET__COUNT);
    return atomic_load(&((struct sf_budget *)budget)->by_cat[cat]);
}

size_t sf_budget_total(const struct sf_budget *budget)
{
    return atomic_load(&((struct sf_budget *)budget)->total);
}

size_t sf_budget_peak(const struct sf_budget *budget)
{
    return atomic_load(&((struct sf_budget *)budget)->peak);
}

uint64_t sf_budget_waits(const struct sf_budget *budget)
{
    return atomic_load(&((struct sf_budget *)budget)->waits);
}
