/* sf_loggroup_decode on hand-made inputs: the vectors of docs/protocol/sls-loggroup.md, every
 * truncation, and each rule of the decoder contract (unknown fields, order, required fields,
 * malformed wire data). */
#include "sf_test.h"

#include "codec/loggroup.h"
#include "pbw.h"
#include "vectors.h"

#include "util/banned.h" /* last: poisons what the project does not use */

/* LogGroupList{LogGroup{Log{Time=1, Content{"lvl", "warn"}}}}, encoded by hand (tag bytes:
 * docs/protocol/sls-loggroup.md §Schema). */
static const uint8_t one_log[] = {
    0x0a, 0x11,                     /* LogGroupList.logGroupList: 17 bytes */
    0x0a, 0x0f,                     /* LogGroup.Logs: 15 bytes */
    0x08, 0x01,                     /* Log.Time = 1 */
    0x12, 0x0b,                     /* Log.Contents: 11 bytes */
    0x0a, 0x03, 'l', 'v', 'l',      /* Content.Key */
    0x12, 0x04, 'w', 'a', 'r', 'n', /* Content.Value */
};

struct fixture {
    struct sf_arena arena;
    struct sf_loggroup_list list;
};

static int setup(void **state)
{
    struct fixture *fx = test_calloc(1, sizeof(*fx));
    sf_arena_init(&fx->arena, 4096);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    sf_arena_cleanup(&fx->arena);
    test_free(fx);
    return 0;
}

static void assert_str(struct sf_str s, const char *want)
{
    if (!sf_str_eq_cstr(s, want)) {
        fail_msg("got \"%.*s\", want \"%s\"", (int)s.len, s.ptr, want);
    }
}

static void assert_kv(const struct sf_log_kv *kv, const char *key, const char *value)
{
    assert_str(kv->key, key);
    assert_str(kv->value, value);
}

static sf_err decode(struct fixture *fx, const uint8_t *data, size_t len)
{
    sf_err err = sf_loggroup_decode(data, len, &fx->arena, &fx->list);
    if (err == SF_OK) {
        sf_loggroup_list_assert_within(&fx->list, data, len);
    } else {
        assert_int_equal(fx->list.n_groups, 0);
        assert_null(fx->list.groups);
        assert_int_equal(fx->list.n_logs_total, 0);
    }
    return err;
}

static sf_err decode_w(struct fixture *fx, const struct pbw *w)
{
    return decode(fx, w->buf, w->len);
}

static void pb1_decodes_to_the_documented_values(void **state)
{
    struct fixture *fx = *state;
    size_t len;
    uint8_t *pb1 = sf_test_unhex(PB1_HEX, &len);
    assert_int_equal(len, 84);
    SF_CHECK_ERR(decode(fx, pb1, len), SF_OK);
    assert_int_equal(fx->list.n_groups, 1);
    assert_int_equal(fx->list.n_logs_total, 1);
    const struct sf_loggroup *g = &fx->list.groups[0];
    assert_str(g->topic, "nginx");
    assert_str(g->source, "10.0.0.1");
    assert_str(g->machine_uuid, "");
    assert_int_equal(g->n_tags, 1);
    assert_kv(&g->tags[0], "__hostname__", "web-1");
    assert_int_equal(g->n_logs, 1);
    const struct sf_log *log = &g->logs[0];
    assert_int_equal(log->time, 1749542400);
    assert_true(log->has_time_ns);
    assert_int_equal(log->time_ns, 123456789);
    assert_int_equal(log->n_contents, 2);
    assert_kv(&log->contents[0], "level", "INFO");
    assert_kv(&log->contents[1], "msg", "hello");
    test_free(pb1);
}

