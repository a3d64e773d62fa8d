/* Observability wiring: the Prometheus exposition of the engine's and the sink's counters on
 * /metrics, and readiness on /healthz. The app owns it; the engine and sinks only keep
 * counters. */
#ifndef SF_APP_OBSERVE_H
#define SF_APP_OBSERVE_H

#include "config/config.h"
#include "coord/coord.h"
#include "sink/sink.h"
#include "util/buf.h"

/* Writes every metric of |coord| (and of the sink, when |sink_collect| is set) into |out|. */
void sf_observe_collect(struct sf_coord *coord, struct sf_buf *out);

#endif
