/* Per-source routing: sources[].mapping.* and sources[].syslog.* override the global keys one
 * by one (source → sls: → mapping:), and every routing template is parsed at load, so a bad
 * one is refused with its file, line and key. */
#include "cfg_test.h"

static void a_source_overrides_the_global_mapping_key_by_key(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(CFG_SLS "  mapping:\n"
                                                     "    host: \"{__source__}\"\n"
                                                     "sources:\n"
                                                     "  - project: audit\n"
                                                     "    logstore: actiontrail\n"
                                                     "    mapping:\n"
                                                     "      index: security\n"
                                                     "      sourcetype: alicloud:actiontrail\n"
                                                     "      fields: [team=sec]\n"
                                                     "      position_fields: true\n"
                                                     "  - project: prod\n"
                                                     "    logstore: nginx\n"
                                                     "    mapping:\n"
                                                     "      index: web\n"
                                                     "      host: \"{__tag__:__hostname__|-}\"\n"
                                                     "    syslog:\n"
                                                     "      app_name: \"{logstore}\"\n"
                                                     "      msgid: \"{__topic__|sls}\"\n"
                                                     "mapping:\n"
                                                     "  sourcetype: \"aliyun:{__topic__|sls}\"\n"
                                                     "  source: slsfwd\n"
                                                     "  fields: [env=prod]\n"
                                                     "output:\n"
                                                     "  syslog:\n"
                                                     "    address: 127.0.0.1:514\n"
                                                     "    app_name: sls\n"
                                                     "    hostname: source\n",
                                             NULL);
    assert_int_equal(config->n_sources, 2);
    struct sf_config_mapping m;
    sf_config_source_mapping(config, &config->sources[0], &m);
    assert_string_equal(m.index, "security");
    assert_string_equal(m.sourcetype, "alicloud:actiontrail");
    assert_string_equal(m.source, "slsfwd");     /* global */
    assert_string_equal(m.host, "{__source__}"); /* sls: default */
    assert_int_equal(m.n_fields, 1);
    assert_string_equal(m.fields[0], "team=sec");
    assert_true(m.position_fields);
    assert_int_equal(m.n_json_fields, 1); /* the global default list */

    sf_config_source_mapping(config, &config->sources[1], &m);
    assert_string_equal(m.index, "web");
    assert_string_equal(m.sourcetype, "aliyun:{__topic__|sls}");
    assert_string_equal(m.host, "{__tag__:__hostname__|-}"); /* its own over sls: */
    assert_int_equal(m.n_fields, 1);
    assert_string_equal(m.fields[0], "env=prod");
    assert_false(m.position_fields);

    struct sf_config_syslog s;
    sf_config_source_syslog(config, &config->sources[0], &s);
    assert_string_equal(s.app_name, "sls");
    assert_null(s.msgid);
    assert_string_equal(s.hostname, "source");
    sf_config_source_syslog(config, &config->sources[1], &s);
    assert_string_equal(s.app_name, "{logstore}");
    assert_string_equal(s.msgid, "{__topic__|sls}");
    assert_string_equal(s.address, "127.0.0.1:514");
    sf_config_free(config);
}

static void position_fields_are_off_unless_asked(void **state)
{
    (void)state;
    struct sf_config *config = cfg_expect_ok(CFG_SLS "sources:\n"
                                                     "  - project: prod\n"
                                                     "    logstore: nginx\n"
                                                     "  - project: prod\n"
                                                     "    logstore: audit\n"
                                                     "    mapping:\n"
                                                     "      position_fields: false\n"
                                                     "mapping:\n"
                                                     "  position_fields: true\n",
                                             NULL);
    struct sf_config_mapping m;
    sf_config_source_mapping(config, &config->sources[0], &m);
    assert_true(m.position_fields);
    sf_config_source_mapping(config, &config->sources[1], &m);
    assert_false(m.position_fields);
    sf_config_free(config);
}

static void bad_templates_name_the_file_line_and_key(void **state)
{
    (void)state;
    cfg_expect_error(CFG_SLS "sources:\n"
                             "  - project: prod\n"
                             "    logstore: nginx\n"
                             "mapping:\n"
                             "  index: \"sls-{__topic__\"\n",
                     NULL,
                     "slsfwd.yaml:10: mapping.index: template: '{' is not closed (write '{{' "
                     "for a brace) at column 5");
    cfg_expect_error(CFG_SLS "sources:\n"
                             "  - project: prod\n"
                             "    logstore: nginx\n"
                             "    mapping:\n"
                             "      sourcetype: \"x{}\"\n",
                     NULL,
                     "slsfwd.yaml:10: sources[0].mapping.sourcetype: template: empty field "
                     "name in {} at column 2");
    cfg_expect_error(CFG_SLS "sources:\n"
                             "  - project: prod\n"
                             "    logstore: nginx\n"
                             "    syslog:\n"
                             "      msgid: \"{project:name}\"\n",
                     NULL,
                     "slsfwd.yaml:10: sources[0].syslog.msgid: template: unknown source "
                     "reference (only {project} and {logstore} exist) at column 1");
    cfg_expect_error(CFG_SLS "sources:\n"
                             "  - project: prod\n"
                             "    logstore: nginx\n"
                             "output:\n"
                             "  syslog:\n"
                             "    address: 127.0.0.1:514\n"
                             "    hostname: \"a}\"\n",
                     NULL,
                     "slsfwd.yaml:12: output.syslog.hostname: template: '}' without '{' (write "
                     "'}}' for a brace) at column 2");
    cfg_expect_error(CFG_SLS "sources:\n"
                             "  - project: prod\n"
                             "    logstore: nginx\n"
                             "    mapping:\n"
                             "      position_fields: maybe\n",
                     NULL,
                     "slsfwd.yaml:10: sources[0].mapping.position_fields: expected true or "
                     "false, got \"maybe\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_source_overrides_the_global_mapping_key_by_key),
        cmocka_unit_test(position_fields_are_off_unless_asked),
        cmocka_unit_test(bad_templates_name_the_file_line_and_key),
    };
    return cmocka_run_group_tests(tests, cfg_test_setup, cfg_test_teardown);
}
