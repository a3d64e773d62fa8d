/* Checkpoint commits for one source (docs/protocol/sls-consumer-group.md §Checkpoints): per shard,
 * the highest contiguous delivered cursor, every checkpoint_interval, promptly at a shard's end and
 * before a release, and never beyond undelivered data. Also retires shard records whose work is
 * done. Coord thread; network calls run without coord->lock. A commit refused for another
 * reason than ownership (RAM policy) is an error line naming the permission, at most one a minute
 * per source, and never holds a revoked shard back from its next owner. */
#include <stdio.h>
#include <string.h>

#include "coord/coord_int.h"
#include "coord/credentials.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "checkpoint"

#define REFUSED_LOG_INTERVAL_MS 60000

struct commit {
    struct sf_coord_shard *shard;
    char cursor[SF_SLS_CURSOR_MAX];
};

static bool commit_due(const struct sf_coord_shard *shard, int64_t now, bool force)
{
    if (shard->state == SF_COORD_SHARD_STARTING || shard->state == SF_COORD_SHARD_DROPPED ||
        !shard->deliverable[0] || strcmp(shard->deliverable, shard->committed) == 0 ||
        now < shard->next_commit_try_ms) {
        return false;
    }
    int64_t interval_ms = (int64_t)shard->source->config->checkpoint_interval_s * 1000;
    return force || shard->state != SF_COORD_SHARD_RUNNING ||
           now - shard->last_commit_ms >= interval_ms;
}

static void commit_one(struct sf_coord_source *source, struct commit *c, int64_t now)
{
    struct sf_coord *coord = source->coord;
    const struct sf_config_source *cfg = source->config;
    struct sf_sls_error detail;
    /* Ownership enforced (forceSuccess=false): a stale owner is refused, never overwrites. */
    sf_err err =
        sf_sls_update_checkpoint(source->sls, cfg->logstore, cfg->consumer_group,
                                 cfg->consumer_name, c->shard->shard_id, c->cursor, &detail);
    if (err) {
        sf_coord_credentials_check_refusal(source, err, &detail);
    }
    pthread_mutex_lock(&coord->lock);
    struct sf_coord_shard *shard = c->shard;
    if (err == SF_OK) {
        memcpy(shard->committed, c->cursor, sizeof(shard->committed));
        shard->last_commit_ms = now;
        sf_backoff_reset(&shard->backoff);
        source->stats.checkpoints_committed++;
        source->is_commit_refused = false;
        pthread_mutex_unlock(&coord->lock);
        SF_LOG_DEBUG("msg=\"checkpoint committed\" source=%s shard=%d cursor=%s", cfg->name,
                     shard->shard_id, c->cursor);
        return;
    }
    char text[768];
    sf_sls_error_format(&detail, err, text, sizeof(text));
    if (err == SF_ERR_SLS_NOT_OWNER || err == SF_ERR_SLS_CONSUMER_GONE ||
        err == SF_ERR_SLS_SHARD_GONE) {
        /* Another consumer owns it now: stop at once, do not retry
         * (docs/protocol/sls-consumer-group.md §Checkpoints). */
        sf_coord_shard_set_state(shard, SF_COORD_SHARD_DROPPED);
        pthread_mutex_unlock(&coord->lock);
        SF_LOG_WARN("msg=\"checkpoint refused: shard no longer ours\" source=%s %s", cfg->name,
                    text);
        return;
    }
    int64_t delay = sf_backoff_next_ms(&shard->backoff);
    bool is_refused = sf_err_class(err) == SF_ERRCLASS_FATAL;
    if (is_refused && delay < 30000) {
        delay = 30000; /* a human must act; a policy can be fixed live, so keep trying slowly */
    }
    shard->next_commit_try_ms = now + delay;
    /* A shard being handed over must not wait for a commit that may never succeed: the next
     * owner would never get it. Released without it, the shard is read again from its last
     * checkpoint (duplicates, no loss). */
    int64_t releasing_ms = now - shard->state_since_ms;
    bool is_abandoned = shard->state == SF_COORD_SHARD_RELEASING &&
                        (is_refused || releasing_ms >= (int64_t)cfg->group_timeout_s * 1000);
    shard->is_commit_abandoned = shard->is_commit_abandoned || is_abandoned;
    source->is_commit_refused = source->is_commit_refused || is_refused;
    pthread_mutex_unlock(&coord->lock);
    if (!is_refused) {
        /* A failed commit never loses data; it only widens the window replayed after a
         * crash. */
        SF_LOG_WARN("msg=\"checkpoint commit failed\" source=%s %s will_retry_in_ms=%lld",
                    cfg->name, text, (long long)delay);
        return;
    }
    source->commits_refused++;
    if (source->commit_refused_logged_ms &&
        now - source->commit_refused_logged_ms < REFUSED_LOG_INTERVAL_MS) {
        return; /* one line a minute per source, however many shards */
    }
    if (err == SF_ERR_AUTH) {
        SF_LOG_ERROR("msg=\"checkpoint commit refused: grant the RAM permission "
                     "log:ConsumerGroupUpdateCheckPoint on this logstore to slsfwd's AccessKey. "
                     "Until then nothing is committed and a restart or rebalance delivers "
                     "everything since the last checkpoint again\" source=%s group=%s "
                     "refused_since_last_line=%llu %s will_retry_in_ms=%lld",
                     cfg->name, cfg->consumer_group, (unsigned long long)source->commits_refused,
                     text, (long long)delay);
    } else {
        SF_LOG_ERROR("msg=\"checkpoint commit refused\" source=%s group=%s "
                     "refused_since_last_line=%llu %s will_retry_in_ms=%lld",
                     cfg->name, cfg->consumer_group, (unsigned long long)source->commits_refused,
                     text, (long long)delay);
    }
    source->commit_refused_logged_ms = now;
    source->commits_refused = 0;
}

