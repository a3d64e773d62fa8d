/* The config file's tree onto the structs: every key is looked up in the option table, so a
 * key the table does not know is an error (with a did-you-mean), a duplicate key is an
 * error, and each value goes through the row's parser with its line kept for messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"
#include "config/yaml_doc.h"
#include "util/alloc.h"
#include "util/banned.h"

#define MAX_PATH 256
/* Each source is a consumer with its own heartbeat; far more than any one host should run,
 * and it keeps the pairwise collision check cheap. */
#define MAX_SOURCES 1000
#define MAX_NAMES   128

/* Where SOURCE rows land while walking: the `sls:` defaults or one `sources:` entry. */
struct walk {
    struct sf_config_loader *loader;
    struct sf_config_source *source;
    int source_index;  /* -1: the defaults */
    const char *label; /* "sources[1]", shown in place of "sls"; NULL for the defaults */
};

/* "sls.timeout" inside the second source is "sources[1].timeout" to the user. */
static void display_key(const struct walk *w, const char *path, char *out, size_t out_size)
{
    bool is_sls = strncmp(path, "sls", 3) == 0 && (path[3] == '.' || path[3] == '\0');
    if (w->label && is_sls) {
        snprintf(out, out_size, "%s%s", w->label, path + 3);
    } else {
        snprintf(out, out_size, "%s", path);
    }
}

static void join(const char *prefix, const char *key, char *out, size_t out_size)
{
    snprintf(out, out_size, prefix[0] ? "%s.%s" : "%s%s", prefix, key);
}

static const char *describe_node(const struct sf_yaml_node *node, char *out, size_t out_size)
{
    if (node->kind == SF_YAML_MAP) {
        return "a mapping";
    }
    if (node->kind == SF_YAML_SEQ) {
        return "a list";
    }
    if (node->is_null) {
        return "nothing";
    }
    sf_config_quote(node->text, out, out_size);
    return out;
}

struct names {
    char text[MAX_NAMES][48];
    const char *ptrs[MAX_NAMES];
    size_t n;
};

static void add_name(struct names *names, const char *name, size_t len, const char *suffix)
{
    char buf[48];
    snprintf(buf, sizeof(buf), "%.*s%s", (int)len, name, suffix);
    for (size_t i = 0; i < names->n; i++) {
        if (strcmp(names->ptrs[i], buf) == 0) {
            return;
        }
    }
    if (names->n < MAX_NAMES) {
        memcpy(names->text[names->n], buf, sizeof(buf));
        names->ptrs[names->n] = names->text[names->n];
        names->n++;
    }
}

/* The keys allowed directly under |prefix|: the candidates for "did you mean". */
static void collect_names(const struct walk *w, const char *prefix, struct names *names)
{
    size_t len = strlen(prefix);
    names->n = 0;
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        const char *rest = opt->key;
        if (len && (strncmp(opt->key, prefix, len) != 0 || opt->key[len] != '.')) {
            continue;
        }
        if (opt->is_source_only && w->source_index < 0) {
            continue;
        }
        rest += len ? len + 1 : 0;
        size_t n = strcspn(rest, ".");
        add_name(names, rest, n, "");
        if (rest[n] == '\0' && opt->type == SF_OPT_SECRET) {
            add_name(names, rest, n, "_file");
        }
    }
    if (!len) {
        add_name(names, "sources", 7, "");
    }
}

