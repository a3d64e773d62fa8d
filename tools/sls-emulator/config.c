/* Command line and JSON config. Flags apply in order: --logstore belongs to the last
 * --project, and --shards / --generate to the last --logstore, so one command line can
 * describe several logstores. */
#include "config.h"
#include "config_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "faults.h"
#include "store.h"
#include "util/alloc.h"
#include "util/str.h"

#include "util/banned.h"

static const char usage[] =
    "usage: sls-emulator [options]\n"
    "  --listen HOST:PORT          address to serve on (default 127.0.0.1:0 = any free port)\n"
    "  --access-key ID:SECRET[:STS_TOKEN]  accepted credentials (repeatable)\n"
    "  --no-auth                   accept unsigned requests (demos only)\n"
    "  --region REGION             require this region in v4 signatures (default: any)\n"
    "  --project NAME              a project; following --logstore flags belong to it\n"
    "  --logstore NAME             a logstore in the last --project\n"
    "  --shards N                  shard count (1..800) of the last --logstore (default 2)\n"
    "  --generate KIND:N           N generated logs (KIND nginx or actiontrail) for the last\n"
    "                              --logstore (repeatable)\n"
    "  --seed S                    generator and fault-rate seed (default 1)\n"
    "  --spread-seconds S          receive times of start-up data span the last S s (300)\n"
    "  --retention-seconds S       drop LogGroups older than S seconds (default: keep)\n"
    "  --fault SPEC                api=API,type=TYPE[,rate=R][,ms=MS][,count=N] (repeatable)\n"
    "  --strict-utf8               PutLogs refuses non-UTF-8 values (InvalidEncoding)\n"
    "  --max-pull-mb N             raw MiB per PullLogs answer (default 10)\n"
    "  --cache-mb N                memory for cached PullLogs bodies (default 512)\n"
    "  --max-generate N            logs per control-plane generate call (default 10000000)\n"
    "  --sts-port PORT|any         serve STS (AssumeRole, AssumeRoleWithOIDC) on this port of\n"
    "                              the --listen host; any = a free port; 0 = off (default)\n"
    "  --sts-tls-cert FILE, --sts-tls-key FILE  serve STS over HTTPS with this PEM pair\n"
    "  --metadata-port PORT|any    serve the ECS metadata endpoint likewise\n"
    "  --credential-lifetime DUR   cap on issued credentials' lifetime (20s, 15m, 1h; 0 = none)\n"
    "  --sts-role-arn ARN          the only role that exists (default: any well-formed ARN)\n"
    "  --oidc-provider-arn ARN     the only registered OIDC provider (default: any)\n"
    "  --metadata-role NAME        the ECS instance's RAM role (default sls-emulator-role)\n"
    "  --metadata-mode MODE        optional (default) or hardened (token required)\n"
    "  --sts-fault F               none, denied, throttle, drop or a status for every STS call\n"
    "  --metadata-token-fault F    none, drop or a status for PUT /latest/api/token\n"
    "  --metadata-fault F          none, drop or a status for the credentials GET\n"
    "  --config FILE               JSON file with the same settings (see README.md)\n"
    "  --quiet                     no log lines on stderr\n"
    "  --help, --version\n";

const char *emu_config_usage(void)
{
    return usage;
}

static bool add_project(struct emu_config *cfg, const char *name, char *errbuf, size_t size)
{
    if (!emu_store_valid_name(name)) {
        return tc_fail(errbuf, size, "invalid project name '%s' (1-63 of [a-z0-9_-])", name);
    }
    for (int i = 0; i < cfg->n_projects; i++) {
        if (strcmp(cfg->projects[i], name) == 0) {
            return true;
        }
    }
    if (cfg->n_projects == EMU_MAX_PROJECTS) {
        return tc_fail(errbuf, size, "too many projects");
    }
    cfg->projects[cfg->n_projects++] = sf_xstrdup(name);
    return true;
}