static void pb2_decodes_to_the_documented_values(void **state)
{
    struct fixture *fx = *state;
    size_t len;
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &len);
    assert_int_equal(len, 366);
    SF_CHECK_ERR(decode(fx, pb2, len), SF_OK);
    assert_int_equal(fx->list.n_groups, 1);
    assert_int_equal(fx->list.n_logs_total, 4);
    const struct sf_loggroup *g = &fx->list.groups[0];
    assert_str(g->topic, "nginx");
    assert_str(g->source, "10.0.0.1");
    assert_int_equal(g->n_tags, 2);
    assert_kv(&g->tags[0], "__hostname__", "web-1");
    assert_kv(&g->tags[1], "__path__", "/var/log/nginx/access.log");
    assert_int_equal(g->n_logs, 4);
    for (size_t i = 0; i < 4; i++) {
        const struct sf_log *log = &g->logs[i];
        char client[16];
        snprintf(client, sizeof(client), "10.0.0.%zu", i + 1);
        assert_int_equal(log->time, 1749542401 + i);
        assert_false(log->has_time_ns);
        assert_int_equal(log->time_ns, 0);
        assert_int_equal(log->n_contents, 3);
        assert_kv(&log->contents[0], "level", "INFO");
        assert_kv(&log->contents[1], "msg", "GET /index.html 200");
        assert_kv(&log->contents[2], "client", client);
    }
    test_free(pb2);
}

static void one_log_from_the_style_anchors_decodes(void **state)
{
    struct fixture *fx = *state;
    SF_CHECK_ERR(decode(fx, one_log, sizeof(one_log)), SF_OK);
    assert_int_equal(fx->list.n_groups, 1);
    const struct sf_loggroup *g = &fx->list.groups[0];
    assert_str(g->topic, "");
    assert_str(g->source, "");
    assert_int_equal(g->n_tags, 0);
    assert_null(g->tags);
    assert_int_equal(g->n_logs, 1);
    assert_int_equal(g->logs[0].time, 1);
    assert_int_equal(g->logs[0].n_contents, 1);
    assert_kv(&g->logs[0].contents[0], "lvl", "warn");
}

/* A prefix that ends exactly after a top-level LogGroup is itself a valid, shorter list; every
 * other proper prefix must be rejected. Each prefix is copied to an exact-size heap block so the
 * sanitizer build catches any read past it. */
static void check_every_prefix(struct fixture *fx, const uint8_t *data, size_t len)
{
    size_t boundaries[64];
    size_t n_boundaries = 0;
    SF_CHECK_ERR(decode(fx, data, len), SF_OK);
    size_t pos = 0;
    for (size_t i = 0; i < fx->list.n_groups; i++) {
        /* Every test input here uses a 1-byte tag and a 1- or 2-byte length for each group. */
        assert_int_equal(data[pos], 0x0a);
        size_t glen = data[pos + 1] & 0x7f;
        size_t hdr = 2;
        if (data[pos + 1] & 0x80) {
            glen |= (size_t)data[pos + 2] << 7;
            hdr = 3;
        }
        pos += hdr + glen;
        assert_true(n_boundaries < 64);
        boundaries[n_boundaries++] = pos;
    }
    assert_int_equal(pos, len);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = test_malloc(cut ? cut : 1);
        memcpy(copy, data, cut);
        size_t want_groups = cut == 0 ? 0 : SIZE_MAX;
        for (size_t b = 0; b < n_boundaries; b++) {
            if (boundaries[b] == cut) {
                want_groups = b + 1;
            }
        }
        sf_err err = decode(fx, copy, cut);
        if (want_groups == SIZE_MAX) {
            if (err != SF_ERR_INVALID) {
                fail_msg("prefix of %zu/%zu bytes: got %s", cut, len, sf_err_name(err));
            }
        } else {
            SF_CHECK_ERR(err, SF_OK);
            assert_int_equal(fx->list.n_groups, want_groups);
        }
        test_free(copy);
        sf_arena_reset(&fx->arena);
    }
}

