/* URL redaction for messages and dumps: secrets go, the rest stays recognisable. */
#include "sf_test.h"

#include <stdlib.h>
#include <string.h>

#include "util/url.h"

static void expect(const char *url, const char *want)
{
    char *got = sf_url_redact_dup(url);
    assert_string_equal(got, want);
    free(got);
}

static void secrets_are_redacted_and_the_rest_kept(void **state)
{
    (void)state;
    expect("https://splunk.example.com:8088/services/collector/event",
           "https://splunk.example.com:8088/services/collector/event");
    expect("cn-hangzhou.log.aliyuncs.com", "cn-hangzhou.log.aliyuncs.com");
    expect("https://u:p@ss@h:1/p", "https://u:<redacted>@h:1/p"); /* the last @ ends it */
    expect("https://bare-token@h/", "https://<redacted>@h/");
    expect("http://h/p?token=t1&channel=c;X-Splunk-Key=k2#f",
           "http://h/p?token=<redacted>&channel=c;X-Splunk-Key=<redacted>#f");
    expect("http://h?SessionToken=s&a=1&sig", "http://h?SessionToken=<redacted>&a=1&sig");
    expect("http://h/p?", "http://h/p?");
    expect("http://h#token=x", "http://h#token=x"); /* a fragment never leaves the client */
    expect("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secrets_are_redacted_and_the_rest_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
