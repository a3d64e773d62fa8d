/* Consumer-group membership and shard assignment (docs/protocol/sls-consumer-group.md §Model to
 * §End of shard): heartbeats, expiry after `timeout` seconds of silence, balancing so live
 * consumers' shard counts differ by at most one, the transfer hand-off (a shard moves only after
 * its old owner stops reporting it or expires), `order` (children wait until every parent is
 * `over`), and checkpoint ownership. Every function needs srv->lock held. */
#ifndef EMU_ASSIGN_H
#define EMU_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu.h"

/* A group's view of shard |shard_id| right now. */
enum emu_cg_state
emu_assign_state(const struct emu_logstore *ls, const struct emu_group *group, int shard_id);
const char *emu_assign_state_name(enum emu_cg_state state);

/* Forgets consumers silent for longer than the group's timeout; frees their shards. */
void emu_assign_expire(struct emu_group *group, int64_t now_ms);
/* Forces one consumer out as if it had timed out (control plane); false if unknown. */
bool emu_assign_evict(struct emu_group *group, const char *consumer);

/* Index of consumer |name| in |group|, or -1. */
int emu_assign_consumer_find(const struct emu_group *group, const char *name);

enum emu_commit_result {
    EMU_COMMIT_OK,
    EMU_COMMIT_CONSUMER_NOT_EXIST, /* the named consumer is not in the group */
    EMU_COMMIT_NOT_MATCH,          /* the named consumer does not hold the shard */
    EMU_COMMIT_NEED_CONSUMER,      /* no consumer name and not forced */
};

/* Whether |consumer| ("" for none) may commit a checkpoint of |shard_id|. |is_forced|
 * (forceSuccess=true) skips the ownership check; without it only the holder may commit
 * (a shard in `transfer` included). */
enum emu_commit_result emu_assign_may_commit(const struct emu_group *group,
                                             const char *consumer,
                                             int shard_id,
                                             bool is_forced);

enum emu_heartbeat_result {
    EMU_HEARTBEAT_OK,
    /* an unknown consumer reported shards (docs/protocol/sls-consumer-group.md §Heartbeat) */
    EMU_HEARTBEAT_NOT_EXIST_WITH_BODY,
    EMU_HEARTBEAT_TOO_MANY_CONSUMERS,
};

/* One heartbeat of |consumer| holding |held| shards. On OK, |out| (EMU_MAX_SHARDS slots)
 * receives the shards it owns, ascending. */
enum emu_heartbeat_result emu_assign_heartbeat(struct emu_logstore *ls,
                                               struct emu_group *group,
                                               const char *consumer,
                                               const int *held,
                                               size_t n_held,
                                               int64_t now_ms,
                                               int *out,
                                               size_t *n_out);

#endif
