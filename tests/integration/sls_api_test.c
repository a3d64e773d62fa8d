/* The SLS library (src/sls) against the SLS emulator: two independent implementations of the
 * protocol checking each other. Every consumer API, both signature versions, STS, each
 * compression, refusals (tampered signature, skewed clock, wrong token), consumer-group
 * assignment, quota, checkpoint ownership, faults, split with order, retention. */
#include "sf_test.h"

#include <unistd.h>

#include "sls/sls_api.h"
#include "spawn.h"

#define ID     "it-id"
#define SECRET "it-secret-0123456789"
#define TOKEN  "CAIS-it-token=="

struct emulator {
    struct tool_proc proc;
    int port;
    char base[64];
};

static struct emulator emu;

static void emulator_start(const char *const *extra)
{
    const char *bin = getenv("SF_EMULATOR");
    assert_non_null(bin);
    const char *argv[64] = {bin,
                            "--listen",
                            "127.0.0.1:0",
                            "--access-key",
                            ID ":" SECRET,
                            "--access-key",
                            "sts-id:sts-secret:" TOKEN,
                            "--quiet",
                            "--project",
                            "demo",
                            "--logstore",
                            "nginx",
                            "--shards",
                            "4",
                            "--generate",
                            "nginx:4000",
                            "--logstore",
                            "audit",
                            "--shards",
                            "2",
                            "--generate",
                            "actiontrail:500"};
    size_t n = 22;
    for (size_t i = 0; extra && extra[i]; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    assert_true(tool_spawn(argv, "sls-emulator", -1, &emu.proc));
    emu.port = emu.proc.port;
    snprintf(emu.base, sizeof(emu.base), "http://127.0.0.1:%d", emu.port);
}

static void emulator_stop(void)
{
    tool_stop(&emu.proc);
}

static int setup(void **state)
{
    (void)state;
    emulator_start(NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    emulator_stop();
    return 0;
}

static struct sf_sls_client *
client(const char *id, const char *secret, const char *token, int version)
{
    struct sf_sls_client_config config = {.endpoint = emu.base,
                                          .project = "demo",
                                          .creds = {id, secret, token},
                                          .sign_version = version,
                                          .region = "cn-hangzhou",
                                          .timeout_ms = 10000};
    struct sf_sls_client *sls = NULL;
    char errbuf[256];
    SF_CHECK_ERR(sf_sls_client_new(&config, &sls, errbuf, sizeof(errbuf)), SF_OK);
    return sls;
}

/* Reads a shard to its end; returns logs read. */
static size_t read_shard(struct sf_sls_client *sls,
                         const char *logstore,
                         int shard,
                         enum sf_compress compress,
                         int count)
{
    char cursor[SF_SLS_CURSOR_MAX];
    struct sf_sls_error detail;
    SF_CHECK_ERR(sf_sls_get_cursor(sls, logstore, shard, "begin", cursor, &detail), SF_OK);
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 64 << 20, 64 << 20);
    size_t logs = 0;
    for (;;) {
        sf_err err =
            sf_sls_pull(sls, logstore, shard, cursor, count, NULL, NULL, compress, &res, &detail);
        if (err) {
            char text[512];
            fail_msg("%s", sf_sls_error_format(&detail, err, text, sizeof(text)));
        }
        logs += res.list.n_logs_total;
        if (strcmp(res.next_cursor, cursor) == 0) {
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", res.next_cursor);
    }
    sf_sls_pull_result_cleanup(&res);
    return logs;
}

static void every_compression_reads_every_log_with_both_signatures(void **state)
{
    (void)state;
    const enum sf_compress kinds[] = {SF_COMPRESS_LZ4, SF_COMPRESS_ZSTD, SF_COMPRESS_DEFLATE,
                                      SF_COMPRESS_NONE};
    for (int version = 1; version <= 4; version += 3) {
        struct sf_sls_client *sls = client(ID, SECRET, NULL, version);
        for (size_t k = 0; k < 4; k++) {
            size_t logs = 0;
            for (int shard = 0; shard < 4; shard++) {
                logs += read_shard(sls, "nginx", shard, kinds[k], k == 3 ? 3 : 1000);
            }
            assert_int_equal(logs, 4000);
        }
        sf_sls_client_free(sls);
    }
    struct sf_sls_client *sts = client("sts-id", "sts-secret", TOKEN, 1);
    assert_int_equal(read_shard(sts, "audit", 0, SF_COMPRESS_LZ4, 1000) +
                         read_shard(sts, "audit", 1, SF_COMPRESS_LZ4, 1000),
                     500);
    sf_sls_client_free(sts);
}

static void wrong_credentials_are_refused_with_the_service_codes(void **state)
{
    (void)state;
    struct sf_sls_error detail;
    char cursor[SF_SLS_CURSOR_MAX];
    struct sf_sls_client *bad = client(ID, "wrong-secret", NULL, 1);
    SF_CHECK_ERR(sf_sls_get_cursor(bad, "nginx", 0, "begin", cursor, &detail), SF_ERR_AUTH);
    assert_string_equal(detail.code, "SignatureNotMatch");
    assert_true(detail.request_id[0] != '\0');
    sf_sls_client_free(bad);
    bad = client(ID, "wrong-secret", NULL, 4);
    SF_CHECK_ERR(sf_sls_get_cursor(bad, "nginx", 0, "begin", cursor, &detail), SF_ERR_AUTH);
    sf_sls_client_free(bad);
    bad = client("sts-id", "sts-secret", "CAIS-expired", 1);
    sf_err err = sf_sls_get_cursor(bad, "nginx", 0, "begin", cursor, &detail);
    assert_true(err == SF_ERR_AUTH_EXPIRED || err == SF_ERR_AUTH);
    sf_sls_client_free(bad);
    bad = client("nobody", SECRET, NULL, 1);
    SF_CHECK_ERR(sf_sls_get_cursor(bad, "nginx", 0, "begin", cursor, &detail), SF_ERR_AUTH);
    sf_sls_client_free(bad);
    struct sf_sls_client *sls = client(ID, SECRET, NULL, 1);
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "missing", 0, "begin", cursor, &detail), SF_ERR_NOT_FOUND);
    assert_string_equal(detail.code, "LogStoreNotExist");
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "nginx", 0, "soon", cursor, &detail), SF_ERR_CLIENT_BUG);
    struct sf_sls_pull_result res;
    sf_sls_pull_result_init(&res, 1 << 20, 1 << 20);
    SF_CHECK_ERR(sf_sls_pull(sls, "nginx", 0, "bm90LWEtY3Vyc29y", 10, NULL, NULL, SF_COMPRESS_LZ4,
                             &res, &detail),
                 SF_ERR_SLS_CURSOR);
    sf_sls_pull_result_cleanup(&res);
    sf_sls_client_free(sls);
}

