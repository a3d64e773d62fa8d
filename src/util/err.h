/* Error codes for every module, each with its text and its retry class.
 * Retry loops consult sf_err_class(), never single codes. SF_OK is 0.
 * Any thread may call these functions. */
#ifndef SF_UTIL_ERR_H
#define SF_UTIL_ERR_H

/* X(code, class, text) */
#define SF_ERR_LIST(X)                                                                       \
    X(SF_OK, SF_ERRCLASS_NONE, "success")                                                    \
    X(SF_ERR_INVALID, SF_ERRCLASS_PERMANENT, "malformed input")                              \
    X(SF_ERR_TOO_BIG, SF_ERRCLASS_PERMANENT, "input larger than the configured limit")       \
    X(SF_ERR_FULL, SF_ERRCLASS_RETRY, "bounded buffer or queue is full")                     \
    X(SF_ERR_TIMEOUT, SF_ERRCLASS_RETRY, "deadline passed")                                  \
    X(SF_ERR_NET, SF_ERRCLASS_RETRY, "connect, TLS or transfer failure")                     \
    X(SF_ERR_IO, SF_ERRCLASS_RETRY, "local file or system call failure")                     \
    X(SF_ERR_CONFIG, SF_ERRCLASS_FATAL, "invalid configuration")                             \
    X(SF_ERR_HTTP_RETRY, SF_ERRCLASS_RETRY, "server asked us to come back later")            \
    X(SF_ERR_HTTP_REJECT, SF_ERRCLASS_PERMANENT, "server refused this payload")              \
    X(SF_ERR_AUTH, SF_ERRCLASS_FATAL, "credentials refused")                                 \
    X(SF_ERR_AUTH_EXPIRED, SF_ERRCLASS_RETRY, "temporary credentials expired; refresh them") \
    X(SF_ERR_CLOCK, SF_ERRCLASS_RETRY, "request time too far from server time; check NTP")   \
    X(SF_ERR_THROTTLED, SF_ERRCLASS_RETRY, "read quota exceeded; backing off")               \
    X(SF_ERR_NOT_FOUND, SF_ERRCLASS_FATAL, "project or logstore does not exist")             \
    X(SF_ERR_CLIENT_BUG, SF_ERRCLASS_FATAL, "server rejected the request as malformed")      \
    X(SF_ERR_SLS_CURSOR, SF_ERRCLASS_PERMANENT, "cursor invalid or expired")                 \
    X(SF_ERR_SLS_SHARD_GONE, SF_ERRCLASS_PERMANENT, "shard does not exist")                  \
    X(SF_ERR_SLS_NOT_OWNER, SF_ERRCLASS_PERMANENT, "shard is owned by another consumer")     \
    X(SF_ERR_SLS_CONSUMER_GONE, SF_ERRCLASS_PERMANENT, "consumer expired on the server")     \
    X(SF_ERR_SLS_GROUP_GONE, SF_ERRCLASS_PERMANENT, "consumer group does not exist")         \
    X(SF_ERR_SLS_GROUP_EXISTS, SF_ERRCLASS_PERMANENT, "consumer group already exists")       \
    X(SF_ERR_SLS_GROUP_QUOTA, SF_ERRCLASS_FATAL, "too many consumer groups on the logstore") \
    X(SF_ERR_SLS_BAD_CHECKPOINT, SF_ERRCLASS_PERMANENT, "checkpoint refused as malformed")   \
    X(SF_ERR_SLS_NO_SHARDS, SF_ERRCLASS_RETRY, "logstore has no shards")                     \
    X(SF_ERR_CANCELLED, SF_ERRCLASS_RETRY, "abandoned: the coord is stopping")

enum sf_errclass {
    SF_ERRCLASS_NONE,
    SF_ERRCLASS_RETRY,     /* transient: retry after a backoff */
    SF_ERRCLASS_PERMANENT, /* this request will never succeed: react to the code */
    SF_ERRCLASS_FATAL,     /* configuration or credentials: a human must act */
};

typedef enum {
#define SF_ERR_ENUM(code, class, text) code,
    SF_ERR_LIST(SF_ERR_ENUM)
#undef SF_ERR_ENUM
        SF_ERR__COUNT
} sf_err;

/* "malformed input"; never NULL. */
const char *sf_err_str(sf_err err);
/* "SF_ERR_INVALID", for logfmt fields; never NULL. */
const char *sf_err_name(sf_err err);
enum sf_errclass sf_err_class(sf_err err);
/* "retry", "permanent", "fatal" or "none". */
const char *sf_errclass_name(enum sf_errclass cls);

#endif
