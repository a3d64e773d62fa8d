/* Fetch workers: pick a due shard, PullLogs (decompress + decode happen in sf_sls_pull), build
 * the batch through the app's hook, hand it to the sinks, and pace the shard
 * (docs/protocol/sls-consumer-group.md §Fetch pacing). Several workers overlap pulling with
 * delivery; a shard is pulled by one worker at a time, and at most SF_COORD_PREFETCH of its batches
 * are in flight. */
#include <string.h>

#include "coord/coord_int.h"
#include "coord/credentials.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "fetch"

#define FULL_BATCH_BYTES ((size_t)4 << 20)
/* At most so many batches being filled or with the sinks: with hundreds of shards, small
 * pulls then reuse warm pooled batches instead of touching fresh memory (bench/RESULTS.md,
 * many shards). */
#define MAX_BATCHES_OUT 32

static struct sf_batch *batch_get(struct sf_coord *coord)
{
    pthread_mutex_lock(&coord->lock);
    struct sf_batch *batch = coord->free_batches;
    if (batch) {
        coord->free_batches = batch->pool_next;
        coord->n_free_batches--;
    } else {
        coord->n_batches++;
    }
    pthread_mutex_unlock(&coord->lock);
    if (!batch) {
        batch = sf_batch_new();
    }
    sf_batch_reset(batch);
    return batch;
}

/* Returns |batch| to the pool; called with coord->lock held. A sink that still held it would
 * read a payload the next pull overwrites: only a batch no sink holds comes back. */
void sf_coord_release_batch(struct sf_coord *coord, struct sf_batch *batch)
{
    SF_ASSERT(!sf_batch_is_held(batch));
    /* A pull needs one batch per worker at a time; more come back when the sinks release a
     * burst, and sit charged until sf_coord_memory_trim_pool frees them. */
    if (!sf_coord_memory_should_pool(coord, batch)) {
        sf_coord_memory_batch_freed(coord, batch);
        sf_batch_free(batch);
        coord->n_batches--;
        return;
    }
    batch->pooled_ms = sf_now_ms();
    batch->pool_next = coord->free_batches;
    coord->free_batches = batch;
    coord->n_free_batches++;
}

void sf_coord_batch_dequeue(struct sf_coord *coord, struct sf_batch *batch)
{
    if (batch->queued_bytes) {
        coord->queued_bytes -= batch->queued_bytes;
        batch->queued_bytes = 0;
        pthread_cond_broadcast(&coord->wake);
    }
}

void sf_coord_batch_taken(void *ctx, struct sf_batch *batch)
{
    struct sf_coord *coord = ctx;
    pthread_mutex_lock(&coord->lock);
    sf_coord_batch_dequeue(coord, batch);
    pthread_mutex_unlock(&coord->lock);
}

bool sf_coord_fetch_has_room(const struct sf_coord *coord)
{
    if (coord->n_batches - coord->n_free_batches >= MAX_BATCHES_OUT) {
        return false; /* so many batches out already: a delivery signals |wake| */
    }
    /* The sinks have enough to take from: more would only be memory they touch later, colder
     * (bench/RESULTS.md, fourth pass). Their taking signals |wake|. */
    return coord->queued_bytes < sf_coord_memory_queue_cap(coord);
}

void sf_coord_batch_enqueue(struct sf_coord *coord, struct sf_batch *batch)
{
    sf_batch_open(batch, sf_coord_take_back, sf_coord_batch_taken, coord);
    batch->queued_bytes = batch->payload.len + batch->syslog_payload.len;
    coord->queued_bytes += batch->queued_bytes;
}

