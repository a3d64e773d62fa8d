/* Consumer-group APIs (docs/protocol/sls-api.md §APIs): create/list/update/delete, heartbeat,
 * checkpoint update and read. Request bodies are JSON; malformed ones get 400 JsonInfoInvalid.
 * Assignment logic lives in assign.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_common.h"
#include "assign.h"
#include "cursor.h"
#include "util/alloc.h"
#include "util/clock.h"
#include "util/str.h"

#include "util/banned.h"

#define MAX_TIMEOUT_S 86400

json_t *emu_ctx_json_body(struct emu_ctx *ctx)
{
    json_error_t error;
    json_t *root = json_loadb((const char *)ctx->body, ctx->body_len, JSON_DECODE_ANY, &error);
    if (!root) {
        emu_reply_error(ctx->resp, 400, "JsonInfoInvalid", "Invalid json format: %s", error.text);
    }
    return root;
}

/* Group names: 2..128 of [a-z0-9_-], alphanumeric at both ends (docs/protocol/sls-api.md §Limits).
 */
static bool valid_group_name(const char *name)
{
    size_t len = strlen(name);
    if (len < 2 || len > EMU_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool is_alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!is_alnum && ((c != '-' && c != '_') || i == 0 || i == len - 1)) {
            return false;
        }
    }
    return true;
}

static struct emu_group *find_group(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg)
{
    struct emu_group *group = emu_group_find(ls, cg, strlen(cg));
    if (!group) {
        emu_reply_error(ctx->resp, 404, "ConsumerGroupNotExist",
                        "consumer group %.128s does not exist", cg);
    }
    return group;
}

/* Reads "timeout" and "order" from |root| when present; false after answering. */
static bool
read_settings(struct emu_ctx *ctx, json_t *root, int *timeout_s, bool *in_order, bool *has_any)
{
    json_t *timeout = json_object_get(root, "timeout");
    json_t *order = json_object_get(root, "order");
    if ((timeout && !json_is_integer(timeout)) || (order && !json_is_boolean(order))) {
        emu_reply_error(ctx->resp, 400, "JsonInfoInvalid",
                        "timeout must be an integer and order a boolean");
        return false;
    }
    if (timeout &&
        (json_integer_value(timeout) < 1 || json_integer_value(timeout) > MAX_TIMEOUT_S)) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "timeout must be in 1..86400");
        return false;
    }
    if (timeout) {
        *timeout_s = (int)json_integer_value(timeout);
    }
    if (order) {
        *in_order = json_is_true(order);
    }
    *has_any = timeout || order;
    return true;
}

static void create_locked(
    struct emu_ctx *ctx, struct emu_logstore *ls, const char *name, int timeout_s, bool in_order)
{
    if (emu_group_find(ls, name, strlen(name))) {
        emu_reply_error(ctx->resp, 400, "ConsumerGroupAlreadyExist",
                        "consumer group %s already exists", name);
        return;
    }
    if (ls->n_groups == EMU_MAX_GROUPS) {
        emu_reply_error(ctx->resp, 400, "ConsumerGroupQuotaExceed",
                        "consumer group quota exceed: a logstore has at most %d", EMU_MAX_GROUPS);
        return;
    }
    struct emu_group *group = sf_xcalloc(1, sizeof(*group));
    snprintf(group->name, sizeof(group->name), "%s", name);
    group->timeout_s = timeout_s;
    group->in_order = in_order;
    for (int s = 0; s < EMU_MAX_SHARDS; s++) {
        group->shards[s].owner = -1;
    }
    ls->groups[ls->n_groups++] = group;
    emu_reply_empty(ctx->resp);
}

void emu_api_create_group(struct emu_ctx *ctx, struct emu_logstore *ls)
{
    if (!emu_api_require_type(ctx, "application/json")) {
        return;
    }
    json_t *root = emu_ctx_json_body(ctx);
    if (!root) {
        return;
    }
    json_t *name = json_object_get(root, "consumerGroup");
    int timeout_s = 0;
    bool in_order = false;
    bool has_any = false;
    if (!json_is_object(root) || !json_is_string(name) || !json_object_get(root, "timeout")) {
        emu_reply_error(ctx->resp, 400, "JsonInfoInvalid",
                        "consumerGroup (string) and timeout (integer) are required");
    } else if (!valid_group_name(json_string_value(name))) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "consumer group name is invalid");
    } else if (read_settings(ctx, root, &timeout_s, &in_order, &has_any)) {
        pthread_mutex_lock(&ctx->srv->lock);
        create_locked(ctx, ls, json_string_value(name), timeout_s, in_order);
        pthread_mutex_unlock(&ctx->srv->lock);
    }
    json_decref(root);
}

