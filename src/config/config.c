/* Loading: defaults, then the file, then the environment, then the command line, each layer
 * overriding the one before (docs/CODE_STYLE.md §Configuration); then derived values, credentials
 * and validation. Every step reports through sf_config_fail, so messages share one shape:
 * "<file>:<line>: <key>: <what was expected>". */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_int.h"
#include "config/yaml_doc.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/file.h"

#include "util/banned.h"

/* A config file is a page of text; anything bigger is the wrong file. */
#define MAX_CONFIG_BYTES (1024 * 1024)

sf_err
sf_config_fail(struct sf_config_loader *loader, int line, const char *key, const char *fmt, ...)
{
    size_t pos = 0;
    size_t size = loader->errbuf_size;
    char *out = loader->errbuf;
    if (size == 0) {
        return SF_ERR_CONFIG;
    }
    out[0] = '\0';
    if (loader->file_name && line > 0) {
        pos += (size_t)snprintf(out, size, "%s:%d: ", loader->file_name, line);
    } else if (loader->file_name && line < 0) {
        pos += (size_t)snprintf(out, size, "%s: ", loader->file_name);
    }
    if (key && pos < size) {
        pos += (size_t)snprintf(out + pos, size - pos, "%s: ", key);
    }
    if (pos < size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out + pos, size - pos, fmt, ap);
        va_end(ap);
    }
    return SF_ERR_CONFIG;
}

void sf_config_quote(const char *text, char *out, size_t out_size)
{
    size_t pos = 0;
    size_t i = 0;
    SF_ASSERT(out_size >= 16);
    out[pos++] = '"';
    for (; text[i] && i < 60 && pos + 6 < out_size; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) {
            pos += (size_t)snprintf(out + pos, out_size - pos, "\\x%02x", c);
        } else if (c == '"' || c == '\\') {
            out[pos++] = '\\';
            out[pos++] = (char)c;
        } else {
            out[pos++] = (char)c;
        }
    }
    if (text[i] && pos + 5 < out_size) {
        memcpy(out + pos, "...", 3);
        pos += 3;
    }
    out[pos++] = '"';
    out[pos] = '\0';
}

struct sf_origin *
sf_config_origin(struct sf_config_loader *loader, int source_index, const struct sf_option *opt)
{
    size_t i = sf_option_index(opt);
    if (opt->scope == SF_OPT_GLOBAL) {
        return &loader->config->provenance->global[i];
    }
    if (source_index < 0) {
        return &loader->defaults_origin[i];
    }
    return &loader->config->provenance->sources[(size_t)source_index * sf_n_options + i];
}

void sf_config_source_label(struct sf_config_loader *loader,
                            int source_index,
                            char *out,
                            size_t out_size)
{
    const struct sf_config_provenance *prov = loader->config->provenance;
    if (source_index >= 0 && prov->source_lines && prov->source_lines[source_index] > 0) {
        snprintf(out, out_size, "sources[%d]", source_index);
    } else {
        snprintf(out, out_size, "sls");
    }
}

void sf_config_locate(struct sf_config_loader *loader,
                      int source_index,
                      const struct sf_option *opt,
                      int *line,
                      char *key,
                      size_t key_size)
{
    const struct sf_origin *origin = sf_config_origin(loader, source_index, opt);
    char label[32];
    *line = origin->kind == SF_ORIGIN_FILE ? origin->line : 0;
    if (origin->kind == SF_ORIGIN_ENV) {
        sf_option_env_name(opt, key, key_size);
        return;
    }
    if (origin->kind == SF_ORIGIN_ALIAS) {
        snprintf(key, key_size, "%s", opt->env_alias);
        return;
    }
    if (opt->scope == SF_OPT_GLOBAL) {
        snprintf(key, key_size, "%s", opt->key);
        return;
    }
    sf_config_source_label(loader, origin->is_inherited ? -1 : source_index, label, sizeof(label));
    snprintf(key, key_size, "%s.%s", label, sf_option_source_key(opt));
}

static void apply_defaults(struct sf_config_loader *loader)
{
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        if (!opt->fallback) {
            continue;
        }
        void *base = opt->scope == SF_OPT_GLOBAL ? (void *)loader->config : &loader->defaults;
        char why[160];
        /* The table is ours: a default that does not parse is a bug (a unit test parses
         * every one). */
        bool is_parsed = sf_option_parse(opt, opt->fallback, base, why, sizeof(why));
        SF_ASSERT(is_parsed);
    }
    loader->config->sink = SF_CONFIG_SINK_FILE;
    loader->config->sinks = 1u << SF_CONFIG_SINK_FILE;
}

