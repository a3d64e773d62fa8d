/* --token specs and the token table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "tokens.h"

#include "util/banned.h"

static void parses_options(void **state)
{
    (void)state;
    struct hec_token t;
    char why[200];
    assert_true(hec_token_parse("abc-123", 3, false, false, &t, why, sizeof(why)));
    assert_string_equal(t.value, "abc-123");
    assert_string_equal(t.name, "token3");
    assert_false(t.has_ack || t.allows_query || t.is_disabled);
    assert_string_equal(t.indexes, "");
    assert_true(hec_token_parse("T,ack,query,disabled,name=audit,index=main,index=cloud", 1, false,
                                false, &t, why, sizeof(why)));
    assert_true(t.has_ack && t.allows_query && t.is_disabled);
    assert_string_equal(t.name, "audit");
    assert_string_equal(t.indexes, ",main,cloud,");
    /* Server-wide defaults, and a token opting out of --ack. */
    assert_true(hec_token_parse("T,noack", 1, true, true, &t, why, sizeof(why)));
    assert_false(t.has_ack);
    assert_true(t.allows_query);
}

static void refuses_bad_specs(void **state)
{
    (void)state;
    const char *bad[] = {"",        ",ack",       "T,",       "T,,ack", "T,bogus",
                         "T,name=", "T,name=a/b", "T,index=", "sp ace", "T\x01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct hec_token t;
        char why[200] = "";
        assert_false(hec_token_parse(bad[i], 1, false, false, &t, why, sizeof(why)));
        assert_true(why[0] != '\0');
    }
}

static void adds_finds_and_removes(void **state)
{
    (void)state;
    struct hec_server srv;
    struct hec_server_options opts = {.out_fd = -1};
    hec_server_init(&srv, &opts);
    struct hec_token t;
    char why[200];
    const char *err = NULL;
    hec_token_parse("A,name=first", 1, false, false, &t, why, sizeof(why));
    assert_true(hec_tokens_add(&srv, &t, &err));
    hec_token_parse("B", 2, false, false, &t, why, sizeof(why));
    assert_true(hec_tokens_add(&srv, &t, &err));
    hec_token_parse("A,name=other", 3, false, false, &t, why, sizeof(why));
    assert_false(hec_tokens_add(&srv, &t, &err)); /* value taken */
    assert_non_null(hec_tokens_find(&srv, "B"));
    assert_null(hec_tokens_find(&srv, "first"));
    assert_string_equal(hec_tokens_find_id(&srv, "first")->value, "A");
    assert_string_equal(hec_tokens_find_id(&srv, "B")->name, "token2");
    assert_true(hec_tokens_remove(&srv, "first"));
    assert_null(hec_tokens_find(&srv, "A"));
    assert_non_null(hec_tokens_find(&srv, "B"));
    assert_false(hec_tokens_remove(&srv, "first"));
    json_t *list = hec_tokens_to_json(&srv);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    hec_server_cleanup(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_options),
        cmocka_unit_test(refuses_bad_specs),
        cmocka_unit_test(adds_finds_and_removes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
