/* A consumed shard's record: its state machine and its checkpoint tracker. Callers hold
 * coord->lock. */
#include <stdio.h>
#include <string.h>

#include "coord/coord_int.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "coord"

static const char *const state_names[] = {
    [SF_COORD_SHARD_STARTING] = "starting", [SF_COORD_SHARD_RUNNING] = "running",
    [SF_COORD_SHARD_FINISHED] = "finished", [SF_COORD_SHARD_RELEASING] = "releasing",
    [SF_COORD_SHARD_DROPPED] = "dropped",
};

const char *sf_coord_shard_state_name(enum sf_coord_shard_state state)
{
    return state_names[state];
}

struct sf_coord_shard *sf_coord_shard_new(struct sf_coord_source *source, int shard_id)
{
    struct sf_coord_shard *shard = sf_xcalloc(1, sizeof(*shard));
    shard->source = source;
    shard->shard_id = shard_id;
    shard->state = SF_COORD_SHARD_STARTING;
    shard->state_since_ms = sf_now_ms();
    shard->pull_count = source->config->pull_count < 16 ? source->config->pull_count : 16;
    sf_backoff_init(&shard->backoff, 200, 30000);
    return shard;
}

void sf_coord_shard_free(struct sf_coord_shard *shard)
{
    free(shard);
}

/* Every state change goes through here, so the log tells each shard's whole story. */
void sf_coord_shard_set_state(struct sf_coord_shard *shard, enum sf_coord_shard_state next)
{
    if (shard->state == next) {
        return;
    }
    int64_t now = sf_now_ms();
    SF_LOG_INFO("msg=\"shard %s -> %s\" source=%s shard=%d after_ms=%lld in_flight=%zu",
                state_names[shard->state], state_names[next], shard->source->config->name,
                shard->shard_id, (long long)(now - shard->state_since_ms), shard->n_inflight);
    shard->state = next;
    shard->state_since_ms = now;
}

bool sf_coord_shard_track(struct sf_coord_shard *shard, struct sf_batch *batch)
{
    if (shard->n_inflight == SF_COORD_PREFETCH) {
        return false;
    }
    struct sf_coord_inflight *slot = &shard->inflight[shard->n_inflight++];
    slot->seq = shard->next_seq++;
    slot->is_delivered = false;
    slot->newest_time_s = batch->newest_time_s;
    memcpy(slot->next_cursor, batch->next_cursor, sizeof(slot->next_cursor));
    batch->seq = slot->seq;
    return true;
}

static struct sf_coord_inflight *find(struct sf_coord_shard *shard, uint64_t seq, size_t *index)
{
    for (size_t i = 0; i < shard->n_inflight; i++) {
        if (shard->inflight[i].seq == seq) {
            *index = i;
            return &shard->inflight[i];
        }
    }
    return NULL;
}

/* Drops the first |n| entries of the window. */
static void shift(struct sf_coord_shard *shard, size_t n)
{
    memmove(shard->inflight, shard->inflight + n,
            (shard->n_inflight - n) * sizeof(shard->inflight[0]));
    shard->n_inflight -= n;
}

void sf_coord_shard_confirm(struct sf_coord_shard *shard, uint64_t seq)
{
    size_t index;
    struct sf_coord_inflight *slot = find(shard, seq, &index);
    if (!slot || shard->has_gap) {
        return; /* after an undelivered batch nothing later may be committed */
    }
    slot->is_delivered = true;
    /* The checkpoint may only pass data whose every predecessor is confirmed too. */
    size_t n = 0;
    while (n < shard->n_inflight && shard->inflight[n].is_delivered) {
        memcpy(shard->deliverable, shard->inflight[n].next_cursor, sizeof(shard->deliverable));
        if (shard->inflight[n].newest_time_s > shard->newest_delivered_s) {
            shard->newest_delivered_s = shard->inflight[n].newest_time_s;
        }
        n++;
    }
    shift(shard, n);
}

bool sf_coord_shard_skip(struct sf_coord_shard *shard, const char *next_cursor)
{
    if (shard->n_inflight == SF_COORD_PREFETCH) {
        return false;
    }
    /* An empty batch confirmed at once: it keeps its place in pull order. */
    struct sf_coord_inflight *slot = &shard->inflight[shard->n_inflight++];
    memset(slot, 0, sizeof(*slot));
    slot->seq = shard->next_seq++;
    snprintf(slot->next_cursor, sizeof(slot->next_cursor), "%s", next_cursor);
    sf_coord_shard_confirm(shard, slot->seq);
    return true;
}

void sf_coord_shard_forget(struct sf_coord_shard *shard, uint64_t seq)
{
    size_t index;
    struct sf_coord_inflight *slot = find(shard, seq, &index);
    shard->has_gap = true;
    if (!slot) {
        return;
    }
    /* Everything from here on can no longer be confirmed in order: the checkpoint must stay
     * before this batch, so later confirmations are forgotten too. */
    shard->n_inflight = index;
    memset(slot, 0, sizeof(*slot));
}
