/* memmem (glibc): the plain-text regexes are substring searches. */
#define _GNU_SOURCE
#include "util/match.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define NUMBER_MAX 64 /* longer text is not a number a rule compares */

/* ---- globs ---- */

void sf_match_glob_init(struct sf_match_glob *glob, const char *pattern, size_t len)
{
    *glob = (struct sf_match_glob){.pattern = sf_xmalloc(len + 1), .is_literal = true};
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = pattern[i];
        if (c == '*' || c == '?' || c == '[') {
            glob->is_literal = false;
        } else if (c == '\\' && i + 1 < len) {
            c = pattern[++i]; /* the literal form drops the escape */
        }
        glob->pattern[n++] = c;
    }
    if (!glob->is_literal) { /* keep the escapes for the matcher */
        memcpy(glob->pattern, pattern, len);
        n = len;
    }
    glob->pattern[n] = '\0';
    glob->len = n;
}

void sf_match_glob_cleanup(struct sf_match_glob *glob)
{
    free(glob->pattern);
    *glob = (struct sf_match_glob){0};
}

/* The subject: |a| then |b|, read as one string. */
struct two {
    struct sf_str a;
    struct sf_str b;
    size_t len;
};

static inline unsigned char byte_at(const struct two *s, size_t i)
{
    return (unsigned char)(i < s->a.len ? s->a.ptr[i] : s->b.ptr[i - s->a.len]);
}

/* The set at |p|[|i|] == '['. Returns how many pattern bytes it takes (0: no closing ']', so
 * the '[' is a plain byte) and whether |c| is in it. */
static size_t match_class(const char *p, size_t len, size_t i, unsigned char c, bool *is_in)
{
    size_t k = i + 1;
    bool is_negated = k < len && (p[k] == '!' || p[k] == '^');
    k += is_negated;
    bool found = false;
    bool is_first = true;
    while (k < len && (p[k] != ']' || is_first)) {
        unsigned char lo = (unsigned char)p[k];
        if (lo == '\\' && k + 1 < len) {
            lo = (unsigned char)p[++k];
        }
        unsigned char hi = lo;
        if (k + 2 < len && p[k + 1] == '-' && p[k + 2] != ']') {
            hi = (unsigned char)p[k + 2];
            k += 2;
        }
        found = found || (c >= lo && c <= hi);
        is_first = false;
        k++;
    }
    if (k >= len) {
        return 0;
    }
    *is_in = found != is_negated;
    return k + 1 - i;
}

/* Iterative glob with one backtrack point (the last '*'): linear in practice, and never
 * exponential whatever the pattern. */
static bool glob_match(const char *p, size_t plen, const struct two *s)
{
    size_t pi = 0, si = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < s->len) {
        if (pi < plen) {
            unsigned char c = (unsigned char)p[pi];
            unsigned char have = byte_at(s, si);
            size_t step = 1;
            bool is_match;
            if (c == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (c == '?') {
                is_match = true;
            } else if (c == '[' && (step = match_class(p, plen, pi, have, &is_match)) != 0) {
                /* a set */
            } else if (c == '\\' && pi + 1 < plen) {
                is_match = have == (unsigned char)p[pi + 1];
                step = 2;
            } else {
                is_match = have == c;
                step = 1;
            }
            if (is_match) {
                pi += step;
                si++;
                continue;
            }
        }
        if (star_p == SIZE_MAX) {
            return false;
        }
        pi = star_p;
        si = ++star_s;
    }
    while (pi < plen && p[pi] == '*') {
        pi++;
    }
    return pi == plen;
}

bool sf_match_glob_test(const struct sf_match_glob *glob, struct sf_str prefix, struct sf_str s)
{
    if (glob->is_literal) {
        return glob->len == prefix.len + s.len &&
               (prefix.len == 0 || memcmp(glob->pattern, prefix.ptr, prefix.len) == 0) &&
               (s.len == 0 || memcmp(glob->pattern + prefix.len, s.ptr, s.len) == 0);
    }
    struct two subject = {.a = prefix, .b = s, .len = prefix.len + s.len};
    return glob_match(glob->pattern, glob->len, &subject);
}

