/* Environment overrides: SLSFWD_<KEY> for every row (dots become underscores), the reference
 * program's SLS_* names as aliases, and SLSFWD_<KEY>_FILE for secrets. They apply to the
 * globals and to the `sls:` defaults, so a source that sets a key itself keeps its own value
 * (the most specific setting wins). With no file at all, the defaults are the one source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "config"

const char *sf_config_env_get(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; env[i]; i++) {
        if (strncmp(env[i], name, len) == 0 && env[i][len] == '=') {
            /* Empty means unset: `FOO=` is how shells and compose files leave a value out. */
            return env[i][len + 1] ? env[i] + len + 1 : NULL;
        }
    }
    return NULL;
}

static sf_err set_from_env(struct sf_config_loader *loader,
                           const struct sf_option *opt,
                           void *base,
                           const char *name,
                           const char *value)
{
    char why[256];
    if (sf_option_parse(opt, value, base, why, sizeof(why))) {
        return SF_OK;
    }
    if (opt->type == SF_OPT_SECRET || strncmp(why, "expected ", 9) != 0) {
        return sf_config_fail(loader, 0, name, "%s", why); /* never echo a secret */
    }
    char quoted[96];
    sf_config_quote(value, quoted, sizeof(quoted));
    return sf_config_fail(loader, 0, name, "%s, got %s", why, quoted);
}

/* SLSFWD_<KEY>_FILE: the secret is that file's content. */
static sf_err secret_from_file(struct sf_config_loader *loader,
                               const struct sf_option *opt,
                               void *base,
                               const char *name,
                               const char *path)
{
    char why[256];
    char *value = NULL;
    if (!sf_config_read_secret_file(path, &value, why, sizeof(why))) {
        return sf_config_fail(loader, 0, name, "%s", why);
    }
    sf_option_clear(opt, base);
    *(char **)sf_option_field(opt, base) = value;
    return SF_OK;
}

static sf_err apply_one(struct sf_config_loader *loader, const struct sf_option *opt)
{
    void *base = opt->scope == SF_OPT_GLOBAL ? (void *)loader->config : &loader->defaults;
    struct sf_origin *origin = sf_config_origin(loader, -1, opt);
    char name[96];
    char file_name[104];
    sf_option_env_name(opt, name, sizeof(name));
    snprintf(file_name, sizeof(file_name), "%s_FILE", name);
    const char *value = sf_config_env_get(loader->env, name);
    const char *path =
        opt->type == SF_OPT_SECRET ? sf_config_env_get(loader->env, file_name) : NULL;
    const char *alias = opt->env_alias ? sf_config_env_get(loader->env, opt->env_alias) : NULL;
    sf_err err = SF_OK;
    if (value && path) {
        return sf_config_fail(loader, 0, file_name, "set %s or %s, not both", name, file_name);
    }
    if (value) {
        err = set_from_env(loader, opt, base, name, value);
        *origin = (struct sf_origin){.kind = SF_ORIGIN_ENV};
    } else if (path) {
        err = secret_from_file(loader, opt, base, file_name, path);
        *origin = (struct sf_origin){.kind = SF_ORIGIN_ENV, .is_from_file = true};
    } else if (alias) { /* the SLSFWD_ name is more specific, so it wins over the alias */
        err = set_from_env(loader, opt, base, opt->env_alias, alias);
        *origin = (struct sf_origin){.kind = SF_ORIGIN_ALIAS};
    }
    return err;
}

/* True when |name| (the |len| bytes before '=' of an environment entry) is one of ours; else
 * |suggestion| gets the nearest of ours, or "". */
static bool
is_known_variable(const char *name, size_t len, char *suggestion, size_t suggestion_size)
{
    char names[128][96];
    const char *ptrs[128];
    size_t n = 0;
    for (size_t i = 0; i < sf_n_options && n + 2 <= 128; i++) {
        const struct sf_option *opt = &sf_options[i];
        char base[80];
        if (opt->is_source_only) {
            continue;
        }
        sf_option_env_name(opt, base, sizeof(base));
        snprintf(names[n++], sizeof(names[0]), "%s", base);
        if (opt->type == SF_OPT_SECRET) {
            snprintf(names[n++], sizeof(names[0]), "%s_FILE", base);
        }
    }
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = names[i];
        if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0) {
            return true;
        }
    }
    char key[96];
    snprintf(key, sizeof(key), "%.*s", (int)(len < 90 ? len : 90), name);
    const char *best = sf_config_suggest(key, ptrs, n);
    snprintf(suggestion, suggestion_size, "%s", best ? best : "");
    return false;
}

/* A mistyped SLSFWD_ variable would silently leave a default in place. It is only a warning:
 * wrappers and packaging may set SLSFWD_ variables of their own. */
static void warn_unknown_variables(char *const *env)
{
    for (size_t i = 0; env[i]; i++) {
        size_t len = strcspn(env[i], "=");
        char suggestion[96];
        if (strncmp(env[i], "SLSFWD_", 7) != 0 ||
            is_known_variable(env[i], len, suggestion, sizeof(suggestion))) {
            continue;
        }
        SF_LOG_WARN("msg=\"unknown environment variable, ignored\" name=%.*s%s%s", (int)len, env[i],
                    suggestion[0] ? " did_you_mean=" : "", suggestion);
    }
}

sf_err sf_config_apply_env(struct sf_config_loader *loader)
{
    warn_unknown_variables(loader->env);
    for (size_t i = 0; i < sf_n_options; i++) {
        const struct sf_option *opt = &sf_options[i];
        if (opt->is_source_only) {
            continue;
        }
        sf_err err = apply_one(loader, opt);
        if (err) {
            return err;
        }
        /* A sink setting in the environment selects that sink, as its block would. */
        enum sf_origin_kind kind = sf_config_origin(loader, -1, opt)->kind;
        bool is_from_env = kind == SF_ORIGIN_ENV || kind == SF_ORIGIN_ALIAS;
        if (is_from_env && strncmp(opt->key, "output.", 7) == 0) {
            char sink_name[32];
            snprintf(sink_name, sizeof(sink_name), "%.*s", (int)strcspn(opt->key + 7, "."),
                     opt->key + 7);
            const struct sf_option_sink *sink = sf_option_sink_find(sink_name);
            if (sink) {
                if (!(loader->config->sinks & (1u << sink->kind))) {
                    loader->config->sink = sink->kind; /* as its block would select it */
                    loader->config->sinks = 1u << sink->kind;
                }
            }
        }
    }
    return SF_OK;
}
