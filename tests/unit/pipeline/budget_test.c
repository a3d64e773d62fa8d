/* The memory budget (pipeline/budget.c): charges fit under the limit or fail, a waiting charge
 * goes through when another thread releases, and under concurrent threads the total never
 * exceeds the limit and ends at zero. */
#include "sf_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "pipeline/budget.h"

static void try_charge_fits_or_fails_whole(void **state)
{
    (void)state;
    struct sf_budget *b = sf_budget_new(1000);
    assert_int_equal(sf_budget_limit(b), 1000);
    assert_true(sf_budget_try_charge(b, SF_BUDGET_PULL_RAW, 600));
    assert_true(sf_budget_try_charge(b, SF_BUDGET_BATCHES, 400));
    assert_false(sf_budget_try_charge(b, SF_BUDGET_BATCHES, 1)); /* full: nothing charged */
    assert_true(sf_budget_try_charge(b, SF_BUDGET_BATCHES, 0));
    assert_int_equal(sf_budget_total(b), 1000);
    assert_int_equal(sf_budget_charged(b, SF_BUDGET_PULL_RAW), 600);
    assert_int_equal(sf_budget_charged(b, SF_BUDGET_BATCHES), 400);
    sf_budget_release(b, SF_BUDGET_PULL_RAW, 600);
    assert_false(sf_budget_try_charge(b, SF_BUDGET_DECODE, 601));
    assert_true(sf_budget_try_charge(b, SF_BUDGET_DECODE, 600));
    sf_budget_move(b, SF_BUDGET_DECODE, SF_BUDGET_HEC_REQUESTS, 100);
    assert_int_equal(sf_budget_charged(b, SF_BUDGET_DECODE), 500);
    assert_int_equal(sf_budget_charged(b, SF_BUDGET_HEC_REQUESTS), 100);
    assert_int_equal(sf_budget_total(b), 1000);
    assert_int_equal(sf_budget_peak(b), 1000);
    sf_budget_release(b, SF_BUDGET_DECODE, 500);
    sf_budget_release(b, SF_BUDGET_HEC_REQUESTS, 100);
    sf_budget_release(b, SF_BUDGET_BATCHES, 400);
    assert_int_equal(sf_budget_total(b), 0);
    assert_false(sf_budget_try_charge(b, SF_BUDGET_BATCHES, 1001)); /* never fits */
    assert_false(sf_budget_try_charge(b, SF_BUDGET_BATCHES, (size_t)-1));
    assert_string_equal(sf_budget_category_name(SF_BUDGET_HEC_REQUESTS), "hec_requests");
    assert_string_equal(sf_budget_category_name(SF_BUDGET_PULL_WIRE), "pull_wire");
    sf_budget_free(b);
}

static void charge_times_out_and_cancels(void **state)
{
    (void)state;
    struct sf_budget *b = sf_budget_new(100);
    assert_true(sf_budget_try_charge(b, SF_BUDGET_BATCHES, 100));
    assert_false(sf_budget_charge(b, SF_BUDGET_PULL_RAW, 1, 50, NULL));
    atomic_bool cancel;
    atomic_init(&cancel, true);
    assert_false(sf_budget_charge(b, SF_BUDGET_PULL_RAW, 1, -1, &cancel));
    assert_false(sf_budget_charge(b, SF_BUDGET_PULL_RAW, 101, -1, NULL)); /* never fits */
    assert_int_equal(sf_budget_total(b), 100);
    assert_true(sf_budget_waits(b) >= 2);
    sf_budget_release(b, SF_BUDGET_BATCHES, 100);
    sf_budget_free(b);
}

struct releaser {
    struct sf_budget *b;
    atomic_bool started;
};

static void *release_later(void *arg)
{
    struct releaser *r = arg;
    atomic_store(&r->started, true);
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
    sf_budget_release(r->b, SF_BUDGET_BATCHES, 60);
    return NULL;
}

static void waiting_charge_goes_through_on_release(void **state)
{
    (void)state;
    struct releaser r = {.b = sf_budget_new(100)};
    atomic_init(&r.started, false);
    assert_true(sf_budget_try_charge(r.b, SF_BUDGET_BATCHES, 100));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, release_later, &r), 0);
    /* No timeout: only the release can let it through. */
    assert_true(sf_budget_charge(r.b, SF_BUDGET_PULL_WIRE, 50, -1, NULL));
    assert_true(atomic_load(&r.started));
    pthread_join(t, NULL);
    assert_int_equal(sf_budget_total(r.b), 90);
    assert_int_equal(sf_budget_charged(r.b, SF_BUDGET_PULL_WIRE), 50);
    sf_budget_release(r.b, SF_BUDGET_PULL_WIRE, 50);
    sf_budget_release(r.b, SF_BUDGET_BATCHES, 40);
    sf_budget_free(r.b);
}

#define THREADS 8
#define ROUNDS  20000
#define LIMIT   1000

struct hammer {
    struct sf_budget *b;
    atomic_size_t held; /* sum of what the threads hold: must never pass LIMIT */
    atomic_bool over;
    unsigned seed;
};

static void *hammer_main(void *arg)
{
    struct hammer *h = arg;
    unsigned seed = (unsigned)(uintptr_t)&seed ^ h->seed;
    for (int i = 0; i < ROUNDS; i++) {
        size_t n = 1 + (size_t)(rand_r(&seed) % 300);
        enum sf_budget_category cat = (enum sf_budget_category)(i % SF_BUDGET__COUNT);
        bool ok = (i % 3 == 0) ? sf_budget_charge(h->b, cat, n, 1000, NULL)
                               : sf_budget_try_charge(h->b, cat, n);
        if (!ok) {
            continue;
        }
        size_t held = atomic_fetch_add(&h->held, n) + n;
        if (held > LIMIT || sf_budget_total(h->b) > LIMIT) {
            atomic_store(&h->over, true);
        }
        atomic_fetch_sub(&h->held, n);
        sf_budget_release(h->b, cat, n);
    }
    return NULL;
}

static void concurrent_threads_never_exceed_the_limit(void **state)
{
    (void)state;
    struct hammer h = {.b = sf_budget_new(LIMIT), .seed = 12345};
    atomic_init(&h.held, 0);
    atomic_init(&h.over, false);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, hammer_main, &h), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    assert_false(atomic_load(&h.over));
    assert_true(sf_budget_peak(h.b) <= LIMIT);
    assert_true(sf_budget_peak(h.b) > 0);
    assert_int_equal(sf_budget_total(h.b), 0);
    for (int c = 0; c < SF_BUDGET__COUNT; c++) {
        assert_int_equal(sf_budget_charged(h.b, (enum sf_budget_category)c), 0);
    }
    sf_budget_free(h.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(try_charge_fits_or_fails_whole),
        cmocka_unit_test(charge_times_out_and_cancels),
        cmocka_unit_test(waiting_charge_goes_through_on_release),
        cmocka_unit_test(concurrent_threads_never_exceed_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
