/* The --config JSON file. Each key maps to the flag of the same meaning, applied in file
 * order; unknown keys are errors so a typo cannot silently change a test. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "config_int.h"

#include "util/banned.h"

static bool fail(char *errbuf, size_t size, const char *path, const char *what)
{
    snprintf(errbuf, size, "%s: %s", path, what);
    return false;
}

/* Scalar -> flag value text. */
static bool scalar_text(json_t *value, char *out, size_t out_size)
{
    if (json_is_string(value)) {
        snprintf(out, out_size, "%s", json_string_value(value));
    } else if (json_is_integer(value)) {
        snprintf(out, out_size, "%lld", (long long)json_integer_value(value));
    } else {
        return false;
    }
    return true;
}

static bool flag(struct emu_config *cfg,
                 const char *name,
                 json_t *value,
                 const char *path,
                 char *errbuf,
                 size_t size)
{
    char text[1024];
    if (!scalar_text(value, text, sizeof(text))) {
        char what[96];
        snprintf(what, sizeof(what), "%s must be a string or an integer", name);
        return fail(errbuf, size, path, what);
    }
    return emu_cfg_apply_flag(cfg, name, text, errbuf, size);
}

static bool
load_keys(struct emu_config *cfg, json_t *keys, const char *path, char *errbuf, size_t size)
{
    size_t i;
    json_t *key;
    if (!json_is_array(keys)) {
        return fail(errbuf, size, path, "access_keys must be an array");
    }
    json_array_foreach(keys, i, key)
    {
        const char *id = json_string_value(json_object_get(key, "id"));
        const char *secret = json_string_value(json_object_get(key, "secret"));
        const char *token = json_string_value(json_object_get(key, "sts_token"));
        char text[1024];
        if (!id || !secret) {
            return fail(errbuf, size, path, "each access key needs id and secret");
        }
        snprintf(text, sizeof(text), "%s:%s%s%s", id, secret, token ? ":" : "", token ? token : "");
        if (!emu_cfg_apply_flag(cfg, "--access-key", text, errbuf, size)) {
            return false;
        }
    }
    return true;
}

static bool
load_logstore(struct emu_config *cfg, json_t *ls, const char *path, char *errbuf, size_t size)
{
    json_t *gens = json_object_get(ls, "generate");
    size_t i;
    json_t *gen;
    if (!flag(cfg, "--logstore", json_object_get(ls, "name"), path, errbuf, size)) {
        return false;
    }
    if (json_object_get(ls, "shards") &&
        !flag(cfg, "--shards", json_object_get(ls, "shards"), path, errbuf, size)) {
        return false;
    }
    if (gens && !json_is_array(gens)) {
        return fail(errbuf, size, path, "generate must be an array");
    }
    json_array_foreach(gens, i, gen)
    {
        const char *kind = json_string_value(json_object_get(gen, "kind"));
        json_t *count = json_object_get(gen, "count");
        char text[96];
        if (!kind || !json_is_integer(count)) {
            return fail(errbuf, size, path, "generate entries need kind and count");
        }
        snprintf(text, sizeof(text), "%s:%lld", kind, (long long)json_integer_value(count));
        if (!emu_cfg_apply_flag(cfg, "--generate", text, errbuf, size)) {
            return false;
        }
    }
    return true;
}

static bool
load_projects(struct emu_config *cfg, json_t *projects, const char *path, char *errbuf, size_t size)
{
    size_t i, j;
    json_t *project, *ls;
    if (!json_is_array(projects)) {
        return fail(errbuf, size, path, "projects must be an array");
    }
    json_array_foreach(projects, i, project)
    {
        json_t *logstores = json_object_get(project, "logstores");
        if (!flag(cfg, "--project", json_object_get(project, "name"), path, errbuf, size)) {
            return false;
        }
        if (logstores && !json_is_array(logstores)) {
            return fail(errbuf, size, path, "logstores must be an array");
        }
        json_array_foreach(logstores, j, ls)
        {
            if (!load_logstore(cfg, ls, path, errbuf, size)) {
                return false;
            }
        }
    }
    return true;
}

static const struct {
    const char *key;
    const char *flag;
} scalar_keys[] = {
    {"listen", "--listen"},
    {"region", "--region"},
    {"seed", "--seed"},
    {"spread_seconds", "--spread-seconds"},
    {"retention_seconds", "--retention-seconds"},
    {"max_pull_mb", "--max-pull-mb"},
    {"cache_mb", "--cache-mb"},
    {"max_generate", "--max-generate"},
    {"sts_port", "--sts-port"},
    {"metadata_port", "--metadata-port"},
    {"credential_lifetime", "--credential-lifetime"},
    {"sts_role_arn", "--sts-role-arn"},
    {"oidc_provider_arn", "--oidc-provider-arn"},
    {"sts_tls_cert", "--sts-tls-cert"},
    {"sts_tls_key", "--sts-tls-key"},
    {"metadata_role", "--metadata-role"},
    {"metadata_mode", "--metadata-mode"},
    {"sts_fault", "--sts-fault"},
    {"metadata_token_fault", "--metadata-token-fault"},
    {"metadata_fault", "--metadata-fault"},
};

static bool load_key(struct emu_config *cfg,
                     const char *key,
                     json_t *value,
                     const char *path,
                     char *errbuf,
                     size_t size)
{
    for (size_t i = 0; i < sizeof(scalar_keys) / sizeof(scalar_keys[0]); i++) {
        if (strcmp(key, scalar_keys[i].key) == 0) {
            return flag(cfg, scalar_keys[i].flag, value, path, errbuf, size);
        }
    }
    if (strcmp(key, "no_auth") == 0 || strcmp(key, "strict_utf8") == 0) {
        if (!json_is_boolean(value)) {
            return fail(errbuf, size, path, "no_auth and strict_utf8 must be booleans");
        }
        *(strcmp(key, "no_auth") == 0 ? &cfg->is_no_auth : &cfg->is_strict_utf8) =
            json_is_true(value);
        return true;
    }
    if (strcmp(key, "access_keys") == 0) {
        return load_keys(cfg, value, path, errbuf, size);
    }
    if (strcmp(key, "projects") == 0) {
        return load_projects(cfg, value, path, errbuf, size);
    }
    if (strcmp(key, "faults") == 0 && json_is_array(value)) {
        size_t i;
        json_t *spec;
        json_array_foreach(value, i, spec)
        {
            if (!flag(cfg, "--fault", spec, path, errbuf, size)) {
                return false;
            }
        }
        return true;
    }
    char what[160];
    snprintf(what, sizeof(what), "unknown or malformed key '%.100s'", key);
    return fail(errbuf, size, path, what);
}

bool emu_cfg_load_json(struct emu_config *cfg, const char *path, char *errbuf, size_t size)
{
    json_error_t error;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        snprintf(errbuf, size, "%s:%d: %s", path, error.line, error.text);
        return false;
    }
    bool is_ok = json_is_object(root) || fail(errbuf, size, path, "top level must be an object");
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (is_ok) {
            is_ok = load_key(cfg, key, value, path, errbuf, size);
        }
    }
    json_decref(root);
    return is_ok;
}
