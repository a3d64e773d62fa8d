/* Lines → requests, and the bookkeeping that makes "delivered" exact (docs/internals/sink.md).
 * A batch's payload is NDJSON, one HEC event per line (pipeline/batch.h); it is indexed once (the
 * end of each line) so every cut afterwards — filling a request up to a byte limit, halving on
 * 413, cutting at invalid-event-number k — is a binary search, never a rescan. A request is a
 * list of (batch, first line, line count) segments, so it can be resent, sliced or settled
 * without copying any payload. An event is never split (docs/protocol/hec.md §Batching). */
#include <string.h>

#include "sink/hec_int.h"
#include "util/alloc.h"
#include "util/assert.h"

#include "util/banned.h" /* last: poisons what the project does not use */

#define POOL_MAX 64 /* records kept for reuse; more are freed */

void sf_hec_batcher_init(struct sf_hec_batcher *b)
{
    memset(b, 0, sizeof(*b));
    b->next_request_id = 1;
}

void sf_hec_batcher_cleanup(struct sf_hec_batcher *b)
{
    SF_ASSERT(b->n_live == 0);
    while (b->free_batches) {
        struct sf_hec_batch *hb = b->free_batches;
        b->free_batches = hb->next;
        free(hb->ends);
        free(hb);
    }
    while (b->free_requests) {
        struct sf_hec_request *req = b->free_requests;
        b->free_requests = req->next;
        free(req->segs);
        free(req);
    }
    b->n_free_batches = 0;
    b->n_free_requests = 0;
}

static size_t line_start(const struct sf_hec_batch *hb, size_t i)
{
    return i ? hb->ends[i - 1] : 0;
}

void sf_hec_seg_bytes(const struct sf_hec_seg *seg, const uint8_t **ptr, size_t *len)
{
    size_t start = line_start(seg->hb, seg->first);
    *ptr = seg->hb->batch->payload.ptr + start;
    *len = seg->hb->ends[seg->first + seg->n - 1] - start;
}

static void push_end(struct sf_hec_batch *hb, size_t end)
{
    if (hb->n_lines == hb->cap_ends) {
        hb->cap_ends = hb->cap_ends ? hb->cap_ends * 2 : 64;
        hb->ends = sf_xrealloc(hb->ends, hb->cap_ends * sizeof(hb->ends[0]));
    }
    hb->ends[hb->n_lines++] = (uint32_t)end;
}

/* Whether the batch's own line ends (pipeline/batch.h: recorded by the transform as it wrote
 * the payload) can stand for a search: one per event, rising, the last at the payload's end. A
 * line is then never blank, as no event is empty. */
static bool has_line_ends(const struct sf_batch *batch)
{
    size_t n = batch->n_payload_ends;
    const uint32_t *ends = batch->payload_ends;
    if (n == 0 || n != batch->n_events || ends[n - 1] != batch->payload.len) {
        return false;
    }
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (ends[i] <= prev) {
            return false;
        }
        prev = ends[i];
    }
    return true;
}

/* Records the end of every line. A blank line ("\n" alone) is no event: it joins the next
 * line's bytes (Splunk skips whitespace between events), so event numbers stay exact. */
static void index_lines(struct sf_hec_batch *hb)
{
    const uint8_t *p = hb->batch->payload.ptr;
    size_t len = hb->batch->payload.len;
    SF_ASSERT(len < UINT32_MAX);
    hb->n_lines = 0;
    if (hb->cap_ends < hb->batch->n_events) {
        free(hb->ends);
        hb->cap_ends = hb->batch->n_events;
        hb->ends = sf_xmalloc(hb->cap_ends * sizeof(hb->ends[0]));
    }
    if (has_line_ends(hb->batch)) {
        /* The payload's bytes are not read here: the request (gzip or send) reads them once. */
        memcpy(hb->ends, hb->batch->payload_ends, hb->batch->n_events * sizeof(hb->ends[0]));
        hb->n_lines = hb->batch->n_events;
        return;
    }
    size_t pos = 0;
    while (pos < len) {
        const uint8_t *nl = memchr(p + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - p) + 1 : len; /* a last line without '\n' counts too */
        if (end - pos > 1 || !nl) {
            push_end(hb, end);
        }
        pos = end;
    }
}

static struct sf_hec_batch *batch_record(struct sf_hec_batcher *b)
{
    struct sf_hec_batch *hb = b->free_batches;
    if (hb) {
        b->free_batches = hb->next;
        b->n_free_batches--;
        uint32_t *ends = hb->ends;
        size_t cap = hb->cap_ends;
        memset(hb, 0, sizeof(*hb));
        hb->ends = ends;
        hb->cap_ends = cap;
        return hb;
    }
    return sf_xcalloc(1, sizeof(*hb));
}

static void recycle_batch(struct sf_hec_batcher *b, struct sf_hec_batch *hb)
{
    if (b->n_free_batches >= POOL_MAX) {
        free(hb->ends);
        free(hb);
        return;
    }
    hb->hold = NULL;
    hb->batch = NULL;
    hb->next = b->free_batches;
    b->free_batches = hb;
    b->n_free_batches++;
}

