/* Authorization header forms (docs/protocol/hec.md §Authentication). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "auth.h"
#include "hec.h"

#include "util/banned.h"

static void takes_splunk_and_basic_credentials(void **state)
{
    (void)state;
    char token[HEC_TOKEN_MAX + 1];
    assert_int_equal(hec_auth_parse_header("Splunk 1234-abcd", token, sizeof(token)), HEC_AUTH_OK);
    assert_string_equal(token, "1234-abcd");
    assert_int_equal(hec_auth_parse_header("  splunk \t tok  ", token, sizeof(token)), HEC_AUTH_OK);
    assert_string_equal(token, "tok");
    /* "x:my-token" and ":my-token": any user name, the token as password. */
    assert_int_equal(hec_auth_parse_header("Basic eDpteS10b2tlbg==", token, sizeof(token)),
                     HEC_AUTH_OK);
    assert_string_equal(token, "my-token");
    assert_int_equal(hec_auth_parse_header("basic Om15LXRva2Vu", token, sizeof(token)),
                     HEC_AUTH_OK);
    assert_string_equal(token, "my-token");
    /* The password may itself contain ':' ("u:a:b"). */
    assert_int_equal(hec_auth_parse_header("Basic dTphOmI=", token, sizeof(token)), HEC_AUTH_OK);
    assert_string_equal(token, "a:b");
}

static void refuses_malformed_credentials(void **state)
{
    (void)state;
    char token[HEC_TOKEN_MAX + 1];
    const char *bad[] = {
        "",                 /* empty header */
        "Splunk",           /* no token */
        "Splunk   ",        /* blank token */
        "1234-abcd",        /* bare token, no scheme */
        "Bearer 1234-abcd", /* not Splunk's */
        "Splunk1234",       /* no space */
        "Basic !!!",        /* not base64 */
        "Basic dXNlcg==",   /* "user": no ':' */
        "Basic dTo=",       /* "u:": empty password */
        "Basic",            /* nothing */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(hec_auth_parse_header(bad[i], token, sizeof(token)), HEC_AUTH_MALFORMED);
    }
    char long_header[HEC_TOKEN_MAX + 16];
    memset(long_header, 'a', sizeof(long_header) - 1);
    memcpy(long_header, "Splunk ", 7);
    long_header[sizeof(long_header) - 1] = '\0';
    assert_int_equal(hec_auth_parse_header(long_header, token, sizeof(token)), HEC_AUTH_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(takes_splunk_and_basic_credentials),
        cmocka_unit_test(refuses_malformed_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
