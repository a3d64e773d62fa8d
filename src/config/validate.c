/* Checks on the merged configuration: required settings, settings that must agree with each
 * other, and sources that would collide. Errors point at the setting to change, wherever it
 * came from (a line of the file, an inherited `sls:` key, a variable). */
#include <stdio.h>
#include <string.h>

#include "config/config_int.h"
#include "util/alloc.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "config"

/* What is missing, said the way the user can fix it: in environment-only mode the variable
 * to set, in single-source mode the `sls:` key, otherwise the `sources:` entry. */
static sf_err missing(struct sf_config_loader *loader,
                      int source_index,
                      const struct sf_option *opt,
                      const char *hint)
{
    const char *key = sf_option_source_key(opt);
    char name[96];
    sf_option_env_name(opt, name, sizeof(name));
    if (!loader->file_name) {
        return sf_config_fail(loader, 0, NULL,
                              "%s is not set (nor %s)%s. With no config file (-c FILE), the "
                              "environment describes the one source",
                              opt->env_alias ? opt->env_alias : name,
                              opt->env_alias ? name : "its _FILE form", hint);
    }
    int line = loader->config->provenance->source_lines[source_index];
    if (line > 0) {
        return sf_config_fail(
            loader, line, NULL,
            "sources[%d]: %s is missing%s; set it here or under sls:", source_index, key, hint);
    }
    return sf_config_fail(loader, -1, NULL,
                          "sls.%s is missing%s; set it under sls: (or %s in the environment), "
                          "or list sources:",
                          key, hint, opt->env_alias ? opt->env_alias : name);
}

static sf_err check_required(struct sf_config_loader *loader, int source_index)
{
    const struct sf_config_source *source = &loader->config->sources[source_index];
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        if (opt->scope == SF_OPT_SOURCE && opt->is_required && !sf_option_is_set(opt, source)) {
            return missing(loader, source_index, opt, "");
        }
    }
    /* Only the providers that sign with configured keys need them; the others (the chain
     * included) find their credentials at start, and say there what they tried. A
     * credentials_file, when used, has filled both keys by now. */
    const char *provider = source->credentials.provider ? source->credentials.provider : "auto";
    bool needs_keys = strcmp(provider, "static") == 0 || strcmp(provider, "ram_role_arn") == 0;
    if (strcmp(provider, "file") == 0 && !source->credentials_file) {
        return missing(loader, source_index, sf_option_find("sls.credentials_file"),
                       " (credentials.provider is file)");
    }
    if (strcmp(provider, "ram_role_arn") == 0 && !source->credentials.role_arn) {
        return missing(loader, source_index, sf_option_find("sls.credentials.role_arn"),
                       " (credentials.provider is ram_role_arn)");
    }
    if (!needs_keys && (source->access_key_id == NULL) == (source->access_key_secret == NULL)) {
        return SF_OK;
    }
    const char *hint = loader->file_name ? " (or use credentials_file)"
                                         : ", and neither is SLSFWD_SLS_CREDENTIALS_FILE";
    if (!source->access_key_id) {
        return missing(loader, source_index, sf_option_find("sls.access_key_id"), hint);
    }
    if (!source->access_key_secret) {
        return missing(loader, source_index, sf_option_find("sls.access_key_secret"), hint);
    }
    return SF_OK;
}

/* SLS hands a consumer's shards away after group_timeout without a heartbeat, so one late
 * heartbeat must not reach it (docs/protocol/sls-consumer-group.md §Defaults). */