static void unlink_batch(struct sf_hec_batcher *b, struct sf_hec_batch *hb)
{
    if (hb->prev) {
        hb->prev->next = hb->next;
    } else {
        b->head = hb->next;
    }
    if (hb->next) {
        hb->next->prev = hb->prev;
    } else {
        b->tail = hb->prev;
    }
    b->n_live--;
}

void sf_hec_batcher_add(struct sf_hec_batcher *b,
                        struct sf_batch_entry *hold,
                        int64_t now_ms,
                        sf_hec_done_fn done,
                        void *ctx)
{
    struct sf_hec_batch *hb = batch_record(b);
    hb->hold = hold;
    hb->batch = hold->batch;
    hb->arrived_ms = now_ms;
    index_lines(hb);
    if (hb->n_lines == 0) {
        recycle_batch(b, hb);
        done(ctx, hold); /* nothing to send: delivered as it is */
        return;
    }
    hb->prev = b->tail;
    if (b->tail) {
        b->tail->next = hb;
    } else {
        b->head = hb;
    }
    b->tail = hb;
    b->n_live++;
    if (!b->take) {
        b->take = hb;
    }
    b->untaken_bytes += hb->ends[hb->n_lines - 1];
    b->untaken_lines += hb->n_lines;
}

bool sf_hec_batcher_ready(const struct sf_hec_batcher *b,
                          size_t max_bytes,
                          size_t max_events,
                          int64_t now_ms,
                          int64_t linger_ms,
                          bool flush,
                          int64_t *wake_ms)
{
    if (!b->take) {
        return false;
    }
    if (flush || b->untaken_bytes >= max_bytes || (max_events && b->untaken_lines >= max_events)) {
        return true;
    }
    /* The oldest untaken line arrived with its batch: it has waited since then. */
    int64_t due = b->take->arrived_ms + linger_ms;
    if (now_ms >= due) {
        return true;
    }
    if (due < *wake_ms) {
        *wake_ms = due;
    }
    return false;
}

/* How many lines from |first| on end at or before byte |limit|. */
static size_t lines_within(const struct sf_hec_batch *hb, size_t first, size_t limit)
{
    size_t lo = first, hi = hb->n_lines; /* answer: first index in [lo, hi) ending past limit */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hb->ends[mid] <= limit) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo - first;
}

static void add_seg(struct sf_hec_request *req, struct sf_hec_batch *hb, size_t first, size_t n)
{
    if (req->n_segs && req->segs[req->n_segs - 1].hb == hb &&
        req->segs[req->n_segs - 1].first + req->segs[req->n_segs - 1].n == first) {
        req->segs[req->n_segs - 1].n += n; /* contiguous with the last one */
    } else {
        if (req->n_segs == req->cap_segs) {
            req->cap_segs = req->cap_segs ? req->cap_segs * 2 : 4;
            req->segs = sf_xrealloc(req->segs, req->cap_segs * sizeof(req->segs[0]));
        }
        req->segs[req->n_segs++] = (struct sf_hec_seg){.hb = hb, .first = first, .n = n};
    }
    req->n_events += n;
    req->raw_len += hb->ends[first + n - 1] - line_start(hb, first);
}

struct sf_hec_request *sf_hec_request_new(struct sf_hec_batcher *b)
{
    struct sf_hec_request *req = b->free_requests;
    if (req) {
        b->free_requests = req->next;
        b->n_free_requests--;
        struct sf_hec_seg *segs = req->segs;
        size_t cap = req->cap_segs;
        memset(req, 0, sizeof(*req));
        req->segs = segs;
        req->cap_segs = cap;
    } else {
        req = sf_xcalloc(1, sizeof(*req));
    }
    req->id = b->next_request_id++;
    return req;
}

void sf_hec_request_free(struct sf_hec_batcher *b, struct sf_hec_request *req)
{
    if (b->n_free_requests >= POOL_MAX) {
        free(req->segs);
        free(req);
        return;
    }
    req->next = b->free_requests;
    b->free_requests = req;
    b->n_free_requests++;
}

struct sf_hec_request *
sf_hec_batcher_take(struct sf_hec_batcher *b, size_t max_bytes, size_t max_events)
{
    if (!b->take) {
        return NULL;
    }
    struct sf_hec_request *req = sf_hec_request_new(b);
    size_t event_cap = max_events ? max_events : SIZE_MAX;
    while (b->take && req->n_events < event_cap && req->raw_len < max_bytes) {
        struct sf_hec_batch *hb = b->take;
        size_t first = hb->n_taken;
        size_t start = line_start(hb, first);
        size_t n = lines_within(hb, first, start + (max_bytes - req->raw_len));
        if (n > event_cap - req->n_events) {
            n = event_cap - req->n_events;
        }
        if (n == 0 && req->n_events == 0) {
            n = 1; /* one event bigger than the limit goes alone; Splunk decides (413 or ok) */
        }
        if (n == 0) {
            break;
        }
        add_seg(req, hb, first, n);
        hb->n_taken += n;
        b->untaken_lines -= n;
        b->untaken_bytes -= hb->ends[first + n - 1] - start;
        if (hb->n_taken < hb->n_lines) {
            break; /* the request is full */
        }
        b->take = hb->next;
        sf_batch_taken(hb->hold); /* the coord may pull more */
    }
    return req;
}

