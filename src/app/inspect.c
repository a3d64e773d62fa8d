#include "app/inspect.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "coord/coord.h"
#include "sink/hec_sink.h"
#include "sls/sls_api.h"
#include "util/proxy.h"
#include "util/url.h"

#include "util/banned.h" /* last: poisons what the project does not use */

extern char **environ;

static struct sf_sls_client *client_for(const struct sf_config_source *cfg,
                                        struct sf_cred_status *cred,
                                        char *why,
                                        size_t why_size)
{
    struct sf_sls_client *sls = NULL;
    sf_err err =
        sf_coord_client_new(cfg, cfg->timeout_ms, "slsfwd/0.1 inspect", &sls, cred, why, why_size);
    return err ? NULL : sls;
}

static void print_result(bool is_ok, const char *what, const char *detail)
{
    printf("%-4s %s: %s\n", is_ok ? "ok" : "FAIL", what, detail);
}

/* "source demo/nginx proxy: http://proxy:3128 (from HTTPS_PROXY)": which proxy `run` would
 * take and why (util/proxy.h), the password of one from the environment redacted. */
static bool print_proxy(const char *what, sf_err err, const struct sf_proxy *proxy, const char *why)
{
    char line[SF_PROXY_URL_MAX + 64];
    if (err) {
        print_result(false, what, why);
        return false;
    }
    sf_proxy_describe(proxy, line, sizeof(line));
    print_result(true, what, line);
    return true;
}

static void print_error(const char *what, const struct sf_sls_error *detail, sf_err err)
{
    char text[768];
    print_result(false, what, sf_sls_error_format(detail, err, text, sizeof(text)));
}

/* The group exists, or can be created: fewer than 30 groups on the logstore
 * (docs/protocol/sls-api.md §Limits). */
static bool
check_group(struct sf_sls_client *sls, const struct sf_config_source *cfg, const char *what)
{
    struct sf_sls_group *groups = NULL;
    size_t n = 0;
    struct sf_sls_error detail;
    sf_err err = sf_sls_list_groups(sls, cfg->logstore, &groups, &n, &detail);
    if (err) {
        print_error(what, &detail, err);
        return false;
    }
    char line[256];
    bool is_ok = true;
    const struct sf_sls_group *found = NULL;
    for (size_t i = 0; i < n; i++) {
        found = strcasecmp(groups[i].name, cfg->consumer_group) == 0 ? &groups[i] : found;
    }
    if (found) {
        snprintf(line, sizeof(line), "consumer group %s exists (timeout %ds, order %s)",
                 cfg->consumer_group, found->timeout_s, found->order ? "true" : "false");
    } else if (n < 30) {
        snprintf(line, sizeof(line), "consumer group %s will be created (%zu of 30 groups used)",
                 cfg->consumer_group, n);
    } else {
        snprintf(line, sizeof(line),
                 "consumer group %s cannot be created: the logstore has the maximum of 30 "
                 "groups; delete unused ones or reuse one",
                 cfg->consumer_group);
        is_ok = false;
    }
    print_result(is_ok, what, line);
    free(groups);
    return is_ok;
}

/* Which provider gave the credentials and when they expire; a refresh that failed (only
 * possible in `run`) is not seen here, where each check resolves afresh. */
static void print_credentials(const struct sf_config_source *cfg, const struct sf_cred_status *cred)
{
    char what[256], line[256];
    snprintf(what, sizeof(what), "credentials %s", cfg->name);
    if (cred->expiration <= 0) {
        snprintf(line, sizeof(line), "provider %s, do not expire",
                 sf_cred_provider_name(cred->provider));
    } else {
        time_t t = (time_t)cred->expiration;
        struct tm tm;
        char when[32];
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        long long left = (long long)(cred->expiration - (int64_t)time(NULL));
        snprintf(line, sizeof(line), "provider %s, expire at %s (in %llds), renewed before then",
                 sf_cred_provider_name(cred->provider), when, left);
    }
    print_result(true, what, line);
}

/* Sends sls.query once, as `run` sends it: one PullLogs of one LogGroup from the oldest data
 * of |shard|, so SLS parses the statement and runs it on real data. A statement it refuses
 * fails the check with the service's code and message. */
