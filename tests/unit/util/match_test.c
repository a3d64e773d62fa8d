/* Filter rules and globs (util/match.h): the grammar, each operator, and the messages of a
 * rule that does not parse or a regex that does not compile. */
#include "sf_test.h"

#include "util/match.h"

static bool holds(const char *rule_text, const char *value)
{
    struct sf_match_rule rule;
    char why[256];
    if (sf_match_rule_init(&rule, rule_text, why, sizeof(why)) != SF_OK) {
        fail_msg("%s: %s", rule_text, why);
    }
    struct sf_str v = value ? sf_str_from(value) : (struct sf_str){0};
    bool is_held = sf_match_rule_test(&rule, value ? &v : NULL);
    sf_match_rule_cleanup(&rule);
    return is_held;
}

static const char *error_of(const char *rule_text)
{
    static char why[256];
    struct sf_match_rule rule;
    if (sf_match_rule_init(&rule, rule_text, why, sizeof(why)) == SF_OK) {
        sf_match_rule_cleanup(&rule);
        fail_msg("%s parsed", rule_text);
    }
    return why;
}

static void rules_split_into_field_operator_and_pattern(void **state)
{
    (void)state;
    struct sf_match_rule rule;
    char why[256];
    SF_CHECK_ERR(sf_match_rule_init(&rule, " status >= 400 ", why, sizeof(why)), SF_OK);
    assert_string_equal(rule.field, "status");
    assert_int_equal(rule.op, SF_MATCH_GE);
    assert_true(rule.number == 400);
    sf_match_rule_cleanup(&rule);
    SF_CHECK_ERR(sf_match_rule_init(&rule, "__tag__:__path__~a=b", why, sizeof(why)), SF_OK);
    assert_string_equal(rule.field, "__tag__:__path__");
    assert_int_equal(rule.op, SF_MATCH_RE);
    sf_match_rule_cleanup(&rule);
    /* The first operator byte ends the field: the rest, '=' included, is the pattern. */
    assert_true(holds("q=a=b", "a=b"));
    assert_true(holds("q==x", "x"));
    sf_match_rule_cleanup(&rule); /* twice is fine */
}

static void equality_is_exact_without_wildcards_and_a_glob_with_them(void **state)
{
    (void)state;
    assert_true(holds("status=200", "200"));
    assert_false(holds("status=200", "2000"));
    assert_false(holds("status=200", NULL));
    assert_true(holds("status=", ""));
    assert_true(holds("__topic__=*debug*", "app_debug_log"));
    assert_false(holds("__topic__=*debug*", "app_info"));
    assert_true(holds("ip=10.?.*", "10.1.2.3"));
    assert_true(holds("method=[GP]*", "POST"));
    assert_false(holds("method=[!GP]*", "POST"));
    assert_true(holds("code=[0-9][0-9][0-9]", "404"));
    assert_true(holds("v=a\\*b", "a*b"));
    assert_false(holds("v=a\\*b", "axb"));
    assert_true(holds("v=[ab", "[ab")); /* no closing ']': a plain byte */
    assert_true(holds("v=*", ""));      /* present, whatever the value */
    assert_false(holds("v=*", NULL));
    assert_true(holds("v=a*b*c", "aXXbYbZc"));
    assert_false(holds("v=a*b*c", "aXXbYbZ"));
}

static void negations_hold_for_an_absent_field(void **state)
{
    (void)state;
    assert_true(holds("level!=error", "info"));
    assert_false(holds("level!=error", "error"));
    assert_true(holds("level!=error", NULL));
    assert_true(holds("path!~^/api", "/health"));
    assert_false(holds("path!~^/api", "/api/v1"));
    assert_true(holds("path!~^/api", NULL));
    assert_false(holds("v!=*", ""));
    assert_true(holds("v!=*", NULL));
}

static void regexes_are_extended_and_unanchored(void **state)
{
    (void)state;
    assert_true(holds("path~^/health", "/healthz"));
    assert_false(holds("path~^/health", "/api/health"));
    assert_true(holds("path~health", "/api/health"));
    assert_true(holds("ua~(curl|wget)/[0-9]+", "Wget curl/8.1"));
    assert_false(holds("ua~^(curl|wget)$", "curl2"));
    assert_true(holds("v~^$", ""));
    assert_false(holds("v~.", NULL));
}

