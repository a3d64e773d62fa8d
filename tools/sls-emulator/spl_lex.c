/* SPL tokenizer. Quoting follows the SPL syntax page: 'text' is a string constant and
 * "name" a field name with special characters, each doubling its quote to contain it;
 * backslashes are literal (regex patterns such as '(\S+)' are written as is). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spl_int.h"

#include "util/banned.h"

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c);
}

bool spl_tok_is(const struct spl_tok *tok, const char *word)
{
    size_t n = strlen(word);
    return tok->kind == SPL_T_IDENT && tok->len == n && strncasecmp(tok->text, word, n) == 0;
}

static void skip_space(struct spl_lexer *lx)
{
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            break;
        }
        lx->pos++;
    }
}

/* A quoted token starting at lx->pos: the text between the quotes, doubled quotes undone. */
static bool lex_quoted(struct spl_lexer *lx, struct spl_tok *tok, char quote, const char **why)
{
    char *out = sf_arena_alloc(lx->arena, lx->len - lx->pos + 1);
    size_t n = 0;
    size_t i = lx->pos + 1;
    for (;;) {
        if (i >= lx->len) {
            *why = quote == '\'' ? "unterminated string constant" : "unterminated quoted name";
            return false;
        }
        if (lx->src[i] == quote) {
            if (i + 1 < lx->len && lx->src[i + 1] == quote) {
                out[n++] = quote;
                i += 2;
                continue;
            }
            i++;
            break;
        }
        out[n++] = lx->src[i++];
    }
    out[n] = '\0';
    tok->kind = quote == '\'' ? SPL_T_STRING : SPL_T_QIDENT;
    tok->value = out;
    tok->value_len = n;
    lx->pos = i;
    return true;
}

/* [0-9]+ ( '.' [0-9]+ )? ( [eE] [+-]? [0-9]+ )? */
static bool lex_number(struct spl_lexer *lx, struct spl_tok *tok, const char **why)
{
    size_t i = lx->pos;
    bool is_double = false;
    while (i < lx->len && is_digit(lx->src[i])) {
        i++;
    }
    if (i + 1 < lx->len && lx->src[i] == '.' && is_digit(lx->src[i + 1])) {
        is_double = true;
        for (i++; i < lx->len && is_digit(lx->src[i]); i++) {
        }
    }
    if (i < lx->len && (lx->src[i] == 'e' || lx->src[i] == 'E')) {
        size_t j = i + 1;
        if (j < lx->len && (lx->src[j] == '+' || lx->src[j] == '-')) {
            j++;
        }
        if (j < lx->len && is_digit(lx->src[j])) {
            is_double = true;
            for (i = j; i < lx->len && is_digit(lx->src[i]); i++) {
            }
        }
    }
    if (i < lx->len && is_ident_char(lx->src[i])) {
        *why = "malformed number";
        return false;
    }
    char buf[64];
    size_t n = i - lx->pos;
    if (n >= sizeof(buf)) {
        *why = "number too long";
        return false;
    }
    memcpy(buf, lx->src + lx->pos, n);
    buf[n] = '\0';
    errno = 0;
    if (is_double) {
        tok->kind = SPL_T_DOUBLE;
        tok->d = strtod(buf, NULL);
        if (errno || !isfinite(tok->d)) {
            *why = "number out of range";
            return false;
        }
    } else {
        tok->kind = SPL_T_INT;
        tok->i = strtoll(buf, NULL, 10);
        if (errno) {
            *why = "number out of range for bigint";
            return false;
        }
    }
    lx->pos = i;
    return true;
}

static bool lex_token(struct spl_lexer *lx, struct spl_tok *tok, bool is_command, const char **why)
{
    skip_space(lx);
    memset(tok, 0, sizeof(*tok));
    tok->pos = lx->pos;
    tok->text = lx->src + lx->pos;
    if (lx->pos >= lx->len) {
        tok->kind = SPL_T_EOF;
        return true;
    }
    char c = lx->src[lx->pos];
    char next = lx->pos + 1 < lx->len ? lx->src[lx->pos + 1] : '\0';
    bool is_ok = true;
    if (is_ident_start(c)) {
        size_t i = lx->pos + 1;
        while (i < lx->len &&
               (is_ident_char(lx->src[i]) || (is_command && lx->src[i] == '-' && i + 1 < lx->len &&
                                              is_ident_start(lx->src[i + 1])))) {
            i++;
        }
        tok->kind = SPL_T_IDENT;
        tok->value = tok->text;
        tok->value_len = i - lx->pos;
        lx->pos = i;
    } else if (c == '\'' || c == '"') {
        is_ok = lex_quoted(lx, tok, c, why);
    } else if (is_digit(c)) {
        is_ok = lex_number(lx, tok, why);
    } else {
        static const struct {
            const char *text;
            enum spl_tok_kind kind;
        } ops[] = {
            {"!=", SPL_T_NE},    {"<>", SPL_T_NE},    {"<=", SPL_T_LE},  {">=", SPL_T_GE},
            {"*", SPL_T_STAR},   {"|", SPL_T_PIPE},   {";", SPL_T_SEMI}, {",", SPL_T_COMMA},
            {"(", SPL_T_LPAREN}, {")", SPL_T_RPAREN}, {"=", SPL_T_EQ},   {"<", SPL_T_LT},
            {">", SPL_T_GT},     {"-", SPL_T_MINUS},
        };
        tok->kind = SPL_T_OTHER;
        size_t n = 1;
        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
            size_t op_len = strlen(ops[k].text);
            if (ops[k].text[0] == c && (op_len == 1 || ops[k].text[1] == next)) {
                tok->kind = ops[k].kind;
                n = op_len;
                break;
            }
        }
        lx->pos += n;
    }
    tok->len = lx->pos - tok->pos;
    return is_ok;
}

bool spl_lex_next(struct spl_lexer *lx, struct spl_tok *tok, const char **why)
{
    return lex_token(lx, tok, false, why);
}

bool spl_lex_command(struct spl_lexer *lx, struct spl_tok *tok, const char **why)
{
    return lex_token(lx, tok, true, why);
}
