/* Consumer-group assignment (docs/protocol/sls-consumer-group.md §Model to
 * §Order, split and merge): balance, the transfer hand-off, expiry, the first-heartbeat rule, and
 * `order` across a split. Drives assign.c directly with a clock the test controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "cursor.h"
#include "store.h"
#include "util/alloc.h"

struct fixture {
    struct emu_server srv;
    struct emu_logstore *ls;
    struct emu_group *group;
};

static struct fixture *fixture_new(int n_shards, bool in_order)
{
    struct fixture *f = sf_xcalloc(1, sizeof(*f));
    struct emu_server_options opts = {.is_no_auth = true, .cache_bytes = 1 << 20};
    const char *why = NULL;
    emu_server_init(&f->srv, &opts);
    struct emu_project *project = emu_store_add_project(&f->srv, "p", &why);
    f->ls = emu_store_add_logstore(&f->srv, project, "l", n_shards, &why);
    f->group = sf_xcalloc(1, sizeof(*f->group));
    snprintf(f->group->name, sizeof(f->group->name), "cg");
    f->group->timeout_s = 10;
    f->group->in_order = in_order;
    for (int s = 0; s < EMU_MAX_SHARDS; s++) {
        f->group->shards[s].owner = -1;
    }
    f->ls->groups[f->ls->n_groups++] = f->group;
    return f;
}

static void fixture_free(struct fixture *f)
{
    emu_server_cleanup(&f->srv);
    free(f);
}

/* One heartbeat; returns the answer as "0,1,2" for easy asserts. */
static const char *beat(struct fixture *f, const char *consumer, const char *held, int64_t now_ms)
{
    static char text[256];
    int in[EMU_MAX_SHARDS], out[EMU_MAX_SHARDS];
    size_t n_in = 0, n_out = 0;
    for (const char *p = held; *p;) {
        in[n_in++] = (int)strtol(p, (char **)&p, 10);
        p += *p == ',';
    }
    enum emu_heartbeat_result rc =
        emu_assign_heartbeat(f->ls, f->group, consumer, in, n_in, now_ms, out, &n_out);
    if (rc != EMU_HEARTBEAT_OK) {
        return "error";
    }
    text[0] = '\0';
    for (size_t i = 0; i < n_out; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, "%s%d", i ? "," : "", out[i]);
    }
    return text;
}

static void one_consumer_gets_every_shard(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(4, false);
    assert_string_equal(beat(f, "c1", "", 0), "0,1,2,3");
    assert_string_equal(beat(f, "c1", "0,1,2,3", 1000), "0,1,2,3");
    fixture_free(f);
}

static void first_heartbeat_must_be_empty(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(2, false);
    assert_string_equal(beat(f, "c1", "0", 0), "error");
    assert_string_equal(beat(f, "c1", "", 0), "0,1");
    fixture_free(f);
}

static void second_consumer_waits_for_the_hand_off(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(4, false);
    assert_string_equal(beat(f, "c1", "", 0), "0,1,2,3");
    /* c2 joins: c1's surplus goes to transfer, nobody owns it twice. */
    assert_string_equal(beat(f, "c2", "", 100), "");
    assert_string_equal(emu_assign_state_name(emu_assign_state(f->ls, f->group, 3)), "transfer");
    /* c1 still reports 2 and 3 (its workers are shutting down): they stay with it. */
    assert_string_equal(beat(f, "c1", "0,1,2,3", 200), "0,1");
    assert_string_equal(beat(f, "c2", "", 300), "");
    /* c1 stops reporting them: hand-off completes, c2 gets them at its next beat. */
    assert_string_equal(beat(f, "c1", "0,1", 400), "0,1");
    assert_string_equal(beat(f, "c2", "", 500), "2,3");
    assert_string_equal(beat(f, "c1", "0,1", 600), "0,1");
    fixture_free(f);
}

static void five_consumers_differ_by_at_most_one(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(12, false);
    char held[5][256] = {{0}};
    const char *names[] = {"c1", "c2", "c3", "c4", "c5"};
    for (int round = 0; round < 6; round++) {
        for (int c = 0; c < 5; c++) {
            const char *got = beat(f, names[c], held[c], round * 1000 + c);
            snprintf(held[c], sizeof(held[c]), "%s", got);
        }
    }
    int owners[12];
    memset(owners, 0, sizeof(owners));
    int min = 99, max = 0;
    for (int c = 0; c < 5; c++) {
        int n = 0;
        for (const char *p = held[c]; *p;) {
            owners[strtol(p, (char **)&p, 10)]++;
            p += *p == ',';
            n++;
        }
        min = n < min ? n : min;
        max = n > max ? n : max;
    }
    assert_true(max - min <= 1);
    for (int s = 0; s < 12; s++) {
        assert_int_equal(owners[s], 1);
    }
    fixture_free(f);
}

