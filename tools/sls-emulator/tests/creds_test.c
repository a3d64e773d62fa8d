/* The issued-credential table and the SLS side's use of it: lifetime cap, expiry, eviction of
 * the oldest past EMU_CREDS_REMEMBERED, metadata session tokens, the order of the checks in
 * emu_auth_verify (token before expiry, expiry before signature), and concurrent use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// clang-format off
#include <cmocka.h>
// clang-format on
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "creds.h"

#include "util/banned.h"

#define NOW 1750000000

static struct emu_creds *make(int64_t cap)
{
    struct emu_creds_options opts = {.lifetime_cap_s = cap};
    return emu_creds_new(&opts);
}

static void issue_find_expire(void **state)
{
    (void)state;
    struct emu_creds *creds = make(20);
    struct emu_issued cred, found;
    emu_creds_issue(creds, EMU_CRED_ASSUME_ROLE, 3600, NOW, &cred);
    assert_int_equal(cred.expires_s, NOW + 20); /* capped */
    assert_memory_equal(cred.id, "STS.", 4);
    assert_int_equal(strlen(cred.id), 28);
    assert_int_equal(strlen(cred.secret), 44);
    assert_memory_equal(cred.token, "CAIS", 4);
    assert_int_equal(emu_creds_find(creds, cred.id, strlen(cred.id), NOW + 19, &found),
                     EMU_CRED_VALID);
    assert_string_equal(found.secret, cred.secret);
    assert_int_equal(emu_creds_find(creds, cred.id, strlen(cred.id), NOW + 20, &found),
                     EMU_CRED_EXPIRED);
    assert_int_equal(emu_creds_find(creds, "STS.nope", 8, NOW, &found), EMU_CRED_UNKNOWN);
    emu_creds_set_lifetime_cap(creds, 0);
    emu_creds_issue(creds, EMU_CRED_OIDC, 900, NOW, &cred);
    assert_int_equal(cred.expires_s, NOW + 900);
    emu_creds_free(creds);
}

static void oldest_is_forgotten(void **state)
{
    (void)state;
    struct emu_creds *creds = make(0);
    struct emu_issued first, second, cred, found;
    emu_creds_issue(creds, EMU_CRED_ECS, 60, NOW, &first);
    emu_creds_issue(creds, EMU_CRED_ECS, 60, NOW, &second);
    for (int i = 2; i < EMU_CREDS_REMEMBERED; i++) {
        emu_creds_issue(creds, EMU_CRED_ECS, 60, NOW, &cred);
    }
    /* The table is full: both still known, expired ones included. */
    assert_int_equal(emu_creds_find(creds, first.id, strlen(first.id), NOW + 61, &found),
                     EMU_CRED_EXPIRED);
    emu_creds_issue(creds, EMU_CRED_ECS, 60, NOW, &cred);
    assert_int_equal(emu_creds_find(creds, first.id, strlen(first.id), NOW, &found),
                     EMU_CRED_UNKNOWN);
    assert_int_equal(emu_creds_find(creds, second.id, strlen(second.id), NOW, &found),
                     EMU_CRED_VALID);
    emu_creds_free(creds);
}

static void ecs_credentials_rotate_at_half_life(void **state)
{
    (void)state;
    struct emu_creds *creds = make(20);
    struct emu_issued a, b, c;
    emu_creds_ecs_current(creds, NOW, &a);
    emu_creds_ecs_current(creds, NOW + 9, &b);
    assert_string_equal(a.id, b.id);
    emu_creds_ecs_current(creds, NOW + 10, &c);
    assert_string_not_equal(a.id, c.id);
    assert_int_equal(c.expires_s, NOW + 30);
    emu_creds_free(creds);
}

static void metadata_tokens_expire(void **state)
{
    (void)state;
    struct emu_creds *creds = make(0);
    char token[48];
    emu_creds_metadata_token(creds, 5, NOW, token);
    assert_int_equal(strlen(token), 44);
    assert_true(emu_creds_metadata_token_valid(creds, token, NOW + 4));
    assert_false(emu_creds_metadata_token_valid(creds, token, NOW + 5));
    assert_false(emu_creds_metadata_token_valid(creds, "bogus", NOW));
    emu_creds_free(creds);
}

