/* Proxy choice: the configured value wins, then the environment as curl reads it (with
 * HTTP_PROXY outside CGI), NO_PROXY with curl's matching rules plus ports; texts for logs. */
#include "sf_test.h"

#include <string.h>

#include "util/proxy.h"

static struct sf_proxy resolve_ok(const char *target, const char *configured, char *const *env)
{
    struct sf_proxy p;
    char err[512] = "";
    sf_err rc = sf_proxy_resolve(target, configured, "sls.proxy", env, &p, err, sizeof(err));
    if (rc != SF_OK) {
        fail_msg("resolve failed: %s", err);
    }
    return p;
}

static void configured_value_wins_over_the_environment(void **state)
{
    (void)state;
    char *env[] = {"HTTPS_PROXY=http://envproxy:3128", "NO_PROXY=example.com", NULL};
    struct sf_proxy p = resolve_ok("https://x.example.com", "http://cfg:8080/", env);
    assert_string_equal(p.url, "http://cfg:8080");
    assert_string_equal(p.origin, "sls.proxy"); /* NO_PROXY does not apply to a key */
    p = resolve_ok("https://a.b", "none", env);
    assert_string_equal(p.url, "");
    assert_string_equal(p.origin, "sls.proxy");
    p = resolve_ok("https://a.b", "", env);
    assert_string_equal(p.url, "");
    assert_string_equal(p.origin, "sls.proxy");
    p = resolve_ok("https://a.b", "http://[::1]:3128", env);
    assert_string_equal(p.url, "http://[::1]:3128");
}

static void environment_is_read_as_curl_does(void **state)
{
    (void)state;
    char *upper[] = {"HTTPS_PROXY=http://up:1", "ALL_PROXY=http://all:3", NULL};
    struct sf_proxy p = resolve_ok("https://h", NULL, upper);
    assert_string_equal(p.url, "http://up:1");
    assert_string_equal(p.origin, "HTTPS_PROXY");
    /* lower case first; set but empty means direct and stops the search */
    char *both[] = {"HTTPS_PROXY=http://up:1", "https_proxy=http://low:2", NULL};
    p = resolve_ok("https://h", NULL, both);
    assert_string_equal(p.origin, "https_proxy");
    assert_string_equal(p.url, "http://low:2");
    char *empty[] = {"https_proxy=", "HTTPS_PROXY=http://up:1", NULL};
    p = resolve_ok("https://h", NULL, empty);
    assert_string_equal(p.url, "");
    assert_string_equal(p.origin, "https_proxy");
    /* an http target does not use HTTPS_PROXY; ALL_PROXY is the fallback */
    p = resolve_ok("http://h:80", NULL, upper);
    assert_string_equal(p.url, "http://all:3");
    assert_string_equal(p.origin, "ALL_PROXY");
    /* HTTP_PROXY is read, except in a CGI environment (httpoxy) */
    char *http_upper[] = {"HTTP_PROXY=http://hp:4", NULL};
    p = resolve_ok("http://h", NULL, http_upper);
    assert_string_equal(p.url, "http://hp:4");
    char *cgi[] = {"HTTP_PROXY=http://evil:4", "REQUEST_METHOD=GET", NULL};
    p = resolve_ok("http://h", NULL, cgi);
    assert_string_equal(p.url, "");
    /* no scheme and no port: http:// and curl's 1080; credentials kept for curl */
    char *bare[] = {"https_proxy=proxy.corp", "HTTPS_PROXY=x", NULL};
    p = resolve_ok("https://h", NULL, bare);
    assert_string_equal(p.url, "http://proxy.corp:1080");
    char *creds[] = {"HTTPS_PROXY=http://u:p%40ss@proxy:3128/", NULL};
    p = resolve_ok("https://h", NULL, creds);
    assert_string_equal(p.url, "http://u:p%40ss@proxy:3128");
    p = resolve_ok("https://h", NULL, NULL);
    assert_string_equal(p.url, "");
    assert_string_equal(p.origin, "");
}

static void no_proxy_exempts_matching_targets(void **state)
{
    (void)state;
    char *env[] = {"HTTPS_PROXY=http://p:1", "http_proxy=http://p:1",
                   "NO_PROXY=.example.com, 10.0.0.0/8,127.0.0.1", NULL};
    struct sf_proxy p = resolve_ok("https://a.example.com/x", NULL, env);
    assert_string_equal(p.url, "");
    assert_string_equal(p.origin, "NO_PROXY");
    p = resolve_ok("http://127.0.0.1:8080", NULL, env);
    assert_string_equal(p.url, "");
    p = resolve_ok("https://notexample.com", NULL, env);
    assert_string_equal(p.url, "http://p:1");
    char *lower[] = {"HTTPS_PROXY=http://p:1", "no_proxy=", "NO_PROXY=*", NULL};
    p = resolve_ok("https://h", NULL, lower); /* no_proxy set (empty) hides NO_PROXY */
    assert_string_equal(p.url, "http://p:1");
}

