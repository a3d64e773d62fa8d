/* hec-receiver: a Splunk-HEC-compatible receiver for tests, benchmarks and the demo
 * (README.md). main() wires config, server state and HTTP, prints the one "listening" line
 * tests wait for, expires idle ack channels once a second, and exits cleanly on
 * SIGTERM/SIGINT after the requests in progress have been answered and recorded. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acks.h"
#include "common/http.h"
#include "common/process.h"
#include "config.h"
#include "faults.h"
#include "hec.h"
#include "http.h"
#include "util/clock.h"

#define SF_LOG_MODULE "hec-receiver"
#include "util/log.h"

#include "util/banned.h"

#define PEM_MAX ((size_t)1 << 20)

/* Once a second: forget idle ack channels. */
static void expire_acks(void *cls)
{
    struct hec_server *srv = cls;
    pthread_mutex_lock(&srv->lock);
    size_t n = 0;
    for (size_t i = 0; i < srv->n_indexers; i++) {
        n += hec_acks_expire(srv->indexer_acks[i], sf_now_ms());
    }
    pthread_mutex_unlock(&srv->lock);
    if (n) {
        SF_LOG_DEBUG("msg=\"idle ack channels forgotten\" channels=%zu", n);
    }
}

static bool add_faults(struct hec_server *srv, const struct hec_config *cfg)
{
    for (int i = 0; i < cfg->n_faults; i++) {
        struct hec_fault rule;
        char why[200];
        if (!hec_faults_parse(cfg->faults[i], &rule, why, sizeof(why)) ||
            hec_faults_add(&srv->faults, &rule) < 0) {
            return false; /* checked while parsing the command line */
        }
    }
    return true;
}

static int default_threads(const struct hec_config *cfg)
{
    if (cfg->threads >= 0) {
        return cfg->threads;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return cfg->is_count_only ? (int)(n > 1 ? n : 2) : 0;
}

static int run(const struct hec_config *cfg, const char *cert, const char *key)
{
    int out_fd = -1;
    if (cfg->out_path) {
        out_fd = open(cfg->out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (out_fd < 0) {
            fprintf(stderr, "hec-receiver: cannot open --out %s\n", cfg->out_path);
            return 1;
        }
    }
    sigset_t stop;
    tc_block_stop_signals(&stop);

    struct hec_server srv;
    struct hec_server_options opts;
    hec_config_server_options(cfg, out_fd, &opts);
    hec_server_init(&srv, &opts);
    add_faults(&srv, cfg);
    struct hec_http_options http_opts = {
        .host = cfg->listen_host,
        .port = cfg->listen_port,
        .threads = default_threads(cfg),
        .cert_pem = cert,
        .key_pem = key,
    };
    char err[256];
    int port = 0;
    int rc = 1;
    struct tc_http *http = hec_http_start(&srv, &http_opts, &port, err, sizeof(err));
    if (!http) {
        fprintf(stderr, "hec-receiver: %s\n", err);
        goto out;
    }
    SF_LOG_INFO("msg=\"ready\" tokens=%d tls=%s count_only=%s threads=%d", srv.n_tokens,
                cert ? "on" : "off", cfg->is_count_only ? "on" : "off", http_opts.threads);
    printf("hec-receiver listening on %s:%d\n", cfg->listen_host, port);
    fflush(stdout);
    int sig = tc_wait_signal(&stop, expire_acks, &srv);
    tc_http_stop(http); /* answers (and records) what is in progress first */
    SF_LOG_INFO("msg=\"stopped\" signal=%d requests=%llu events=%llu", sig,
                (unsigned long long)atomic_load(&srv.n_requests),
                (unsigned long long)srv.stats.events_accepted);
    rc = 0;
out:
    hec_server_cleanup(&srv);
    if (out_fd >= 0 && close(out_fd) != 0) {
        fprintf(stderr, "hec-receiver: closing --out %s failed\n", cfg->out_path);
        rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct hec_config cfg;
    char err[512];
    if (!hec_config_from_args(&cfg, argc, argv, err, sizeof(err))) {
        fprintf(stderr, "hec-receiver: %s\n", err);
        return 2;
    }
    if (cfg.wants_help || cfg.wants_version) {
        fputs(cfg.wants_help ? hec_config_usage() : "hec-receiver " HEC_VERSION "\n", stdout);
        return 0;
    }
    sf_log_set_level(cfg.is_quiet ? SF_LOG_LEVEL_ERROR : SF_LOG_LEVEL_INFO);
    if (cfg.is_verbose) {
        sf_log_set_debug_modules("hec-receiver");
    }
    char *cert = NULL, *key = NULL;
    if (cfg.cert_path &&
        !tc_read_pem_pair(cfg.cert_path, cfg.key_path, PEM_MAX, &cert, &key, err, sizeof(err))) {
        fprintf(stderr, "hec-receiver: %s\n", err);
        return 2;
    }
    int rc = run(&cfg, cert, key);
    free(cert);
    free(key);
    return rc;
}