/* The due shard that has waited longest, or NULL; |*wait_ms| says when to look again. */
static struct sf_coord_shard *pick_shard(struct sf_coord *coord, int64_t now, int64_t *wait_ms)
{
    *wait_ms = 500; /* back-pressure is the budget's: sf_coord_memory_reserve_pull waits for room */
    if (!sf_coord_fetch_has_room(coord)) {
        return NULL;
    }
    struct sf_coord_shard *best = NULL;
    for (size_t i = 0; i < coord->n_sources; i++) {
        for (struct sf_coord_shard *shard = coord->sources[i].shards; shard; shard = shard->next) {
            if (shard->state != SF_COORD_SHARD_RUNNING || shard->is_fetching ||
                shard->n_inflight == SF_COORD_PREFETCH) {
                continue;
            }
            if (shard->next_pull_ms > now) {
                if (shard->next_pull_ms - now < *wait_ms) {
                    *wait_ms = shard->next_pull_ms - now;
                }
                continue;
            }
            if (!best || shard->next_pull_ms < best->next_pull_ms) {
                best = shard;
            }
        }
    }
    return best;
}

/* How much a pull read from the shard: with an SPL query, what SLS scanned before the
 * statement filtered it (x-log-rawdatacount, x-log-rawdatasize), as the Go and Python
 * consumers pace, so a statement that keeps 1 % of the logs does not slow the reading of the
 * other 99 %. A server that does not say (never seen) falls back to what arrived. */
static void pulled_amount(const struct sf_coord_shard *shard,
                          const struct sf_sls_pull_result *res,
                          size_t *groups,
                          size_t *bytes)
{
    bool has_query = shard->source->config->query != NULL;
    *groups = has_query && res->scanned_groups >= 0 ? (size_t)res->scanned_groups : res->n_groups;
    *bytes = has_query && res->scanned_bytes >= 0 ? (size_t)res->scanned_bytes : res->raw_size;
}

/* LogGroups to ask for next: as many as config allows, but few enough that one response
 * fills about half the pull window (sf_coord_memory_window; LogGroups range from a few logs to
 * thousands; one that does not fit fails the pull, which is retried smaller),
 * growing at most 2x per pull so the first large response cannot blow the budget. With a
 * query, |count| LogGroups are read and what the statement keeps of them arrives: the bytes
 * that arrived per LogGroup read is what the budget is about. */
static int next_pull_count(const struct sf_coord *coord,
                           const struct sf_coord_shard *shard,
                           const struct sf_sls_pull_result *res)
{
    int max = shard->source->config->pull_count;
    size_t groups, bytes;
    pulled_amount(shard, res, &groups, &bytes);
    if (groups == 0) {
        return shard->pull_count;
    }
    size_t share = sf_coord_memory_window(coord) / 2; /* at most 4 MiB: bigger pulls buy no
                                                       * throughput, only colder memory */
    size_t per_group = res->raw_size / groups + 1;
    size_t fit = share / per_group;
    size_t grown = (size_t)shard->pull_count * 2;
    size_t count = fit < grown ? fit : grown;
    if (count < 1) {
        count = 1;
    }
    return count < (size_t)max ? (int)count : max;
}

/* Delay before the next pull after a successful one
 * (docs/protocol/sls-consumer-group.md §Fetch pacing, capped by fetch_interval). */
static int64_t pull_delay_ms(const struct sf_coord_shard *shard,
                             const struct sf_sls_pull_result *res)
{
    const struct sf_config_source *config = shard->source->config;
    int64_t cap = config->fetch_interval_ms;
    size_t groups, bytes;
    pulled_amount(shard, res, &groups, &bytes);
    int64_t delay;
    if (groups >= (size_t)shard->pull_count || bytes >= FULL_BATCH_BYTES) {
        delay = 0;
    } else if (groups < 100 && bytes < ((size_t)1 << 20)) {
        delay = 500;
    } else if (groups < 500 && bytes < ((size_t)2 << 20)) {
        delay = 200;
    } else {
        delay = 50;
    }
    return delay < cap ? delay : cap;
}

