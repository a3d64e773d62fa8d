/* The syslog output's wiring: the max_message_size in effect by protocol and format, and every
 * message cut to fit it counted and logged, the log rate-limited (issue 10 §6). */
#include "sf_test.h"

#include <fcntl.h>
#include <unistd.h>

#include "app/syslog_output.h"

static struct sf_config_syslog syslog_cfg(const char *protocol, const char *format, size_t max)
{
    return (struct sf_config_syslog){
        .address = "127.0.0.1:514",
        .protocol = (char *)protocol,
        .framing = strcmp(protocol, "udp") == 0 ? "lf" : "octet",
        .format = (char *)format,
        .msg_format = "json",
        .facility = "user",
        .severity = "info",
        .app_name = "sls",
        .sd_id = "sls@32473",
        .max_message_size = max,
        .tls_verify = true,
    };
}

static size_t max_of(const char *protocol, const char *format, size_t max)
{
    struct sf_config_syslog cfg = syslog_cfg(protocol, format, max);
    struct sf_syslog_line_mapping *m;
    char err[256] = "";
    SF_CHECK_ERR(sf_syslog_output_mapping(&cfg, &m, err, sizeof(err)), SF_OK);
    size_t got = sf_syslog_line_mapping_max_message(m);
    sf_syslog_line_mapping_free(m);
    return got;
}

static void stream_default_fits_real_actiontrail_events(void **state)
{
    (void)state;
    assert_int_equal(max_of("tcp", "rfc5424", 0), 65536);
    assert_int_equal(max_of("tls", "rfc5424", 0), 65536);
    assert_int_equal(max_of("tcp", "rfc3164", 0), 65536);
    assert_int_equal(max_of("udp", "rfc5424", 0), 2048);
    assert_int_equal(max_of("udp", "rfc3164", 0), 1024);
    assert_int_equal(max_of("tcp", "rfc5424", 4096), 4096);
}

static void counts_and_logs_every_truncation_without_spam(void **state)
{
    (void)state;
    struct sf_config_syslog cfg = syslog_cfg("tcp", "rfc5424", 1024);
    struct sf_syslog_line_mapping *m;
    char err[256] = "";
    SF_CHECK_ERR(sf_syslog_output_mapping(&cfg, &m, err, sizeof(err)), SF_OK);

    static char big[4000];
    memset(big, 'a', sizeof(big));
    struct sf_log_kv small_kv[] = {{.key = {"k", 1}, .value = {"v", 1}}};
    struct sf_log_kv big_kv[] = {{.key = {"event", 5}, .value = {big, sizeof(big)}}};
    struct sf_log logs[] = {
        {.time = 1795686600u, .contents = big_kv, .n_contents = 1},
        {.time = 1795686600u, .contents = small_kv, .n_contents = 1},
        {.time = 1795686600u, .contents = big_kv, .n_contents = 1},
    };
    struct sf_loggroup group = {.logs = logs, .n_logs = 3};
    struct sf_loggroup_list list = {.groups = &group, .n_groups = 1, .n_logs_total = 3};
    struct sf_config_source source = {
        .name = "proj/actiontrail", .project = "proj", .logstore = "actiontrail"};

    char log_path[128];
    snprintf(log_path, sizeof(log_path), "/tmp/slsfwd-syslog-output-test-%d.log", (int)getpid());
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(log_fd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(log_fd, STDERR_FILENO);
    uint64_t before = sf_syslog_output_truncated_total();
    struct sf_batch batch;
    memset(&batch, 0, sizeof(batch));
    batch.shard_id = 2;
    sf_buf_init(&batch.syslog_payload, SIZE_MAX);
    size_t n_events = 0;
    size_t n_filtered = 0;
    sf_err built = sf_syslog_output_build(m, NULL, &source, &list, &batch, &n_events, &n_filtered);
    sf_err built_again =
        sf_syslog_output_build(m, NULL, &source, &list, &batch, &n_events, &n_filtered);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(log_fd);
    SF_CHECK_ERR(built, SF_OK);
    SF_CHECK_ERR(built_again, SF_OK);
    assert_int_equal(n_events, 3); /* per build: the second counted its own three */
    assert_int_equal(sf_syslog_output_truncated_total() - before, 4);

    size_t len;
    uint8_t *text = sf_test_read_file(log_path, &len);
    char *first = strstr((char *)text, "level=warn");
    assert_non_null(first); /* logged, with what to raise */
    assert_non_null(strstr(first, "rsyslog global(maxMessageSize"));
    assert_non_null(strstr(first, "source=\"proj/actiontrail\" shard=2"));
    assert_non_null(strstr(first, "max_message_size=1024 truncated=1"));
    assert_null(strstr(first + 1, "level=warn")); /* once, not per message */
    test_free(text);
    unlink(log_path);
    sf_buf_cleanup(&batch.syslog_payload);
    sf_syslog_line_mapping_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_default_fits_real_actiontrail_events),
        cmocka_unit_test(counts_and_logs_every_truncation_without_spam),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
