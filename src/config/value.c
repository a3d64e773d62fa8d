/* Typed values in struct sf_config / struct sf_config_source, driven by a table row: parse
 * user text into the field, copy it, clear it. (dump.c formats it back.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config_int.h"
#include "util/alloc.h"
#include "util/banned.h"

/* Parsing goes into a zeroed scratch struct first, so a value that fails its check leaves
 * the real field as it was, and the row's offsets work unchanged. */
union scratch {
    struct sf_config config;
    struct sf_config_source source;
};

void *sf_option_field(const struct sf_option *opt, void *base)
{
    return (char *)base + opt->offset;
}

const void *sf_option_cfield(const struct sf_option *opt, const void *base)
{
    return (const char *)base + opt->offset;
}

static void *aux_field(const struct sf_option *opt, void *base)
{
    return (char *)base + opt->aux_offset;
}

static const void *aux_cfield(const struct sf_option *opt, const void *base)
{
    return (const char *)base + opt->aux_offset;
}

static bool is_string_type(enum sf_opt_type type)
{
    return type == SF_OPT_STRING || type == SF_OPT_SECRET || type == SF_OPT_ENUM ||
           type == SF_OPT_CSV;
}

void sf_option_clear(const struct sf_option *opt, void *base)
{
    void *field = sf_option_field(opt, base);
    if (is_string_type(opt->type)) {
        free(*(char **)field);
        *(char **)field = NULL;
    } else if (opt->type == SF_OPT_LIST) {
        char **items = *(char ***)field;
        size_t *n = aux_field(opt, base);
        for (size_t i = 0; i < *n; i++) {
            free(items[i]);
        }
        free(items);
        *(char ***)field = NULL;
        *n = 0;
    } else if (opt->type == SF_OPT_TIME) {
        *(int64_t *)field = 0;
        *(bool *)aux_field(opt, base) = false;
    }
}

/* Bytes of the main field and of the companion field, for moving a parsed value. */
static size_t field_size(enum sf_opt_type type, size_t *aux_size)
{
    static const size_t sizes[][2] = {
        [SF_OPT_STRING] = {sizeof(char *), 0},
        [SF_OPT_SECRET] = {sizeof(char *), 0},
        [SF_OPT_INT] = {sizeof(int), 0},
        [SF_OPT_BOOL] = {sizeof(bool), 0},
        [SF_OPT_DURATION] = {sizeof(int), 0},
        [SF_OPT_SIZE] = {sizeof(size_t), 0},
        [SF_OPT_ENUM] = {sizeof(char *), 0},
        [SF_OPT_START] = {sizeof(enum sf_config_start), sizeof(int64_t)},
        [SF_OPT_TIME] = {sizeof(int64_t), sizeof(bool)},
        [SF_OPT_LIST] = {sizeof(char **), sizeof(size_t)},
        [SF_OPT_CSV] = {sizeof(char *), 0},
    };
    *aux_size = sizes[type][1];
    return sizes[type][0];
}

/* Moves the value parsed into |scratch| over |base|'s, freeing the old one. */
static void move_value(const struct sf_option *opt, void *base, void *scratch)
{
    size_t aux_size;
    size_t size = field_size(opt->type, &aux_size);
    sf_option_clear(opt, base);
    memcpy(sf_option_field(opt, base), sf_option_field(opt, scratch), size);
    if (aux_size) {
        memcpy(aux_field(opt, base), aux_field(opt, scratch), aux_size);
    }
}

static bool expect(char *why, size_t why_size, const char *text)
{
    snprintf(why, why_size, "%s", text);
    return false;
}

/* "expected 1 or 4", "expected one of lz4, zstd, deflate, none". */
static void expected_choices(const struct sf_option *opt, char *why, size_t why_size)
{
    size_t n = 0;
    while (opt->choices[n]) {
        n++;
    }
    if (n == 2) {
        snprintf(why, why_size, "expected %s or %s", opt->choices[0], opt->choices[1]);
        return;
    }
    size_t pos = (size_t)snprintf(why, why_size, "expected one of");
    for (size_t i = 0; i < n && pos < why_size; i++) {
        pos += (size_t)snprintf(why + pos, why_size - pos, "%s %s", i ? "," : "", opt->choices[i]);
    }
}

/* An INT row with |choices| takes only those values (sign_version: 1 or 4). */
static bool is_int_choice(const struct sf_option *opt, long long value)
{
    if (!opt->choices) {
        return true;
    }
    for (size_t i = 0; opt->choices[i]; i++) {
        if (strtoll(opt->choices[i], NULL, 10) == value) {
            return true;
        }
    }
    return false;
}

