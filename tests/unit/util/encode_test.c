#include "sf_test.h"

#include "util/encode.h"

static void base64_round_trips_every_padding(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"1749542400000000000", "MTc0OTU0MjQwMDAwMDAwMDAwMA=="},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char enc[64];
        size_t n = sf_base64_encode((const uint8_t *)cases[i][0], strlen(cases[i][0]), enc);
        assert_int_equal(n, strlen(cases[i][1]));
        assert_string_equal(enc, cases[i][1]);
        uint8_t dec[64];
        size_t dec_len = 0;
        assert_true(sf_base64_decode(enc, n, dec, &dec_len));
        assert_int_equal(dec_len, strlen(cases[i][0]));
        assert_memory_equal(dec, cases[i][0], dec_len);
    }
}

static void base64_decode_rejects_garbage(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t len;
    assert_false(sf_base64_decode("abc", 3, out, &len));
    assert_false(sf_base64_decode("ab=c", 4, out, &len));
    assert_false(sf_base64_decode("a!cd", 4, out, &len));
    assert_false(sf_base64_decode("Zg==Zg==", 8, out, &len));
}

static void url_encode_keeps_only_unreserved(void **state)
{
    (void)state;
    struct sf_buf buf;
    sf_buf_init(&buf, 1024);
    const char in[] = "MA==/+ a~b_c.d-\xe4";
    SF_CHECK_ERR(sf_url_encode(&buf, in, strlen(in)), SF_OK);
    SF_CHECK_ERR(sf_buf_terminate(&buf), SF_OK);
    assert_string_equal((char *)buf.ptr, "MA%3D%3D%2F%2B%20a~b_c.d-%E4");
    sf_buf_cleanup(&buf);
}

static void hex_encodes_both_cases(void **state)
{
    (void)state;
    char out[9];
    const uint8_t in[] = {0xde, 0xad, 0x0b, 0xef};
    sf_hex_encode(in, 4, false, out);
    assert_string_equal(out, "dead0bef");
    sf_hex_encode(in, 4, true, out);
    assert_string_equal(out, "DEAD0BEF");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base64_round_trips_every_padding),
        cmocka_unit_test(base64_decode_rejects_garbage),
        cmocka_unit_test(url_encode_keeps_only_unreserved),
        cmocka_unit_test(hex_encodes_both_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