static void consumer_groups_assign_balance_and_guard_checkpoints(void **state)
{
    (void)state;
    struct sf_sls_error detail;
    struct sf_sls_client *sls = client(ID, SECRET, NULL, 1);
    SF_CHECK_ERR(sf_sls_create_group(sls, "nginx", "cg", 6, false, &detail), SF_OK);
    SF_CHECK_ERR(sf_sls_create_group(sls, "nginx", "cg", 6, false, &detail),
                 SF_ERR_SLS_GROUP_EXISTS);
    SF_CHECK_ERR(sf_sls_update_group(sls, "nginx", "cg", 8, false, &detail), SF_OK);
    struct sf_sls_group *groups = NULL;
    size_t n = 0;
    SF_CHECK_ERR(sf_sls_list_groups(sls, "nginx", &groups, &n, &detail), SF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(groups[0].timeout_s, 8);
    free(groups);

    /* A non-empty first heartbeat is refused (docs/protocol/sls-consumer-group.md §Heartbeat). */
    int held[4] = {0};
    int *a = NULL, *b = NULL;
    size_t n_a = 0, n_b = 0;
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-a", held, 1, &a, &n_a, &detail),
                 SF_ERR_SLS_CONSUMER_GONE);
    assert_string_equal(detail.code, "NotExistConsumerWithBody");
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-a", NULL, 0, &a, &n_a, &detail), SF_OK);
    assert_int_equal(n_a, 4);
    /* A second consumer: two shards go to transfer, and move once c-a stops reporting them. */
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-b", NULL, 0, &b, &n_b, &detail), SF_OK);
    free(b);
    free(a);
    SF_CHECK_ERR(
        sf_sls_heartbeat(sls, "nginx", "cg", "c-a", (int[]){0, 1, 2, 3}, 4, &a, &n_a, &detail),
        SF_OK);
    assert_int_equal(n_a, 2);
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-a", a, n_a, &b, &n_b, &detail), SF_OK);
    free(b);
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-b", NULL, 0, &b, &n_b, &detail), SF_OK);
    assert_int_equal(n_b, 2);

    /* Checkpoints: only the owner commits (an admin reset without a consumer name aside). */
    char cursor[SF_SLS_CURSOR_MAX];
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "nginx", b[0], "end", cursor, &detail), SF_OK);
    SF_CHECK_ERR(sf_sls_update_checkpoint(sls, "nginx", "cg", "c-b", b[0], cursor, &detail), SF_OK);
    SF_CHECK_ERR(sf_sls_update_checkpoint(sls, "nginx", "cg", "c-a", b[0], cursor, &detail),
                 SF_ERR_SLS_NOT_OWNER);
    SF_CHECK_ERR(sf_sls_update_checkpoint(sls, "nginx", "cg", "c-gone", b[0], cursor, &detail),
                 SF_ERR_SLS_CONSUMER_GONE);
    SF_CHECK_ERR(sf_sls_update_checkpoint(sls, "nginx", "cg", NULL, b[0], cursor, &detail), SF_OK);
    SF_CHECK_ERR(sf_sls_update_checkpoint(sls, "nginx", "cg", "c-b", b[0], "%%%", &detail),
                 SF_ERR_SLS_BAD_CHECKPOINT);
    struct sf_sls_checkpoint *cps = NULL;
    SF_CHECK_ERR(sf_sls_get_checkpoints(sls, "nginx", "cg", b[0], &cps, &n, &detail), SF_OK);
    assert_int_equal(n, 1);
    assert_string_equal(cps[0].cursor, cursor);
    assert_string_equal(cps[0].consumer, ""); /* the last commit was the admin reset */
    free(cps);
    free(a);
    free(b);

    /* Expiry: c-b stops; after the 8 s timeout c-a gets everything back. */
    sleep(9);
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-a", NULL, 0, &a, &n_a, &detail), SF_OK);
    free(a);
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-b", (int[]){0}, 1, &b, &n_b, &detail),
                 SF_ERR_SLS_CONSUMER_GONE);
    SF_CHECK_ERR(sf_sls_delete_group(sls, "nginx", "cg", &detail), SF_OK);
    SF_CHECK_ERR(sf_sls_heartbeat(sls, "nginx", "cg", "c-a", NULL, 0, &a, &n_a, &detail),
                 SF_ERR_SLS_GROUP_GONE);
    sf_sls_client_free(sls);
}

