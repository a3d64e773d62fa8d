/* transform/json.h: the escaper against an independent reference (every byte, Python's
 * replacement vectors, random strings at both levels) and the validator against hand-picked
 * cases and jansson. */
#include "xform_test.h"

#include "transform/json.h"
#include "transform/json_int.h"
#include "utf8_vectors.h"
#include "util/alloc.h"
#include "util/banned.h"

/* Escapes |s| with the module into an exact-size heap buffer of sf_json_escape_bound bytes (so
 * ASan sees any write past it) and checks the result against the reference and
 * sf_json_escaped_len. */
static void check_escape(const uint8_t *s, size_t n, unsigned level)
{
    size_t bound = sf_json_escape_bound(n, level);
    uint8_t *got = test_malloc(bound);
    size_t got_len = (size_t)(sf_json_escape(got, (const char *)s, n, level) - got);
    assert_true(got_len <= bound);
    assert_int_equal(sf_json_escaped_len((const char *)s, n, level), got_len);

    uint8_t *clean = test_malloc(3 * n + 1);
    uint8_t *want = test_malloc(36 * n + 1);
    uint8_t *once = test_malloc(18 * n + 1);
    size_t clean_len = ref_sanitize(s, n, clean);
    size_t want_len;
    if (level == 1) {
        want_len = ref_escape_once(clean, clean_len, want);
    } else {
        size_t once_len = ref_escape_once(clean, clean_len, once);
        want_len = ref_escape_once(once, once_len, want);
    }
    if (got_len != want_len || memcmp(got, want, want_len) != 0) {
        fail_msg("level %u: got \"%.*s\", want \"%.*s\"", level, (int)got_len, got, (int)want_len,
                 want);
    }
    assert_true(ref_utf8_valid(got, got_len));

    /* As the content of a string, it must read back as the sanitised input (once per level). */
    uint8_t *quoted = test_malloc(got_len + 2);
    quoted[0] = '"';
    memcpy(quoted + 1, got, got_len);
    quoted[got_len + 1] = '"';
    json_t *json = parse_json_or_fail((const char *)quoted, got_len + 2);
    if (level == 1) {
        assert_true(json_string_is(json, clean, clean_len));
    }
    json_decref(json);
    test_free(quoted);
    test_free(once);
    test_free(want);
    test_free(clean);
    test_free(got);
}

static void every_single_byte_escapes_as_documented(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 256; c++) {
        uint8_t one = (uint8_t)c;
        check_escape(&one, 1, 1);
        check_escape(&one, 1, 2);
        /* The same byte inside long runs, so the 16- and 8-byte fast paths meet it at each
         * position of a block. */
        uint8_t run[40];
        for (size_t pos = 0; pos < 20; pos++) {
            memset(run, 'a', sizeof(run));
            run[pos] = one;
            check_escape(run, sizeof(run), 1);
            check_escape(run, sizeof(run), 2);
        }
    }
}

