/* emu_handle(): one request from raw parts to an answer, in the order the service applies its
 * checks: project from Host (docs/protocol/sls-api.md §Endpoint and Host) → authentication → body
 * framing and decompression → API route and logstore → injected faults → the API itself. Everything
 * it needs from the HTTP layer is in struct tc_request, so the fuzzer drives it without sockets.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "codec.h"
#include "creds.h"
#include "faults.h"
#include "handler.h"
#include "util/str.h"

#include "util/banned.h"

#define MAX_RAW_BODY ((size_t)10 << 20) /* PutLogs: the SDKs' documented 10 MB raw ceiling */

struct route {
    enum emu_api api;
    struct emu_logstore *ls;
    const char *arg; /* shard id segment, group name, or hash key */
};

static bool is_method(const struct emu_ctx *ctx, const char *method)
{
    return strcmp(ctx->req->method, method) == 0;
}

static bool find_project(struct emu_ctx *ctx)
{
    const char *host = emu_request_header(ctx->req, "Host");
    if (!host || !host[0]) {
        emu_reply_error(ctx->resp, 400, "MissingHost", "Host does not exist in http header.");
        return false;
    }
    /* <project>.<endpoint>[:port]; the Python SDK sends <project>.<ip> for IP endpoints. */
    const char *dot = strchr(host, '.');
    size_t len = dot ? (size_t)(dot - host) : 0;
    pthread_mutex_lock(&ctx->srv->lock);
    ctx->project = len ? emu_project_find(ctx->srv, host, len) : NULL;
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!ctx->project) {
        emu_reply_error(ctx->resp, 404, "ProjectNotExist", "The Project does not exist : %.*s",
                        (int)(len ? len : strcspn(host, ":")), host);
        return false;
    }
    return true;
}

static void count_refusal(struct emu_server *srv, enum emu_auth_reason reason)
{
    switch (reason) {
    case EMU_AUTH_REASON_UNKNOWN_KEY:
        emu_creds_count_refusal(srv->creds, EMU_CRED_REFUSED_UNKNOWN);
        break;
    case EMU_AUTH_REASON_EXPIRED:
        emu_creds_count_refusal(srv->creds, EMU_CRED_REFUSED_EXPIRED);
        break;
    case EMU_AUTH_REASON_BAD_TOKEN:
        emu_creds_count_refusal(srv->creds, EMU_CRED_REFUSED_BAD_TOKEN);
        break;
    default:
        break;
    }
}

