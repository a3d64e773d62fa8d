/* Logstore-level calls: ListShards, GetCursor, GetCursorTime, PullLogs (docs/protocol/sls-api.md
 * §APIs). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sls/sls_api_int.h"
#include "util/alloc.h"
#include "util/banned.h"

static sf_err parse_shard(json_t *item, void *shard)
{
    struct sf_sls_shard *out = shard;
    json_t *id = json_object_get(item, "shardID");
    const char *status = json_string_value(json_object_get(item, "status"));
    if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) > INT_MAX ||
        !status) {
        return SF_ERR_INVALID;
    }
    out->shard_id = (int)json_integer_value(id);
    out->is_readonly = strcmp(status, "readonly") == 0;
    sf_sls_api_copy_string(json_object_get(item, "inclusiveBeginKey"), out->begin_key,
                           sizeof(out->begin_key));
    sf_sls_api_copy_string(json_object_get(item, "exclusiveEndKey"), out->end_key,
                           sizeof(out->end_key));
    out->create_time = json_integer_value(json_object_get(item, "createTime"));
    return SF_OK;
}

sf_err sf_sls_list_shards(struct sf_sls_client *sls,
                          const char *logstore,
                          struct sf_sls_shard **shards,
                          size_t *n_shards,
                          struct sf_sls_error *detail)
{
    *shards = NULL;
    *n_shards = 0;
    struct sf_sls_request req;
    sf_sls_request_init(&req, "ListShards", "GET", logstore, -1);
    sf_err err = sf_sls_api_path(&req, detail, logstore, NULL, "/shards", -1);
    json_t *root = NULL;
    if (!err) {
        err = sf_sls_api_json_call(sls, &req, false, &root, detail);
    }
    if (!err) {
        err = sf_sls_api_parse_list(root, sizeof(**shards), parse_shard, (void **)shards, n_shards,
                                    "ListShards: not a list of {shardID, status}", detail);
    }
    json_decref(root);
    return err;
}

sf_err sf_sls_get_cursor(struct sf_sls_client *sls,
                         const char *logstore,
                         int shard,
                         const char *from,
                         char cursor[SF_SLS_CURSOR_MAX],
                         struct sf_sls_error *detail)
{
    cursor[0] = '\0';
    struct sf_sls_request req;
    sf_sls_request_init(&req, "GetCursor", "GET", logstore, shard);
    sf_sls_request_param(&req, "type", "cursor");
    sf_sls_request_param(&req, "from", from);
    sf_err err = sf_sls_api_path(&req, detail, logstore, NULL, "/shards", shard);
    json_t *root = NULL;
    if (!err) {
        err = sf_sls_api_json_call(sls, &req, false, &root, detail);
    }
    if (!err &&
        (!sf_sls_api_copy_string(json_object_get(root, "cursor"), cursor, SF_SLS_CURSOR_MAX) ||
         !cursor[0])) {
        cursor[0] = '\0';
        err = sf_sls_api_bad_response(detail, "GetCursor body has no usable cursor");
    }
    json_decref(root);
    return err;
}

sf_err sf_sls_get_cursor_time(struct sf_sls_client *sls,
                              const char *logstore,
                              int shard,
                              const char *cursor,
                              long long *unix_s,
                              struct sf_sls_error *detail)
{
    *unix_s = 0;
    struct sf_sls_request req;
    sf_sls_request_init(&req, "GetCursorTime", "GET", logstore, shard);
    sf_sls_request_param(&req, "type", "cursor_time");
    sf_sls_request_param(&req, "cursor", cursor);
    sf_err err = sf_sls_api_path(&req, detail, logstore, NULL, "/shards", shard);
    json_t *root = NULL;
    if (!err) {
        err = sf_sls_api_json_call(sls, &req, false, &root, detail);
    }
    if (!err) {
        json_t *value = json_object_get(root, "cursor_time");
        if (json_is_integer(value) && json_integer_value(value) >= 0) {
            *unix_s = json_integer_value(value);
        } else {
            err = sf_sls_api_bad_response(detail, "GetCursorTime body has no cursor_time");
        }
    }
    json_decref(root);
    return err;
}

void sf_sls_pull_result_init(struct sf_sls_pull_result *res,
                             size_t max_raw_bytes,
                             size_t max_wire_bytes)
{
    memset(res, 0, sizeof(*res));
    sf_buf_init(&res->raw, max_raw_bytes);
    sf_arena_init(&res->arena, 64 * 1024);
    sf_sls_response_init(&res->resp, max_wire_bytes);
}

void sf_sls_pull_result_cleanup(struct sf_sls_pull_result *res)
{
    sf_buf_cleanup(&res->raw);
    sf_arena_cleanup(&res->arena);
    sf_sls_response_cleanup(&res->resp);
}

/* Turns a 200 PullLogs response into decoded LogGroups (docs/protocol/sls-api.md §PullLogs;
 * sls-loggroup.md §Compression). */
