/* The server object: construction from options and teardown. */
#include <stdio.h>
#include <string.h>

#include "acks.h"
#include "hec.h"
#include "util/clock.h"

#include "util/banned.h"

static const char *const endpoint_names[] = {
#define HEC_ENDPOINT_NAME(id, name) name,
    HEC_ENDPOINT_LIST(HEC_ENDPOINT_NAME)
#undef HEC_ENDPOINT_NAME
};

const char *hec_endpoint_name(enum hec_endpoint ep)
{
    return (unsigned)ep < HEC_EP__COUNT ? endpoint_names[ep] : "other";
}

/* "a,b" -> ",a,b," (the form hec_index_allowed searches); empty names are dropped. */
static void set_index_allow(char *out, size_t size, const char *list)
{
    out[0] = '\0';
    if (!list || !list[0]) {
        return;
    }
    size_t used = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0 && used + len + 3 <= size) {
            used +=
                (size_t)snprintf(out + used, size - used, "%s%.*s,", used ? "" : ",", (int)len, p);
        }
        p += len;
        if (*p == ',') {
            p++;
        }
    }
}

void hec_server_init(struct hec_server *srv, const struct hec_server_options *opts)
{
    memset(srv, 0, sizeof(*srv));
    pthread_mutex_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->out_lock, NULL);
    srv->is_count_only = opts->is_count_only;
    srv->is_ack_all = opts->is_ack_all;
    srv->is_query_token_all = opts->is_query_token_all;
    srv->is_lenient_time = opts->is_lenient_time;
    srv->is_raw_channel_required = opts->is_raw_channel_required;
    srv->max_event_size = opts->max_event_size;
    set_index_allow(srv->index_allow, sizeof(srv->index_allow), opts->index_allow);
    srv->out_fd = opts->out_fd;
    atomic_init(&srv->max_content_length,
                opts->max_content_length ? opts->max_content_length : HEC_DEFAULT_MAX_CONTENT);
    atomic_init(&srv->ack_delay_ms, opts->ack_delay_ms);
    atomic_init(&srv->n_requests, 0);
    for (size_t i = 0; i < opts->n_tokens && i < HEC_MAX_TOKENS; i++) {
        srv->tokens[srv->n_tokens++] = opts->tokens[i];
    }
    srv->faults.next_id = 1;
    srv->faults.rng = opts->seed ^ 0x9E3779B97F4A7C15ull;
    srv->n_indexers = opts->indexers > 1 ? opts->indexers : 1;
    if (srv->n_indexers > HEC_MAX_INDEXERS) {
        srv->n_indexers = HEC_MAX_INDEXERS;
    }
    for (size_t i = 0; i < srv->n_indexers; i++) {
        srv->indexer_acks[i] =
            hec_acks_new(opts->ack_max_channels, opts->ack_max_pending, opts->ack_idle_ms);
    }
    srv->acks = srv->indexer_acks[0];
    srv->started_ms = sf_now_ms();
}

struct hec_acks *hec_server_route(struct hec_server *srv)
{
    return srv->indexer_acks[srv->lb_turn++ % srv->n_indexers];
}

void hec_server_cleanup(struct hec_server *srv)
{
    for (size_t i = 0; i < srv->n_indexers; i++) {
        hec_acks_free(srv->indexer_acks[i]);
    }
    pthread_mutex_destroy(&srv->out_lock);
    pthread_mutex_destroy(&srv->lock);
    memset(srv, 0, sizeof(*srv));
    srv->out_fd = -1;
}