/* Wait before pulling a caught-up shard again: double the last wait (100 ms after a full
 * read, so data that keeps coming is not held up; after a short read its 500 ms pacing) up to
 * fetch_interval, so a pause in traffic costs little latency; while the shard stays empty the
 * wait doubles on up to idle_fetch_interval, so a shard that sees nothing costs a pull every
 * few seconds (256 of them: ~64 pulls/s). The SDKs pull an empty shard every 500 ms. */
static int64_t idle_delay_ms(const struct sf_coord_shard *shard)
{
    const struct sf_config_source *config = shard->source->config;
    int64_t active_cap = config->fetch_interval_ms;
    int64_t idle_cap =
        config->idle_fetch_interval_ms > active_cap ? config->idle_fetch_interval_ms : active_cap;
    int64_t last = shard->idle_delay_ms;
    int64_t next = last ? last * 2 : 100;
    if (last < active_cap && next > active_cap) {
        next = active_cap; /* rest at fetch_interval once before going further */
    }
    return next < idle_cap ? next : idle_cap;
}

/* Data reached |shard| after it had been idle past fetch_interval: writes usually spread over
 * every shard (Logtail and the SDKs' producers pick shards in turn), so the source's other
 * idle shards likely have data too. Pull them now rather than at the end of their long wait;
 * one that is still empty goes straight back to its wait (its backoff is kept). At most once
 * per idle_fetch_interval per source, so a trickle on one shard cannot keep the others busy.
 * Lock held. */
static void wake_idle_siblings(struct sf_coord *coord, struct sf_coord_shard *shard, int64_t now)
{
    struct sf_coord_source *source = shard->source;
    const struct sf_config_source *config = source->config;
    if (shard->idle_delay_ms <= config->fetch_interval_ms ||
        (source->idle_wake_ms && now - source->idle_wake_ms < config->idle_fetch_interval_ms)) {
        return;
    }
    source->idle_wake_ms = now;
    size_t woken = 0;
    for (struct sf_coord_shard *other = source->shards; other; other = other->next) {
        if (other != shard && other->state == SF_COORD_SHARD_RUNNING &&
            other->idle_delay_ms > config->fetch_interval_ms && other->next_pull_ms > now) {
            other->next_pull_ms = now;
            woken++;
        }
    }
    if (woken) {
        pthread_cond_broadcast(&coord->wake);
        SF_LOG_DEBUG("msg=\"data after a quiet spell: pulling the idle shards now\" source=%s "
                     "shard=%d woken=%zu",
                     config->name, shard->shard_id, woken);
    }
}

struct pull_outcome {
    sf_err err;
    struct sf_sls_error detail;
    struct sf_batch *batch;               /* data, or a cursor advance without data */
    bool is_caught_up;                    /* no data and the cursor did not move */
    bool is_build_error;                  /* the logs arrived but did not fit a batch */
    char reset_cursor[SF_SLS_CURSOR_MAX]; /* after InvalidCursor: where to start again */
};

static size_t source_index(struct sf_coord *coord, const struct sf_coord_source *source)
{
    return (size_t)(source - coord->sources);
}

static int64_t newest_time(const struct sf_loggroup_list *list)
{
    uint32_t newest = 0;
    for (size_t g = 0; g < list->n_groups; g++) {
        for (size_t i = 0; i < list->groups[g].n_logs; i++) {
            uint32_t t = list->groups[g].logs[i].time;
            newest = t > newest ? t : newest;
        }
    }
    return newest;
}

/* The network part, without the lock. */
static void pull_once(struct sf_coord_worker *worker,
                      struct sf_coord_shard *shard,
                      const char *cursor,
                      const char *end_cursor,
                      int count,
                      struct pull_outcome *out)
{
    struct sf_coord *coord = worker->coord;
    const struct sf_config_source *config = shard->source->config;
    struct sf_sls_client *sls = worker->sls[source_index(coord, shard->source)];
    struct sf_sls_pull_result *res = &worker->result;
    enum sf_compress compress = SF_COMPRESS_NONE;
    if (strcmp(config->compress, "none") != 0) {
        sf_compress_from_name(config->compress, strlen(config->compress), &compress);
    }

