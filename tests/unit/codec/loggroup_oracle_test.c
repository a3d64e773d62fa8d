/* sf_loggroup_decode against protobuf-c, the reference encoder and decoder: random LogGroupLists
 * packed by protobuf-c must decode field for field, and so must the golden .pb files. */
#include "sf_test.h"

#include "codec/loggroup.h"
#include "sls_logs.pb-c.h"
#include "util/alloc.h"
#include "util/arena.h"

#include "util/banned.h" /* last: poisons what the project does not use */

/* splitmix64: deterministic, so a failure reproduces from its iteration number. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng_next() % n);
}

/* protobuf-c packs strings with strlen, so bytes are 1..255: ASCII, UTF-8 lead and continuation
 * bytes, and invalid sequences alike. Lengths cross the 1-, 2- and 3-byte varint boundaries. */
static char *random_string(struct sf_arena *arena)
{
    static const size_t lens[] = {0, 1, 5, 20, 127, 128, 300, 16384};
    size_t len = rng_below(32) ? rng_below(24) : lens[rng_below(sizeof(lens) / sizeof(lens[0]))];
    char *s = sf_arena_alloc(arena, len + 1);
    bool ascii = rng_below(2);
    for (size_t i = 0; i < len; i++) {
        s[i] = (char)(ascii ? 32 + rng_below(95) : 1 + rng_below(255));
    }
    s[len] = '\0';
    return s;
}

static char *maybe_string(struct sf_arena *arena)
{
    return rng_below(3) ? random_string(arena) : NULL;
}

static void *arena_array(struct sf_arena *arena, size_t n, size_t size)
{
    return n ? sf_arena_alloc(arena, n * size) : NULL;
}

static Log *random_log(struct sf_arena *arena)
{
    Log *log = sf_arena_alloc(arena, sizeof(*log));
    log__init(log);
    static const uint32_t times[] = {0, 1, 127, 128, 1749542400, UINT32_MAX};
    log->time = rng_below(2) ? (uint32_t)rng_next() : times[rng_below(6)];
    log->has_time_ns = rng_below(2);
    log->time_ns = log->has_time_ns ? (uint32_t)rng_next() : 0;
    log->n_contents = rng_below(5) ? rng_below(20) : 0;
    log->contents = arena_array(arena, log->n_contents, sizeof(*log->contents));
    for (size_t i = 0; i < log->n_contents; i++) {
        Log__Content *c = sf_arena_alloc(arena, sizeof(*c));
        log__content__init(c);
        c->key = random_string(arena);
        c->value = random_string(arena);
        log->contents[i] = c;
    }
    return log;
}

static LogGroup *random_group(struct sf_arena *arena)
{
    LogGroup *group = sf_arena_alloc(arena, sizeof(*group));
    log_group__init(group);
    group->reserved = maybe_string(arena);
    group->topic = maybe_string(arena);
    group->source = maybe_string(arena);
    group->machineuuid = maybe_string(arena);
    group->n_logs = rng_below(25);
    group->logs = arena_array(arena, group->n_logs, sizeof(*group->logs));
    for (size_t i = 0; i < group->n_logs; i++) {
        group->logs[i] = random_log(arena);
    }
    group->n_logtags = rng_below(6);
    group->logtags = arena_array(arena, group->n_logtags, sizeof(*group->logtags));
    for (size_t i = 0; i < group->n_logtags; i++) {
        LogTag *t = sf_arena_alloc(arena, sizeof(*t));
        log_tag__init(t);
        t->key = random_string(arena);
        t->value = random_string(arena);
        group->logtags[i] = t;
    }
    return group;
}

/* protobuf-c strings stop at the first NUL; ours carry the exact wire length. They agree when
 * ours starts with protobuf-c's string and, if longer, continues with that NUL. A NULL (absent)
 * string matches only an empty view. */
static void assert_same_str(struct sf_str s, const char *pbc)
{
    if (pbc == NULL) {
        assert_int_equal(s.len, 0);
        return;
    }
    size_t n = strlen(pbc);
    if (n > s.len || memcmp(s.ptr, pbc, n) != 0 || (n < s.len && s.ptr[n] != '\0')) {
        fail_msg("got \"%.*s\" (%zu bytes), want \"%s\"", (int)s.len, s.ptr, s.len, pbc);
    }
}