static sf_err decode_pull_body(struct sf_sls_pull_result *res,
                               const char *request_cursor,
                               struct sf_sls_error *detail)
{
    const struct sf_sls_response *resp = &res->resp;
    /* An empty x-log-cursor means "stay where you are" (Python/Java guard, docs/protocol/sls-api.md
     * §PullLogs). */
    snprintf(res->next_cursor, sizeof(res->next_cursor), "%s",
             resp->has_cursor ? resp->cursor : request_cursor);
    res->wire_size = resp->body.len;
    res->is_end_of_cursor = resp->end_of_cursor;
    res->scanned_bytes = resp->raw_data_size;
    res->scanned_groups = resp->raw_data_count;
    res->scanned_logs = resp->raw_data_lines;
    res->result_logs = resp->result_lines;
    res->failed_logs = resp->failed_lines;

    enum sf_compress type = SF_COMPRESS_NONE;
    if (sf_compress_from_name(resp->compress_type, strlen(resp->compress_type), &type) != SF_OK) {
        snprintf(detail->message, sizeof(detail->message), "unknown x-log-compresstype \"%s\"",
                 resp->compress_type);
        return SF_ERR_INVALID;
    }
    long long raw_size = resp->raw_size;
    if (raw_size < 0) {
        if (type != SF_COMPRESS_NONE && resp->body.len) {
            return sf_sls_api_bad_response(detail, "compressed body without x-log-bodyrawsize");
        }
        raw_size = (long long)resp->body.len;
    }
    res->raw_size = (size_t)raw_size;

    const uint8_t *raw = resp->body.ptr;
    if (raw_size == 0) {
        raw = NULL; /* no data: the body may hold anything (sls-api.md §Response headers) */
    } else if (type != SF_COMPRESS_NONE || (size_t)raw_size != resp->body.len) {
        sf_err err = sf_decompress(type, resp->body.ptr, resp->body.len, (size_t)raw_size,
                                   res->raw.max, &res->raw);
        if (err) {
            snprintf(detail->message, sizeof(detail->message),
                     "%s body of %zu bytes does not decompress to x-log-bodyrawsize %lld",
                     type == SF_COMPRESS_NONE ? "uncompressed" : sf_compress_name(type),
                     resp->body.len, raw_size);
            return err;
        }
        raw = res->raw.ptr;
    }
    sf_arena_reset(&res->arena);
    sf_err err = sf_loggroup_decode(raw, (size_t)raw_size, &res->arena, &res->list);
    if (err) {
        return sf_sls_api_bad_response(detail, "LogGroupList does not decode");
    }
    res->n_groups = res->list.n_groups;
    if (resp->count >= 0 && (size_t)resp->count != res->list.n_groups) {
        snprintf(detail->message, sizeof(detail->message),
                 "x-log-count %lld but the body holds %zu LogGroups", resp->count,
                 res->list.n_groups);
        return SF_ERR_INVALID;
    }
    return SF_OK;
}

sf_err sf_sls_pull(struct sf_sls_client *sls,
                   const char *logstore,
                   int shard,
                   const char *cursor,
                   int count,
                   const char *end_cursor,
                   const char *query,
                   enum sf_compress compress,
                   struct sf_sls_pull_result *res,
                   struct sf_sls_error *detail)
{
    res->next_cursor[0] = '\0';
    res->n_groups = 0;
    res->raw_size = 0;
    res->wire_size = 0;
    res->is_end_of_cursor = false;
    res->scanned_bytes = -1;
    res->scanned_groups = -1;
    res->scanned_logs = -1;
    res->result_logs = -1;
    res->failed_logs = -1;
    memset(&res->list, 0, sizeof(res->list));

    char count_text[16];
    snprintf(count_text, sizeof(count_text), "%d", count);
    struct sf_sls_request req;
    sf_sls_request_init(&req, "PullLogs", "GET", logstore, shard);
    sf_sls_request_param(&req, "type", "log");
    sf_sls_request_param(&req, "cursor", cursor);
    sf_sls_request_param(&req, "count", count_text);
    if (end_cursor && end_cursor[0]) {
        sf_sls_request_param(&req, "end_cursor", end_cursor);
    }
    if (query && query[0]) {
        /* Both SDKs send the mode with the statement (go-sdk model.go ToURLParams,
         * python-sdk logclient.py pull_logs); the Java SDK's documented example sets it by hand. */
        sf_sls_request_param(&req, "query", query);
        sf_sls_request_param(&req, "pullMode", "scan_on_stream");
    }
    req.accept_encoding = sf_compress_name(compress);
    sf_err err = sf_sls_api_path(&req, detail, logstore, NULL, "/shards", shard);
    if (!err && (count < 1 || count > 1000)) {
        snprintf(detail->message, sizeof(detail->message), "count %d is outside 1..1000", count);
        err = SF_ERR_CONFIG;
    }
    if (!err) {
        err = sf_sls_client_perform(sls, &req, &res->resp, detail);
    }
    if (!err) {
        err = decode_pull_body(res, cursor, detail);
    }
    if (err) {
        memset(&res->list, 0, sizeof(res->list));
        res->n_groups = 0;
    }
    return err;
}
