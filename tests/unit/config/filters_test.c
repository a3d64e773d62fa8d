/* filters.* and sls.filters.*: a source's list replaces the global one, `[]` clears it, and a
 * rule that does not parse or a regex that does not compile stops the load with file:line:key
 * and the reason. */
#include "cfg_test.h"

#define SOURCES           \
    "sources:\n"          \
    "  - project: prod\n" \
    "    logstore: nginx\n"

static void expect_list(char *const *items, size_t n, const char *const *want, size_t n_want)
{
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(items[i], want[i]);
    }
}

static void a_source_list_replaces_the_global_one(void **state)
{
    (void)state;
    struct sf_config *config =
        cfg_expect_ok(CFG_SLS SOURCES "  - project: prod\n"
                                      "    logstore: audit\n"
                                      "    filters:\n"
                                      "      drop_fields: [requestParameters]\n"
                                      "      keep_if: []\n"
                                      "filters:\n"
                                      "  keep_if: [\"status>=400\"]\n"
                                      "  drop_if: [\"path~^/health\", \"__topic__=*debug*\"]\n"
                                      "  drop_fields: [ua]\n"
                                      "  rename: [\"__tag__:__hostname__=host\"]\n",
                      NULL);
    assert_int_equal(config->n_sources, 2);
    const struct sf_config_filters *nginx = &config->sources[0].filters;
    const struct sf_config_filters *audit = &config->sources[1].filters;
    expect_list(nginx->keep_if, nginx->n_keep_if, (const char *const[]){"status>=400"}, 1);
    expect_list(nginx->drop_if, nginx->n_drop_if,
                (const char *const[]){"path~^/health", "__topic__=*debug*"}, 2);
    expect_list(nginx->drop_fields, nginx->n_drop_fields, (const char *const[]){"ua"}, 1);
    assert_int_equal(audit->n_keep_if, 0); /* [] cleared the global list */
    expect_list(audit->drop_if, audit->n_drop_if,
                (const char *const[]){"path~^/health", "__topic__=*debug*"}, 2);
    expect_list(audit->drop_fields, audit->n_drop_fields,
                (const char *const[]){"requestParameters"}, 1);
    expect_list(audit->rename, audit->n_rename, (const char *const[]){"__tag__:__hostname__=host"},
                1);
    sf_config_free(config);
}

static void sls_filters_are_every_source_default(void **state)
{
    (void)state;
    struct sf_config *config =
        cfg_expect_ok(CFG_SLS "  filters:\n"
                              "    keep_if: [\"level=error\"]\n" SOURCES "filters:\n"
                              "  keep_if: [\"status>=400\"]\n",
                      NULL);
    const struct sf_config_filters *f = &config->sources[0].filters;
    expect_list(f->keep_if, f->n_keep_if, (const char *const[]){"level=error"}, 1);
    sf_config_free(config);
    char *const env[] = {"SLSFWD_FILTERS_DROP_FIELDS=a,b", NULL};
    config = cfg_expect_ok(CFG_SLS SOURCES, env);
    f = &config->sources[0].filters;
    expect_list(f->drop_fields, f->n_drop_fields, (const char *const[]){"a", "b"}, 2);
    sf_config_free(config);
}

static void a_bad_rule_names_the_file_line_and_key(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS SOURCES "filters:\n"
                                     "  drop_if: [\"status=200\", \"path~^(health\"]\n",
                     NULL,
                     "slsfwd.yaml:10: filters.drop_if: entry 2: rule \"path~^(health\": regex "
                     "\"^(health\" does not compile: Unmatched ( or \\(");
    cfg_expect_error(CFG_SLS SOURCES "    filters:\n"
                                     "      keep_if:\n"
                                     "        - status>=4xx\n",
                     NULL,
                     "slsfwd.yaml:11: sources[0].filters.keep_if: entry 1: rule \"status>=4xx\": "
                     "expected a number after the comparison, got \"4xx\"");
    cfg_expect_error(CFG_SLS SOURCES "filters:\n"
                                     "  rename: [host]\n",
                     NULL,
                     "slsfwd.yaml:10: filters.rename: entry 1 \"host\" is not old=new (such as "
                     "__tag__:__hostname__=host)");
    char *const env[] = {"SLSFWD_SLS_FILTERS_KEEP_IF=a~[", NULL};
    struct sf_config *config = NULL;
    char errbuf[512];
    SF_CHECK_ERR(cfg_load(CFG_SLS SOURCES, env, &config, errbuf, sizeof(errbuf)), SF_ERR_CONFIG);
    assert_non_null(strstr(errbuf, "SLSFWD_SLS_FILTERS_KEEP_IF"));
    assert_non_null(strstr(errbuf, "does not compile"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_source_list_replaces_the_global_one),
        cmocka_unit_test(sls_filters_are_every_source_default),
        cmocka_unit_test(a_bad_rule_names_the_file_line_and_key),
    };
    return cmocka_run_group_tests(tests, cfg_test_setup, cfg_test_teardown);
}