static void silent_consumer_expires_after_timeout(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(2, false);
    beat(f, "c1", "", 0);
    beat(f, "c2", "", 0);
    beat(f, "c1", "0,1", 100);
    assert_string_equal(beat(f, "c1", "0", 200), "0");
    assert_string_equal(beat(f, "c2", "", 300), "1");
    /* c2 goes silent; 10 s later it is forgotten and its shard moves to c1. */
    assert_string_equal(beat(f, "c1", "0", 9000), "0");
    assert_string_equal(beat(f, "c1", "0", 10301), "0,1");
    /* Back from the dead with a non-empty list: NotExistConsumerWithBody. */
    assert_string_equal(beat(f, "c2", "1", 10400), "error");
    fixture_free(f);
}

/* An empty heartbeat is a heartbeat like any other: the consumer stays alive and keeps its
 * shards. Only silence for the group timeout frees them (no SDK sends [] to leave). */
static void empty_heartbeat_does_not_hand_shards_back(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(2, false);
    beat(f, "c1", "", 0);
    beat(f, "c2", "", 0);
    beat(f, "c1", "0,1", 100);
    assert_string_equal(beat(f, "c1", "0", 200), "0");
    assert_string_equal(beat(f, "c2", "", 300), "1");
    assert_string_equal(beat(f, "c1", "", 400), "0");
    assert_string_equal(beat(f, "c2", "1", 500), "1");
    assert_string_equal(emu_assign_state_name(emu_assign_state(f->ls, f->group, 0)),
                        "already_alloc");
    /* c1 goes silent after its []: c2 gets shard 0 once the 10 s timeout has passed. */
    assert_string_equal(beat(f, "c2", "1", 9000), "1");
    assert_string_equal(beat(f, "c2", "1", 10401), "0,1");
    fixture_free(f);
}

/* forceSuccess=true commits whoever holds the shard; otherwise (false or absent) only its
 * owner may, and a commit without a consumer name must be forced. */
static void only_a_forced_commit_skips_the_ownership_check(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(2, false);
    beat(f, "c1", "", 0);
    beat(f, "c2", "", 0);
    beat(f, "c1", "0,1", 100);
    beat(f, "c1", "0", 200);
    assert_string_equal(beat(f, "c2", "", 300), "1");
    assert_int_equal(emu_assign_may_commit(f->group, "c1", 0, false), EMU_COMMIT_OK);
    assert_int_equal(emu_assign_may_commit(f->group, "c1", 1, false), EMU_COMMIT_NOT_MATCH);
    assert_int_equal(emu_assign_may_commit(f->group, "c1", 1, true), EMU_COMMIT_OK);
    assert_int_equal(emu_assign_may_commit(f->group, "ghost", 1, false),
                     EMU_COMMIT_CONSUMER_NOT_EXIST);
    assert_int_equal(emu_assign_may_commit(f->group, "ghost", 1, true), EMU_COMMIT_OK);
    assert_int_equal(emu_assign_may_commit(f->group, "", 1, false), EMU_COMMIT_NEED_CONSUMER);
    assert_int_equal(emu_assign_may_commit(f->group, "", 1, true), EMU_COMMIT_OK);
    fixture_free(f);
}

static void commit_end(struct fixture *f, int shard_id)
{
    snprintf(f->group->shards[shard_id].checkpoint, EMU_CURSOR_MAX + 1, "x");
    emu_cursor_encode(emu_shard_end_seq(f->ls->shards[shard_id]),
                      f->group->shards[shard_id].checkpoint);
}

static void ordered_children_wait_until_parent_is_over(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(1, true);
    emu_store_append(f->ls->shards[0], emu_lg_new((const uint8_t *)"", 0, 1, 0));
    assert_string_equal(beat(f, "c1", "", 0), "0");
    int children[2];
    const char *why;
    assert_true(emu_store_split(&f->srv, f->ls, 0, NULL, children, &why));
    assert_string_equal(beat(f, "c1", "0", 100), "0");
    assert_string_equal(emu_assign_state_name(emu_assign_state(f->ls, f->group, 1)), "wait");
    commit_end(f, 0);
    assert_string_equal(emu_assign_state_name(emu_assign_state(f->ls, f->group, 0)), "over");
    assert_string_equal(beat(f, "c1", "0", 200), "1,2");
    /* Moving the checkpoint back re-opens the parent (and the children wait again). */
    emu_cursor_encode(f->ls->shards[0]->first_seq, f->group->shards[0].checkpoint);
    assert_string_equal(beat(f, "c1", "1,2", 300), "0");
    fixture_free(f);
}

static void unordered_children_are_assigned_at_once(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(1, false);
    assert_string_equal(beat(f, "c1", "", 0), "0");
    int children[2];
    const char *why;
    assert_true(emu_store_split(&f->srv, f->ls, 0, NULL, children, &why));
    assert_string_equal(beat(f, "c1", "0", 100), "0,1,2");
    fixture_free(f);
}

