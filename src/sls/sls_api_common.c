#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sls/sls_api_int.h"
#include "util/alloc.h"
#include "util/str.h"

#include "util/banned.h"

/* Logstore and consumer-group names are [a-z0-9_-] (docs/protocol/sls-api.md §Limits); checking
 * them here keeps a configured name from adding path segments or a query to the request. */
static bool is_valid_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 128) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            return false;
        }
    }
    return true;
}

sf_err sf_sls_api_path(struct sf_sls_request *req,
                       struct sf_sls_error *detail,
                       const char *logstore,
                       const char *group,
                       const char *suffix,
                       int shard)
{
    memset(detail, 0, sizeof(*detail));
    detail->api = req->api;
    detail->shard = req->shard;
    sf_str_copy(detail->logstore, sizeof(detail->logstore), sf_str_from(logstore));
    if (!is_valid_name(logstore) || (group && !is_valid_name(group))) {
        snprintf(detail->message, sizeof(detail->message),
                 "logstore and consumer group names may hold only a-z, 0-9, '-' and '_'");
        return SF_ERR_CONFIG;
    }
    int n = snprintf(req->path, sizeof(req->path), "/logstores/%s", logstore);
    if (group) {
        n += snprintf(req->path + n, sizeof(req->path) - (size_t)n, "/consumergroups/%s", group);
    }
    if (suffix) {
        n += snprintf(req->path + n, sizeof(req->path) - (size_t)n, "%s", suffix);
    }
    if (shard >= 0) {
        n += snprintf(req->path + n, sizeof(req->path) - (size_t)n, "/%d", shard);
    }
    return n < (int)sizeof(req->path) ? SF_OK : SF_ERR_CONFIG;
}

sf_err sf_sls_api_bad_response(struct sf_sls_error *detail, const char *what)
{
    snprintf(detail->message, sizeof(detail->message), "malformed response: %s", what);
    return SF_ERR_INVALID;
}

sf_err sf_sls_api_json_call(struct sf_sls_client *sls,
                            struct sf_sls_request *req,
                            bool allow_empty,
                            json_t **root,
                            struct sf_sls_error *detail)
{
    *root = NULL;
    struct sf_sls_response resp;
    sf_sls_response_init(&resp, SF_SLS_JSON_MAX_BYTES);
    sf_err err = sf_sls_client_perform(sls, req, &resp, detail);
    if (err) {
        goto out;
    }
    if (resp.body.len == 0) {
        err = allow_empty ? SF_OK : sf_sls_api_bad_response(detail, "empty body");
        goto out;
    }
    json_error_t jerr;
    *root = json_loadb((const char *)resp.body.ptr, resp.body.len, 0, &jerr);
    if (!*root) {
        err = sf_sls_api_bad_response(detail, "body is not JSON");
    }
out:
    sf_sls_response_cleanup(&resp);
    return err;
}

sf_err sf_sls_api_send_json(struct sf_sls_client *sls,
                            struct sf_sls_request *req,
                            json_t *body,
                            struct sf_sls_error *detail)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text) {
        return sf_sls_api_bad_response(detail, "cannot encode request body");
    }
    req->body = (const uint8_t *)text;
    req->body_len = strlen(text);
    req->content_type = "application/json";
    /* These calls answer 200 with an empty body; whatever else comes is not needed. */
    struct sf_sls_response resp;
    sf_sls_response_init(&resp, SF_SLS_JSON_MAX_BYTES);
    sf_err err = sf_sls_client_perform(sls, req, &resp, detail);
    sf_sls_response_cleanup(&resp);
    free(text);
    return err;
}

bool sf_sls_api_copy_string(json_t *value, char *dst, size_t size)
{
    if (!json_is_string(value)) {
        return false;
    }
    size_t len = json_string_length(value);
    if (len >= size) {
        return false;
    }
    memcpy(dst, json_string_value(value), len);
    dst[len] = '\0';
    return true;
}

sf_err sf_sls_api_parse_list(json_t *array,
                             size_t item_size,
                             sf_sls_api_item_fn parse,
                             void **items,
                             size_t *n_items,
                             const char *what,
                             struct sf_sls_error *detail)
{
    *items = NULL;
    *n_items = 0;
    if (!json_is_array(array)) {
        return sf_sls_api_bad_response(detail, what);
    }
    size_t n = json_array_size(array);
    unsigned char *list = sf_xcalloc(n ? n : 1, item_size);
    for (size_t i = 0; i < n; i++) {
        if (parse(json_array_get(array, i), list + i * item_size) != SF_OK) {
            free(list);
            return sf_sls_api_bad_response(detail, what);
        }
    }
    *items = list;
    *n_items = n;
    return SF_OK;
}
