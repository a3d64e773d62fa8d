/* The limit on control calls: well below the heartbeat interval and the group timeout, so a
 * hung call leaves room for heartbeat retries; never below 2 s nor above sls.timeout. */
#include "sf_test.h"

#include "coord/coord_int.h"

static long timeout_for(int heartbeat_s, int group_s, int sls_timeout_ms)
{
    struct sf_config_source cfg = {.heartbeat_interval_s = heartbeat_s,
                                   .group_timeout_s = group_s,
                                   .timeout_ms = sls_timeout_ms};
    return sf_coord_control_timeout_ms(&cfg);
}

static void defaults_give_ten_seconds(void **state)
{
    (void)state;
    assert_int_equal(timeout_for(20, 60, 60000), 10000);
}

static void the_smaller_of_half_the_interval_and_a_quarter_of_the_group_timeout(void **state)
{
    (void)state;
    assert_int_equal(timeout_for(20, 30, 60000), 7500);  /* group timeout / 4 */
    assert_int_equal(timeout_for(10, 120, 60000), 5000); /* heartbeat interval / 2 */
}

static void floored_at_two_seconds_and_capped_by_sls_timeout(void **state)
{
    (void)state;
    assert_int_equal(timeout_for(1, 4, 60000), 2000);
    assert_int_equal(timeout_for(600, 3600, 60000), 60000);
    assert_int_equal(timeout_for(20, 60, 1500), 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_give_ten_seconds),
        cmocka_unit_test(the_smaller_of_half_the_interval_and_a_quarter_of_the_group_timeout),
        cmocka_unit_test(floored_at_two_seconds_and_capped_by_sls_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
