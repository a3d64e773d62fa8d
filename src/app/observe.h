/* Observability wiring: the Prometheus exposition of the coord's and the sink's counters on
 * /metrics, and readiness on /healthz. The app owns it; the coord and sinks only keep
 * counters. */
#ifndef SF_APP_OBSERVE_H
#define SF_APP_OBSERVE_H

#include "config/config.h"
#include "coord/coord.h"
#include "sink/sink.h"
#include "util/buf.h"

struct sf_observe;

/* Starts /metrics and /healthz on |config->metrics_listen| (nothing when it is unset) for
 * |coord| and, when not NULL, the HEC sink |sink| and the syslog sink |syslog_sink|. A listen
 * failure is logged and is not fatal: delivery matters more than its metrics. */
void sf_observe_start(const struct sf_config *config,
                      struct sf_coord *coord,
                      struct sf_sink *sink,
                      struct sf_sink *syslog_sink,
                      struct sf_observe **out);
void sf_observe_stop(struct sf_observe *observe);

/* Writes every metric of |coord| into |out|. */
void sf_observe_collect(struct sf_coord *coord, struct sf_buf *out);

#endif
