/* Snapshots of the coord for metrics, readiness and progress lines. */
#include <string.h>
#include <time.h>

#include "coord/coord_int.h"
#include "util/alloc.h"
#include "util/clock.h"

#include "util/banned.h"

static int64_t shard_lag_s(const struct sf_coord_shard *shard, time_t now_s)
{
    if (shard->is_caught_up && shard->n_inflight == 0) {
        return 0;
    }
    if (shard->newest_delivered_s > 0) {
        int64_t lag = (int64_t)now_s - shard->newest_delivered_s;
        return lag > 0 ? lag : 0;
    }
    return -1;
}

int64_t sf_coord_source_lag_s(const struct sf_coord_source *source)
{
    int64_t lag = -1;
    time_t now_s = sf_wall_s();
    for (const struct sf_coord_shard *shard = source->shards; shard; shard = shard->next) {
        int64_t one = shard_lag_s(shard, now_s);
        lag = one > lag ? one : lag;
    }
    return lag;
}

static void view_shard(const struct sf_coord_shard *shard,
                       int64_t now_ms,
                       time_t now_s,
                       struct sf_coord_shard_view *view)
{
    view->shard_id = shard->shard_id;
    view->state = sf_coord_shard_state_name(shard->state);
    view->is_readonly = shard->is_readonly;
    view->events_delivered = shard->events_delivered;
    view->raw_bytes = shard->raw_bytes;
    view->lag_s = shard_lag_s(shard, now_s);
    view->checkpoint_age_s = (now_ms - shard->last_commit_ms) / 1000;
    view->n_inflight = shard->n_inflight;
}

void sf_coord_visit(struct sf_coord *coord, sf_coord_visit_fn fn, void *ctx)
{
    for (size_t i = 0; i < coord->n_sources; i++) {
        struct sf_coord_source *source = &coord->sources[i];
        uint64_t errors[SF_ERR__COUNT];
        struct sf_coord_source_view view = {.name = source->config->name, .errors = errors};
        int64_t now_ms = sf_now_ms();
        time_t now_s = sf_wall_s();
        pthread_mutex_lock(&coord->lock);
        size_t n = 0;
        for (struct sf_coord_shard *shard = source->shards; shard; shard = shard->next) {
            n++;
        }
        struct sf_coord_shard_view *shards = sf_xcalloc(n ? n : 1, sizeof(*shards));
        n = 0;
        for (struct sf_coord_shard *shard = source->shards; shard; shard = shard->next) {
            view_shard(shard, now_ms, now_s, &shards[n++]);
        }
        view.is_joined = source->is_joined;
        view.stats = source->stats;
        memcpy(errors, source->errors, sizeof(errors));
        pthread_mutex_unlock(&coord->lock);
        view.shards = shards;
        view.n_shards = n;
        sf_cred_status(source->cred, &view.credentials);
        fn(ctx, &view);
        free(shards);
    }
}

bool sf_coord_is_ready(struct sf_coord *coord)
{
    bool is_ready = true;
    pthread_mutex_lock(&coord->lock);
    for (size_t i = 0; i < coord->n_sources; i++) {
        is_ready = is_ready && coord->sources[i].is_joined;
    }
    pthread_mutex_unlock(&coord->lock);
    return is_ready;
}