    out->err = sf_sls_pull(sls, config->logstore, shard->shard_id, cursor, count, end_cursor,
                           config->query, compress, res, &out->detail);
    /* Whatever the outcome, the arena may have grown while decoding: charged, or freed. */
    if (!sf_coord_memory_settle_decode(worker) && !out->err) {
        out->err = SF_ERR_TOO_BIG;
        snprintf(out->detail.message, sizeof(out->detail.message),
                 "%zu LogGroups decode to more than the memory budget has room for", res->n_groups);
        return;
    }
    if (out->err == SF_ERR_SLS_CURSOR) {
        /* The checkpoint points into data the logstore no longer keeps
         * (docs/protocol/sls-consumer-group.md §Checkpoints). */
        struct sf_sls_error detail;
        if (sf_sls_get_cursor(sls, config->logstore, shard->shard_id, "begin", out->reset_cursor,
                              &detail) != SF_OK) {
            out->reset_cursor[0] = '\0';
        }
        return;
    }
    if (out->err) {
        return;
    }
    out->is_caught_up = res->n_groups == 0 && strcmp(res->next_cursor, cursor) == 0;
    if (out->is_caught_up) {
        return;
    }
    worker->last_data_ms = sf_now_ms();
    struct sf_batch *batch = batch_get(coord);
    sf_coord_memory_prepare_batch(worker, batch);
    batch->source = config->name;
    batch->shard_id = shard->shard_id;
    batch->owner = shard;
    snprintf(batch->cursor, sizeof(batch->cursor), "%s", cursor);
    snprintf(batch->next_cursor, sizeof(batch->next_cursor), "%s", res->next_cursor);
    batch->raw_bytes = res->raw_size;
    batch->newest_time_s = newest_time(&res->list);
    if (res->list.n_logs_total > 0) {
        out->err = coord->hooks.build(coord->hooks.ctx, config, &res->list, batch);
        if (out->err) {
            out->is_build_error = true;
            snprintf(out->detail.message, sizeof(out->detail.message),
                     "cannot turn %zu logs into events", res->list.n_logs_total);
        }
    }
    if (!out->err && !sf_coord_memory_settle_batch(worker, batch, res->raw_size)) {
        out->err = SF_ERR_TOO_BIG;
        snprintf(out->detail.message, sizeof(out->detail.message),
                 "the events of %zu logs do not fit the memory budget", res->list.n_logs_total);
    }
    if (out->err) {
        pthread_mutex_lock(&coord->lock);
        sf_coord_release_batch(coord, batch);
        pthread_mutex_unlock(&coord->lock);
        return;
    }
    out->batch = batch;
}

/* docs/protocol/sls-api.md §Error reactions for PullLogs: what happens to the shard after a failed
 * pull. Lock held. */
