#include "util/bqueue.h"

#include <errno.h>
#include <time.h>

#include "util/banned.h"

void sf_bqueue_init(struct sf_bqueue *q)
{
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cond, &attr);
    pthread_condattr_destroy(&attr);
    q->head = NULL;
    q->tail = NULL;
    q->n_items = 0;
    q->is_closed = false;
}

void sf_bqueue_cleanup(struct sf_bqueue *q)
{
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
}

void sf_bqueue_push(struct sf_bqueue *q, struct sf_bqueue_node *node)
{
    node->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail) {
        q->tail->next = node;
    } else {
        q->head = node;
    }
    q->tail = node;
    q->n_items++;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

struct sf_bqueue_node *sf_bqueue_pop_all(struct sf_bqueue *q, int64_t timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms > 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
    }
    pthread_mutex_lock(&q->lock);
    while (!q->head && !q->is_closed && timeout_ms != 0) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&q->cond, &q->lock)
                                : pthread_cond_timedwait(&q->cond, &q->lock, &deadline);
        if (rc == ETIMEDOUT) {
            break;
        }
    }
    struct sf_bqueue_node *all = q->head;
    q->head = NULL;
    q->tail = NULL;
    q->n_items = 0;
    pthread_mutex_unlock(&q->lock);
    return all;
}

void sf_bqueue_close(struct sf_bqueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->is_closed = true;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

size_t sf_bqueue_len(struct sf_bqueue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->n_items;
    pthread_mutex_unlock(&q->lock);
    return n;
}
