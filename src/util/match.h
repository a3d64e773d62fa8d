/* Patterns matched against one byte string: globs (names and values) and the rules of the
 * client-side filters, "<field><op><pattern>" with an exact/glob, regular-expression or numeric
 * comparison. Knows nothing of logs: which field a rule reads is transform/filter's business.
 * Compiled once, then read-only: any number of threads may match with one compiled pattern.
 * Matching allocates nothing and works on views ({ptr, len}, not NUL-terminated). */
#ifndef SF_UTIL_MATCH_H
#define SF_UTIL_MATCH_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/str.h"

/* A glob: `*` any run of bytes, `?` one byte, `[abc]`, `[a-z]`, `[!a]` (or `[^a]`) one byte of
 * a set, `\x` the byte x itself. A pattern without any of these is compared exactly. */
struct sf_match_glob {
    char *pattern; /* owned; the unescaped text when |is_literal| */
    size_t len;
    bool is_literal;
};

/* Copies |len| bytes of |pattern|. */
void sf_match_glob_init(struct sf_match_glob *glob, const char *pattern, size_t len);
void sf_match_glob_cleanup(struct sf_match_glob *glob);
/* True when the whole of |prefix| followed by |s| matches (the prefix lets a tag be matched as
 * "__tag__:" + its key without copying it). */
bool sf_match_glob_test(const struct sf_match_glob *glob, struct sf_str prefix, struct sf_str s);

enum sf_match_op {
    SF_MATCH_EQ,     /* field=glob (exact without wildcards) */
    SF_MATCH_NE,     /* field!=glob: not EQ, so true when the field is absent */
    SF_MATCH_RE,     /* field~regex: POSIX extended, unanchored, like grep -E */
    SF_MATCH_NOT_RE, /* field!~regex: not RE */
    SF_MATCH_LT,     /* field<number, <=, >, >=: only a value that is a number matches */
    SF_MATCH_LE,
    SF_MATCH_GT,
    SF_MATCH_GE,
};

/* One filter rule as written: "status>=400", "path~^/health", "__topic__=*debug*". */
struct sf_match_rule {
    char *text;  /* the rule as written, for messages; owned */
    char *field; /* owned, NUL-terminated; spaces around it trimmed */
    size_t field_len;
    enum sf_match_op op;
    struct sf_match_glob glob; /* EQ, NE */
    regex_t regex;             /* RE, NOT_RE */
    bool has_regex;
    /* RE, NOT_RE whose regex is plain text ("eventRW\":\"Read"), or that text after '^':
     * matched with memmem or a prefix compare instead of regexec (same answer, far faster). */
    char *literal;
    size_t literal_len;
    bool is_anchored;
    double number; /* LT .. GE */
};

/* Parses and compiles |text|: a field name, an operator (=, ==, !=, ~, !~, <, <=, >, >=; the
 * first of = ! ~ < > ends the field), then the pattern; spaces around the operator are
 * ignored. SF_ERR_CONFIG with a sentence in |why| ("regex \"(a\" does not compile: Unmatched (
 * or \\(") when it is malformed; |rule| then needs no cleanup. */
sf_err sf_match_rule_init(struct sf_match_rule *rule, const char *text, char *why, size_t why_size);
void sf_match_rule_cleanup(struct sf_match_rule *rule); /* a zeroed rule is fine */
/* Whether the rule holds for a field whose value is |*value|, or that is absent (NULL). */
bool sf_match_rule_test(const struct sf_match_rule *rule, const struct sf_str *value);

/* Parses all of |s| (surrounding spaces allowed) as a decimal number: [+-]digits[.digits]
 * with an optional exponent. False for anything else, including an empty string. */
bool sf_match_number(struct sf_str s, double *out);

#endif
