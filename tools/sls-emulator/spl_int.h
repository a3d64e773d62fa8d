/* Internals of the SPL subset shared by its lexer (spl_lex.c), parser (spl_parse.c), regex
 * translation (spl_regex.c) and evaluator (spl_eval.c). Everything a statement owns lives in
 * its arena, except the compiled regexes, which emu_spl_free releases. */
#ifndef EMU_SPL_INT_H
#define EMU_SPL_INT_H

#include <regex.h>

#include "spl.h"

/* ---------------------------------------------------------------------------------------- */
/* Tokens                                                                                    */

enum spl_tok_kind {
    SPL_T_EOF,
    SPL_T_IDENT,  /* [A-Za-z_][A-Za-z0-9_]*; keywords are identifiers compared caselessly */
    SPL_T_QIDENT, /* "field name", "" for a quote inside */
    SPL_T_STRING, /* 'text', '' for a quote inside; backslashes are literal */
    SPL_T_INT,
    SPL_T_DOUBLE,
    SPL_T_STAR,
    SPL_T_PIPE,
    SPL_T_SEMI,
    SPL_T_COMMA,
    SPL_T_LPAREN,
    SPL_T_RPAREN,
    SPL_T_EQ,
    SPL_T_NE, /* != or <> */
    SPL_T_LT,
    SPL_T_LE,
    SPL_T_GT,
    SPL_T_GE,
    SPL_T_MINUS,
    SPL_T_OTHER, /* any other character: the parser names it in its error */
};

struct spl_tok {
    enum spl_tok_kind kind;
    size_t pos;       /* byte offset in the statement */
    const char *text; /* as written, |len| bytes */
    size_t len;
    const char *value; /* IDENT/QIDENT/STRING: the name or text, quotes removed (arena) */
    size_t value_len;
    int64_t i;
    double d;
};

struct spl_lexer {
    const char *src;
    size_t len;
    size_t pos;
    struct sf_arena *arena;
};

/* The next token. False on a lexical error (unterminated quote, number out of range), with
 * |tok->pos| at its start and |why| set. */
bool spl_lex_next(struct spl_lexer *lx, struct spl_tok *tok, const char **why);
/* An instruction name after `|`: [A-Za-z][A-Za-z0-9_-]* (project-away), else as
 * spl_lex_next. */
bool spl_lex_command(struct spl_lexer *lx, struct spl_tok *tok, const char **why);
/* ASCII case-insensitive comparison of an identifier token with |word|. */
bool spl_tok_is(const struct spl_tok *tok, const char *word);

/* ---------------------------------------------------------------------------------------- */
/* Expressions                                                                               */

enum spl_type {
    SPL_VARCHAR,
    SPL_BIGINT,
    SPL_DOUBLE,
    SPL_BOOLEAN,
};

enum spl_node_kind {
    SPL_N_FIELD,   /* a content field: varchar, null when absent */
    SPL_N_TIME,    /* __time__: bigint */
    SPL_N_TIME_NS, /* __time_ns_part__: bigint, null without Time_ns */
    SPL_N_TOPIC,   /* __topic__ of the LogGroup */
    SPL_N_SOURCE,  /* __source__ */
    SPL_N_TAG,     /* __tag__:<name> */
    SPL_N_STRING,
    SPL_N_INT,
    SPL_N_DOUBLE,
    SPL_N_CAST,   /* cast(l as type) */
    SPL_N_CMP,    /* l op r */
    SPL_N_AND,    /* l and r */
    SPL_N_OR,     /* l or r */
    SPL_N_NOT,    /* not l */
    SPL_N_LIKE,   /* l [not] like 'pattern' */
    SPL_N_REGEXP, /* regexp_like(l, 'pattern') */
    SPL_N_ISNULL, /* l is [not] null */
};

enum spl_cmp {
    SPL_CMP_EQ,
    SPL_CMP_NE,
    SPL_CMP_LT,
    SPL_CMP_LE,
    SPL_CMP_GT,
    SPL_CMP_GE,
};

struct spl_node {
    enum spl_node_kind kind;
    enum spl_type type;
    const char *str; /* FIELD/TAG name, STRING text, LIKE pattern */
    size_t len;
    int64_t i;
    double d;
    enum spl_cmp cmp;
    bool is_negated; /* LIKE, ISNULL */
    const regex_t *re;
    struct spl_node *l;
    struct spl_node *r;
};

/* ---------------------------------------------------------------------------------------- */
/* Instructions                                                                              */

enum spl_cmd_kind {
    SPL_C_WHERE,
    SPL_C_PROJECT,
    SPL_C_PROJECT_AWAY,
    SPL_C_PROJECT_RENAME,
    SPL_C_EXTEND,
};

/* project/project-away: |name|. project-rename: |name| = |from|. extend: |name| = |from|
 * (a field copy) or = the constant |value| when |is_const|. */
struct spl_item {
    const char *name;
    size_t name_len;
    const char *from;
    size_t from_len;
    bool is_const;
    const char *value;
    size_t value_len;
};

struct spl_cmd {
    enum spl_cmd_kind kind;
    struct spl_node *cond; /* where */
    struct spl_item *items;
    size_t n_items;
};

#define SPL_MAX_REGEXES 32

struct emu_spl {
    struct sf_arena arena;
    struct spl_cmd cmds[EMU_SPL_MAX_STAGES];
    size_t n_cmds;
    regex_t regexes[SPL_MAX_REGEXES];
    size_t n_regexes;
};

/* Compiles an RE2-style |pattern| (the syntax SPL's regexp functions document) into |re| as
 * POSIX ERE, translating \d, \D, \t, \n, \r and escapes inside brackets. False with |why|
 * (static text or |why_buf|) when it does not compile, or uses RE2 syntax with no POSIX
 * equivalent here (groups with `(?`, lazy quantifiers, \x, \p, ...): |*is_unsupported|
 * tells which. */
bool spl_regex_compile(regex_t *re,
                       const char *pattern,
                       size_t len,
                       bool *is_unsupported,
                       char *why_buf,
                       size_t why_size);

#endif
