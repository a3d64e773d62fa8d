/* The syslog output's wiring: config → formatter options (transform/syslog_line) and sink
 * options (sink/syslog_sink), and the batch builder that writes framed messages. */
#ifndef SF_APP_SYSLOG_OUTPUT_H
#define SF_APP_SYSLOG_OUTPUT_H

#include "codec/loggroup.h"
#include "config/config.h"
#include "pipeline/batch.h"
#include "sink/sink.h"
#include "transform/syslog_line.h"

sf_err sf_syslog_output_mapping(const struct sf_config_syslog *cfg,
                                struct sf_syslog_line_mapping **out,
                                char *errbuf,
                                size_t errbuf_size);

/* Appends one framed message per log of |list| that |filter| keeps (transform/filter.h;
 * NULL: every log) to |batch->syslog_payload|; counts them in |*n_events| and the logs the
 * filter dropped in |*n_filtered|. A message cut to fit max_message_size is counted
 * (sf_syslog_output_truncated_total) and logged, at most once a minute with the count. Any
 * thread. */
sf_err sf_syslog_output_build(const struct sf_syslog_line_mapping *mapping,
                              const struct sf_filter *filter,
                              const struct sf_config_source *source,
                              const struct sf_loggroup_list *list,
                              struct sf_batch *batch,
                              size_t *n_events,
                              size_t *n_filtered);

/* Messages cut to fit max_message_size since the process started; any thread. */
uint64_t sf_syslog_output_truncated_total(void);

sf_err sf_syslog_output_sink(const struct sf_config_syslog *cfg,
                             struct sf_sink **out,
                             char *errbuf,
                             size_t errbuf_size);

#endif
