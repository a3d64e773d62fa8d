/* The token table: `--token VALUE[,ack|noack|query|disabled|name=N|index=I...]` specs, lookup
 * and the run-time switches of the control plane. Functions that take a server need
 * srv->lock held. */
#ifndef HEC_TOKENS_H
#define HEC_TOKENS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "hec.h"

/* Parses one spec. |ordinal| (1-based) names a token given no name= ("token1", ...);
 * |is_ack| and |is_query| are the server-wide defaults (--ack, --allow-query-token) that
 * the spec's options override. False with a reason in |why|. */
bool hec_token_parse(const char *spec,
                     int ordinal,
                     bool is_ack,
                     bool is_query,
                     struct hec_token *out,
                     char *why,
                     size_t why_size);

/* Adds |token|; false when the value or the name is taken or the table is full. */
bool hec_tokens_add(struct hec_server *srv, const struct hec_token *token, const char **why);
/* The token whose value is |value|, or NULL. */
struct hec_token *hec_tokens_find(struct hec_server *srv, const char *value);
/* The token named |id|, or else whose value is |id|, or NULL. */
struct hec_token *hec_tokens_find_id(struct hec_server *srv, const char *id);
bool hec_tokens_remove(struct hec_server *srv, const char *id);
json_t *hec_tokens_to_json(const struct hec_server *srv);

#endif
