/* The sink interface (docs/internals/sink.md): where batches of events go, and how a sink reports
 * that the SIEM confirmed them. Every sink runs its own thread(s). The app gives a sink a hold on a
 * batch through the sink's own entry (pipeline/batch.h: sf_batch_hold) with sf_sink_submit;
 * the sink queues that entry — never the batch itself, which other sinks hold at the same
 * time through their entries — reads the batch until it is done, and then settles the entry
 * exactly once, from its own thread, in any order across shards: sf_batch_settle(entry,
 * SF_BATCH_DELIVERED) when the SIEM confirmed it, SF_BATCH_UNDELIVERED for what it still holds
 * when it stops. After settling, the sink touches neither the entry nor the batch. A sink never
 * drops a batch: it retries (with backoff) until it is delivered or the sink is stopped. */
#ifndef SF_SINK_SINK_H
#define SF_SINK_SINK_H

#include <stdint.h>

#include "pipeline/batch.h"
#include "util/err.h"

struct sf_sink;

struct sf_sink_ops {
    const char *name; /* "file", "hec", "syslog": also the config section name */
    sf_err (*start)(struct sf_sink *sink);
    /* Takes the hold |entry| (settles it later); never blocks on the SIEM. */
    void (*submit)(struct sf_sink *sink, struct sf_batch_entry *entry);
    /* Delivers what it holds until |deadline_ms| (sf_now_ms clock), then stops its threads.
     * Entries still undelivered then are settled SF_BATCH_UNDELIVERED. */
    void (*stop)(struct sf_sink *sink, int64_t deadline_ms);
    void (*destroy)(struct sf_sink *sink);
};

struct sf_sink {
    const struct sf_sink_ops *ops;
    void *impl;
};

static inline sf_err sf_sink_start(struct sf_sink *sink)
{
    return sink->ops->start(sink);
}

static inline void sf_sink_submit(struct sf_sink *sink, struct sf_batch_entry *entry)
{
    sink->ops->submit(sink, entry);
}

static inline void sf_sink_stop(struct sf_sink *sink, int64_t deadline_ms)
{
    sink->ops->stop(sink, deadline_ms);
}

/* Stops (at once) and frees; NULL is fine. */
void sf_sink_free(struct sf_sink *sink);

#endif
