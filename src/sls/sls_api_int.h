/* Helpers shared by the sls_api_*.c files; not for other modules. */
#ifndef SF_SLS_API_INT_H
#define SF_SLS_API_INT_H

#include <jansson.h>

#include "sls/sls_api.h"

/* Control responses (JSON) are small; a bigger one is refused rather than buffered. */
#define SF_SLS_JSON_MAX_BYTES ((size_t)8 << 20)

/* Formats the request path /logstores/<logstore>[/consumergroups/<group>][<suffix>][/<shard>]
 * (|shard| < 0: none), refusing a logstore or group name that could change the path. */
sf_err sf_sls_api_path(struct sf_sls_request *req,
                       struct sf_sls_error *detail,
                       const char *logstore,
                       const char *group,
                       const char *suffix,
                       int shard);

/* Runs |req| and parses a 200 body as JSON into |*root| (NULL when the body is empty and
 * |allow_empty|). */
sf_err sf_sls_api_json_call(struct sf_sls_client *sls,
                            struct sf_sls_request *req,
                            bool allow_empty,
                            json_t **root,
                            struct sf_sls_error *detail);

/* Sends a JSON body built by jansson; no response body expected. */
sf_err sf_sls_api_send_json(struct sf_sls_client *sls,
                            struct sf_sls_request *req,
                            json_t *body,
                            struct sf_sls_error *detail);

/* Copies a JSON string into |dst|; false when it is not a string or does not fit. */
bool sf_sls_api_copy_string(json_t *value, char *dst, size_t size);

/* Parses one element of a JSON list into |out|; SF_ERR_INVALID when it is malformed. */
typedef sf_err (*sf_sls_api_item_fn)(json_t *item, void *out);

/* Turns the JSON array |array| into a heap array of |item_size|-byte items (free() it) with
 * |parse|; a non-array or a malformed item is a malformed response described by |what|. */
sf_err sf_sls_api_parse_list(json_t *array,
                             size_t item_size,
                             sf_sls_api_item_fn parse,
                             void **items,
                             size_t *n_items,
                             const char *what,
                             struct sf_sls_error *detail);

/* Marks |detail| with a malformed-response message and returns SF_ERR_INVALID. */
sf_err sf_sls_api_bad_response(struct sf_sls_error *detail, const char *what);

#endif
