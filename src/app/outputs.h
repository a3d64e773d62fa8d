/* The configured outputs (HEC, syslog, the NDJSON file), built one way from one table
 * (outputs.c): per output, whether the configuration asks for it, how its payload is built
 * into a batch, how its sink is made, and which metrics it reports. Each output has a slot:
 * its sink holds every batch through the batch's entry of that slot (pipeline/batch.h). */
#ifndef SF_APP_OUTPUTS_H
#define SF_APP_OUTPUTS_H

#include <stdint.h>

#include "codec/loggroup.h"
#include "config/config.h"
#include "pipeline/batch.h"
#include "pipeline/budget.h"
#include "sink/sink.h"
#include "util/err.h"

struct sf_outputs;

/* Which sink's counters /metrics shows, and under which name. */
enum sf_output_metrics {
    SF_OUTPUT_METRICS_NONE,
    SF_OUTPUT_METRICS_HEC,
    SF_OUTPUT_METRICS_SYSLOG,
};

/* Builds the mapping and the (stopped) sink of every configured output; errors are logged,
 * naming the output. *out is set even on failure, for sf_outputs_free. */
sf_err sf_outputs_new(const struct sf_config *config, struct sf_outputs **out);
/* Gives the outputs that buffer data of their own (HEC request bodies) the memory budget to
 * charge it to; before sf_outputs_start. |budget| must outlive the outputs. */
void sf_outputs_set_budget(struct sf_outputs *outputs, struct sf_budget *budget);
sf_err sf_outputs_start(struct sf_outputs *outputs);
/* The coord build hook: each output's payload of |list| into |batch|, and its event count.
 * Thread-safe (fetch workers). */
sf_err sf_outputs_build(void *outputs,
                        const struct sf_config_source *source,
                        const struct sf_loggroup_list *list,
                        struct sf_batch *batch);
/* The coord submit hook: gives every output's sink its own hold on the opened |batch|. */
void sf_outputs_submit(void *outputs, struct sf_batch *batch);
/* The sink whose counters are |metrics|, or NULL when no configured output reports them. */
struct sf_sink *sf_outputs_metrics_sink(const struct sf_outputs *outputs,
                                        enum sf_output_metrics metrics);
/* Stops every sink: what one still holds at |deadline_ms| is settled undelivered. */
void sf_outputs_stop(struct sf_outputs *outputs, int64_t deadline_ms);
void sf_outputs_free(struct sf_outputs *outputs); /* NULL is fine */

#endif
