/* Shard assignment for consumer groups. Ownership is the only stored state (owner index and
 * a transfer mark); `wait` and `over` are derived from shard status and checkpoints each time,
 * so moving an `over` shard's checkpoint back re-opens it (docs/protocol/sls-consumer-group.md
 * §Model) with no extra logic.
 *
 * Balancing runs on every heartbeat: with n assignable shards and k live consumers, the
 * consumers already holding the most keep ceil(n/k), the rest floor(n/k). A consumer above
 * its quota gets its surplus marked `transfer`: it keeps ownership (and may still commit
 * checkpoints) but the shard leaves its heartbeat answer; only when its heartbeat stops
 * listing the shard, or it expires, is the shard free for the next consumer. That is the
 * hand-off the SDKs implement with their "heart set" (docs/protocol/sls-consumer-group.md
 * §Heartbeat). */
#include "assign.h"

#include <stdio.h>
#include <string.h>

#include "cursor.h"

#include "util/banned.h"

const char *emu_assign_state_name(enum emu_cg_state state)
{
    static const char *const names[] = {"not_alloc", "already_alloc", "transfer", "wait", "over"};
    return (unsigned)state <= EMU_CG_OVER ? names[state] : "unknown";
}

/* A read-only shard is over once the group's checkpoint reaches its end
 * (docs/protocol/sls-consumer-group.md §End of shard). */
static bool is_over(const struct emu_logstore *ls, const struct emu_group *group, int shard_id)
{
    const struct emu_shard *shard = ls->shards[shard_id];
    int64_t seq;
    return shard->is_readonly && emu_cursor_decode(group->shards[shard_id].checkpoint, &seq) &&
           seq >= emu_shard_end_seq(shard);
}

static bool is_waiting(const struct emu_logstore *ls, const struct emu_group *group, int shard_id)
{
    const struct emu_shard *shard = ls->shards[shard_id];
    if (!group->in_order) {
        return false;
    }
    for (int i = 0; i < shard->n_parents; i++) {
        if (!is_over(ls, group, shard->parents[i])) {
            return true;
        }
    }
    return false;
}

static bool is_assignable(const struct emu_logstore *ls, const struct emu_group *group, int id)
{
    return !is_over(ls, group, id) && !is_waiting(ls, group, id);
}

enum emu_cg_state
emu_assign_state(const struct emu_logstore *ls, const struct emu_group *group, int shard_id)
{
    if (is_over(ls, group, shard_id)) {
        return EMU_CG_OVER;
    }
    if (is_waiting(ls, group, shard_id)) {
        return EMU_CG_WAIT;
    }
    const struct emu_cg_shard *cs = &group->shards[shard_id];
    if (cs->owner < 0) {
        return EMU_CG_NOT_ALLOC;
    }
    return cs->is_transfer ? EMU_CG_TRANSFER : EMU_CG_ALLOC;
}

int emu_assign_consumer_find(const struct emu_group *group, const char *name)
{
    for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
        if (group->consumers[i].in_use && strcmp(group->consumers[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

static void release(struct emu_cg_shard *cs)
{
    cs->owner = -1;
    cs->is_transfer = false;
    cs->is_told = false;
}

/* Frees every shard |idx| owns. */
static void release_all(struct emu_group *group, int idx)
{
    for (int s = 0; s < EMU_MAX_SHARDS; s++) {
        if (group->shards[s].owner == idx) {
            release(&group->shards[s]);
        }
    }
}

static void remove_consumer(struct emu_group *group, int idx)
{
    release_all(group, idx);
    group->consumers[idx].in_use = false;
}

void emu_assign_expire(struct emu_group *group, int64_t now_ms)
{
    for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
        const struct emu_consumer *c = &group->consumers[i];
        if (c->in_use && now_ms - c->last_heartbeat_ms > (int64_t)group->timeout_s * 1000) {
            remove_consumer(group, i);
        }
    }
}

bool emu_assign_evict(struct emu_group *group, const char *consumer)
{
    int idx = emu_assign_consumer_find(group, consumer);
    if (idx < 0) {
        return false;
    }
    remove_consumer(group, idx);
    return true;
}

enum emu_commit_result emu_assign_may_commit(const struct emu_group *group,
                                             const char *consumer,
                                             int shard_id,
                                             bool is_forced)
{
    if (is_forced) {
        return EMU_COMMIT_OK; /* the Java SDK: "success whether the shard is held by" it */
    }
    if (!consumer[0]) {
        return EMU_COMMIT_NEED_CONSUMER;
    }
    int idx = emu_assign_consumer_find(group, consumer);
    if (idx < 0) {
        return EMU_COMMIT_CONSUMER_NOT_EXIST;
    }
    return group->shards[shard_id].owner == idx ? EMU_COMMIT_OK : EMU_COMMIT_NOT_MATCH;
}

/* Quota of each live consumer: the ones owning the most get the extra shards, so a balanced
 * group stays as it is. Ties go to the lower slot, which keeps the outcome deterministic. */
static void compute_targets(const int *owned, const bool *live, int n_assignable, int *target)
{
    int k = 0;
    for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
        k += live[i];
    }
    if (k == 0) {
        return;
    }
    int extra = n_assignable % k;
    bool has_extra[EMU_MAX_CONSUMERS] = {false};
    for (int e = 0; e < extra; e++) {
        int best = -1;
        for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
            if (live[i] && !has_extra[i] && (best < 0 || owned[i] > owned[best])) {
                best = i;
            }
        }
        has_extra[best] = true;
    }
    for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
        target[i] = live[i] ? n_assignable / k + (has_extra[i] ? 1 : 0) : 0;
    }
}

