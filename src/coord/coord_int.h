/* Coord internals shared by the files of src/coord. One mutex (coord->lock) guards every
 * shard record, each source's membership state and counters, and the memory budget: work per
 * locked section is a few field updates, while a pull or a delivery moves megabytes, so
 * contention is not a concern. No network call is ever made with the lock held.
 *
 * Threads (docs/internals/coord.md):
 * - one membership thread per source (heartbeat.c): bootstrap and heartbeats, on their own
 *   schedule and their own SLS connection, so no other call can make a heartbeat late;
 * - the coord thread (sf_coord_run's caller): shard starts, ListShards, checkpoint commits,
 *   retiring shards, credentials, progress lines, the stop;
 * - the fetch workers (fetch.c) pull; the sinks' threads confirm through sf_coord_delivered.
 * A field below is either guarded by coord->lock, atomic, or owned by one named thread. */
#ifndef SF_COORD_INT_H
#define SF_COORD_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "coord/coord.h"
#include "coord/memory.h"
#include "cred/cred.h"
#include "pipeline/budget.h"
#include "sls/sls_api.h"
#include "util/backoff.h"

#define SF_COORD_PREFETCH 4 /* batches of one shard in flight at once */

enum sf_coord_shard_state {
    SF_COORD_SHARD_STARTING,  /* granted: looking up the checkpoint or start cursor */
    SF_COORD_SHARD_RUNNING,   /* pulled by the fetch workers */
    SF_COORD_SHARD_FINISHED,  /* read-only shard at its end, or end time reached: nothing to pull */
    SF_COORD_SHARD_RELEASING, /* revoked or stopping: deliver, commit, then leave the heartbeat */
    SF_COORD_SHARD_DROPPED,   /* ownership lost: no more commits; freed when nothing is in flight */
};

/* A source's place in its consumer group; every change goes through
 * sf_coord_membership_set_state, which logs it. */
enum sf_coord_member_state {
    SF_COORD_MEMBER_BOOTSTRAPPING, /* finding or creating the group; no heartbeat yet */
    SF_COORD_MEMBER_REJOINING,     /* the next heartbeat reports [] (expired or never joined) */
    SF_COORD_MEMBER_JOINED,        /* the last heartbeat succeeded: its answer holds */
};

/* A batch of this shard that has been created but not yet confirmed, in pull order. */
struct sf_coord_inflight {
    uint64_t seq;
    bool is_delivered;
    int64_t newest_time_s;
    char next_cursor[SF_BATCH_CURSOR_MAX];
};

struct sf_coord_source;

struct sf_coord_shard {
    struct sf_coord_shard *next; /* in source->shards */
    struct sf_coord_source *source;
    int shard_id;
    enum sf_coord_shard_state state;
    int64_t state_since_ms;
    bool is_fetching;     /* a worker holds it */
    size_t n_outstanding; /* batches handed to the sinks and not yet back: the record lives on */
    bool is_readonly;     /* ListShards says readonly: its end is final */
    bool has_end_cursor;
    char end_cursor[SF_SLS_CURSOR_MAX];
    char cursor[SF_SLS_CURSOR_MAX]; /* next pull starts here */
    int64_t next_pull_ms;
    int pull_count;        /* LogGroups asked per pull: adapts so one pull fits the memory budget */
    size_t pull_window;    /* 0: sf_coord_memory_window; more after one LogGroup did not fit it */
    int64_t idle_delay_ms; /* the last wait between pulls: grows while empty (fetch.c) */
    struct sf_backoff backoff;
    /* Checkpoint tracking: |deliverable| is the cursor everything before which is confirmed. */
    struct sf_coord_inflight inflight[SF_COORD_PREFETCH];
    size_t n_inflight;
    bool has_gap;             /* a batch was never confirmed (stop): |deliverable| is frozen */
    bool is_commit_abandoned; /* releasing, and its commit was refused: release without it */
    uint64_t next_seq;
    char deliverable[SF_SLS_CURSOR_MAX];
    char committed[SF_SLS_CURSOR_MAX];
    int64_t last_commit_ms;
    int64_t next_commit_try_ms;
    int64_t next_start_try_ms;
    /* For metrics: reset when the shard is granted again. */
    uint64_t events_delivered;
    uint64_t raw_bytes;
    int64_t newest_delivered_s; /* newest Log.Time among confirmed logs */
    bool is_caught_up;          /* the last pull found no new data */
};

