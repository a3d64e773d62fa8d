/* regexp_like patterns: SPL documents RE2-style patterns ('\d+', '(\S+)'); the emulator
 * runs them with the C library's POSIX ERE (glibc adds \w \W \s \S \b \B), translating the
 * escapes ERE lacks and refusing RE2 syntax it cannot express, so a pattern never silently
 * means something else. Values are matched as bytes (the emulator runs in the C locale), so
 * invalid UTF-8 in a value is fine. */
#include <stdio.h>
#include <string.h>

#include "spl_int.h"
#include "util/buf.h"

#include "util/banned.h"

static bool unsupported(bool *is_unsupported, char *why, size_t size, const char *what)
{
    *is_unsupported = true;
    snprintf(why, size, "%s is not in the emulator's SPL subset", what);
    return false;
}

/* An escape inside [...]: POSIX takes a backslash there literally, so emit what RE2 means. */
static bool bracket_escape(struct sf_buf *out, char c, bool *is_unsupported, char *why, size_t size)
{
    switch (c) {
    case 'd':
        return sf_buf_append_cstr(out, "0-9") == 0;
    case 's':
        return sf_buf_append_cstr(out, "[:space:]") == 0;
    case 'w':
        return sf_buf_append_cstr(out, "[:alnum:]_") == 0;
    case 't':
        return sf_buf_append(out, "\t", 1) == 0;
    case 'n':
        return sf_buf_append(out, "\n", 1) == 0;
    case 'r':
        return sf_buf_append(out, "\r", 1) == 0;
    case ']':
    case '^':
    case '-':
    case '[':
        return unsupported(is_unsupported, why, size, "an escaped ] ^ - or [ inside brackets");
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return unsupported(is_unsupported, why, size, "this escape inside brackets");
        }
        return sf_buf_append(out, &c, 1) == 0; /* \. \\ \/ ...: the character itself */
    }
}

/* An escape outside brackets. */
static bool plain_escape(struct sf_buf *out, char c, bool *is_unsupported, char *why, size_t size)
{
    switch (c) {
    case 'd':
        return sf_buf_append_cstr(out, "[0-9]") == 0;
    case 'D':
        return sf_buf_append_cstr(out, "[^0-9]") == 0;
    case 't':
        return sf_buf_append(out, "\t", 1) == 0;
    case 'n':
        return sf_buf_append(out, "\n", 1) == 0;
    case 'r':
        return sf_buf_append(out, "\r", 1) == 0;
    case 'w':
    case 'W':
    case 's':
    case 'S':
    case 'b':
    case 'B': {
        char esc[2] = {'\\', c};
        return sf_buf_append(out, esc, 2) == 0; /* glibc ERE extensions */
    }
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return unsupported(is_unsupported, why, size,
                               "this escape (\\x, \\p, \\A, \\z, back-references, ...)");
        }
        char esc[2] = {'\\', c};
        return sf_buf_append(out, esc, 2) == 0; /* an escaped metacharacter */
    }
}

static bool translate(
    struct sf_buf *out, const char *pat, size_t len, bool *is_unsupported, char *why, size_t size)
{
    bool in_bracket = false;
    size_t bracket_start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = pat[i];
        if (c == '\\') {
            if (i + 1 == len) {
                snprintf(why, size, "trailing backslash");
                return false;
            }
            c = pat[++i];
            bool is_ok = in_bracket ? bracket_escape(out, c, is_unsupported, why, size)
                                    : plain_escape(out, c, is_unsupported, why, size);
            if (!is_ok) {
                return false;
            }
            continue;
        }
        if (in_bracket) {
            /* ']' right after '[' or '[^' is a member, as in both syntaxes */
            if (c == ']' && i > bracket_start) {
                in_bracket = false;
            } else if (c == '[' && i + 1 < len && strchr(":.=", pat[i + 1])) {
                return unsupported(is_unsupported, why, size, "a POSIX class inside brackets");
            }
        } else if (c == '[') {
            in_bracket = true;
            bracket_start = i + 1 < len && pat[i + 1] == '^' ? i + 2 : i + 1;
        } else if (c == '(' && i + 1 < len && pat[i + 1] == '?') {
            return unsupported(is_unsupported, why, size, "a (? group or flag");
        } else if (strchr("*+?}", c) && i + 1 < len && pat[i + 1] == '?') {
            return unsupported(is_unsupported, why, size, "a lazy quantifier");
        }
        if (sf_buf_append(out, &c, 1) != 0) {
            return false;
        }
    }
    if (in_bracket) {
        snprintf(why, size, "unterminated [");
        return false;
    }
    return sf_buf_terminate(out) == 0;
}

bool spl_regex_compile(regex_t *re,
                       const char *pattern,
                       size_t len,
                       bool *is_unsupported,
                       char *why_buf,
                       size_t why_size)
{
    *is_unsupported = false;
    struct sf_buf out;
    sf_buf_init(&out, 4 * len + 64);
    if (!translate(&out, pattern, len, is_unsupported, why_buf, why_size)) {
        sf_buf_cleanup(&out);
        return false;
    }
    int rc = regcomp(re, (const char *)out.ptr, REG_EXTENDED | REG_NOSUB);
    sf_buf_cleanup(&out);
    if (rc != 0) {
        regerror(rc, re, why_buf, why_size); /* glibc frees a failed compile itself */
        return false;
    }
    return true;
}