static void handle_failure(struct sf_coord_shard *shard, struct pull_outcome *out, int64_t now)
{
    const char *name = shard->source->config->name;
    if (out->err == SF_ERR_CANCELLED) {
        return; /* abandoned at stop: not a failure; its data is read again */
    }
    char text[768];
    sf_sls_error_format(&out->detail, out->err, text, sizeof(text));
    shard->source->stats.pull_errors++;
    shard->source->errors[out->err < SF_ERR__COUNT ? out->err : SF_ERR_INVALID]++;
    /* The window has room: pick_shard checked it, and only this worker adds to it. */
    if (out->err == SF_ERR_SLS_CURSOR && out->reset_cursor[0] &&
        sf_coord_shard_skip(shard, out->reset_cursor)) {
        /* The checkpoint follows the cursor (sf_coord_shard_skip): a read-only shard whose data
         * all expired commits its end and is over, so its children can start. */
        SF_LOG_WARN("msg=\"checkpoint points into expired data: restarting the shard at the oldest "
                    "retained data; logs between the two have expired and cannot be delivered\" "
                    "source=%s shard=%d expired_cursor=%s new_cursor=%s",
                    name, shard->shard_id, shard->cursor, out->reset_cursor);
        snprintf(shard->cursor, sizeof(shard->cursor), "%s", out->reset_cursor);
        shard->source->stats.cursor_resets++;
        shard->next_pull_ms = now;
        return;
    }
    if (out->err == SF_ERR_SLS_SHARD_GONE || out->err == SF_ERR_SLS_NOT_OWNER ||
        out->err == SF_ERR_SLS_CONSUMER_GONE) {
        SF_LOG_WARN("msg=\"shard no longer ours: stopping it\" source=%s %s", name, text);
        sf_coord_shard_set_state(shard, SF_COORD_SHARD_DROPPED);
        return;
    }
    if (out->err == SF_ERR_TOO_BIG && shard->pull_count > 1) {
        /* The response did not fit the pull window or the budget: ask for fewer, at once. */
        shard->pull_count /= 2;
        shard->next_pull_ms = now;
        SF_LOG_DEBUG("msg=\"pull too large for its memory, reading fewer LogGroups per pull\" "
                     "source=%s %s pull_count=%d",
                     name, text, shard->pull_count);
        return;
    }
    size_t window =
        shard->pull_window ? shard->pull_window : sf_coord_memory_window(shard->source->coord);
    size_t window_max = sf_coord_memory_window_max(shard->source->coord);
    if (out->err == SF_ERR_TOO_BIG && 2 * window <= window_max) {
        /* One LogGroup is bigger than the window: this shard gets a larger one. */
        shard->pull_window = 2 * window;
        shard->next_pull_ms = now;
        SF_LOG_INFO("msg=\"one LogGroup is larger than the pull window: widening it for this "
                    "shard\" source=%s %s window_bytes=%zu",
                    name, text, shard->pull_window);
        return;
    }
    if (out->is_build_error && shard->pull_count > 1) {
        /* The events of this many LogGroups outgrow a batch: ask for fewer, at once. */
        shard->pull_count /= 2;
        shard->next_pull_ms = now;
        SF_LOG_WARN("msg=\"batch too large, reading fewer LogGroups per pull\" source=%s %s "
                    "pull_count=%d",
                    name, text, shard->pull_count);
        return;
    }
    sf_coord_credentials_check_refusal(shard->source, out->err, &out->detail);
    int64_t delay = sf_backoff_next_ms(&shard->backoff);
    const char *query = shard->source->config->query;
    if (query && sf_sls_error_is_query(&out->detail, out->err)) {
        /* Nothing is read until the statement is fixed; the service's own words say why. */
        delay = delay < 30000 ? 30000 : delay;
        shard->next_pull_ms = now + delay;
        sf_sls_query_error_format(name, query, &out->detail, out->err, text, sizeof(text));
        SF_LOG_ERROR("msg=\"SLS refused the SPL statement of sls.query: nothing is read from "
                     "this source until it is fixed (slsfwd check shows the service's answer)\" "
                     "%s will_retry_in_ms=%lld",
                     text, (long long)delay);
        return;
    }
    if (out->err == SF_ERR_THROTTLED && delay < 1000) {
        delay = 1000; /* read quota (sls-api.md §Error reactions): from 1 s, growing */
    }
    if (sf_err_class(out->err) == SF_ERRCLASS_FATAL && delay < 30000) {
        delay = 30000; /* a human must act; policies can be fixed live, so keep trying slowly */
    }
    shard->next_pull_ms = now + delay;
    if (sf_err_class(out->err) == SF_ERRCLASS_FATAL) {
        SF_LOG_ERROR("msg=\"pull failed\" source=%s %s will_retry_in_ms=%lld", name, text,
                     (long long)delay);
    } else {
        SF_LOG_WARN("msg=\"pull failed\" source=%s %s will_retry_in_ms=%lld", name, text,
                    (long long)delay);
    }
}

