/* SPL subset parser: recursive descent over spl_lex tokens into struct emu_spl, with static
 * types (every content field is varchar, __time__ is bigint). Grammar in the README ("SPL on
 * PullLogs"). Two kinds of refusal: EMU_SPL_SYNTAX for text SPL itself rejects (a type
 * error, an unterminated string), EMU_SPL_UNSUPPORTED for SPL the emulator does not
 * implement; both become 400 ParameterInvalid, but the message says which. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spl_int.h"
#include "util/alloc.h"

#include "util/banned.h"

struct parser {
    struct spl_lexer lx;
    struct spl_tok cur;
    struct emu_spl *spl;
    enum emu_spl_error kind;
    char *err;
    size_t err_size;
};

static bool fail(struct parser *p, enum emu_spl_error kind, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail(struct parser *p, enum emu_spl_error kind, size_t pos, const char *fmt, ...)
{
    if (p->kind != EMU_SPL_OK) {
        return false; /* keep the first error */
    }
    p->kind = kind;
    int n = snprintf(p->err, p->err_size, "%s at position %zu: ",
                     kind == EMU_SPL_SYNTAX ? "invalid SPL statement" : "unsupported SPL", pos);
    if (n >= 0 && (size_t)n < p->err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool fail_unsupported(struct parser *p, size_t pos, const char *what)
{
    return fail(p, EMU_SPL_UNSUPPORTED, pos, "%s is not in the emulator's SPL subset", what);
}

/* How the current token reads in an error message. */
static const char *tok_desc(const struct parser *p, char *buf, size_t size)
{
    if (p->cur.kind == SPL_T_EOF) {
        return "end of statement";
    }
    snprintf(buf, size, "'%.*s'", (int)(p->cur.len > 40 ? 40 : p->cur.len), p->cur.text);
    return buf;
}

static bool advance_as(struct parser *p, bool is_command)
{
    const char *why = NULL;
    bool is_ok =
        is_command ? spl_lex_command(&p->lx, &p->cur, &why) : spl_lex_next(&p->lx, &p->cur, &why);
    return is_ok || fail(p, EMU_SPL_SYNTAX, p->cur.pos, "%s", why);
}

static bool advance(struct parser *p)
{
    return advance_as(p, false);
}

static bool expect(struct parser *p, enum spl_tok_kind kind, const char *what)
{
    if (p->cur.kind != kind) {
        char buf[64];
        return fail(p, EMU_SPL_SYNTAX, p->cur.pos, "expected %s, found %s", what,
                    tok_desc(p, buf, sizeof(buf)));
    }
    return advance(p);
}

static struct spl_node *node_new(struct parser *p, enum spl_node_kind kind, enum spl_type type)
{
    struct spl_node *n = sf_arena_alloc(&p->spl->arena, sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->type = type;
    return n;
}

static const char *const keywords[] = {"and", "or",      "not",  "like", "is",   "null",
                                       "in",  "between", "cast", "as",   "true", "false"};

static bool is_keyword(const struct spl_tok *tok)
{
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (spl_tok_is(tok, keywords[i])) {
            return true;
        }
    }
    return false;
}

static bool name_is(const char *name, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(name, word, len) == 0;
}

static bool is_tag_name(const char *name, size_t len)
{
    return len > 8 && memcmp(name, "__tag__:", 8) == 0;
}

/* Time, topic, source and tags are not content fields: SPL keeps time fields through
 * project*, and the subset does not move LogGroup metadata into or out of logs. */
static bool is_reserved(const char *name, size_t len)
{
    return name_is(name, len, "__time__") || name_is(name, len, "__time_ns_part__") ||
           name_is(name, len, "__topic__") || name_is(name, len, "__source__") ||
           is_tag_name(name, len);
}

/* A field name: an identifier that is not a keyword, or a "quoted name". */
static bool parse_name(struct parser *p, const char **name, size_t *len, bool is_writable)
{
    char buf[64];
    if (!(p->cur.kind == SPL_T_QIDENT || (p->cur.kind == SPL_T_IDENT && !is_keyword(&p->cur)))) {
        return fail(p, EMU_SPL_SYNTAX, p->cur.pos, "expected a field name, found %s",
                    tok_desc(p, buf, sizeof(buf)));
    }
    if (p->cur.value_len == 0) {
        return fail(p, EMU_SPL_SYNTAX, p->cur.pos, "empty field name");
    }
    if (is_writable && is_reserved(p->cur.value, p->cur.value_len)) {
        return fail(p, EMU_SPL_UNSUPPORTED, p->cur.pos,
                    "changing %s is not in the emulator's SPL subset (only content fields)",
                    tok_desc(p, buf, sizeof(buf)));
    }
    *name = p->cur.value;
    *len = p->cur.value_len;
    return advance(p);
}

static struct spl_node *field_node(struct parser *p, const char *name, size_t len)
{
    if (name_is(name, len, "__time__")) {
        return node_new(p, SPL_N_TIME, SPL_BIGINT);
    }
    if (name_is(name, len, "__time_ns_part__")) {
        return node_new(p, SPL_N_TIME_NS, SPL_BIGINT);
    }
    struct spl_node *n = node_new(p, SPL_N_FIELD, SPL_VARCHAR);
    if (name_is(name, len, "__topic__")) {
        n->kind = SPL_N_TOPIC;
    } else if (name_is(name, len, "__source__")) {
        n->kind = SPL_N_SOURCE;
    } else if (is_tag_name(name, len)) {
        n->kind = SPL_N_TAG;
        name += 8;
        len -= 8;
    }
    n->str = name;
    n->len = len;
    return n;
}

static struct spl_node *parse_expr(struct parser *p);

static struct spl_node *parse_cast(struct parser *p, size_t pos)
{
    if (!expect(p, SPL_T_LPAREN, "'('")) {
        return NULL;
    }
    struct spl_node *inner = parse_expr(p);
    if (!inner) {
        return NULL;
    }
    if (inner->type == SPL_BOOLEAN) {
        fail_unsupported(p, pos, "cast of a boolean");
        return NULL;
    }
    if (!spl_tok_is(&p->cur, "as")) {
        char buf[64];
        fail(p, EMU_SPL_SYNTAX, p->cur.pos, "expected 'as', found %s",
             tok_desc(p, buf, sizeof(buf)));
        return NULL;
    }
    if (!advance(p)) {
        return NULL;
    }
    struct spl_node *n = node_new(p, SPL_N_CAST, SPL_VARCHAR);
    if (spl_tok_is(&p->cur, "bigint") || spl_tok_is(&p->cur, "integer") ||
        spl_tok_is(&p->cur, "int")) {
        n->type = SPL_BIGINT;
    } else if (spl_tok_is(&p->cur, "double")) {
        n->type = SPL_DOUBLE;
    } else if (spl_tok_is(&p->cur, "varchar")) {
        n->type = SPL_VARCHAR;
    } else if (p->cur.kind == SPL_T_IDENT) {
        char buf[64];
        fail(p, EMU_SPL_UNSUPPORTED, p->cur.pos,
             "cast to %s is not in the emulator's SPL subset (bigint, integer, double, varchar)",
             tok_desc(p, buf, sizeof(buf)));
        return NULL;
    } else {
        expect(p, SPL_T_IDENT, "a type name");
        return NULL;
    }
    n->l = inner;
    if (!advance(p) || !expect(p, SPL_T_RPAREN, "')'")) {
        return NULL;
    }
    return n;
}

static struct spl_node *parse_regexp_like(struct parser *p, size_t pos)
{
    if (!expect(p, SPL_T_LPAREN, "'('")) {
        return NULL;
    }
    struct spl_node *subject = parse_expr(p);
    if (!subject) {
        return NULL;
    }
    if (subject->type != SPL_VARCHAR) {
        fail(p, EMU_SPL_SYNTAX, pos, "regexp_like needs a varchar first argument");
        return NULL;
    }
    if (!expect(p, SPL_T_COMMA, "','")) {
        return NULL;
    }
    if (p->cur.kind != SPL_T_STRING) {
        fail_unsupported(p, p->cur.pos, "a regexp_like pattern that is not a string constant");
        return NULL;
    }
    if (p->spl->n_regexes == SPL_MAX_REGEXES) {
        fail_unsupported(p, p->cur.pos, "more than 32 regexp_like calls");
        return NULL;
    }
    regex_t *re = &p->spl->regexes[p->spl->n_regexes];
    bool is_unsupported = false;
    char why[160];
    if (!spl_regex_compile(re, p->cur.value, p->cur.value_len, &is_unsupported, why, sizeof(why))) {
        fail(p, is_unsupported ? EMU_SPL_UNSUPPORTED : EMU_SPL_SYNTAX, p->cur.pos,
             "regexp_like pattern: %s", why);
        return NULL;
    }
    p->spl->n_regexes++;
    struct spl_node *n = node_new(p, SPL_N_REGEXP, SPL_BOOLEAN);
    n->l = subject;
    n->re = re;
    if (!advance(p) || !expect(p, SPL_T_RPAREN, "')'")) {
        return NULL;
    }
    return n;
}

/* operand := name | 'string' | [-]number | cast(...) | regexp_like(...) | ( expr ) */
static struct spl_node *parse_operand(struct parser *p)
{
    char buf[64];
    size_t pos = p->cur.pos;
    struct spl_node *n;
    switch (p->cur.kind) {
    case SPL_T_STRING:
        n = node_new(p, SPL_N_STRING, SPL_VARCHAR);
        n->str = p->cur.value;
        n->len = p->cur.value_len;
        return advance(p) ? n : NULL;
    case SPL_T_MINUS:
    case SPL_T_INT:
    case SPL_T_DOUBLE: {
        bool is_negative = p->cur.kind == SPL_T_MINUS;
        if (is_negative && !advance(p)) {
            return NULL;
        }
        if (p->cur.kind == SPL_T_INT) {
            n = node_new(p, SPL_N_INT, SPL_BIGINT);
            n->i = is_negative ? -p->cur.i : p->cur.i;
        } else if (p->cur.kind == SPL_T_DOUBLE) {
            n = node_new(p, SPL_N_DOUBLE, SPL_DOUBLE);
            n->d = is_negative ? -p->cur.d : p->cur.d;
        } else {
            fail_unsupported(p, pos, "arithmetic");
            return NULL;
        }
        return advance(p) ? n : NULL;
    }
    case SPL_T_LPAREN:
        if (!advance(p) || !(n = parse_expr(p)) || !expect(p, SPL_T_RPAREN, "')'")) {
            return NULL;
        }
        return n;
    case SPL_T_QIDENT:
        n = field_node(p, p->cur.value, p->cur.value_len);
        if (p->cur.value_len == 0) {
            fail(p, EMU_SPL_SYNTAX, pos, "empty field name");
            return NULL;
        }
        return advance(p) ? n : NULL;
    case SPL_T_IDENT: {
        if (spl_tok_is(&p->cur, "null") || spl_tok_is(&p->cur, "true") ||
            spl_tok_is(&p->cur, "false")) {
            fail_unsupported(p, pos, "a null or boolean constant");
            return NULL;
        }
        if (is_keyword(&p->cur) && !spl_tok_is(&p->cur, "cast")) {
            fail(p, EMU_SPL_SYNTAX, pos, "expected an expression, found %s",
                 tok_desc(p, buf, sizeof(buf)));
            return NULL;
        }
        struct spl_tok name = p->cur;
        if (!advance(p)) {
            return NULL;
        }
        if (p->cur.kind != SPL_T_LPAREN) {
            if (spl_tok_is(&name, "cast")) {
                fail(p, EMU_SPL_SYNTAX, p->cur.pos, "expected '(' after cast");
                return NULL;
            }
            return field_node(p, name.value, name.value_len);
        }
        if (spl_tok_is(&name, "cast")) {
            return parse_cast(p, pos);
        }
        if (spl_tok_is(&name, "regexp_like")) {
            return parse_regexp_like(p, pos);
        }
        snprintf(buf, sizeof(buf), "function '%.*s'", (int)(name.len > 40 ? 40 : name.len),
                 name.text);
        fail_unsupported(p, pos, buf);
        return NULL;
    }
    default:
        fail(p, EMU_SPL_SYNTAX, pos, "expected an expression, found %s",
             tok_desc(p, buf, sizeof(buf)));
        return NULL;
    }
}

static bool cmp_of(enum spl_tok_kind kind, enum spl_cmp *cmp)
{
    switch (kind) {
    case SPL_T_EQ:
        *cmp = SPL_CMP_EQ;
        return true;
    case SPL_T_NE:
        *cmp = SPL_CMP_NE;
        return true;
    case SPL_T_LT:
        *cmp = SPL_CMP_LT;
        return true;
    case SPL_T_LE:
        *cmp = SPL_CMP_LE;
        return true;
    case SPL_T_GT:
        *cmp = SPL_CMP_GT;
        return true;
    case SPL_T_GE:
        *cmp = SPL_CMP_GE;
        return true;
    default:
        return false;
    }
}

static struct spl_node *parse_like(struct parser *p, struct spl_node *subject, bool is_negated)
{
    size_t pos = p->cur.pos;
    if (!advance(p)) {
        return NULL;
    }
    if (subject->type != SPL_VARCHAR) {
        fail(p, EMU_SPL_SYNTAX, pos, "like needs a varchar operand (cast it)");
        return NULL;
    }
    if (p->cur.kind != SPL_T_STRING) {
        fail_unsupported(p, p->cur.pos, "a like pattern that is not a string constant");
        return NULL;
    }
    struct spl_node *n = node_new(p, SPL_N_LIKE, SPL_BOOLEAN);
    n->l = subject;
    n->str = p->cur.value;
    n->len = p->cur.value_len;
    n->is_negated = is_negated;
    if (!advance(p)) {
        return NULL;
    }
    if (spl_tok_is(&p->cur, "escape")) {
        fail_unsupported(p, p->cur.pos, "like ... escape");
        return NULL;
    }
    return n;
}

/* predicate := operand [ cmp operand | [not] like 'p' | is [not] null ] */
static struct spl_node *parse_predicate(struct parser *p)
{
    struct spl_node *l = parse_operand(p);
    if (!l) {
        return NULL;
    }
    size_t pos = p->cur.pos;
    enum spl_cmp cmp;
    if (cmp_of(p->cur.kind, &cmp)) {
        if (!advance(p)) {
            return NULL;
        }
        struct spl_node *r = parse_operand(p);
        if (!r) {
            return NULL;
        }
        if (p->cur.kind == SPL_T_OTHER || p->cur.kind == SPL_T_MINUS || p->cur.kind == SPL_T_STAR) {
            fail_unsupported(p, p->cur.pos,
                             "arithmetic and other operators (only =, !=, <>, <, <=, >, >=, like)");
            return NULL;
        }
        if (l->type == SPL_BOOLEAN || r->type == SPL_BOOLEAN) {
            fail_unsupported(p, pos, "comparing boolean values");
            return NULL;
        }
        struct spl_node *n = node_new(p, SPL_N_CMP, SPL_BOOLEAN);
        n->cmp = cmp;
        n->l = l;
        n->r = r;
        return n;
    }
    if (spl_tok_is(&p->cur, "like")) {
        return parse_like(p, l, false);
    }
    if (spl_tok_is(&p->cur, "not")) {
        if (!advance(p)) {
            return NULL;
        }
        if (spl_tok_is(&p->cur, "like")) {
            return parse_like(p, l, true);
        }
        fail_unsupported(p, pos, "'not' after an operand other than 'not like'");
        return NULL;
    }
    if (spl_tok_is(&p->cur, "is")) {
        if (!advance(p)) {
            return NULL;
        }
        struct spl_node *n = node_new(p, SPL_N_ISNULL, SPL_BOOLEAN);
        n->l = l;
        if (spl_tok_is(&p->cur, "not")) {
            n->is_negated = true;
            if (!advance(p)) {
                return NULL;
            }
        }
        if (!spl_tok_is(&p->cur, "null")) {
            char buf[64];
            fail(p, EMU_SPL_SYNTAX, p->cur.pos, "expected 'null', found %s",
                 tok_desc(p, buf, sizeof(buf)));
            return NULL;
        }
        return advance(p) ? n : NULL;
    }
    if (spl_tok_is(&p->cur, "in") || spl_tok_is(&p->cur, "between")) {
        fail_unsupported(p, pos, "'in' and 'between'");
        return NULL;
    }
    if (p->cur.kind == SPL_T_OTHER || p->cur.kind == SPL_T_MINUS || p->cur.kind == SPL_T_STAR) {
        fail_unsupported(p, p->cur.pos,
                         "arithmetic and other operators (only =, !=, <>, <, <=, >, >=, like)");
        return NULL;
    }
    return l;
}

static struct spl_node *require_boolean(struct parser *p, struct spl_node *n, size_t pos)
{
    if (n && n->type != SPL_BOOLEAN) {
        fail(p, EMU_SPL_SYNTAX, pos, "expected a boolean expression, found a %s value",
             n->type == SPL_VARCHAR  ? "varchar"
             : n->type == SPL_BIGINT ? "bigint"
                                     : "double");
        return NULL;
    }
    return n;
}

/* not_expr := 'not' not_expr | predicate */
static struct spl_node *parse_not(struct parser *p)
{
    size_t pos = p->cur.pos;
    if (spl_tok_is(&p->cur, "not")) {
        if (!advance(p)) {
            return NULL;
        }
        struct spl_node *inner = require_boolean(p, parse_not(p), pos);
        if (!inner) {
            return NULL;
        }
        struct spl_node *n = node_new(p, SPL_N_NOT, SPL_BOOLEAN);
        n->l = inner;
        return n;
    }
    return parse_predicate(p);
}

/* Left-associative chain of |word| over |sub|, both sides boolean. */
static struct spl_node *parse_chain(struct parser *p,
                                    const char *word,
                                    enum spl_node_kind kind,
                                    struct spl_node *(*sub)(struct parser *))
{
    size_t pos = p->cur.pos;
    struct spl_node *l = sub(p);
    while (l && spl_tok_is(&p->cur, word)) {
        l = require_boolean(p, l, pos);
        if (!l || !advance(p)) {
            return NULL;
        }
        size_t r_pos = p->cur.pos;
        struct spl_node *r = require_boolean(p, sub(p), r_pos);
        if (!r) {
            return NULL;
        }
        struct spl_node *n = node_new(p, kind, SPL_BOOLEAN);
        n->l = l;
        n->r = r;
        l = n;
    }
    return l;
}

static struct spl_node *parse_and(struct parser *p)
{
    return parse_chain(p, "and", SPL_N_AND, parse_not);
}

static struct spl_node *parse_expr(struct parser *p)
{
    return parse_chain(p, "or", SPL_N_OR, parse_and);
}

static bool at_stage_end(const struct parser *p)
{
    return p->cur.kind == SPL_T_PIPE || p->cur.kind == SPL_T_SEMI || p->cur.kind == SPL_T_EOF;
}

static bool expect_stage_end(struct parser *p, const char *what)
{
    if (at_stage_end(p)) {
        return true;
    }
    char buf[64];
    return fail(p, EMU_SPL_SYNTAX, p->cur.pos, "unexpected %s after %s",
                tok_desc(p, buf, sizeof(buf)), what);
}

static struct spl_item *items_grow(struct parser *p, struct spl_cmd *cmd)
{
    struct spl_item *items = sf_arena_alloc(&p->spl->arena, (cmd->n_items + 1) * sizeof(*items));
    if (cmd->n_items) {
        memcpy(items, cmd->items, cmd->n_items * sizeof(*items));
    }
    cmd->items = items;
    struct spl_item *item = &items[cmd->n_items++];
    memset(item, 0, sizeof(*item));
    return item;
}

/* project | project-away: name (, name)* */
static bool parse_names(struct parser *p, struct spl_cmd *cmd, const char *what)
{
    if (p->cur.kind == SPL_T_MINUS) {
        return fail_unsupported(p, p->cur.pos, "an instruction option (-wildcard)");
    }
    for (;;) {
        struct spl_item *item = items_grow(p, cmd);
        if (!parse_name(p, &item->name, &item->name_len, true)) {
            return false;
        }
        if (p->cur.kind == SPL_T_EQ) {
            return fail_unsupported(p, p->cur.pos, "renaming inside project (use project-rename)");
        }
        if (p->cur.kind != SPL_T_COMMA) {
            return expect_stage_end(p, what);
        }
        if (!advance(p)) {
            return false;
        }
    }
}

/* project-rename: new = old (, new = old)*; extend: name = (field | 'const' | [-]int) (, ...)* */
static bool parse_assignments(struct parser *p, struct spl_cmd *cmd, const char *what)
{
    bool is_extend = cmd->kind == SPL_C_EXTEND;
    for (;;) {
        struct spl_item *item = items_grow(p, cmd);
        if (!parse_name(p, &item->name, &item->name_len, true) || !expect(p, SPL_T_EQ, "'='")) {
            return false;
        }
        size_t pos = p->cur.pos;
        if (is_extend && p->cur.kind == SPL_T_STRING) {
            item->is_const = true;
            item->value = p->cur.value;
            item->value_len = p->cur.value_len;
            if (!advance(p)) {
                return false;
            }
        } else if (is_extend && (p->cur.kind == SPL_T_INT || p->cur.kind == SPL_T_MINUS)) {
            struct spl_node *n = parse_operand(p);
            if (!n) {
                return false;
            }
            if (n->kind != SPL_N_INT) {
                return fail_unsupported(p, pos,
                                        "extend with a value other than a field, a "
                                        "string or an integer constant");
            }
            char *text = sf_arena_alloc(&p->spl->arena, 24);
            item->is_const = true;
            item->value = text;
            item->value_len = (size_t)snprintf(text, 24, "%lld", (long long)n->i);
        } else if (!parse_name(p, &item->from, &item->from_len, true)) {
            if (is_extend && p->kind == EMU_SPL_SYNTAX) {
                p->kind = EMU_SPL_OK; /* not a name: say what the subset takes instead */
                return fail_unsupported(p, pos,
                                        "extend with a value other than a field, a "
                                        "string or an integer constant");
            }
            return false;
        }
        if (is_extend && p->cur.kind != SPL_T_COMMA && !at_stage_end(p)) {
            return fail_unsupported(p, pos,
                                    "extend with an expression (only a field copy or "
                                    "a constant)");
        }
        if (p->cur.kind != SPL_T_COMMA) {
            return expect_stage_end(p, what);
        }
        if (!advance(p)) {
            return false;
        }
    }
}

static bool parse_command(struct parser *p)
{
    char buf[64];
    if (p->spl->n_cmds == EMU_SPL_MAX_STAGES) {
        return fail(p, EMU_SPL_SYNTAX, p->cur.pos, "more than %d pipeline levels",
                    EMU_SPL_MAX_STAGES);
    }
    if (p->cur.kind != SPL_T_IDENT) {
        return fail(p, EMU_SPL_SYNTAX, p->cur.pos, "expected an instruction, found %s",
                    tok_desc(p, buf, sizeof(buf)));
    }
    struct spl_cmd *cmd = &p->spl->cmds[p->spl->n_cmds++];
    memset(cmd, 0, sizeof(*cmd));
    struct spl_tok word = p->cur;
    if (!advance(p)) {
        return false;
    }
    if (spl_tok_is(&word, "where")) {
        cmd->kind = SPL_C_WHERE;
        size_t pos = p->cur.pos;
        cmd->cond = require_boolean(p, parse_expr(p), pos);
        return cmd->cond && expect_stage_end(p, "the where condition");
    }
    if (spl_tok_is(&word, "project")) {
        cmd->kind = SPL_C_PROJECT;
        return parse_names(p, cmd, "project");
    }
    if (spl_tok_is(&word, "project-away")) {
        cmd->kind = SPL_C_PROJECT_AWAY;
        return parse_names(p, cmd, "project-away");
    }
    if (spl_tok_is(&word, "project-rename")) {
        cmd->kind = SPL_C_PROJECT_RENAME;
        return parse_assignments(p, cmd, "project-rename");
    }
    if (spl_tok_is(&word, "extend")) {
        cmd->kind = SPL_C_EXTEND;
        return parse_assignments(p, cmd, "extend");
    }
    snprintf(buf, sizeof(buf), "instruction '%.*s'", (int)(word.len > 40 ? 40 : word.len),
             word.text);
    return fail_unsupported(p, word.pos, buf);
}

/* statement := '*' ( '|' command )* [';'] */
static bool parse_statement(struct parser *p)
{
    char buf[64];
    if (!advance(p)) {
        return false;
    }
    if (p->cur.kind != SPL_T_STAR) {
        return fail(p, EMU_SPL_SYNTAX, p->cur.pos,
                    "the data source must be * (real-time consumption takes no index query), "
                    "found %s",
                    tok_desc(p, buf, sizeof(buf)));
    }
    if (!advance(p)) {
        return false;
    }
    while (p->cur.kind == SPL_T_PIPE) {
        if (!advance_as(p, true) || !parse_command(p)) {
            return false;
        }
    }
    if (p->cur.kind == SPL_T_SEMI && !advance(p)) {
        return false;
    }
    if (p->cur.kind != SPL_T_EOF) {
        return fail(p, EMU_SPL_SYNTAX, p->cur.pos, "expected '|' or the end, found %s",
                    tok_desc(p, buf, sizeof(buf)));
    }
    return true;
}

void emu_spl_free(struct emu_spl *spl)
{
    if (!spl) {
        return;
    }
    for (size_t i = 0; i < spl->n_regexes; i++) {
        regfree(&spl->regexes[i]);
    }
    sf_arena_cleanup(&spl->arena);
    free(spl);
}

struct emu_spl *
emu_spl_parse(const char *text, size_t len, enum emu_spl_error *kind, char *err, size_t err_size)
{
    struct emu_spl *spl = sf_xcalloc(1, sizeof(*spl));
    sf_arena_init(&spl->arena, 4096);
    struct parser p = {
        .lx = {.src = text, .len = len, .arena = &spl->arena},
        .spl = spl,
        .kind = EMU_SPL_OK,
        .err = err,
        .err_size = err_size,
    };
    if (err_size) {
        err[0] = '\0';
    }
    if (len > EMU_SPL_MAX_LEN) {
        fail(&p, EMU_SPL_SYNTAX, EMU_SPL_MAX_LEN, "statement longer than %d bytes",
             EMU_SPL_MAX_LEN);
    } else if (memchr(text, '\0', len)) {
        fail(&p, EMU_SPL_SYNTAX, (size_t)((const char *)memchr(text, '\0', len) - text),
             "NUL byte in the statement");
    } else {
        parse_statement(&p);
    }
    *kind = p.kind;
    if (p.kind != EMU_SPL_OK) {
        emu_spl_free(spl);
        return NULL;
    }
    return spl;
}
