/* POST /services/collector/ack: {"acks":[0,1,2]} → {"acks":{"0":true,"1":false,"2":true}}
 * (docs/protocol/hec.md §Indexer acknowledgement). The router has checked the token has useACK and
 * the channel is a GUID. */
#include <stdio.h>

#include "acks.h"
#include "handler.h"
#include "util/clock.h"

#include "util/banned.h"

#define MAX_ACK_ID ((json_int_t)1 << 53)

void hec_api_ack(struct hec_ctx *ctx)
{
    if (ctx->body_len == 0) {
        hec_reply_code(ctx->resp, 5);
        return;
    }
    json_error_t error;
    json_t *root = json_loadb((const char *)ctx->body, ctx->body_len, 0, &error);
    json_t *ids = json_object_get(root, "acks");
    bool is_valid = json_is_array(ids);
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (!json_is_integer(id) || json_integer_value(id) < 0 ||
            json_integer_value(id) > MAX_ACK_ID) {
            is_valid = false;
        }
    }
    if (!is_valid) {
        json_decref(root);
        hec_reply_code(ctx->resp, 6);
        return;
    }
    json_t *answers = json_object();
    uint64_t n_true = 0, n_false = 0;
    int64_t now_ms = sf_now_ms();
    pthread_mutex_lock(&ctx->srv->lock);
    struct hec_acks *acks = hec_ctx_acks(ctx); /* the indexer the balancer sent this query to */
    json_array_foreach(ids, i, id)
    {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(id));
        if (json_object_get(answers, key)) {
            continue; /* asked twice in one query: one answer */
        }
        bool is_indexed =
            hec_acks_query(acks, ctx->channel, (uint64_t)json_integer_value(id), now_ms);
        json_object_set_new(answers, key, json_boolean(is_indexed));
        n_true += is_indexed;
        n_false += !is_indexed;
    }
    ctx->srv->stats.ack_queries++;
    ctx->srv->stats.acks_true += n_true;
    ctx->srv->stats.acks_false += n_false;
    pthread_mutex_unlock(&ctx->srv->lock);
    json_decref(root);
    hec_reply_json(ctx->resp, 200, json_pack("{s:o}", "acks", answers));
}
