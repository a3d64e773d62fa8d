/* `slsfwd check` and `slsfwd status`: one-shot questions to SLS (and the sink) with the same
 * configuration `run` uses. Main thread only; each prints to stdout and returns an exit code. */
#ifndef SF_APP_INSPECT_H
#define SF_APP_INSPECT_H

#include "config/config.h"

/* One line per check: the config, each source's endpoint and credentials, its consumer group
 * (present, or creatable within the 30-group quota), and the sink. 0 when all pass, else 1. */
int sf_inspect_check(const struct sf_config *config);

/* Per source and shard: status, last committer, checkpoint time, newest data time, lag. */
int sf_inspect_status(const struct sf_config *config);

#endif