static bool check_query(struct sf_sls_client *sls, const struct sf_config_source *cfg, int shard)
{
    char what[256], line[1024];
    snprintf(what, sizeof(what), "source %s query", cfg->name);
    char cursor[SF_SLS_CURSOR_MAX];
    struct sf_sls_error detail;
    sf_err err = sf_sls_get_cursor(sls, cfg->logstore, shard, "begin", cursor, &detail);
    if (err) {
        print_error(what, &detail, err);
        return false;
    }
    struct sf_sls_pull_result res;
    /* One LogGroup is at most 5 MB raw (docs/protocol/sls-api.md §Limits); the wire size of a
     * 1-count pull is less. */
    sf_sls_pull_result_init(&res, (size_t)64 << 20, (size_t)64 << 20);
    err = sf_sls_pull(sls, cfg->logstore, shard, cursor, 1, NULL, cfg->query, SF_COMPRESS_LZ4, &res,
                      &detail);
    if (err) {
        if (sf_sls_error_is_query(&detail, err)) {
            snprintf(what, sizeof(what), "source %s query: SLS refused the SPL statement",
                     cfg->name);
        }
        print_result(
            false, what,
            sf_sls_query_error_format(cfg->name, cfg->query, &detail, err, line, sizeof(line)));
    } else if (res.scanned_logs >= 0 && res.result_logs >= 0) {
        snprintf(line, sizeof(line),
                 "query accepted (shard %d: %lld of %lld logs in the first LogGroup kept)", shard,
                 res.result_logs, res.scanned_logs);
        print_result(true, what, line);
    } else {
        snprintf(line, sizeof(line), "query accepted (shard %d)", shard);
        print_result(true, what, line);
    }
    sf_sls_pull_result_cleanup(&res);
    return err == SF_OK;
}

static bool check_source(const struct sf_config_source *cfg)
{
    char what[256], why[1024];
    struct sf_proxy proxy;
    snprintf(what, sizeof(what), "source %s proxy", cfg->name);
    sf_err proxy_err = sf_coord_source_proxy(cfg, environ, &proxy, why, sizeof(why));
    if (!print_proxy(what, proxy_err, &proxy, why)) {
        return false;
    }
    explicit_bzero(proxy.url, sizeof(proxy.url));
    snprintf(what, sizeof(what), "source %s (%s)", cfg->name, cfg->endpoint);
    struct sf_cred_status cred = {0};
    struct sf_sls_client *sls = client_for(cfg, &cred, why, sizeof(why));
    if (!sls) {
        print_result(false, what, why);
        return false;
    }
    print_credentials(cfg, &cred);
    struct sf_sls_shard *shards = NULL;
    size_t n = 0;
    struct sf_sls_error detail;
    sf_err err = sf_sls_list_shards(sls, cfg->logstore, &shards, &n, &detail);
    bool is_ok = err == SF_OK;
    if (is_ok) {
        snprintf(why, sizeof(why), "reachable, credentials accepted, %zu shards", n);
        print_result(true, what, why);
        is_ok = check_group(sls, cfg, what);
        if (cfg->query && n > 0) {
            is_ok = check_query(sls, cfg, shards[0].shard_id) && is_ok;
        }
    } else {
        print_error(what, &detail, err);
    }
    free(shards);
    sf_sls_client_free(sls);
    return is_ok;
}

/* The syslog receiver accepts a TCP connection (UDP cannot be probed; TLS is checked at the
 * first connection of `run`, which logs a refused certificate loudly). */
static bool check_syslog(const struct sf_config_syslog *cfg)
{
    char what[300], line[512];
    snprintf(what, sizeof(what), "syslog %s (%s)", cfg->address, cfg->protocol);
    if (strcmp(cfg->protocol, "udp") == 0) {
        print_result(true, what, "UDP: nothing to probe; delivery is not confirmed (lossy)");
        return true;
    }
    char host[256];
    const char *colon = strrchr(cfg->address, ':');
    if (!colon || colon == cfg->address || (size_t)(colon - cfg->address) >= sizeof(host)) {
        print_result(false, what, "expected host:port");
        return false;
    }
    snprintf(host, sizeof(host), "%.*s", (int)(colon - cfg->address), cfg->address);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc != 0) {
        snprintf(line, sizeof(line), "cannot resolve %s: %s", host, gai_strerror(rc));
        print_result(false, what, line);
        return false;
    }
    bool is_ok = false;
    for (struct addrinfo *ai = res; ai && !is_ok; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        is_ok = fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
        snprintf(line, sizeof(line), "%s", is_ok ? "accepts TCP connections" : strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
    }
    freeaddrinfo(res);
    print_result(is_ok, what, line);
    return is_ok;
}

int sf_inspect_check(const struct sf_config *config)
{
    print_result(true, "config", config->path ? config->path : "(environment)");
    bool is_ok = true;
    for (size_t i = 0; i < config->n_sources; i++) {
        is_ok = check_source(&config->sources[i]) && is_ok;
    }
    if (sf_config_has_sink(config, SF_CONFIG_SINK_HEC)) {
        char msg[768], what[600];
        size_t n_urls = config->hec.n_urls ? config->hec.n_urls : 1;
        for (size_t i = 0; i < n_urls; i++) {
            const char *url = config->hec.n_urls ? config->hec.urls[i] : config->hec.url;
            struct sf_proxy proxy;
            char *url_shown = sf_url_redact_dup(url);
            snprintf(what, sizeof(what), "hec proxy for %s", url_shown);
            free(url_shown);
            sf_err proxy_err =
                sf_hec_sink_proxy(&config->hec, url, environ, &proxy, msg, sizeof(msg));
            is_ok = print_proxy(what, proxy_err, &proxy, msg) && is_ok;
            explicit_bzero(proxy.url, sizeof(proxy.url));
        }
        char *shown = sf_url_redact_dup(config->hec.url);
        if (config->hec.n_urls > 1) {
            snprintf(what, sizeof(what), "hec %s and %zu more", shown, config->hec.n_urls - 1);
        } else {
            snprintf(what, sizeof(what), "hec %s", shown);
        }
        free(shown);
        bool is_healthy = sf_hec_sink_check(&config->hec, msg, sizeof(msg));
        print_result(is_healthy, what, msg);
        is_ok = is_ok && is_healthy;
    }
    if (sf_config_has_sink(config, SF_CONFIG_SINK_SYSLOG)) {
        is_ok = check_syslog(&config->syslog) && is_ok;
    }
    if (sf_config_has_sink(config, SF_CONFIG_SINK_FILE)) {
        print_result(true, "output", config->file_path);
    }
    return is_ok ? 0 : 1;
}

