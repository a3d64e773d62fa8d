/* Requests waiting for their indexer acknowledgement
 * (docs/protocol/hec.md §Indexer acknowledgement): a set keyed by ackId, kept as an array sorted by
 * id. An id held by two requests is held by neither (see sf_hec_acks_add). Splunk hands ids out per
 * channel from 0 upwards, so a new id almost always goes at the end; lookups are binary searches;
 * taking leaves a hole that is compacted once holes make up half the array, so answering thousands
 * of ids at once stays linear.
 */
#include <string.h>

#include "sink/hec_int.h"
#include "util/alloc.h"

#include "util/banned.h" /* last: poisons what the project does not use */

void sf_hec_acks_init(struct sf_hec_acks *acks)
{
    memset(acks, 0, sizeof(*acks));
}

void sf_hec_acks_cleanup(struct sf_hec_acks *acks)
{
    free(acks->v);
    memset(acks, 0, sizeof(*acks));
}

size_t sf_hec_acks_pending(const struct sf_hec_acks *acks)
{
    return acks->n - acks->n_taken;
}

static void compact(struct sf_hec_acks *acks)
{
    size_t o = 0;
    for (size_t i = 0; i < acks->n; i++) {
        if (acks->v[i].req) {
            acks->v[o++] = acks->v[i];
        }
    }
    acks->n = o;
    acks->n_taken = 0;
}

/* Index of the first entry whose id is >= |ack_id|. */
static size_t lower_bound(const struct sf_hec_acks *acks, uint64_t ack_id)
{
    size_t lo = 0, hi = acks->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (acks->v[mid].ack_id < ack_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static struct sf_hec_request *take_at(struct sf_hec_acks *acks, size_t i)
{
    struct sf_hec_request *req = acks->v[i].req;
    acks->v[i].req = NULL;
    acks->n_taken++;
    if (acks->n_taken * 2 > acks->n) {
        compact(acks);
    }
    return req;
}

struct sf_hec_request *
sf_hec_acks_add(struct sf_hec_acks *acks, uint64_t ack_id, struct sf_hec_request *req)
{
    size_t i = lower_bound(acks, ack_id);
    if (i < acks->n && acks->v[i].ack_id == ack_id) {
        if (acks->v[i].req) {
            /* Two requests, one id: a "true" for it may be either's. Neither keeps it. */
            return take_at(acks, i);
        }
        acks->v[i].req = req; /* a hole left by a taken id: reuse it */
        acks->n_taken--;
        return NULL;
    }
    if (acks->n == acks->cap) {
        acks->cap = acks->cap ? acks->cap * 2 : 64;
        acks->v = sf_xrealloc(acks->v, acks->cap * sizeof(acks->v[0]));
    }
    memmove(&acks->v[i + 1], &acks->v[i], (acks->n - i) * sizeof(acks->v[0]));
    acks->v[i] = (struct sf_hec_ack_entry){.ack_id = ack_id, .req = req};
    acks->n++;
    return NULL;
}

struct sf_hec_request *sf_hec_acks_take(struct sf_hec_acks *acks, uint64_t ack_id)
{
    size_t i = lower_bound(acks, ack_id);
    if (i >= acks->n || acks->v[i].ack_id != ack_id || !acks->v[i].req) {
        return NULL;
    }
    return take_at(acks, i);
}

struct sf_hec_request *
sf_hec_acks_take_asked(struct sf_hec_acks *acks, uint64_t ack_id, uint64_t max_seq)
{
    size_t i = lower_bound(acks, ack_id);
    if (i >= acks->n || acks->v[i].ack_id != ack_id || !acks->v[i].req ||
        acks->v[i].req->ack_seq > max_seq) {
        return NULL;
    }
    return take_at(acks, i);
}

size_t sf_hec_acks_take_expired(struct sf_hec_acks *acks,
                                int64_t cutoff_ms,
                                void (*fn)(void *ctx, struct sf_hec_request *req),
                                void *ctx)
{
    size_t n_expired = 0;
    for (size_t i = 0; i < acks->n; i++) {
        struct sf_hec_request *req = acks->v[i].req;
        if (req && req->acked_ms < cutoff_ms) {
            acks->v[i].req = NULL;
            acks->n_taken++;
            n_expired++;
            fn(ctx, req);
        }
    }
    if (acks->n_taken * 2 > acks->n) {
        compact(acks);
    }
    return n_expired;
}

sf_err sf_hec_acks_query(const struct sf_hec_acks *acks, size_t max_ids, struct sf_buf *out)
{
    sf_buf_reset(out);
    sf_err err = sf_buf_append_cstr(out, "{\"acks\":[");
    size_t n_ids = 0;
    for (size_t i = 0; i < acks->n && n_ids < max_ids && !err; i++) {
        if (acks->v[i].req) {
            err = sf_buf_printf(out, "%s%llu", n_ids ? "," : "",
                                (unsigned long long)acks->v[i].ack_id);
            n_ids++;
        }
    }
    return err ? err : sf_buf_append_cstr(out, "]}");
}