static void every_truncation_is_rejected_or_ends_on_a_group(void **state)
{
    struct fixture *fx = *state;
    size_t len;
    uint8_t *pb1 = sf_test_unhex(PB1_HEX, &len);
    check_every_prefix(fx, pb1, len);
    test_free(pb1);
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &len);
    check_every_prefix(fx, pb2, len);
    /* Three groups back to back: PB1, PB2's group, one_log's group. */
    struct pbw w = {.len = 0};
    pbw_raw(&w, pb2, len);
    test_free(pb2);
    pb1 = sf_test_unhex(PB1_HEX, &len);
    pbw_raw(&w, pb1, len);
    test_free(pb1);
    pbw_raw(&w, one_log, sizeof(one_log));
    check_every_prefix(fx, w.buf, w.len);
    check_every_prefix(fx, one_log, sizeof(one_log));
}

static void empty_input_is_an_empty_list(void **state)
{
    struct fixture *fx = *state;
    static const uint8_t nothing[1] = {0};
    SF_CHECK_ERR(decode(fx, nothing, 0), SF_OK);
    assert_int_equal(fx->list.n_groups, 0);
    assert_null(fx->list.groups);
    SF_CHECK_ERR(decode(fx, NULL, 0), SF_OK);
    assert_int_equal(fx->list.n_groups, 0);
    /* LogGroup{} and Log{Time} without contents are valid too. */
    static const uint8_t empty_group[] = {0x0a, 0x00};
    SF_CHECK_ERR(decode(fx, empty_group, sizeof(empty_group)), SF_OK);
    assert_int_equal(fx->list.n_groups, 1);
    assert_int_equal(fx->list.groups[0].n_logs, 0);
    assert_null(fx->list.groups[0].logs);
    static const uint8_t bare_log[] = {0x0a, 0x04, 0x0a, 0x02, 0x08, 0x00};
    SF_CHECK_ERR(decode(fx, bare_log, sizeof(bare_log)), SF_OK);
    assert_int_equal(fx->list.groups[0].logs[0].n_contents, 0);
    assert_null(fx->list.groups[0].logs[0].contents);
}

/* One of each skippable wire type, under a field number the schema does not use. */
static void put_unknowns(struct pbw *w)
{
    pbw_uint(w, 7, 300);
    pbw_uint(w, 8, UINT64_MAX); /* a full 10-byte varint */
    pbw_fixed64(w, 9, 0x0102030405060708ull);
    pbw_str(w, 10, "skip me");
    pbw_fixed32(w, 11, 0xdeadbeef);
    pbw_str(w, 536870911, "highest field number");
}

static void unknown_fields_of_every_wire_type_are_skipped_at_every_level(void **state)
{
    struct fixture *fx = *state;
    struct pbw content = {.len = 0}, log = {.len = 0}, tag = {.len = 0}, group = {.len = 0},
               list = {.len = 0};
    put_unknowns(&content);
    pbw_str(&content, 1, "k");
    put_unknowns(&content);
    pbw_str(&content, 2, "v");
    put_unknowns(&content);
    put_unknowns(&log);
    pbw_uint(&log, 1, 42);
    put_unknowns(&log);
    pbw_msg(&log, 2, &content);
    pbw_uint(&log, 3, 5); /* field 3 is unused in Log */
    put_unknowns(&tag);
    pbw_str(&tag, 1, "tk");
    pbw_str(&tag, 2, "tv");
    put_unknowns(&tag);
    put_unknowns(&group);
    pbw_msg(&group, 1, &log);
    put_unknowns(&group);
    pbw_msg(&group, 6, &tag);
    put_unknowns(&group);
    put_unknowns(&list);
    pbw_msg(&list, 1, &group);
    put_unknowns(&list);
    SF_CHECK_ERR(decode_w(fx, &list), SF_OK);
    assert_int_equal(fx->list.n_groups, 1);
    const struct sf_loggroup *g = &fx->list.groups[0];
    assert_int_equal(g->n_logs, 1);
    assert_int_equal(g->logs[0].time, 42);
    assert_int_equal(g->logs[0].n_contents, 1);
    assert_kv(&g->logs[0].contents[0], "k", "v");
    assert_int_equal(g->n_tags, 1);
    assert_kv(&g->tags[0], "tk", "tv");
}