static bool add_logstore(struct emu_config *cfg, const char *name, char *errbuf, size_t size)
{
    if (cfg->n_projects == 0) {
        return tc_fail(errbuf, size, "--logstore %s needs a --project before it", name);
    }
    if (!emu_store_valid_name(name) || cfg->n_logstores == EMU_CFG_MAX_LOGSTORES) {
        return tc_fail(errbuf, size, "invalid logstore name '%s' or too many logstores", name);
    }
    struct emu_cfg_logstore *ls = &cfg->logstores[cfg->n_logstores++];
    memset(ls, 0, sizeof(*ls));
    snprintf(ls->project, sizeof(ls->project), "%s", cfg->projects[cfg->n_projects - 1]);
    snprintf(ls->name, sizeof(ls->name), "%s", name);
    ls->n_shards = 2;
    return true;
}

static struct emu_cfg_logstore *last_logstore(struct emu_config *cfg)
{
    return cfg->n_logstores ? &cfg->logstores[cfg->n_logstores - 1] : NULL;
}

static bool
add_generate(struct emu_config *cfg, const char *kind, uint64_t n_logs, char *errbuf, size_t size)
{
    struct emu_cfg_logstore *ls = last_logstore(cfg);
    enum emu_gen_kind k;
    if (!ls) {
        return tc_fail(errbuf, size, "--generate needs a --logstore before it");
    }
    if (!emu_gen_kind_parse(kind, &k) || n_logs == 0 || ls->n_generate == EMU_CFG_MAX_GENERATE) {
        return tc_fail(errbuf, size, "bad --generate %s:%llu (nginx:N or actiontrail:N, N > 0)",
                       kind, (unsigned long long)n_logs);
    }
    ls->generate[ls->n_generate].kind = k;
    ls->generate[ls->n_generate].n_logs = n_logs;
    ls->n_generate++;
    return true;
}

static bool add_key(struct emu_config *cfg,
                    const char *id,
                    const char *secret,
                    const char *token,
                    char *errbuf,
                    size_t size)
{
    if (!id[0] || !secret[0] || cfg->n_keys == EMU_CFG_MAX_KEYS) {
        return tc_fail(errbuf, size, "bad access key (ID:SECRET[:STS_TOKEN]) or too many keys");
    }
    struct emu_key *key = &cfg->keys[cfg->n_keys++];
    key->id = sf_xstrdup(id);
    key->secret = sf_xstrdup(secret);
    key->sts_token = token && token[0] ? sf_xstrdup(token) : NULL;
    return true;
}

static bool parse_key_arg(struct emu_config *cfg, const char *arg, char *errbuf, size_t size)
{
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", arg);
    char *secret = strchr(copy, ':');
    if (!secret) {
        return tc_fail(errbuf, size, "--access-key wants ID:SECRET[:STS_TOKEN]");
    }
    *secret++ = '\0';
    char *token = strchr(secret, ':');
    if (token) {
        *token++ = '\0';
    }
    return add_key(cfg, copy, secret, token, errbuf, size);
}

static bool add_fault(struct emu_config *cfg, const char *spec, char *errbuf, size_t size)
{
    struct emu_fault rule;
    char why[160];
    if (!emu_faults_parse(spec, &rule, why, sizeof(why)) || cfg->n_faults == EMU_CFG_MAX_FAULTS) {
        return tc_fail(errbuf, size, "bad --fault '%s': %s", spec, why);
    }
    cfg->faults[cfg->n_faults++] = sf_xstrdup(spec);
    return true;
}

bool emu_config_parse_cred_fault(const char *text, int *out)
{
    long long status;
    if (strcmp(text, "none") == 0 || strcmp(text, "off") == 0 || strcmp(text, "0") == 0) {
        *out = 0;
    } else if (strcmp(text, "drop") == 0) {
        *out = -1;
    } else if (strcmp(text, "denied") == 0) {
        *out = 403;
    } else if (strcmp(text, "throttle") == 0) {
        *out = 400;
    } else if (sf_str_to_i64(sf_str_from(text), 400, 599, &status)) {
        *out = (int)status;
    } else {
        return false;
    }
    return true;
}

