/* TLS with the throwaway CA of tests/data/tls (a certificate for 127.0.0.1 and localhost):
 * verification on by default and failing without ca_file, working with it, refusing a host
 * name the certificate does not hold, and ssl_verify=false turning off both checks. Also the
 * health check's advice against live servers: wrong port, http against https and back, 404,
 * a refused token, an unhealthy HEC. */
#include "hec_test.h"

static char ca[512], cert[512], key[512];

static int setup_paths(void **state)
{
    (void)state;
    const char *dir = getenv("SF_TESTDATA");
    assert_non_null(dir);
    snprintf(ca, sizeof(ca), "%s/tls/ca.pem", dir);
    snprintf(cert, sizeof(cert), "%s/tls/server.pem", dir);
    snprintf(key, sizeof(key), "%s/tls/server.key", dir);
    return 0;
}

static unsigned health_status = 200;
static const char *health_body = "{\"text\":\"HEC is healthy\",\"code\":17}";

static void handler(void *ctx, const struct hsv_request *req, struct hsv_reply *reply)
{
    (void)ctx;
    if (strcmp(req->path, "/services/collector/health/1.0") == 0) {
        reply->status = health_status;
        reply->body = health_body;
        return;
    }
    reply->status = 200;
    reply->body = "{\"text\":\"Success\",\"code\":0}";
}

struct tls_case {
    const char *bind_ip;
    bool has_ca;
    bool ssl_verify;
    bool is_delivered;
    enum sf_hec_health_verdict verdict;
};

static void run_case(const struct tls_case *c)
{
    struct hsv_server *srv = hsv_start(c->bind_ip, cert, key);
    hsv_set_handler(srv, handler, NULL);
    char url[256], dl[256];
    snprintf(url, sizeof(url), "https://%s:%u/services/collector/event", c->bind_ip, hsv_port(srv));
    struct sf_config_hec cfg = test_cfg(hsv_port(srv), dl_path(dl, sizeof(dl), "tls"));
    cfg.url = url;
    cfg.ca_file = c->has_ca ? ca : NULL;
    cfg.ssl_verify = c->ssl_verify;
    struct rec rec;
    rec_init(&rec);
    struct sf_sink *sink;
    char err[256];
    SF_CHECK_ERR(sf_hec_sink_new(&cfg, &sink, err, sizeof(err)), SF_OK);
    char msg[768];
    enum sf_hec_health_verdict v = sf_hec_health_probe(hec_of(sink), msg, sizeof(msg));
    if (v != c->verdict) {
        fail_msg("%s ca=%d verify=%d: verdict %s (%s)", c->bind_ip, c->has_ca, c->ssl_verify,
                 sf_hec_health_verdict_name(v), msg);
    }
    SF_CHECK_ERR(sf_sink_start(sink), SF_OK);
    struct sf_batch *batch = make_batch(1, 0, 5, 100);
    rec_submit(sink, &rec, batch);
    int64_t end = sf_now_ms() + (c->is_delivered ? 5000 : 600);
    while (sf_now_ms() < end && rec_n_delivered(&rec) == 0) {
        usleep(5000);
    }
    assert_int_equal(rec_n_delivered(&rec), c->is_delivered ? 1 : 0);
    struct sf_hec_sink_stats s;
    sf_hec_sink_get_stats(sink, &s);
    if (!c->is_delivered) {
        assert_true(s.is_paused); /* pause, never downgrade (hec.md §Retry classes) */
        assert_int_equal(hsv_n_requests(srv), 0);
    }
    sf_sink_free(sink);
    assert_int_equal(rec_times(&rec, batch), 1);
    free_batch(batch);
    hsv_stop(srv);
}

static void verifies_the_certificate_by_default(void **state)
{
    (void)state;
    run_case(&(struct tls_case){"127.0.0.1", false, true, false, SF_HEC_HEALTH_TLS_UNTRUSTED});
}

static void trusts_the_configured_ca_file(void **state)
{
    (void)state;
    run_case(&(struct tls_case){"127.0.0.1", true, true, true, SF_HEC_HEALTH_OK});
}