void sf_option_expected(const struct sf_option *opt, char *why, size_t why_size)
{
    static const char *const phrases[] = {
        [SF_OPT_STRING] = "expected a string",
        [SF_OPT_SECRET] = "expected a string",
        [SF_OPT_INT] = "expected a whole number",
        [SF_OPT_BOOL] = "expected true or false",
        [SF_OPT_DURATION] = "expected a duration like 20s, 500ms or 2m",
        [SF_OPT_SIZE] = "expected a size like 256MiB, 1GB or a number of bytes",
        [SF_OPT_ENUM] = "",
        [SF_OPT_START] = "expected begin, end, unix seconds or a time like 2025-06-10T08:00:00Z",
        [SF_OPT_TIME] = "expected unix seconds or a time like 2025-06-10T08:00:00Z",
        [SF_OPT_LIST] = "expected a list of strings",
        [SF_OPT_CSV] = "expected a list of strings",
    };
    if (opt->choices) {
        expected_choices(opt, why, why_size);
    } else if (opt->type == SF_OPT_INT) {
        snprintf(why, why_size, "expected a whole number from %lld to %lld", opt->min, opt->max);
    } else {
        snprintf(why, why_size, "%s", phrases[opt->type]);
    }
}

static bool
parse_int(const struct sf_option *opt, const char *text, void *field, char *why, size_t why_size)
{
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    bool is_number = text[0] == '-' || (text[0] >= '0' && text[0] <= '9');
    if (!is_number || errno != 0 || *end != '\0' || value < opt->min || value > opt->max ||
        !is_int_choice(opt, value)) {
        sf_option_expected(opt, why, why_size);
        return false;
    }
    *(int *)field = (int)value;
    return true;
}

static bool parse_duration(
    const struct sf_option *opt, const char *text, void *field, char *why, size_t why_size)
{
    int64_t ms;
    if (!sf_config_parse_duration_ms(text, &ms)) {
        sf_option_expected(opt, why, why_size);
        return false;
    }
    if (ms < opt->min || ms > opt->max) {
        char lo[32];
        char hi[32];
        sf_config_format_duration_ms(opt->min, lo, sizeof(lo));
        sf_config_format_duration_ms(opt->max, hi, sizeof(hi));
        snprintf(why, why_size, "expected a duration from %s to %s", lo, hi);
        return false;
    }
    if (ms % opt->unit_ms != 0) {
        return expect(why, why_size, "expected whole seconds, like 20s");
    }
    *(int *)field = (int)(ms / opt->unit_ms);
    return true;
}

static bool
parse_size(const struct sf_option *opt, const char *text, void *field, char *why, size_t why_size)
{
    uint64_t bytes;
    if (!sf_config_parse_size(text, &bytes)) {
        sf_option_expected(opt, why, why_size);
        return false;
    }
    if (bytes < (uint64_t)opt->min || bytes > (uint64_t)opt->max) {
        char lo[32];
        char hi[32];
        sf_config_format_size((uint64_t)opt->min, lo, sizeof(lo));
        sf_config_format_size((uint64_t)opt->max, hi, sizeof(hi));
        snprintf(why, why_size, "expected a size from %s to %s", lo, hi);
        return false;
    }
    *(size_t *)field = (size_t)bytes;
    return true;
}

static bool
parse_enum(const struct sf_option *opt, const char *text, void *field, char *why, size_t why_size)
{
    for (size_t i = 0; opt->choices[i]; i++) {
        if (strcasecmp(text, opt->choices[i]) == 0) {
            *(char **)field = sf_xstrdup(opt->choices[i]);
            return true;
        }
    }
    expected_choices(opt, why, why_size);
    return false;
}

static bool
parse_start(const struct sf_option *opt, const char *text, void *base, char *why, size_t why_size)
{
    enum sf_config_start *start = sf_option_field(opt, base);
    if (strcasecmp(text, "begin") == 0) {
        *start = SF_CONFIG_START_BEGIN;
    } else if (strcasecmp(text, "end") == 0) {
        *start = SF_CONFIG_START_END;
    } else if (sf_config_parse_time(text, aux_field(opt, base))) {
        *start = SF_CONFIG_START_TIME;
    } else {
        sf_option_expected(opt, why, why_size);
        return false;
    }
    return true;
}

static bool
parse_time(const struct sf_option *opt, const char *text, void *base, char *why, size_t why_size)
{
    if (text[0] == '\0') { /* "no end" */
        return true;
    }
    if (!sf_config_parse_time(text, sf_option_field(opt, base))) {
        sf_option_expected(opt, why, why_size);
        return false;
    }
    *(bool *)aux_field(opt, base) = true;
    return true;
}

/* "a, b,,c" → {"a", "b", "c"}: the list form of the environment and of defaults. */
static char **split_list(const char *text, size_t *n_items)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++) {
        cap += *p == ',';
    }
    char **items = sf_xcalloc(cap, sizeof(*items));
    size_t n = 0;
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *start = p;
        const char *end = p + len;
        while (start < end && (*start == ' ' || *start == '\t')) {
            start++;
        }
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) {
            end--;
        }
        if (end > start) {
            items[n++] = sf_xstrndup(start, (size_t)(end - start));
        }
        p += len + (p[len] == ',');
    }
    *n_items = n;
    return items;
}

