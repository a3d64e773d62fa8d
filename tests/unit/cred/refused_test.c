/* sf_cred_report_refused: an immediate refresh, coalesced with the reports signed with the old
 * value; nothing but one log line for keys that cannot change; a re-read for a file. And
 * sf_cred_free stops the refresher within milliseconds, whatever it is waiting for. */
#include "sf_test.h"

#include <unistd.h>

#include "cred/cred.h"
#include "cred/fakes.h"
#include "util/clock.h"

static char dir[] = "/tmp/sf-cred-refused.XXXXXX";
static char errbuf[1024];

struct heard {
    pthread_mutex_t lock;
    int n;
    char last_id[128];
};

static void listener(void *ctx, const struct sf_cred_value *fresh)
{
    struct heard *heard = ctx;
    pthread_mutex_lock(&heard->lock);
    heard->n++;
    snprintf(heard->last_id, sizeof(heard->last_id), "%s", fresh->access_key_id);
    pthread_mutex_unlock(&heard->lock);
}

static bool heard_once(void *ctx)
{
    struct heard *heard = ctx;
    pthread_mutex_lock(&heard->lock);
    int n = heard->n;
    pthread_mutex_unlock(&heard->lock);
    return n >= 1;
}

static struct sf_cred *start(struct sf_cred_config config, struct heard *heard)
{
    struct sf_cred *cred = NULL;
    config.source_name = "test";
    config.getenv_fn = fake_getenv;
    SF_CHECK_ERR(sf_cred_new(&config, &cred, errbuf, sizeof(errbuf)), SF_OK);
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    SF_CHECK_ERR(sf_cred_start(cred, heard ? listener : NULL, heard), SF_OK);
    return cred;
}

static bool ecs_called_twice(void *ctx)
{
    (void)ctx;
    return fake_calls(&fake_ecs) >= 2;
}

/* A drop is only asserted when the report surely came within the second after the value: on a
 * machine too loaded for that, the report may rightly refresh, and the test says so. */
static void refusal_refreshes_at_once_and_is_coalesced(void **state)
{
    (void)state;
    struct heard heard = {.lock = PTHREAD_MUTEX_INITIALIZER};
    int64_t before_ms = sf_now_ms();
    struct sf_cred *cred = start((struct sf_cred_config){.provider = SF_CRED_ECS_RAM_ROLE}, &heard);
    /* Within a second of the value: signed with the previous one, dropped. */
    sf_cred_report_refused(cred, "SecurityTokenExpired");
    bool is_first_dropped = sf_now_ms() - before_ms < 900;
    sf_sleep_ms(1100);
    if (is_first_dropped) {
        assert_int_equal(fake_calls(&fake_ecs), 1);
    } else {
        print_message("machine too slow to check the first drop\n");
    }
    int calls = fake_calls(&fake_ecs);

    int64_t reported_ms = sf_now_ms();
    for (int i = 0; i < 20; i++) { /* every shard's pull at once */
        sf_cred_report_refused(cred, "SecurityTokenExpired");
    }
    assert_true(fakes_wait_for(ecs_called_twice, NULL, 10000));
    assert_true(fake_call_ms(&fake_ecs, calls) - reported_ms < 5000); /* not the 1 h plan */
    assert_true(fakes_wait_for(heard_once, &heard, 10000));
    sf_cred_report_refused(cred, "InvalidAccessKeyId"); /* right after: the old value's */
    bool is_second_dropped = sf_now_ms() - fake_call_ms(&fake_ecs, calls) < 900;
    sf_sleep_ms(300);
    if (is_first_dropped && is_second_dropped) {
        assert_int_equal(fake_calls(&fake_ecs), 2); /* 20 reports, one refresh */
        struct sf_cred_value value;
        sf_cred_current(cred, &value);
        assert_string_equal(value.access_key_id, "STS.ecs-2");
        assert_int_equal(fakes_count_in_file(fake_log_path, "refreshing now"), 1);
        assert_int_equal(fakes_count_in_file(fake_log_path, "code=SecurityTokenExpired"), 1);
    } else {
        print_message("machine too slow to check the second drop\n");
    }
    sf_cred_free(cred);
}