/* ---- numbers ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t digits(const char *p, size_t i, size_t len)
{
    size_t start = i;
    while (i < len && is_digit(p[i])) {
        i++;
    }
    return i - start;
}

bool sf_match_number(struct sf_str s, double *out)
{
    const char *p = s.ptr;
    size_t len = s.len;
    while (len && p[len - 1] == ' ') {
        len--;
    }
    size_t i = 0;
    while (i < len && p[i] == ' ') {
        i++;
    }
    size_t start = i;
    i += i < len && (p[i] == '+' || p[i] == '-');
    size_t n_int = digits(p, i, len);
    i += n_int;
    size_t n_frac = 0;
    if (i < len && p[i] == '.') {
        n_frac = digits(p, i + 1, len);
        i += 1 + n_frac;
    }
    if (n_int + n_frac == 0) {
        return false;
    }
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        size_t k = i + 1;
        k += k < len && (p[k] == '+' || p[k] == '-');
        size_t n_exp = digits(p, k, len);
        if (n_exp == 0) {
            return false;
        }
        i = k + n_exp;
    }
    if (i != len || len - start >= NUMBER_MAX) {
        return false;
    }
    char text[NUMBER_MAX];
    memcpy(text, p + start, len - start);
    text[len - start] = '\0';
    *out = strtod(text, NULL); /* the syntax above is a subset of strtod's in any locale */
    return true;
}

/* ---- rules ---- */

static const char *trim(const char *begin, const char **end)
{
    while (begin < *end && (*begin == ' ' || *begin == '\t')) {
        begin++;
    }
    while (*end > begin && ((*end)[-1] == ' ' || (*end)[-1] == '\t')) {
        (*end)--;
    }
    return begin;
}

/* The operator at |p|; its length in |*len|, or false with |why| filled. */
static bool parse_op(const char *p, enum sf_match_op *op, size_t *len, char *why, size_t why_size)
{
    static const struct {
        const char *text;
        enum sf_match_op op;
    } ops[] = {
        {"==", SF_MATCH_EQ}, {"!=", SF_MATCH_NE}, {"!~", SF_MATCH_NOT_RE},
        {"<=", SF_MATCH_LE}, {">=", SF_MATCH_GE}, {"=", SF_MATCH_EQ},
        {"~", SF_MATCH_RE},  {"<", SF_MATCH_LT},  {">", SF_MATCH_GT},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t n = strlen(ops[i].text);
        if (strncmp(p, ops[i].text, n) == 0) {
            *op = ops[i].op;
            *len = n;
            return true;
        }
    }
    snprintf(why, why_size, "'!' must be followed by = or ~");
    return false;
}

