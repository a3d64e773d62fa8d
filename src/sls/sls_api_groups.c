/* Consumer-group calls: create/list/update/delete, heartbeat, checkpoints (spec §4, §8). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sls/sls_api_int.h"
#include "util/alloc.h"
#include "util/banned.h"

sf_err sf_sls_create_group(struct sf_sls_client *sls,
                           const char *logstore,
                           const char *group,
                           int timeout_s,
                           bool order,
                           struct sf_sls_error *detail)
{
    struct sf_sls_request req;
    sf_sls_request_init(&req, "CreateConsumerGroup", "POST", logstore, -1);
    sf_err err = sf_sls_api_path(&req, detail, logstore, NULL, "/consumergroups", -1);
    if (err) {
        return err;
    }
    json_t *body =
        json_pack("{s:s, s:i, s:b}", "consumerGroup", group, "timeout", timeout_s, "order", order);
    return sf_sls_api_send_json(sls, &req, body, detail);
}

static sf_err parse_group(json_t *item, struct sf_sls_group *out)
{
    json_t *timeout = json_object_get(item, "timeout");
    json_t *order = json_object_get(item, "order");
    if (!sf_sls_api_copy_string(json_object_get(item, "name"), out->name, sizeof(out->name)) ||
        !json_is_integer(timeout) || json_integer_value(timeout) < 0 ||
        json_integer_value(timeout) > INT_MAX) {
        return SF_ERR_INVALID;
    }
    out->timeout_s = (int)json_integer_value(timeout);
    out->order = json_is_true(order);
    return SF_OK;
}

sf_err sf_sls_list_groups(struct sf_sls_client *sls,
                          const char *logstore,
                          struct sf_sls_group **groups,
                          size_t *n_groups,
                          struct sf_sls_error *detail)
{
    *groups = NULL;
    *n_groups = 0;
    struct sf_sls_request req;
    sf_sls_request_init(&req, "ListConsumerGroup", "GET", logstore, -1);
    sf_err err = sf_sls_api_path(&req, detail, logstore, NULL, "/consumergroups", -1);
    json_t *root = NULL;
    if (!err) {
        err = sf_sls_api_json_call(sls, &req, false, &root, detail);
    }
    if (err) {
        goto out;
    }
    /* SDKs parse a bare array; one doc page shows {"consumerGroups": [...]} (spec §4). */
    json_t *array = json_is_array(root) ? root : json_object_get(root, "consumerGroups");
    if (!json_is_array(array)) {
        err = sf_sls_api_bad_response(detail, "ListConsumerGroup body is not a list");
        goto out;
    }
    size_t n = json_array_size(array);
    struct sf_sls_group *list = sf_xcalloc(n ? n : 1, sizeof(*list));
    for (size_t i = 0; i < n; i++) {
        if (parse_group(json_array_get(array, i), &list[i]) != SF_OK) {
            free(list);
            err = sf_sls_api_bad_response(detail, "consumer group without name or timeout");
            goto out;
        }
    }
    *groups = list;
    *n_groups = n;
out:
    json_decref(root);
    return err;
}

sf_err sf_sls_update_group(struct sf_sls_client *sls,
                           const char *logstore,
                           const char *group,
                           int timeout_s,
                           bool order,
                           struct sf_sls_error *detail)
{
    struct sf_sls_request req;
    sf_sls_request_init(&req, "UpdateConsumerGroup", "PUT", logstore, -1);
    sf_err err = sf_sls_api_path(&req, detail, logstore, group, NULL, -1);
    if (err) {
        return err;
    }
    json_t *body = json_pack("{s:b, s:i}", "order", order, "timeout", timeout_s);
    return sf_sls_api_send_json(sls, &req, body, detail);
}

sf_err sf_sls_delete_group(struct sf_sls_client *sls,
                           const char *logstore,
                           const char *group,
                           struct sf_sls_error *detail)
{
    struct sf_sls_request req;
    sf_sls_request_init(&req, "DeleteConsumerGroup", "DELETE", logstore, -1);
    sf_err err = sf_sls_api_path(&req, detail, logstore, group, NULL, -1);
    if (err) {
        return err;
    }
    struct sf_sls_response resp;
    sf_sls_response_init(&resp, SF_SLS_JSON_MAX_BYTES);
    err = sf_sls_client_perform(sls, &req, &resp, detail);
    sf_sls_response_cleanup(&resp);
    return err;
}

/* "[0,1]": the bare array every SDK sends (spec §4 ConsumerGroupHeartBeat). */
static char *shard_array_json(const int *ids, size_t n)
{
    json_t *array = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(array, json_integer(ids[i]));
    }
    char *text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    return text;
}

static sf_err parse_shard_array(json_t *root, int **ids, size_t *n, struct sf_sls_error *detail)
{
    if (!json_is_array(root)) {
        return sf_sls_api_bad_response(detail, "heartbeat response is not an array");
    }
    size_t count = json_array_size(root);
    int *list = sf_xcalloc(count ? count : 1, sizeof(*list));
    for (size_t i = 0; i < count; i++) {
        json_t *id = json_array_get(root, i);
        if (!json_is_integer(id) || json_integer_value(id) < 0 ||
            json_integer_value(id) > INT_MAX) {
            free(list);
            return sf_sls_api_bad_response(detail, "heartbeat response holds a non-shard value");
        }
        list[i] = (int)json_integer_value(id);
    }
    *ids = list;
    *n = count;
    return SF_OK;
}