static sf_err unknown_key(const struct walk *w,
                          const char *prefix,
                          const struct sf_yaml_node *child,
                          const char *shown)
{
    struct names names;
    collect_names(w, prefix, &names);
    const char *best = sf_config_suggest(child->key, names.ptrs, names.n);
    if (best) {
        return sf_config_fail(w->loader, child->key_line, shown, "unknown key; did you mean %s?",
                              best);
    }
    if (names.n > 8) {
        return sf_config_fail(w->loader, child->key_line, shown,
                              "unknown key; CONFIGURATION.md lists the keys");
    }
    char list[400] = "";
    size_t pos = 0;
    for (size_t i = 0; i < names.n && pos < sizeof(list); i++) {
        pos +=
            (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%s", i ? ", " : "", names.ptrs[i]);
    }
    return sf_config_fail(w->loader, child->key_line, shown, "unknown key; expected one of: %s",
                          list);
}

/* |node| must be a mapping (or empty); no key may appear twice. */
static sf_err check_map(const struct walk *w, const char *shown, const struct sf_yaml_node *node)
{
    char quoted[96];
    if (node->kind == SF_YAML_SCALAR && node->is_null) {
        return SF_OK;
    }
    if (node->kind != SF_YAML_MAP) {
        return sf_config_fail(w->loader, node->line, shown[0] ? shown : NULL,
                              "expected a mapping of keys, got %s",
                              describe_node(node, quoted, sizeof(quoted)));
    }
    for (const struct sf_yaml_node *child = node->first; child; child = child->next) {
        for (const struct sf_yaml_node *seen = node->first; seen != child; seen = seen->next) {
            if (strcmp(seen->key, child->key) == 0) {
                char path[MAX_PATH];
                join(shown, child->key, path, sizeof(path));
                return sf_config_fail(w->loader, child->key_line, path,
                                      "duplicate key (first at line %d)", seen->key_line);
            }
        }
    }
    return SF_OK;
}

static sf_err bad_value(const struct walk *w,
                        const struct sf_option *opt,
                        const struct sf_yaml_node *node,
                        const char *shown,
                        const char *why)
{
    char quoted[96];
    int line = node->kind == SF_YAML_SCALAR && node->is_null ? node->key_line : node->line;
    bool is_secret = opt->type == SF_OPT_SECRET && node->kind == SF_YAML_SCALAR;
    if (is_secret || strncmp(why, "expected ", 9) != 0) { /* never echo a secret */
        return sf_config_fail(w->loader, line, shown, "%s", why);
    }
    return sf_config_fail(w->loader, line, shown, "%s, got %s", why,
                          describe_node(node, quoted, sizeof(quoted)));
}

/* A list value: a YAML sequence of scalars. */
static bool parse_sequence(const struct sf_option *opt,
                           const struct sf_yaml_node *node,
                           void *base,
                           char *why,
                           size_t why_size)
{
    const char **items = sf_xcalloc(node->n_children + 1, sizeof(*items));
    size_t n = 0;
    bool is_ok = true;
    for (const struct sf_yaml_node *item = node->first; item; item = item->next) {
        if (item->kind != SF_YAML_SCALAR || item->is_null) {
            sf_option_expected(opt, why, why_size);
            is_ok = false;
            break;
        }
        items[n++] = item->text;
    }
    is_ok = is_ok && sf_option_parse_list(opt, items, n, base, why, why_size);
    free(items);
    return is_ok;
}

/* `<secret>_file: PATH`: the secret is the file's content. */
static bool read_into(const struct sf_option *opt,
                      const struct sf_yaml_node *node,
                      void *base,
                      char *why,
                      size_t why_size)
{
    char *value = NULL;
    if (node->kind != SF_YAML_SCALAR || node->is_null) {
        snprintf(why, why_size, "expected the path of a file holding the secret");
        return false;
    }
    if (!sf_config_read_secret_file(node->text, &value, why, why_size)) {
        return false;
    }
    sf_option_clear(opt, base);
    *(char **)sf_option_field(opt, base) = value;
    return true;
}

static sf_err apply_value(struct walk *w,
                          const struct sf_option *opt,
                          const struct sf_yaml_node *node,
                          const char *shown,
                          bool is_file_ref)
{
    struct sf_config_loader *loader = w->loader;
    void *base = opt->scope == SF_OPT_GLOBAL ? (void *)loader->config : (void *)w->source;
    bool is_list = opt->type == SF_OPT_LIST || opt->type == SF_OPT_CSV;
    char why[256] = "";
    bool is_ok;
    if (is_file_ref) {
        is_ok = read_into(opt, node, base, why, sizeof(why));
    } else if (node->kind == SF_YAML_SEQ && is_list) {
        is_ok = parse_sequence(opt, node, base, why, sizeof(why));
    } else if (node->kind != SF_YAML_SCALAR) {
        sf_option_expected(opt, why, sizeof(why));
        is_ok = false;
    } else {
        is_ok = sf_option_parse(opt, node->is_null ? "" : node->text, base, why, sizeof(why));
    }
    if (!is_ok) {
        return is_file_ref ? sf_config_fail(loader, node->line, shown, "%s", why)
                           : bad_value(w, opt, node, shown, why);
    }
    struct sf_origin *origin = sf_config_origin(loader, w->source_index, opt);
    *origin =
        (struct sf_origin){.kind = SF_ORIGIN_FILE, .line = node->line, .is_from_file = is_file_ref};
    if (opt->type == SF_OPT_SECRET && !is_file_ref && sf_option_is_set(opt, base) &&
        !loader->inline_secret_key) {
        loader->inline_secret_key = sf_option_source_key(opt);
        loader->inline_secret_line = node->line;
    }
    return SF_OK;
}

/* "access_key_secret_file" → the access_key_secret row, when |path| names a secret file. */
static const struct sf_option *secret_of_file_key(const char *path)
{
    size_t len = strlen(path);
    char stem[MAX_PATH];
    if (len <= 5 || len >= sizeof(stem) || strcmp(path + len - 5, "_file") != 0) {
        return NULL;
    }
    memcpy(stem, path, len - 5);
    stem[len - 5] = '\0';
    const struct sf_option *opt = sf_option_find(stem);
    return opt && opt->type == SF_OPT_SECRET ? opt : NULL;
}

static sf_err apply_secret_file(struct walk *w,
                                const struct sf_option *opt,
                                const struct sf_yaml_node *map,
                                const struct sf_yaml_node *child,
                                const char *shown)
{
    const char *inline_key = sf_option_source_key(opt);
    const struct sf_yaml_node *inline_node = sf_yaml_map_get(map, inline_key);
    if (inline_node) {
        return sf_config_fail(w->loader, child->key_line, shown,
                              "set %s or %s, not both (%s is at line %d)", inline_key, child->key,
                              inline_key, inline_node->key_line);
    }
    return apply_value(w, opt, child, shown, true);
}

/* Under `output:`, each block names a sink. Several may be present: every log goes to each
 * (file stays alone: it is for debugging). */
static sf_err check_output(struct walk *w, const struct sf_yaml_node *map)
{
    const struct sf_yaml_node *first = NULL;
    for (const struct sf_yaml_node *child = map->first; child; child = child->next) {
        const struct sf_option_sink *sink = sf_option_sink_find(child->key);
        char shown[MAX_PATH];
        join("output", child->key, shown, sizeof(shown));
        if (!sink) {
            continue;
        }
        if (!sink->is_available) {
            return sf_config_fail(w->loader, child->key_line, shown,
                                  "the %s sink is not available in this version yet; use "
                                  "output.file",
                                  sink->name);
        }
        if (first &&
            (sink->kind == SF_CONFIG_SINK_FILE || w->loader->config->sink == SF_CONFIG_SINK_FILE)) {
            return sf_config_fail(w->loader, child->key_line, "output",
                                  "the file output cannot be combined with another: %s (line %d) "
                                  "and %s",
                                  first->key, first->key_line, child->key);
        }
        if (!first) {
            w->loader->config->sink = sink->kind;
            w->loader->config->sinks = 0;
        }
        first = child;
        w->loader->config->sinks |= 1u << sink->kind;
    }
    return SF_OK;
}

static sf_err walk_map(struct walk *w, const char *prefix, const struct sf_yaml_node *map);

static sf_err walk_entry(struct walk *w,
                         const char *prefix,
                         const struct sf_yaml_node *map,
                         const struct sf_yaml_node *child)
{
    char path[MAX_PATH];
    char shown[MAX_PATH + 32];
    join(prefix, child->key, path, sizeof(path));
    display_key(w, path, shown, sizeof(shown));
    const struct sf_option *opt = sf_option_find(path);
    if (opt && opt->is_source_only && w->source_index < 0) {
        return sf_config_fail(w->loader, child->key_line, shown,
                              "belongs to one source; set it in a sources: entry");
    }
    if (opt) {
        return apply_value(w, opt, child, shown, false);
    }
    opt = secret_of_file_key(path);
    if (opt) {
        return apply_secret_file(w, opt, map, child, shown);
    }
    if (sf_option_is_section(path)) {
        return walk_map(w, path, child);
    }
    return unknown_key(w, prefix, child, shown);
}

static sf_err walk_map(struct walk *w, const char *prefix, const struct sf_yaml_node *map)
{
    char shown[MAX_PATH + 32];
    display_key(w, prefix, shown, sizeof(shown));
    sf_err err = check_map(w, shown, map);
    if (err || map->kind != SF_YAML_MAP) {
        return err;
    }
    if (strcmp(prefix, "output") == 0) {
        err = check_output(w, map);
    }
    for (const struct sf_yaml_node *child = map->first; child && !err; child = child->next) {
        /* `sources:` is a list of its own, applied once the defaults are complete. */
        if (!prefix[0] && strcmp(child->key, "sources") == 0) {
            continue;
        }
        err = walk_entry(w, prefix, map, child);
    }
    return err;
}

sf_err sf_config_apply_file(struct sf_config_loader *loader,
                            const struct sf_yaml_node *root,
                            const struct sf_yaml_node **sources_out)
{
    struct walk w = {.loader = loader, .source = &loader->defaults, .source_index = -1};
    char quoted[96];
    *sources_out = NULL;
    if (!root || (root->kind == SF_YAML_SCALAR && root->is_null)) {
        return SF_OK; /* an empty file: everything from the defaults and the environment */
    }
    if (root->kind != SF_YAML_MAP) {
        return sf_config_fail(loader, root->line, NULL,
                              "expected a mapping of sections (sls:, sources:, output:, ...) at "
                              "the top level, got %s",
                              describe_node(root, quoted, sizeof(quoted)));
    }
    *sources_out = sf_yaml_map_get(root, "sources");
    return walk_map(&w, "", root);
}

/* A source starts as a copy of the defaults, with their origins marked inherited. */
static void inherit_defaults(struct sf_config_loader *loader, int index, bool is_inherited)
{
    struct sf_config_source *source = &loader->config->sources[index];
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        if (opt->scope != SF_OPT_SOURCE) {
            continue;
        }
        sf_option_copy(opt, source, &loader->defaults);
        struct sf_origin *origin = sf_config_origin(loader, index, opt);
        *origin = loader->defaults_origin[i];
        origin->is_inherited = is_inherited;
    }
}