static void short_escapes_and_del_are_as_documented(void **state)
{
    (void)state;
    static const char in[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f";
    uint8_t out[256];
    size_t n = (size_t)(sf_json_escape(out, in, sizeof(in) - 1, 1) - out);
    static const char want1[] = "q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f";
    assert_int_equal(n, sizeof(want1) - 1);
    assert_memory_equal(out, want1, n);
    n = (size_t)(sf_json_escape(out, in, sizeof(in) - 1, 2) - out);
    static const char want2[] =
        "q\\\\\\\"b\\\\\\\\s/\\\\b\\\\f\\\\n\\\\r\\\\t\\\\u0001\\\\u001f\x7f";
    assert_int_equal(n, sizeof(want2) - 1);
    assert_memory_equal(out, want2, n);
}

static void python_replacement_vectors_match(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(utf8_vectors) / sizeof(utf8_vectors[0]); i++) {
        size_t in_len, want_len;
        uint8_t *in = sf_test_unhex(utf8_vectors[i].in_hex, &in_len);
        uint8_t *want = sf_test_unhex(utf8_vectors[i].want_hex, &want_len);

        /* The test's own oracle agrees with Python... */
        uint8_t clean[64];
        size_t clean_len = ref_sanitize(in, in_len, clean);
        if (clean_len != want_len || memcmp(clean, want, want_len) != 0) {
            fail_msg("reference disagrees with Python on %s", utf8_vectors[i].in_hex);
        }
        /* ...and so does the module, once escapes are undone by jansson. */
        uint8_t out[256];
        out[0] = '"';
        size_t n = (size_t)(sf_json_escape(out + 1, (const char *)in, in_len, 1) - out);
        out[n++] = '"';
        json_t *json = parse_json_or_fail((const char *)out, n);
        if (!json_string_is(json, want, want_len)) {
            fail_msg("module disagrees with Python on %s", utf8_vectors[i].in_hex);
        }
        json_decref(json);
        check_escape(in, in_len, 1);
        check_escape(in, in_len, 2);
        test_free(want);
        test_free(in);
    }
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Up to two random edits of |buf| (|n| of |cap| bytes): a byte of |mutations| replaced or
 * inserted, a byte deleted, or (|may_truncate|) the text cut short. Returns the new length. */
static size_t
mutate(char *buf, size_t cap, size_t n, uint64_t *seed, const char *mutations, bool may_truncate)
{
    size_t n_mutations = strlen(mutations);
    unsigned n_edits = (unsigned)(rng_next(seed) % 3);
    for (unsigned e = 0; e < n_edits && n > 0; e++) {
        uint64_t r = rng_next(seed);
        size_t pos = (size_t)(r % n);
        char c = mutations[(r >> 16) % n_mutations];
        unsigned kind = (unsigned)((r >> 32) % (may_truncate ? 4 : 3));
        if (!may_truncate && kind == 2) {
            kind = 3; /* three kinds: the third draw inserts */
        }
        switch (kind) {
        case 0:
            buf[pos] = c;
            break;
        case 1:
            memmove(buf + pos, buf + pos + 1, n - pos - 1);
            n--;
            break;
        case 2:
            n = pos; /* truncated anywhere */
            break;
        default:
            if (n + 1 < cap) {
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = c;
                n++;
            }
            break;
        }
    }
    return n;
}

static void random_strings_match_the_reference(void **state)
{
    (void)state;
    static const uint8_t alphabet[] = {'a',  'Z',  ' ',  '"',  '\\', '/',  0x00, 0x01, 0x0a, 0x1f,
                                       0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef,
                                       0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x90, 0x8f, 0x9f};
    uint64_t seed = 0x5eed;
    uint8_t buf[300];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = rng_next(&seed) % sizeof(buf);
        unsigned plain_bias = (unsigned)(rng_next(&seed) % 4); /* 0: all alphabet, 3: mostly 'a' */
        for (size_t i = 0; i < n; i++) {
            uint64_t r = rng_next(&seed);
            buf[i] = (r % 4 < plain_bias) ? (uint8_t)('a' + r % 26)
                                          : alphabet[(r >> 8) % sizeof(alphabet)];
        }
        check_escape(buf, n, 1 + (unsigned)(iter & 1));
    }
}

static void valid_utf8_passes_through_unchanged(void **state)
{
    (void)state;
    /* 2-, 3- and 4-byte characters at every boundary, U+2028, noncharacters, U+10FFFF. */
    static const char in[] = "caf\xc3\xa9 \xe6\x89\x8b\xe6\x9c\xba \xf0\x9f\x98\x80 \xe2\x80\xa8 "
                             "\xef\xbf\xbe \xf4\x8f\xbf\xbf \xc2\x80 \xe0\xa0\x80 \xf0\x90\x80\x80";
    uint8_t out[256];
    size_t n = (size_t)(sf_json_escape(out, in, sizeof(in) - 1, 1) - out);
    assert_int_equal(n, sizeof(in) - 1);
    assert_memory_equal(out, in, n);
}

/* ---- validator ---- */

static bool check(const char *text)
{
    return sf_json_check(text, strlen(text), 64, NULL);
}

static void validator_accepts_every_kind_of_value(void **state)
{
    (void)state;
    static const char *const good[] = {
        "0",
        "-0",
        "1",
        "-12",
        "1.5",
        "1e5",
        "1E+5",
        "-1.25e-10",
        "123456789012345678901234567890",
        "true",
        "false",
        "null",
        "\"\"",
        "\"a\"",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
        "\"\\u0041\\u00e9\\uD83D\\uDE00\"",
        "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"",
        "\"\x7f\"",
        "{}",
        "[]",
        " \t\r\n{ \"a\" : [ 1 , { } , [ ] , \"x\" ] , \"b\" : null } \n",
        "[1,[2,[3]]]",
        "{\"\":0}",
        "{\"a\":1,\"a\":2}",
        "\"\\u0000\"",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (!check(good[i])) {
            fail_msg("refused valid JSON: %s", good[i]);
        }
    }
}