static void rebalance(struct emu_logstore *ls, struct emu_group *group)
{
    bool live[EMU_MAX_CONSUMERS];
    int owned[EMU_MAX_CONSUMERS] = {0};
    int target[EMU_MAX_CONSUMERS] = {0};
    int n_assignable = 0;
    for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
        live[i] = group->consumers[i].in_use;
    }
    for (int s = 0; s < ls->n_shards; s++) {
        struct emu_cg_shard *cs = &group->shards[s];
        if (!is_assignable(ls, group, s)) {
            release(cs); /* over or waiting: nobody reads it */
            continue;
        }
        n_assignable++;
        if (cs->owner >= 0 && !cs->is_transfer) {
            owned[cs->owner]++;
        }
    }
    compute_targets(owned, live, n_assignable, target);
    /* Surplus: mark the highest shard ids for transfer. */
    for (int s = ls->n_shards - 1; s >= 0; s--) {
        struct emu_cg_shard *cs = &group->shards[s];
        if (cs->owner >= 0 && !cs->is_transfer && owned[cs->owner] > target[cs->owner]) {
            owned[cs->owner]--;
            cs->is_transfer = true;
        }
    }
    /* Deficit: first take back one's own shards still in transfer, then free ones. */
    for (int pass = 0; pass < 2; pass++) {
        for (int s = 0; s < ls->n_shards; s++) {
            struct emu_cg_shard *cs = &group->shards[s];
            if (!is_assignable(ls, group, s)) {
                continue;
            }
            if (pass == 0 && cs->owner >= 0 && cs->is_transfer &&
                owned[cs->owner] < target[cs->owner]) {
                cs->is_transfer = false;
                owned[cs->owner]++;
            }
            if (pass == 1 && cs->owner < 0) {
                for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
                    if (live[i] && owned[i] < target[i]) {
                        cs->owner = i;
                        cs->is_told = false;
                        owned[i]++;
                        break;
                    }
                }
            }
        }
    }
}

/* A consumer that no longer lists a shard it is giving away has finished with it. */
static bool release_unreported(
    struct emu_logstore *ls, struct emu_group *group, int idx, const int *held, size_t n_held)
{
    bool is_released = false;
    bool is_reported[EMU_MAX_SHARDS] = {false}; /* one pass over |held|, not one per shard */
    for (size_t i = 0; i < n_held; i++) {
        if (held[i] >= 0 && held[i] < EMU_MAX_SHARDS) {
            is_reported[held[i]] = true;
        }
    }
    for (int s = 0; s < ls->n_shards; s++) {
        struct emu_cg_shard *cs = &group->shards[s];
        if (cs->owner != idx || !cs->is_transfer) {
            continue;
        }
        if (!is_reported[s]) {
            release(cs);
            is_released = true;
        }
    }
    return is_released;
}

static int register_consumer(struct emu_group *group, const char *name)
{
    for (int i = 0; i < EMU_MAX_CONSUMERS; i++) {
        if (!group->consumers[i].in_use) {
            struct emu_consumer *c = &group->consumers[i];
            memset(c, 0, sizeof(*c));
            c->in_use = true;
            snprintf(c->name, sizeof(c->name), "%s", name);
            return i;
        }
    }
    return -1;
}

enum emu_heartbeat_result emu_assign_heartbeat(struct emu_logstore *ls,
                                               struct emu_group *group,
                                               const char *consumer,
                                               const int *held,
                                               size_t n_held,
                                               int64_t now_ms,
                                               int *out,
                                               size_t *n_out)
{
    *n_out = 0;
    emu_assign_expire(group, now_ms);
    int idx = emu_assign_consumer_find(group, consumer);
    if (idx < 0) {
        if (n_held > 0) {
            return EMU_HEARTBEAT_NOT_EXIST_WITH_BODY;
        }
        idx = register_consumer(group, consumer);
        if (idx < 0) {
            return EMU_HEARTBEAT_TOO_MANY_CONSUMERS;
        }
    }
    struct emu_consumer *c = &group->consumers[idx];
    c->last_heartbeat_ms = now_ms;
    c->n_heartbeats++;
    /* An empty list is no farewell: what the service does with one is undocumented and no
     * SDK sends it to leave, so it is an ordinary heartbeat (the consumer stays, and keeps
     * what it owns). A consumer leaves by falling silent for the group timeout. */
    release_unreported(ls, group, idx, held, n_held);
    rebalance(ls, group);
    /* Surplus marked just now that this consumer was not even reading goes at once. */
    if (release_unreported(ls, group, idx, held, n_held)) {
        rebalance(ls, group);
    }
    for (int s = 0; s < ls->n_shards; s++) {
        const struct emu_cg_shard *cs = &group->shards[s];
        if (cs->owner == idx && !cs->is_transfer) {
            out[(*n_out)++] = s;
            group->shards[s].is_told = true;
        }
    }
    return EMU_HEARTBEAT_OK;
}
