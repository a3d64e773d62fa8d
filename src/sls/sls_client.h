/* HTTP transport for the SLS API: endpoint and virtual host, per-attempt signing, headers,
 * TLS, timeouts, keep-alive, and the response's x-log-* headers and body.
 *
 * Two ways to run a call: sf_sls_client_perform() does it synchronously on the client's own
 * keep-alive connection (one thread at a time per client: the coord thread), and
 * sf_sls_call_prepare()/sf_sls_call_finish() set up a caller's curl easy handle so a fetch
 * thread can drive many calls at once through curl multi. Credentials may be swapped from any
 * thread (STS refresh); every attempt is signed with the current ones. */
#ifndef SF_SLS_CLIENT_H
#define SF_SLS_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "sls/sls_error.h"
#include "sls/sls_sign.h"
#include "util/buf.h"

#define SF_SLS_CURSOR_MAX 128 /* bytes, with the NUL; real cursors are ~30 */
#define SF_SLS_MAX_PARAMS 8

struct sf_sls_client_config {
    /* "cn-hangzhou.log.aliyuncs.com" (https implied), "https://…", "http://127.0.0.1:8080".
     * An IP address or localhost is connected to directly, with Host: <project>.<endpoint>. */
    const char *endpoint;
    const char *project;
    struct sf_sls_credentials creds;
    int sign_version;    /* 1 (default when 0) or 4 */
    const char *region;  /* v4 only; derived from the endpoint when NULL */
    const char *ca_file; /* NULL: the system CA store */
    /* The HTTP proxy for every request, as sf_proxy_resolve() (util/proxy.h) decided it for
     * sf_sls_client_target() of this endpoint: "http://[user:password@]host:port", or NULL/""
     * for direct. libcurl's own reading of the proxy environment is off either way, so what
     * the caller logged is what happens. Requests are tunnelled with CONNECT (also to an
     * http:// endpoint), so an answer from the proxy is never taken for one from SLS. */
    const char *proxy;
    const char *proxy_credentials; /* secret "user:password" for the proxy; NULL: none */
    long connect_timeout_ms;       /* 0: 5000 */
    long timeout_ms;               /* whole request; 0: 60000 */
    const char *user_agent;        /* NULL: "slsfwd/<version>" */
    size_t max_response_bytes;     /* cap on a response body as received; 0: 64 MiB */
    /* Borrowed, may be NULL: once true, a call in flight is abandoned within about a second
     * (SF_ERR_CANCELLED) and new calls fail at once, so a stop need not wait for a long
     * PullLogs. The flag must outlive the client. */
    const atomic_bool *cancel;
};

struct sf_sls_client;

/* Validates |config| and copies what it needs. On SF_ERR_CONFIG |errbuf| says why. */
sf_err sf_sls_client_new(const struct sf_sls_client_config *config,
                         struct sf_sls_client **out,
                         char *errbuf,
                         size_t errbuf_size);
void sf_sls_client_free(struct sf_sls_client *sls);
/* Replaces the credentials used by the next attempt (STS rotation). Thread-safe. */
void sf_sls_client_set_credentials(struct sf_sls_client *sls,
                                   const struct sf_sls_credentials *creds);
const char *sf_sls_client_project(const struct sf_sls_client *sls);
size_t sf_sls_client_max_response_bytes(const struct sf_sls_client *sls);

/* What to send. Values of |params| are raw; the transport URL-encodes them. */
struct sf_sls_request {
    const char *api;    /* "PullLogs": for messages */
    const char *method; /* "GET", "POST", "PUT", "DELETE" */
    char path[384];
    struct sf_sls_param params[SF_SLS_MAX_PARAMS];
    size_t n_params;
    const uint8_t *body; /* borrowed until the call finishes */
    size_t body_len;
    const char *content_type;    /* with a body: "application/json" */
    const char *accept_encoding; /* PullLogs: "lz4", "zstd", "deflate", "" */
    const char *logstore;        /* for messages */
    int shard;                   /* for messages; -1 when none */
};