static void validator_refuses_what_rfc8259_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        " ",
        "01",
        "-",
        "+1",
        "1.",
        ".5",
        "1e",
        "1e+",
        "0x10",
        "NaN",
        "Infinity",
        "-Infinity",
        "tru",
        "True",
        "nul",
        "nulll",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\uD800\"",
        "\"\\uDC00\"",
        "\"\\uD800\\u0041\"",
        "\"\\uD800x\"",
        "\"a\x01\"",
        "\"a\nb\"",
        "\"\xc3\"",
        "\"\xc0\xaf\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xff\"",
        "{",
        "[",
        "}",
        "]",
        "[1,]",
        "[,1]",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{a:1}",
        "{'a':1}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "1 2",
        "{} {}",
        "[1]x",
        "\"a\"\"b\"",
        "{\"a\":1}}",
        "[[]",
        "\x01",
        "\xef\xbb\xbf{}",
        "[\v]",
        "1\f",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (check(bad[i])) {
            fail_msg("accepted invalid JSON: \"%s\"", bad[i]);
        }
    }
    /* An embedded NUL is a control character in a string and nothing at all outside one. */
    assert_false(sf_json_check("\"a\0b\"", 5, 64, NULL));
    assert_false(sf_json_check("1\0", 2, 64, NULL));
}

static void validator_limits_nesting_depth(void **state)
{
    (void)state;
    char text[2048];
    for (unsigned depth = 60; depth <= 260; depth++) {
        size_t n = 0;
        for (unsigned i = 0; i < depth; i++) {
            text[n++] = (i & 1) ? '[' : '{';
            if (!(i & 1)) {
                memcpy(text + n, "\"k\":", 4);
                n += 4;
            }
        }
        text[n++] = '1';
        for (unsigned i = depth; i-- > 0;) {
            text[n++] = (i & 1) ? ']' : '}';
        }
        assert_int_equal(sf_json_check(text, n, 64, NULL), depth <= 64);
        assert_int_equal(sf_json_check(text, n, SF_JSON_DEPTH_LIMIT, NULL),
                         depth <= SF_JSON_DEPTH_LIMIT);
    }
    assert_true(sf_json_check("1", 1, 0, NULL));
    assert_false(sf_json_check("[]", 2, 0, NULL));
}

static void validator_trims_whitespace_from_the_value(void **state)
{
    (void)state;
    static const char text[] = " \n\t {\"k\" : \"v\" , \"n\":[ ]} \r\n ";
    struct sf_str value;
    assert_true(sf_json_check(text, sizeof(text) - 1, 64, &value));
    assert_int_equal(value.len, strlen("{\"k\" : \"v\" , \"n\":[ ]}"));
    assert_memory_equal(value.ptr, "{\"k\" : \"v\" , \"n\":[ ]}", value.len);
    assert_true(sf_json_check("  7  ", 5, 64, &value));
    assert_int_equal(value.len, 1);
    assert_int_equal(value.ptr[0], '7');
}

/* Random mutations of valid documents, judged by jansson too. jansson refuses numbers it cannot
 * represent, which RFC 8259 allows, so the generated numbers stay small. */
static void validator_agrees_with_jansson(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\u00e9\\n\",\"d\":true,\"e\":-1.5e3}",
        "[\"\xc3\xa9\xf0\x9f\x98\x80\",{},[],false,0]",
        "\"\\ud83d\\ude00\"",
        "  12  ",
        /* Strings longer than a 16-byte block, escapes and non-ASCII inside them and across
         * block edges: the validator scans those a block at a time. */
        "{\"userAgent\":\"AlibabaCloud (Linux; amd64) Java/1.8.0_352\",\"requestParameters\":"
        "{\"RegionId\":\"cn-beijing\",\"note\":\"caf\xc3\xa9 \\\"q\\\" \\u00e9 \xe5\xbe\xae"
        "\xe4\xbf\xa1 0123456789abcdef\"},\"ids\":[\"i-bp15d5fbbf2\",12345678901234]}",
    };
    static const char mutations[] = "{}[]\",:\\u0123456789.eE+-tfnlsaxr \n\t\x01\x7f\x80\xc3\xa9";
    uint64_t seed = 0xfeed;
    char buf[256];
    for (int iter = 0; iter < 50000; iter++) {
        const char *base = seeds[rng_next(&seed) % (sizeof(seeds) / sizeof(seeds[0]))];
        size_t n = strlen(base);
        memcpy(buf, base, n);
        n = mutate(buf, sizeof(buf), n, &seed, mutations, false);
        json_error_t error;
        json_t *json = json_loadb(buf, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
        bool ours = sf_json_check(buf, n, 64, NULL);
        if (json == NULL && (strstr(error.text, "overflow") || strstr(error.text, "too big"))) {
            continue; /* a number out of jansson's range: valid JSON all the same */
        }
        if ((json != NULL) != ours) {
            fail_msg("jansson %s, sf_json_check %s: \"%.*s\" (%s)", json ? "accepts" : "refuses",
                     ours ? "accepts" : "refuses", (int)n, buf, json ? "" : error.text);
        }
        json_decref(json);
    }
}

