/* The coord's share of the memory budget (pipeline/budget.h, docs/internals/pipeline.md).
 *
 * A fetch worker's pull buffers are charged before the pull is sent, for the most the pull
 * may use: the wire and raw buffers' limits are set to what is charged, so a response that
 * would not fit fails (SF_ERR_TOO_BIG) and the shard asks for fewer LogGroups, instead of the
 * buffers growing past the budget. The decoder arena and the batch payload cannot be capped
 * from here without slowing the decoder, so they are charged before the pull for what they
 * needed per raw byte so far (learned ratios, with headroom), and trued up after: a shortfall
 * that does not fit the budget drops the pull, which is retried smaller. Buffers that sit idle
 * are freed and uncharged: a worker's after IDLE_TRIM_MS without data, pooled batches after
 * IDLE_TRIM_MS in the pool. */
#include "coord/memory.h"

#include <string.h>

#include "coord/coord_int.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "fetch"

#define IDLE_TRIM_MS    5000
#define WINDOW_MIN      ((size_t)16 << 10)
#define WINDOW_MAX      ((size_t)8 << 20)
#define RATIO_ONE       16 /* ratios are kept in 1/16ths */
#define DECODE_RATIO_0  (2 * RATIO_ONE)
#define PAYLOAD_RATIO_0 (3 * RATIO_ONE)
/* The most reserved per window byte: wire 1 + raw 1 + decode 4 + payload 6 = 12 windows per
 * worker, 12/16 of the budget over all workers, so pulls never hold the budget between them.
 * Data that needs more is caught by the true-up and pulled in smaller pieces. */
#define DECODE_RATIO_MAX  (4 * RATIO_ONE)
#define PAYLOAD_RATIO_MAX (6 * RATIO_ONE)

size_t sf_coord_memory_window(const struct sf_coord *coord)
{
    size_t w = sf_budget_limit(coord->budget) / (16 * coord->n_workers);
    return w < WINDOW_MIN ? WINDOW_MIN : w > WINDOW_MAX ? WINDOW_MAX : w;
}

size_t sf_coord_memory_window_max(const struct sf_coord *coord)
{
    size_t w = sf_budget_limit(coord->budget) / 16;
    size_t base = sf_coord_memory_window(coord);
    return w > base ? w : base;
}

/* An eighth of the budget: several full HEC requests' worth ahead of the sinks keeps them busy;
 * more only makes the working set larger (bench/RESULTS.md). Batches the sinks have taken (sent
 * and awaiting an answer or an indexer acknowledgement) are bounded by the budget alone. */
size_t sf_coord_memory_queue_cap(const struct sf_coord *coord)
{
    return sf_budget_limit(coord->budget) / 8;
}

void sf_coord_memory_init(struct sf_coord *coord)
{
    atomic_init(&coord->decode_ratio, DECODE_RATIO_0);
    atomic_init(&coord->payload_ratio, PAYLOAD_RATIO_0);
}

/* Raises |*charged| in |cat| to |want|, waiting for room; false at stop. */
static bool
charge_up(struct sf_coord *coord, enum sf_budget_category cat, size_t *charged, size_t want)
{
    if (*charged >= want) {
        return true;
    }
    if (!sf_budget_try_charge(coord->budget, cat, want - *charged)) {
        /* Pooled batches are only a cache: room for a pull comes first. */
        pthread_mutex_lock(&coord->lock);
        sf_coord_memory_trim_pool(coord, INT64_MAX / 2);
        pthread_mutex_unlock(&coord->lock);
        if (!sf_budget_charge(coord->budget, cat, want - *charged, -1, &coord->workers_stop)) {
            return false;
        }
    }
    *charged = want;
    return true;
}

static size_t scaled(size_t bytes, unsigned ratio)
{
    return bytes / RATIO_ONE * ratio + bytes % RATIO_ONE * ratio / RATIO_ONE;
}

bool sf_coord_memory_reserve_pull(struct sf_coord_worker *worker, size_t window)
{
    struct sf_coord *coord = worker->coord;
    struct sf_sls_pull_result *res = &worker->result;
    size_t decode = scaled(window, atomic_load(&coord->decode_ratio));
    size_t payload = scaled(window, atomic_load(&coord->payload_ratio));
    if (!charge_up(coord, SF_BUDGET_PULL_WIRE, &worker->charged_wire, window) ||
        !charge_up(coord, SF_BUDGET_PULL_RAW, &worker->charged_raw, window) ||
        !charge_up(coord, SF_BUDGET_DECODE, &worker->charged_decode, decode) ||
        !charge_up(coord, SF_BUDGET_BATCHES, &worker->reserved_payload, payload)) {
        return false;
    }
    /* The buffers never grow past what is charged; what they already hold was charged when
     * it grew (the charges only fall when the buffers are freed). */
    res->resp.body.max = worker->charged_wire;
    res->raw.max = worker->charged_raw;
    return true;
}

