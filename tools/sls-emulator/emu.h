/* sls-emulator: the in-memory model of an SLS region (projects, logstores, shards, consumer
 * groups) and the request/response types the HTTP layer and the fuzzer hand to emu_handle().
 * All mutable state lives in struct emu_server and is guarded by its one mutex |lock|;
 * stored LogGroups are immutable and refcounted, so PullLogs copies and compresses them
 * after dropping the lock. Projects, logstores and shards are never freed while the server
 * runs, so pointers to them stay valid across lock releases. */
#ifndef EMU_H
#define EMU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/reply.h"
#include "common/request.h"
#include "lz4splice.h"

/* Shards: the service caps them per project (400, raised on request up to 800: "Basic
 * resource limits", alibabacloud.com/help/en/sls/basic-resources), not per logstore, so one
 * logstore may hold up to 800 at creation. Shard ids are never reused and read-only shards
 * keep theirs, so a logstore has room for 1024 ids in all, leaving room to split. Each id
 * costs a pointer in the logstore and a struct emu_cg_shard (~220 bytes) in every consumer
 * group: ~225 KB per group at 1024. */
#define EMU_MAX_SHARDS     1024 /* shard ids per logstore, read-only ones included */
#define EMU_MAX_NEW_SHARDS 800  /* shards of a logstore at creation */
#define EMU_MAX_GROUPS     30   /* consumer groups per logstore: ConsumerGroupQuotaExceed past it */
#define EMU_MAX_CONSUMERS  256  /* live consumers per consumer group */
#define EMU_NAME_MAX       128  /* project, logstore, group and consumer names */
#define EMU_CURSOR_MAX     64   /* a decimal int64 in base64 is 28; sls-api.md §Cursors: <= 64 */
#define EMU_KEY_HEX        33   /* 32 hex digits of an MD5 hash-range bound + NUL */
#define EMU_MAX_LOGSTORES  64   /* per project */
#define EMU_MAX_PROJECTS   64
#define EMU_VERSION        "0.1.0"

/* ---------------------------------------------------------------------------------------- */
/* Stored data                                                                               */

/* One LogGroup as received or generated. |data| is already framed as a LogGroupList entry
 * (tag 0x0A, varint length, LogGroup bytes), so a PullLogs body is a plain concatenation. */
struct emu_lg {
    atomic_int refs;
    int64_t recv_time_s; /* server receive time: GetCursor(from=time), retention */
    uint32_t n_logs;
    uint32_t len;
    struct emu_lz4_block lz4; /* |data| compressed on its own (emu_lg_seal); data NULL if not */
    uint8_t data[];
};

/* Frames |len| bytes of LogGroup; with |loggroup| NULL the payload is left for the caller to
 * write at data + (len_total - len) (the generator packs in place). */
struct emu_lg *emu_lg_new(const uint8_t *loggroup, size_t len, uint32_t n_logs, int64_t recv_s);
/* Pre-compresses |data| for PullLogs (lz4splice.h). Call once, before the LogGroup is shared. */
void emu_lg_seal(struct emu_lg *lg);
void emu_lg_ref(struct emu_lg *lg);
void emu_lg_unref(struct emu_lg *lg);

struct emu_shard {
    int id;
    bool is_readonly;
    uint64_t uid; /* unique in the process: cache key; never reused */
    char begin_key[EMU_KEY_HEX];
    char end_key[EMU_KEY_HEX];
    int64_t create_time_s;
    int parents[2]; /* shards this one was split or merged from */
    int n_parents;
    int64_t first_seq;      /* sequence number of groups[0]; grows as retention drops data */
    struct emu_lg **groups; /* retained LogGroups, one sequence number each (sls-api.md §Cursors) */
    size_t n_groups;
    size_t cap_groups;
    uint64_t n_logs_total; /* ever appended, for stats */
    uint64_t raw_bytes_total;
};

static inline int64_t emu_shard_end_seq(const struct emu_shard *shard)
{
    return shard->first_seq + (int64_t)shard->n_groups;
}

/* Per-shard view of one consumer group (docs/protocol/sls-consumer-group.md §Model). The state
 * names of the Java README are derived (emu_assign_state), not stored, except ownership and the
 * transfer mark. */
enum emu_cg_state {
    EMU_CG_NOT_ALLOC,
    EMU_CG_ALLOC,
    EMU_CG_TRANSFER,
    EMU_CG_WAIT,
    EMU_CG_OVER,
};

