/* The refresher with real time and scripted STS answers: it renews before expiry, and a failing
 * renewal keeps the old credentials, backs off, logs once per new reason and recovers. Only
 * lower bounds on time are asserted exactly, so a loaded machine makes nothing fail. */
#include "sf_test.h"

#include <time.h>
#include <unistd.h>

#include "cred/cred.h"
#include "cred/cred_int.h"
#include "cred/fakes.h"
#include "util/clock.h"

static char dir[] = "/tmp/sf-cred-refresh.XXXXXX";
static char errbuf[1024];

struct heard {
    pthread_mutex_t lock;
    int n;
    struct sf_cred_value last;
};

static void listener(void *ctx, const struct sf_cred_value *fresh)
{
    struct heard *heard = ctx;
    pthread_mutex_lock(&heard->lock);
    heard->n++;
    heard->last = *fresh;
    pthread_mutex_unlock(&heard->lock);
}

static int heard_n(struct heard *heard)
{
    pthread_mutex_lock(&heard->lock);
    int n = heard->n;
    pthread_mutex_unlock(&heard->lock);
    return n;
}

static struct sf_cred *start_oidc(struct heard *heard)
{
    struct sf_cred *cred = NULL;
    struct sf_cred_config config = {.provider = SF_CRED_OIDC_ROLE_ARN,
                                    .source_name = "test",
                                    .role_arn = "r",
                                    .oidc_provider_arn = "p",
                                    .oidc_token_file = "/t",
                                    .getenv_fn = fake_getenv};
    SF_CHECK_ERR(sf_cred_new(&config, &cred, errbuf, sizeof(errbuf)), SF_OK);
    SF_CHECK_ERR(sf_cred_resolve(cred, errbuf, sizeof(errbuf)), SF_OK);
    SF_CHECK_ERR(sf_cred_start(cred, listener, heard), SF_OK);
    return cred;
}

static bool oidc_called_twice(void *ctx)
{
    (void)ctx;
    return fake_calls(&fake_oidc) >= 2;
}

static struct sf_cred *watched;

static bool failures_reach(void *ctx)
{
    struct sf_cred_status status;
    sf_cred_status(watched, &status);
    return status.failures >= *(uint64_t *)ctx;
}

static bool recovered(void *ctx)
{
    struct sf_cred_status status;
    sf_cred_status(ctx, &status);
    return !status.failing && status.refreshes >= 1;
}

/* lifetime 3600 s: margin 300 s, jitter up to 75 s, so the plan is 300..375 s before expiry. */
static void plan_follows_margin_and_jitter(void **state)
{
    (void)state;
    struct heard heard = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct sf_cred *cred = start_oidc(&heard);
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    assert_true(status.next_refresh >= status.expiration - 376);
    assert_true(status.next_refresh <= status.expiration - 299);
    assert_true(status.last_success <= (int64_t)time(NULL));
    assert_true(status.last_success >= (int64_t)time(NULL) - 60);
    sf_cred_free(cred);
}

static void refreshes_before_expiry_with_a_3s_lifetime(void **state)
{
    (void)state;
    struct heard heard = {.lock = PTHREAD_MUTEX_INITIALIZER};
    fake_script(&fake_oidc, SF_OK, NULL, 3);
    struct sf_cred *cred = start_oidc(&heard);
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    /* Planned before the expiry (a third of the 2-3 s left is the margin). */
    assert_true(status.next_refresh > 0 && status.next_refresh <= status.expiration);
    int64_t first_expiration = status.expiration;

    assert_true(fakes_wait_for(oidc_called_twice, NULL, 20000));
    int64_t gap_ms = fake_call_ms(&fake_oidc, 1) - fake_call_ms(&fake_oidc, 0);
    assert_true(gap_ms >= 1000); /* not at once: margin + jitter <= lifetime / 3 + 1/12 */
    while (heard_n(&heard) < 1) {
        sf_sleep_ms(10);
    }
    pthread_mutex_lock(&heard.lock);
    assert_string_equal(heard.last.access_key_id, "STS.oidc-2");
    pthread_mutex_unlock(&heard.lock);
    struct sf_cred_value value;
    sf_cred_current(cred, &value);
    assert_string_equal(value.access_key_id, "STS.oidc-2");
    sf_cred_status(cred, &status);
    assert_true(status.refreshes >= 1);
    assert_true(status.expiration >= first_expiration);
    sf_cred_free(cred);
}

/* Starts failing at once: a refusal more than a second after the value asks for a refresh. */
static void fail_from_now(struct sf_cred *cred, const char *why, int lifetime_s)
{
    sf_sleep_ms(1100);
    fake_script(&fake_oidc, SF_ERR_NET, why, lifetime_s);
    sf_cred_report_refused(cred, "SecurityTokenExpired");
}