/* What came back. The body buffer is reused from call to call. */
struct sf_sls_response {
    long http_status;
    char request_id[64];
    char cursor[SF_SLS_CURSOR_MAX]; /* x-log-cursor */
    bool has_cursor;
    long long count;    /* x-log-count; -1 when absent */
    long long raw_size; /* x-log-bodyrawsize; -1 when absent */
    char compress_type[16];
    bool end_of_cursor; /* x-log-end-of-cursor: 1 */
    /* Sent only for a PullLogs with an SPL query (aliyun-log-go-sdk log_store.go): what SLS
     * read before the statement filtered it, and lines after/before/failed. -1 when absent. */
    long long raw_data_size;  /* x-log-rawdatasize: bytes scanned */
    long long raw_data_count; /* x-log-rawdatacount: LogGroups scanned */
    long long raw_data_lines; /* x-log-rawdatalines: logs scanned */
    long long result_lines;   /* x-log-resultlines: logs the statement kept */
    long long failed_lines;   /* x-log-failedlines: logs the statement failed on */
    bool header_invalid;      /* an x-log-* header we rely on was malformed or too long */
    bool body_too_big;
    struct sf_buf body;
};

void sf_sls_response_init(struct sf_sls_response *resp, size_t max_body);
void sf_sls_response_cleanup(struct sf_sls_response *resp);

#define SF_SLS_CALL_MAX_HEADERS 20

/* Per-transfer state that must outlive curl_easy_perform: the header list, whose nodes and
 * text live here (libcurl only reads the list). */
struct sf_sls_call {
    struct sf_sls_request req;
    struct sf_sls_response *resp;
    struct curl_slist *headers; /* &header_nodes[0] once prepared */
    struct curl_slist header_nodes[SF_SLS_CALL_MAX_HEADERS];
    char header_text[8192]; /* a security token is up to 4 KiB */
    size_t header_used;     /* bytes of header_text written (wiped after the transfer) */
    /* The PullLogs URL carries sls.query (up to 4 KiB) percent-encoded: up to 3 bytes each. */
    char url[16384];
    char errbuf[CURL_ERROR_SIZE];
};

/* Signs |call->req| with the current credentials and sets the call's options on |easy|. The
 * options every call shares are set once per handle (after a reset); a handle used for
 * something else in between must be prepared through another client, or reset by a failed
 * transfer. */
sf_err sf_sls_call_prepare(struct sf_sls_client *sls,
                           struct sf_sls_call *call,
                           CURL *easy,
                           struct sf_sls_error *detail);
/* Turns the transfer's outcome into an sf_err (SF_OK only for HTTP 200) and fills |detail|;
 * frees the header list. Call once per prepared call, whatever happened. */
sf_err sf_sls_call_finish(struct sf_sls_client *sls,
                          struct sf_sls_call *call,
                          CURL *easy,
                          CURLcode result,
                          struct sf_sls_error *detail);

/* prepare + perform + finish on the client's own connection. */
sf_err sf_sls_client_perform(struct sf_sls_client *sls,
                             const struct sf_sls_request *req,
                             struct sf_sls_response *resp,
                             struct sf_sls_error *detail);

/* Adds a query parameter; the value is copied into |storage| of |storage_size| bytes when
 * not NULL (for numbers), else borrowed. */
void sf_sls_request_init(struct sf_sls_request *req,
                         const char *api,
                         const char *method,
                         const char *logstore,
                         int shard);
void sf_sls_request_param(struct sf_sls_request *req, const char *key, const char *value);

/* The URL whose host and port the client connects to for |endpoint| and |project|
 * ("https://prod.cn-hangzhou.log.aliyuncs.com", "http://127.0.0.1:8080"): what a proxy and
 * NO_PROXY decision is about. False (|out| "") when the endpoint cannot be parsed. */
bool sf_sls_client_target(const char *endpoint, const char *project, char *out, size_t out_size);

/* Region from an endpoint such as "cn-hangzhou-intranet.log.aliyuncs.com" → "cn-hangzhou"
 * (docs/protocol/sls-api.md §Endpoint and Host); false when the endpoint is not an aliyuncs.com
 * region host. */
bool sf_sls_region_from_endpoint(const char *endpoint, char *out, size_t out_size);

#endif
