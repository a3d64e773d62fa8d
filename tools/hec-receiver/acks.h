/* Indexer acknowledgement state (docs/protocol/hec.md §Indexer acknowledgement): per channel,
 * ackIds from 0, one per accepted request; an id turns true once its request is "indexed" (after
 * the configured delay), is forgotten once reported true, and reads false forever when lost or
 * unknown. Idle channels lose their state after |idle_ms|, like Splunk's maxIdleTime. Not
 * thread-safe: callers hold srv->lock. */
#ifndef HEC_ACKS_H
#define HEC_ACKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEC_CHANNEL_MAX             64
#define HEC_DEFAULT_ACK_MAX_PENDING ((size_t)1000000) /* ..._pending_query_per_ack_channel */
#define HEC_DEFAULT_ACK_MAX_CHANNEL ((size_t)1000000) /* max_number_of_ack_channel */

struct hec_acks;

/* |idle_ms| 0: channels never expire. */
struct hec_acks *hec_acks_new(size_t max_channels, size_t max_pending, int64_t idle_ms);
void hec_acks_free(struct hec_acks *acks);

/* True for the 8-4-4-4-12 hexadecimal GUID shape Splunk requires of channels. */
bool hec_channel_is_guid(const char *s);

/* True when |channel| can take another pending id (and a new channel fits). */
bool hec_acks_has_room(struct hec_acks *acks, const char *channel, int64_t now_ms);
/* Issues the next ackId of |channel| (created on first use), ready at |ready_at_ms|, never
 * ready when |is_lost|. */
uint64_t hec_acks_issue(
    struct hec_acks *acks, const char *channel, int64_t now_ms, int64_t ready_at_ms, bool is_lost);
/* True when id |ack_id| of |channel| is indexed; the id is then forgotten. */
bool hec_acks_query(struct hec_acks *acks, const char *channel, uint64_t ack_id, int64_t now_ms);
/* Drops channels idle for longer than idle_ms. Returns how many. */
size_t hec_acks_expire(struct hec_acks *acks, int64_t now_ms);
void hec_acks_clear(struct hec_acks *acks);
/* {"channels":N,"pending":N,"expired_channels":N} */
json_t *hec_acks_to_json(const struct hec_acks *acks);

#endif
