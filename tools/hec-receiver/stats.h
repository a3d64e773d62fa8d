/* Counters and the document served at GET /_receiver/stats (format in README.md). */
#ifndef HEC_STATS_H
#define HEC_STATS_H

#include <jansson.h>

#include "hec.h"

/* Counts one answered request (takes srv->lock). */
void hec_stats_count_response(struct hec_server *srv, const struct hec_response *resp);
/* A new JSON object; takes srv->lock itself. */
json_t *hec_stats_json(struct hec_server *srv);
/* Zeroes every counter (fault rules keep their own fired counts). Takes srv->lock. */
void hec_stats_reset(struct hec_server *srv);

#endif
