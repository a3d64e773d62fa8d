/* Consumer-group calls: create/list/update/delete, heartbeat, checkpoints (docs/protocol/sls-api.md
 * §APIs; sls-consumer-group.md). */
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

static sf_err parse_group(json_t *item, void *group)
{
    struct sf_sls_group *out = group;
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
    /* SDKs parse a bare array; one doc page shows {"consumerGroups": [...]}
     * (docs/protocol/sls-api.md §CreateConsumerGroup and ListConsumerGroup). */
    json_t *array = json_is_array(root) ? root : json_object_get(root, "consumerGroups");
    err = sf_sls_api_parse_list(array, sizeof(**groups), parse_group, (void **)groups, n_groups,
                                "ListConsumerGroup: not a list of {name, timeout, order}", detail);
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

/* "[0,1]": the bare array every SDK sends (docs/protocol/sls-api.md §ConsumerGroupHeartBeat). */
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

static sf_err parse_shard_id(json_t *item, void *id)
{
    if (!json_is_integer(item) || json_integer_value(item) < 0 ||
        json_integer_value(item) > INT_MAX) {
        return SF_ERR_INVALID;
    }
    *(int *)id = (int)json_integer_value(item);
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
        err = sf_sls_api_parse_list(root, sizeof(**assigned), parse_shard_id, (void **)assigned,
                                    n_assigned, "heartbeat answer is not a list of shard ids",
                                    detail);
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
                                struct sf_sls_error *detail)
{
    struct sf_sls_request req;
    sf_sls_request_init(&req, "ConsumerGroupUpdateCheckPoint", "POST", logstore, shard);
    sf_sls_request_param(&req, "type", "checkpoint");
    if (consumer) {
        sf_sls_request_param(&req, "consumer", consumer);
    }
    /* With a consumer name, false: what the Java consumer library sends. The Java SDK
     * documents true as "succeed whether or not the consumer holds the shard" (Go and Python
     * send true), so true could let a consumer that lost the shard overwrite the new owner's
     * checkpoint (docs/protocol/sls-consumer-group.md §Checkpoints). Lower-case, as Go and Java
     * send and sign it (docs/protocol/sls-api.md §Signature v1). */
    sf_sls_request_param(&req, "forceSuccess", consumer ? "false" : "true");
    sf_err err = sf_sls_api_path(&req, detail, logstore, group, NULL, -1);
    if (err) {
        return err;
    }
    json_t *body = json_pack("{s:i, s:s}", "shard", shard, "checkpoint", cursor);
    return sf_sls_api_send_json(sls, &req, body, detail);
}

static sf_err parse_checkpoint(json_t *item, void *checkpoint)
{
    struct sf_sls_checkpoint *out = checkpoint;
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
    err = sf_sls_api_parse_list(root, sizeof(**checkpoints), parse_checkpoint, (void **)checkpoints,
                                n_checkpoints, "GetCheckPoint: not a list of {shard, checkpoint}",
                                detail);
out:
    json_decref(root);
    return err;
}