void emu_api_list_groups(struct emu_ctx *ctx, struct emu_logstore *ls)
{
    json_t *list = json_array();
    pthread_mutex_lock(&ctx->srv->lock);
    for (int i = 0; i < ls->n_groups; i++) {
        const struct emu_group *group = ls->groups[i];
        json_array_append_new(list, json_pack("{s:s, s:i, s:b}", "name", group->name, "timeout",
                                              group->timeout_s, "order", group->in_order));
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    emu_reply_json(ctx->resp, list);
}

void emu_api_update_group(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg)
{
    if (!emu_api_require_type(ctx, "application/json")) {
        return;
    }
    json_t *root = emu_ctx_json_body(ctx);
    if (!root) {
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_group *group = find_group(ctx, ls, cg);
    int timeout_s = group ? group->timeout_s : 0;
    bool in_order = group ? group->in_order : false;
    bool has_any = false;
    if (group && !json_is_object(root)) {
        emu_reply_error(ctx->resp, 400, "JsonInfoInvalid", "body must be a JSON object");
    } else if (group && read_settings(ctx, root, &timeout_s, &in_order, &has_any)) {
        if (has_any) {
            group->timeout_s = timeout_s;
            group->in_order = in_order;
            emu_reply_empty(ctx->resp);
        } else {
            emu_reply_error(ctx->resp, 400, "JsonInfoInvalid", "timeout or order is required");
        }
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    json_decref(root);
}

void emu_api_delete_group(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg)
{
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_group *group = find_group(ctx, ls, cg);
    for (int i = 0; group && i < ls->n_groups; i++) {
        if (ls->groups[i] == group) {
            memmove(&ls->groups[i], &ls->groups[i + 1],
                    (size_t)(ls->n_groups - i - 1) * sizeof(ls->groups[0]));
            ls->n_groups--;
            free(group);
            emu_reply_empty(ctx->resp);
            break;
        }
    }
    pthread_mutex_unlock(&ctx->srv->lock);
}

static const char *consumer_param(struct emu_ctx *ctx, bool is_required)
{
    const char *consumer = emu_ctx_param_value(ctx, "consumer");
    if ((is_required && (!consumer || !consumer[0])) ||
        (consumer && (strlen(consumer) > EMU_NAME_MAX ||
                      !emu_is_utf8((const uint8_t *)consumer, strlen(consumer))))) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "consumer must be 1..128 bytes of UTF-8");
        return NULL;
    }
    return consumer ? consumer : "";
}

/* The heartbeat body: a bare JSON array of shard ids (docs/protocol/sls-api.md
 * §ConsumerGroupHeartBeat). */
static bool parse_held(struct emu_ctx *ctx, json_t *root, int *held, size_t *n_held)
{
    *n_held = 0;
    if (!json_is_array(root) || json_array_size(root) > EMU_MAX_SHARDS) {
        emu_reply_error(ctx->resp, 400, "JsonInfoInvalid", "body must be a JSON array of shards");
        return false;
    }
    size_t i;
    json_t *item;
    json_array_foreach(root, i, item)
    {
        json_int_t id = json_is_integer(item) ? json_integer_value(item) : -1;
        if (id < 0 || id > INT32_MAX) {
            emu_reply_error(ctx->resp, 400, "JsonInfoInvalid", "shard ids must be integers >= 0");
            return false;
        }
        held[(*n_held)++] = (int)id;
    }
    return true;
}

void emu_api_heartbeat(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg)
{
    const char *consumer = consumer_param(ctx, true);
    if (!consumer || !emu_api_require_type(ctx, "application/json")) {
        return;
    }
    json_t *root = emu_ctx_json_body(ctx);
    int *held = sf_arena_alloc(ctx->arena, EMU_MAX_SHARDS * sizeof(int));
    int *owned = sf_arena_alloc(ctx->arena, EMU_MAX_SHARDS * sizeof(int));
    size_t n_held = 0, n_owned = 0;
    if (!root || !parse_held(ctx, root, held, &n_held)) {
        json_decref(root);
        return;
    }
    json_decref(root);
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_group *group = find_group(ctx, ls, cg);
    enum emu_heartbeat_result result =
        group
            ? emu_assign_heartbeat(ls, group, consumer, held, n_held, sf_now_ms(), owned, &n_owned)
            : EMU_HEARTBEAT_OK;
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!group) {
        return;
    }
    if (result == EMU_HEARTBEAT_NOT_EXIST_WITH_BODY) {
        emu_reply_error(ctx->resp, 400, "NotExistConsumerWithBody",
                        "consumer %.128s does not exist and the heartbeat is not empty", consumer);
        return;
    }
    if (result == EMU_HEARTBEAT_TOO_MANY_CONSUMERS) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "too many consumers in the group");
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n_owned; i++) {
        json_array_append_new(list, json_integer(owned[i]));
    }
    emu_reply_json(ctx->resp, list);
}