static sf_err fail(struct sf_match_rule *rule, char *why, size_t why_size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static sf_err fail(struct sf_match_rule *rule, char *why, size_t why_size, const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(why, why_size, "rule \"%.80s\": %s", rule->text, detail);
    sf_match_rule_cleanup(rule);
    return SF_ERR_CONFIG;
}

/* A regex without any ERE operator is the text itself; also after a leading '^'. */
static void find_literal(struct sf_match_rule *rule, const char *text)
{
    bool is_anchored = text[0] == '^';
    const char *body = text + is_anchored;
    if (body[strcspn(body, ".[]()*+?{}|^$\\")] != '\0') {
        return;
    }
    rule->literal = sf_xstrdup(body);
    rule->literal_len = strlen(body);
    rule->is_anchored = is_anchored;
}

static sf_err compile_pattern(
    struct sf_match_rule *rule, const char *pat, size_t pat_len, char *why, size_t why_size)
{
    switch (rule->op) {
    case SF_MATCH_EQ:
    case SF_MATCH_NE:
        sf_match_glob_init(&rule->glob, pat, pat_len);
        return SF_OK;
    case SF_MATCH_RE:
    case SF_MATCH_NOT_RE: {
        char *text = sf_xstrndup(pat, pat_len);
        int rc = regcomp(&rule->regex, text, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[160];
            regerror(rc, &rule->regex, msg, sizeof(msg));
            sf_err err =
                fail(rule, why, why_size, "regex \"%.80s\" does not compile: %s", text, msg);
            free(text);
            return err;
        }
        find_literal(rule, text);
        free(text);
        rule->has_regex = true;
        return SF_OK;
    }
    default:
        if (!sf_match_number((struct sf_str){.ptr = pat, .len = pat_len}, &rule->number)) {
            return fail(rule, why, why_size, "expected a number after the comparison, got \"%.*s\"",
                        (int)(pat_len > 60 ? 60 : pat_len), pat);
        }
        return SF_OK;
    }
}

sf_err sf_match_rule_init(struct sf_match_rule *rule, const char *text, char *why, size_t why_size)
{
    *rule = (struct sf_match_rule){.text = sf_xstrdup(text)};
    const char *op_at = text + strcspn(text, "=!~<>");
    if (*op_at == '\0') {
        return fail(rule, why, why_size,
                    "expected <field>=<value>, <field>~<regex> or <field>>=<number>");
    }
    const char *field_end = op_at;
    const char *field = trim(text, &field_end);
    if (field == field_end) {
        return fail(rule, why, why_size, "no field name before the operator");
    }
    size_t op_len;
    char detail[64];
    if (!parse_op(op_at, &rule->op, &op_len, detail, sizeof(detail))) {
        return fail(rule, why, why_size, "%s", detail);
    }
    rule->field_len = (size_t)(field_end - field);
    rule->field = sf_xstrndup(field, rule->field_len);
    const char *pat_end = op_at + op_len + strlen(op_at + op_len);
    const char *pat = trim(op_at + op_len, &pat_end);
    return compile_pattern(rule, pat, (size_t)(pat_end - pat), why, why_size);
}

void sf_match_rule_cleanup(struct sf_match_rule *rule)
{
    free(rule->text);
    free(rule->field);
    free(rule->literal);
    sf_match_glob_cleanup(&rule->glob);
    if (rule->has_regex) {
        regfree(&rule->regex);
    }
    *rule = (struct sf_match_rule){0};
}

/* regexec on a view: REG_STARTEND (glibc, the BSDs) bounds the subject by pmatch[0], so a NUL
 * byte inside the value does not end it early. Values up to the scratch size are copied and
 * NUL-terminated first: glibc needs no NUL, but the sanitizers' regexec interceptors read the
 * subject up to one whatever the flags say, past the end of a value that has none. */
#define REGEX_SCRATCH 4096
static bool regex_test(const struct sf_match_rule *rule, struct sf_str value)
{
    if (rule->literal) {
        size_t n = rule->literal_len;
        if (rule->is_anchored) {
            return value.len >= n && memcmp(value.ptr, rule->literal, n) == 0;
        }
        return n == 0 || (value.len >= n && memmem(value.ptr, value.len, rule->literal, n));
    }
    regmatch_t range = {.rm_so = 0, .rm_eo = (regoff_t)value.len};
    static _Thread_local char scratch[REGEX_SCRATCH];
    const char *subject = value.len ? value.ptr : "";
    if (value.len < sizeof(scratch)) {
        memcpy(scratch, value.ptr, value.len);
        scratch[value.len] = '\0';
        subject = scratch;
    }
    return regexec(&rule->regex, subject, 1, &range, REG_STARTEND) == 0;
}

bool sf_match_rule_test(const struct sf_match_rule *rule, const struct sf_str *value)
{
    static const struct sf_str none = {.ptr = "", .len = 0};
    double number;
    switch (rule->op) {
    case SF_MATCH_EQ:
        return value && sf_match_glob_test(&rule->glob, none, *value);
    case SF_MATCH_NE:
        return !value || !sf_match_glob_test(&rule->glob, none, *value);
    case SF_MATCH_RE:
        return value && regex_test(rule, *value);
    case SF_MATCH_NOT_RE:
        return !value || !regex_test(rule, *value);
    default:
        break;
    }
    if (!value || !sf_match_number(*value, &number)) {
        return false;
    }
    switch (rule->op) {
    case SF_MATCH_LT:
        return number < rule->number;
    case SF_MATCH_LE:
        return number <= rule->number;
    case SF_MATCH_GT:
        return number > rule->number;
    default:
        return number >= rule->number;
    }
}