static void the_group_quota_is_thirty(void **state)
{
    (void)state;
    struct sf_sls_error detail;
    struct sf_sls_client *sls = client(ID, SECRET, NULL, 1);
    char name[32];
    for (int i = 0; i < 30; i++) {
        snprintf(name, sizeof(name), "q%02d", i);
        SF_CHECK_ERR(sf_sls_create_group(sls, "audit", name, 60, false, &detail), SF_OK);
    }
    SF_CHECK_ERR(sf_sls_create_group(sls, "audit", "q30", 60, false, &detail),
                 SF_ERR_SLS_GROUP_QUOTA);
    for (int i = 0; i < 30; i++) {
        snprintf(name, sizeof(name), "q%02d", i);
        SF_CHECK_ERR(sf_sls_delete_group(sls, "audit", name, &detail), SF_OK);
    }
    sf_sls_client_free(sls);
}

static void list_shards_and_cursor_times(void **state)
{
    (void)state;
    struct sf_sls_error detail;
    struct sf_sls_client *sls = client(ID, SECRET, NULL, 4);
    struct sf_sls_shard *shards = NULL;
    size_t n = 0;
    SF_CHECK_ERR(sf_sls_list_shards(sls, "nginx", &shards, &n, &detail), SF_OK);
    assert_int_equal(n, 4);
    assert_false(shards[0].is_readonly);
    free(shards);
    char begin[SF_SLS_CURSOR_MAX], end[SF_SLS_CURSOR_MAX], mid[SF_SLS_CURSOR_MAX];
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "nginx", 1, "begin", begin, &detail), SF_OK);
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "nginx", 1, "end", end, &detail), SF_OK);
    assert_string_not_equal(begin, end);
    long long t_begin = 0, t_end = 0;
    SF_CHECK_ERR(sf_sls_get_cursor_time(sls, "nginx", 1, begin, &t_begin, &detail), SF_OK);
    SF_CHECK_ERR(sf_sls_get_cursor_time(sls, "nginx", 1, end, &t_end, &detail), SF_OK);
    assert_true(t_begin <= t_end && t_end <= (long long)time(NULL));
    char from[24];
    snprintf(from, sizeof(from), "%lld", (t_begin + t_end) / 2);
    SF_CHECK_ERR(sf_sls_get_cursor(sls, "nginx", 1, from, mid, &detail), SF_OK);
    sf_sls_client_free(sls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_compression_reads_every_log_with_both_signatures,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_credentials_are_refused_with_the_service_codes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(consumer_groups_assign_balance_and_guard_checkpoints, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_group_quota_is_thirty, setup, teardown),
        cmocka_unit_test_setup_teardown(list_shards_and_cursor_times, setup, teardown),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