static void refuses_a_host_name_the_certificate_does_not_hold(void **state)
{
    (void)state;
    run_case(&(struct tls_case){"127.0.0.2", true, true, false, SF_HEC_HEALTH_TLS_NAME});
}

static void turns_off_both_checks_when_verification_is_off(void **state)
{
    (void)state;
    /* wrong CA and wrong name: only works if both peer and host checks are off */
    run_case(&(struct tls_case){"127.0.0.2", false, false, true, SF_HEC_HEALTH_OK});
}

static enum sf_hec_health_verdict probe(const char *url, char *msg, size_t msg_size)
{
    struct sf_config_hec cfg = test_cfg(0, "/tmp/unused-dead-letter");
    cfg.url = (char *)url;
    cfg.ca_file = ca;
    struct sf_sink *sink;
    char err[256];
    SF_CHECK_ERR(sf_hec_sink_new(&cfg, &sink, err, sizeof(err)), SF_OK);
    enum sf_hec_health_verdict v = sf_hec_health_probe(hec_of(sink), msg, msg_size);
    sf_sink_free(sink);
    return v;
}

static void explains_health_check_failures_of_live_servers(void **state)
{
    (void)state;
    char url[256], msg[768];
    struct hsv_server *tls = hsv_start(NULL, cert, key);
    struct hsv_server *plain = hsv_start(NULL, NULL, NULL);
    hsv_set_handler(tls, handler, NULL);
    hsv_set_handler(plain, handler, NULL);

    snprintf(url, sizeof(url), "http://127.0.0.1:%u/services/collector/event", hsv_port(tls));
    assert_int_equal(probe(url, msg, sizeof(msg)), SF_HEC_HEALTH_NO_REPLY);
    assert_non_null(strstr(msg, "https://"));

    snprintf(url, sizeof(url), "https://127.0.0.1:%u/services/collector/event", hsv_port(plain));
    enum sf_hec_health_verdict v = probe(url, msg, sizeof(msg));
    if (v != SF_HEC_HEALTH_TLS_PLAIN) {
        fail_msg("https against http: %s: %s", sf_hec_health_verdict_name(v), msg);
    }
    assert_non_null(strstr(msg, "http://"));

    snprintf(url, sizeof(url), "http://127.0.0.1:%u/services/collector/event", hsv_port(plain));
    assert_int_equal(probe(url, msg, sizeof(msg)), SF_HEC_HEALTH_OK);
    const struct hsv_request *req = hsv_request(plain, hsv_n_requests(plain) - 1);
    assert_string_equal(req->method, "GET");
    assert_string_equal(hsv_header(req, "Authorization"), "Splunk test-token");

    health_status = 404;
    health_body = "<html>Not Found</html>";
    assert_int_equal(probe(url, msg, sizeof(msg)), SF_HEC_HEALTH_NOT_HEC);
    health_status = 400;
    health_body = "{\"text\":\"Invalid token\",\"code\":21}";
    assert_int_equal(probe(url, msg, sizeof(msg)), SF_HEC_HEALTH_TOKEN);
    assert_null(strstr(msg, "test-token")); /* the token is never in a message */
    health_status = 503;
    health_body = "{\"text\":\"HEC is unhealthy, queues are full\",\"code\":18}";
    assert_int_equal(probe(url, msg, sizeof(msg)), SF_HEC_HEALTH_UNHEALTHY);
    health_status = 200;
    health_body = "{\"text\":\"HEC is healthy\",\"code\":17}";

    unsigned port = hsv_port(plain);
    hsv_stop(plain);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/services/collector/event", port);
    assert_int_equal(probe(url, msg, sizeof(msg)), SF_HEC_HEALTH_REFUSED);
    assert_non_null(strstr(msg, "wrong port"));
    hsv_stop(tls);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verifies_the_certificate_by_default),
        cmocka_unit_test(trusts_the_configured_ca_file),
        cmocka_unit_test(refuses_a_host_name_the_certificate_does_not_hold),
        cmocka_unit_test(turns_off_both_checks_when_verification_is_off),
        cmocka_unit_test(explains_health_check_failures_of_live_servers),
    };
    int rc = cmocka_run_group_tests(tests, setup_paths, NULL);
    curl_global_cleanup();
    return rc;
}