static void fields_in_any_order_are_accepted(void **state)
{
    struct fixture *fx = *state;
    struct pbw content = {.len = 0}, log = {.len = 0}, group = {.len = 0}, list = {.len = 0};
    pbw_str(&content, 2, "value-first");
    pbw_str(&content, 1, "key-second");
    pbw_fixed32(&log, 4, 999);
    pbw_kv(&log, 2, "a", "1");
    pbw_msg(&log, 2, &content);
    pbw_uint(&log, 1, 7);      /* Time last */
    pbw_kv(&log, 2, "a", "2"); /* duplicate key: kept, in wire order */
    pbw_kv(&group, 6, "t1", "x");
    pbw_str(&group, 3, "first-topic");
    pbw_msg(&group, 1, &log);
    pbw_kv(&group, 6, "t2", "y");
    pbw_str(&group, 4, "src");
    pbw_msg(&group, 1, &log);
    pbw_str(&group, 3, "last-topic"); /* a repeated singular field: last one wins */
    pbw_msg(&list, 1, &group);
    SF_CHECK_ERR(decode_w(fx, &list), SF_OK);
    const struct sf_loggroup *g = &fx->list.groups[0];
    assert_str(g->topic, "last-topic");
    assert_str(g->source, "src");
    assert_int_equal(g->n_tags, 2);
    assert_kv(&g->tags[0], "t1", "x");
    assert_kv(&g->tags[1], "t2", "y");
    assert_int_equal(g->n_logs, 2);
    assert_int_equal(fx->list.n_logs_total, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct sf_log *l = &g->logs[i];
        assert_int_equal(l->time, 7);
        assert_true(l->has_time_ns);
        assert_int_equal(l->time_ns, 999);
        assert_int_equal(l->n_contents, 3);
        assert_kv(&l->contents[0], "a", "1");
        assert_kv(&l->contents[1], "key-second", "value-first");
        assert_kv(&l->contents[2], "a", "2");
    }
}

static void reserved_is_skipped_and_machine_uuid_kept(void **state)
{
    struct fixture *fx = *state;
    struct pbw group = {.len = 0}, list = {.len = 0};
    pbw_str(&group, 2, "category");
    pbw_str(&group, 5, "6f1e-uuid");
    pbw_str(&group, 3, "");
    pbw_msg(&list, 1, &group);
    SF_CHECK_ERR(decode_w(fx, &list), SF_OK);
    const struct sf_loggroup *g = &fx->list.groups[0];
    assert_str(g->machine_uuid, "6f1e-uuid");
    assert_str(g->topic, "");
    assert_non_null(g->topic.ptr);
    assert_str(g->source, "");
    assert_non_null(g->source.ptr);
}

/* Wraps one Log's bytes into a one-group list and decodes it. */
static sf_err decode_log_bytes(struct fixture *fx, const struct pbw *log)
{
    struct pbw group = {.len = 0}, list = {.len = 0};
    pbw_msg(&group, 1, log);
    pbw_msg(&list, 1, &group);
    return decode_w(fx, &list);
}

static void required_fields_are_enforced(void **state)
{
    struct fixture *fx = *state;
    struct pbw log = {.len = 0};
    pbw_kv(&log, 2, "k", "v");
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID); /* no Time */
    struct pbw no_value = {.len = 0}, no_key = {.len = 0};
    pbw_str(&no_value, 1, "k");
    pbw_str(&no_key, 2, "v");
    const struct pbw *bad_kvs[] = {&no_value, &no_key};
    for (size_t i = 0; i < 2; i++) {
        log.len = 0;
        pbw_uint(&log, 1, 1);
        pbw_msg(&log, 2, bad_kvs[i]);
        SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID);
        struct pbw group = {.len = 0}, list = {.len = 0};
        pbw_msg(&group, 6, bad_kvs[i]);
        pbw_msg(&list, 1, &group);
        SF_CHECK_ERR(decode_w(fx, &list), SF_ERR_INVALID);
    }
}

