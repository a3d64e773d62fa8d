/* The SPL subset (README "SPL on PullLogs"): tokenizing and parsing, evaluation of where,
 * like, regexp_like, casts and three-valued logic, the four field instructions, and the two
 * kinds of refusal (invalid SPL, SPL outside the subset). Rows are written "k=v;k=v". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spl.h"
#include "spl_int.h"
#include "util/alloc.h"

static const struct emu_spl_kv tags[] = {
    {(const uint8_t *)"host", 4, (const uint8_t *)"web-1", 5},
};
static const struct emu_spl_group group = {
    .topic = (const uint8_t *)"nginx",
    .topic_len = 5,
    .source = (const uint8_t *)"10.0.0.1",
    .source_len = 8,
    .tags = tags,
    .n_tags = 1,
};

/* Runs |text| over |row| ("k=v;k=v"); returns the output row the same way, "(dropped)", or
 * "(error <kind>) message". Static buffer. */
static const char *run(const char *text, const char *row_text)
{
    static char result[1024];
    enum emu_spl_error kind;
    char err[256];
    struct emu_spl *spl = emu_spl_parse(text, strlen(text), &kind, err, sizeof(err));
    if (!spl) {
        snprintf(result, sizeof(result), "(error %d) %s", (int)kind, err);
        return result;
    }
    char *copy = sf_xstrdup(row_text);
    struct emu_spl_kv fields[16];
    size_t n = 0;
    for (char *save = NULL, *pair = strtok_r(copy, ";", &save); pair && n < 16;
         pair = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(pair, '=');
        *eq = '\0';
        fields[n++] = (struct emu_spl_kv){(const uint8_t *)pair, strlen(pair),
                                          (const uint8_t *)eq + 1, strlen(eq + 1)};
    }
    struct emu_spl_row row = {.fields = fields, .n_fields = n, .time = 1700000000, .group = &group};
    struct sf_arena arena;
    sf_arena_init(&arena, 4096);
    if (!emu_spl_run(spl, &row, &arena)) {
        snprintf(result, sizeof(result), "(dropped)");
    } else {
        size_t off = 0;
        result[0] = '\0';
        for (size_t i = 0; i < row.n_fields; i++) {
            off +=
                (size_t)snprintf(result + off, sizeof(result) - off, "%s%.*s=%.*s", i ? ";" : "",
                                 (int)row.fields[i].key_len, (const char *)row.fields[i].key,
                                 (int)row.fields[i].value_len, (const char *)row.fields[i].value);
        }
    }
    sf_arena_cleanup(&arena);
    emu_spl_free(spl);
    free(copy);
    return result;
}

static bool kept(const char *text, const char *row)
{
    return strcmp(run(text, row), "(dropped)") != 0 && strncmp(run(text, row), "(error", 6) != 0;
}

/* The refusal's kind and a piece of its message. */
static void refused(const char *text, enum emu_spl_error want, const char *piece)
{
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "(error %d) ", (int)want);
    const char *got = run(text, "a=1");
    if (strncmp(got, prefix, strlen(prefix)) != 0 || !strstr(got, piece)) {
        fail_msg("%s: want kind %d with \"%s\", got %s", text, (int)want, piece, got);
    }
}

