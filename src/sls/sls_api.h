/* Typed calls for every SLS API a consumer needs (docs/protocol/sls-api.md §APIs), over the
 * synchronous transport of sls_client.h. Each call clears its out-parameters first, returns SF_OK
 * only on HTTP 200 with a well-formed body, and otherwise fills |detail| (may not be NULL) for
 * sf_sls_error_format. Responses are untrusted: every field is type- and bound-checked. One thread
 * per client. */
#ifndef SF_SLS_API_H
#define SF_SLS_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/decompress.h"
#include "codec/loggroup.h"
#include "sls/sls_client.h"
#include "util/arena.h"

struct sf_sls_shard {
    int shard_id;
    bool is_readonly; /* status "readonly": split or merged, no new data */
    char begin_key[40];
    char end_key[40];
    long long create_time;
};

struct sf_sls_group {
    char name[128];
    int timeout_s;
    bool order;
};

struct sf_sls_checkpoint {
    int shard_id;
    char cursor[SF_SLS_CURSOR_MAX]; /* "" when never committed */
    long long update_time_us;
    char consumer[128];
};

/* Result of sf_sls_pull; init once, reuse for every pull (buffers and arena are kept). */
struct sf_sls_pull_result {
    char next_cursor[SF_SLS_CURSOR_MAX];
    size_t n_groups;       /* x-log-count: LogGroups in the body */
    size_t raw_size;       /* x-log-bodyrawsize: decompressed bytes */
    size_t wire_size;      /* bytes received */
    bool is_end_of_cursor; /* the server says the read reached the end of current data */
    /* With an SPL query: what SLS scanned before the statement filtered it (x-log-rawdatasize,
     * x-log-rawdatacount, x-log-rawdatalines), the logs it kept (x-log-resultlines) and failed
     * on (x-log-failedlines). -1 when the server did not say (always, without a query). */
    long long scanned_bytes;
    long long scanned_groups;
    long long scanned_logs;
    long long result_logs;
    long long failed_logs;
    struct sf_loggroup_list list; /* views into |raw|, arrays in |arena| */
    struct sf_buf raw;
    struct sf_arena arena;
    struct sf_sls_response resp;
};

void sf_sls_pull_result_init(struct sf_sls_pull_result *res,
                             size_t max_raw_bytes,
                             size_t max_wire_bytes);
void sf_sls_pull_result_cleanup(struct sf_sls_pull_result *res);

sf_err sf_sls_list_shards(struct sf_sls_client *sls,
                          const char *logstore,
                          struct sf_sls_shard **shards,
                          size_t *n_shards,
                          struct sf_sls_error *detail);

/* |from|: "begin", "end" or unix seconds as decimal text (docs/protocol/sls-api.md §GetCursor). */
sf_err sf_sls_get_cursor(struct sf_sls_client *sls,
                         const char *logstore,
                         int shard,
                         const char *from,
                         char cursor[SF_SLS_CURSOR_MAX],
                         struct sf_sls_error *detail);

/* Server receive time (unix seconds) of the data at |cursor|. */
sf_err sf_sls_get_cursor_time(struct sf_sls_client *sls,
                              const char *logstore,
                              int shard,
                              const char *cursor,
                              long long *unix_s,
                              struct sf_sls_error *detail);

/* Reads up to |count| (1..1000) LogGroups from |cursor| (stopping at |end_cursor| when not
 * NULL), decompresses them (|compress| is what to ask for; the server's x-log-compresstype
 * decides) and decodes them into |res|. An x-log-count that disagrees with the decoded body, a
 * size mismatch or a raw size above the limit is an error, never a silent truncation.
 *
 * |query| (NULL or "": none) is an SPL statement SLS runs on the |count| LogGroups it reads
 * before answering; it is sent as the Go and Python consumers send it: `query=<statement>`
 * plus `pullMode=scan_on_stream`. Then |res| holds what the statement kept (possibly no
 * LogGroups while next_cursor still moves) and the scanned_* fields what was read. A statement
 * SLS refuses comes back as the service's error (sf_sls_error_is_query tells it apart). */
sf_err sf_sls_pull(struct sf_sls_client *sls,
                   const char *logstore,
                   int shard,
                   const char *cursor,
                   int count,
                   const char *end_cursor,
                   const char *query,
                   enum sf_compress compress,
                   struct sf_sls_pull_result *res,
                   struct sf_sls_error *detail);

sf_err sf_sls_create_group(struct sf_sls_client *sls,
                           const char *logstore,
                           const char *group,
                           int timeout_s,
                           bool order,
                           struct sf_sls_error *detail);
sf_err sf_sls_list_groups(struct sf_sls_client *sls,
                          const char *logstore,
                          struct sf_sls_group **groups,
                          size_t *n_groups,
                          struct sf_sls_error *detail);
sf_err sf_sls_update_group(struct sf_sls_client *sls,
                           const char *logstore,
                           const char *group,
                           int timeout_s,
                           bool order,
                           struct sf_sls_error *detail);
sf_err sf_sls_delete_group(struct sf_sls_client *sls,
                           const char *logstore,
                           const char *group,
                           struct sf_sls_error *detail);

/* Reports |held| (held ∪ releasing shards, docs/protocol/sls-consumer-group.md §Heartbeat) and
 * returns the server's assignment in
 * |*assigned| (free() it). */
sf_err sf_sls_heartbeat(struct sf_sls_client *sls,
                        const char *logstore,
                        const char *group,
                        const char *consumer,
                        const int *held,
                        size_t n_held,
                        int **assigned,
                        size_t *n_assigned,
                        struct sf_sls_error *detail);

/* Commits |cursor| for |shard| as |consumer|, who must own the shard (forceSuccess=false):
 * a consumer that lost it gets SF_ERR_SLS_NOT_OWNER or SF_ERR_SLS_CONSUMER_GONE instead of
 * overwriting the new owner's checkpoint. |consumer| NULL is an admin reset
 * (forceSuccess=true, no ownership check). */
sf_err sf_sls_update_checkpoint(struct sf_sls_client *sls,
                                const char *logstore,
                                const char *group,
                                const char *consumer,
                                int shard,
                                const char *cursor,
                                struct sf_sls_error *detail);

/* All shards' checkpoints, or one shard's when |shard| >= 0 (an empty list when unknown). */
sf_err sf_sls_get_checkpoints(struct sf_sls_client *sls,
                              const char *logstore,
                              const char *group,
                              int shard,
                              struct sf_sls_checkpoint **checkpoints,
                              size_t *n_checkpoints,
                              struct sf_sls_error *detail);

#endif
