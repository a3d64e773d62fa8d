/* Several HEC endpoints (hec_endpoint.c): which endpoint gets the next request (the healthy
 * one with the fewest requests on the wire, ties in turn, none when all are out or full) and
 * the take-out / probe / put-back state machine with its doubling wait. Pure. */
#include "sf_test.h"

#include "sink/hec_int.h"

#define N_EPS 3

static void init(struct sf_hec_endpoint *eps, size_t n)
{
    memset(eps, 0, n * sizeof(*eps));
    for (size_t i = 0; i < n; i++) {
        sf_hec_ep_health_init(&eps[i].health, 8000);
    }
}

static void ties_go_round_robin(void **state)
{
    (void)state;
    struct sf_hec_endpoint eps[N_EPS];
    init(eps, N_EPS);
    size_t rr = N_EPS - 1;
    int seen[N_EPS] = {0};
    for (int k = 0; k < 3 * N_EPS; k++) {
        int i = sf_hec_ep_choose(eps, N_EPS, 4, &rr);
        assert_true(i >= 0 && i < N_EPS);
        assert_int_equal(i, k % N_EPS); /* nothing outstanding anywhere: strictly in turn */
        seen[i]++;
    }
    for (int i = 0; i < N_EPS; i++) {
        assert_int_equal(seen[i], 3);
    }
}

static void the_least_outstanding_wins(void **state)
{
    (void)state;
    struct sf_hec_endpoint eps[N_EPS];
    init(eps, N_EPS);
    size_t rr = 0;
    eps[0].health.n_out = 3;
    eps[1].health.n_out = 1;
    eps[2].health.n_out = 2;
    assert_int_equal(sf_hec_ep_choose(eps, N_EPS, 4, &rr), 1);
    assert_int_equal(rr, 1);
    /* Filling as the sink does (a start adds one): the loads level out. */
    for (int k = 0; k < 6; k++) {
        int i = sf_hec_ep_choose(eps, N_EPS, 4, &rr);
        assert_true(i >= 0);
        eps[i].health.n_out++;
    }
    assert_int_equal(eps[0].health.n_out, 4);
    assert_int_equal(eps[1].health.n_out, 4);
    assert_int_equal(eps[2].health.n_out, 4);
    /* all at max_out: none */
    assert_int_equal(sf_hec_ep_choose(eps, N_EPS, 4, &rr), -1);
    eps[2].health.n_out = 3;
    assert_int_equal(sf_hec_ep_choose(eps, N_EPS, 4, &rr), 2);
}

static void an_endpoint_taken_out_gets_nothing_until_a_healthy_probe(void **state)
{
    (void)state;
    struct sf_hec_endpoint eps[N_EPS];
    init(eps, N_EPS);
    size_t rr = 0;
    int64_t now = 1000000;
    assert_true(sf_hec_ep_take_out(&eps[1].health, now, -1));
    assert_int_equal(eps[1].health.phase, SF_HEC_EP_OUT);
    /* a second failure of a request sent before says nothing new */
    int64_t first_probe = eps[1].health.probe_ms;
    assert_false(sf_hec_ep_take_out(&eps[1].health, now + 1, -1));
    assert_int_equal(eps[1].health.probe_ms, first_probe);
    /* first wait: within [base/2, base] */
    assert_true(first_probe - now >= SF_HEC_PROBE_BASE_MS / 2);
    assert_true(first_probe - now <= SF_HEC_PROBE_BASE_MS);
    for (int k = 0; k < 10; k++) {
        assert_int_not_equal(sf_hec_ep_choose(eps, N_EPS, 4, &rr), 1);
    }
    /* not due yet: the wake time is lowered to the probe time */
    int64_t wake = INT64_MAX;
    assert_false(sf_hec_ep_probe_due(&eps[1].health, now, &wake));
    assert_int_equal(wake, first_probe);
    assert_true(sf_hec_ep_probe_due(&eps[1].health, first_probe, &wake));
    sf_hec_ep_probing(&eps[1].health);
    assert_int_equal(eps[1].health.phase, SF_HEC_EP_PROBING);
    assert_false(sf_hec_ep_probe_due(&eps[1].health, first_probe + 99999, &wake));
    for (int k = 0; k < 10; k++) {
        assert_int_not_equal(sf_hec_ep_choose(eps, N_EPS, 4, &rr), 1); /* still out */
    }
    /* unhealthy: out again, and the wait doubles (within jitter) up to the cap */
    int64_t t = first_probe + 10;
    int64_t last_wait = first_probe - now;
    for (int k = 0; k < 8; k++) {
        assert_false(sf_hec_ep_probe_done(&eps[1].health, false, t));
        assert_int_equal(eps[1].health.phase, SF_HEC_EP_OUT);
        int64_t wait = eps[1].health.probe_ms - t;
        assert_true(wait <= 8000);
        assert_true(wait >= last_wait / 2); /* never much shorter: it grows */
        last_wait = wait;
        t = eps[1].health.probe_ms;
        assert_true(sf_hec_ep_probe_due(&eps[1].health, t, &wake));
        sf_hec_ep_probing(&eps[1].health);
    }
    assert_true(last_wait >= 4000); /* reached the cap's range */
    /* healthy: back in turn */
    assert_true(sf_hec_ep_probe_done(&eps[1].health, true, t));
    assert_int_equal(eps[1].health.phase, SF_HEC_EP_UP);
    bool is_back = false;
    for (int k = 0; k < N_EPS; k++) {
        is_back = is_back || sf_hec_ep_choose(eps, N_EPS, 4, &rr) == 1;
    }
    assert_true(is_back);
    /* the wait stays long until a request is confirmed there (flapping is probed less) */
    assert_true(sf_hec_ep_take_out(&eps[1].health, t, -1));
    assert_true(eps[1].health.probe_ms - t >= 2000);
    sf_hec_ep_probing(&eps[1].health);
    sf_hec_ep_probe_done(&eps[1].health, true, t);
    sf_hec_ep_success(&eps[1].health);
    assert_true(sf_hec_ep_take_out(&eps[1].health, t, -1));
    assert_true(eps[1].health.probe_ms - t <= SF_HEC_PROBE_BASE_MS);
}

