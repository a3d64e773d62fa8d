/* SLS error responses (docs/protocol/sls-api.md §Errors): the JSON body {errorCode, errorMessage}
 * plus x-log-requestid become an sf_err whose class says how to react (docs/protocol/sls-api.md
 * §Error reactions), and a detail record whose text names the API, project, logstore, shard, code
 * and request id. Pure functions; thread-safe. */
#ifndef SF_SLS_ERROR_H
#define SF_SLS_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct sf_sls_error {
    const char *api; /* "PullLogs"; static string */
    char project[64];
    char logstore[64];
    int shard;           /* -1 when the call is not about one shard */
    long http_status;    /* 0 when no response arrived */
    char code[64];       /* errorCode from the body, "" when none */
    char message[256];   /* errorMessage, or the transport error, or a body excerpt */
    char request_id[64]; /* x-log-requestid, "" when none */
};

/* Maps an HTTP status and an errorCode/errorMessage pair to an sf_err (docs/protocol/sls-api.md
 * §Error reactions). Codes are matched case-insensitively, with the service's misspellings
 * (ConsumerNotExsit, ShardNotExsit). */
sf_err sf_sls_error_classify(long http_status, const char *code, const char *message);

/* Parses a non-200 response body into |detail| (code, message) and returns the class-bearing
 * sf_err. A body that is not the JSON error form keeps an excerpt as the message. */
sf_err
sf_sls_error_parse(long http_status, const uint8_t *body, size_t len, struct sf_sls_error *detail);

/* One logfmt fragment for users: api=… project=… logstore=… shard=… status=… code=…
 * request_id=… error="…" message="…". Returns |buf|. */
const char *
sf_sls_error_format(const struct sf_sls_error *detail, sf_err err, char *buf, size_t size);

/* True when a request that carried an SPL query (PullLogs with sls.query) was refused as
 * invalid: HTTP 400 with ParameterInvalid or a code slsfwd does not know. A bad cursor
 * (InvalidCursor), a missing shard, credentials or quota have codes of their own and are not
 * the statement's fault. */
bool sf_sls_error_is_query(const struct sf_sls_error *detail, sf_err err);

/* sf_sls_error_format preceded by source="…" query="…": for a refused statement, so the line
 * names the source and the statement at fault. The statement is quoted with its line breaks
 * as \n and cut after 200 bytes (with "..."). Returns |buf|. */
const char *sf_sls_query_error_format(const char *source,
                                      const char *query,
                                      const struct sf_sls_error *detail,
                                      sf_err err,
                                      char *buf,
                                      size_t size);

#endif
