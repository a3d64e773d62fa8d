/* struct sf_batch: what one PullLogs response becomes on its way from a shard to the sinks —
 * the events as the sink will send them, and the cursors that make its delivery committable.
 * Created by a fetch worker, owned by exactly one stage at a time (fetch → sink → engine), so
 * it needs no lock of its own. */
#ifndef SF_CODEC_BATCH_H
#define SF_CODEC_BATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/bqueue.h"
#include "util/buf.h"

#define SF_BATCH_CURSOR_MAX 128

struct sf_batch {
    struct sf_bqueue_node link; /* first member: queues hold batches through it */
    void *owner;                /* the engine's shard record; opaque to sinks */
    const char *source;         /* source name for messages and dead letters; owned by the engine */
    int shard_id;
    uint64_t seq;                     /* consecutive per shard: orders delivery confirmations */
    char cursor[SF_BATCH_CURSOR_MAX]; /* where this batch's data starts */
    char next_cursor[SF_BATCH_CURSOR_MAX]; /* the checkpoint once it is delivered */
    size_t n_events;
    int64_t newest_time_s;        /* newest Log.Time in the batch: for lag */
    size_t raw_bytes;             /* decompressed protobuf bytes it came from */
    size_t charged_bytes;         /* what it holds against the engine's memory budget */
    struct sf_buf payload;        /* NDJSON of HEC events: for the file and HEC sinks */
    struct sf_buf syslog_payload; /* framed syslog messages: for the syslog sink */
    /* Fan-out to several sinks: the batch goes back to the engine when the last one is done
     * with it, as delivered only if every sink confirmed it. Set by the app. */
    atomic_int n_sinks_pending;
    atomic_bool is_refused_somewhere;
};

static inline struct sf_batch *sf_batch_of(struct sf_bqueue_node *node)
{
    return (struct sf_batch *)node; /* |link| is the first member */
}

#endif
