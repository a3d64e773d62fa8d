/* Fault rule syntax and the per-request decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "faults.h"

#include "util/banned.h"

static struct hec_fault parse_ok(const char *spec)
{
    struct hec_fault rule;
    char why[200];
    if (!hec_faults_parse(spec, &rule, why, sizeof(why))) {
        fail_msg("%s: %s", spec, why);
    }
    return rule;
}

static void parses_types_with_their_defaults(void **state)
{
    (void)state;
    struct hec_fault r = parse_ok("type=503");
    assert_int_equal(r.type, HEC_FAULT_CODE);
    assert_int_equal(r.code, 9);
    assert_int_equal(r.endpoints, HEC_EPMASK_DATA);
    assert_true(r.rate == 1.0);
    assert_int_equal(r.remaining, -1);
    assert_int_equal(r.retry_after_s, -1);
    r = parse_ok("rate=0.5,type=429,retry_after=3,count=2");
    assert_int_equal(r.code, 26);
    assert_int_equal(r.retry_after_s, 3);
    assert_int_equal(r.remaining, 2);
    r = parse_ok("type=code,code=23,endpoint=event|ack");
    assert_int_equal(r.code, 23);
    assert_int_equal(r.endpoints, HEC_EPMASK(HEC_EP_EVENT) | HEC_EPMASK(HEC_EP_ACK));
    r = parse_ok("type=unhealthy");
    assert_int_equal(r.code, 18);
    assert_int_equal(r.endpoints, HEC_EPMASK(HEC_EP_HEALTH));
    r = parse_ok("type=proxy");
    assert_int_equal(r.status, 502);
    r = parse_ok("type=latency,ms=250,endpoint=*");
    assert_int_equal(r.latency_ms, 250);
    assert_int_equal(r.endpoints, HEC_EPMASK_ALL);
    r = parse_ok("type=503,k=5");
    assert_int_equal(r.k, 5);
    assert_string_equal(r.spec, "type=503,k=5");
}

static void refuses_bad_specs(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "rate=1",
        "type=teapot",
        "type=503,rate=2",
        "type=503,count=0",
        "type=code",
        "type=code,code=99",
        "type=unhealthy,code=9",
        "type=500,k=1",
        "type=503,endpoint=foo",
        "type=503,bogus=1",
        "type=503,rate",
        "type=latency,ms=-1",
        "type=proxy,status=99",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct hec_fault rule;
        char why[200] = "";
        assert_false(hec_faults_parse(bad[i], &rule, why, sizeof(why)));
        assert_true(why[0] != '\0');
    }
}

static void fires_by_count_and_endpoint(void **state)
{
    (void)state;
    struct hec_faults faults = {.next_id = 1};
    struct hec_fault rule = parse_ok("type=500,count=2");
    assert_int_equal(hec_faults_add(&faults, &rule), 1);
    rule = parse_ok("type=latency,ms=10");
    hec_faults_add(&faults, &rule);
    rule = parse_ok("type=lost_ack");
    hec_faults_add(&faults, &rule);
    struct hec_fault_decision d;
    hec_faults_decide(&faults, HEC_EP_HEALTH, true, &d);
    assert_false(d.has_error);
    assert_int_equal(d.n_fired, 0);
    hec_faults_decide(&faults, HEC_EP_EVENT, false, &d);
    assert_true(d.has_error);
    assert_int_equal(d.error.code, 8);
    assert_int_equal(d.delay_ms, 10);
    assert_false(d.is_ack_lost); /* no ack on this request: the rule is not rolled */
    hec_faults_decide(&faults, HEC_EP_RAW, true, &d);
    assert_true(d.has_error);
    assert_false(d.is_ack_lost); /* refused: no ackId to lose */
    hec_faults_decide(&faults, HEC_EP_RAW, true, &d);
    assert_false(d.has_error); /* count spent */
    assert_true(d.is_ack_lost);
    assert_true(hec_faults_remove(&faults, 1));
    assert_false(hec_faults_remove(&faults, 1));
}

static void rates_are_reproducible(void **state)
{
    (void)state;
    int fired[2] = {0, 0};
    for (int run = 0; run < 2; run++) {
        struct hec_faults faults = {.next_id = 1, .rng = 42};
        struct hec_fault rule = parse_ok("type=503,rate=0.3");
        hec_faults_add(&faults, &rule);
        for (int i = 0; i < 1000; i++) {
            struct hec_fault_decision d;
            hec_faults_decide(&faults, HEC_EP_EVENT, false, &d);
            fired[run] += d.has_error;
        }
    }
    assert_int_equal(fired[0], fired[1]);
    assert_in_range(fired[0], 240, 360);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_types_with_their_defaults),
        cmocka_unit_test(refuses_bad_specs),
        cmocka_unit_test(fires_by_count_and_endpoint),
        cmocka_unit_test(rates_are_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