static void time_limits_and_wire_types_are_checked(void **state)
{
    struct fixture *fx = *state;
    struct pbw log = {.len = 0};
    pbw_uint(&log, 1, UINT32_MAX);
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_OK);
    assert_int_equal(fx->list.groups[0].logs[0].time, UINT32_MAX);
    log.len = 0;
    pbw_uint(&log, 1, (uint64_t)UINT32_MAX + 1);
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID);
    log.len = 0;
    pbw_fixed32(&log, 1, 5); /* Time as fixed32 */
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID);
    log.len = 0;
    pbw_uint(&log, 1, 5);
    pbw_uint(&log, 4, 5); /* Time_ns as a varint */
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID);
    log.len = 0;
    pbw_uint(&log, 1, 5);
    pbw_fixed64(&log, 4, 5); /* Time_ns as fixed64 */
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID);
    log.len = 0;
    pbw_uint(&log, 1, 5);
    pbw_uint(&log, 2, 5); /* Contents as a varint */
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID);
}

static void known_fields_with_the_wrong_wire_type_are_rejected(void **state)
{
    struct fixture *fx = *state;
    for (uint32_t field = 1; field <= 6; field++) {
        struct pbw group = {.len = 0}, list = {.len = 0};
        pbw_uint(&group, field, 1);
        pbw_msg(&list, 1, &group);
        SF_CHECK_ERR(decode_w(fx, &list), SF_ERR_INVALID);
    }
    struct pbw list = {.len = 0};
    pbw_fixed32(&list, 1, 0);
    SF_CHECK_ERR(decode_w(fx, &list), SF_ERR_INVALID);
    struct pbw kv = {.len = 0}, log = {.len = 0};
    pbw_str(&kv, 1, "k");
    pbw_uint(&kv, 2, 1);
    pbw_uint(&log, 1, 1);
    pbw_msg(&log, 2, &kv);
    SF_CHECK_ERR(decode_log_bytes(fx, &log), SF_ERR_INVALID);
}

/* Appends a field of wire type |wire| (3, 4, 6 or 7) with no payload. */
static void check_bad_wire_at_every_level(struct fixture *fx, uint32_t wire)
{
    for (int level = 0; level < 4; level++) {
        struct pbw kv = {.len = 0}, log = {.len = 0}, group = {.len = 0}, list = {.len = 0};
        struct pbw *target[] = {&list, &group, &log, &kv};
        pbw_str(&kv, 1, "k");
        pbw_str(&kv, 2, "v");
        pbw_uint(&log, 1, 1);
        pbw_tag(target[level], 15, wire);
        if (wire == 3) {
            pbw_tag(target[level], 15, 4); /* an empty group, properly closed */
        }
        pbw_msg(&log, 2, &kv);
        pbw_msg(&group, 1, &log);
        pbw_msg(&list, 1, &group);
        if (decode_w(fx, &list) != SF_ERR_INVALID) {
            fail_msg("wire type %u at level %d accepted", wire, level);
        }
    }
}

static void groups_and_undefined_wire_types_are_rejected(void **state)
{
    struct fixture *fx = *state;
    static const uint32_t bad[] = {3, 4, 6, 7};
    for (size_t i = 0; i < 4; i++) {
        check_bad_wire_at_every_level(fx, bad[i]);
    }
}

static void field_number_zero_is_rejected(void **state)
{
    struct fixture *fx = *state;
    static const uint8_t zero_varint[] = {0x00, 0x01};
    static const uint8_t zero_len[] = {0x02, 0x00};
    SF_CHECK_ERR(decode(fx, zero_varint, sizeof(zero_varint)), SF_ERR_INVALID);
    SF_CHECK_ERR(decode(fx, zero_len, sizeof(zero_len)), SF_ERR_INVALID);
}