static bool authenticate(struct emu_ctx *ctx)
{
    if (ctx->srv->is_no_auth) {
        return true;
    }
    struct emu_auth_param *params =
        sf_arena_alloc(ctx->arena, (ctx->n_params + 1) * sizeof(*params));
    for (size_t i = 0; i < ctx->n_params; i++) {
        params[i] = (struct emu_auth_param){ctx->params[i].key, ctx->params[i].value,
                                            ctx->params[i].has_eq};
    }
    struct emu_auth_input in = {
        .method = ctx->req->method,
        .path = ctx->raw_path,
        .params = params,
        .n_params = ctx->n_params,
        .headers = ctx->req->headers,
        .n_headers = ctx->req->n_headers,
    };
    struct emu_auth_config cfg = {
        .keys = ctx->srv->keys,
        .n_keys = ctx->srv->n_keys,
        .creds = ctx->srv->creds,
        .region = ctx->srv->region,
        .now_s = emu_now_s(),
        .max_skew_s = 15 * 60,
    };
    struct emu_auth_failure failure;
    if (emu_auth_verify(&cfg, &in, ctx->req->body, ctx->req->body_len, &failure)) {
        return true;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    ctx->srv->stats.auth_failures++;
    pthread_mutex_unlock(&ctx->srv->lock);
    count_refusal(ctx->srv, failure.reason);
    emu_reply_error(ctx->resp, failure.status, failure.code, "%s", failure.message);
    return false;
}

/* x-log-bodyrawsize and x-log-compresstype (docs/protocol/sls-api.md §Request headers, common error
 * codes). Leaves the decompressed body in ctx->body. Chunked bodies without Content-Length are
 * accepted: the official OpenAPI SDKs (@alicloud/sls20201230 and its gateway) stream JSON bodies
 * that way, so the service evidently takes them. */
static bool prepare_body(struct emu_ctx *ctx)
{
    const struct tc_request *req = ctx->req;
    ctx->body = req->body;
    ctx->body_len = req->body_len;
    if (req->is_body_too_large) {
        emu_reply_error(ctx->resp, 400, "PostBodyTooLarge", "request body is too large.");
        return false;
    }
    const char *raw_size = emu_request_header(req, "x-log-bodyrawsize");
    long long raw_len = -1;
    if (raw_size && !sf_str_to_i64(sf_str_from(raw_size), 0, 1ll << 40, &raw_len)) {
        emu_reply_error(ctx->resp, 400, "InvalidBodyRawSize", "x-log-bodyrawsize is invalid.");
        return false;
    }
    const char *compress = emu_request_header(req, "x-log-compresstype");
    if (compress && req->body_len) {
        enum emu_codec codec;
        if (!emu_codec_parse(compress, strlen(compress), &codec)) {
            emu_reply_error(ctx->resp, 400, "InvalidCompressType",
                            "x-log-compresstype %.32s is unsupported.", compress);
            return false;
        }
        if (raw_len < 0) {
            emu_reply_error(ctx->resp, 400, "MissingBodyRawSize",
                            "x-log-bodyrawsize does not exist in header when it is necessary.");
            return false;
        }
        if ((size_t)raw_len > MAX_RAW_BODY) {
            emu_reply_error(ctx->resp, 400, "PostBodyTooLarge",
                            "Logs must be less than or equal to 10 MB.");
            return false;
        }
        uint8_t *raw = sf_arena_alloc(ctx->arena, (size_t)raw_len + 1);
        if (!emu_codec_decompress(codec, req->body, req->body_len, raw, (size_t)raw_len)) {
            emu_reply_error(ctx->resp, 400, "PostBodyUncompressError",
                            "Failed to decompress logs.");
            return false;
        }
        ctx->body = raw;
        ctx->body_len = (size_t)raw_len;
    }
    if (req->body_len && !emu_request_header(req, "Content-Type")) {
        emu_reply_error(ctx->resp, 400, "MissingContentType",
                        "Content-Type does not exist in http header when body is not empty.");
        return false;
    }
    return true;
}

static bool wrong_method(struct emu_ctx *ctx)
{
    emu_reply_error(ctx->resp, 405, "InvalidMethod", "Method %.16s is not supported for %.128s.",
                    ctx->req->method, ctx->raw_path);
    return false;
}

static bool route_shard_get(struct emu_ctx *ctx, struct route *r)
{
    const char *type = emu_ctx_param_value(ctx, "type");
    if (!is_method(ctx, "GET") && !is_method(ctx, "HEAD")) {
        return wrong_method(ctx);
    }
    if (type && strcmp(type, "cursor") == 0) {
        r->api = EMU_API_GET_CURSOR;
    } else if (type && strcmp(type, "cursor_time") == 0) {
        r->api = EMU_API_GET_CURSOR_TIME;
    } else if (type && (strcmp(type, "log") == 0 || strcmp(type, "logs") == 0)) {
        r->api = EMU_API_PULL_LOGS;
    } else {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "type must be cursor, cursor_time, log or logs.");
        return false;
    }
    return true;
}

static bool route_group(struct emu_ctx *ctx, struct route *r)
{
    const char *type = emu_ctx_param_value(ctx, "type");
    if (is_method(ctx, "PUT")) {
        r->api = EMU_API_UPDATE_GROUP;
    } else if (is_method(ctx, "DELETE")) {
        r->api = EMU_API_DELETE_GROUP;
    } else if (is_method(ctx, "GET")) {
        r->api = EMU_API_GET_CHECKPOINT;
    } else if (is_method(ctx, "POST") && type && strcmp(type, "heartbeat") == 0) {
        r->api = EMU_API_HEARTBEAT;
    } else if (is_method(ctx, "POST") && type && strcmp(type, "checkpoint") == 0) {
        r->api = EMU_API_UPDATE_CHECKPOINT;
    } else {
        return wrong_method(ctx);
    }
    return true;
}

/* Maps method and path to an API (docs/protocol/sls-api.md §APIs table, plus PutLogs and two
 * logstore reads). */