static void format_time(long long unix_s, char *out, size_t size)
{
    if (unix_s <= 0) {
        snprintf(out, size, "-");
        return;
    }
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const struct sf_sls_checkpoint *
find_checkpoint(const struct sf_sls_checkpoint *cps, size_t n, int shard)
{
    for (size_t i = 0; i < n; i++) {
        if (cps[i].shard_id == shard && cps[i].cursor[0]) {
            return &cps[i];
        }
    }
    return NULL;
}

/* One row: checkpoint time and newest data time come from GetCursorTime (docs/protocol/sls-api.md
 * §GetCursor: lag). */
static bool status_shard(struct sf_sls_client *sls,
                         const struct sf_config_source *cfg,
                         const struct sf_sls_shard *shard,
                         const struct sf_sls_checkpoint *cp)
{
    struct sf_sls_error detail;
    char end[SF_SLS_CURSOR_MAX];
    long long newest = 0, at_checkpoint = 0;
    sf_err err = sf_sls_get_cursor(sls, cfg->logstore, shard->shard_id, "end", end, &detail);
    if (!err) {
        err = sf_sls_get_cursor_time(sls, cfg->logstore, shard->shard_id, end, &newest, &detail);
    }
    if (!err && cp) {
        err = sf_sls_get_cursor_time(sls, cfg->logstore, shard->shard_id, cp->cursor,
                                     &at_checkpoint, &detail);
    }
    if (err) {
        print_error(cfg->name, &detail, err);
        return false;
    }
    char cp_text[32], newest_text[32], lag[32];
    format_time(at_checkpoint, cp_text, sizeof(cp_text));
    format_time(newest, newest_text, sizeof(newest_text));
    if (cp) {
        snprintf(lag, sizeof(lag), "%lld", newest > at_checkpoint ? newest - at_checkpoint : 0);
    } else {
        snprintf(lag, sizeof(lag), "no checkpoint");
    }
    printf("%-24s %5d  %-9s  %-36s %-20s  %-20s  %s\n", cfg->name, shard->shard_id,
           shard->is_readonly ? "readonly" : "readwrite",
           cp && cp->consumer[0] ? cp->consumer : "-", cp_text, newest_text, lag);
    return true;
}

static bool status_source(const struct sf_config_source *cfg)
{
    char why[1024];
    struct sf_cred_status cred;
    struct sf_sls_client *sls = client_for(cfg, &cred, why, sizeof(why));
    if (!sls) {
        print_result(false, cfg->name, why);
        return false;
    }
    struct sf_sls_shard *shards = NULL;
    struct sf_sls_checkpoint *cps = NULL;
    size_t n_shards = 0, n_cps = 0;
    struct sf_sls_error detail;
    sf_err err = sf_sls_list_shards(sls, cfg->logstore, &shards, &n_shards, &detail);
    if (!err) {
        err = sf_sls_get_checkpoints(sls, cfg->logstore, cfg->consumer_group, -1, &cps, &n_cps,
                                     &detail);
        if (err == SF_ERR_SLS_GROUP_GONE) {
            err = SF_OK; /* not created yet: no shard has a checkpoint */
        }
    }
    bool is_ok = err == SF_OK;
    if (!is_ok) {
        print_error(cfg->name, &detail, err);
    }
    for (size_t i = 0; i < n_shards && is_ok; i++) {
        is_ok = status_shard(sls, cfg, &shards[i], find_checkpoint(cps, n_cps, shards[i].shard_id));
    }
    free(shards);
    free(cps);
    sf_sls_client_free(sls);
    return is_ok;
}

int sf_inspect_status(const struct sf_config *config)
{
    printf("%-24s %5s  %-9s  %-36s %-20s  %-20s  %s\n", "source", "shard", "status",
           "last committer", "checkpoint time", "newest data time", "lag_s");
    bool is_ok = true;
    for (size_t i = 0; i < config->n_sources; i++) {
        is_ok = status_source(&config->sources[i]) && is_ok;
    }
    return is_ok ? 0 : 1;
}