struct sf_coord_source {
    const struct sf_config_source *config;
    struct sf_coord *coord;
    struct sf_sls_client *sls;    /* the coord thread's: commits, shard starts, ListShards */
    struct sf_sls_client *hb_sls; /* the membership thread's: bootstrap, heartbeats */
    pthread_t membership_thread;
    bool has_membership_thread;     /* coord thread */
    pthread_cond_t membership_wake; /* with coord->lock: a heartbeat is due now, or stop */
    atomic_bool membership_stop;    /* also abandons the thread's call in flight */
    /* Membership thread only. */
    int64_t next_bootstrap_ms;
    struct sf_backoff bootstrap_backoff;
    /* Membership, guarded by coord->lock: written by the membership thread, except that the
     * coord thread brings |next_heartbeat_ms| forward (and sets |is_held_changed|) when a
     * released shard leaves the heart set. */
    enum sf_coord_member_state member_state;
    int64_t member_state_since_ms;
    int64_t last_heartbeat_ok_ms;
    int64_t next_heartbeat_ms;
    bool is_held_changed;  /* the heart set changed since the heartbeat in flight was sent */
    bool wants_shard_list; /* a shard was granted: learn whether it is read-only */
    /* Coord thread only. */
    int64_t next_shard_list_ms;
    struct sf_backoff shard_list_backoff;
    bool is_shard_list_refused; /* warned once; quiet until ListShards works again */
    bool is_commit_refused; /* the last commit was refused (not ownership); reset by a success */
    int64_t commit_refused_logged_ms;
    uint64_t commits_refused;       /* since the last error line */
    struct sf_cred *cred;           /* resolved in sf_coord_new; its thread refreshes */
    struct sf_coord_stats stats;    /* this source's counters; guarded by coord->lock */
    uint64_t errors[SF_ERR__COUNT]; /* failed pulls by error */
    bool is_joined;                 /* copy for other threads; guarded by coord->lock */
    /* Progress lines while catching up (coord thread only). */
    int64_t progress_last_ms;
    uint64_t progress_last_events;
    int64_t progress_last_lag_s;
    int64_t idle_wake_ms; /* the last time data woke its idle shards (fetch.c); guarded */
    struct sf_coord_shard *shards;
};

struct sf_coord_worker {
    struct sf_coord *coord;
    pthread_t thread;
    struct sf_sls_client **sls; /* one per source: keep-alive per worker */
    struct sf_sls_pull_result result;
    /* Charged to the budget for |result|'s buffers and the next batch (coord/memory.c);
     * this worker's own. */
    size_t charged_wire;
    size_t charged_raw;
    size_t charged_decode;
    size_t reserved_payload;
    int64_t last_data_ms; /* the last pull that brought data: idle buffers are freed */
};

struct sf_coord {
    const struct sf_config *config;
    struct sf_coord_hooks hooks;
    struct sf_coord_source *sources;
    size_t n_sources;
    struct sf_coord_worker *workers;
    size_t n_workers;

    pthread_mutex_t lock;
    pthread_cond_t wake;           /* workers wait here for a pullable shard */
    struct sf_budget *budget;      /* limits.max_buffered_bytes (coord/memory.c) */
    bool owns_budget;              /* made by sf_coord_new: freed with the coord */
    atomic_uint decode_ratio;      /* decode arena bytes per raw byte, in 1/16ths */
    atomic_uint payload_ratio;     /* batch payload bytes per raw byte, in 1/16ths */
    struct sf_batch *free_batches; /* reused: their payload buffers stay warm (and charged) */
    size_t n_free_batches;
    size_t n_batches;    /* in existence: pooled, being filled, or with the sinks (fetch.c) */
    size_t queued_bytes; /* payload of batches with the sinks that they have not all taken */

    atomic_bool stop_requested;
    atomic_bool workers_stop;
    sf_err fatal;
};

