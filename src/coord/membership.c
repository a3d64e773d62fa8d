/* Consumer-group membership for one source (docs/protocol/sls-consumer-group.md §Model, §Heartbeat,
 * §Shard worker): bootstrap the group, heartbeat held ∪ releasing shards, turn the server's answer
 * into granted and revoked shards, and rejoin with [] after expiry (the membership thread,
 * heartbeat.c); start granted shards at their checkpoint and learn which are read-only (the
 * coord thread). Network calls run without coord->lock; the membership fields of sf_coord_source
 * are read and written under it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "coord/coord_int.h"
#include "coord/credentials.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "coord"

static void log_sls_error(enum sf_log_level level,
                          const struct sf_coord_source *source,
                          const char *what,
                          sf_err err,
                          const struct sf_sls_error *detail,
                          int64_t retry_ms)
{
    char text[768];
    sf_sls_error_format(detail, err, text, sizeof(text));
    if (retry_ms >= 0) {
        SF_LOG_AT(level, "msg=\"%s\" source=%s %s will_retry_in_ms=%lld", what,
                  source->config->name, text, (long long)retry_ms);
    } else {
        SF_LOG_AT(level, "msg=\"%s\" source=%s %s", what, source->config->name, text);
    }
}

static const char *const member_state_names[] = {
    [SF_COORD_MEMBER_BOOTSTRAPPING] = "bootstrapping",
    [SF_COORD_MEMBER_REJOINING] = "rejoining",
    [SF_COORD_MEMBER_JOINED] = "joined",
};

const char *sf_coord_membership_state_name(enum sf_coord_member_state state)
{
    return member_state_names[state];
}

/* Every membership change goes through here, as a shard's through sf_coord_shard_set_state,
 * so the log tells each source's story in the group. */
void sf_coord_membership_set_state(struct sf_coord_source *source, enum sf_coord_member_state next)
{
    if (source->member_state == next) {
        return;
    }
    int64_t now = sf_now_ms();
    SF_LOG_INFO("msg=\"membership %s -> %s\" source=%s group=%s after_ms=%lld",
                member_state_names[source->member_state], member_state_names[next],
                source->config->name, source->config->consumer_group,
                (long long)(now - source->member_state_since_ms));
    source->member_state = next;
    source->member_state_since_ms = now;
}

static void set_fatal(struct sf_coord_source *source, sf_err err)
{
    struct sf_coord *coord = source->coord;
    pthread_mutex_lock(&coord->lock);
    if (!coord->fatal) {
        coord->fatal = err;
    }
    pthread_mutex_unlock(&coord->lock);
}

static sf_err ensure_group(struct sf_coord_source *source, struct sf_sls_error *detail)
{
    const struct sf_config_source *cfg = source->config;
    struct sf_sls_group *groups = NULL;
    size_t n = 0;
    sf_err err = sf_sls_list_groups(source->hb_sls, cfg->logstore, &groups, &n, detail);
    if (err) {
        return err;
    }
    const struct sf_sls_group *found = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(groups[i].name, cfg->consumer_group) == 0) { /* as Java compares */
            found = &groups[i];
        }
    }
    if (!found) {
        err = sf_sls_create_group(source->hb_sls, cfg->logstore, cfg->consumer_group,
                                  cfg->group_timeout_s, cfg->order, detail);
        if (err == SF_OK) {
            SF_LOG_INFO("msg=\"consumer group created\" source=%s group=%s timeout_s=%d order=%s",
                        cfg->name, cfg->consumer_group, cfg->group_timeout_s,
                        cfg->order ? "true" : "false");
        }
        free(groups);
        /* Another consumer created it first: the normal race (docs/protocol/sls-api.md
         * §CreateConsumerGroup and ListConsumerGroup). */
        return err == SF_ERR_SLS_GROUP_EXISTS ? SF_OK : err;
    }
    if (found->timeout_s != cfg->group_timeout_s || found->order != cfg->order) {
        err = sf_sls_update_group(source->hb_sls, cfg->logstore, cfg->consumer_group,
                                  cfg->group_timeout_s, cfg->order, detail);
        if (err == SF_ERR_AUTH) {
            /* log:UpdateConsumerGroup may not be granted; consuming works without it. */
            log_sls_error(SF_LOG_LEVEL_WARN, source,
                          "cannot update the consumer group's timeout/order; keeping the server's",
                          err, detail, -1);
            err = SF_OK;
        }
    }
    free(groups);
    return err;
}

