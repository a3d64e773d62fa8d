/* A FIFO of intrusive nodes between threads (docs/CODE_STYLE.md §Layout: stages pass batches over
 * queues). Unbounded by count: callers bound what enters by the coord's byte budget.
 * Thread-safe. */
#ifndef SF_UTIL_BQUEUE_H
#define SF_UTIL_BQUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sf_bqueue_node {
    struct sf_bqueue_node *next;
};

struct sf_bqueue {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sf_bqueue_node *head;
    struct sf_bqueue_node *tail;
    size_t n_items;
    bool is_closed;
};

void sf_bqueue_init(struct sf_bqueue *q);
void sf_bqueue_cleanup(struct sf_bqueue *q);
void sf_bqueue_push(struct sf_bqueue *q, struct sf_bqueue_node *node);
/* Takes every queued node (a linked list, oldest first), waiting up to |timeout_ms| (< 0:
 * forever) for one to arrive. NULL on timeout or when closed and empty. */
struct sf_bqueue_node *sf_bqueue_pop_all(struct sf_bqueue *q, int64_t timeout_ms);
/* Wakes every waiter; later pops return what is left, then NULL without waiting. */
void sf_bqueue_close(struct sf_bqueue *q);
size_t sf_bqueue_len(struct sf_bqueue *q);

#endif
