/* The HEC answer table (docs/protocol/hec.md §Status codes, §Retry classes): every row, codes 0–27,
 * the body parser on good and hostile input, Retry-After, ack answers, and the health-check advice.
 * Pure. */
#include "sf_test.h"

#include "sink/hec_int.h"

static struct sf_hec_reply parse(const char *body)
{
    struct sf_hec_reply reply;
    sf_hec_reply_parse((const uint8_t *)body, strlen(body), &reply);
    return reply;
}

static enum sf_hec_action act(long status, const char *body, size_t n_events)
{
    struct sf_hec_reply reply = parse(body);
    return sf_hec_classify(status, &reply, n_events);
}

static void parses_every_field_of_a_hec_answer(void **state)
{
    (void)state;
    struct sf_hec_reply r = parse("{\"text\":\"Invalid data format\",\"code\":6,"
                                  "\"invalid-event-number\":3}");
    assert_true(r.is_json);
    assert_int_equal(r.code, 6);
    assert_int_equal(r.invalid_event, 3);
    assert_int_equal(r.ack_id, -1);
    assert_string_equal(r.text, "Invalid data format");
    r = parse("{\"text\":\"Success\",\"code\":0,\"ackId\":42}");
    assert_int_equal(r.code, 0);
    assert_int_equal(r.ack_id, 42);
    r = parse("{\"code\":\"7\",\"invalid-event-number\":\"2\"}"); /* quoted numbers */
    assert_int_equal(r.code, 7);
    assert_int_equal(r.invalid_event, 2);
}

static void treats_html_and_junk_bodies_as_not_json(void **state)
{
    (void)state;
    const char *bodies[] = {"",
                            "<html><body>413 Request Entity Too Large</body></html>",
                            "[1,2,3]",
                            "{\"code\":",
                            "\"text\"",
                            "{\"code\":-5,\"invalid-event-number\":-1,\"ackId\":1e99}",
                            "{\"code\":99999999999999999999}"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct sf_hec_reply r = parse(bodies[i]);
        assert_true(r.code == -1);
        assert_true(r.invalid_event == -1);
        assert_true(r.ack_id == -1);
    }
    assert_false(parse("<html>").is_json);
    assert_true(parse("{\"code\":-5}").is_json); /* JSON, but the code is not usable */
}

static void keeps_a_long_text_bounded(void **state)
{
    (void)state;
    char body[4096];
    int n = snprintf(body, sizeof(body), "{\"code\":6,\"text\":\"");
    for (int i = 0; i < 2000; i++) {
        body[n++] = 'a';
    }
    snprintf(body + n, sizeof(body) - (size_t)n, "\"}");
    struct sf_hec_reply r = parse(body);
    assert_int_equal(strlen(r.text), SF_HEC_TEXT_MAX - 1);
}