/* Applies a pull's outcome to the shard; returns the batch to submit, if any. Lock held. */
static struct sf_batch *apply_outcome(struct sf_coord *coord,
                                      struct sf_coord_worker *worker,
                                      struct sf_coord_shard *shard,
                                      struct pull_outcome *out,
                                      int64_t now)
{
    shard->is_fetching = false;
    shard->source->stats.pulls++;
    if (out->err) {
        handle_failure(shard, out, now);
        return NULL;
    }
    sf_backoff_reset(&shard->backoff);
    const struct sf_sls_pull_result *res = &worker->result;
    shard->source->stats.raw_bytes_fetched += res->raw_size;
    shard->source->stats.wire_bytes_fetched += res->wire_size;
    shard->raw_bytes += res->raw_size;
    shard->is_caught_up = out->is_caught_up;
    bool at_end_cursor = shard->has_end_cursor && strcmp(res->next_cursor, shard->end_cursor) == 0;
    if (out->is_caught_up) {
        if (shard->state != SF_COORD_SHARD_RUNNING) {
            return NULL; /* dropped or revoked during the pull: it stays so, never FINISHED */
        }
        if (at_end_cursor || shard->is_readonly) {
            /* docs/protocol/sls-consumer-group.md §End of shard: the end of a read-only shard (or
             * of the configured time range) is final; its checkpoint is committed promptly, then
             * the shard is released. */
            sf_coord_shard_set_state(shard, SF_COORD_SHARD_FINISHED);
            return NULL;
        }
        shard->idle_delay_ms = idle_delay_ms(shard);
        shard->next_pull_ms = now + shard->idle_delay_ms;
        return NULL;
    }
    wake_idle_siblings(coord, shard, now);
    /* A short read ended at the shard's end: its wait is where the idle backoff goes on
     * from if the next pull finds nothing (500 ms, then 1 s, 2 s...), not back at 100 ms. */
    shard->idle_delay_ms = pull_delay_ms(shard, res);
    shard->next_pull_ms = now + shard->idle_delay_ms;
    shard->pull_count = next_pull_count(coord, shard, res);
    struct sf_batch *batch = out->batch;
    if (shard->state == SF_COORD_SHARD_DROPPED) {
        sf_coord_release_batch(coord, batch); /* not ours any more: another consumer reads it */
        return NULL;
    }
    if (!sf_coord_shard_track(shard, batch)) {
        sf_coord_release_batch(coord, batch); /* cannot happen: pick_shard checked the window */
        return NULL;
    }
    snprintf(shard->cursor, sizeof(shard->cursor), "%s", batch->next_cursor);
    /* Logs the filters dropped count as pulled, and are delivered with the batch's cursor:
     * committing it (below when the batch is empty, else when the sinks confirm the rest)
     * covers them, so a filter never holds a shard back. */
    shard->source->stats.events_fetched += batch->n_events + batch->n_filtered;
    shard->source->stats.events_filtered += batch->n_filtered;
    if (at_end_cursor && shard->state == SF_COORD_SHARD_RUNNING) {
        sf_coord_shard_set_state(shard, SF_COORD_SHARD_FINISHED);
    }
    if (batch->n_events == 0) {
        /* The cursor moved without data (e.g. filtered): nothing to deliver, but the move
         * still has to be committed in order. */
        sf_coord_shard_confirm(shard, batch->seq);
        sf_coord_release_batch(coord, batch);
        return NULL;
    }
    shard->n_outstanding++;
    return batch;
}

struct sf_batch *sf_coord_fetch_pull(struct sf_coord_worker *worker, struct sf_coord_shard *shard)
{
    struct sf_coord *coord = worker->coord;
    shard->is_fetching = true;
    char cursor[SF_SLS_CURSOR_MAX], end_cursor[SF_SLS_CURSOR_MAX];
    memcpy(cursor, shard->cursor, sizeof(cursor));
    memcpy(end_cursor, shard->end_cursor, sizeof(end_cursor));
    bool has_end = shard->has_end_cursor;
    int count = shard->pull_count;
    size_t window = shard->pull_window ? shard->pull_window : sf_coord_memory_window(coord);
    pthread_mutex_unlock(&coord->lock);