struct emu_cg_shard {
    int owner;        /* index into emu_group.consumers, -1 when free */
    bool is_transfer; /* owner must stop reporting it before anyone else gets it */
    bool is_told;     /* the owner has seen it in a heartbeat answer */
    char checkpoint[EMU_CURSOR_MAX + 1];
    int64_t update_time_us;
    char committer[EMU_NAME_MAX + 1];
};

struct emu_consumer {
    bool in_use;
    char name[EMU_NAME_MAX + 1];
    int64_t last_heartbeat_ms; /* monotonic */
    uint64_t n_heartbeats;
};

struct emu_group {
    char name[EMU_NAME_MAX + 1];
    int timeout_s;
    bool in_order;
    struct emu_consumer consumers[EMU_MAX_CONSUMERS];
    struct emu_cg_shard shards[EMU_MAX_SHARDS]; /* indexed by shard id */
};

struct emu_logstore {
    char name[EMU_NAME_MAX + 1];
    int64_t create_time_s;
    int ttl_days;
    struct emu_shard *shards[EMU_MAX_SHARDS]; /* indexed by shard id; ids are never reused */
    int n_shards;
    struct emu_group *groups[EMU_MAX_GROUPS];
    int n_groups;
    unsigned rr_next;   /* PutLogs load balancing */
    uint64_t gen_rng;   /* generator state: deterministic per logstore and --seed */
    uint64_t gen_packs; /* __pack_id__ counter */
};

struct emu_project {
    char name[EMU_NAME_MAX + 1];
    int64_t create_time_s;
    struct emu_logstore *logstores[EMU_MAX_LOGSTORES];
    int n_logstores;
};

/* ---------------------------------------------------------------------------------------- */
/* Faults (faults.c)                                                                         */

enum emu_fault_type {
    EMU_FAULT_500,       /* 500 InternalServerError */
    EMU_FAULT_503,       /* 503 ServerBusy */
    EMU_FAULT_403,       /* 403 ReadQuotaExceed */
    EMU_FAULT_403_SHARD, /* 403 ShardReadQuotaExceed */
    EMU_FAULT_LATENCY,   /* sleep |latency_ms|, then answer normally */
    EMU_FAULT_DROP,      /* close the connection without a response; request not applied */
    EMU_FAULT_TRUNCATE,  /* apply the request, send half the body, close */
    EMU_FAULT_DENIED,    /* 403 Unauthorized: the RAM policy lacks this API's action */
};

#define EMU_MAX_FAULTS 32

struct emu_fault {
    int id;
    char api[40]; /* API name as in stats, or "*" */
    enum emu_fault_type type;
    double rate; /* probability per matching request */
    int latency_ms;
    long remaining; /* fires at most this many more times; -1 = unlimited */
    uint64_t n_fired;
};

struct emu_faults {
    struct emu_fault rules[EMU_MAX_FAULTS];
    int n_rules;
    int next_id;
    uint64_t rng;
};

/* ---------------------------------------------------------------------------------------- */
/* The server                                                                                */

struct emu_key {
    char *id;
    char *secret;
    char *sts_token; /* NULL: requests must not carry x-acs-security-token */
};

#define EMU_API_LIST(X)                                   \
    X(LIST_LOGSTORES, "ListLogStores")                    \
    X(GET_LOGSTORE, "GetLogStore")                        \
    X(LIST_SHARDS, "ListShards")                          \
    X(GET_CURSOR, "GetCursor")                            \
    X(GET_CURSOR_TIME, "GetCursorTime")                   \
    X(PULL_LOGS, "PullLogs")                              \
    X(POST_LOGS, "PostLogStoreLogs")                      \
    X(CREATE_GROUP, "CreateConsumerGroup")                \
    X(LIST_GROUPS, "ListConsumerGroup")                   \
    X(UPDATE_GROUP, "UpdateConsumerGroup")                \
    X(DELETE_GROUP, "DeleteConsumerGroup")                \
    X(HEARTBEAT, "ConsumerGroupHeartBeat")                \
    X(UPDATE_CHECKPOINT, "ConsumerGroupUpdateCheckPoint") \
    X(GET_CHECKPOINT, "GetCheckPoint")                    \
    X(CONTROL, "Control")                                 \
    X(UNKNOWN, "Unknown")

enum emu_api {
#define EMU_API_ENUM(id, name) EMU_API_##id,
    EMU_API_LIST(EMU_API_ENUM)
#undef EMU_API_ENUM
        EMU_API__COUNT
};