/* ---- sf_json_check_copy: the block-at-a-time path against sf_json_check ---- */

/* Valid, whole, and what the block path must decide itself: no whitespace outside strings, no
 * backslash or control byte anywhere. */
static bool is_compact_plain(const char *text, size_t n, bool ok, struct sf_str value)
{
    if (!ok || value.len != n) {
        return false;
    }
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)text[i];
        if (c == '\\' || c < 0x20 || (!in_string && c == ' ')) {
            return false;
        }
        in_string ^= c == '"';
    }
    return true;
}

/* sf_json_check_copy on |text| (|n| bytes) in three placements: at the very end of an exact-size
 * heap buffer with readable_end there, the same with readable_end NULL, and with 64 readable bytes
 * of quotes and brackets after it; the copy goes to an exact-size heap buffer. Plain malloc,
 * not test_malloc, whose guard bytes would hide a read just past the end from ASan. Same verdict
 * and value as sf_json_check, the copy is the value with control bytes as spaces, and the block
 * path accepts nothing sf_json_check refuses and decides every compact plain text itself. Returns
 * whether the block path decided it. */
static bool check_copy_agrees(const char *text, size_t n, unsigned max_depth)
{
    struct sf_str want = {0};
    bool ok = sf_json_check(text, n, max_depth, &want);
    bool decided = false;
    for (int placement = 0; placement < 3; placement++) {
        size_t cap = n + (placement == 2 ? 64 : 0);
        char *in = sf_xmalloc(cap ? cap : 1);
        memcpy(in, text, n);
        for (size_t i = n; i < cap; i++) {
            in[i] = "\"}]:,\\{["[i % 8];
        }
        const uint8_t *readable_end = placement == 1 ? NULL : (const uint8_t *)in + cap;
        uint8_t *out = sf_xmalloc(n ? n : 1);
        struct sf_str got = {0};
        bool got_ok = sf_json_check_copy(out, in, n, max_depth, readable_end, &got);
        if (got_ok != ok) {
            fail_msg("sf_json_check %s, sf_json_check_copy %s: \"%.*s\"",
                     ok ? "accepts" : "refuses", got_ok ? "accepts" : "refuses", (int)n, text);
        }
        if (ok) {
            assert_ptr_equal(got.ptr, in + (want.ptr - text));
            assert_int_equal(got.len, want.len);
            for (size_t i = 0; i < got.len; i++) {
                uint8_t c = (uint8_t)got.ptr[i];
                assert_int_equal(out[i], c < 0x20 ? ' ' : c);
            }
        }
#if SF_JSON_BLOCKS
        for (enum sf_json_isa isa = SF_JSON_ISA_SSE2; isa <= SF_JSON_ISA_AVX2; isa++) {
            if (!sf_json_isa_supported(isa)) {
                continue;
            }
            bool blocks =
                sf_json_check_blocks_isa(isa, out, (const uint8_t *)in, n, max_depth,
                                         readable_end ? readable_end : (const uint8_t *)in + n);
            if (blocks && !(ok && want.len == n)) {
                fail_msg("the block path (isa %d) accepts what sf_json_check refuses: \"%.*s\"",
                         (int)isa, (int)n, text);
            }
            if (!blocks && is_compact_plain(text, n, ok, want)) {
                fail_msg("the block path (isa %d) leaves compact plain text to the slow path: "
                         "\"%.*s\"",
                         (int)isa, (int)n, text);
            }
            decided = blocks;
        }
#endif
        free(out);
        free(in);
    }
    return decided;
}