static bool parse_port(const char *flag, const char *arg, int *out, char *errbuf, size_t size)
{
    long long port;
    if (strcmp(arg, "any") == 0) {
        *out = -1;
        return true;
    }
    if (!sf_str_to_i64(sf_str_from(arg), 0, 65535, &port)) {
        return tc_fail(errbuf, size, "%s wants a port 0..65535 or 'any', got '%s'", flag, arg);
    }
    *out = (int)port;
    return true;
}

bool emu_config_parse_duration(const char *arg, int64_t *out)
{
    size_t len = strlen(arg);
    int64_t unit = 1;
    char digits[32];
    if (len && (arg[len - 1] == 's' || arg[len - 1] == 'm' || arg[len - 1] == 'h')) {
        unit = arg[len - 1] == 'h' ? 3600 : arg[len - 1] == 'm' ? 60 : 1;
        len--;
    }
    snprintf(digits, sizeof(digits), "%.*s", (int)len, arg);
    long long v;
    if (len == 0 || len >= sizeof(digits) ||
        !sf_str_to_i64(sf_str_from(digits), 0, 86400 * 7, &v) || v * unit > 86400 * 7) {
        return false;
    }
    *out = v * unit;
    return true;
}

static void set_string(char **slot, const char *value)
{
    free(*slot);
    *slot = value[0] ? sf_xstrdup(value) : NULL;
}

/* The credential-endpoint flags; *handled is false when |flag| is none of them. */
static bool apply_cred_flag(struct emu_config *cfg,
                            const char *flag,
                            const char *value,
                            bool *handled,
                            char *errbuf,
                            size_t size)
{
    int fault = 0;
    *handled = true;
    if (strcmp(flag, "--sts-port") == 0) {
        return parse_port(flag, value, &cfg->sts_port, errbuf, size);
    } else if (strcmp(flag, "--metadata-port") == 0) {
        return parse_port(flag, value, &cfg->metadata_port, errbuf, size);
    } else if (strcmp(flag, "--credential-lifetime") == 0) {
        return emu_config_parse_duration(value, &cfg->creds.lifetime_cap_s) ||
               tc_fail(errbuf, size, "%s wants a duration like 20s, 15m or 1h, got '%s'", flag,
                       value);
    } else if (strcmp(flag, "--sts-role-arn") == 0) {
        set_string(&cfg->sts_role_arn, value);
        return true;
    } else if (strcmp(flag, "--sts-tls-cert") == 0) {
        set_string(&cfg->sts_tls_cert, value);
        return true;
    } else if (strcmp(flag, "--sts-tls-key") == 0) {
        set_string(&cfg->sts_tls_key, value);
        return true;
    } else if (strcmp(flag, "--oidc-provider-arn") == 0) {
        set_string(&cfg->oidc_provider_arn, value);
        return true;
    } else if (strcmp(flag, "--metadata-role") == 0) {
        bool is_ok = value[0] && !strchr(value, '/') && strlen(value) < 128;
        set_string(&cfg->metadata_role, is_ok ? value : "");
        return is_ok || tc_fail(errbuf, size, "--metadata-role wants a role name, got '%s'", value);
    } else if (strcmp(flag, "--metadata-mode") == 0) {
        bool is_hardened = strcmp(value, "hardened") == 0;
        cfg->creds.metadata_mode = is_hardened ? EMU_METADATA_HARDENED : EMU_METADATA_OPTIONAL;
        return is_hardened || strcmp(value, "optional") == 0 ||
               tc_fail(errbuf, size, "--metadata-mode wants optional or hardened, got '%s'", value);
    } else if (strcmp(flag, "--sts-fault") == 0 || strcmp(flag, "--metadata-token-fault") == 0 ||
               strcmp(flag, "--metadata-fault") == 0) {
        if (!emu_config_parse_cred_fault(value, &fault)) {
            return tc_fail(errbuf, size,
                           "%s wants none, drop, denied, throttle or a status, got '%s'", flag,
                           value);
        }
        int *slot = strcmp(flag, "--sts-fault") == 0 ? &cfg->creds.faults.sts_status
                    : strcmp(flag, "--metadata-fault") == 0
                        ? &cfg->creds.faults.metadata_creds_status
                        : &cfg->creds.faults.metadata_token_status;
        *slot = fault;
        return true;
    }
    *handled = false;
    return true;
}

