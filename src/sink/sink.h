/* The sink interface (DESIGN.md): where batches of events go, and how a sink reports that the
 * SIEM confirmed them. Every sink runs its own thread(s); the engine hands it batches with
 * sf_sink_submit and learns of each confirmed batch through |on_delivered|, called from the
 * sink's thread exactly once per batch, in any order across shards. A sink never drops a
 * batch: it retries (with backoff) until it is delivered or the sink is stopped. */
#ifndef SF_SINK_SINK_H
#define SF_SINK_SINK_H

#include <stdint.h>

#include "codec/batch.h"
#include "util/err.h"

struct sf_sink;

/* Hands a confirmed batch back to its owner (the engine), who frees or reuses it. */
typedef void (*sf_sink_delivered_fn)(void *ctx, struct sf_batch *batch);

struct sf_sink_ops {
    const char *name; /* "file", "hec": also the config section name */
    sf_err (*start)(struct sf_sink *sink);
    /* Takes ownership of |batch|; never blocks on the SIEM. */
    void (*submit)(struct sf_sink *sink, struct sf_batch *batch);
    /* Delivers what it holds until |deadline_ms| (sf_now_ms clock), then stops its threads.
     * Batches still undelivered then are handed back through |on_undelivered|. */
    void (*stop)(struct sf_sink *sink, int64_t deadline_ms);
    void (*destroy)(struct sf_sink *sink);
};

struct sf_sink {
    const struct sf_sink_ops *ops;
    sf_sink_delivered_fn on_delivered;
    sf_sink_delivered_fn on_undelivered; /* at stop: never confirmed; the checkpoint stays behind */
    void *ctx;
    void *impl;
};

static inline sf_err sf_sink_start(struct sf_sink *sink)
{
    return sink->ops->start(sink);
}

static inline void sf_sink_submit(struct sf_sink *sink, struct sf_batch *batch)
{
    sink->ops->submit(sink, batch);
}

static inline void sf_sink_stop(struct sf_sink *sink, int64_t deadline_ms)
{
    sink->ops->stop(sink, deadline_ms);
}

/* Stops (at once) and frees; NULL is fine. */
void sf_sink_free(struct sf_sink *sink);

#endif