static void
store_list(const struct sf_option *opt, const char *const *items, size_t n_items, void *base)
{
    if (opt->type == SF_OPT_LIST) {
        char **copy = sf_xcalloc(n_items ? n_items : 1, sizeof(*copy));
        for (size_t i = 0; i < n_items; i++) {
            copy[i] = sf_xstrdup(items[i]);
        }
        *(char ***)sf_option_field(opt, base) = copy;
        *(size_t *)aux_field(opt, base) = n_items;
        return;
    }
    struct sf_buf joined;
    sf_buf_init(&joined, SIZE_MAX);
    for (size_t i = 0; i < n_items; i++) {
        sf_buf_printf(&joined, "%s%s", i ? "," : "", items[i]);
    }
    sf_buf_terminate(&joined);
    *(char **)sf_option_field(opt, base) = n_items ? sf_xstrdup((char *)joined.ptr) : NULL;
    sf_buf_cleanup(&joined);
}

static bool
parse_into(const struct sf_option *opt, const char *text, void *base, char *why, size_t why_size)
{
    void *field = sf_option_field(opt, base);
    switch (opt->type) {
    case SF_OPT_STRING:
    case SF_OPT_SECRET:
        *(char **)field = text[0] || opt->is_empty_kept ? sf_xstrdup(text) : NULL;
        return true;
    case SF_OPT_INT:
        return parse_int(opt, text, field, why, why_size);
    case SF_OPT_BOOL:
        return sf_config_parse_bool(text, field) || expect(why, why_size, "expected true or false");
    case SF_OPT_DURATION:
        return parse_duration(opt, text, field, why, why_size);
    case SF_OPT_SIZE:
        return parse_size(opt, text, field, why, why_size);
    case SF_OPT_ENUM:
        if (text[0] == '\0' && opt->fallback == NULL) {
            *(char **)field = NULL; /* an optional choice (sls.mapping.*): "" leaves it unset */
            return true;
        }
        return parse_enum(opt, text, field, why, why_size);
    case SF_OPT_START:
        return parse_start(opt, text, base, why, why_size);
    case SF_OPT_TIME:
        return parse_time(opt, text, base, why, why_size);
    case SF_OPT_LIST:
    case SF_OPT_CSV: {
        size_t n_items;
        char **items = split_list(text, &n_items);
        store_list(opt, (const char *const *)items, n_items, base);
        for (size_t i = 0; i < n_items; i++) {
            free(items[i]);
        }
        free(items);
        return true;
    }
    }
    return false;
}

/* The row's extra rule runs on the parsed value; then the value replaces the old one. */
static bool finish(const struct sf_option *opt,
                   bool is_parsed,
                   void *base,
                   void *scratch,
                   char *why,
                   size_t why_size)
{
    if (is_parsed && opt->check && sf_option_is_set(opt, scratch)) {
        is_parsed = opt->check(opt, scratch, why, why_size);
    }
    if (!is_parsed) {
        sf_option_clear(opt, scratch);
        return false;
    }
    move_value(opt, base, scratch);
    return true;
}

bool sf_option_parse(
    const struct sf_option *opt, const char *text, void *base, char *why, size_t why_size)
{
    union scratch scratch;
    memset(&scratch, 0, sizeof(scratch));
    bool is_parsed = parse_into(opt, text, &scratch, why, why_size);
    return finish(opt, is_parsed, base, &scratch, why, why_size);
}

bool sf_option_parse_list(const struct sf_option *opt,
                          const char *const *items,
                          size_t n_items,
                          void *base,
                          char *why,
                          size_t why_size)
{
    union scratch scratch;
    memset(&scratch, 0, sizeof(scratch));
    store_list(opt, items, n_items, &scratch);
    return finish(opt, true, base, &scratch, why, why_size);
}

void sf_option_copy(const struct sf_option *opt, void *dst, const void *src)
{
    const void *from = sf_option_cfield(opt, src);
    if (is_string_type(opt->type)) {
        const char *s = *(char *const *)from;
        sf_option_clear(opt, dst);
        *(char **)sf_option_field(opt, dst) = s ? sf_xstrdup(s) : NULL;
    } else if (opt->type == SF_OPT_LIST) {
        sf_option_clear(opt, dst);
        store_list(opt, *(const char *const *const *)from, *(const size_t *)aux_cfield(opt, src),
                   dst);
    } else {
        size_t aux_size;
        size_t size = field_size(opt->type, &aux_size);
        memcpy(sf_option_field(opt, dst), from, size);
        if (aux_size) {
            memcpy(aux_field(opt, dst), aux_cfield(opt, src), aux_size);
        }
    }
}

bool sf_option_is_set(const struct sf_option *opt, const void *base)
{
    const void *field = sf_option_cfield(opt, base);
    if (is_string_type(opt->type)) {
        return *(char *const *)field != NULL;
    }
    if (opt->type == SF_OPT_LIST) {
        return *(const size_t *)aux_cfield(opt, base) > 0;
    }
    if (opt->type == SF_OPT_TIME) {
        return *(const bool *)aux_cfield(opt, base);
    }
    return true;
}