bool emu_cfg_apply_flag(
    struct emu_config *cfg, const char *flag, const char *value, char *errbuf, size_t size)
{
    uint64_t v = 0;
    bool handled = false;
    bool is_cred_ok = apply_cred_flag(cfg, flag, value, &handled, errbuf, size);
    if (handled) {
        return is_cred_ok;
    }
    if (strcmp(flag, "--listen") == 0) {
        return tc_parse_listen(value, cfg->listen_host, sizeof(cfg->listen_host), &cfg->listen_port,
                               errbuf, size);
    } else if (strcmp(flag, "--access-key") == 0) {
        return parse_key_arg(cfg, value, errbuf, size);
    } else if (strcmp(flag, "--project") == 0) {
        return add_project(cfg, value, errbuf, size);
    } else if (strcmp(flag, "--logstore") == 0) {
        return add_logstore(cfg, value, errbuf, size);
    } else if (strcmp(flag, "--shards") == 0) {
        if (!last_logstore(cfg)) {
            return tc_fail(errbuf, size, "--shards needs a --logstore before it");
        }
        bool is_ok = tc_parse_u64(flag, value, EMU_MAX_NEW_SHARDS, &v, errbuf, size) && v >= 1;
        last_logstore(cfg)->n_shards = (int)v;
        return is_ok || tc_fail(errbuf, size, "--shards wants 1..800");
    } else if (strcmp(flag, "--generate") == 0) {
        const char *colon = strchr(value, ':');
        char kind[32];
        snprintf(kind, sizeof(kind), "%.*s", colon ? (int)(colon - value) : 0, value);
        return colon && tc_parse_u64(flag, colon + 1, 1ll << 40, &v, errbuf, size) &&
               add_generate(cfg, kind, v, errbuf, size);
    } else if (strcmp(flag, "--seed") == 0) {
        return tc_parse_u64(flag, value, INT64_MAX, &cfg->seed, errbuf, size);
    } else if (strcmp(flag, "--spread-seconds") == 0) {
        bool is_ok = tc_parse_u64(flag, value, 86400 * 30, &v, errbuf, size);
        cfg->spread_s = (int64_t)v;
        return is_ok;
    } else if (strcmp(flag, "--retention-seconds") == 0) {
        bool is_ok = tc_parse_u64(flag, value, 1ll << 32, &v, errbuf, size);
        cfg->retention_s = (int64_t)v;
        return is_ok;
    } else if (strcmp(flag, "--fault") == 0) {
        return add_fault(cfg, value, errbuf, size);
    } else if (strcmp(flag, "--region") == 0) {
        free(cfg->region);
        cfg->region = sf_xstrdup(value);
        return true;
    } else if (strcmp(flag, "--max-pull-mb") == 0) {
        bool is_ok = tc_parse_u64(flag, value, 1024, &v, errbuf, size) && v >= 1;
        cfg->max_pull_bytes = (size_t)v << 20;
        return is_ok || tc_fail(errbuf, size, "--max-pull-mb wants 1..1024");
    } else if (strcmp(flag, "--cache-mb") == 0) {
        bool is_ok = tc_parse_u64(flag, value, 1 << 20, &v, errbuf, size);
        cfg->cache_bytes = (size_t)v << 20;
        return is_ok;
    } else if (strcmp(flag, "--max-generate") == 0) {
        return tc_parse_u64(flag, value, 1ll << 40, &cfg->max_generate, errbuf, size);
    } else if (strcmp(flag, "--config") == 0) {
        return emu_cfg_load_json(cfg, value, errbuf, size);
    }
    return tc_fail(errbuf, size, "unknown option '%s' (try --help)", flag);
}