static sf_err check_timing(struct sf_config_loader *loader, int source_index)
{
    const struct sf_config_source *source = &loader->config->sources[source_index];
    int interval = source->heartbeat_interval_s;
    int timeout = source->group_timeout_s;
    if (timeout > interval && timeout >= 2 * interval) {
        return SF_OK;
    }
    if (timeout > interval) {
        SF_LOG_WARN("msg=\"group_timeout is less than twice heartbeat_interval: one late "
                    "heartbeat can cost this consumer its shards; 3 times is safer\" source=%s "
                    "heartbeat_interval_s=%d group_timeout_s=%d",
                    source->name ? source->name : "?", interval, timeout);
        return SF_OK;
    }
    const struct sf_option *opt = sf_option_find("sls.group_timeout");
    char key[96];
    int line;
    sf_config_locate(loader, source_index, opt, &line, key, sizeof(key));
    return sf_config_fail(loader, line, key,
                          "%ds must be longer than heartbeat_interval (%ds); %ds (3 times) is "
                          "a safe value",
                          timeout, interval, 3 * interval);
}

static sf_err check_window(struct sf_config_loader *loader, int source_index)
{
    const struct sf_config_source *source = &loader->config->sources[source_index];
    if (!source->has_end_time || source->start != SF_CONFIG_START_TIME ||
        source->end_time_s > source->start_time_s) {
        return SF_OK;
    }
    char end[32];
    char start[32];
    char key[96];
    int line;
    sf_config_format_time(source->end_time_s, end, sizeof(end));
    sf_config_format_time(source->start_time_s, start, sizeof(start));
    sf_config_locate(loader, source_index, sf_option_find("sls.end_time"), &line, key, sizeof(key));
    return sf_config_fail(loader, line, key, "%s is not after start (%s)", end, start);
}

static bool is_same_stream(const struct sf_config_source *a, const struct sf_config_source *b)
{
    return strcmp(a->endpoint, b->endpoint) == 0 && strcmp(a->project, b->project) == 0 &&
           strcmp(a->logstore, b->logstore) == 0 &&
           strcmp(a->consumer_group, b->consumer_group) == 0;
}

/* Two sources on one logstore and group would be two consumers of one process fighting
 * over the same shards; two sources with one name would share their metrics. */
static sf_err check_collisions(struct sf_config_loader *loader)
{
    const struct sf_config *config = loader->config;
    const int *lines = config->provenance->source_lines;
    for (size_t j = 1; j < config->n_sources; j++) {
        for (size_t i = 0; i < j; i++) {
            const struct sf_config_source *a = &config->sources[i];
            const struct sf_config_source *b = &config->sources[j];
            if (is_same_stream(a, b)) {
                return sf_config_fail(loader, lines[j], NULL,
                                      "sources[%zu]: same logstore and consumer group as "
                                      "sources[%zu] (line %d); give one its own consumer_group",
                                      j, i, lines[i]);
            }
            if (strcmp(a->name, b->name) == 0) {
                return sf_config_fail(loader, lines[j], NULL,
                                      "sources[%zu]: name \"%s\" is taken by sources[%zu] (line "
                                      "%d); set name: to tell them apart",
                                      j, b->name, i, lines[i]);
            }
        }
    }
    return SF_OK;
}

/* The sink a row configures (`output.<sink>.…`), or NULL for rows outside `output:`. */
static const struct sf_option_sink *sink_of(const struct sf_option *opt)
{
    char name[32];
    if (strncmp(opt->key, "output.", 7) != 0) {
        return NULL;
    }
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(opt->key + 7, "."), opt->key + 7);
    return sf_option_sink_find(name);
}

/* Required global rows: those of the selected sink, and any outside `output:`. */
static sf_err check_required_globals(struct sf_config_loader *loader)
{
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        const struct sf_option_sink *sink = sink_of(opt);
        if (opt->scope != SF_OPT_GLOBAL || !opt->is_required ||
            (sink && !sf_config_has_sink(loader->config, sink->kind)) ||
            sf_option_is_set(opt, loader->config)) {
            continue;
        }
        char name[96];
        sf_option_env_name(opt, name, sizeof(name));
        const char *env = opt->env_alias ? opt->env_alias : name;
        if (opt->type == SF_OPT_SECRET) {
            /* A secret's example is a path: point at the *_file form and the environment. */
            return sf_config_fail(loader, loader->file_name ? -1 : 0, opt->key,
                                  "required: set %s_file to a file that holds it (such as %s), "
                                  "or %s in the environment",
                                  opt->key, opt->example ? opt->example : "...", env);
        }
        return sf_config_fail(loader, loader->file_name ? -1 : 0, opt->key,
                              "required (or %s in the environment), e.g. %s", env,
                              opt->example ? opt->example : "...");
    }
    return SF_OK;
}