static void tokenizes(void **state)
{
    (void)state;
    const char *src = "project-away \"a \"\"b\"\" c\" 'it''s' 12 -3.5e1 <> != <= >= | ; , ( ) #";
    struct sf_arena arena;
    sf_arena_init(&arena, 1024);
    struct spl_lexer lx = {.src = src, .len = strlen(src), .arena = &arena};
    struct spl_tok tok;
    const char *why = NULL;
    assert_true(spl_lex_command(&lx, &tok, &why));
    assert_true(spl_tok_is(&tok, "PROJECT-AWAY"));
    assert_true(spl_lex_next(&lx, &tok, &why));
    assert_int_equal(tok.kind, SPL_T_QIDENT);
    assert_string_equal(tok.value, "a \"b\" c");
    assert_true(spl_lex_next(&lx, &tok, &why));
    assert_int_equal(tok.kind, SPL_T_STRING);
    assert_string_equal(tok.value, "it's");
    assert_true(spl_lex_next(&lx, &tok, &why));
    assert_int_equal(tok.kind, SPL_T_INT);
    assert_int_equal(tok.i, 12);
    assert_true(spl_lex_next(&lx, &tok, &why));
    assert_int_equal(tok.kind, SPL_T_MINUS);
    assert_true(spl_lex_next(&lx, &tok, &why));
    assert_int_equal(tok.kind, SPL_T_DOUBLE);
    assert_true(tok.d > 34.9 && tok.d < 35.1);
    const enum spl_tok_kind rest[] = {SPL_T_NE,     SPL_T_NE,    SPL_T_LE,    SPL_T_GE,
                                      SPL_T_PIPE,   SPL_T_SEMI,  SPL_T_COMMA, SPL_T_LPAREN,
                                      SPL_T_RPAREN, SPL_T_OTHER, SPL_T_EOF};
    for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
        assert_true(spl_lex_next(&lx, &tok, &why));
        assert_int_equal(tok.kind, rest[i]);
    }
    /* outside a command, '-' ends an identifier; a quote must close */
    struct spl_lexer lx2 = {.src = "a-b 'x", .len = 6, .arena = &arena};
    assert_true(spl_lex_next(&lx2, &tok, &why));
    assert_int_equal(tok.len, 1);
    assert_true(spl_lex_next(&lx2, &tok, &why));
    assert_int_equal(tok.kind, SPL_T_MINUS);
    assert_true(spl_lex_next(&lx2, &tok, &why));
    assert_false(spl_lex_next(&lx2, &tok, &why));
    assert_string_equal(why, "unterminated string constant");
    sf_arena_cleanup(&arena);
}

static void passes_through_and_parses_forms(void **state)
{
    (void)state;
    assert_string_equal(run("*", "a=1;b=2"), "a=1;b=2");
    assert_string_equal(run("  * ;", "a=1"), "a=1");
    assert_string_equal(run("*|where a='1';", "a=1"), "a=1");
    assert_string_equal(run("* | WHERE a = '1' AND b = '2'", "a=1;b=2"), "a=1;b=2");
    assert_string_equal(run("* | where \"x y\" = 'it''s'", "x y=it's"), "x y=it's");
    assert_string_equal(run("* | where \"Shard\" = '0'", "Shard=0"), "Shard=0"); /* Go e2e test */
}

static void compares_strings_and_numbers(void **state)
{
    (void)state;
    assert_true(kept("* | where status = '200'", "status=200"));
    assert_false(kept("* | where status = '200'", "status=404"));
    assert_true(kept("* | where status != '200'", "status=404"));
    assert_true(kept("* | where status <> '200'", "status=404"));
    assert_true(kept("* | where a < 'b'", "a=a"));
    assert_true(kept("* | where a < 'ab'", "a=a"));  /* shorter sorts first */
    assert_false(kept("* | where a > '9'", "a=10")); /* text compares as bytes */
    /* cast: the documented way to compare numbers */
    assert_true(kept("* | where cast(status as bigint) >= 400", "status=404"));
    assert_false(kept("* | where cast(status as bigint) >= 400", "status=200"));
    assert_false(kept("* | where cast(status as bigint) >= 400", "status=abc"));
    assert_false(kept("* | where cast(status as integer) > 1", "status=1.5"));
    assert_true(kept("* | where cast(t as double) > 1.25", "t=1.5"));
    assert_true(kept("* | where cast(t as double) < -1", "t=-2e0"));
    assert_true(kept("* | where cast(cast(t as double) as varchar) = '1.5'", "t=1.50"));
    /* a field against a number converts the text; text that is no number is null */
    assert_true(kept("* | where a > 9", "a=10"));
    assert_true(kept("* | where a = 1.5", "a=1.50"));
    assert_false(kept("* | where a > 9", "a=x"));
    assert_false(kept("* | where not a > 9", "a=x"));
    assert_true(kept("* | where __time__ >= 1700000000", "a=1"));
    assert_true(
        kept("* | where cast(a as bigint) = -9223372036854775807", "a=-9223372036854775807"));
    assert_false(kept("* | where cast(a as bigint) > 0", "a=9223372036854775808"));
}

static void uses_three_valued_logic(void **state)
{
    (void)state;
    assert_false(kept("* | where missing = 'x'", "a=1"));
    assert_false(kept("* | where not missing = 'x'", "a=1"));
    assert_true(kept("* | where missing = 'x' or a = '1'", "a=1"));
    assert_false(kept("* | where missing = 'x' and a = '1'", "a=1"));
    assert_true(kept("* | where not (a = '2' or a = '3')", "a=1"));
    assert_true(kept("* | where a = '1' or b = '1' and c = '1'", "a=1")); /* and binds tighter */
    assert_true(kept("* | where missing is null", "a=1"));
    assert_true(kept("* | where a is not null", "a=1"));
    assert_false(kept("* | where a is null", "a=1"));
}

