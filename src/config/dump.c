/* The effective configuration as YAML, for the startup log and `slsfwd check`: every source
 * fully expanded, each value followed by where it came from, and every secret replaced by
 * "<redacted>", also inside URLs (a HEC URL's ?token=, a user:password@). The output loads
 * again as a config file (secrets aside). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_int.h"
#include "util/banned.h"
#include "util/url.h"

#define COMMENT_COLUMN 52

/* A YAML double-quoted scalar: always valid, whatever bytes the value holds. */
static void append_quoted(struct sf_buf *out, const char *s)
{
    sf_buf_append_cstr(out, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            sf_buf_printf(out, "\\%c", *p);
        } else if (*p < 0x20 || *p == 0x7f) {
            sf_buf_printf(out, "\\x%02x", *p);
        } else {
            sf_buf_append(out, p, 1);
        }
    }
    sf_buf_append_cstr(out, "\"");
}

static void format_list(const struct sf_option *opt, const void *base, struct sf_buf *out)
{
    char *const *items = *(char *const *const *)sf_option_cfield(opt, base);
    size_t n = *(const size_t *)((const char *)base + opt->aux_offset);
    sf_buf_append_cstr(out, "[");
    for (size_t i = 0; i < n; i++) {
        sf_buf_append_cstr(out, i ? ", " : "");
        if (strstr(items[i], "://")) { /* output.hec.urls: no user:password@, no ?token= */
            char *shown = sf_url_redact_dup(items[i]);
            append_quoted(out, shown);
            free(shown);
            continue;
        }
        append_quoted(out, items[i]);
    }
    sf_buf_append_cstr(out, "]");
}

static void format_start(const struct sf_option *opt, const void *base, struct sf_buf *out)
{
    enum sf_config_start start = *(const enum sf_config_start *)sf_option_cfield(opt, base);
    char text[32];
    if (start == SF_CONFIG_START_TIME) {
        sf_config_format_time(*(const int64_t *)((const char *)base + opt->aux_offset), text,
                              sizeof(text));
    } else {
        snprintf(text, sizeof(text), "%s", start == SF_CONFIG_START_END ? "end" : "begin");
    }
    sf_buf_append_cstr(out, text);
}

void sf_option_format(const struct sf_option *opt, const void *base, struct sf_buf *out)
{
    const void *field = sf_option_cfield(opt, base);
    char text[64];
    if (!sf_option_is_set(opt, base) && opt->type != SF_OPT_LIST) {
        sf_buf_append_cstr(out, "~");
        return;
    }
    switch (opt->type) {
    case SF_OPT_SECRET:
        sf_buf_append_cstr(out, "\"<redacted>\"");
        return;
    case SF_OPT_STRING:
        if (strstr(*(char *const *)field, "://")) {
            char *shown = sf_url_redact_dup(*(char *const *)field);
            append_quoted(out, shown);
            free(shown);
            return;
        }
        append_quoted(out, *(char *const *)field);
        return;
    case SF_OPT_ENUM:
    case SF_OPT_CSV:
        append_quoted(out, *(char *const *)field);
        return;
    case SF_OPT_INT:
        sf_buf_printf(out, "%d", *(const int *)field);
        return;
    case SF_OPT_BOOL:
        sf_buf_append_cstr(out, *(const bool *)field ? "true" : "false");
        return;
    case SF_OPT_DURATION:
        sf_config_format_duration_ms((int64_t) * (const int *)field * opt->unit_ms, text,
                                     sizeof(text));
        break;
    case SF_OPT_SIZE:
        sf_config_format_size(*(const size_t *)field, text, sizeof(text));
        break;
    case SF_OPT_START:
        format_start(opt, base, out);
        return;
    case SF_OPT_TIME:
        sf_config_format_time(*(const int64_t *)field, text, sizeof(text));
        break;
    case SF_OPT_LIST:
        format_list(opt, base, out);
        return;
    }
    sf_buf_append_cstr(out, text);
}

