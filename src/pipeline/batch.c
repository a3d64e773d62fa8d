#include "pipeline/batch.h"

#include <stdlib.h>

#include "util/alloc.h"
#include "util/assert.h"

#include "util/banned.h"

struct sf_batch *sf_batch_new(void)
{
    struct sf_batch *batch = sf_xcalloc(1, sizeof(*batch));
    sf_buf_init(&batch->payload, (size_t)1 << 30);
    sf_buf_init(&batch->syslog_payload, (size_t)1 << 30);
    for (unsigned i = 0; i < SF_BATCH_SINKS_MAX; i++) {
        batch->entries[i].batch = batch;
        atomic_init(&batch->entries[i].is_held, false);
        atomic_init(&batch->entries[i].is_taken, false);
    }
    atomic_init(&batch->n_refs, 0);
    atomic_init(&batch->n_untaken, 0);
    atomic_init(&batch->is_undelivered_somewhere, false);
    return batch;
}

void sf_batch_free(struct sf_batch *batch)
{
    if (!batch) {
        return;
    }
    SF_ASSERT(!sf_batch_is_held(batch));
    sf_buf_cleanup(&batch->payload);
    sf_buf_cleanup(&batch->syslog_payload);
    free(batch->payload_ends);
    free(batch);
}

void sf_batch_reset(struct sf_batch *batch)
{
    SF_ASSERT(!sf_batch_is_held(batch));
    sf_buf_reset(&batch->payload);
    sf_buf_reset(&batch->syslog_payload);
    batch->n_payload_ends = 0;
    batch->owner = NULL;
    batch->source = NULL;
    batch->shard_id = 0;
    batch->seq = 0;
    batch->cursor[0] = '\0';
    batch->next_cursor[0] = '\0';
    batch->n_events = 0;
    batch->n_filtered = 0;
    batch->newest_time_s = 0;
    batch->raw_bytes = 0;
    batch->back = NULL;
    batch->taken = NULL;
    batch->back_ctx = NULL;
    batch->pool_next = NULL;
    batch->queued_bytes = 0;
}

void sf_batch_open(struct sf_batch *batch,
                   sf_batch_back_fn back,
                   sf_batch_taken_fn taken,
                   void *ctx)
{
    SF_ASSERT(back != NULL);
    SF_ASSERT(!sf_batch_is_held(batch));
    SF_ASSERT(atomic_load(&batch->n_refs) == 0);
    batch->back = back;
    batch->taken = taken;
    batch->back_ctx = ctx;
    atomic_store(&batch->is_undelivered_somewhere, false);
    atomic_store(&batch->n_untaken, 1);
    /* Published to the sinks by the queues' locks, which every hold passes through. */
    atomic_store(&batch->n_refs, 1);
}

void sf_batch_ref(struct sf_batch *batch)
{
    int before = atomic_fetch_add(&batch->n_refs, 1);
    SF_ASSERT(before > 0); /* only a holder may add a reference */
}

void sf_batch_unref(struct sf_batch *batch)
{
    /* seq_cst: every holder's reads of the batch, and its outcome, happen before the last
     * decrement, which the thread that sees the count reach zero synchronizes with. */
    int before = atomic_fetch_sub(&batch->n_refs, 1);
    SF_ASSERT(before > 0);
    if (before != 1) {
        return; /* someone still holds it */
    }
    bool is_delivered = !atomic_load(&batch->is_undelivered_somewhere);
    batch->back(batch->back_ctx, batch, is_delivered);
}

void sf_batch_untaken_drop(struct sf_batch *batch)
{
    int before = atomic_fetch_sub(&batch->n_untaken, 1);
    SF_ASSERT(before > 0);
    if (before == 1 && batch->taken) {
        batch->taken(batch->back_ctx, batch);
    }
}

void sf_batch_taken(struct sf_batch_entry *entry)
{
    SF_ASSERT(atomic_load(&entry->is_held));
    bool was_taken = atomic_exchange(&entry->is_taken, true);
    SF_ASSERT(!was_taken);               /* once per hold */
    sf_batch_untaken_drop(entry->batch); /* this hold's mark */
}

bool sf_batch_is_taken(struct sf_batch_entry *entry)
{
    return atomic_load(&entry->is_taken);
}

struct sf_batch_entry *sf_batch_hold(struct sf_batch *batch, unsigned slot)
{
    SF_ASSERT(slot < SF_BATCH_SINKS_MAX);
    struct sf_batch_entry *entry = &batch->entries[slot];
    bool was_held = atomic_exchange(&entry->is_held, true);
    SF_ASSERT(!was_held); /* one hold per sink and round */
    atomic_store(&entry->is_taken, false);
    atomic_fetch_add(&batch->n_untaken, 1); /* the opener's mark keeps it above zero */
    sf_batch_ref(batch);
    entry->link.next = NULL;
    return entry;
}

void sf_batch_settle(struct sf_batch_entry *entry, enum sf_batch_outcome outcome)
{
    struct sf_batch *batch = entry->batch;
    if (outcome != SF_BATCH_DELIVERED) {
        atomic_store(&batch->is_undelivered_somewhere, true);
    }
    bool was_held = atomic_exchange(&entry->is_held, false);
    SF_ASSERT(was_held); /* settled twice, or never held */
    sf_batch_unref(batch);
}

bool sf_batch_is_held(struct sf_batch *batch)
{
    for (unsigned i = 0; i < SF_BATCH_SINKS_MAX; i++) {
        if (atomic_load(&batch->entries[i].is_held)) {
            return true;
        }
    }
    return false;
}