sf_err sf_sls_heartbeat(struct sf_sls_client *sls,
                        const char *logstore,
                        const char *group,
                        const char *consumer,
                        const int *held,
                        size_t n_held,
                        int **assigned,
                        size_t *n_assigned,
                        struct sf_sls_error *detail)
{
    *assigned = NULL;
    *n_assigned = 0;
    struct sf_sls_request req;
    sf_sls_request_init(&req, "ConsumerGroupHeartBeat", "POST", logstore, -1);
    sf_sls_request_param(&req, "type", "heartbeat");
    sf_sls_request_param(&req, "consumer", consumer);
    sf_err err = sf_sls_api_path(&req, detail, logstore, group, NULL, -1);
    if (err) {
        return err;
    }
    char *body = shard_array_json(held, n_held);
    req.body = (const uint8_t *)body;
    req.body_len = strlen(body);
    req.content_type = "application/json";
    json_t *root = NULL;
    err = sf_sls_api_json_call(sls, &req, false, &root, detail);
    if (!err) {
        err = parse_shard_array(root, assigned, n_assigned, detail);
    }
    json_decref(root);
    free(body);
    return err;
}

sf_err sf_sls_update_checkpoint(struct sf_sls_client *sls,
                                const char *logstore,
                                const char *group,
                                const char *consumer,
                                int shard,
                                const char *cursor,
                                bool force,
                                struct sf_sls_error *detail)
{
    struct sf_sls_request req;
    sf_sls_request_init(&req, "ConsumerGroupUpdateCheckPoint", "POST", logstore, shard);
    sf_sls_request_param(&req, "type", "checkpoint");
    if (consumer) {
        sf_sls_request_param(&req, "consumer", consumer);
    }
    /* Lower-case booleans, as Go and Java send and sign them (spec §2.1). */
    sf_sls_request_param(&req, "forceSuccess", force ? "true" : "false");
    sf_err err = sf_sls_api_path(&req, detail, logstore, group, NULL, -1);
    if (err) {
        return err;
    }
    json_t *body = json_pack("{s:i, s:s}", "shard", shard, "checkpoint", cursor);
    return sf_sls_api_send_json(sls, &req, body, detail);
}

static sf_err parse_checkpoint(json_t *item, struct sf_sls_checkpoint *out)
{
    json_t *shard = json_object_get(item, "shard");
    json_t *cursor = json_object_get(item, "checkpoint");
    if (!json_is_integer(shard) || json_integer_value(shard) < 0 ||
        json_integer_value(shard) > INT_MAX) {
        return SF_ERR_INVALID;
    }
    out->shard_id = (int)json_integer_value(shard);
    if (cursor && !json_is_null(cursor) &&
        !sf_sls_api_copy_string(cursor, out->cursor, sizeof(out->cursor))) {
        return SF_ERR_INVALID;
    }
    out->update_time_us = json_integer_value(json_object_get(item, "updateTime"));
    sf_sls_api_copy_string(json_object_get(item, "consumer"), out->consumer, sizeof(out->consumer));
    return SF_OK;
}

sf_err sf_sls_get_checkpoints(struct sf_sls_client *sls,
                              const char *logstore,
                              const char *group,
                              int shard,
                              struct sf_sls_checkpoint **checkpoints,
                              size_t *n_checkpoints,
                              struct sf_sls_error *detail)
{
    *checkpoints = NULL;
    *n_checkpoints = 0;
    char shard_text[16];
    snprintf(shard_text, sizeof(shard_text), "%d", shard);
    struct sf_sls_request req;
    sf_sls_request_init(&req, "GetCheckPoint", "GET", logstore, shard);
    if (shard >= 0) {
        sf_sls_request_param(&req, "shard", shard_text);
    }
    sf_err err = sf_sls_api_path(&req, detail, logstore, group, NULL, -1);
    json_t *root = NULL;
    if (!err) {
        err = sf_sls_api_json_call(sls, &req, false, &root, detail);
    }
    if (err) {
        goto out;
    }
    if (!json_is_array(root)) {
        err = sf_sls_api_bad_response(detail, "GetCheckPoint body is not an array");
        goto out;
    }
    size_t n = json_array_size(root);
    struct sf_sls_checkpoint *list = sf_xcalloc(n ? n : 1, sizeof(*list));
    for (size_t i = 0; i < n; i++) {
        if (parse_checkpoint(json_array_get(root, i), &list[i]) != SF_OK) {
            free(list);
            err = sf_sls_api_bad_response(detail, "checkpoint without shard or cursor");
            goto out;
        }
    }
    *checkpoints = list;
    *n_checkpoints = n;
out:
    json_decref(root);
    return err;
}