static void learn(atomic_uint *ratio, unsigned max, size_t used, size_t raw)
{
    if (raw < ((size_t)64 << 10)) {
        return; /* small pulls say little about large ones */
    }
    /* A quarter more than seen: the next pull's data may be a little denser. */
    unsigned seen = (unsigned)(used * RATIO_ONE / raw);
    unsigned want = seen + seen / 4 + 1;
    unsigned now = atomic_load(ratio);
    if (want > now || want + RATIO_ONE < now) {
        atomic_store(ratio, want < RATIO_ONE ? RATIO_ONE : want > max ? max : want);
    }
}

bool sf_coord_memory_settle_decode(struct sf_coord_worker *worker)
{
    struct sf_coord *coord = worker->coord;
    size_t held = sf_arena_held(&worker->result.arena);
    learn(&coord->decode_ratio, DECODE_RATIO_MAX, held, worker->result.raw_size);
    if (held <= worker->charged_decode) {
        return true;
    }
    if (sf_budget_try_charge(coord->budget, SF_BUDGET_DECODE, held - worker->charged_decode)) {
        worker->charged_decode = held;
        return true;
    }
    sf_arena_cleanup(&worker->result.arena); /* decoded past its charge: drop it */
    return false;
}

void sf_coord_memory_prepare_batch(struct sf_coord_worker *worker, struct sf_batch *batch)
{
    /* Either payload may grow up to the batch's charge plus the worker's reservation. */
    size_t room = batch->charged_bytes + worker->reserved_payload;
    batch->payload.max = room;
    batch->syslog_payload.max = room;
}

static size_t batch_held(const struct sf_batch *batch)
{
    return batch->payload.cap + batch->syslog_payload.cap +
           batch->cap_payload_ends * sizeof(*batch->payload_ends) + sizeof(*batch);
}

bool sf_coord_memory_settle_batch(struct sf_coord_worker *worker,
                                  struct sf_batch *batch,
                                  size_t raw_size)
{
    struct sf_coord *coord = worker->coord;
    size_t held = batch_held(batch);
    learn(&coord->payload_ratio, PAYLOAD_RATIO_MAX, held - sizeof(*batch), raw_size);
    size_t grown = held - batch->charged_bytes;
    if (grown > worker->reserved_payload) {
        /* Both payloads grew (HEC and syslog): the second one's growth was not reserved. */
        if (!sf_budget_try_charge(coord->budget, SF_BUDGET_BATCHES,
                                  grown - worker->reserved_payload)) {
            return false;
        }
        worker->reserved_payload = 0;
    } else {
        worker->reserved_payload -= grown; /* the rest stays with the worker */
    }
    batch->charged_bytes = held;
    return true;
}

bool sf_coord_memory_should_pool(const struct sf_coord *coord, const struct sf_batch *batch)
{
    size_t target = scaled(sf_coord_memory_window(coord), atomic_load(&coord->payload_ratio));
    return coord->n_free_batches < 2 * coord->n_workers &&
           batch->payload.cap + batch->syslog_payload.cap <= target;
}

void sf_coord_memory_batch_freed(struct sf_coord *coord, struct sf_batch *batch)
{
    sf_budget_release(coord->budget, SF_BUDGET_BATCHES, batch->charged_bytes);
    batch->charged_bytes = 0;
}

void sf_coord_memory_trim_worker(struct sf_coord_worker *worker, int64_t now_ms)
{
    struct sf_coord *coord = worker->coord;
    if (now_ms - worker->last_data_ms < IDLE_TRIM_MS) {
        return;
    }
    if (worker->charged_wire + worker->charged_raw + worker->charged_decode +
            worker->reserved_payload ==
        0) {
        return;
    }
    struct sf_sls_pull_result *res = &worker->result;
    sf_buf_cleanup(&res->resp.body);
    sf_buf_cleanup(&res->raw);
    sf_arena_cleanup(&res->arena);
    res->resp.body.max = 0;
    res->raw.max = 0;
    sf_budget_release(coord->budget, SF_BUDGET_PULL_WIRE, worker->charged_wire);
    sf_budget_release(coord->budget, SF_BUDGET_PULL_RAW, worker->charged_raw);
    sf_budget_release(coord->budget, SF_BUDGET_DECODE, worker->charged_decode);
    sf_budget_release(coord->budget, SF_BUDGET_BATCHES, worker->reserved_payload);
    worker->charged_wire = worker->charged_raw = worker->charged_decode = 0;
    worker->reserved_payload = 0;
    SF_LOG_DEBUG("msg=\"idle: pull buffers freed\"");
}

void sf_coord_memory_release_worker(struct sf_coord_worker *worker)
{
    worker->last_data_ms = INT64_MIN / 2;
    sf_coord_memory_trim_worker(worker, 0);
}

void sf_coord_memory_trim_pool(struct sf_coord *coord, int64_t now_ms)
{
    struct sf_batch **link = &coord->free_batches;
    while (*link) {
        struct sf_batch *batch = *link;
        if (now_ms - batch->pooled_ms >= IDLE_TRIM_MS) {
            *link = batch->pool_next;
            coord->n_free_batches--;
            coord->n_batches--; /* pick_shard caps the batches out by this count */
            sf_coord_memory_batch_freed(coord, batch);
            sf_batch_free(batch);
            continue;
        }
        link = &batch->pool_next;
    }
}