/* |url| with the event endpoint added when it has no path, as a new string. */
static char *complete_hec_url(const char *url)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", url);
    const char *authority = strstr(buf, "://") + 3;
    const char *path = strchr(authority, '/');
    if (!path || strcmp(path, "/") == 0) {
        size_t len = path ? (size_t)(path - buf) : strlen(buf);
        snprintf(buf + len, sizeof(buf) - len, "/services/collector/event");
    }
    return sf_xstrdup(buf);
}

/* The HEC URL: as given, or built from host/port/https; the event endpoint when no path. With
 * output.hec.urls, each of them, and |url| becomes the first. */
static sf_err finish_hec_url(struct sf_config_loader *loader)
{
    struct sf_config_hec *hec = &loader->config->hec;
    if (hec->n_urls) {
        if (hec->url || hec->host) {
            const struct sf_option *opt = sf_option_find("output.hec.urls");
            char key[96];
            int line;
            sf_config_locate(loader, -1, opt, &line, key, sizeof(key));
            return sf_config_fail(loader, line, key,
                                  "output.hec.urls and %s are both set: keep one (urls for "
                                  "several endpoints, url for one)",
                                  hec->url ? "output.hec.url" : "output.hec.host");
        }
        for (size_t i = 0; i < hec->n_urls; i++) {
            char *url = complete_hec_url(hec->urls[i]);
            free(hec->urls[i]);
            hec->urls[i] = url;
        }
        hec->url = sf_xstrdup(hec->urls[0]);
        return SF_OK;
    }
    if (!hec->url && !hec->host) {
        return sf_config_fail(loader, loader->file_name ? -1 : 0, "output.hec.url",
                              "expected the HEC URL (or output.hec.host), such as "
                              "https://splunk.example.com:8088");
    }
    char url[1024];
    if (hec->url) {
        snprintf(url, sizeof(url), "%s", hec->url);
    } else {
        snprintf(url, sizeof(url), "%s://%s:%d", hec->https ? "https" : "http", hec->host,
                 hec->port);
    }
    char *done = complete_hec_url(url);
    free(hec->url);
    hec->url = done;
    return SF_OK;
}

static sf_err check_output(struct sf_config_loader *loader)
{
    sf_err err = check_required_globals(loader);
    if (err) {
        return err;
    }
    if (sf_config_has_sink(loader->config, SF_CONFIG_SINK_HEC)) {
        err = finish_hec_url(loader);
        if (err) {
            return err;
        }
    }
    if (sf_config_has_sink(loader->config, SF_CONFIG_SINK_FILE) && !loader->config->file_path) {
        const struct sf_option *opt = sf_option_find("output.file.path");
        char key[96];
        int line;
        sf_config_locate(loader, -1, opt, &line, key, sizeof(key));
        return sf_config_fail(loader, line, key, "expected a file path, or - for stdout");
    }
    return SF_OK;
}

sf_err sf_config_validate(struct sf_config_loader *loader)
{
    sf_err err = SF_OK;
    for (size_t i = 0; i < loader->config->n_sources && !err; i++) {
        err = check_required(loader, (int)i);
        if (!err) {
            err = check_timing(loader, (int)i);
        }
        if (!err) {
            err = check_window(loader, (int)i);
        }
    }
    if (!err) {
        err = check_collisions(loader);
    }
    if (!err) {
        err = check_output(loader);
    }
    return err;
}