bool emu_config_from_args(
    struct emu_config *cfg, int argc, char **argv, char *errbuf, size_t errbuf_size)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->seed = 1;
    cfg->spread_s = 300;
    cfg->max_pull_bytes = (size_t)10 << 20;
    cfg->cache_bytes = (size_t)512 << 20;
    cfg->max_generate = 10000000;
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--no-auth") == 0) {
            cfg->is_no_auth = true;
        } else if (strcmp(flag, "--strict-utf8") == 0) {
            cfg->is_strict_utf8 = true;
        } else if (strcmp(flag, "--quiet") == 0) {
            cfg->is_quiet = true;
        } else if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            cfg->wants_help = true;
        } else if (strcmp(flag, "--version") == 0) {
            cfg->wants_version = true;
        } else if (i + 1 >= argc) {
            return tc_fail(errbuf, errbuf_size, "option '%s' needs a value (try --help)", flag);
        } else if (!emu_cfg_apply_flag(cfg, flag, argv[++i], errbuf, errbuf_size)) {
            return false;
        }
    }
    if (!cfg->sts_tls_cert != !cfg->sts_tls_key) {
        return tc_fail(errbuf, errbuf_size, "--sts-tls-cert and --sts-tls-key go together");
    }
    if (!cfg->is_no_auth && cfg->n_keys == 0 && !cfg->wants_help && !cfg->wants_version) {
        return tc_fail(errbuf, errbuf_size, "give at least one --access-key, or --no-auth");
    }
    return true;
}

void emu_config_cleanup(struct emu_config *cfg)
{
    for (size_t i = 0; i < cfg->n_keys; i++) {
        free(cfg->keys[i].id);
        free(cfg->keys[i].secret);
        free(cfg->keys[i].sts_token);
    }
    for (int i = 0; i < cfg->n_projects; i++) {
        free(cfg->projects[i]);
    }
    for (int i = 0; i < cfg->n_faults; i++) {
        free(cfg->faults[i]);
    }
    free(cfg->region);
    free(cfg->sts_role_arn);
    free(cfg->oidc_provider_arn);
    free(cfg->metadata_role);
    free(cfg->sts_tls_cert);
    free(cfg->sts_tls_key);
    memset(cfg, 0, sizeof(*cfg));
}

void emu_config_server_options(struct emu_config *cfg, struct emu_server_options *opts)
{
    cfg->creds.role_arn = cfg->sts_role_arn;
    cfg->creds.oidc_provider_arn = cfg->oidc_provider_arn;
    cfg->creds.metadata_role = cfg->metadata_role;
    *opts = (struct emu_server_options){
        .keys = cfg->keys,
        .n_keys = cfg->n_keys,
        .is_no_auth = cfg->is_no_auth,
        .region = cfg->region,
        .is_strict_utf8 = cfg->is_strict_utf8,
        .max_pull_bytes = cfg->max_pull_bytes,
        .cache_bytes = cfg->cache_bytes,
        .max_generate = cfg->max_generate,
        .seed = cfg->seed,
        .retention_s = cfg->retention_s,
        .creds = &cfg->creds,
    };
}

bool emu_config_apply(const struct emu_config *cfg,
                      struct emu_server *srv,
                      char *errbuf,
                      size_t errbuf_size)
{
    const char *why = NULL;
    for (int i = 0; i < cfg->n_projects; i++) {
        if (!emu_store_add_project(srv, cfg->projects[i], &why)) {
            return tc_fail(errbuf, errbuf_size, "project %s: %s", cfg->projects[i], why);
        }
    }
    for (int i = 0; i < cfg->n_logstores; i++) {
        const struct emu_cfg_logstore *c = &cfg->logstores[i];
        struct emu_project *project = emu_project_find(srv, c->project, strlen(c->project));
        struct emu_logstore *ls = emu_store_add_logstore(srv, project, c->name, c->n_shards, &why);
        if (!ls) {
            return tc_fail(errbuf, errbuf_size, "logstore %s/%s: %s", c->project, c->name, why);
        }
        for (int g = 0; g < c->n_generate; g++) {
            emu_generate(srv, ls, c->generate[g].kind, c->generate[g].n_logs, cfg->spread_s, -1);
        }
    }
    for (int i = 0; i < cfg->n_faults; i++) {
        struct emu_fault rule;
        char reason[160];
        if (!emu_faults_parse(cfg->faults[i], &rule, reason, sizeof(reason)) ||
            emu_faults_add(&srv->faults, &rule) < 0) {
            return tc_fail(errbuf, errbuf_size, "fault %s: %s", cfg->faults[i], reason);
        }
    }
    return true;
}
