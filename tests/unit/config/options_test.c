/* The option table itself: every row complete and consistent, so the loader, the dump and
 * the generated reference can trust it. */
#include "sf_test.h"

#include <ctype.h>

#include "config/config_int.h"

union any_base {
    struct sf_config config;
    struct sf_config_source source;
};

static bool in_some_section(const struct sf_option *opt)
{
    for (size_t s = 0; s < sf_n_option_sections; s++) {
        size_t len = strlen(sf_option_sections[s].prefix);
        if (strncmp(opt->key, sf_option_sections[s].prefix, len) == 0 && opt->key[len] == '.') {
            return true;
        }
    }
    return false;
}

static void every_row_is_complete(void **state)
{
    (void)state;
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        size_t help_len = strlen(opt->help);
        if (help_len == 0 || opt->help[help_len - 1] != '.') {
            fail_msg("%s: help must be a sentence", opt->key);
        }
        if (!in_some_section(opt)) {
            fail_msg("%s: no documentation section covers it", opt->key);
        }
        if ((opt->scope == SF_OPT_SOURCE) != (strncmp(opt->key, "sls.", 4) == 0)) {
            fail_msg("%s: per-source rows, and only they, live under sls.", opt->key);
        }
        bool is_numeric =
            opt->type == SF_OPT_INT || opt->type == SF_OPT_DURATION || opt->type == SF_OPT_SIZE;
        if (is_numeric && opt->min >= opt->max) {
            fail_msg("%s: numeric rows need min < max", opt->key);
        }
        if (opt->type == SF_OPT_DURATION && opt->unit_ms != 1 && opt->unit_ms != 1000) {
            fail_msg("%s: durations are stored in ms or s", opt->key);
        }
        if (opt->type == SF_OPT_ENUM && (!opt->choices || !opt->choices[0])) {
            fail_msg("%s: an enum needs choices", opt->key);
        }
        bool has_aux =
            opt->type == SF_OPT_START || opt->type == SF_OPT_TIME || opt->type == SF_OPT_LIST;
        if (has_aux != (opt->aux_offset != 0)) {
            fail_msg("%s: aux_offset is for START, TIME and LIST rows", opt->key);
        }
        if (opt->is_example_set && !opt->example) {
            fail_msg("%s: is_example_set without an example", opt->key);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(sf_options[j].key, opt->key) == 0) {
                fail_msg("%s: two rows", opt->key);
            }
        }
    }
}

static void every_default_and_example_parses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        const char *texts[] = {opt->fallback, opt->type == SF_OPT_SECRET ? NULL : opt->example};
        for (size_t t = 0; t < 2; t++) {
            union any_base base;
            char why[256];
            memset(&base, 0, sizeof(base));
            if (!texts[t] || opt->check == sf_config_check_readable) {
                continue;
            }
            if (!sf_option_parse(opt, texts[t], &base, why, sizeof(why))) {
                fail_msg("%s: \"%s\" does not parse: %s", opt->key, texts[t], why);
            }
            sf_option_clear(opt, &base);
        }
    }
}

static void environment_names_derive_from_keys(void **state)
{
    (void)state;
    char name[96];
    sf_option_env_name(sf_option_find("sls.heartbeat_interval"), name, sizeof(name));
    assert_string_equal(name, "SLSFWD_SLS_HEARTBEAT_INTERVAL");
    sf_option_env_name(sf_option_find("output.file.path"), name, sizeof(name));
    assert_string_equal(name, "SLSFWD_OUTPUT_FILE_PATH");
    sf_option_env_name(sf_option_find("limits.max_buffered_bytes"), name, sizeof(name));
    assert_string_equal(name, "SLSFWD_LIMITS_MAX_BUFFERED_BYTES");
    /* The reference program's names, unchanged. */
    static const char *const aliases[][2] = {
        {"sls.endpoint", "SLS_ENDPOINT"},        {"sls.access_key_id", "SLS_AK_ID"},
        {"sls.access_key_secret", "SLS_AK_KEY"}, {"sls.project", "SLS_PROJECT"},
        {"sls.logstore", "SLS_LOGSTORE"},        {"sls.consumer_group", "SLS_CG"},
        {"sls.start", "SLS_CURSOR_START"},
    };
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        assert_string_equal(sf_option_find(aliases[i][0])->env_alias, aliases[i][1]);
    }
}

static void a_value_that_fails_leaves_the_old_one(void **state)
{
    (void)state;
    union any_base base;
    char why[256];
    memset(&base, 0, sizeof(base));
    const struct sf_option *group = sf_option_find("sls.consumer_group");
    assert_true(sf_option_parse(group, "siem", &base, why, sizeof(why)));
    assert_false(sf_option_parse(group, "Not Valid", &base, why, sizeof(why)));
    assert_string_equal(base.source.consumer_group, "siem");
    const struct sf_option *timeout = sf_option_find("sls.timeout");
    assert_true(sf_option_parse(timeout, "2m", &base, why, sizeof(why)));
    assert_int_equal(base.source.timeout_ms, 120000);
    assert_false(sf_option_parse(timeout, "1h", &base, why, sizeof(why)));
    assert_string_equal(why, "expected a duration from 1s to 10m");
    assert_int_equal(base.source.timeout_ms, 120000);
    sf_option_clear(group, &base);
}

static void lists_come_from_yaml_lists_or_commas(void **state)
{
    (void)state;
    union any_base base;
    char why[256];
    memset(&base, 0, sizeof(base));
    const struct sf_option *fields = sf_option_find("mapping.json_fields");
    assert_true(sf_option_parse(fields, " a:b , c:d,,", &base, why, sizeof(why)));
    assert_int_equal(base.config.mapping.n_json_fields, 2);
    assert_string_equal(base.config.mapping.json_fields[1], "c:d");
    const char *items[] = {"x:y"};
    assert_true(sf_option_parse_list(fields, items, 1, &base, why, sizeof(why)));
    assert_int_equal(base.config.mapping.n_json_fields, 1);
    assert_false(sf_option_parse(fields, "nocolon", &base, why, sizeof(why)));
    assert_int_equal(base.config.mapping.n_json_fields, 1);
    sf_option_clear(fields, &base);
    const struct sf_option *debug = sf_option_find("log.debug");
    const char *modules[] = {"coord", "sls"};
    assert_true(sf_option_parse_list(debug, modules, 2, &base, why, sizeof(why)));
    assert_string_equal(base.config.log_debug, "coord,sls");
    sf_option_clear(debug, &base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_is_complete),
        cmocka_unit_test(every_default_and_example_parses),
        cmocka_unit_test(environment_names_derive_from_keys),
        cmocka_unit_test(a_value_that_fails_leaves_the_old_one),
        cmocka_unit_test(lists_come_from_yaml_lists_or_commas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