static bool route(struct emu_ctx *ctx, struct route *r)
{
    const char *const *seg = ctx->segs;
    size_t n = ctx->n_segs;
    *r = (struct route){.api = EMU_API_UNKNOWN};
    if (n == 0 || strcmp(seg[0], "logstores") != 0 || n > 4) {
        emu_reply_error(ctx->resp, 404, "NotFound", "No API matches %.16s %.128s.",
                        ctx->req->method, ctx->raw_path);
        return false;
    }
    if (n == 1) {
        r->api = EMU_API_LIST_LOGSTORES;
        return is_method(ctx, "GET") || wrong_method(ctx);
    }
    pthread_mutex_lock(&ctx->srv->lock);
    r->ls = emu_logstore_find(ctx->project, seg[1], strlen(seg[1]));
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!r->ls) {
        emu_reply_error(ctx->resp, 404, "LogStoreNotExist", "logstore %.128s does not exist",
                        seg[1]);
        return false;
    }
    if (n == 2) {
        r->api = is_method(ctx, "POST") ? EMU_API_POST_LOGS : EMU_API_GET_LOGSTORE;
        return is_method(ctx, "POST") || is_method(ctx, "GET") || wrong_method(ctx);
    }
    bool is_shards = strcmp(seg[2], "shards") == 0;
    bool is_groups = strcmp(seg[2], "consumergroups") == 0;
    if (n == 3 && is_shards) {
        r->api = EMU_API_LIST_SHARDS;
        return is_method(ctx, "GET") || wrong_method(ctx);
    }
    if (n == 3 && is_groups) {
        r->api = is_method(ctx, "POST") ? EMU_API_CREATE_GROUP : EMU_API_LIST_GROUPS;
        return is_method(ctx, "POST") || is_method(ctx, "GET") || wrong_method(ctx);
    }
    if (n == 4 && is_shards && (strcmp(seg[3], "lb") == 0 || strcmp(seg[3], "route") == 0)) {
        r->api = EMU_API_POST_LOGS;
        r->arg = strcmp(seg[3], "route") == 0 ? "" : NULL;
        return is_method(ctx, "POST") || wrong_method(ctx);
    }
    if (n == 4 && is_shards) {
        r->arg = seg[3];
        return route_shard_get(ctx, r);
    }
    if (n == 4 && is_groups && seg[3][0]) {
        r->arg = seg[3];
        return route_group(ctx, r);
    }
    if (n == 4 && is_groups) {
        return wrong_method(ctx); /* empty group name: the go-sdk#77 symptom */
    }
    emu_reply_error(ctx->resp, 404, "NotFound", "No API matches %.16s %.128s.", ctx->req->method,
                    ctx->raw_path);
    return false;
}

/* The RAM action that authorizes |api|: what the service names in a denial. */
static const char *ram_action(enum emu_api api)
{
    switch (api) {
    case EMU_API_PULL_LOGS:
    case EMU_API_GET_CURSOR:
        return "GetCursorOrData";
    case EMU_API_GET_CHECKPOINT:
        return "GetConsumerGroupCheckPoint";
    default:
        return emu_api_name(api);
    }
}