static void bootstrap(struct sf_coord_source *source, int64_t now)
{
    /* Fatal outcomes below stop the coord; until then this thread does not ask again. */
    source->next_bootstrap_ms = now + 3600 * 1000;
    if (atomic_load(&source->coord->stop_requested)) {
        source->next_bootstrap_ms = now + 1000; /* stopping: joining now would be undone */
        return;
    }
    struct sf_sls_error detail;
    sf_err err = ensure_group(source, &detail);
    if (err) {
        sf_coord_credentials_check_refusal(source, err, &detail);
    }
    if (err == SF_OK) {
        pthread_mutex_lock(&source->coord->lock);
        sf_coord_membership_set_state(source, SF_COORD_MEMBER_REJOINING);
        source->next_heartbeat_ms = now;
        source->last_heartbeat_ok_ms = now;
        pthread_mutex_unlock(&source->coord->lock);
        sf_backoff_reset(&source->bootstrap_backoff);
        return;
    }
    if (err == SF_ERR_SLS_GROUP_QUOTA) {
        SF_LOG_ERROR("msg=\"cannot create consumer group: the logstore already has the maximum of "
                     "30 consumer groups. Delete unused ones (aliyun log "
                     "delete_consumer_group, or the SLS console: Logstore > Data Consumption), "
                     "or set consumer_group to an existing group\" source=%s group=%s",
                     source->config->name, source->config->consumer_group);
        set_fatal(source, err);
        return;
    }
    if (err == SF_ERR_CANCELLED) {
        return;
    }
    if (sf_err_class(err) == SF_ERRCLASS_FATAL) {
        log_sls_error(SF_LOG_LEVEL_ERROR, source, "cannot join the consumer group", err, &detail,
                      -1);
        set_fatal(source, err);
        return;
    }
    int64_t delay = sf_backoff_next_ms(&source->bootstrap_backoff);
    source->next_bootstrap_ms = now + delay;
    log_sls_error(SF_LOG_LEVEL_WARN, source, "cannot join the consumer group", err, &detail, delay);
}

/* Shards to report: held ∪ releasing (docs/protocol/sls-consumer-group.md §Heartbeat), never the
 * dropped ones. Lock held. */
static size_t heart_set(struct sf_coord_source *source, int *ids, size_t max)
{
    size_t n = 0;
    if (source->member_state != SF_COORD_MEMBER_JOINED) {
        return 0;
    }
    for (struct sf_coord_shard *shard = source->shards; shard && n < max; shard = shard->next) {
        if (shard->state != SF_COORD_SHARD_DROPPED) {
            ids[n++] = shard->shard_id;
        }
    }
    return n;
}