static sf_err apply_cli(struct sf_config_loader *loader)
{
    const struct sf_config_cli *cli = loader->cli;
    char why[160];
    if (!cli) {
        return SF_OK;
    }
    if (cli->log_level) {
        const struct sf_option *opt = sf_option_find("log.level");
        if (!sf_option_parse(opt, cli->log_level, loader->config, why, sizeof(why))) {
            char quoted[96];
            sf_config_quote(cli->log_level, quoted, sizeof(quoted));
            return sf_config_fail(loader, 0, "--log-level", "%s, got %s", why, quoted);
        }
        sf_config_origin(loader, -1, opt)->kind = SF_ORIGIN_CLI;
    }
    if (cli->output) {
        bool is_hec = strncmp(cli->output, "hec:", 4) == 0;
        const struct sf_option *opt =
            sf_option_find(is_hec ? "output.hec.url" : "output.file.path");
        const char *value = is_hec                                  ? cli->output + 4
                            : strncmp(cli->output, "file:", 5) == 0 ? cli->output + 5
                                                                    : "";
        if (!value[0] || !sf_option_parse(opt, value, loader->config, why, sizeof(why)) ||
            (opt->check && !opt->check(opt, loader->config, why, sizeof(why)))) {
            char quoted[96];
            sf_config_quote(cli->output, quoted, sizeof(quoted));
            return sf_config_fail(loader, 0, "--output",
                                  "expected file:PATH, file:- for stdout, or hec:URL, got %s",
                                  quoted);
        }
        if (is_hec) { /* one URL replaces the configured endpoints, too */
            sf_option_clear(sf_option_find("output.hec.urls"), loader->config);
        }
        loader->config->sink = is_hec ? SF_CONFIG_SINK_HEC : SF_CONFIG_SINK_FILE;
        loader->config->sinks = 1u << loader->config->sink; /* replaces the configured ones */
        sf_config_origin(loader, -1, opt)->kind = SF_ORIGIN_CLI;
    }
    return SF_OK;
}

/* "<group>-<hostname>-<pid>": unique per process, and readable in the console's consumer
 * list. Host name bytes outside [A-Za-z0-9._-] become '-'. */
static char *default_consumer_name(const char *group)
{
    char host[256] = "";
    char name[160];
    if (gethostname(host, sizeof(host)) != 0 || !host[0]) {
        snprintf(host, sizeof(host), "host");
    }
    host[48] = '\0';
    for (char *p = host; *p; p++) {
        bool is_ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
        *p = is_ok ? *p : '-';
    }
    snprintf(name, sizeof(name), "%.64s-%.48s-%ld", group, host, (long)getpid());
    return sf_xstrdup(name);
}

static void derive_source_fields(struct sf_config_loader *loader, int source_index)
{
    struct sf_config_source *source = &loader->config->sources[source_index];
    if (!source->name && source->project && source->logstore) {
        size_t len = strlen(source->project) + strlen(source->logstore) + 2;
        source->name = sf_xmalloc(len);
        snprintf(source->name, len, "%s/%s", source->project, source->logstore);
        sf_config_origin(loader, source_index, sf_option_find("sls.name"))->kind =
            SF_ORIGIN_DERIVED;
    }
    if (!source->consumer_name && source->consumer_group) {
        source->consumer_name = default_consumer_name(source->consumer_group);
        sf_config_origin(loader, source_index, sf_option_find("sls.consumer_name"))->kind =
            SF_ORIGIN_DERIVED;
    }
}

static sf_err load_layers(struct sf_config_loader *loader, const char *text, size_t len)
{
    struct sf_yaml_doc doc;
    const struct sf_yaml_node *sources = NULL;
    sf_err err = SF_OK;
    bool has_doc = false;

    apply_defaults(loader);
    if (text) {
        int line;
        int column;
        char why[256];
        has_doc = true;
        err = sf_yaml_doc_parse(&doc, text, len, &line, &column, why, sizeof(why));
        if (err && column) { /* "file:line:column:", the form editors jump to */
            snprintf(loader->errbuf, loader->errbuf_size, "%s:%d:%d: %s", loader->file_name, line,
                     column, why);
        } else if (err) {
            sf_config_fail(loader, line, NULL, "%s", why);
        }
        if (err) {
            goto out;
        }
        err = sf_config_apply_file(loader, doc.root, &sources);
        if (err) {
            goto out;
        }
    }
    err = sf_config_apply_env(loader);
    if (err) {
        goto out;
    }
    err = sf_config_apply_sources(loader, sources);
    if (err) {
        goto out;
    }
    err = apply_cli(loader);
out:
    if (has_doc) {
        sf_yaml_doc_cleanup(&doc);
    }
    return err;
}

static sf_err load(struct sf_config_loader *loader, const char *text, size_t len)
{
    sf_err err = load_layers(loader, text, len);
    for (size_t i = 0; !err && i < loader->config->n_sources; i++) {
        derive_source_fields(loader, (int)i);
        sf_config_inherit_filters(loader, (int)i);
        err = sf_config_resolve_credentials(loader, (int)i);
    }
    if (!err) {
        err = sf_config_validate(loader);
    }
    if (!err) {
        sf_config_warn_if_exposed(loader);
    }
    return err;
}