static void matches_like_and_regexp(void **state)
{
    (void)state;
    assert_true(kept("* | where msg like '%err%'", "msg=an error here"));
    assert_false(kept("* | where msg like '%err%'", "msg=fine"));
    assert_true(kept("* | where msg not like '%err%'", "msg=fine"));
    assert_true(kept("* | where a like 'a_c'", "a=a\xc3\xa9"
                                               "c")); /* _ is one character */
    assert_false(kept("* | where a like 'a_c'", "a=abbc"));
    assert_true(kept("* | where a like 'x%y%z'", "a=xaayzbz"));
    assert_true(kept("* | where a like '%'", "a="));
    assert_false(kept("* | where a like 'X%'", "a=x")); /* case-sensitive */
    assert_true(kept("* | where regexp_like(a, '\\d{3}')", "a=x404"));
    assert_false(kept("* | where regexp_like(a, '^\\d+$')", "a=12a"));
    assert_true(kept("* | where regexp_like(a, '^[\\d.]+$')", "a=1.5"));
    assert_true(kept("* | where regexp_like(a, '^\\S+ \\w+$')", "a=GET index_1"));
    assert_true(kept("* | where regexp_like(a, 'a\\.b')", "a=a.b"));
    assert_false(kept("* | where regexp_like(a, 'a\\.b')", "a=axb"));
    assert_true(kept("* | where regexp_like(a, '^(GET|POST)$')", "a=POST"));
    assert_true(kept("* | where not regexp_like(a, 'x')", "a=y"));
    assert_false(kept("* | where regexp_like(missing, 'x') or false_ = '1'", "a=y"));
}

static void reads_group_fields(void **state)
{
    (void)state;
    assert_true(kept("* | where __topic__ = 'nginx'", "a=1"));
    assert_true(kept("* | where __source__ like '10.%'", "a=1"));
    assert_true(kept("* | where \"__tag__:host\" = 'web-1'", "a=1"));
    assert_false(kept("* | where \"__tag__:nope\" = 'web-1'", "a=1"));
}

static void projects_renames_and_extends(void **state)
{
    (void)state;
    assert_string_equal(run("* | project b, a", "a=1;b=2;c=3"), "b=2;a=1");
    assert_string_equal(run("* | project a, missing, a", "a=1;b=2"), "a=1");
    assert_string_equal(run("* | project-away b, missing", "a=1;b=2;c=3"), "a=1;c=3");
    assert_string_equal(run("* | project-rename x=a", "a=1;b=2"), "x=1;b=2");
    assert_string_equal(run("* | project-rename x=a", "a=1;x=9"), "x=1");
    assert_string_equal(run("* | project-rename x=missing", "a=1;x=9"), "a=1;x=9");
    assert_string_equal(run("* | project-rename a=b, b=a", "a=1;b=2"), "b=1;a=2");
    assert_string_equal(run("* | extend k='v', n=-5", "a=1"), "a=1;k=v;n=-5");
    assert_string_equal(run("* | extend c=a", "a=1;c=9"), "a=1;c=1");
    assert_string_equal(run("* | extend c=missing", "a=1;c=9"), "a=1");
    assert_string_equal(run("* | extend a=b, b=a", "a=1;b=2"), "a=2;b=1");
    assert_string_equal(
        run("* | where cast(s as bigint) >= 400 | project s, u | project-rename status=s "
            "| extend kind='error'",
            "s=503;u=/x;ua=curl"),
        "status=503;u=/x;kind=error");
    assert_string_equal(run("* | project a | where b = '2'", "a=1;b=2"), "(dropped)");
}

