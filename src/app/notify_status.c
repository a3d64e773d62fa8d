#include "app/notify_status.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/notify.h"
#include "util/alloc.h"

#include "util/banned.h"

#define PERIOD_MS 1000

struct sf_notify_status {
    struct sf_coord *coord;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool is_closing; /* guarded by |lock| */
    char sent[512];  /* the last STATUS text, reporter thread only */
};

struct visit {
    size_t n_sources;
    size_t n_joined;
    char waiting[400];
};

void sf_notify_status_add(const struct sf_coord_source_view *source,
                          size_t *n_sources,
                          size_t *n_joined,
                          char *waiting,
                          size_t waiting_size)
{
    (*n_sources)++;
    if (source->is_joined) {
        (*n_joined)++;
        return;
    }
    size_t len = strlen(waiting);
    if (len + strlen(source->name) + 8 >= waiting_size) {
        if (!strstr(waiting, ", ...")) {
            snprintf(waiting + len, waiting_size - len, ", ..."); /* the list is cut here */
        }
        return;
    }
    snprintf(waiting + len, waiting_size - len, "%s%s", len ? ", " : "", source->name);
}

void sf_notify_status_format(
    size_t n_sources, size_t n_joined, const char *waiting, char *text, size_t text_size)
{
    if (n_joined == n_sources) {
        snprintf(text, text_size, "STATUS=delivering: all %zu source%s joined", n_sources,
                 n_sources == 1 ? "" : "s");
    } else {
        snprintf(text, text_size, "STATUS=joined %zu of %zu sources; waiting for: %s", n_joined,
                 n_sources, waiting);
    }
}

static void visit_one(void *ctx, const struct sf_coord_source_view *source)
{
    struct visit *v = ctx;
    sf_notify_status_add(source, &v->n_sources, &v->n_joined, v->waiting, sizeof(v->waiting));
}

static void report(struct sf_notify_status *status)
{
    struct visit v = {0};
    sf_coord_visit(status->coord, visit_one, &v);
    char text[sizeof(status->sent)];
    sf_notify_status_format(v.n_sources, v.n_joined, v.waiting, text, sizeof(text));
    if (strcmp(text, status->sent) != 0 && sf_notify(text)) {
        memcpy(status->sent, text, sizeof(text));
    }
}

static void *status_main(void *arg)
{
    struct sf_notify_status *status = arg;
    pthread_mutex_lock(&status->lock);
    while (!status->is_closing) {
        pthread_mutex_unlock(&status->lock);
        report(status);
        pthread_mutex_lock(&status->lock);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += PERIOD_MS / 1000;
        while (!status->is_closing &&
               pthread_cond_timedwait(&status->wake, &status->lock, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&status->lock);
    return NULL;
}

struct sf_notify_status *sf_notify_status_start(struct sf_coord *coord)
{
    const char *socket = getenv("NOTIFY_SOCKET");
    if (!socket || !socket[0]) {
        return NULL;
    }
    struct sf_notify_status *status = sf_xcalloc(1, sizeof(*status));
    status->coord = coord;
    pthread_mutex_init(&status->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&status->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&status->thread, NULL, status_main, status) != 0) {
        pthread_cond_destroy(&status->wake);
        pthread_mutex_destroy(&status->lock);
        free(status);
        return NULL; /* progress is a courtesy: delivery goes on without it */
    }
    return status;
}

void sf_notify_status_stop(struct sf_notify_status *status)
{
    if (!status) {
        return;
    }
    pthread_mutex_lock(&status->lock);
    status->is_closing = true;
    pthread_cond_signal(&status->wake);
    pthread_mutex_unlock(&status->lock);
    pthread_join(status->thread, NULL);
    pthread_cond_destroy(&status->wake);
    pthread_mutex_destroy(&status->lock);
    free(status);
}