/* A v1-signed GET /logstores with |token|, signed with |secret| at NOW. */
static bool verify(struct emu_creds *creds,
                   int64_t now,
                   const char *id,
                   const char *secret,
                   const char *token,
                   struct emu_auth_failure *failure)
{
    struct tc_header headers[6] = {
        {"Date", "Sun, 15 Jun 2025 15:06:40 GMT"}, /* NOW */
        {"x-log-apiversion", "0.6.0"},
        {"x-log-signaturemethod", "hmac-sha1"},
        {"x-acs-security-token", token},
    };
    struct emu_auth_input in = {"GET", "/logstores", NULL, 0, headers, 4};
    struct sf_buf sts;
    sf_buf_init(&sts, 1 << 16);
    assert_int_equal(emu_auth_v1_string_to_sign(&in, &sts), SF_OK);
    char sig[64], authz[160];
    emu_auth_v1_signature(secret, (const char *)sts.ptr, sts.len, false, sig);
    sf_buf_cleanup(&sts);
    snprintf(authz, sizeof(authz), "LOG %s:%s", id, sig);
    headers[4] = (struct tc_header){"Authorization", authz};
    in.n_headers = 5;
    struct emu_auth_config cfg = {.creds = creds, .now_s = now, .max_skew_s = 100000};
    return emu_auth_verify(&cfg, &in, NULL, 0, failure);
}

static void sls_checks_token_then_expiry(void **state)
{
    (void)state;
    struct emu_creds *creds = make(20);
    struct emu_issued cred;
    struct emu_auth_failure failure;
    emu_creds_issue(creds, EMU_CRED_ASSUME_ROLE, 3600, NOW, &cred);
    assert_true(verify(creds, NOW + 19, cred.id, cred.secret, cred.token, &failure));

    assert_false(verify(creds, NOW + 19, cred.id, cred.secret, "CAISother", &failure));
    assert_string_equal(failure.code, "Unauthorized");
    assert_int_equal(failure.reason, EMU_AUTH_REASON_BAD_TOKEN);
    /* Expired, but the token is wrong: still only "invalid". */
    assert_false(verify(creds, NOW + 20, cred.id, cred.secret, "CAISother", &failure));
    assert_int_equal(failure.reason, EMU_AUTH_REASON_BAD_TOKEN);

    assert_false(verify(creds, NOW + 20, cred.id, cred.secret, cred.token, &failure));
    assert_int_equal(failure.status, 401);
    assert_string_equal(failure.code, "SecurityTokenExpired");
    assert_int_equal(failure.reason, EMU_AUTH_REASON_EXPIRED);
    /* Expiry is reported even when the signature would not match. */
    assert_false(verify(creds, NOW + 20, cred.id, "wrong", cred.token, &failure));
    assert_string_equal(failure.code, "SecurityTokenExpired");
    assert_false(verify(creds, NOW + 19, cred.id, "wrong", cred.token, &failure));
    assert_string_equal(failure.code, "SignatureNotMatch");

    assert_false(verify(creds, NOW, "STS.unknown", cred.secret, cred.token, &failure));
    assert_string_equal(failure.code, "InvalidAccessKeyId");
    assert_int_equal(failure.reason, EMU_AUTH_REASON_UNKNOWN_KEY);
    emu_creds_free(creds);
}

static void *hammer(void *arg)
{
    struct emu_creds *creds = arg;
    struct emu_issued cred, found;
    char token[48];
    for (int i = 0; i < 2000; i++) {
        emu_creds_issue(creds, (enum emu_cred_kind)(i % 3), 60, NOW, &cred);
        assert_int_equal(emu_creds_find(creds, cred.id, strlen(cred.id), NOW, &found),
                         EMU_CRED_VALID);
        emu_creds_ecs_current(creds, NOW + i, &found);
        emu_creds_metadata_token(creds, 10, NOW, token);
        emu_creds_count_refusal(creds, EMU_CRED_REFUSED_EXPIRED);
    }
    return NULL;
}

static void concurrent_use(void **state)
{
    (void)state;
    struct emu_creds *creds = make(0);
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        pthread_create(&threads[i], NULL, hammer, creds);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    json_t *stats = emu_creds_stats_json(creds, NOW);
    json_t *refused = json_object_get(json_object_get(stats, "refused"), "expired");
    assert_int_equal(json_integer_value(refused), 8000);
    assert_int_equal(json_integer_value(json_object_get(stats, "remembered")),
                     EMU_CREDS_REMEMBERED);
    json_decref(stats);
    emu_creds_free(creds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(issue_find_expire),
        cmocka_unit_test(oldest_is_forgotten),
        cmocka_unit_test(ecs_credentials_rotate_at_half_life),
        cmocka_unit_test(metadata_tokens_expire),
        cmocka_unit_test(sls_checks_token_then_expiry),
        cmocka_unit_test(concurrent_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