static void overlong_varints_are_rejected(void **state)
{
    struct fixture *fx = *state;
    /* Field 7, varint: 11 bytes. */
    static const uint8_t eleven[] = {0x38, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    SF_CHECK_ERR(decode(fx, eleven, sizeof(eleven)), SF_ERR_INVALID);
    /* 10 bytes, but the last one carries bits past 2^64. */
    static const uint8_t too_big[] = {0x38, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0x02};
    SF_CHECK_ERR(decode(fx, too_big, sizeof(too_big)), SF_ERR_INVALID);
    /* 10 bytes, 2^64-1: legal. A redundant zero-padded varint (0x81 0x00) is legal too. */
    static const uint8_t max[] = {0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    SF_CHECK_ERR(decode(fx, max, sizeof(max)), SF_OK);
    static const uint8_t padded[] = {0x38, 0x81, 0x00};
    SF_CHECK_ERR(decode(fx, padded, sizeof(padded)), SF_OK);
    /* An overlong tag: the tag itself must fit in 32 bits. */
    static const uint8_t long_tag[] = {0xf8, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00};
    SF_CHECK_ERR(decode(fx, long_tag, sizeof(long_tag)), SF_ERR_INVALID);
    /* A truncated varint at the very end. */
    static const uint8_t cut[] = {0x38, 0x80};
    SF_CHECK_ERR(decode(fx, cut, sizeof(cut)), SF_ERR_INVALID);
}

static void lengths_past_the_end_are_rejected(void **state)
{
    struct fixture *fx = *state;
    static const uint64_t lens[] = {3, 0x7fffffffffffffffull, 0xffffffffffffffffull,
                                    0xfffffffffffffff0ull, 0x8000000000000000ull};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (uint32_t field = 1; field <= 2; field++) {
            struct pbw w = {.len = 0};
            pbw_tag(&w, field, 2);
            pbw_varint(&w, lens[i]);
            pbw_raw(&w, "ab", 2);
            SF_CHECK_ERR(decode_w(fx, &w), SF_ERR_INVALID);
        }
    }
    /* A Content whose length runs past its Log but not past the whole input. */
    static const uint8_t inner[] = {0x0a, 0x0c, 0x0a, 0x04, 0x08, 0x01, 0x12,
                                    0x06, 0x0a, 0x01, 'k',  0x12, 0x01, 'v'};
    SF_CHECK_ERR(decode(fx, inner, sizeof(inner)), SF_ERR_INVALID);
    /* Fixed fields cut short. */
    static const uint8_t short64[] = {0x49, 1, 2, 3, 4, 5, 6, 7};
    static const uint8_t short32[] = {0x5d, 1, 2, 3};
    SF_CHECK_ERR(decode(fx, short64, sizeof(short64)), SF_ERR_INVALID);
    SF_CHECK_ERR(decode(fx, short32, sizeof(short32)), SF_ERR_INVALID);
}

static void a_warm_arena_allocates_nothing_new(void **state)
{
    struct fixture *fx = *state;
    size_t len;
    uint8_t *pb2 = sf_test_unhex(PB2_HEX, &len);
    for (int round = 0; round < 3; round++) {
        SF_CHECK_ERR(decode(fx, pb2, len), SF_OK);
        sf_arena_reset(&fx->arena);
    }
    struct sf_arena_chunk *head = fx->arena.head;
    SF_CHECK_ERR(decode(fx, pb2, len), SF_OK);
    assert_ptr_equal(fx->arena.head, head);
    test_free(pb2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pb1_decodes_to_the_documented_values, setup, teardown),
        cmocka_unit_test_setup_teardown(pb2_decodes_to_the_documented_values, setup, teardown),
        cmocka_unit_test_setup_teardown(one_log_from_the_style_anchors_decodes, setup, teardown),
        cmocka_unit_test_setup_teardown(every_truncation_is_rejected_or_ends_on_a_group, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(empty_input_is_an_empty_list, setup, teardown),
        cmocka_unit_test_setup_teardown(
            unknown_fields_of_every_wire_type_are_skipped_at_every_level, setup, teardown),
        cmocka_unit_test_setup_teardown(fields_in_any_order_are_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(reserved_is_skipped_and_machine_uuid_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(required_fields_are_enforced, setup, teardown),
        cmocka_unit_test_setup_teardown(time_limits_and_wire_types_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(known_fields_with_the_wrong_wire_type_are_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(groups_and_undefined_wire_types_are_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(field_number_zero_is_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(overlong_varints_are_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(lengths_past_the_end_are_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(a_warm_arena_allocates_nothing_new, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
