/* The consumer-group coord (docs/protocol/sls-consumer-group.md): joins each source's consumer
 * group, heartbeats, turns the server's assignment into shard consumers, pulls (fetch workers),
 * hands batches to the sinks through |submit|, and commits each shard's highest contiguous
 * delivered cursor.
 *
 * Threads: sf_coord_run runs the coord loop on the caller's thread (membership, checkpoint
 * commits, shard start/stop) and starts the fetch workers. A batch comes back from the sinks
 * when its last reference goes (pipeline/batch.h), on whichever sink thread settles last.
 * sf_coord_request_stop may be called from anywhere, including a signal handler. */
#ifndef SF_COORD_COORD_H
#define SF_COORD_COORD_H

#include <stdint.h>

#include "codec/loggroup.h"
#include "config/config.h"
#include "cred/cred.h"
#include "pipeline/batch.h"
#include "pipeline/budget.h"
#include "sls/sls_client.h"
#include "util/err.h"
#include "util/proxy.h"

struct sf_coord;

struct sf_coord_hooks {
    /* Turns decoded logs into |batch->payload| (the sink's wire form) and sets n_events.
     * Called on a fetch worker; must be thread-safe. */
    sf_err (*build)(void *ctx,
                    const struct sf_config_source *source,
                    const struct sf_loggroup_list *list,
                    struct sf_batch *batch);
    /* Hands a batch to the sinks: gives each its own hold (sf_batch_hold) on |batch|, which
     * the coord has opened; the coord drops its own reference after this returns, so the
     * batch comes back to it once every sink settled its entry. Called with the coord lock
     * held (a shard's batches reach the sinks in pull order): sinks only queue here. */
    void (*submit)(void *ctx, struct sf_batch *batch);
    /* Optional: once, on the coord thread, when every source has first joined its
     * group; and once when the stop begins. */
    void (*on_ready)(void *ctx);
    void (*on_stopping)(void *ctx);
    void *ctx;
    /* The memory budget the coord charges its pull buffers and batches to (pipeline/budget.h),
     * shared with the sinks; it must outlive the coord. NULL: the coord makes its own of
     * limits.max_buffered_bytes (sf_coord_budget returns it). */
    struct sf_budget *budget;
};

struct sf_coord_stats {
    uint64_t events_fetched;
    uint64_t events_delivered;
    uint64_t events_filtered; /* dropped by the source's client-side filters */
    uint64_t raw_bytes_fetched;
    uint64_t wire_bytes_fetched;
    uint64_t pulls;
    uint64_t pull_errors;
    uint64_t checkpoints_committed;
    uint64_t cursor_resets; /* InvalidCursor: data between checkpoint and begin expired */
    uint64_t rebalances;    /* shards granted or revoked */
    uint64_t heartbeats;
    uint64_t heartbeat_failures;
    uint64_t buffered_bytes;     /* now: everything charged to the memory budget */
    uint64_t max_buffered_bytes; /* peak of that */
};

/* A snapshot of one shard, for metrics and `status`. */
struct sf_coord_shard_view {
    int shard_id;
    const char *state; /* "starting", "running", "finished", "releasing", "dropped" */
    bool is_readonly;
    uint64_t events_delivered; /* since the shard was last granted */
    uint64_t raw_bytes;
    int64_t lag_s;            /* 0 when caught up; -1 before anything was delivered */
    int64_t checkpoint_age_s; /* since the last successful commit (or the start) */
    size_t n_inflight;
};

struct sf_coord_source_view {
    const char *name;
    bool is_joined; /* bootstrapped, and the last heartbeat succeeded within the group timeout */
    struct sf_coord_stats stats;
    const uint64_t *errors; /* failed pulls by sf_err, SF_ERR__COUNT entries */
    const struct sf_coord_shard_view *shards;
    size_t n_shards;
    struct sf_cred_status credentials;
};

typedef void (*sf_coord_visit_fn)(void *ctx, const struct sf_coord_source_view *source);

/* The HTTP proxy for |cfg|'s SLS requests (util/proxy.h): `sls.proxy` when set, else the
 * environment |env| (environ-style; the daemon passes environ). Also what the lead's
 * credential providers (STS, metadata) should be given for this source. SF_ERR_CONFIG with
 * |errbuf| naming the source and the key or variable at fault. */
sf_err sf_coord_source_proxy(const struct sf_config_source *cfg,
                             char *const *env,
                             struct sf_proxy *out,
                             char *errbuf,
                             size_t errbuf_size);

/* An SLS client for |cfg| (endpoint, project, credentials, signature, TLS, timeouts) for
 * one-shot commands such as `slsfwd check`: the credentials are resolved once (blocking) and
 * |cred_status| says which provider gave them and when they expire. On failure |errbuf|
 * names the source. */
sf_err sf_coord_client_new(const struct sf_config_source *cfg,
                           long timeout_ms,
                           const char *user_agent,
                           struct sf_sls_client **out,
                           struct sf_cred_status *cred_status,
                           char *errbuf,
                           size_t errbuf_size);

sf_err sf_coord_new(const struct sf_config *config,
                    const struct sf_coord_hooks *hooks,
                    struct sf_coord **out,
                    char *errbuf,
                    size_t errbuf_size);
/* Runs until a stop is requested and handled (drain, commit, release: SF_OK) or a fatal
 * configuration problem stops everything (its sf_err, logged). */
sf_err sf_coord_run(struct sf_coord *coord);
/* Async-signal-safe. */
void sf_coord_request_stop(struct sf_coord *coord);
void sf_coord_get_stats(struct sf_coord *coord, struct sf_coord_stats *stats);
/* Calls |fn| once per source with a consistent snapshot (taken under the coord lock, passed
 * without it). Any thread. */
void sf_coord_visit(struct sf_coord *coord, sf_coord_visit_fn fn, void *ctx);
/* The budget the coord charges (its own or the one in its hooks). Any thread. */
struct sf_budget *sf_coord_budget(struct sf_coord *coord);
/* True when every source has joined its group. Any thread. */
bool sf_coord_is_ready(struct sf_coord *coord);
void sf_coord_free(struct sf_coord *coord);

#endif
