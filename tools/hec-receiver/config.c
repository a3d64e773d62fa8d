/* Flags take their value as the next argument or after '=' (--token=T). --token specs are
 * parsed after every flag is read, so --ack and --allow-query-token apply to all tokens
 * wherever they appear. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "faults.h"
#include "tokens.h"
#include "util/str.h"

#include "util/banned.h"

static const char usage[] =
    "usage: hec-receiver --token T [options]\n"
    "  --listen HOST:PORT         address (default 127.0.0.1:8088; port 0 = any free port)\n"
    "  --token T[,OPT...]         accepted token, repeatable; OPT: ack, noack, query,\n"
    "                             disabled, name=N, index=I (repeatable)\n"
    "  --out FILE                 append accepted events as NDJSON\n"
    "  --cert FILE --key FILE     serve HTTPS with this PEM certificate and key\n"
    "  --max-content-length N     request body limit in bytes, before and after gzip\n"
    "                             (default 838860800; K/M/G suffixes are powers of 1024)\n"
    "  --max-event-size N         one envelope's limit (default 5242880; 0 = none)\n"
    "  --ack                      indexer acknowledgement on for every token (useACK)\n"
    "  --ack-delay-ms MS          an ackId turns true MS after its request (default 0)\n"
    "  --ack-idle-seconds S       forget channels idle for S seconds (default 600; 0 = never)\n"
    "  --indexers N               N indexers behind a load balancer without sticky sessions:\n"
    "                             requests (data and ack) go to each in turn, each indexer\n"
    "                             has its own ackIds per channel (default 1)\n"
    "  --ack-max-pending N        pending ackIds per channel before 503 (default 1000000)\n"
    "  --index-allow A,B,...      indexes tokens may name (default: any)\n"
    "  --allow-query-token        every token accepts ?token= (allowQueryStringAuth)\n"
    "  --raw-requires-channel     /raw needs a channel even without ack (old Splunk)\n"
    "  --lenient-time             accept any non-negative `time` (default: seconds < 1e11)\n"
    "  --count-only               check minimally and count; record nothing\n"
    "  --threads N                0 = a thread per connection (default), N = a pool of N\n"
    "                             (default with --count-only: the number of CPUs)\n"
    "  --fault SPEC               type=TYPE[,endpoint=E][,rate=R][,count=N][,ms=MS]\n"
    "                             [,code=C][,status=S][,retry_after=S][,k=N] (repeatable)\n"
    "  --seed S                   seed of fault rates (default 1)\n"
    "  --quiet                    no log lines on stderr\n"
    "  --verbose                  one log line per request (never the token itself)\n"
    "  --help, --version\n";

const char *hec_config_usage(void)
{
    return usage;
}

static bool
parse_int(const char *flag, const char *arg, long long max, int64_t *out, char *errbuf, size_t size)
{
    size_t v;
    if (!tc_parse_size(flag, arg, max, &v, errbuf, size)) {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static bool add_fault(struct hec_config *cfg, const char *spec, char *errbuf, size_t size)
{
    struct hec_fault rule;
    char why[200];
    if (cfg->n_faults == HEC_MAX_FAULTS) {
        return tc_fail(errbuf, size, "too many --fault rules");
    }
    if (!hec_faults_parse(spec, &rule, why, sizeof(why))) {
        return tc_fail(errbuf, size, "bad --fault '%s': %s", spec, why);
    }
    cfg->faults[cfg->n_faults++] = spec;
    return true;
}

static bool apply_value_flag(
    struct hec_config *cfg, const char *flag, const char *value, char *errbuf, size_t size)
{
    int64_t v = 0;
    bool is_ok = true;
    if (strcmp(flag, "--listen") == 0) {
        return tc_parse_listen(value, cfg->listen_host, sizeof(cfg->listen_host), &cfg->listen_port,
                               errbuf, size);
    } else if (strcmp(flag, "--out") == 0) {
        cfg->out_path = value;
    } else if (strcmp(flag, "--cert") == 0) {
        cfg->cert_path = value;
    } else if (strcmp(flag, "--key") == 0) {
        cfg->key_path = value;
    } else if (strcmp(flag, "--index-allow") == 0) {
        cfg->index_allow = value;
    } else if (strcmp(flag, "--fault") == 0) {
        return add_fault(cfg, value, errbuf, size);
    } else if (strcmp(flag, "--max-content-length") == 0) {
        is_ok = tc_parse_size(flag, value, 1ll << 31, &cfg->max_content_length, errbuf, size);
        if (is_ok && cfg->max_content_length == 0) {
            return tc_fail(errbuf, size, "--max-content-length must be positive");
        }
    } else if (strcmp(flag, "--max-event-size") == 0) {
        is_ok = tc_parse_size(flag, value, 1ll << 31, &cfg->max_event_size, errbuf, size);
    } else if (strcmp(flag, "--ack-delay-ms") == 0) {
        is_ok = parse_int(flag, value, 86400000, &cfg->ack_delay_ms, errbuf, size);
    } else if (strcmp(flag, "--ack-idle-seconds") == 0) {
        is_ok = parse_int(flag, value, 86400 * 365, &v, errbuf, size);
        cfg->ack_idle_ms = v * 1000;
    } else if (strcmp(flag, "--ack-max-pending") == 0) {
        is_ok = tc_parse_size(flag, value, 1ll << 32, &cfg->ack_max_pending, errbuf, size);
    } else if (strcmp(flag, "--indexers") == 0) {
        is_ok = parse_int(flag, value, HEC_MAX_INDEXERS, &v, errbuf, size);
        if (is_ok && v < 1) {
            return tc_fail(errbuf, size, "--indexers must be 1..%d", HEC_MAX_INDEXERS);
        }
        cfg->indexers = (size_t)v;
    } else if (strcmp(flag, "--threads") == 0) {
        is_ok = parse_int(flag, value, 256, &v, errbuf, size);
        cfg->threads = (int)v;
    } else if (strcmp(flag, "--seed") == 0) {
        is_ok = parse_int(flag, value, 1ll << 62, &v, errbuf, size);
        cfg->seed = (uint64_t)v;
    } else {
        return tc_fail(errbuf, size, "unknown option %s (see --help)", flag);
    }
    return is_ok;
}

static bool apply_switch(struct hec_config *cfg, const char *flag)
{
    static const struct {
        const char *flag;
        size_t offset;
    } switches[] = {
        {"--ack", offsetof(struct hec_config, is_ack_all)},
        {"--allow-query-token", offsetof(struct hec_config, is_query_token_all)},
        {"--count-only", offsetof(struct hec_config, is_count_only)},
        {"--lenient-time", offsetof(struct hec_config, is_lenient_time)},
        {"--raw-requires-channel", offsetof(struct hec_config, is_raw_channel_required)},
        {"--quiet", offsetof(struct hec_config, is_quiet)},
        {"--verbose", offsetof(struct hec_config, is_verbose)},
        {"--help", offsetof(struct hec_config, wants_help)},
        {"-h", offsetof(struct hec_config, wants_help)},
        {"--version", offsetof(struct hec_config, wants_version)},
    };
    for (size_t i = 0; i < sizeof(switches) / sizeof(switches[0]); i++) {
        if (strcmp(flag, switches[i].flag) == 0) {
            *(bool *)((char *)cfg + switches[i].offset) = true;
            return true;
        }
    }
    return false;
}

static bool parse_tokens(
    struct hec_config *cfg, const char *const *specs, int n_specs, char *errbuf, size_t size)
{
    for (int i = 0; i < n_specs; i++) {
        struct hec_token *token = &cfg->tokens[cfg->n_tokens];
        char why[200];
        if (!hec_token_parse(specs[i], i + 1, cfg->is_ack_all, cfg->is_query_token_all, token, why,
                             sizeof(why))) {
            return tc_fail(errbuf, size, "bad --token: %s", why);
        }
        for (int j = 0; j < cfg->n_tokens; j++) {
            if (strcmp(cfg->tokens[j].value, token->value) == 0 ||
                strcmp(cfg->tokens[j].name, token->name) == 0) {
                return tc_fail(errbuf, size, "--token %s repeats a value or name", token->name);
            }
        }
        cfg->n_tokens++;
    }
    if (cfg->n_tokens == 0 && !cfg->wants_help && !cfg->wants_version) {
        return tc_fail(errbuf, size, "at least one --token is required");
    }
    return true;
}

bool hec_config_from_args(struct hec_config *cfg, int argc, char **argv, char *errbuf, size_t size)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->listen_host, sizeof(cfg->listen_host), "127.0.0.1");
    cfg->listen_port = 8088;
    cfg->max_event_size = HEC_DEFAULT_MAX_EVENT;
    cfg->ack_idle_ms = 600000;
    cfg->threads = -1;
    cfg->seed = 1;
    const char *specs[HEC_MAX_TOKENS];
    int n_specs = 0;
    for (int i = 1; i < argc; i++) {
        char flag[64];
        const char *arg = argv[i];
        const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        snprintf(flag, sizeof(flag), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
        if (!eq && apply_switch(cfg, flag)) {
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            return tc_fail(errbuf, size, "%s needs a value (or is unknown; see --help)", flag);
        }
        if (strcmp(flag, "--token") == 0) {
            if (n_specs == HEC_MAX_TOKENS) {
                return tc_fail(errbuf, size, "too many --token flags (max %d)", HEC_MAX_TOKENS);
            }
            specs[n_specs++] = value;
        } else if (!apply_value_flag(cfg, flag, value, errbuf, size)) {
            return false;
        }
    }
    if (!cfg->cert_path != !cfg->key_path) {
        return tc_fail(errbuf, size, "--cert and --key go together");
    }
    return parse_tokens(cfg, specs, n_specs, errbuf, size);
}

void hec_config_server_options(const struct hec_config *cfg,
                               int out_fd,
                               struct hec_server_options *opts)
{
    *opts = (struct hec_server_options){
        .tokens = cfg->tokens,
        .n_tokens = (size_t)cfg->n_tokens,
        .index_allow = cfg->index_allow,
        .is_ack_all = cfg->is_ack_all,
        .is_query_token_all = cfg->is_query_token_all,
        .is_count_only = cfg->is_count_only,
        .is_lenient_time = cfg->is_lenient_time,
        .is_raw_channel_required = cfg->is_raw_channel_required,
        .max_content_length = cfg->max_content_length,
        .max_event_size = cfg->max_event_size,
        .ack_delay_ms = cfg->ack_delay_ms,
        .ack_idle_ms = cfg->ack_idle_ms,
        .ack_max_pending = cfg->ack_max_pending,
        .indexers = cfg->indexers,
        .out_fd = out_fd,
        .seed = cfg->seed,
    };
}