static void follows_the_retry_classification_table(void **state)
{
    (void)state;
    /* docs/protocol/hec.md §Retry classes row by row */
    assert_int_equal(act(200, "{\"text\":\"Success\",\"code\":0}", 5), SF_HEC_CONFIRM);
    assert_int_equal(act(200, "{\"code\":24}", 5), SF_HEC_CONFIRM);
    assert_int_equal(act(200, "{\"code\":25}", 5), SF_HEC_CONFIRM);
    assert_int_equal(act(204, "", 5), SF_HEC_CONFIRM);
    assert_int_equal(act(301, "", 5), SF_HEC_PAUSE);
    assert_int_equal(act(303, "<html>Splunk Web</html>", 5), SF_HEC_PAUSE);
    assert_int_equal(act(400, "{\"code\":6,\"invalid-event-number\":2}", 5), SF_HEC_SPLIT_AT);
    assert_int_equal(act(400, "{\"code\":7,\"invalid-event-number\":0}", 5), SF_HEC_SPLIT_AT);
    assert_int_equal(act(400, "{\"code\":12,\"invalid-event-number\":4}", 5), SF_HEC_SPLIT_AT);
    assert_int_equal(act(400, "{\"code\":13,\"invalid-event-number\":1}", 5), SF_HEC_SPLIT_AT);
    assert_int_equal(act(400, "{\"code\":15,\"invalid-event-number\":3}", 5), SF_HEC_SPLIT_AT);
    /* we never send an empty body: "No data" means something on the way lost it */
    assert_int_equal(act(400, "{\"code\":5,\"text\":\"No data\"}", 5), SF_HEC_RETRY);
    assert_int_equal(act(400, "{\"code\":10}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(400, "{\"code\":11}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(400, "{\"code\":16}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(400, "{\"code\":14}", 5), SF_HEC_ACK_DISABLED);
    assert_int_equal(act(401, "{\"code\":2}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(401, "{\"code\":3}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(403, "{\"code\":1}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(403, "{\"code\":4}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(403, "", 5), SF_HEC_RETRY); /* not HEC: a proxy or WAF */
    assert_int_equal(act(408, "", 5), SF_HEC_RETRY);
    assert_int_equal(act(413, "<html>too large</html>", 5), SF_HEC_SPLIT);
    assert_int_equal(act(413, "", 1), SF_HEC_DEAD_LETTER); /* a single event still too big */
    assert_int_equal(act(415, "", 5), SF_HEC_RETRY_SLOW);
    assert_int_equal(act(429, "{\"code\":26}", 5), SF_HEC_RETRY);
    assert_int_equal(act(429, "{\"code\":27}", 5), SF_HEC_RETRY);
    assert_int_equal(act(429, "", 5), SF_HEC_RETRY);
    assert_int_equal(act(500, "{\"code\":8}", 5), SF_HEC_RETRY);
    assert_int_equal(act(502, "<html>Bad Gateway</html>", 5), SF_HEC_RETRY);
    assert_int_equal(act(504, "", 5), SF_HEC_RETRY);
    assert_int_equal(act(503, "{\"code\":9,\"invalid-event-number\":0}", 5), SF_HEC_RETRY);
    assert_int_equal(act(503, "{\"code\":23}", 5), SF_HEC_RETRY);
    assert_int_equal(act(418, "", 5), SF_HEC_RETRY);             /* other 4xx: not HEC's verdict */
    assert_int_equal(act(422, "{\"code\":6}", 5), SF_HEC_SPLIT); /* 6 without k: halve */
    assert_int_equal(act(422, "{\"code\":6}", 1), SF_HEC_DEAD_LETTER); /* alone: it is k */
    assert_int_equal(act(599, "", 5), SF_HEC_RETRY);                   /* other 5xx */
    assert_int_equal(act(404, "", 5), SF_HEC_PAUSE);                   /* not a HEC endpoint */
    assert_int_equal(act(405, "", 5), SF_HEC_PAUSE);
}

static void refuses_an_invalid_event_number_outside_the_request(void **state)
{
    (void)state;
    assert_int_equal(act(400, "{\"code\":6,\"invalid-event-number\":5}", 5), SF_HEC_SPLIT);
    assert_int_equal(act(400, "{\"code\":6,\"invalid-event-number\":4}", 5), SF_HEC_SPLIT_AT);
    assert_int_equal(act(400, "{\"code\":6,\"invalid-event-number\":-1}", 5), SF_HEC_SPLIT);
    assert_int_equal(act(400, "{\"code\":6,\"invalid-event-number\":3}", 1), SF_HEC_DEAD_LETTER);
    assert_int_equal(act(400, "{\"code\":6,\"invalid-event-number\":0}", 1), SF_HEC_SPLIT_AT);
}

/* Only HEC itself, by a per-event code, condemns events: a page from a proxy or WAF in front of
 * Splunk (HTML, empty, or JSON that is not a HEC answer) or a 4xx HEC does not explain is
 * transient, whatever its status (issue 10 §6). */
static void retries_4xx_answers_that_are_not_hec_verdicts(void **state)
{
    (void)state;
    assert_int_equal(act(400, "<html><title>400 Bad Request</title></html>", 5), SF_HEC_RETRY);
    assert_int_equal(act(400, "<html><title>400 Bad Request</title></html>", 1), SF_HEC_RETRY);
    assert_int_equal(act(400, "", 5), SF_HEC_RETRY);
    assert_int_equal(act(400, "{\"error\":\"blocked by policy\"}", 5), SF_HEC_RETRY);
    assert_int_equal(act(400, "{\"text\":\"Something new\",\"code\":99}", 5), SF_HEC_RETRY);
    assert_int_equal(act(403, "<html><title>403 Forbidden</title></html>", 5), SF_HEC_RETRY);
    assert_int_equal(act(401, "<html>proxy login</html>", 5), SF_HEC_RETRY);
    assert_int_equal(act(403, "{\"text\":\"Invalid token\",\"code\":4}", 5), SF_HEC_PAUSE);
    assert_int_equal(act(409, "<html>Conflict</html>", 5), SF_HEC_RETRY);
    assert_int_equal(act(451, "", 1), SF_HEC_RETRY);
}

/* Every code of docs/protocol/hec.md §Status codes with the HTTP status Splunk sends it with. */
static void maps_every_hec_code_with_its_status(void **state)
{
    (void)state;
    static const struct {
        int code;
        long status;
        enum sf_hec_action action;
    } rows[] = {
        {0, 200, SF_HEC_CONFIRM},   {1, 403, SF_HEC_PAUSE},     {2, 401, SF_HEC_PAUSE},
        {3, 401, SF_HEC_PAUSE},     {4, 403, SF_HEC_PAUSE},     {5, 400, SF_HEC_RETRY},
        {6, 400, SF_HEC_SPLIT_AT},  {7, 400, SF_HEC_SPLIT_AT},  {8, 500, SF_HEC_RETRY},
        {9, 503, SF_HEC_RETRY},     {10, 400, SF_HEC_PAUSE},    {11, 400, SF_HEC_PAUSE},
        {12, 400, SF_HEC_SPLIT_AT}, {13, 400, SF_HEC_SPLIT_AT}, {14, 400, SF_HEC_ACK_DISABLED},
        {15, 400, SF_HEC_SPLIT_AT}, {16, 400, SF_HEC_PAUSE},    {17, 200, SF_HEC_CONFIRM},
        {18, 503, SF_HEC_RETRY},    {19, 503, SF_HEC_RETRY},    {20, 503, SF_HEC_RETRY},
        {21, 400, SF_HEC_PAUSE},    {22, 400, SF_HEC_PAUSE},    {23, 503, SF_HEC_RETRY},
        {24, 200, SF_HEC_CONFIRM},  {25, 200, SF_HEC_CONFIRM},  {26, 429, SF_HEC_RETRY},
        {27, 429, SF_HEC_RETRY},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"text\":\"%s\",\"code\":%d,\"invalid-event-number\":1}",
                 sf_hec_code_text(rows[i].code), rows[i].code);
        enum sf_hec_action got = act(rows[i].status, body, 3);
        if (got != rows[i].action) {
            fail_msg("code %d status %ld: got %s, want %s", rows[i].code, rows[i].status,
                     sf_hec_action_name(got), sf_hec_action_name(rows[i].action));
        }
        assert_non_null(sf_hec_code_text(rows[i].code));
    }
    assert_null(sf_hec_code_text(28));
    assert_null(sf_hec_code_text(-1));
    assert_string_equal(sf_hec_code_text(9), "Server is busy");
}

static void classifies_transfer_failures(void **state)
{
    (void)state;
    assert_int_equal(sf_hec_classify_transport(CURLE_COULDNT_CONNECT), SF_HEC_RETRY);
    assert_int_equal(sf_hec_classify_transport(CURLE_OPERATION_TIMEDOUT), SF_HEC_RETRY);
    assert_int_equal(sf_hec_classify_transport(CURLE_GOT_NOTHING), SF_HEC_RETRY);
    assert_int_equal(sf_hec_classify_transport(CURLE_RECV_ERROR), SF_HEC_RETRY);
    assert_int_equal(sf_hec_classify_transport(CURLE_COULDNT_RESOLVE_HOST), SF_HEC_RETRY);
    assert_int_equal(sf_hec_classify_transport(CURLE_SSL_CONNECT_ERROR), SF_HEC_RETRY);
    assert_int_equal(sf_hec_classify_transport(CURLE_PEER_FAILED_VERIFICATION), SF_HEC_PAUSE);
    assert_int_equal(sf_hec_classify_transport(CURLE_SSL_CACERT_BADFILE), SF_HEC_PAUSE);
    assert_int_equal(sf_hec_classify_transport(CURLE_SSL_CERTPROBLEM), SF_HEC_PAUSE);
}

static void reads_integer_retry_after_only(void **state)
{
    (void)state;
    assert_int_equal(sf_hec_retry_after_ms("1"), 1000);
    assert_int_equal(sf_hec_retry_after_ms(" 30 "), 30000);
    assert_int_equal(sf_hec_retry_after_ms("0"), 0);
    assert_int_equal(sf_hec_retry_after_ms("100000"), SF_HEC_RETRY_AFTER_MAX * 1000);
    assert_int_equal(sf_hec_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
    assert_int_equal(sf_hec_retry_after_ms("-1"), -1);
    assert_int_equal(sf_hec_retry_after_ms("1.5"), -1);
    assert_int_equal(sf_hec_retry_after_ms(""), -1);
    assert_int_equal(sf_hec_retry_after_ms(NULL), -1);
    assert_int_equal(sf_hec_retry_after_ms("99999999999999999999999"), -1);
}

struct acks_seen {
    uint64_t ids[16];
    bool values[16];
    size_t n;
};

static void note_ack(void *ctx, uint64_t ack_id, bool is_indexed)
{
    struct acks_seen *s = ctx;
    if (s->n < 16) {
        s->ids[s->n] = ack_id;
        s->values[s->n] = is_indexed;
        s->n++;
    }
}

static void parses_ack_answers(void **state)
{
    (void)state;
    struct acks_seen s = {0};
    const char *body = "{\"acks\":{\"0\":true,\"1\":false,\"18446744073709551615\":true,"
                       "\"x\":true,\"18446744073709551616\":true,\"-1\":true}}";
    assert_true(sf_hec_ack_reply_parse((const uint8_t *)body, strlen(body), note_ack, &s));
    assert_int_equal(s.n, 3);
    uint64_t sum_true = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.ids[i] == 1) {
            assert_false(s.values[i]);
        } else {
            assert_true(s.values[i]);
            sum_true++;
        }
    }
    assert_int_equal(sum_true, 2);
    const char *bad[] = {"", "{}", "{\"acks\":[0,1]}", "<html>", "{\"acks\":{\"0\":true}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s.n = 0;
        assert_false(sf_hec_ack_reply_parse((const uint8_t *)bad[i], strlen(bad[i]), note_ack, &s));
        assert_int_equal(s.n, 0);
    }
}

static void escapes_excerpts_for_logfmt(void **state)
{
    (void)state;
    char out[64];
    const char *in = "<a href=\"x\">\\</a>";
    sf_hec_excerpt((const uint8_t *)in, strlen(in), 512, out, sizeof(out));
    assert_string_equal(out, "<a href=\\\"x\\\">\\\\</a>");
    sf_hec_excerpt((const uint8_t *)in, strlen(in), 3, out, sizeof(out));
    assert_string_equal(out, "<a ");
    char small[8];
    sf_hec_excerpt((const uint8_t *)"0123456789", 10, 512, small, sizeof(small));
    assert_true(strlen(small) < sizeof(small));
}

static enum sf_hec_health_verdict
health(bool is_https, CURLcode cc, const char *error, long status, const char *body, char *msg)
{
    return sf_hec_health_classify(is_https, "splunk:8088", cc, error, status, (const uint8_t *)body,
                                  strlen(body), msg, 512);
}

static void explains_the_usual_health_check_failures(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(
        health(true, CURLE_OK, "", 200, "{\"text\":\"HEC is healthy\",\"code\":17}", msg),
        SF_HEC_HEALTH_OK);
    assert_int_equal(health(true, CURLE_COULDNT_CONNECT, "Failed to connect", 0, "", msg),
                     SF_HEC_HEALTH_REFUSED);
    assert_non_null(strstr(msg, "wrong port"));
    assert_non_null(strstr(msg, "splunk:8088"));
    assert_int_equal(health(false, CURLE_GOT_NOTHING, "Empty reply from server", 0, "", msg),
                     SF_HEC_HEALTH_NO_REPLY);
    assert_non_null(strstr(msg, "https://"));
    assert_int_equal(health(false, CURLE_RECV_ERROR, "Connection reset by peer", 0, "", msg),
                     SF_HEC_HEALTH_NO_REPLY);
    /* A proxy's refusal of CONNECT is the proxy's, not HEC's (hec_http.c rewrote curl's text). */
    assert_int_equal(health(true, CURLE_RECV_ERROR,
                            "proxy http://p:3128 refused CONNECT to splunk:8088: 407 Proxy "
                            "Authentication Required",
                            0, "", msg),
                     SF_HEC_HEALTH_PROXY);
    assert_non_null(strstr(msg, "the HTTP proxy, not HEC"));
    assert_non_null(strstr(msg, "refused CONNECT to splunk:8088: 407"));
    assert_int_equal(health(true, CURLE_SSL_CONNECT_ERROR,
                            "error:0A00010B:SSL routines::wrong version number", 0, "", msg),
                     SF_HEC_HEALTH_TLS_PLAIN);
    assert_non_null(strstr(msg, "http://"));
    assert_int_equal(health(true, CURLE_SSL_CONNECT_ERROR,
                            "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to h:8088", 0, "",
                            msg),
                     SF_HEC_HEALTH_TLS_PLAIN);
    assert_int_equal(
        health(true, CURLE_SSL_CONNECT_ERROR, "sslv3 alert handshake failure", 0, "", msg),
        SF_HEC_HEALTH_TLS_OTHER);
    assert_int_equal(health(true, CURLE_PEER_FAILED_VERIFICATION,
                            "SSL certificate problem: unable to get local issuer certificate", 0,
                            "", msg),
                     SF_HEC_HEALTH_TLS_UNTRUSTED);
    assert_non_null(strstr(msg, "ca_file"));
    assert_int_equal(health(true, CURLE_PEER_FAILED_VERIFICATION,
                            "SSL: no alternative certificate subject name matches target host "
                            "name '127.0.0.2'",
                            0, "", msg),
                     SF_HEC_HEALTH_TLS_NAME);
    assert_int_equal(
        health(true, CURLE_OK, "", 400, "{\"text\":\"Invalid token\",\"code\":21}", msg),
        SF_HEC_HEALTH_TOKEN);
    assert_int_equal(
        health(true, CURLE_OK, "", 400, "{\"text\":\"Token disabled\",\"code\":22}", msg),
        SF_HEC_HEALTH_TOKEN);
    assert_int_equal(health(true, CURLE_OK, "", 403, "{\"code\":4}", msg), SF_HEC_HEALTH_TOKEN);
    assert_int_equal(health(true, CURLE_OK, "", 401, "", msg), SF_HEC_HEALTH_TOKEN);
    assert_int_equal(health(true, CURLE_OK, "", 404, "<html>", msg), SF_HEC_HEALTH_NOT_HEC);
    assert_non_null(strstr(msg, "8000"));
    assert_int_equal(health(true, CURLE_OK, "", 303, "", msg), SF_HEC_HEALTH_NOT_HEC);
    assert_int_equal(health(true, CURLE_OK, "", 503,
                            "{\"text\":\"HEC is unhealthy, queues are full\",\"code\":18}", msg),
                     SF_HEC_HEALTH_UNHEALTHY);
    assert_int_equal(health(true, CURLE_OK, "", 503, "{\"code\":19}", msg),
                     SF_HEC_HEALTH_UNHEALTHY);
    assert_int_equal(health(true, CURLE_OK, "", 503, "{\"code\":20}", msg),
                     SF_HEC_HEALTH_UNHEALTHY);
    assert_int_equal(health(true, CURLE_OPERATION_TIMEDOUT, "timed out", 0, "", msg),
                     SF_HEC_HEALTH_TIMEOUT);
    assert_int_equal(health(true, CURLE_COULDNT_RESOLVE_HOST, "nope", 0, "", msg),
                     SF_HEC_HEALTH_RESOLVE);
    assert_int_equal(health(true, CURLE_OK, "", 500, "", msg), SF_HEC_HEALTH_OTHER);
    assert_null(strstr(msg, "token\":")); /* never echoes secrets: nothing but the answer */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_field_of_a_hec_answer),
        cmocka_unit_test(treats_html_and_junk_bodies_as_not_json),
        cmocka_unit_test(keeps_a_long_text_bounded),
        cmocka_unit_test(follows_the_retry_classification_table),
        cmocka_unit_test(refuses_an_invalid_event_number_outside_the_request),
        cmocka_unit_test(retries_4xx_answers_that_are_not_hec_verdicts),
        cmocka_unit_test(maps_every_hec_code_with_its_status),
        cmocka_unit_test(classifies_transfer_failures),
        cmocka_unit_test(reads_integer_retry_after_only),
        cmocka_unit_test(parses_ack_answers),
        cmocka_unit_test(escapes_excerpts_for_logfmt),
        cmocka_unit_test(explains_the_usual_health_check_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
