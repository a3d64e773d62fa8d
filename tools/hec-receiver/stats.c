#include "stats.h"

#include <stdio.h>
#include <string.h>

#include "acks.h"
#include "faults.h"
#include "util/clock.h"

#include "util/banned.h"

void hec_stats_count_response(struct hec_server *srv, const struct hec_response *resp)
{
    pthread_mutex_lock(&srv->lock);
    struct hec_ep_stats *ep = &srv->stats.endpoints[resp->endpoint];
    ep->requests++;
    if (resp->action != HEC_ACTION_NONE) {
        srv->stats.resets++;
    } else if (resp->status >= HEC_STATUS_MIN && resp->status <= HEC_STATUS_MAX) {
        ep->by_status[resp->status - HEC_STATUS_MIN]++;
    }
    if (resp->action == HEC_ACTION_NONE && resp->code >= 0 && resp->code <= HEC_CODE_MAX) {
        ep->by_code[resp->code]++;
    }
    pthread_mutex_unlock(&srv->lock);
}

static json_t *endpoint_json(const struct hec_ep_stats *ep)
{
    json_t *by_status = json_object(), *by_code = json_object();
    char key[16];
    for (int s = HEC_STATUS_MIN; s <= HEC_STATUS_MAX; s++) {
        if (ep->by_status[s - HEC_STATUS_MIN]) {
            snprintf(key, sizeof(key), "%d", s);
            json_object_set_new(by_status, key,
                                json_integer((json_int_t)ep->by_status[s - HEC_STATUS_MIN]));
        }
    }
    for (int c = 0; c <= HEC_CODE_MAX; c++) {
        if (ep->by_code[c]) {
            snprintf(key, sizeof(key), "%d", c);
            json_object_set_new(by_code, key, json_integer((json_int_t)ep->by_code[c]));
        }
    }
    return json_pack("{s:I, s:o, s:o}", "total", (json_int_t)ep->requests, "by_status", by_status,
                     "by_code", by_code);
}

json_t *hec_stats_json(struct hec_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    const struct hec_stats *st = &srv->stats;
    json_t *requests = json_object();
    for (int i = 0; i < HEC_EP__COUNT; i++) {
        json_object_set_new(requests, hec_endpoint_name((enum hec_endpoint)i),
                            endpoint_json(&st->endpoints[i]));
    }
    json_t *acks = hec_acks_to_json(srv->acks);
    for (size_t i = 1; i < srv->n_indexers; i++) { /* --indexers: the sums */
        json_t *more = hec_acks_to_json(srv->indexer_acks[i]);
        const char *key;
        json_t *value;
        json_object_foreach(more, key, value)
        {
            json_int_t sum = json_integer_value(json_object_get(acks, key));
            json_object_set_new(acks, key, json_integer(sum + json_integer_value(value)));
        }
        json_decref(more);
    }
    json_object_update_new(
        acks,
        json_pack("{s:I, s:I, s:I, s:I, s:I}", "issued", (json_int_t)st->acks_issued, "queries",
                  (json_int_t)st->ack_queries, "answered_true", (json_int_t)st->acks_true,
                  "answered_false", (json_int_t)st->acks_false, "lost", (json_int_t)st->acks_lost));
    json_t *root = json_pack(
        "{s:o, s:{s:I, s:I}, s:{s:I, s:I, s:I}, s:I, s:o, s:{s:I, s:I, s:o}, s:I, s:I, s:b, s:I}",
        "requests", requests, "events", "accepted", (json_int_t)st->events_accepted, "rejected",
        (json_int_t)st->events_rejected, "bytes", "wire", (json_int_t)st->bytes_wire,
        "decompressed", (json_int_t)st->bytes_decompressed, "accepted",
        (json_int_t)st->bytes_accepted, "gzip_requests", (json_int_t)st->requests_gzip, "acks",
        acks, "faults", "fired", (json_int_t)st->faults_fired, "resets", (json_int_t)st->resets,
        "rules", hec_faults_to_json(&srv->faults), "max_content_length",
        (json_int_t)atomic_load(&srv->max_content_length), "ack_delay_ms",
        (json_int_t)atomic_load(&srv->ack_delay_ms), "count_only", srv->is_count_only, "uptime_ms",
        (json_int_t)(sf_now_ms() - srv->started_ms));
    if (srv->n_indexers > 1) { /* --indexers: each one's ack state; "acks" has the sums */
        json_t *indexers = json_array();
        for (size_t i = 0; i < srv->n_indexers; i++) {
            json_array_append_new(indexers, hec_acks_to_json(srv->indexer_acks[i]));
        }
        json_object_set_new(root, "indexers", indexers);
    }
    pthread_mutex_unlock(&srv->lock);
    return root;
}

void hec_stats_reset(struct hec_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    memset(&srv->stats, 0, sizeof(srv->stats));
    pthread_mutex_unlock(&srv->lock);
}