static void retry_after_sets_the_least_wait(void **state)
{
    (void)state;
    struct sf_hec_endpoint eps[1];
    init(eps, 1);
    assert_true(sf_hec_ep_take_out(&eps[0].health, 0, 5000));
    assert_int_equal(eps[0].health.probe_ms, 5000);
}

static void when_every_endpoint_is_out_none_is_chosen(void **state)
{
    (void)state;
    struct sf_hec_endpoint eps[N_EPS];
    init(eps, N_EPS);
    size_t rr = 0;
    for (int i = 0; i < N_EPS; i++) {
        assert_true(sf_hec_ep_take_out(&eps[i].health, 0, -1));
    }
    assert_int_equal(sf_hec_ep_choose(eps, N_EPS, 4, &rr), -1);
    assert_int_equal(rr, 0); /* unchanged */
    int64_t wake = INT64_MAX;
    for (int i = 0; i < N_EPS; i++) {
        assert_false(sf_hec_ep_probe_due(&eps[i].health, 0, &wake));
    }
    assert_true(wake > 0 && wake <= SF_HEC_PROBE_BASE_MS); /* the loop sleeps until a probe */
    assert_true(sf_hec_ep_probe_due(&eps[2].health, eps[2].health.probe_ms, &wake));
    sf_hec_ep_probing(&eps[2].health);
    sf_hec_ep_probe_done(&eps[2].health, true, eps[2].health.probe_ms);
    assert_int_equal(sf_hec_ep_choose(eps, N_EPS, 4, &rr), 2);
}

static void health_verdicts_that_let_an_endpoint_back(void **state)
{
    (void)state;
    assert_true(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_OK));
    /* HEC is there; the data path pauses with the right message */
    assert_true(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_TOKEN));
    assert_true(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_TLS_UNTRUSTED));
    assert_false(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_UNHEALTHY));
    assert_false(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_REFUSED));
    assert_false(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_TIMEOUT));
    assert_false(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_NO_REPLY));
    assert_false(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_RESOLVE));
    assert_false(sf_hec_ep_verdict_is_up(SF_HEC_HEALTH_OTHER));
    /* 503 code 9 from the health endpoint is the unhealthy verdict that keeps it out */
    char msg[256];
    const char *busy = "{\"text\":\"HEC is unhealthy, queues are full\",\"code\":18}";
    assert_int_equal(sf_hec_health_classify(false, "h:1", CURLE_OK, "", 503, (const uint8_t *)busy,
                                            strlen(busy), msg, sizeof(msg)),
                     SF_HEC_HEALTH_UNHEALTHY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ties_go_round_robin),
        cmocka_unit_test(the_least_outstanding_wins),
        cmocka_unit_test(an_endpoint_taken_out_gets_nothing_until_a_healthy_probe),
        cmocka_unit_test(retry_after_sets_the_least_wait),
        cmocka_unit_test(when_every_endpoint_is_out_none_is_chosen),
        cmocka_unit_test(health_verdicts_that_let_an_endpoint_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