struct sf_hec_request *sf_hec_request_slice(struct sf_hec_batcher *b,
                                            const struct sf_hec_request *req,
                                            size_t first,
                                            size_t n)
{
    SF_ASSERT(n >= 1 && first + n <= req->n_events);
    struct sf_hec_request *out = sf_hec_request_new(b);
    size_t skip = first;
    for (size_t i = 0; i < req->n_segs && n; i++) {
        const struct sf_hec_seg *seg = &req->segs[i];
        if (skip >= seg->n) {
            skip -= seg->n;
            continue;
        }
        size_t take = seg->n - skip < n ? seg->n - skip : n;
        add_seg(out, seg->hb, seg->first + skip, take);
        n -= take;
        skip = 0;
    }
    return out;
}

size_t sf_hec_request_split_point(const struct sf_hec_request *req)
{
    SF_ASSERT(req->n_events >= 2);
    size_t half = req->raw_len / 2;
    size_t done_events = 0, done_bytes = 0;
    size_t k = 1;
    for (size_t i = 0; i < req->n_segs; i++) {
        const struct sf_hec_seg *seg = &req->segs[i];
        size_t start = line_start(seg->hb, seg->first);
        size_t len = seg->hb->ends[seg->first + seg->n - 1] - start;
        if (done_bytes + len >= half) {
            /* the first line of this segment ending at or past the middle closes the half */
            size_t within = lines_within(seg->hb, seg->first, start + (half - done_bytes));
            k = done_events + within + (within < seg->n ? 1 : 0);
            break;
        }
        done_events += seg->n;
        done_bytes += len;
    }
    if (k < 1) {
        k = 1;
    }
    if (k > req->n_events - 1) {
        k = req->n_events - 1;
    }
    return k;
}

void sf_hec_request_line(const struct sf_hec_request *req,
                         size_t k,
                         struct sf_batch **batch,
                         const uint8_t **ptr,
                         size_t *len)
{
    SF_ASSERT(k < req->n_events);
    for (size_t i = 0; i < req->n_segs; i++) {
        const struct sf_hec_seg *seg = &req->segs[i];
        if (k >= seg->n) {
            k -= seg->n;
            continue;
        }
        size_t line = seg->first + k;
        size_t start = line_start(seg->hb, line);
        *batch = seg->hb->batch;
        *ptr = seg->hb->batch->payload.ptr + start;
        *len = seg->hb->ends[line] - start;
        return;
    }
}

void sf_hec_batcher_settle(struct sf_hec_batcher *b,
                           const struct sf_hec_request *req,
                           size_t first,
                           size_t n,
                           sf_hec_done_fn done,
                           void *ctx)
{
    SF_ASSERT(first + n <= req->n_events);
    size_t skip = first;
    for (size_t i = 0; i < req->n_segs && n; i++) {
        struct sf_hec_batch *hb = req->segs[i].hb;
        size_t seg_n = req->segs[i].n;
        if (skip >= seg_n) {
            skip -= seg_n;
            continue;
        }
        size_t count = seg_n - skip < n ? seg_n - skip : n;
        n -= count;
        skip = 0;
        hb->n_settled += count;
        SF_ASSERT(hb->n_settled <= hb->n_taken);
        if (hb->n_settled == hb->n_lines) {
            struct sf_batch_entry *hold = hb->hold;
            unlink_batch(b, hb);
            recycle_batch(b, hb);
            done(ctx, hold);
        }
    }
}

struct sf_batch_entry *sf_hec_batcher_pop(struct sf_hec_batcher *b)
{
    struct sf_hec_batch *hb = b->head;
    if (!hb) {
        return NULL;
    }
    struct sf_batch_entry *hold = hb->hold;
    if (b->take == hb) {
        b->take = hb->next;
    }
    b->untaken_lines -= hb->n_lines - hb->n_taken;
    b->untaken_bytes -= hb->ends[hb->n_lines - 1] - line_start(hb, hb->n_taken);
    unlink_batch(b, hb);
    recycle_batch(b, hb);
    return hold;
}

void sf_hec_queue_push(struct sf_hec_queue *q, struct sf_hec_request *req)
{
    req->next = NULL;
    if (q->tail) {
        q->tail->next = req;
    } else {
        q->head = req;
    }
    q->tail = req;
    q->n++;
}

void sf_hec_queue_push_front(struct sf_hec_queue *q, struct sf_hec_request *req)
{
    req->next = q->head;
    q->head = req;
    if (!q->tail) {
        q->tail = req;
    }
    q->n++;
}

struct sf_hec_request *sf_hec_queue_pop(struct sf_hec_queue *q)
{
    struct sf_hec_request *req = q->head;
    if (req) {
        q->head = req->next;
        if (!q->head) {
            q->tail = NULL;
        }
        req->next = NULL;
        q->n--;
    }
    return req;
}