static void static_keys_log_one_refusal_and_start_no_thread(void **state)
{
    (void)state;
    struct sf_cred *cred = start(
        (struct sf_cred_config){.access_key_id = "LTAI", .access_key_secret = "SECRET-s"}, NULL);
    for (int i = 0; i < 3; i++) {
        sf_cred_report_refused(cred, "InvalidAccessKeyId");
        sf_sleep_ms(20);
    }
    assert_int_equal(fakes_count_in_file(fake_log_path, "credentials refused by SLS: "
                                                        "InvalidAccessKeyId; static keys cannot be "
                                                        "refreshed"),
                     1);
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    assert_int_equal(status.provider, SF_CRED_STATIC);
    assert_int_equal(status.refreshes, 0);
    assert_int_equal(status.next_refresh, 0);
    sf_cred_free(cred);
}

/* A credentials_file without Expiration is re-read only when SLS refuses what it held. */
static void refusal_rereads_a_credentials_file(void **state)
{
    (void)state;
    char file[256];
    snprintf(file, sizeof(file), "%s/creds.yaml", dir);
    fakes_write_file(file, "access_key_id: STS.one\naccess_key_secret: SECRET-1\n"
                           "security_token: TOKEN-1\n");
    struct heard heard = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct sf_cred *cred = start((struct sf_cred_config){.file = file}, &heard);
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    assert_int_equal(status.next_refresh, 0); /* nothing planned */
    fakes_write_file(file, "access_key_id: STS.two\naccess_key_secret: SECRET-2\n"
                           "security_token: TOKEN-2\n");
    sf_sleep_ms(1100);
    sf_cred_report_refused(cred, "SecurityTokenExpired");
    assert_true(fakes_wait_for(heard_once, &heard, 10000));
    pthread_mutex_lock(&heard.lock);
    assert_string_equal(heard.last_id, "STS.two");
    pthread_mutex_unlock(&heard.lock);
    sf_cred_free(cred);
    unlink(file);
}

static bool is_failing(void *ctx)
{
    struct sf_cred_status status;
    sf_cred_status(ctx, &status);
    return status.failing;
}

static void free_stops_the_refresher_promptly(void **state)
{
    (void)state;
    /* Waiting for a refresh planned an hour away. */
    struct sf_cred *cred = start((struct sf_cred_config){.provider = SF_CRED_ECS_RAM_ROLE}, NULL);
    sf_sleep_ms(50);
    int64_t before_ms = sf_now_ms();
    sf_cred_free(cred);
    assert_true(sf_now_ms() - before_ms < 1000);

    /* In the middle of a backoff. */
    fake_script(&fake_ecs, SF_OK, NULL, 3600);
    cred = start((struct sf_cred_config){.provider = SF_CRED_ECS_RAM_ROLE}, NULL);
    fake_script(&fake_ecs, SF_ERR_NET, "metadata service unreachable", 3600);
    sf_sleep_ms(1100);
    sf_cred_report_refused(cred, "SecurityTokenExpired");
    assert_true(fakes_wait_for(is_failing, cred, 10000));
    before_ms = sf_now_ms();
    sf_cred_free(cred);
    assert_true(sf_now_ms() - before_ms < 1000);
}

int main(void)
{
    if (!fakes_logs_begin(dir)) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(refusal_refreshes_at_once_and_is_coalesced, fakes_log_setup),
        cmocka_unit_test_setup(static_keys_log_one_refusal_and_start_no_thread, fakes_log_setup),
        cmocka_unit_test_setup(refusal_rereads_a_credentials_file, fakes_log_setup),
        cmocka_unit_test_setup(free_stops_the_refresher_promptly, fakes_log_setup),
    };
    return fakes_logs_end(cmocka_run_group_tests(tests, NULL, NULL));
}