static void no_proxy_rules(void **state)
{
    (void)state;
    assert_true(sf_proxy_no_proxy_matches("*", "anything", 1));
    assert_true(sf_proxy_no_proxy_matches("a,*", "anything", 1));
    assert_true(sf_proxy_no_proxy_matches("example.com", "example.com", 443));
    assert_true(sf_proxy_no_proxy_matches("example.com", "WWW.Example.COM.", 443));
    assert_true(sf_proxy_no_proxy_matches(".example.com", "example.com", 443));
    assert_true(sf_proxy_no_proxy_matches("*.example.com", "a.example.com", 443));
    assert_true(sf_proxy_no_proxy_matches("example.com.", "a.example.com", 443));
    assert_false(sf_proxy_no_proxy_matches("example.com", "notexample.com", 443));
    assert_false(sf_proxy_no_proxy_matches("www.example.com", "example.com", 443));
    assert_false(sf_proxy_no_proxy_matches("", "example.com", 443));
    /* ports */
    assert_true(sf_proxy_no_proxy_matches("splunk:8088", "splunk", 8088));
    assert_false(sf_proxy_no_proxy_matches("splunk:8088", "splunk", 443));
    assert_true(sf_proxy_no_proxy_matches("127.0.0.1:9000", "127.0.0.1", 9000));
    assert_false(sf_proxy_no_proxy_matches("127.0.0.1:9000", "127.0.0.1", 9001));
    assert_true(sf_proxy_no_proxy_matches("[::1]:443", "[::1]", 443));
    /* IP addresses: exact or CIDR, never as name suffixes */
    assert_true(sf_proxy_no_proxy_matches("192.168.0.0/16", "192.168.3.4", 80));
    assert_false(sf_proxy_no_proxy_matches("192.168.0.0/16", "192.169.3.4", 80));
    assert_true(sf_proxy_no_proxy_matches("10.1.2.3", "10.1.2.3", 80));
    assert_false(sf_proxy_no_proxy_matches("0.0.1", "10.0.0.1", 80));
    assert_true(sf_proxy_no_proxy_matches("fd00::/8", "fd12::1", 80));
    assert_false(sf_proxy_no_proxy_matches("fd00::/8", "fe80::1", 80));
    assert_true(sf_proxy_no_proxy_matches("::1", "::1", 80));
    assert_true(sf_proxy_no_proxy_matches("a.com\tb.com ,, c.com", "x.c.com", 80));
}

static void bad_values_name_the_key_or_variable(void **state)
{
    (void)state;
    struct sf_proxy p;
    char err[512];
    assert_int_equal(sf_proxy_resolve("https://h", "https://p:1", "output.hec.proxy", NULL, &p, err,
                                      sizeof(err)),
                     SF_ERR_CONFIG);
    assert_non_null(strstr(err, "output.hec.proxy: https:// proxies are not supported"));
    assert_int_equal(sf_proxy_resolve("https://h", "http://u:secret@p:1", "sls.proxy", NULL, &p,
                                      err, sizeof(err)),
                     SF_ERR_CONFIG);
    assert_non_null(strstr(err, "sls.proxy_credentials"));
    assert_null(strstr(err, "secret@"));
    char *socks[] = {"ALL_PROXY=socks5://u:secret@s:1080", NULL};
    assert_int_equal(sf_proxy_resolve("https://h", NULL, "sls.proxy", socks, &p, err, sizeof(err)),
                     SF_ERR_CONFIG);
    assert_non_null(strstr(err, "environment variable ALL_PROXY"));
    assert_non_null(strstr(err, "socks5://"));
    assert_non_null(strstr(err, "set sls.proxy"));
    assert_null(strstr(err, "secret"));
    char why[256];
    assert_true(sf_proxy_check_url("none", "sls.proxy_credentials", why, sizeof(why)));
    assert_true(sf_proxy_check_url("http://proxy:3128", "x", why, sizeof(why)));
    assert_false(sf_proxy_check_url("http://proxy", "x", why, sizeof(why)));
    assert_non_null(strstr(why, "port"));
    assert_false(sf_proxy_check_url("proxy:3128", "x", why, sizeof(why)));
    assert_false(sf_proxy_check_url("http://proxy:3128/path", "x", why, sizeof(why)));
    assert_false(sf_proxy_check_url("http://proxy:99999", "x", why, sizeof(why)));
}

static void texts_for_logs_hide_passwords(void **state)
{
    (void)state;
    char out[256];
    struct sf_proxy p = {.url = "http://u:pw@proxy:3128", .origin = "HTTPS_PROXY"};
    sf_proxy_describe(&p, out, sizeof(out));
    assert_string_equal(out, "http://u:<redacted>@proxy:3128 (from HTTPS_PROXY)");
    sf_proxy_display_url(&p, out, sizeof(out));
    assert_string_equal(out, "http://proxy:3128");
    struct sf_proxy none = {.url = "", .origin = "no_proxy"};
    sf_proxy_describe(&none, out, sizeof(out));
    assert_string_equal(out, "none (the target is in no_proxy)");
    struct sf_proxy key = {.url = "", .origin = "output.hec.proxy"};
    sf_proxy_describe(&key, out, sizeof(out));
    assert_string_equal(out, "none (from output.hec.proxy)");
    struct sf_proxy nothing = {.url = "", .origin = ""};
    sf_proxy_describe(&nothing, out, sizeof(out));
    assert_string_equal(out, "none");
    sf_proxy_refusal_text("http://127.0.0.1:8888", "127.0.0.1:8088", 407, out, sizeof(out));
    assert_string_equal(out, "proxy http://127.0.0.1:8888 refused CONNECT to 127.0.0.1:8088: 407 "
                             "Proxy Authentication Required");
    sf_proxy_refusal_text("http://p:1", "h:443", 599, out, sizeof(out));
    assert_string_equal(out, "proxy http://p:1 refused CONNECT to h:443: 599");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(configured_value_wins_over_the_environment),
        cmocka_unit_test(environment_is_read_as_curl_does),
        cmocka_unit_test(no_proxy_exempts_matching_targets),
        cmocka_unit_test(no_proxy_rules),
        cmocka_unit_test(bad_values_name_the_key_or_variable),
        cmocka_unit_test(texts_for_logs_hide_passwords),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