static sf_err run_loader(const char *text,
                         size_t len,
                         const char *name,
                         bool is_file_on_disk,
                         const struct sf_config_cli *cli,
                         char *const *env,
                         struct sf_config **out,
                         char *errbuf,
                         size_t errbuf_size)
{
    static char *const no_env[] = {NULL};
    struct sf_config *config = sf_xcalloc(1, sizeof(*config));
    config->provenance = sf_xcalloc(1, sizeof(*config->provenance));
    config->provenance->global = sf_xcalloc(sf_n_options, sizeof(struct sf_origin));
    config->path = name ? sf_xstrdup(name) : NULL;
    struct sf_config_loader loader = {
        .config = config,
        .file_name = name,
        .is_file_on_disk = is_file_on_disk,
        .env = env ? env : no_env,
        .cli = cli,
        .defaults_origin = sf_xcalloc(sf_n_options, sizeof(struct sf_origin)),
        .errbuf = errbuf,
        .errbuf_size = errbuf_size,
    };
    *out = NULL;
    if (errbuf_size) {
        errbuf[0] = '\0';
    }
    sf_err err = load(&loader, text, len);
    for (size_t i = 0; i < sf_n_options; i++) {
        if (sf_options[i].scope == SF_OPT_SOURCE) {
            sf_option_clear(&sf_options[i], &loader.defaults);
        }
    }
    free(loader.defaults_origin);
    if (err) {
        sf_config_free(config);
        return err;
    }
    *out = config;
    return SF_OK;
}

sf_err sf_config_load_yaml_buffer(const char *text,
                                  size_t len,
                                  const char *name,
                                  const struct sf_config_cli *cli,
                                  char *const *env,
                                  struct sf_config **out,
                                  char *errbuf,
                                  size_t errbuf_size)
{
    return run_loader(text, len, name ? name : "<config>", false, cli, env, out, errbuf,
                      errbuf_size);
}

sf_err sf_config_load(const struct sf_config_cli *cli,
                      char *const *env,
                      struct sf_config **out,
                      char *errbuf,
                      size_t errbuf_size)
{
    const char *path = cli ? cli->config_path : NULL;
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    if (path) {
        sf_err err = sf_file_read_small(path, MAX_CONFIG_BYTES, &text, &len, errbuf, errbuf_size)
                         ? SF_OK
                         : SF_ERR_CONFIG;
        if (err) {
            return err;
        }
    }
    sf_err err = run_loader(text, len, path, path != NULL, cli, env, out, errbuf, errbuf_size);
    free(text);
    return err;
}

void sf_config_free(struct sf_config *config)
{
    if (!config) {
        return;
    }
    for (size_t s = 0; s < config->n_sources; s++) {
        for (size_t i = 0; i < sf_n_options; i++) {
            if (sf_options[i].scope == SF_OPT_SOURCE) {
                sf_option_clear(&sf_options[i], &config->sources[s]);
            }
        }
    }
    for (size_t i = 0; i < sf_n_options; i++) {
        if (sf_options[i].scope == SF_OPT_GLOBAL) {
            sf_option_clear(&sf_options[i], config);
        }
    }
    free(config->sources);
    free(config->path);
    if (config->provenance) {
        free(config->provenance->global);
        free(config->provenance->sources);
        free(config->provenance->source_lines);
        free(config->provenance);
    }
    free(config);
}

void sf_config_source_mapping(const struct sf_config *config,
                              const struct sf_config_source *source,
                              struct sf_config_mapping *out)
{
    *out = config->mapping;
    const __typeof__(source->mapping) *m = &source->mapping;
    out->sourcetype = m->sourcetype ? m->sourcetype : out->sourcetype;
    out->index = m->index ? m->index : out->index;
    out->source = m->source ? m->source : out->source;
    out->host = m->host ? m->host : out->host;
    if (m->event_as_string) {
        out->event_as_string = strcmp(m->event_as_string, "true") == 0;
    }
    if (m->n_json_fields) {
        out->json_fields = m->json_fields;
        out->n_json_fields = m->n_json_fields;
    }
    if (m->n_fields) {
        out->fields = m->fields;
        out->n_fields = m->n_fields;
    }
    if (m->position_fields) {
        out->position_fields = strcmp(m->position_fields, "true") == 0;
    }
}

void sf_config_source_syslog(const struct sf_config *config,
                             const struct sf_config_source *source,
                             struct sf_config_syslog *out)
{
    *out = config->syslog;
    out->hostname = source->syslog.hostname ? source->syslog.hostname : out->hostname;
    out->app_name = source->syslog.app_name ? source->syslog.app_name : out->app_name;
    out->msgid = source->syslog.msgid ? source->syslog.msgid : out->msgid;
}