const char *emu_api_name(enum emu_api api);
/* Case-insensitive; "PutLogs" is accepted for PostLogStoreLogs. False when unknown. */
bool emu_api_parse(const char *name, enum emu_api *out);

struct emu_stats {
    uint64_t requests[EMU_API__COUNT];
    uint64_t errors[EMU_API__COUNT];
    uint64_t auth_failures;
    uint64_t faults_fired;
    uint64_t pulled_groups;
    uint64_t pulled_logs;
    uint64_t bytes_raw;  /* PullLogs bodies before compression */
    uint64_t bytes_wire; /* PullLogs bodies as sent */
    uint64_t posted_groups;
    uint64_t posted_logs;
};

struct emu_cache;
struct emu_creds;
struct emu_creds_options;

struct emu_server {
    pthread_mutex_t lock;

    /* Fixed after emu_server_init: read without the lock. */
    struct emu_key *keys;
    size_t n_keys;
    bool is_no_auth;
    char *region;          /* v4 scope region to require; NULL accepts any */
    bool is_strict_utf8;   /* PutLogs: refuse non-UTF-8 values with InvalidEncoding */
    size_t max_pull_bytes; /* raw bytes per PullLogs response (at least one LogGroup) */
    uint64_t max_generate; /* logs per control-plane generate call */
    uint64_t seed;
    struct emu_cache *cache; /* has its own lock */
    struct emu_creds *creds; /* issued STS/ECS credentials; has its own lock (creds.h) */
    atomic_uint_fast64_t n_requests;

    /* Guarded by |lock|. */
    struct emu_project *projects[EMU_MAX_PROJECTS];
    int n_projects;
    int64_t retention_s;   /* 0 = keep forever */
    uint64_t next_log_seq; /* the generator's global `seq` content value */
    uint64_t next_shard_uid;
    struct emu_faults faults;
    struct emu_stats stats;
};

struct emu_server_options {
    const struct emu_key *keys; /* copied */
    size_t n_keys;
    bool is_no_auth;
    const char *region;
    bool is_strict_utf8;
    size_t max_pull_bytes;
    size_t cache_bytes;
    uint64_t max_generate;
    uint64_t seed;
    int64_t retention_s;
    const struct emu_creds_options *creds; /* NULL: defaults (no cap, any role) */
};

void emu_server_init(struct emu_server *srv, const struct emu_server_options *opts);
void emu_server_cleanup(struct emu_server *srv);

/* The lookups below need srv->lock held. They return NULL when absent. */
struct emu_project *emu_project_find(struct emu_server *srv, const char *name, size_t len);
struct emu_logstore *emu_logstore_find(struct emu_project *project, const char *name, size_t len);
struct emu_shard *emu_shard_find(struct emu_logstore *ls, long long id);
struct emu_group *emu_group_find(struct emu_logstore *ls, const char *name, size_t len);

/* ---------------------------------------------------------------------------------------- */
/* One HTTP exchange: struct tc_request (common/request.h) in, emu_response out.             */

/* An immutable, shareable response body (cached PullLogs bodies are handed to several
 * connections at once). */
struct emu_body {
    atomic_int refs;
    size_t len;
    uint8_t data[];
};

struct emu_body *emu_body_new(size_t len);
struct emu_body *emu_body_from(const void *data, size_t len);
void emu_body_ref(struct emu_body *body);
void emu_body_unref(struct emu_body *body);

enum emu_action {
    EMU_ACTION_NONE,
    EMU_ACTION_DROP,     /* close without answering */
    EMU_ACTION_TRUNCATE, /* announce the full length, send half, close */
};

struct emu_response {
    int status;
    enum emu_api api;
    struct tc_reply_headers headers;
    const char *content_type; /* static string or NULL */
    struct emu_body *body;    /* owned reference, or NULL for an empty body */
    enum emu_action action;
    int delay_ms;
};

/* Serves one request: fills |resp| (status, headers, body, fault action). Never fails; any
 * input, however malformed, gets an SLS-style answer. Thread-safe. */
void emu_handle(struct emu_server *srv, const struct tc_request *req, struct emu_response *resp);
void emu_response_cleanup(struct emu_response *resp);
/* The value of response header |name| (case-insensitive), or NULL. */
const char *emu_response_header(const struct emu_response *resp, const char *name);

/* Wall-clock seconds and microseconds used for receive times, Date checks and updateTime. */
int64_t emu_now_s(void);
int64_t emu_now_us(void);

#endif