/* True when the API should still run (latency and truncation act around it). */
static bool apply_faults(struct emu_ctx *ctx, enum emu_api api)
{
    struct emu_fault_decision decision;
    pthread_mutex_lock(&ctx->srv->lock);
    emu_faults_decide(&ctx->srv->faults, api, &decision);
    enum emu_fault_type type = decision.error ? decision.error->type : EMU_FAULT_LATENCY;
    if (decision.error || decision.delay_ms) {
        ctx->srv->stats.faults_fired++;
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    ctx->resp->delay_ms = decision.delay_ms;
    if (!decision.error) {
        return true;
    }
    switch (type) {
    case EMU_FAULT_500:
        emu_reply_error(ctx->resp, 500, "InternalServerError", "Internal server error message.");
        return false;
    case EMU_FAULT_503:
        emu_reply_error(ctx->resp, 503, "ServerBusy",
                        "The server is busy, please try again later.");
        return false;
    case EMU_FAULT_403:
        emu_reply_error(ctx->resp, 403, "ReadQuotaExceed", "Read quota is exceeded.");
        return false;
    case EMU_FAULT_403_SHARD:
        emu_reply_error(ctx->resp, 403, "ShardReadQuotaExceed", "shard read quota exceeded.");
        return false;
    case EMU_FAULT_DENIED:
        emu_reply_error(ctx->resp, 403, "Unauthorized",
                        "denied by sts or ram, action: log:%s, resource: acs:log:*:*:project/%s",
                        ram_action(api), ctx->project ? ctx->project->name : "-");
        return false;
    case EMU_FAULT_DROP:
        emu_reply_error(ctx->resp, 500, "InternalServerError", "connection dropped");
        ctx->resp->action = EMU_ACTION_DROP;
        return false;
    default:
        ctx->resp->action = EMU_ACTION_TRUNCATE;
        return true;
    }
}

static void call_api(struct emu_ctx *ctx, const struct route *r)
{
    switch (r->api) {
    case EMU_API_LIST_LOGSTORES:
        emu_api_list_logstores(ctx);
        break;
    case EMU_API_GET_LOGSTORE:
        emu_api_get_logstore(ctx, r->ls);
        break;
    case EMU_API_LIST_SHARDS:
        emu_api_list_shards(ctx, r->ls);
        break;
    case EMU_API_GET_CURSOR:
    case EMU_API_GET_CURSOR_TIME:
    case EMU_API_PULL_LOGS:
        emu_api_shard_get(ctx, r->ls, r->arg, r->api);
        break;
    case EMU_API_POST_LOGS:
        emu_api_post_logs(ctx, r->ls, r->arg);
        break;
    case EMU_API_CREATE_GROUP:
        emu_api_create_group(ctx, r->ls);
        break;
    case EMU_API_LIST_GROUPS:
        emu_api_list_groups(ctx, r->ls);
        break;
    case EMU_API_UPDATE_GROUP:
        emu_api_update_group(ctx, r->ls, r->arg);
        break;
    case EMU_API_DELETE_GROUP:
        emu_api_delete_group(ctx, r->ls, r->arg);
        break;
    case EMU_API_HEARTBEAT:
        emu_api_heartbeat(ctx, r->ls, r->arg);
        break;
    case EMU_API_UPDATE_CHECKPOINT:
        emu_api_update_checkpoint(ctx, r->ls, r->arg);
        break;
    case EMU_API_GET_CHECKPOINT:
        emu_api_get_checkpoint(ctx, r->ls, r->arg);
        break;
    default:
        break;
    }
}

static void dispatch(struct emu_ctx *ctx)
{
    struct route r;
    if (!find_project(ctx) || !authenticate(ctx) || !prepare_body(ctx) || !route(ctx, &r)) {
        return;
    }
    ctx->resp->api = r.api;
    if (apply_faults(ctx, r.api)) {
        call_api(ctx, &r);
    }
}

void emu_handle(struct emu_server *srv, const struct tc_request *req, struct emu_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
    resp->api = EMU_API_UNKNOWN;
    /* 24 upper-hex digits, the shape of the service's request ids. */
    uint64_t n = atomic_fetch_add(&srv->n_requests, 1) + 1;
    emu_resp_header(resp, "x-log-requestid", "%08X%04X%012llX", (unsigned)emu_now_s(),
                    (unsigned)getpid() & 0xFFFF, (unsigned long long)n & 0xFFFFFFFFFFFFull);

    struct sf_arena arena;
    sf_arena_init(&arena, 16 * 1024);
    struct emu_ctx ctx = {.srv = srv, .req = req, .resp = resp, .arena = &arena};
    if (!req->method || !req->method[0]) {
        emu_reply_error(resp, 400, "ParameterInvalid", "missing method");
    } else if (emu_ctx_parse_target(&ctx)) {
        if (ctx.n_segs >= 1 && strcmp(ctx.segs[0], "_emulator") == 0) {
            resp->api = EMU_API_CONTROL;
            emu_control_handle(&ctx);
        } else {
            dispatch(&ctx);
        }
    }
    pthread_mutex_lock(&srv->lock);
    srv->stats.requests[resp->api]++;
    if (resp->status != 200) {
        srv->stats.errors[resp->api]++;
    }
    pthread_mutex_unlock(&srv->lock);
    sf_arena_cleanup(&arena);
}
