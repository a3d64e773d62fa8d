/* struct sf_batch: what one PullLogs response becomes on its way from a shard to the outputs —
 * the events in each output's wire form, and the cursors that make its delivery committable.
 *
 * Ownership (docs/internals/pipeline.md): the coord fills a batch, opens it with the function
 * that takes it back (sf_batch_open: one reference, the coord's), and gives each output a hold
 * on it through that output's own entry (sf_batch_hold: one reference each). A sink queues the
 * entry, never the batch, so no structure is ever in two lists; it reads the batch's payload
 * until it settles its entry (sf_batch_settle), and not after. The coord drops its own
 * reference once every output has its hold (sf_batch_unref). Whichever thread drops the last
 * reference hands the batch back, exactly once: delivered only if every output delivered it.
 * Until then the batch is not reused, whatever order the outputs finish in. */
#ifndef SF_PIPELINE_BATCH_H
#define SF_PIPELINE_BATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/bqueue.h"
#include "util/buf.h"

#define SF_BATCH_CURSOR_MAX 128
#define SF_BATCH_SINKS_MAX  4 /* outputs one batch can go to at once */

struct sf_batch;

/* How a sink finished with its entry. */
enum sf_batch_outcome {
    SF_BATCH_DELIVERED,   /* the SIEM confirmed it (or it went to the dead-letter file) */
    SF_BATCH_UNDELIVERED, /* never confirmed (the sink stopped): the checkpoint stays behind */
};

/* The coord's hook, called once per opening when the last reference goes. */
typedef void (*sf_batch_back_fn)(void *ctx, struct sf_batch *batch, bool is_delivered);
/* The coord's hook, called at most once per opening, from the thread of the last caller of
 * sf_batch_taken / sf_batch_untaken_drop, when every sink has taken all of the batch into what it
 * sends (it may still read the payload until it settles). */
typedef void (*sf_batch_taken_fn)(void *ctx, struct sf_batch *batch);

/* One sink's hold on a batch: its own link, so each sink queues its own entry. */
struct sf_batch_entry {
    struct sf_bqueue_node link; /* first member: queues hold entries through it */
    struct sf_batch *batch;
    atomic_bool is_held;  /* between sf_batch_hold and sf_batch_settle */
    atomic_bool is_taken; /* sf_batch_taken was called for this hold */
};

struct sf_batch {
    void *owner;        /* the coord's shard record; opaque to sinks */
    const char *source; /* source name for messages and dead letters; owned by the coord */
    int shard_id;
    uint64_t seq;                          /* consecutive per shard: orders confirmations */
    char cursor[SF_BATCH_CURSOR_MAX];      /* where this batch's data starts */
    char next_cursor[SF_BATCH_CURSOR_MAX]; /* the checkpoint once it is delivered */
    size_t n_events;                       /* in each payload */
    size_t n_filtered; /* logs the source's filters dropped: delivered with the batch's cursor */
    int64_t newest_time_s;        /* newest Log.Time in the batch: for lag */
    size_t raw_bytes;             /* decompressed protobuf bytes it came from */
    size_t charged_bytes;         /* its buffers' charge to the memory budget; kept while pooled */
    struct sf_buf payload;        /* NDJSON of HEC events: for the file and HEC sinks */
    struct sf_buf syslog_payload; /* framed syslog messages: for the syslog sink */

    /* Where each line of |payload| ends (the offset past its '\n'), when the payload's builder
     * recorded them: n_payload_ends == n_events then, else 0 and a reader that needs the
     * lines finds them itself. Kept warm with the payload. */
    uint32_t *payload_ends;
    size_t n_payload_ends;
    size_t cap_payload_ends;

    struct sf_batch *pool_next; /* the coord's free list, while no one holds the batch */
    int64_t pooled_ms;          /* when it went into that list: idle ones are freed */
    /* The coord's, under its lock: what it counts of this batch in its bytes waiting for the
     * sinks to take them (0: not, or no longer, counted). */
    size_t queued_bytes;

    /* Private to pipeline/batch.c: the references and how they ended. */
    struct sf_batch_entry entries[SF_BATCH_SINKS_MAX];
    atomic_int n_refs;
    atomic_bool is_undelivered_somewhere;
    sf_batch_back_fn back;
    void *back_ctx;
    atomic_int n_untaken; /* holds not yet taken, plus one for the opener until it drops it */
    sf_batch_taken_fn taken;
};

/* A new, empty batch (payload buffers ready, no reference); sf_batch_free frees it. */
struct sf_batch *sf_batch_new(void);
void sf_batch_free(struct sf_batch *batch); /* NULL is fine */
/* Empties a batch for reuse: payloads kept warm (and |charged_bytes| with them), fields
 * cleared. No one may hold it. */
void sf_batch_reset(struct sf_batch *batch);

/* Starts a round of delivery: one reference, the caller's; |back| runs when the last one
 * goes. The batch must not be held (asserted). |taken| (may be NULL) runs once every hold was
 * marked taken and the opener dropped its own mark (sf_batch_untaken_drop); a sink that never
 * marks its hold taken keeps it from running. */
void sf_batch_open(struct sf_batch *batch,
                   sf_batch_back_fn back,
                   sf_batch_taken_fn taken,
                   void *ctx);
/* The opener is done handing out holds: drop its own mark, before its reference. */
void sf_batch_untaken_drop(struct sf_batch *batch);
/* The sink holding |entry| has taken all of its events into what it sends (requests built,
 * lines written): optional, at most once per hold (asserted), and before it settles. */
void sf_batch_taken(struct sf_batch_entry *entry);
/* Whether the sink holding |entry| marked it taken in this hold. */
bool sf_batch_is_taken(struct sf_batch_entry *entry);
/* One more reference for the caller (who already holds one). */
void sf_batch_ref(struct sf_batch *batch);
/* Drops a reference that is not a sink's; the last one hands the batch back. */
void sf_batch_unref(struct sf_batch *batch);
/* A reference for the sink in |slot| (0 .. SF_BATCH_SINKS_MAX-1), through its own entry: the
 * caller holds a reference already; the slot must not be held (asserted). */
struct sf_batch_entry *sf_batch_hold(struct sf_batch *batch, unsigned slot);
/* The sink is done with |entry|: records |outcome| and drops the sink's reference. The entry
 * and its batch must not be touched afterwards. Any thread; exactly once per hold (asserted). */
void sf_batch_settle(struct sf_batch_entry *entry, enum sf_batch_outcome outcome);
/* True while any sink holds the batch: such a batch must not go back to a pool. */
bool sf_batch_is_held(struct sf_batch *batch);

static inline struct sf_batch_entry *sf_batch_entry_of(struct sf_bqueue_node *node)
{
    return (struct sf_batch_entry *)node; /* |link| is the first member */
}

#endif
