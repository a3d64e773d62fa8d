/* The coord's life: create clients, workers and membership threads, run the coord
 * loop, and stop in the order that loses nothing and duplicates least: stop pulling (pulls in
 * flight are abandoned) → deliver what is in memory while heartbeats go on → commit → stop
 * the heartbeats → release the shards with an empty heartbeat (python-sdk PR #264). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "coord/coord_int.h"
#include "coord/credentials.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/proxy.h"

#include "util/banned.h"

#define SF_LOG_MODULE "coord"

#define TICK_MS 100

extern char **environ;

sf_err sf_coord_source_proxy(const struct sf_config_source *cfg,
                             char *const *env,
                             struct sf_proxy *out,
                             char *errbuf,
                             size_t errbuf_size)
{
    char target[512], why[512];
    if (!sf_sls_client_target(cfg->endpoint, cfg->project, target, sizeof(target))) {
        snprintf(target, sizeof(target), "https://%s", cfg->endpoint); /* refused later */
    }
    sf_err err = sf_proxy_resolve(target, cfg->proxy, "sls.proxy", env, out, why, sizeof(why));
    if (err) {
        snprintf(errbuf, errbuf_size, "source %.100s: %.400s", cfg->name, why);
    }
    return err;
}

static sf_err client_new(const struct sf_config_source *cfg,
                         const struct sf_cred_value *creds,
                         long timeout_ms,
                         const char *user_agent,
                         const atomic_bool *cancel,
                         struct sf_sls_client **out,
                         char *errbuf,
                         size_t errbuf_size)
{
    struct sf_proxy proxy;
    sf_err err = sf_coord_source_proxy(cfg, environ, &proxy, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    struct sf_sls_client_config config = {
        .endpoint = cfg->endpoint,
        .project = cfg->project,
        .creds = {creds->access_key_id, creds->access_key_secret, creds->security_token},
        .sign_version = cfg->sign_version,
        .region = cfg->region,
        .ca_file = cfg->ca_file,
        .proxy = proxy.url,
        .proxy_credentials = cfg->proxy_credentials,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .timeout_ms = timeout_ms,
        .user_agent = user_agent,
        .cancel = cancel,
    };
    char why[256];
    err = sf_sls_client_new(&config, out, why, sizeof(why));
    explicit_bzero(proxy.url, sizeof(proxy.url)); /* may hold a password from the environment */
    if (err) {
        snprintf(errbuf, errbuf_size, "source %s: %s", cfg->name, why);
    }
    return err;
}

sf_err sf_coord_client_new(const struct sf_config_source *cfg,
                           long timeout_ms,
                           const char *user_agent,
                           struct sf_sls_client **out,
                           struct sf_cred_status *cred_status,
                           char *errbuf,
                           size_t errbuf_size)
{
    *out = NULL;
    struct sf_cred *cred = NULL;
    sf_err err = sf_coord_credentials_resolve(cfg, &cred, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    struct sf_cred_value *creds = sf_xcalloc(1, sizeof(*creds));
    sf_cred_current(cred, creds);
    sf_cred_status(cred, cred_status);
    err = client_new(cfg, creds, timeout_ms, user_agent, NULL, out, errbuf, errbuf_size);
    sf_cred_free(cred);
    sf_free_secret(creds, sizeof(*creds));
    return err;
}

/* |timeout_ms| differs: PullLogs may take the full sls.timeout, control calls only the
 * control timeout (sf_coord_control_timeout_ms). |cancel| abandons calls in flight. */
static sf_err new_client(struct sf_coord_source *source,
                         long timeout_ms,
                         const atomic_bool *cancel,
                         struct sf_sls_client **out,
                         char *errbuf,
                         size_t errbuf_size)
{
    const struct sf_config_source *cfg = source->config;
    char user_agent[256];
    snprintf(user_agent, sizeof(user_agent), "slsfwd/0.1 consumergroup-%s-%s", cfg->consumer_group,
             cfg->consumer_name);
    struct sf_cred_value *creds = sf_xcalloc(1, sizeof(*creds));
    sf_cred_current(source->cred, creds);
    sf_err err = client_new(cfg, creds, timeout_ms, user_agent, cancel, out, errbuf, errbuf_size);
    sf_free_secret(creds, sizeof(*creds));
    return err;
}

/* Says at start which proxy a source's requests take and why, when any is configured or
 * in the environment; the password of one from the environment is redacted. */
static void log_proxy(const struct sf_config_source *cfg)
{
    struct sf_proxy proxy;
    char why[512], shown[SF_PROXY_URL_MAX + 64];
    if (sf_coord_source_proxy(cfg, environ, &proxy, why, sizeof(why)) != SF_OK) {
        return; /* reported by client creation */
    }
    if (cfg->proxy_credentials && !proxy.url[0]) {
        SF_LOG_WARN("msg=\"sls.proxy_credentials is set but no proxy is used: they are not "
                    "sent\" source=%s",
                    cfg->name);
    }
    if (!proxy.origin[0]) {
        return; /* no key, no variable: nothing to say */
    }
    sf_proxy_describe(&proxy, shown, sizeof(shown));
    explicit_bzero(proxy.url, sizeof(proxy.url));
    SF_LOG_INFO("msg=\"SLS proxy\" source=%s proxy=\"%s\"", cfg->name, shown);
}

static sf_err init_workers(struct sf_coord *coord, char *errbuf, size_t errbuf_size)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    coord->n_workers =
        coord->config->workers > 0 ? (size_t)coord->config->workers : (size_t)(cpus > 0 ? cpus : 1);
    coord->workers = sf_xcalloc(coord->n_workers, sizeof(*coord->workers));
    for (size_t w = 0; w < coord->n_workers; w++) {
        struct sf_coord_worker *worker = &coord->workers[w];
        worker->coord = coord;
        worker->sls = sf_xcalloc(coord->n_sources, sizeof(*worker->sls));
        /* Limits 0: nothing is received before sf_coord_memory_reserve_pull charged room for it. */
        sf_sls_pull_result_init(&worker->result, 0, 0);
        for (size_t i = 0; i < coord->n_sources; i++) {
            struct sf_coord_source *source = &coord->sources[i];
            /* A stop abandons pulls in flight: their data is read again by the next owner. */
            sf_err err = new_client(source, source->config->timeout_ms, &coord->workers_stop,
                                    &worker->sls[i], errbuf, errbuf_size);
            if (err) {
                return err;
            }
        }
    }
    return SF_OK;
}

sf_err sf_coord_new(const struct sf_config *config,
                    const struct sf_coord_hooks *hooks,
                    struct sf_coord **out,
                    char *errbuf,
                    size_t errbuf_size)
{
    *out = NULL;
    struct sf_coord *coord = sf_xcalloc(1, sizeof(*coord));
    coord->config = config;
    coord->hooks = *hooks;
    pthread_mutex_init(&coord->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&coord->wake, &attr);
    atomic_init(&coord->stop_requested, false);
    atomic_init(&coord->workers_stop, false);
    coord->budget = hooks->budget;
    if (!coord->budget) {
        coord->budget = sf_budget_new(config->max_buffered_bytes);
        coord->owns_budget = true;
    }
    sf_coord_memory_init(coord);
    coord->n_sources = config->n_sources;
    coord->sources = sf_xcalloc(config->n_sources, sizeof(*coord->sources));
    sf_err err = SF_OK;
    for (size_t i = 0; i < config->n_sources && !err; i++) {
        struct sf_coord_source *source = &coord->sources[i];
        source->config = &config->sources[i];
        source->coord = coord;
        source->member_state = SF_COORD_MEMBER_BOOTSTRAPPING;
        source->member_state_since_ms = sf_now_ms();
        atomic_init(&source->membership_stop, false);
        pthread_cond_init(&source->membership_wake, &attr);
        sf_backoff_init(&source->bootstrap_backoff, 1000, 60000);
        sf_backoff_init(&source->shard_list_backoff, 5000, 300000);
        log_proxy(source->config);
        long control_ms = sf_coord_control_timeout_ms(source->config);
        err = sf_coord_credentials_resolve(source->config, &source->cred, errbuf, errbuf_size);
        /* Commits are not cancelled: the stop's final commits are what spares duplicates. */
        if (!err) {
            err = new_client(source, control_ms, NULL, &source->sls, errbuf, errbuf_size);
        }
        if (!err) {
            err = new_client(source, control_ms, &source->membership_stop, &source->hb_sls, errbuf,
                             errbuf_size);
        }
    }
    pthread_condattr_destroy(&attr);
    if (!err) {
        err = init_workers(coord, errbuf, errbuf_size);
    }
    for (size_t i = 0; i < coord->n_sources && !err; i++) {
        err = sf_coord_credentials_start(&coord->sources[i], errbuf, errbuf_size);
    }
    if (err) {
        sf_coord_free(coord);
        return err;
    }
    *out = coord;
    return SF_OK;
}

void sf_coord_free(struct sf_coord *coord)
{
    if (!coord) {
        return;
    }
    for (size_t i = 0; i < coord->n_sources; i++) {
        sf_cred_free(coord->sources[i].cred); /* its thread writes into the clients below */
        coord->sources[i].cred = NULL;
    }
    for (size_t w = 0; w < coord->n_workers; w++) {
        struct sf_coord_worker *worker = &coord->workers[w];
        for (size_t i = 0; worker->sls && i < coord->n_sources; i++) {
            sf_sls_client_free(worker->sls[i]);
        }
        free(worker->sls);
        sf_coord_memory_release_worker(worker);
        sf_sls_pull_result_cleanup(&worker->result);
    }
    free(coord->workers);
    for (size_t i = 0; i < coord->n_sources; i++) {
        struct sf_coord_source *source = &coord->sources[i];
        sf_sls_client_free(source->sls);
        sf_sls_client_free(source->hb_sls);
        pthread_cond_destroy(&source->membership_wake);
        while (source->shards) {
            struct sf_coord_shard *next = source->shards->next;
            sf_coord_shard_free(source->shards);
            source->shards = next;
        }
    }
    free(coord->sources);
    while (coord->free_batches) {
        struct sf_batch *next = coord->free_batches->pool_next;
        sf_coord_memory_batch_freed(coord, coord->free_batches);
        sf_batch_free(coord->free_batches);
        coord->free_batches = next;
    }
    pthread_mutex_destroy(&coord->lock);
    pthread_cond_destroy(&coord->wake);
    if (coord->owns_budget) {
        sf_budget_free(coord->budget);
    }
    free(coord);
}

void sf_coord_request_stop(struct sf_coord *coord)
{
    atomic_store(&coord->stop_requested, true);
}

void sf_coord_take_back(void *ctx, struct sf_batch *batch, bool is_delivered)
{
    struct sf_coord *coord = ctx;
    pthread_mutex_lock(&coord->lock);
    struct sf_coord_shard *shard = batch->owner;
    if (is_delivered) {
        sf_coord_shard_confirm(shard, batch->seq);
        shard->source->stats.events_delivered += batch->n_events;
        shard->events_delivered += batch->n_events;
    } else {
        sf_coord_shard_forget(shard, batch->seq);
    }
    shard->n_outstanding--;
    sf_coord_batch_dequeue(coord, batch); /* a sink that never marks it taken: now */
    sf_coord_release_batch(coord, batch); /* pooled or freed (uncharged: the budget wakes) */
    pthread_cond_broadcast(&coord->wake); /* prefetch window opened */
    pthread_mutex_unlock(&coord->lock);
}

static void add_stats(struct sf_coord_stats *sum, const struct sf_coord_stats *one)
{
    sum->events_fetched += one->events_fetched;
    sum->events_delivered += one->events_delivered;
    sum->events_filtered += one->events_filtered;
    sum->raw_bytes_fetched += one->raw_bytes_fetched;
    sum->wire_bytes_fetched += one->wire_bytes_fetched;
    sum->pulls += one->pulls;
    sum->pull_errors += one->pull_errors;
    sum->checkpoints_committed += one->checkpoints_committed;
    sum->cursor_resets += one->cursor_resets;
    sum->rebalances += one->rebalances;
    sum->heartbeats += one->heartbeats;
    sum->heartbeat_failures += one->heartbeat_failures;
}

void sf_coord_get_stats(struct sf_coord *coord, struct sf_coord_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    pthread_mutex_lock(&coord->lock);
    for (size_t i = 0; i < coord->n_sources; i++) {
        add_stats(stats, &coord->sources[i].stats);
    }
    stats->buffered_bytes = sf_budget_total(coord->budget);
    stats->max_buffered_bytes = sf_budget_peak(coord->budget);
    pthread_mutex_unlock(&coord->lock);
}

static size_t count_outstanding(struct sf_coord *coord)
{
    size_t n = 0;
    pthread_mutex_lock(&coord->lock);
    for (size_t i = 0; i < coord->n_sources; i++) {
        for (struct sf_coord_shard *shard = coord->sources[i].shards; shard; shard = shard->next) {
            n += shard->n_outstanding;
        }
    }
    pthread_mutex_unlock(&coord->lock);
    return n;
}

/* The coord thread's round over the sources. Heartbeats are not here: each source's
 * membership thread keeps them going, during the drain too. */
static void tick_sources(struct sf_coord *coord, bool is_stopping)
{
    int64_t now = sf_now_ms();
    for (size_t i = 0; i < coord->n_sources; i++) {
        struct sf_coord_source *source = &coord->sources[i];
        if (!is_stopping) {
            sf_coord_membership_tick(source, now);
        }
        sf_coord_checkpoint_tick(source, now, is_stopping);
        pthread_mutex_lock(&coord->lock);
        source->is_joined =
            source->member_state == SF_COORD_MEMBER_JOINED &&
            now - source->last_heartbeat_ok_ms < (int64_t)source->config->group_timeout_s * 1000;
        pthread_mutex_unlock(&coord->lock);
        sf_coord_progress_tick(source, now);
    }
}

/* Stop pulling, give the sinks |drain_timeout| to confirm what is in memory, commit, leave. */
static void drain_and_leave(struct sf_coord *coord)
{
    sf_coord_workers_join(coord);
    int64_t deadline = sf_now_ms() + (int64_t)coord->config->drain_timeout_s * 1000;
    size_t outstanding = count_outstanding(coord);
    SF_LOG_INFO("msg=\"stopping: pulls stopped, delivering what is in memory\" batches=%zu "
                "drain_timeout_s=%d",
                outstanding, coord->config->drain_timeout_s);
    while (outstanding > 0 && sf_now_ms() < deadline) {
        tick_sources(coord, true);
        sf_sleep_ms(TICK_MS);
        outstanding = count_outstanding(coord);
    }
    if (outstanding > 0) {
        SF_LOG_WARN("msg=\"drain timeout: undelivered batches stay uncommitted and will be read "
                    "again by the next owner\" batches=%zu",
                    outstanding);
    }
    tick_sources(coord, true); /* final commits of everything confirmed */
    sf_coord_heartbeat_stop(coord);
    for (size_t i = 0; i < coord->n_sources; i++) {
        sf_coord_membership_leave(&coord->sources[i]);
    }
}

sf_err sf_coord_run(struct sf_coord *coord)
{
    if (sf_coord_workers_start(coord) != SF_OK || sf_coord_heartbeat_start(coord) != SF_OK) {
        sf_coord_heartbeat_stop(coord);
        sf_coord_workers_join(coord);
        return SF_ERR_IO;
    }
    SF_LOG_INFO("msg=\"coord started\" sources=%zu workers=%zu max_buffered_bytes=%zu",
                coord->n_sources, coord->n_workers, coord->config->max_buffered_bytes);
    bool was_ready = false;
    while (!atomic_load(&coord->stop_requested)) {
        tick_sources(coord, false);
        if (!was_ready && sf_coord_is_ready(coord)) {
            was_ready = true;
            if (coord->hooks.on_ready) {
                coord->hooks.on_ready(coord->hooks.ctx);
            }
        }
        pthread_mutex_lock(&coord->lock);
        sf_err fatal = coord->fatal;
        pthread_mutex_unlock(&coord->lock);
        if (fatal) {
            sf_coord_heartbeat_stop(coord);
            sf_coord_workers_join(coord);
            return fatal;
        }
        sf_sleep_ms(TICK_MS);
    }
    if (coord->hooks.on_stopping) {
        coord->hooks.on_stopping(coord->hooks.ctx);
    }
    drain_and_leave(coord);
    return SF_OK;
}

struct sf_budget *sf_coord_budget(struct sf_coord *coord)
{
    return coord->budget;
}