/* shard.c */
struct sf_coord_shard *sf_coord_shard_new(struct sf_coord_source *source, int shard_id);
void sf_coord_shard_free(struct sf_coord_shard *shard);
void sf_coord_shard_set_state(struct sf_coord_shard *shard, enum sf_coord_shard_state next);
const char *sf_coord_shard_state_name(enum sf_coord_shard_state state);
/* Registers a new batch (assigns its seq); false when the prefetch window is full. */
bool sf_coord_shard_track(struct sf_coord_shard *shard, struct sf_batch *batch);
/* Marks |seq| confirmed and advances |deliverable| over the confirmed prefix. */
void sf_coord_shard_confirm(struct sf_coord_shard *shard, uint64_t seq);
/* Forgets |seq| without confirming it (undelivered at stop); the checkpoint stays behind. */
void sf_coord_shard_forget(struct sf_coord_shard *shard, uint64_t seq);
/* The data up to |next_cursor| is gone (expired): the checkpoint moves there once every
 * batch pulled before is confirmed. False when the prefetch window is full. */
bool sf_coord_shard_skip(struct sf_coord_shard *shard, const char *next_cursor);

/* fetch.c */
sf_err sf_coord_workers_start(struct sf_coord *coord);
void sf_coord_workers_join(struct sf_coord *coord);
void sf_coord_release_batch(struct sf_coord *coord, struct sf_batch *batch);
/* One pull of |shard| by |worker| and its outcome applied to the shard (cursor, checkpoint
 * tracking, pacing, errors). Called with coord->lock held, which is released during the
 * network call and held again on return. Returns the batch for the sinks, or NULL (an error,
 * no new data, or a cursor move without logs, e.g. all filtered by sls.query, which is
 * confirmed at once so the checkpoint follows). */
struct sf_batch *sf_coord_fetch_pull(struct sf_coord_worker *worker, struct sf_coord_shard *shard);

/* coord.c */
/* The batches' sf_batch_back_fn (|ctx| is the coord): confirms or forgets the batch in its
 * shard, frees its budget and pools it. Called when the last reference goes, on any thread,
 * without the coord lock. */
void sf_coord_take_back(void *ctx, struct sf_batch *batch, bool is_delivered);
/* Opens |batch| for the sinks (sf_coord_take_back, sf_coord_batch_taken) and counts its
 * payload as queued ahead of them until they have all taken it (coord->lock held). */
void sf_coord_batch_enqueue(struct sf_coord *coord, struct sf_batch *batch);
/* True when a pull may start: fewer than MAX_BATCHES_OUT batches out, and less than
 * sf_coord_memory_queue_cap queued for the sinks to take (coord->lock held). */
bool sf_coord_fetch_has_room(const struct sf_coord *coord);
/* sf_batch_taken_fn: every sink has taken |batch| into its sends; it no longer counts as
 * queued ahead of them. */
void sf_coord_batch_taken(void *ctx, struct sf_batch *batch);
/* Stops counting |batch| as queued (a second call does nothing; coord->lock held). */
void sf_coord_batch_dequeue(struct sf_coord *coord, struct sf_batch *batch);

/* membership.c */
/* Membership thread: bootstrap or heartbeat, whichever is due. */
void sf_coord_membership_beat(struct sf_coord_source *source, int64_t now_ms);
/* Coord thread: start granted shards, refresh the read-only flags (ListShards). */
void sf_coord_membership_tick(struct sf_coord_source *source, int64_t now_ms);
void sf_coord_membership_leave(struct sf_coord_source *source);
/* Lock held. Logs the change with how long the source was in its previous state. */
void sf_coord_membership_set_state(struct sf_coord_source *source, enum sf_coord_member_state next);
const char *sf_coord_membership_state_name(enum sf_coord_member_state state);
/* Lock held. */
void sf_coord_membership_drop_all(struct sf_coord_source *source, const char *why);

/* heartbeat.c: one membership thread per source. */
sf_err sf_coord_heartbeat_start(struct sf_coord *coord);
void sf_coord_heartbeat_stop(struct sf_coord *coord);
/* Lock held: heartbeat now (a released shard left the heart set,
 * docs/protocol/sls-consumer-group.md §Heartbeat). */
void sf_coord_heartbeat_soon(struct sf_coord_source *source, int64_t now_ms);
/* The limit on one control call (heartbeat, commit, GetCheckPoint, ListShards, group calls). */
long sf_coord_control_timeout_ms(const struct sf_config_source *cfg);

/* progress.c */
void sf_coord_progress_tick(struct sf_coord_source *source, int64_t now_ms);
/* The largest shard lag of |source| in seconds; -1 when unknown. Lock held. */
int64_t sf_coord_source_lag_s(const struct sf_coord_source *source);

/* checkpoint.c */
void sf_coord_checkpoint_tick(struct sf_coord_source *source, int64_t now_ms, bool force);

#endif