/* An ActionTrail event as the emulator generates it (tools/sls-emulator/gen_content.c). */
static const char actiontrail_event[] =
    "{\"eventId\":\"5c8e2a1f-3b7d-4e21-9a0c-1f2e3d4c5b6a\",\"eventVersion\":\"1\","
    "\"eventSource\":\"ecs.aliyuncs.com\",\"sourceIpAddress\":\"47.98.12.201\",\"userAgent\":"
    "\"AlibabaCloud (Linux; amd64) Java/1.8.0_352 Core/4.6.3 HTTPClient/ApacheHttpClient\","
    "\"eventType\":\"ApiCall\",\"eventName\":\"DescribeInstances\",\"eventTime\":"
    "\"2026-12-06T07:12:20Z\",\"eventRW\":\"Read\",\"acsRegion\":\"cn-hangzhou\",\"requestId\":"
    "\"0b3c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e\",\"apiVersion\":\"2014-05-26\",\"serviceName\":"
    "\"Ecs\",\"errorCode\":\"NoPermission\",\"errorMessage\":\"denied\",\"userIdentity\":"
    "{\"type\":\"ram-user\",\"principalId\":\"201234567890123\",\"accountId\":\"1234567890123456\","
    "\"accessKeyId\":\"LTAI5t0000ABCDEF123456\",\"userName\":\"\xe5\xbc\xa0\xe4\xb8\x89-ops\","
    "\"sessionContext\":{\"attributes\":{\"creationDate\":\"2026-12-06T07:12:20Z\","
    "\"mfaAuthenticated\":\"false\"}}},\"requestParameters\":{\"RegionId\":\"cn-hangzhou\","
    "\"InstanceId\":\"i-bp1deadbeef\",\"PageSize\":50,\"PageNumber\":1,\"Ratio\":-0.5e-3,"
    "\"AcceptLanguage\":\"zh-CN\",\"AcsHost\":\"ecs.aliyuncs.com\",\"Tags\":[],\"Empty\":{},"
    "\"Nil\":null,\"Emoji\":\"\xf0\x9f\x98\x80\"},\"responseElements\":{\"RequestId\":"
    "\"0b3c1d2e\"},\"referencedResources\":{\"ACS::ECS::Instance\":[\"i-bp1deadbeef\",1,true,"
    "[[{}]]]},\"isGlobal\":false}";

static void block_path_agrees_on_mutated_events(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        actiontrail_event,
        "[\"\xc3\xa9\xf0\x9f\x98\x80\",{},[],false,0,-1.25E+7,"
        "\"0123456789abcdef0123456789abcdef\"]",
        "{\"a\":{\"b\":{\"c\":[1,[2,[3,{\"d\":\"0123456789012345678901234567890123456789\"}]]]}}}",
        "\"a string that is longer than one whole sixty-four byte block of text, really\"",
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
    };
    static const char mutations[] =
        "{}[]\",:\\u0123456789.eE+-tfnlsaxr \n\t\x01\x7f\x80\xc3\xa9\xe4";
    uint64_t seed = 0xb10c;
    char buf[2048];
    unsigned decided = 0;
    const unsigned iterations = 20000;
    for (unsigned iter = 0; iter < iterations; iter++) {
        const char *base = seeds[rng_next(&seed) % (sizeof(seeds) / sizeof(seeds[0]))];
        size_t n = strlen(base);
        memcpy(buf, base, n);
        n = mutate(buf, sizeof(buf), n, &seed, mutations, true);
        decided += check_copy_agrees(buf, n, 64);
    }
#if SF_JSON_BLOCKS
    /* The block path is the one being tested: it must decide a good share. */
    assert_true(decided > iterations / 5);
#else
    (void)decided;
#endif
}

/* Every special byte at every offset across the first blocks: a run of 'a' of each length
 * 0-140 inserted early shifts every later byte over offsets 15/16, 31/32, 63/64 and 127/128;
 * each text is also cut at every length, so strings, numbers and the text itself end exactly
 * at a block's end, and UTF-8 sequences straddle it whole or truncated. */