static void plain_text_regexes_answer_as_regexec_would(void **state)
{
    (void)state;
    /* Taken by memmem or a prefix compare: the answers must be the regex's. */
    struct sf_match_rule rule;
    char why[128];
    SF_CHECK_ERR(sf_match_rule_init(&rule, "e~\"eventRW\":\"Read\"", why, sizeof(why)), SF_OK);
    assert_non_null(rule.literal);
    sf_match_rule_cleanup(&rule);
    assert_true(holds("e~\"eventRW\":\"Read\"", "{\"a\":1,\"eventRW\":\"Read\"}"));
    assert_false(holds("e~\"eventRW\":\"Read\"", "{\"eventRW\":\"Write\"}"));
    assert_true(holds("p~^/api/", "/api/v1"));
    assert_false(holds("p~^/api/", "/x/api/"));
    assert_false(holds("p~^/api/", "/ap"));
    assert_true(holds("p~", "anything"));
    assert_true(holds("p~^", ""));
    assert_false(holds("p!~health", "/healthz"));
    assert_true(holds("p~a-b", "xa-by"));
    SF_CHECK_ERR(sf_match_rule_init(&rule, "p~^a.c", why, sizeof(why)), SF_OK);
    assert_null(rule.literal); /* '.' is an operator: regexec */
    sf_match_rule_cleanup(&rule);
}

static void a_regex_matches_a_view_without_reading_past_it(void **state)
{
    (void)state;
    struct sf_match_rule rule;
    char why[128];
    SF_CHECK_ERR(sf_match_rule_init(&rule, "v~^abc$", why, sizeof(why)), SF_OK);
    const char bytes[] = "abcdef";
    struct sf_str view = {.ptr = bytes, .len = 3};
    assert_true(sf_match_rule_test(&rule, &view));
    view.len = 4;
    assert_false(sf_match_rule_test(&rule, &view));
    sf_match_rule_cleanup(&rule);
}

static void comparisons_need_a_number_on_both_sides(void **state)
{
    (void)state;
    assert_true(holds("status>=400", "400"));
    assert_true(holds("status>=400", "503"));
    assert_false(holds("status>=400", "399"));
    assert_true(holds("status>400", "400.5"));
    assert_false(holds("status>400", "400"));
    assert_true(holds("t<0.5", "0.25"));
    assert_true(holds("t<=-1", "-1"));
    assert_true(holds("t<1e3", "999"));
    assert_true(holds("t>=400", " 404 "));
    assert_false(holds("status>=400", "5xx"));
    assert_false(holds("status>=400", ""));
    assert_false(holds("status>=400", NULL));
    assert_false(holds("status<400", "-"));
}

static void malformed_rules_say_what_is_wrong(void **state)
{
    (void)state;
    assert_string_equal(error_of("status"),
                        "rule \"status\": expected <field>=<value>, <field>~<regex> or "
                        "<field>>=<number>");
    assert_string_equal(error_of("=200"), "rule \"=200\": no field name before the operator");
    assert_string_equal(error_of("a!b"), "rule \"a!b\": '!' must be followed by = or ~");
    assert_string_equal(error_of("status>=4xx"),
                        "rule \"status>=4xx\": expected a number after the comparison, got "
                        "\"4xx\"");
    assert_string_equal(error_of("path~^(health"),
                        "rule \"path~^(health\": regex \"^(health\" does not compile: Unmatched "
                        "( or \\(");
    assert_string_equal(error_of("a~[z-a]"),
                        "rule \"a~[z-a]\": regex \"[z-a]\" does not compile: Invalid range end");
}

static void globs_match_a_prefix_and_a_name_as_one_string(void **state)
{
    (void)state;
    struct sf_match_glob glob;
    sf_match_glob_init(&glob, "__tag__:__host*", 15);
    assert_false(glob.is_literal);
    assert_true(sf_match_glob_test(&glob, SF_STR_LIT("__tag__:"), SF_STR_LIT("__hostname__")));
    assert_false(sf_match_glob_test(&glob, SF_STR_LIT(""), SF_STR_LIT("__hostname__")));
    assert_true(sf_match_glob_test(&glob, SF_STR_LIT(""), SF_STR_LIT("__tag__:__host")));
    sf_match_glob_cleanup(&glob);
    sf_match_glob_init(&glob, "__tag__:x", 9);
    assert_true(glob.is_literal);
    assert_true(sf_match_glob_test(&glob, SF_STR_LIT("__tag__:"), SF_STR_LIT("x")));
    assert_true(sf_match_glob_test(&glob, SF_STR_LIT(""), SF_STR_LIT("__tag__:x")));
    assert_false(sf_match_glob_test(&glob, SF_STR_LIT("__tag__:"), SF_STR_LIT("xy")));
    sf_match_glob_cleanup(&glob);
    sf_match_glob_cleanup(&glob); /* twice is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules_split_into_field_operator_and_pattern),
        cmocka_unit_test(equality_is_exact_without_wildcards_and_a_glob_with_them),
        cmocka_unit_test(negations_hold_for_an_absent_field),
        cmocka_unit_test(regexes_are_extended_and_unanchored),
        cmocka_unit_test(plain_text_regexes_answer_as_regexec_would),
        cmocka_unit_test(a_regex_matches_a_view_without_reading_past_it),
        cmocka_unit_test(comparisons_need_a_number_on_both_sides),
        cmocka_unit_test(malformed_rules_say_what_is_wrong),
        cmocka_unit_test(globs_match_a_prefix_and_a_name_as_one_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