static void failed_refresh_keeps_old_credentials_backs_off_and_recovers(void **state)
{
    (void)state;
    struct heard heard = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct sf_cred *cred = start_oidc(&heard); /* lifetime 3600 s: no expiry cuts a backoff */
    watched = cred;
    fail_from_now(cred, "connect to sts.example failed", 3600);
    uint64_t want = 2;
    assert_true(fakes_wait_for(failures_reach, &want, 30000));
    fake_script(&fake_oidc, SF_ERR_HTTP_REJECT, "STS: NoPermission", 3600); /* a new reason */
    want = 3;
    assert_true(fakes_wait_for(failures_reach, &want, 30000));

    struct sf_cred_value value;
    sf_cred_current(cred, &value);
    assert_string_equal(value.access_key_id, "STS.oidc-1"); /* the old ones stay */
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    assert_true(status.failing);
    assert_string_equal(status.last_error, "STS: NoPermission");
    assert_true(status.next_refresh > 0);
    /* Backoff 1 s, then 2 s (calls 2, 3, 4 are the failures). */
    assert_true(fake_call_ms(&fake_oidc, 2) - fake_call_ms(&fake_oidc, 1) >= 1000);
    assert_true(fake_call_ms(&fake_oidc, 3) - fake_call_ms(&fake_oidc, 2) >= 2000);
    assert_int_equal(heard_n(&heard), 0);
    /* Logged once per reason: two lines for three failures. */
    assert_int_equal(fakes_count_in_file(fake_log_path, "error=\"connect to sts.example failed\""),
                     1);
    assert_int_equal(fakes_count_in_file(fake_log_path, "error=\"STS: NoPermission\""), 1);
    assert_int_equal(fakes_count_in_file(fake_log_path, "level=warn"), 2);

    fake_script(&fake_oidc, SF_OK, NULL, 3600);
    assert_true(fakes_wait_for(recovered, cred, 30000));
    sf_cred_current(cred, &value);
    assert_string_not_equal(value.access_key_id, "STS.oidc-1");
    sf_cred_status(cred, &status);
    assert_string_equal(status.last_error, "");
    assert_true(status.failures >= 3);
    assert_true(status.next_refresh >= status.expiration - 376);
    assert_true(heard_n(&heard) >= 1);
    assert_int_equal(fakes_count_in_file(fake_log_path, "msg=\"credentials refreshed\""), 1);
    sf_cred_free(cred);
}

/* The retry's wait, with the clocks fixed: the backoff while it ends well before the expiry,
 * else 500 ms before the expiry (so clock reads a few ms apart cannot push it past), never
 * under 1 s. Before this rule the wait was the time left itself: a retry planned for the very
 * millisecond of expiry, which the status then showed a second late on a loaded machine. */
static void retry_delay_comes_before_the_expiry(void **state)
{
    (void)state;
    const int64_t exp_s = 1800000000, exp_ms = exp_s * 1000;
    assert_int_equal(sf_cred_retry_delay_ms(4000, exp_s, exp_ms - 60000), 4000);
    assert_int_equal(sf_cred_retry_delay_ms(4000, exp_s, exp_ms - 4500), 4000);
    assert_int_equal(sf_cred_retry_delay_ms(4000, exp_s, exp_ms - 2600), 2100);
    assert_int_equal(sf_cred_retry_delay_ms(4000, exp_s, exp_ms - 1200), 1000);
    assert_int_equal(sf_cred_retry_delay_ms(2000, exp_s, exp_ms - 300), 1000);
    assert_int_equal(sf_cred_retry_delay_ms(2000, exp_s, exp_ms + 5000), 2000); /* expired */
    assert_int_equal(sf_cred_retry_delay_ms(8000, 0, exp_ms), 8000);            /* never expires */
}

/* Backoff 1, 2, then 4 s, but with 2-3 s of validity left the third retry comes before expiry. */
static void retry_is_not_planned_after_the_credentials_expire(void **state)
{
    (void)state;
    struct heard heard = {.lock = PTHREAD_MUTEX_INITIALIZER};
    fake_script(&fake_oidc, SF_OK, NULL, 7);
    struct sf_cred *cred = start_oidc(&heard);
    watched = cred;
    fail_from_now(cred, "connect to sts.example failed", 7);
    uint64_t want = 3;
    assert_true(fakes_wait_for(failures_reach, &want, 30000));
    struct sf_cred_status status;
    sf_cred_status(cred, &status);
    if (time(NULL) < status.expiration - 1) { /* else the machine was too slow to tell */
        assert_true(status.next_refresh <= status.expiration);
    }
    sf_cred_free(cred);
}

int main(void)
{
    if (!fakes_logs_begin(dir)) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(plan_follows_margin_and_jitter, fakes_log_setup),
        cmocka_unit_test(retry_delay_comes_before_the_expiry),
        cmocka_unit_test_setup(refreshes_before_expiry_with_a_3s_lifetime, fakes_log_setup),
        cmocka_unit_test_setup(failed_refresh_keeps_old_credentials_backs_off_and_recovers,
                               fakes_log_setup),
        cmocka_unit_test_setup(retry_is_not_planned_after_the_credentials_expire, fakes_log_setup),
    };
    return fakes_logs_end(cmocka_run_group_tests(tests, NULL, NULL));
}