static void describe_origin(const struct sf_config *config,
                            const struct sf_option *opt,
                            const struct sf_origin *origin,
                            struct sf_buf *out)
{
    char name[96];
    switch (origin->kind) {
    case SF_ORIGIN_DEFAULT:
        sf_buf_append_cstr(out, "default");
        break;
    case SF_ORIGIN_FILE:
        sf_buf_printf(out, "%s:%d%s%s", config->path ? config->path : "file", origin->line,
                      origin->is_from_file ? " via _file" : "",
                      origin->is_inherited ? " (sls:)" : "");
        break;
    case SF_ORIGIN_ENV:
        sf_option_env_name(opt, name, sizeof(name));
        sf_buf_printf(out, "$%s%s", name, origin->is_from_file ? "_FILE" : "");
        break;
    case SF_ORIGIN_ALIAS:
        sf_buf_printf(out, "$%s", opt->env_alias);
        break;
    case SF_ORIGIN_CLI:
        sf_buf_append_cstr(out, "command line");
        break;
    case SF_ORIGIN_DERIVED:
        sf_buf_append_cstr(out, "derived");
        break;
    }
}

static void dump_value(const struct sf_config *config,
                       const struct sf_option *opt,
                       const void *base,
                       const struct sf_origin *origin,
                       const char *lead,
                       const char *key,
                       struct sf_buf *out)
{
    size_t start = out->len;
    sf_buf_printf(out, "%s%s: ", lead, key);
    sf_option_format(opt, base, out);
    size_t width = out->len - start;
    sf_buf_printf(out, "%*s# ", width < COMMENT_COLUMN ? (int)(COMMENT_COLUMN - width) : 1, "");
    describe_origin(config, opt, origin, out);
    sf_buf_append_cstr(out, "\n");
}

static void dump_sources(const struct sf_config *config, struct sf_buf *out)
{
    sf_buf_append_cstr(out, "sources:\n");
    for (size_t s = 0; s < config->n_sources; s++) {
        bool is_first = true;
        for (size_t i = 0; i < sf_n_options; i++) {
            const struct sf_option *opt = &sf_options[i];
            if (opt->scope != SF_OPT_SOURCE) {
                continue;
            }
            const struct sf_origin *origin = &config->provenance->sources[s * sf_n_options + i];
            dump_value(config, opt, &config->sources[s], origin, is_first ? "  - " : "    ",
                       sf_option_source_key(opt), out);
            is_first = false;
        }
    }
}

/* Rows under `output.<sink>.` belong to that sink: only the selected one is shown. */
static bool is_other_sink(const struct sf_config *config, const char *key)
{
    if (strncmp(key, "output.", 7) != 0) {
        return false;
    }
    for (size_t i = 0; i < sf_n_option_sinks; i++) {
        size_t len = strlen(sf_option_sinks[i].name);
        if (strncmp(key + 7, sf_option_sinks[i].name, len) == 0 && key[7 + len] == '.') {
            return !sf_config_has_sink(config, sf_option_sinks[i].kind);
        }
    }
    return false;
}

static void dump_globals(const struct sf_config *config, struct sf_buf *out)
{
    const char *prev = NULL;
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        if (opt->scope != SF_OPT_GLOBAL || is_other_sink(config, opt->key)) {
            continue;
        }
        char lead[32];
        int indent = sf_option_open_sections(opt->key, prev, out);
        snprintf(lead, sizeof(lead), "%*s", indent, "");
        dump_value(config, opt, config, &config->provenance->global[i], lead,
                   strrchr(opt->key, '.') + 1, out);
        prev = opt->key;
    }
}

static void write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* a closed stdout must not stop the daemon */
        }
        data += n;
        len -= (size_t)n;
    }
}

void sf_config_dump(const struct sf_config *config, int fd)
{
    struct sf_buf out;
    sf_buf_init(&out, SIZE_MAX);
    sf_buf_append_cstr(&out, "# slsfwd effective configuration. Secrets are shown as "
                             "\"<redacted>\";\n# each comment says where the value came "
                             "from.\n");
    if (config->path) {
        sf_buf_append_cstr(&out, "# file: ");
        append_quoted(&out, config->path);
        sf_buf_append_cstr(&out, "\n");
    }
    dump_sources(config, &out);
    dump_globals(config, &out);
    write_all(fd, out.ptr, out.len);
    sf_buf_cleanup(&out);
}