static void assert_same_log(const struct sf_log *log, const Log *pbc)
{
    assert_int_equal(log->time, pbc->time);
    assert_int_equal(log->has_time_ns, !!pbc->has_time_ns);
    assert_int_equal(log->time_ns, pbc->has_time_ns ? pbc->time_ns : 0);
    assert_int_equal(log->n_contents, pbc->n_contents);
    for (size_t i = 0; i < log->n_contents; i++) {
        assert_same_str(log->contents[i].key, pbc->contents[i]->key);
        assert_same_str(log->contents[i].value, pbc->contents[i]->value);
    }
}

static void assert_same_list(const struct sf_loggroup_list *list, const LogGroupList *pbc)
{
    size_t n_logs = 0;
    assert_int_equal(list->n_groups, pbc->n_loggroups);
    for (size_t g = 0; g < list->n_groups; g++) {
        const struct sf_loggroup *group = &list->groups[g];
        const LogGroup *want = pbc->loggroups[g];
        assert_same_str(group->topic, want->topic);
        assert_same_str(group->source, want->source);
        assert_same_str(group->machine_uuid, want->machineuuid);
        assert_int_equal(group->n_tags, want->n_logtags);
        for (size_t i = 0; i < group->n_tags; i++) {
            assert_same_str(group->tags[i].key, want->logtags[i]->key);
            assert_same_str(group->tags[i].value, want->logtags[i]->value);
        }
        assert_int_equal(group->n_logs, want->n_logs);
        for (size_t i = 0; i < group->n_logs; i++) {
            assert_same_log(&group->logs[i], want->logs[i]);
        }
        n_logs += want->n_logs;
    }
    assert_int_equal(list->n_logs_total, n_logs);
}

static void random_lists_packed_by_protobuf_c_decode_field_for_field(void **state)
{
    (void)state;
    struct sf_arena gen, dec;
    sf_arena_init(&gen, 1 << 20);
    sf_arena_init(&dec, 1 << 16);
    rng_state = 20250610;
    for (int iter = 0; iter < 1500; iter++) {
        LogGroupList list = LOG_GROUP_LIST__INIT;
        list.n_loggroups = rng_below(5);
        list.loggroups = arena_array(&gen, list.n_loggroups, sizeof(*list.loggroups));
        for (size_t i = 0; i < list.n_loggroups; i++) {
            list.loggroups[i] = random_group(&gen);
        }
        size_t len = log_group_list__get_packed_size(&list);
        uint8_t *packed = sf_xmalloc(len ? len : 1); /* exact size: ASan sees overreads */
        assert_int_equal(log_group_list__pack(&list, packed), len);
        struct sf_loggroup_list out;
        sf_err err = sf_loggroup_decode(packed, len, &dec, &out);
        if (err != SF_OK) {
            fail_msg("iteration %d: %s", iter, sf_err_name(err));
        }
        sf_loggroup_list_assert_within(&out, packed, len);
        assert_same_list(&out, &list);
        free(packed);
        sf_arena_reset(&gen);
        sf_arena_reset(&dec);
    }
    sf_arena_cleanup(&gen);
    sf_arena_cleanup(&dec);
}

/* Groups of more Logs and LogTags than the decoder gathers on its stack (256 and 64) outgrow
 * it into the arena, once or several times: every Log and tag still arrives, in order. */