static bool contains(const int *ids, size_t n, int id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

static struct sf_coord_shard *find_live(struct sf_coord_source *source, int id)
{
    for (struct sf_coord_shard *shard = source->shards; shard; shard = shard->next) {
        if (shard->shard_id == id && shard->state != SF_COORD_SHARD_DROPPED) {
            return shard;
        }
    }
    return NULL;
}

/* B − A: start; A − B: release (docs/protocol/sls-consumer-group.md §Heartbeat). While stopping
 * nothing new is started. Lock held. */
static void apply_assignment(struct sf_coord_source *source, const int *assigned, size_t n)
{
    bool is_stopping = atomic_load(&source->coord->stop_requested);
    for (size_t i = 0; i < n && !is_stopping; i++) {
        if (!find_live(source, assigned[i])) {
            struct sf_coord_shard *shard = sf_coord_shard_new(source, assigned[i]);
            shard->next = source->shards;
            source->shards = shard;
            source->wants_shard_list = true; /* learn whether it is read-only */
            source->stats.rebalances++;
            SF_LOG_INFO("msg=\"shard granted\" source=%s shard=%d", source->config->name,
                        assigned[i]);
        }
    }
    for (struct sf_coord_shard *shard = source->shards; shard; shard = shard->next) {
        if (shard->state == SF_COORD_SHARD_DROPPED || shard->state == SF_COORD_SHARD_RELEASING ||
            contains(assigned, n, shard->shard_id)) {
            continue;
        }
        SF_LOG_INFO("msg=\"shard revoked: finishing it before handing it over\" source=%s "
                    "shard=%d",
                    source->config->name, shard->shard_id);
        sf_coord_shard_set_state(shard, SF_COORD_SHARD_RELEASING);
        source->stats.rebalances++;
    }
}

void sf_coord_membership_drop_all(struct sf_coord_source *source, const char *why)
{
    size_t n = 0;
    for (struct sf_coord_shard *shard = source->shards; shard; shard = shard->next) {
        if (shard->state != SF_COORD_SHARD_DROPPED) {
            sf_coord_shard_set_state(shard, SF_COORD_SHARD_DROPPED);
            n++;
        }
    }
    if (source->member_state == SF_COORD_MEMBER_JOINED) {
        sf_coord_membership_set_state(source, SF_COORD_MEMBER_REJOINING);
    }
    SF_LOG_WARN("msg=\"dropped every shard, rejoining with an empty heartbeat\" source=%s "
                "reason=\"%s\" shards=%zu",
                source->config->name, why, n);
}

/* Lock held. */
static void heartbeat_failed(struct sf_coord_source *source,
                             sf_err err,
                             const struct sf_sls_error *detail,
                             int64_t now)
{
    const struct sf_config_source *cfg = source->config;
    if (err == SF_ERR_CANCELLED) {
        return; /* stopping */
    }
    source->stats.heartbeat_failures++;
    sf_coord_credentials_check_refusal(source, err, detail);
    if (err == SF_ERR_SLS_CONSUMER_GONE) {
        /* Rejoin at once, but not in a tight loop if even the [] heartbeat is refused. */
        source->next_heartbeat_ms =
            source->member_state == SF_COORD_MEMBER_REJOINING ? now + 1000 : now;
        sf_coord_membership_drop_all(source, "the server expired this consumer");
        return;
    }
    if (err == SF_ERR_SLS_GROUP_GONE) {
        sf_coord_membership_drop_all(source, "the consumer group was deleted");
        sf_coord_membership_set_state(source, SF_COORD_MEMBER_BOOTSTRAPPING);
        source->next_bootstrap_ms = now;
        return;
    }
    /* One quick retry so a blip does not cost a rebalance
     * (docs/protocol/sls-api.md §Error reactions), then the schedule. */
    bool was_ok_last_time = source->next_heartbeat_ms - source->last_heartbeat_ok_ms <=
                            (int64_t)cfg->heartbeat_interval_s * 1000;
    int64_t delay = was_ok_last_time ? 1000 : (int64_t)cfg->heartbeat_interval_s * 1000;
    log_sls_error(SF_LOG_LEVEL_WARN, source, "heartbeat failed", err, detail, delay);
    if (now - source->last_heartbeat_ok_ms >= (int64_t)cfg->group_timeout_s * 1000 &&
        source->member_state == SF_COORD_MEMBER_JOINED) {
        /* The server has expired us by now and handed our shards out (python-sdk#120). */
        sf_coord_membership_drop_all(source, "no successful heartbeat within the group timeout");
    }
    source->next_heartbeat_ms = now + delay;
}

static void heartbeat(struct sf_coord_source *source, int64_t now)
{
    struct sf_coord *coord = source->coord;
    const struct sf_config_source *cfg = source->config;
    int held[1024];
    pthread_mutex_lock(&coord->lock);
    size_t n_held = heart_set(source, held, sizeof(held) / sizeof(held[0]));
    source->is_held_changed = false;
    pthread_mutex_unlock(&coord->lock);

    int *assigned = NULL;
    size_t n_assigned = 0;
    struct sf_sls_error detail;
    sf_err err =
        sf_sls_heartbeat(source->hb_sls, cfg->logstore, cfg->consumer_group, cfg->consumer_name,
                         held, n_held, &assigned, &n_assigned, &detail);
    pthread_mutex_lock(&coord->lock);
    source->stats.heartbeats++;
    if (err) {
        heartbeat_failed(source, err, &detail, now);
        pthread_mutex_unlock(&coord->lock);
        return;
    }
    source->last_heartbeat_ok_ms = now;
    sf_coord_membership_set_state(source, SF_COORD_MEMBER_JOINED);
    /* On the schedule (from when this one was due), unless a shard left the heart set
     * while it was in flight: then the hand-off goes out at once. */
    source->next_heartbeat_ms =
        source->is_held_changed ? sf_now_ms() : now + (int64_t)cfg->heartbeat_interval_s * 1000;
    apply_assignment(source, assigned, n_assigned);
    pthread_mutex_unlock(&coord->lock);
    free(assigned);
}

/* "from" for GetCursor: begin, end or unix seconds (docs/protocol/sls-api.md §GetCursor). */
static void start_position(const struct sf_config_source *cfg, char *from, size_t size)
{
    switch (cfg->start) {
    case SF_CONFIG_START_BEGIN:
        snprintf(from, size, "begin");
        break;
    case SF_CONFIG_START_END:
        snprintf(from, size, "end");
        break;
    case SF_CONFIG_START_TIME:
        snprintf(from, size, "%lld", (long long)cfg->start_time_s);
        break;
    }
}

/* The group's checkpoints fetched once for every shard starting in one tick (|is_set|), or
 * nothing: each shard then asks for its own. */
struct start_checkpoints {
    bool is_set;
    struct sf_sls_checkpoint *list;
    size_t n;
};

/* Finds where a granted shard starts: the server checkpoint wins over the configured
 * position (docs/protocol/sls-consumer-group.md §Shard worker). |all| holds every shard's
 * checkpoint when it was fetched for this tick. Network calls; the shard is STARTING, which only
 * this thread touches. */
static sf_err find_start(struct sf_coord_source *source,
                         struct sf_coord_shard *shard,
                         const struct start_checkpoints *all,
                         char *cursor,
                         char *committed,
                         struct sf_sls_error *detail)
{
    const struct sf_config_source *cfg = source->config;
    struct sf_sls_checkpoint *cps = all->list;
    size_t n = all->n;
    sf_err err = SF_OK;
    if (!all->is_set) {
        err = sf_sls_get_checkpoints(source->sls, cfg->logstore, cfg->consumer_group,
                                     shard->shard_id, &cps, &n, detail);
        if (err) {
            return err;
        }
    }
    committed[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (cps[i].shard_id == shard->shard_id && cps[i].cursor[0]) {
            snprintf(committed, SF_SLS_CURSOR_MAX, "%s", cps[i].cursor);
        }
    }
    if (!all->is_set) {
        free(cps);
    }
    if (committed[0]) {
        snprintf(cursor, SF_SLS_CURSOR_MAX, "%s", committed);
    } else {
        char from[32];
        start_position(cfg, from, sizeof(from));
        err = sf_sls_get_cursor(source->sls, cfg->logstore, shard->shard_id, from, cursor, detail);
        if (err) {
            return err;
        }
    }
    if (cfg->has_end_time && !shard->has_end_cursor) {
        char end[24];
        snprintf(end, sizeof(end), "%lld", (long long)cfg->end_time_s);
        err = sf_sls_get_cursor(source->sls, cfg->logstore, shard->shard_id, end, shard->end_cursor,
                                detail);
        shard->has_end_cursor = err == SF_OK;
    }
    return err;
}

static void start_shard(struct sf_coord_source *source,
                        struct sf_coord_shard *shard,
                        const struct start_checkpoints *all,
                        int64_t now)
{
    struct sf_coord *coord = source->coord;
    char cursor[SF_SLS_CURSOR_MAX], committed[SF_SLS_CURSOR_MAX];
    struct sf_sls_error detail;
    sf_err err = find_start(source, shard, all, cursor, committed, &detail);
    if (err) {
        sf_coord_credentials_check_refusal(source, err, &detail);
    }
    pthread_mutex_lock(&coord->lock);
    if (shard->state != SF_COORD_SHARD_STARTING) {
        pthread_mutex_unlock(&coord->lock); /* revoked or dropped meanwhile */
        return;
    }
    if (err == SF_OK) {
        memcpy(shard->cursor, cursor, sizeof(shard->cursor));
        memcpy(shard->committed, committed, sizeof(shard->committed));
        /* Committing the start cursor of a shard without data is harmless and lets a
         * read-only, empty shard be marked over (python-sdk#113, #126). */
        memcpy(shard->deliverable, cursor, sizeof(shard->deliverable));
        shard->last_commit_ms = now;
        shard->next_pull_ms = now;
        sf_coord_shard_set_state(shard, SF_COORD_SHARD_RUNNING);
        pthread_cond_broadcast(&coord->wake);
        pthread_mutex_unlock(&coord->lock);
        SF_LOG_INFO("msg=\"shard started\" source=%s shard=%d from=%s cursor=%s",
                    source->config->name, shard->shard_id, committed[0] ? "checkpoint" : "position",
                    cursor);
        return;
    }
    if (err == SF_ERR_SLS_SHARD_GONE || err == SF_ERR_SLS_NOT_OWNER) {
        sf_coord_shard_set_state(shard, SF_COORD_SHARD_DROPPED);
        pthread_mutex_unlock(&coord->lock);
        log_sls_error(SF_LOG_LEVEL_WARN, source, "shard cannot be started", err, &detail, -1);
        return;
    }
    int64_t delay = sf_backoff_next_ms(&shard->backoff);
    shard->next_start_try_ms = now + delay;
    pthread_mutex_unlock(&coord->lock);
    log_sls_error(SF_LOG_LEVEL_WARN, source, "cannot find where the shard starts", err, &detail,
                  delay);
}

/* Shards granted together (a start, a rebalance: up to every shard of the logstore) share
 * one GetCheckPoint for the whole group, which SLS answers for all shards at once: 256
 * shards then cost one request instead of 256 before their first pull. A lone shard asks
 * for its own; a failed fetch of the list leaves each shard to ask (and fail) on its own. */
static void start_shards(struct sf_coord_source *source, int64_t now)
{
    struct sf_coord *coord = source->coord;
    size_t due = 0;
    pthread_mutex_lock(&coord->lock);
    for (struct sf_coord_shard *shard = source->shards; shard && due < 2; shard = shard->next) {
        due += shard->state == SF_COORD_SHARD_STARTING && shard->next_start_try_ms <= now;
    }
    pthread_mutex_unlock(&coord->lock);
    struct start_checkpoints all = {0};
    if (due >= 2) {
        const struct sf_config_source *cfg = source->config;
        struct sf_sls_error detail;
        all.is_set = sf_sls_get_checkpoints(source->sls, cfg->logstore, cfg->consumer_group, -1,
                                            &all.list, &all.n, &detail) == SF_OK;
    }
    for (;;) {
        struct sf_coord_shard *todo = NULL;
        pthread_mutex_lock(&coord->lock);
        for (struct sf_coord_shard *shard = source->shards; shard && !todo; shard = shard->next) {
            if (shard->state == SF_COORD_SHARD_STARTING && shard->next_start_try_ms <= now) {
                todo = shard;
                shard->next_start_try_ms = now + 1; /* one attempt per tick */
            }
        }
        pthread_mutex_unlock(&coord->lock);
        if (!todo) {
            break;
        }
        start_shard(source, todo, &all, now);
    }
    free(all.list);
}

/* Warns once per outage, then only debug lines, with a growing delay (ListShards only
 * refines shard states; consuming goes on without it). */
static void shard_list_failed(struct sf_coord_source *source,
                              sf_err err,
                              const struct sf_sls_error *detail,
                              int64_t now)
{
    int64_t delay = sf_backoff_next_ms(&source->shard_list_backoff);
    source->next_shard_list_ms = now + delay;
    if (source->is_shard_list_refused) {
        log_sls_error(SF_LOG_LEVEL_DEBUG, source, "ListShards failed", err, detail, delay);
        return;
    }
    source->is_shard_list_refused = true;
    if (err == SF_ERR_AUTH) {
        log_sls_error(SF_LOG_LEVEL_WARN, source,
                      "ListShards refused: grant the RAM permission log:ListShards on this "
                      "logstore. Until then a split or merged (read-only) shard is not seen to "
                      "end, so it is never handed back; retrying with a growing delay, warning "
                      "again only after it worked",
                      err, detail, delay);
    } else {
        log_sls_error(SF_LOG_LEVEL_WARN, source,
                      "ListShards failed; retrying with a growing delay, warning again only "
                      "after it worked",
                      err, detail, delay);
    }
}

/* ListShards tells which shards are read-only: their end is final
 * (docs/protocol/sls-consumer-group.md §End of shard). */
static void refresh_shard_list(struct sf_coord_source *source, int64_t now)
{
    pthread_mutex_lock(&source->coord->lock);
    bool is_wanted = source->wants_shard_list && !source->is_shard_list_refused;
    source->wants_shard_list = false;
    pthread_mutex_unlock(&source->coord->lock);
    if (now < source->next_shard_list_ms && !is_wanted) {
        return;
    }
    source->next_shard_list_ms = now + 30000;
    struct sf_sls_shard *list = NULL;
    size_t n = 0;
    struct sf_sls_error detail;
    sf_err err = sf_sls_list_shards(source->sls, source->config->logstore, &list, &n, &detail);
    if (err) {
        sf_coord_credentials_check_refusal(source, err, &detail);
    }
    if (err) {
        shard_list_failed(source, err, &detail, now);
        return;
    }
    if (source->is_shard_list_refused) {
        SF_LOG_INFO("msg=\"ListShards works again\" source=%s", source->config->name);
        source->is_shard_list_refused = false;
    }
    sf_backoff_reset(&source->shard_list_backoff);
    pthread_mutex_lock(&source->coord->lock);
    for (struct sf_coord_shard *shard = source->shards; shard; shard = shard->next) {
        for (size_t i = 0; i < n; i++) {
            if (list[i].shard_id == shard->shard_id) {
                shard->is_readonly = list[i].is_readonly;
            }
        }
    }
    pthread_mutex_unlock(&source->coord->lock);
    free(list);
}

static bool is_bootstrapped(struct sf_coord_source *source)
{
    pthread_mutex_lock(&source->coord->lock);
    bool is_done = source->member_state != SF_COORD_MEMBER_BOOTSTRAPPING;
    pthread_mutex_unlock(&source->coord->lock);
    return is_done;
}

void sf_coord_membership_beat(struct sf_coord_source *source, int64_t now)
{
    if (is_bootstrapped(source)) {
        heartbeat(source, now);
    } else {
        bootstrap(source, now);
    }
}

void sf_coord_membership_tick(struct sf_coord_source *source, int64_t now)
{
    if (is_bootstrapped(source)) {
        start_shards(source, now);
        refresh_shard_list(source, now);
    }
}

/* After the membership thread has stopped: this thread alone touches the source. */
void sf_coord_membership_leave(struct sf_coord_source *source)
{
    if (source->member_state == SF_COORD_MEMBER_BOOTSTRAPPING) {
        return;
    }
    const struct sf_config_source *cfg = source->config;
    /* No farewell heartbeat: no official consumer sends a final [] and the service's answer
     * to one is undocumented (it may keep the consumer alive with no shards and hand it
     * others' shards). Like the SDKs, stop heartbeating; the server frees the shards after
     * the group timeout and the next owner resumes at the checkpoints just committed. */
    SF_LOG_INFO("msg=\"left the consumer group: the shards move to the other consumers once "
                "the group timeout has passed without a heartbeat\" source=%s group=%s "
                "group_timeout_s=%d",
                cfg->name, cfg->consumer_group, cfg->group_timeout_s);
}