/* A heartbeat of |consumer| holding held[0..*n) (its answer replaces it); false on error. */
static bool beat_ids(struct fixture *f, const char *consumer, int *held, size_t *n, int64_t now)
{
    int out[EMU_MAX_SHARDS];
    size_t n_out = 0;
    if (emu_assign_heartbeat(f->ls, f->group, consumer, held, *n, now, out, &n_out) !=
        EMU_HEARTBEAT_OK) {
        return false;
    }
    memcpy(held, out, n_out * sizeof(int));
    *n = n_out;
    return true;
}

/* Eight consumers on 256 shards (issue 13): 32 each, every shard owned once; one goes silent
 * and its 32 are spread over the other seven (36 or 37 each). */
static void eight_consumers_share_256_shards(void **state)
{
    (void)state;
    enum { N_SHARDS = 256, N_CONSUMERS = 8 };
    struct fixture *f = fixture_new(N_SHARDS, false);
    assert_non_null(f->ls);
    assert_int_equal(f->ls->n_shards, N_SHARDS);
    static int held[N_CONSUMERS][EMU_MAX_SHARDS];
    size_t n_held[N_CONSUMERS] = {0};
    char names[N_CONSUMERS][8];
    for (int c = 0; c < N_CONSUMERS; c++) {
        snprintf(names[c], sizeof(names[c]), "c%d", c);
    }
    int64_t now = 0;
    for (int round = 0; round < 4; round++) {
        for (int c = 0; c < N_CONSUMERS; c++) {
            assert_true(beat_ids(f, names[c], held[c], &n_held[c], now += 10));
        }
    }
    int owners[N_SHARDS] = {0};
    for (int c = 0; c < N_CONSUMERS; c++) {
        assert_int_equal(n_held[c], N_SHARDS / N_CONSUMERS);
        for (size_t i = 0; i < n_held[c]; i++) {
            owners[held[c][i]]++;
        }
    }
    for (int s = 0; s < N_SHARDS; s++) {
        assert_int_equal(owners[s], 1);
    }
    /* c7 falls silent: the others beat every 3 s and take its shards after the 10 s timeout. */
    for (int round = 0; round < 6; round++) {
        now += 3000;
        for (int c = 0; c < N_CONSUMERS - 1; c++) {
            assert_true(beat_ids(f, names[c], held[c], &n_held[c], now += 10));
        }
    }
    memset(owners, 0, sizeof(owners));
    for (int c = 0; c < N_CONSUMERS - 1; c++) {
        assert_true(n_held[c] == 36 || n_held[c] == 37);
        for (size_t i = 0; i < n_held[c]; i++) {
            owners[held[c][i]]++;
        }
    }
    for (int s = 0; s < N_SHARDS; s++) {
        assert_int_equal(owners[s], 1);
    }
    fixture_free(f);
}

/* The service limits shards per project (400, up to 800 on request), so a logstore is created
 * with 1..800; several large logstores fit in one project; splits go on until the logstore
 * has used EMU_MAX_SHARDS ids. */
static void shard_count_limits(void **state)
{
    (void)state;
    struct emu_server srv;
    struct emu_server_options opts = {.is_no_auth = true, .cache_bytes = 1 << 20};
    const char *why = NULL;
    emu_server_init(&srv, &opts);
    struct emu_project *project = emu_store_add_project(&srv, "p", &why);
    assert_null(emu_store_add_logstore(&srv, project, "zero", 0, &why));
    assert_null(emu_store_add_logstore(&srv, project, "over", 801, &why));
    struct emu_logstore *big = emu_store_add_logstore(&srv, project, "big", 800, &why);
    assert_non_null(big);
    assert_int_equal(big->n_shards, 800);
    assert_string_equal(big->shards[big->n_shards - 1]->end_key,
                        "ffffffffffffffffffffffffffffffff");
    for (int i = 0; i < 3; i++) {
        char name[8];
        snprintf(name, sizeof(name), "ls%d", i);
        struct emu_logstore *ls = emu_store_add_logstore(&srv, project, name, 256, &why);
        assert_non_null(ls);
        assert_int_equal(ls->n_shards, 256);
    }
    int children[2];
    int splits = 0;
    while (emu_store_split(&srv, big, splits, NULL, children, &why)) {
        splits++;
    }
    assert_int_equal(big->n_shards, 800 + 2 * splits);
    assert_true(big->n_shards > EMU_MAX_SHARDS - 2);
    assert_string_equal(why, "logstore has too many shards");
    emu_server_cleanup(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_consumer_gets_every_shard),
        cmocka_unit_test(first_heartbeat_must_be_empty),
        cmocka_unit_test(second_consumer_waits_for_the_hand_off),
        cmocka_unit_test(five_consumers_differ_by_at_most_one),
        cmocka_unit_test(silent_consumer_expires_after_timeout),
        cmocka_unit_test(empty_heartbeat_does_not_hand_shards_back),
        cmocka_unit_test(only_a_forced_commit_skips_the_ownership_check),
        cmocka_unit_test(ordered_children_wait_until_parent_is_over),
        cmocka_unit_test(unordered_children_are_assigned_at_once),
        cmocka_unit_test(eight_consumers_share_256_shards),
        cmocka_unit_test(shard_count_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
