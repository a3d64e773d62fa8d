#include "util/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/banned.h"

static sf_err fail(char *errbuf, size_t errbuf_size, const char *what, size_t column)
{
    snprintf(errbuf, errbuf_size, "template: %s at column %zu", what, column + 1);
    return SF_ERR_CONFIG;
}

/* `project` and `logstore` name the source; a near miss ("project_id" is a content key, but
 * "project:" or "project." is not) is refused rather than read as a field that never exists. */
static bool is_source_variant(struct sf_str name, const char *word)
{
    size_t n = strlen(word);
    return name.len > n && memcmp(name.ptr, word, n) == 0 &&
           (name.ptr[n] == ':' || name.ptr[n] == '.' || name.ptr[n] == '|');
}

static sf_err add_part(struct sf_template *t,
                       struct sf_template_part part,
                       char *errbuf,
                       size_t errbuf_size,
                       size_t column)
{
    if (t->n_parts == SF_TEMPLATE_MAX_PARTS) {
        snprintf(errbuf, errbuf_size, "template: more than %d parts (at column %zu)",
                 SF_TEMPLATE_MAX_PARTS, column + 1);
        return SF_ERR_CONFIG;
    }
    t->parts[t->n_parts++] = part;
    return SF_OK;
}

/* A reference's inside, |s| [0, len): "name" or "name|fallback". */
static sf_err parse_ref(struct sf_template *t,
                        const char *s,
                        size_t len,
                        char *errbuf,
                        size_t errbuf_size,
                        size_t column)
{
    const char *bar = memchr(s, '|', len);
    struct sf_template_part part = {.kind = SF_TEMPLATE_FIELD};
    part.text = (struct sf_str){.ptr = s, .len = bar ? (size_t)(bar - s) : len};
    if (bar) {
        part.has_fallback = true;
        part.fallback = (struct sf_str){.ptr = bar + 1, .len = len - part.text.len - 1};
    }
    if (part.text.len == 0) {
        return fail(errbuf, errbuf_size, "empty field name in {}", column);
    }
    if (sf_str_eq_cstr(part.text, "project")) {
        part.kind = SF_TEMPLATE_PROJECT;
    } else if (sf_str_eq_cstr(part.text, "logstore")) {
        part.kind = SF_TEMPLATE_LOGSTORE;
    } else if (is_source_variant(part.text, "project") ||
               is_source_variant(part.text, "logstore")) {
        return fail(errbuf, errbuf_size,
                    "unknown source reference (only {project} and {logstore} exist)", column);
    }
    return add_part(t, part, errbuf, errbuf_size, column);
}

sf_err
sf_template_parse(const char *text, struct sf_template *out, char *errbuf, size_t errbuf_size)
{
    size_t len = strlen(text);
    *out = (struct sf_template){0};
    out->text = sf_xmalloc(len + 1);
    char *d = out->text;
    const char *lit = d; /* start of the literal being gathered in |d| */
    size_t lit_column = 0;
    sf_err err;

    for (size_t i = 0; i < len;) {
        char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < len && text[i + 1] == c) {
            *d++ = c;
            i += 2;
            continue;
        }
        if (c == '}') {
            return fail(errbuf, errbuf_size, "'}' without '{' (write '}}' for a brace)", i);
        }
        if (c != '{') {
            *d++ = c;
            i++;
            continue;
        }
        if (d > lit) {
            err =
                add_part(out,
                         (struct sf_template_part){.kind = SF_TEMPLATE_LITERAL,
                                                   .text = {.ptr = lit, .len = (size_t)(d - lit)}},
                         errbuf, errbuf_size, lit_column);
            if (err) {
                return err;
            }
        }
        size_t start = i + 1;
        size_t end = start;
        while (end < len && text[end] != '}' && text[end] != '{') {
            end++;
        }
        if (end == len) {
            return fail(errbuf, errbuf_size, "'{' is not closed (write '{{' for a brace)", i);
        }
        if (text[end] == '{') {
            return fail(errbuf, errbuf_size, "'{' inside a reference", end);
        }
        memcpy(d, text + start, end - start);
        err = parse_ref(out, d, end - start, errbuf, errbuf_size, i);
        if (err) {
            return err;
        }
        d += end - start;
        lit = d;
        i = end + 1;
        lit_column = i;
    }
    if (d > lit) {
        err = add_part(out,
                       (struct sf_template_part){.kind = SF_TEMPLATE_LITERAL,
                                                 .text = {.ptr = lit, .len = (size_t)(d - lit)}},
                       errbuf, errbuf_size, lit_column);
        if (err) {
            return err;
        }
    }
    *d = '\0';
    out->is_literal = true;
    for (size_t i = 0; i < out->n_parts; i++) {
        out->is_literal = out->is_literal && out->parts[i].kind == SF_TEMPLATE_LITERAL;
    }
    return SF_OK;
}

void sf_template_cleanup(struct sf_template *t)
{
    free(t->text);
    *t = (struct sf_template){0};
}

bool sf_template_is_plain(const char *text)
{
    return strpbrk(text, "{}") == NULL;
}