static sf_err
apply_source(struct sf_config_loader *loader, int index, const struct sf_yaml_node *item)
{
    char label[32];
    snprintf(label, sizeof(label), "sources[%d]", index);
    struct walk w = {
        .loader = loader,
        .source = &loader->config->sources[index],
        .source_index = index,
        .label = label,
    };
    loader->config->provenance->source_lines[index] = item->line;
    inherit_defaults(loader, index, true);
    return walk_map(&w, "sls", item);
}

sf_err sf_config_apply_sources(struct sf_config_loader *loader, const struct sf_yaml_node *sources)
{
    struct sf_config *config = loader->config;
    char quoted[96];
    if (sources && sources->kind != SF_YAML_SEQ) {
        return sf_config_fail(loader, sources->line, "sources",
                              "expected a list of sources (- project: ...), got %s",
                              describe_node(sources, quoted, sizeof(quoted)));
    }
    if (sources && sources->n_children == 0) {
        return sf_config_fail(loader, sources->line, "sources",
                              "the list is empty; add a source, or remove sources: to use the "
                              "sls: section alone");
    }
    if (sources && sources->n_children > MAX_SOURCES) {
        return sf_config_fail(loader, sources->line, "sources",
                              "%zu sources; one process takes at most %d (run more processes)",
                              sources->n_children, MAX_SOURCES);
    }
    size_t n = sources ? sources->n_children : 1;
    config->sources = sf_xcalloc(n, sizeof(*config->sources));
    config->n_sources = n;
    config->provenance->sources = sf_xcalloc(n * sf_n_options, sizeof(struct sf_origin));
    config->provenance->source_lines = sf_xcalloc(n, sizeof(int));
    if (!sources) {
        inherit_defaults(loader, 0, false);
        return SF_OK;
    }
    int index = 0;
    for (const struct sf_yaml_node *item = sources->first; item; item = item->next) {
        sf_err err = apply_source(loader, index++, item);
        if (err) {
            return err;
        }
    }
    return SF_OK;
}