static void block_path_agrees_at_block_edges(void **state)
{
    (void)state;
    static const char *const templates[] = {
        /* %s is where the run goes */
        "{\"k%s\":\"v\",\"n\":[1,-2.5e3,true,false,null],\"o\":{\"p\":{}},\"s\":\"x\"}",
        ("[\"%s\",\"\xe5\xbe\xae\xe4\xbf\xa1\xf0\x9f\x98\x80\xc3\xa9\",12345678901234567890,"
         "{\"a\":[]}]"),
        "{\"k\":\"%s\xe5\xbe\xae\"}",              /* 3-byte UTF-8 across the edge */
        "{\"k\":\"%s\xf0\x9f\x98\x80\"}",          /* 4-byte */
        "{\"k\":\"%s\xe5\xbe\"}",                  /* truncated: invalid */
        "{\"k\":\"%s\xc0\xaf\"}",                  /* overlong: invalid */
        "{\"k\":\"%s\xed\xa0\x80\"}",              /* surrogate: invalid */
        "{\"k\":\"%s\x80\"}",                      /* stray continuation */
        "{\"k\":\"%s\x1f\"}",                      /* control byte in a string */
        "{\"k\":\"%s\\\"\\u00e9\\ud83d\\ude00\"}", /* escapes: left to sf_json_check */
        "{\"k\":\"%s\"\n,\"l\":1}",                /* whitespace between tokens */
        "{\"k\":\"%s\",\"l\"}",                    /* key without value */
        "{\"k\":\"%s\":1}",                        /* value followed by ':' */
        "[\"%s\",]",
        "{\"k\":\"%s\",}",
        "[\"%s\"}",
        "{\"k\":\"%s\"]",
        "[\"%s\"],1",
        "\"%s\"\"x\"",
        "{\"k\":\"%s\",\"n\":01}",
        "{\"k\":\"%s\",\"n\":1x}",
        "{\"k\":\"%s\",\"n\":tru}",
        "{\"k\":\"%s\",\"n\":truex}",
        "{\"k\":\"%s\",\"n\":-}",
        "{\"k\":\"%s\"\x7f}",
        "{\"k%s\":{\"a\":1},\"b\":[2,[3]],\"c\":\"d\"}",
    };
    char run[141];
    memset(run, 'a', sizeof(run));
    char text[512];
    unsigned decided = 0;
    for (size_t t = 0; t < sizeof(templates) / sizeof(templates[0]); t++) {
        const char *at = strstr(templates[t], "%s");
        size_t head = (size_t)(at - templates[t]);
        size_t rest = strlen(at + 2);
        for (size_t r = 0; r <= 140; r++) {
            memcpy(text, templates[t], head);
            memcpy(text + head, run, r);
            memcpy(text + head + r, at + 2, rest);
            size_t n = head + r + rest;
            for (size_t cut = 0; cut <= n; cut++) {
                decided += check_copy_agrees(text, cut, 64);
            }
        }
    }
#if SF_JSON_BLOCKS
    assert_true(decided >= 5 * 141); /* the five valid templates, uncut */
#else
    (void)decided;
#endif
}

/* Nesting at and around both limits, in arrays and objects, with the text's end at various
 * block offsets. */
static void block_path_agrees_on_deep_nesting(void **state)
{
    (void)state;
    char text[4096];
    static const unsigned limits[] = {0, 1, 63, 64, 65, SF_JSON_DEPTH_LIMIT};
    for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
        unsigned max_depth = limits[l];
        unsigned lo = max_depth > 3 ? max_depth - 3 : 0;
        for (unsigned depth = lo; depth <= max_depth + 3 && depth <= 300; depth++) {
            for (unsigned shape = 0; shape < 3; shape++) {
                size_t n = 0;
                for (unsigned i = 0; i < depth; i++) {
                    bool obj = shape == 0 || (shape == 2 && (i & 1));
                    text[n++] = obj ? '{' : '[';
                    if (obj) {
                        memcpy(text + n, "\"k\":", 4);
                        n += 4;
                    }
                }
                text[n++] = '1';
                for (unsigned i = depth; i-- > 0;) {
                    bool obj = shape == 0 || (shape == 2 && (i & 1));
                    text[n++] = obj ? '}' : ']';
                }
                bool decided = check_copy_agrees(text, n, max_depth);
#if SF_JSON_BLOCKS
                assert_int_equal(decided, depth <= max_depth);
#else
                (void)decided;
#endif
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_single_byte_escapes_as_documented),
        cmocka_unit_test(short_escapes_and_del_are_as_documented),
        cmocka_unit_test(python_replacement_vectors_match),
        cmocka_unit_test(random_strings_match_the_reference),
        cmocka_unit_test(valid_utf8_passes_through_unchanged),
        cmocka_unit_test(validator_accepts_every_kind_of_value),
        cmocka_unit_test(validator_refuses_what_rfc8259_refuses),
        cmocka_unit_test(validator_limits_nesting_depth),
        cmocka_unit_test(validator_trims_whitespace_from_the_value),
        cmocka_unit_test(validator_agrees_with_jansson),
        cmocka_unit_test(block_path_agrees_on_mutated_events),
        cmocka_unit_test(block_path_agrees_at_block_edges),
        cmocka_unit_test(block_path_agrees_on_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