/* forceSuccess: Go/Java send "true"/"false", Python "True"
 * (docs/protocol/sls-api.md §Signature v1). Absent or anything else is not forced: the strict
 * reading, so a client that omits it cannot rely on a bypass the service may not grant. */
static bool parse_force(const char *value)
{
    return value && strcasecmp(value, "true") == 0;
}

static void checkpoint_locked(struct emu_ctx *ctx,
                              struct emu_logstore *ls,
                              struct emu_group *group,
                              const char *consumer,
                              int shard_id,
                              const char *checkpoint)
{
    bool is_forced = parse_force(emu_ctx_param_value(ctx, "forceSuccess"));
    emu_assign_expire(group, sf_now_ms());
    if (!emu_shard_find(ls, shard_id)) {
        emu_reply_error(ctx->resp, 404, "ShardNotExist", "Shard %d does not exist", shard_id);
        return;
    }
    int64_t seq;
    if (strlen(checkpoint) > EMU_CURSOR_MAX || !emu_cursor_decode(checkpoint, &seq)) {
        emu_reply_error(ctx->resp, 400, "InvalidShardCheckPoint",
                        "checkpoint %.64s is not a valid cursor", checkpoint);
        return;
    }
    switch (emu_assign_may_commit(group, consumer, shard_id, is_forced)) {
    case EMU_COMMIT_OK:
        break;
    case EMU_COMMIT_CONSUMER_NOT_EXIST:
        emu_reply_error(ctx->resp, 404, "ConsumerNotExist", "consumer %.128s does not exist",
                        consumer);
        return;
    case EMU_COMMIT_NOT_MATCH:
        emu_reply_error(ctx->resp, 400, "ConsumerNotMatch",
                        "shard %d is not held by consumer %.128s", shard_id, consumer);
        return;
    case EMU_COMMIT_NEED_CONSUMER:
        emu_reply_error(ctx->resp, 400, "ParameterInvalid",
                        "consumer is required unless forceSuccess=true");
        return;
    }
    struct emu_cg_shard *cs = &group->shards[shard_id];
    snprintf(cs->checkpoint, sizeof(cs->checkpoint), "%s", checkpoint);
    snprintf(cs->committer, sizeof(cs->committer), "%s", consumer);
    cs->update_time_us = emu_now_us();
    emu_reply_empty(ctx->resp);
}

void emu_api_update_checkpoint(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg)
{
    const char *consumer = consumer_param(ctx, false);
    if (!consumer || !emu_api_require_type(ctx, "application/json")) {
        return;
    }
    json_t *root = emu_ctx_json_body(ctx);
    if (!root) {
        return;
    }
    json_t *shard = json_object_get(root, "shard");
    json_t *checkpoint = json_object_get(root, "checkpoint");
    if (!json_is_integer(shard) || !json_is_string(checkpoint) || json_integer_value(shard) < 0 ||
        json_integer_value(shard) > INT32_MAX) {
        emu_reply_error(ctx->resp, 400, "JsonInfoInvalid",
                        "shard (integer) and checkpoint (string) are required");
        json_decref(root);
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_group *group = find_group(ctx, ls, cg);
    if (group) {
        checkpoint_locked(ctx, ls, group, consumer, (int)json_integer_value(shard),
                          json_string_value(checkpoint));
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    json_decref(root);
}

void emu_api_get_checkpoint(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg)
{
    const char *shard_param = emu_ctx_param_value(ctx, "shard");
    long long only = -1;
    if (shard_param && !sf_str_to_i64(sf_str_from(shard_param), 0, 1ll << 30, &only)) {
        emu_reply_error(ctx->resp, 400, "ParameterInvalid", "shard must be an integer");
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_group *group = find_group(ctx, ls, cg);
    json_t *list = group ? json_array() : NULL;
    for (int s = 0; group && s < ls->n_shards; s++) {
        if (only >= 0 && s != only) {
            continue;
        }
        const struct emu_cg_shard *cs = &group->shards[s];
        json_array_append_new(list,
                              json_pack("{s:i, s:s, s:I, s:s}", "shard", s, "checkpoint",
                                        cs->checkpoint, "updateTime",
                                        (json_int_t)cs->update_time_us, "consumer", cs->committer));
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    if (list) {
        emu_reply_json(ctx->resp, list);
    }
}