static void refuses_invalid_spl(void **state)
{
    (void)state;
    refused("", EMU_SPL_SYNTAX, "data source must be *");
    refused("status:200 | project a", EMU_SPL_SYNTAX, "data source must be *");
    refused("* | where", EMU_SPL_SYNTAX, "expected an expression");
    refused("* | where a = 'x", EMU_SPL_SYNTAX, "unterminated string");
    refused("* | where a", EMU_SPL_SYNTAX, "boolean expression");
    refused("* | where a = '1' and b", EMU_SPL_SYNTAX, "boolean expression");
    refused("* | where (a = '1'", EMU_SPL_SYNTAX, "expected ')'");
    refused("* | where a like 5", EMU_SPL_UNSUPPORTED, "like pattern");
    refused("* | where cast(a as bigint) like '1%'", EMU_SPL_SYNTAX, "varchar operand");
    refused("* | where regexp_like(a, '(')", EMU_SPL_SYNTAX, "regexp_like pattern");
    refused("* | project", EMU_SPL_SYNTAX, "expected a field name");
    refused("* | project a b", EMU_SPL_SYNTAX, "unexpected 'b'");
    refused("* | project-rename a", EMU_SPL_SYNTAX, "expected '='");
    refused("* |", EMU_SPL_SYNTAX, "expected an instruction");
    refused("* | where a = '1' ; * | project a", EMU_SPL_SYNTAX, "expected '|' or the end");
    refused("* | where a = 99999999999999999999", EMU_SPL_SYNTAX, "out of range");
    refused("* | where \"\" = 'x'", EMU_SPL_SYNTAX, "empty field name");
    char long_text[EMU_SPL_MAX_LEN + 16];
    memset(long_text, ' ', sizeof(long_text));
    long_text[0] = '*';
    long_text[sizeof(long_text) - 1] = '\0';
    refused(long_text, EMU_SPL_SYNTAX, "longer than 10240 bytes");
    char deep[512] = "*";
    size_t off = 1;
    for (int i = 0; i <= EMU_SPL_MAX_STAGES; i++) {
        off += (size_t)snprintf(deep + off, sizeof(deep) - off, " | project a");
    }
    refused(deep, EMU_SPL_SYNTAX, "more than 16 pipeline levels");
}

static void refuses_spl_outside_the_subset(void **state)
{
    (void)state;
    refused("* | parse-json content", EMU_SPL_UNSUPPORTED, "instruction 'parse-json'");
    refused("* | stats count(*)", EMU_SPL_UNSUPPORTED, "instruction 'stats'");
    refused("* | where lower(a) = 'x'", EMU_SPL_UNSUPPORTED, "function 'lower'");
    refused("* | where a in ('x', 'y')", EMU_SPL_UNSUPPORTED, "'in' and 'between'");
    refused("* | where cast(a as bigint) + 1 > 2", EMU_SPL_UNSUPPORTED, "operators");
    refused("* | where a > 1 + 2", EMU_SPL_UNSUPPORTED, "arithmetic");
    refused("* | where a = null", EMU_SPL_UNSUPPORTED, "null or boolean constant");
    refused("* | where a like 'x%' escape '!'", EMU_SPL_UNSUPPORTED, "escape");
    refused("* | where cast(a as timestamp) > 1", EMU_SPL_UNSUPPORTED, "cast to 'timestamp'");
    refused("* | where (a = '1') = (b = '2')", EMU_SPL_UNSUPPORTED, "comparing boolean");
    refused("* | where regexp_like(a, '(?i)x')", EMU_SPL_UNSUPPORTED, "(? group");
    refused("* | where regexp_like(a, 'x+?')", EMU_SPL_UNSUPPORTED, "lazy quantifier");
    refused("* | where regexp_like(a, '\\x41')", EMU_SPL_UNSUPPORTED, "this escape");
    refused("* | where regexp_like(a, b)", EMU_SPL_UNSUPPORTED, "not a string constant");
    refused("* | project -wildcard a*", EMU_SPL_UNSUPPORTED, "-wildcard");
    refused("* | project x=a", EMU_SPL_UNSUPPORTED, "renaming inside project");
    refused("* | project-rename __time__=a", EMU_SPL_UNSUPPORTED, "only content fields");
    refused("* | project-away \"__tag__:host\"", EMU_SPL_UNSUPPORTED, "only content fields");
    refused("* | extend a = upper(b)", EMU_SPL_UNSUPPORTED, "extend with");
    refused("* | extend a = cast(b as bigint)", EMU_SPL_UNSUPPORTED, "extend with");
    refused("* | extend a = b, c = 1.5", EMU_SPL_UNSUPPORTED, "extend with");
    refused("* | extend t = __topic__", EMU_SPL_UNSUPPORTED, "only content fields");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokenizes),
        cmocka_unit_test(passes_through_and_parses_forms),
        cmocka_unit_test(compares_strings_and_numbers),
        cmocka_unit_test(uses_three_valued_logic),
        cmocka_unit_test(matches_like_and_regexp),
        cmocka_unit_test(reads_group_fields),
        cmocka_unit_test(projects_renames_and_extends),
        cmocka_unit_test(refuses_invalid_spl),
        cmocka_unit_test(refuses_spl_outside_the_subset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
