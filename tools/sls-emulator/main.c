/* sls-emulator: an SLS-compatible server for tests, benchmarks and the demo (README.md).
 * main() wires config, server state and HTTP, prints the one "listening" line tests wait
 * for, runs retention once a second, and exits cleanly on SIGTERM/SIGINT. */
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/process.h"
#include "config.h"
#include "emu.h"
#include "http.h"
#include "metadata.h"
#include "store.h"
#include "sts.h"

#define SF_LOG_MODULE "emulator"
#include "util/log.h"

#include "util/banned.h"

#define PEM_MAX (64 * 1024)

static uint64_t count_logs(struct emu_server *srv)
{
    uint64_t n = 0;
    pthread_mutex_lock(&srv->lock);
    for (int p = 0; p < srv->n_projects; p++) {
        for (int l = 0; l < srv->projects[p]->n_logstores; l++) {
            const struct emu_logstore *ls = srv->projects[p]->logstores[l];
            for (int s = 0; s < ls->n_shards; s++) {
                n += ls->shards[s]->n_logs_total;
            }
        }
    }
    pthread_mutex_unlock(&srv->lock);
    return n;
}

/* Once a second: drop what retention no longer keeps. */
static void apply_retention(void *cls)
{
    struct emu_server *srv = cls;
    pthread_mutex_lock(&srv->lock);
    uint64_t dropped = emu_store_apply_retention(srv, emu_now_s());
    pthread_mutex_unlock(&srv->lock);
    if (dropped) {
        SF_LOG_DEBUG("msg=\"retention\" dropped_loggroups=%llu", (unsigned long long)dropped);
    }
}

/* Starts the listener of one credential endpoint and prints
 * "sls-emulator <what> listening on HOST:PORT". |port| 0 = off, -1 = any free port. */
static bool start_side(struct emu_server *srv,
                       emu_http_handler handler,
                       const char *what,
                       const char *host,
                       int port,
                       const char *cert_pem,
                       const char *key_pem,
                       struct emu_http **out)
{
    char err[256];
    int bound = 0;
    if (port == 0) {
        return true;
    }
    *out = emu_http_start(handler, srv, host, port < 0 ? 0 : port, cert_pem, key_pem, &bound, err,
                          sizeof(err));
    if (!*out) {
        fprintf(stderr, "sls-emulator: %s endpoint: %s\n", what, err);
        return false;
    }
    printf("sls-emulator %s listening on %s:%d\n", what, host, bound);
    return true;
}

int main(int argc, char **argv)
{
    struct emu_config cfg;
    char err[512];
    if (!emu_config_from_args(&cfg, argc, argv, err, sizeof(err))) {
        fprintf(stderr, "sls-emulator: %s\n", err);
        emu_config_cleanup(&cfg);
        return 2;
    }
    if (cfg.wants_help || cfg.wants_version) {
        fputs(cfg.wants_help ? emu_config_usage() : "sls-emulator " EMU_VERSION "\n", stdout);
        emu_config_cleanup(&cfg);
        return 0;
    }
    sf_log_set_level(cfg.is_quiet ? SF_LOG_LEVEL_ERROR : SF_LOG_LEVEL_INFO);

    sigset_t stop;
    tc_block_stop_signals(&stop);

    struct emu_server srv;
    struct emu_server_options opts;
    emu_config_server_options(&cfg, &opts);
    emu_server_init(&srv, &opts);
    int rc = 1;
    struct emu_http *http = NULL, *sts = NULL, *metadata = NULL;
    char *cert = NULL, *key = NULL; /* PEM text of the STS endpoint, when it serves HTTPS */
    if (!emu_config_apply(&cfg, &srv, err, sizeof(err))) {
        fprintf(stderr, "sls-emulator: %s\n", err);
        goto out;
    }
    /* The credential endpoints first: once the main "listening" line is out, every port a
     * test may read is already printed. */
    if (cfg.sts_tls_cert && !tc_read_pem_pair(cfg.sts_tls_cert, cfg.sts_tls_key, PEM_MAX, &cert,
                                              &key, err, sizeof(err))) {
        fprintf(stderr, "sls-emulator: %s\n", err);
        goto out;
    }
    if (!start_side(&srv, emu_sts_handle, "sts", cfg.listen_host, cfg.sts_port, cert, key, &sts) ||
        !start_side(&srv, emu_metadata_handle, "metadata", cfg.listen_host, cfg.metadata_port, NULL,
                    NULL, &metadata)) {
        goto out;
    }
    int port = 0;
    http = emu_http_start(emu_handle, &srv, cfg.listen_host, cfg.listen_port, NULL, NULL, &port,
                          err, sizeof(err));
    if (!http) {
        fprintf(stderr, "sls-emulator: %s\n", err);
        goto out;
    }
    SF_LOG_INFO("msg=\"ready\" projects=%d logs=%llu auth=%s", srv.n_projects,
                (unsigned long long)count_logs(&srv), cfg.is_no_auth ? "off" : "on");
    printf("sls-emulator listening on %s:%d\n", cfg.listen_host, port);
    fflush(stdout);
    int sig = tc_wait_signal(&stop, apply_retention, &srv);
    SF_LOG_INFO("msg=\"stopping\" signal=%d", sig);
    rc = 0;
out:
    emu_http_stop(http);
    emu_http_stop(sts);
    emu_http_stop(metadata);
    free(cert);
    if (key) {
        OPENSSL_cleanse(key, strlen(key));
    }
    free(key);
    emu_server_cleanup(&srv);
    emu_config_cleanup(&cfg);
    return rc;
}