static void large_groups_decode_field_for_field(void **state)
{
    (void)state;
    static const size_t sizes[] = {255, 256, 257, 600, 2100};
    struct sf_arena gen, dec;
    sf_arena_init(&gen, 1 << 20);
    sf_arena_init(&dec, 1 << 16);
    rng_state = 7;
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        LogGroupList list = LOG_GROUP_LIST__INIT;
        list.n_loggroups = 2;
        list.loggroups = arena_array(&gen, 2, sizeof(*list.loggroups));
        for (size_t g = 0; g < 2; g++) {
            LogGroup *group = random_group(&gen);
            group->n_logs = sizes[k];
            group->logs = arena_array(&gen, group->n_logs, sizeof(*group->logs));
            for (size_t i = 0; i < group->n_logs; i++) {
                group->logs[i] = random_log(&gen);
            }
            group->n_logtags = sizes[k] / 4;
            group->logtags = arena_array(&gen, group->n_logtags, sizeof(*group->logtags));
            for (size_t i = 0; i < group->n_logtags; i++) {
                LogTag *t = sf_arena_alloc(&gen, sizeof(*t));
                log_tag__init(t);
                t->key = random_string(&gen);
                t->value = random_string(&gen);
                group->logtags[i] = t;
            }
            list.loggroups[g] = group;
        }
        size_t len = log_group_list__get_packed_size(&list);
        uint8_t *packed = sf_xmalloc(len);
        assert_int_equal(log_group_list__pack(&list, packed), len);
        struct sf_loggroup_list out;
        SF_CHECK_ERR(sf_loggroup_decode(packed, len, &dec, &out), SF_OK);
        sf_loggroup_list_assert_within(&out, packed, len);
        assert_same_list(&out, &list);
        free(packed);
        sf_arena_reset(&gen);
        sf_arena_reset(&dec);
    }
    sf_arena_cleanup(&gen);
    sf_arena_cleanup(&dec);
}

/* Bytes flipped at random: both decoders may reject, but when both accept they must agree.
 * (Acceptance may differ at the edges: protobuf-c truncates a Time above 32 bits, we reject it.) */
static void mutated_inputs_decode_alike_whenever_both_accept(void **state)
{
    (void)state;
    struct sf_arena gen, dec;
    sf_arena_init(&gen, 1 << 20);
    sf_arena_init(&dec, 1 << 16);
    rng_state = 42;
    size_t n_both = 0;
    for (int iter = 0; iter < 3000; iter++) {
        LogGroupList list = LOG_GROUP_LIST__INIT;
        list.n_loggroups = 1 + rng_below(2);
        list.loggroups = arena_array(&gen, list.n_loggroups, sizeof(*list.loggroups));
        for (size_t i = 0; i < list.n_loggroups; i++) {
            list.loggroups[i] = random_group(&gen);
        }
        size_t len = log_group_list__get_packed_size(&list);
        uint8_t *packed = sf_xmalloc(len ? len : 1);
        log_group_list__pack(&list, packed);
        for (size_t n_flips = 1 + rng_below(3); len && n_flips; n_flips--) {
            packed[rng_below(len)] ^= (uint8_t)(1u << rng_below(8));
        }
        struct sf_loggroup_list out;
        LogGroupList *pbc = log_group_list__unpack(NULL, len, packed);
        if (sf_loggroup_decode(packed, len, &dec, &out) == SF_OK && pbc != NULL) {
            sf_loggroup_list_assert_within(&out, packed, len);
            assert_same_list(&out, pbc);
            n_both++;
        }
        if (pbc) {
            log_group_list__free_unpacked(pbc, NULL);
        }
        free(packed);
        sf_arena_reset(&gen);
        sf_arena_reset(&dec);
    }
    assert_true(n_both > 100); /* the comparison did run */
    sf_arena_cleanup(&gen);
    sf_arena_cleanup(&dec);
}

static void check_golden(const char *name, size_t want_logs)
{
    const char *dir = getenv("SF_SHARED_TESTDATA");
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    size_t len;
    uint8_t *data = sf_test_read_file(path, &len);
    struct sf_arena arena;
    sf_arena_init(&arena, 1 << 16);
    struct sf_loggroup_list out;
    SF_CHECK_ERR(sf_loggroup_decode(data, len, &arena, &out), SF_OK);
    sf_loggroup_list_assert_within(&out, data, len);
    assert_int_equal(out.n_logs_total, want_logs);
    LogGroupList *pbc = log_group_list__unpack(NULL, len, data);
    assert_non_null(pbc);
    assert_same_list(&out, pbc);
    log_group_list__free_unpacked(pbc, NULL);
    sf_arena_cleanup(&arena);
    test_free(data);
}

static void golden_inputs_match_protobuf_c(void **state)
{
    (void)state;
    check_golden("edge.pb", 120);
    check_golden("nginx.pb", 1000);
    check_golden("actiontrail.pb", 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_lists_packed_by_protobuf_c_decode_field_for_field),
        cmocka_unit_test(large_groups_decode_field_for_field),
        cmocka_unit_test(mutated_inputs_decode_alike_whenever_both_accept),
        cmocka_unit_test(golden_inputs_match_protobuf_c),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
