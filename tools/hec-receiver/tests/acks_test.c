/* Indexer acknowledgement state (docs/protocol/hec.md §Indexer acknowledgement) with a clock the
 * test controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>

#include "acks.h"

#include "util/banned.h"

#define CH_A "5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5f6"
#define CH_B "00000000-0000-0000-0000-000000000000"

static void checks_the_guid_shape(void **state)
{
    (void)state;
    assert_true(hec_channel_is_guid(CH_A));
    assert_true(hec_channel_is_guid("5D4F1A0E-2B3C-4D5E-8F90-A1B2C3D4E5F6"));
    assert_false(hec_channel_is_guid(""));
    assert_false(hec_channel_is_guid("my-channel"));
    assert_false(hec_channel_is_guid("5d4f1a0e2b3c4d5e8f90a1b2c3d4e5f6"));
    assert_false(hec_channel_is_guid("{5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5f6}"));
    assert_false(hec_channel_is_guid("5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5f6 "));
    assert_false(hec_channel_is_guid("5d4f1a0e-2b3c-4d5e-8f90-a1b2c3d4e5fg"));
    assert_false(hec_channel_is_guid("5d4f1a0e-2b3c-4d5e-8f9-0a1b2c3d4e5f6"));
}

static void issues_ids_per_channel_from_zero(void **state)
{
    (void)state;
    struct hec_acks *acks = hec_acks_new(0, 0, 0);
    assert_int_equal(hec_acks_issue(acks, CH_A, 0, 0, false), 0);
    assert_int_equal(hec_acks_issue(acks, CH_A, 0, 0, false), 1);
    assert_int_equal(hec_acks_issue(acks, CH_B, 0, 0, false), 0);
    assert_int_equal(hec_acks_issue(acks, CH_A, 0, 0, false), 2);
    hec_acks_free(acks);
}

static void answers_true_once_indexed_then_forgets(void **state)
{
    (void)state;
    struct hec_acks *acks = hec_acks_new(0, 0, 0);
    hec_acks_issue(acks, CH_A, 1000, 1500, false); /* id 0 ready at 1500 */
    hec_acks_issue(acks, CH_A, 1000, 1000, false); /* id 1 ready now */
    assert_false(hec_acks_query(acks, CH_A, 0, 1000));
    assert_true(hec_acks_query(acks, CH_A, 1, 1000));
    assert_false(hec_acks_query(acks, CH_A, 1, 1000)); /* forgotten after true */
    assert_true(hec_acks_query(acks, CH_A, 0, 1500));
    assert_false(hec_acks_query(acks, CH_A, 0, 2000));
    assert_false(hec_acks_query(acks, CH_A, 7, 2000)); /* never issued */
    assert_false(hec_acks_query(acks, CH_B, 0, 2000)); /* unknown channel */
    hec_acks_free(acks);
}

static void never_acks_a_lost_id(void **state)
{
    (void)state;
    struct hec_acks *acks = hec_acks_new(0, 0, 0);
    hec_acks_issue(acks, CH_A, 0, 0, true);
    hec_acks_issue(acks, CH_A, 0, 0, false);
    assert_false(hec_acks_query(acks, CH_A, 0, 1000000));
    assert_true(hec_acks_query(acks, CH_A, 1, 1000000));
    assert_false(hec_acks_query(acks, CH_A, 0, 2000000));
    hec_acks_free(acks);
}

/* Many ids answered out of order: trimming the front must keep later ids findable. */
static void keeps_ids_through_trimming(void **state)
{
    (void)state;
    struct hec_acks *acks = hec_acks_new(0, 0, 0);
    for (uint64_t i = 0; i < 1000; i++) {
        assert_int_equal(hec_acks_issue(acks, CH_A, 0, 0, false), i);
        if (i % 3 == 0) {
            assert_true(hec_acks_query(acks, CH_A, i, 0));
        }
    }
    for (uint64_t i = 0; i < 1000; i++) {
        assert_int_equal(hec_acks_query(acks, CH_A, i, 0), i % 3 != 0);
    }
    hec_acks_free(acks);
}

static void limits_pending_ids_and_channels(void **state)
{
    (void)state;
    struct hec_acks *acks = hec_acks_new(1, 2, 0);
    assert_true(hec_acks_has_room(acks, CH_A, 0));
    hec_acks_issue(acks, CH_A, 0, 0, false);
    hec_acks_issue(acks, CH_A, 0, 0, false);
    assert_false(hec_acks_has_room(acks, CH_A, 0));
    assert_false(hec_acks_has_room(acks, CH_B, 0)); /* one channel only */
    assert_true(hec_acks_query(acks, CH_A, 0, 0));
    assert_true(hec_acks_has_room(acks, CH_A, 0));
    hec_acks_free(acks);
}

/* maxIdleTime: an idle channel loses its ids and starts again at 0. */
static void forgets_idle_channels(void **state)
{
    (void)state;
    struct hec_acks *acks = hec_acks_new(0, 0, 1000);
    hec_acks_issue(acks, CH_A, 0, 0, false);
    hec_acks_issue(acks, CH_B, 0, 0, false);
    assert_int_equal(hec_acks_expire(acks, 500), 0);
    hec_acks_issue(acks, CH_B, 900, 0, false); /* B stays busy */
    assert_int_equal(hec_acks_expire(acks, 1500), 1);
    assert_false(hec_acks_query(acks, CH_A, 0, 1500));
    assert_int_equal(hec_acks_issue(acks, CH_A, 1600, 0, false), 0);
    assert_int_equal(hec_acks_issue(acks, CH_B, 1600, 0, false), 2);
    /* Expiry also happens on access, without a sweep. */
    assert_false(hec_acks_query(acks, CH_B, 0, 5000));
    assert_int_equal(hec_acks_issue(acks, CH_B, 5000, 0, false), 0);
    hec_acks_free(acks);
}

static void grows_to_many_channels(void **state)
{
    (void)state;
    struct hec_acks *acks = hec_acks_new(0, 0, 0);
    char name[40];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "%08x-0000-0000-0000-000000000000", i);
        assert_int_equal(hec_acks_issue(acks, name, 0, 0, false), 0);
    }
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "%08x-0000-0000-0000-000000000000", i);
        assert_true(hec_acks_query(acks, name, 0, 0));
    }
    hec_acks_free(acks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checks_the_guid_shape),
        cmocka_unit_test(issues_ids_per_channel_from_zero),
        cmocka_unit_test(answers_true_once_indexed_then_forgets),
        cmocka_unit_test(never_acks_a_lost_id),
        cmocka_unit_test(keeps_ids_through_trimming),
        cmocka_unit_test(limits_pending_ids_and_channels),
        cmocka_unit_test(forgets_idle_channels),
        cmocka_unit_test(grows_to_many_channels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