    struct pull_outcome out;
    memset(&out, 0, sizeof(out));
    if (sf_coord_memory_reserve_pull(worker, window)) {
        pull_once(worker, shard, cursor, has_end ? end_cursor : NULL, count, &out);
    } else if (atomic_load(&coord->workers_stop)) {
        out.err = SF_ERR_CANCELLED; /* stopped while waiting for room */
    } else {
        out.err = SF_ERR_TOO_BIG; /* the reservation alone is more than the budget */
        snprintf(out.detail.message, sizeof(out.detail.message),
                 "a pull window of %zu bytes needs more than limits.max_buffered_bytes (%zu): "
                 "raise it",
                 window, sf_budget_limit(coord->budget));
    }

    pthread_mutex_lock(&coord->lock);
    return apply_outcome(coord, worker, shard, &out, sf_now_ms());
}

static void *worker_main(void *arg)
{
    struct sf_coord_worker *worker = arg;
    struct sf_coord *coord = worker->coord;
    pthread_mutex_lock(&coord->lock);
    while (!atomic_load(&coord->workers_stop)) {
        int64_t now = sf_now_ms();
        int64_t wait_ms = 0;
        struct sf_coord_shard *shard = pick_shard(coord, now, &wait_ms);
        if (!shard) {
            sf_coord_memory_trim_pool(coord, now);
            pthread_mutex_unlock(&coord->lock);
            sf_coord_memory_trim_worker(worker, now); /* its own buffers: no lock needed */
            pthread_mutex_lock(&coord->lock);
            struct timespec deadline;
            clock_gettime(CLOCK_MONOTONIC, &deadline);
            int64_t ns = deadline.tv_nsec + (wait_ms % 1000) * 1000000;
            deadline.tv_sec += wait_ms / 1000 + ns / 1000000000;
            deadline.tv_nsec = ns % 1000000000;
            pthread_cond_timedwait(&coord->wake, &coord->lock, &deadline);
            continue;
        }
        struct sf_batch *batch = sf_coord_fetch_pull(worker, shard);
        if (batch) {
            /* Under the lock, so a shard's batches reach the sinks in pull order. Sinks only
             * queue here and settle from their own threads. Our own reference keeps the batch
             * from coming back before every sink has its hold; it is dropped without the lock,
             * since dropping the last one takes the batch back (sf_coord_take_back locks). */
            sf_coord_batch_enqueue(coord, batch);
            coord->hooks.submit(coord->hooks.ctx, batch);
            pthread_mutex_unlock(&coord->lock);
            sf_batch_untaken_drop(batch); /* before the reference: the batch is still ours */
            sf_batch_unref(batch);
            pthread_mutex_lock(&coord->lock);
        }
    }
    pthread_mutex_unlock(&coord->lock);
    sf_coord_memory_release_worker(worker);
    return NULL;
}

sf_err sf_coord_workers_start(struct sf_coord *coord)
{
    for (size_t i = 0; i < coord->n_workers; i++) {
        if (pthread_create(&coord->workers[i].thread, NULL, worker_main, &coord->workers[i]) != 0) {
            coord->n_workers = i; /* join the ones that started */
            return SF_ERR_IO;
        }
    }
    return SF_OK;
}

void sf_coord_workers_join(struct sf_coord *coord)
{
    atomic_store(&coord->workers_stop, true);
    pthread_mutex_lock(&coord->lock);
    pthread_cond_broadcast(&coord->wake);
    pthread_mutex_unlock(&coord->lock);
    for (size_t i = 0; i < coord->n_workers; i++) {
        pthread_join(coord->workers[i].thread, NULL);
    }
}