/* Unlinks shards whose work is over; a released one leaves the next heartbeat. Lock held. */
static bool retire_shards(struct sf_coord_source *source)
{
    bool released = false;
    struct sf_coord_shard **link = &source->shards;
    while (*link) {
        struct sf_coord_shard *shard = *link;
        bool is_idle = !shard->is_fetching && shard->n_outstanding == 0;
        /* While commits are refused (RAM policy), a revoked shard goes without one. */
        bool is_committed = strcmp(shard->deliverable, shard->committed) == 0 || shard->has_gap ||
                            shard->is_commit_abandoned ||
                            (shard->state == SF_COORD_SHARD_RELEASING && source->is_commit_refused);
        if (shard->state == SF_COORD_SHARD_FINISHED && shard->is_readonly && is_idle &&
            is_committed) {
            /* over: hand it back (docs/protocol/sls-consumer-group.md §End of shard) */
            sf_coord_shard_set_state(shard, SF_COORD_SHARD_RELEASING);
        }
        bool done = (shard->state == SF_COORD_SHARD_RELEASING && is_idle && is_committed) ||
                    (shard->state == SF_COORD_SHARD_DROPPED && is_idle);
        if (!done) {
            link = &shard->next;
            continue;
        }
        if (shard->state == SF_COORD_SHARD_RELEASING && !shard->has_gap &&
            strcmp(shard->deliverable, shard->committed) != 0) {
            SF_LOG_WARN("msg=\"shard released without its final checkpoint: the next owner reads "
                        "again from the last committed one\" source=%s shard=%d checkpoint=%s",
                        source->config->name, shard->shard_id, shard->committed);
        } else {
            SF_LOG_INFO("msg=\"shard %s\" source=%s shard=%d checkpoint=%s",
                        shard->state == SF_COORD_SHARD_DROPPED ? "dropped" : "released",
                        source->config->name, shard->shard_id, shard->committed);
        }
        released = released || shard->state == SF_COORD_SHARD_RELEASING;
        *link = shard->next;
        sf_coord_shard_free(shard);
    }
    return released;
}

void sf_coord_checkpoint_tick(struct sf_coord_source *source, int64_t now, bool force)
{
    struct sf_coord *coord = source->coord;
    struct commit todo[64];
    for (;;) {
        size_t n = 0;
        pthread_mutex_lock(&coord->lock);
        for (struct sf_coord_shard *shard = source->shards; shard && n < 64; shard = shard->next) {
            if (commit_due(shard, now, force)) {
                todo[n].shard = shard;
                memcpy(todo[n].cursor, shard->deliverable, sizeof(todo[n].cursor));
                shard->next_commit_try_ms = now + 1; /* one attempt per tick */
                n++;
            }
        }
        pthread_mutex_unlock(&coord->lock);
        if (n == 0) {
            break;
        }
        for (size_t i = 0; i < n; i++) {
            commit_one(source, &todo[i], now);
        }
    }
    pthread_mutex_lock(&coord->lock);
    if (retire_shards(source)) {
        sf_coord_heartbeat_soon(source, now); /* complete the hand-off without waiting a beat */
    }
    pthread_mutex_unlock(&coord->lock);
}
