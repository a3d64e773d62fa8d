/* One membership thread per source: it bootstraps the consumer group and sends the
 * heartbeats on their own schedule and over their own SLS connection. The coord thread
 * makes the other control calls (commits, GetCheckPoint, ListShards), and any of those may
 * hang for the control timeout: on a shared thread a few hung calls in a row outlast the
 * group timeout and the server expels the consumer, which replays everything uncommitted. */
#include <string.h>
#include <time.h>

#include "coord/coord_int.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "coord"

/* Control calls answer in milliseconds; one that takes seconds has hung. The limit leaves
 * room for two heartbeat attempts within a heartbeat interval and four within the group
 * timeout, floored at 2 s for a slow link, and never above sls.timeout. */
long sf_coord_control_timeout_ms(const struct sf_config_source *cfg)
{
    long by_interval = (long)cfg->heartbeat_interval_s * 1000 / 2;
    long by_group = (long)cfg->group_timeout_s * 1000 / 4;
    long ms = by_interval < by_group ? by_interval : by_group;
    ms = ms < 2000 ? 2000 : ms;
    return ms < cfg->timeout_ms ? ms : cfg->timeout_ms;
}

static void wait_until(struct sf_coord_source *source, int64_t due_ms)
{
    int64_t wait_ms = due_ms - sf_now_ms();
    wait_ms = wait_ms < 1000 ? wait_ms : 1000; /* recheck the stop flag now and then */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    int64_t ns = deadline.tv_nsec + (wait_ms % 1000) * 1000000;
    deadline.tv_sec += wait_ms / 1000 + ns / 1000000000;
    deadline.tv_nsec = ns % 1000000000;
    pthread_cond_timedwait(&source->membership_wake, &source->coord->lock, &deadline);
}

static void *membership_main(void *arg)
{
    struct sf_coord_source *source = arg;
    struct sf_coord *coord = source->coord;
    pthread_mutex_lock(&coord->lock);
    while (!atomic_load(&source->membership_stop)) {
        int64_t now = sf_now_ms();
        int64_t due = source->member_state != SF_COORD_MEMBER_BOOTSTRAPPING
                          ? source->next_heartbeat_ms
                          : source->next_bootstrap_ms;
        if (now < due) {
            wait_until(source, due);
            continue;
        }
        pthread_mutex_unlock(&coord->lock);
        sf_coord_membership_beat(source, now);
        pthread_mutex_lock(&coord->lock);
    }
    pthread_mutex_unlock(&coord->lock);
    return NULL;
}

sf_err sf_coord_heartbeat_start(struct sf_coord *coord)
{
    for (size_t i = 0; i < coord->n_sources; i++) {
        struct sf_coord_source *source = &coord->sources[i];
        int rc = pthread_create(&source->membership_thread, NULL, membership_main, source);
        if (rc != 0) {
            SF_LOG_ERROR("msg=\"cannot start the membership thread\" source=%s error=\"%s\"",
                         source->config->name, strerror(rc));
            return SF_ERR_IO;
        }
        source->has_membership_thread = true;
        SF_LOG_INFO("msg=\"membership thread started\" source=%s heartbeat_interval_s=%d "
                    "group_timeout_s=%d control_timeout_ms=%ld",
                    source->config->name, source->config->heartbeat_interval_s,
                    source->config->group_timeout_s, sf_coord_control_timeout_ms(source->config));
    }
    return SF_OK;
}

void sf_coord_heartbeat_stop(struct sf_coord *coord)
{
    for (size_t i = 0; i < coord->n_sources; i++) {
        struct sf_coord_source *source = &coord->sources[i];
        atomic_store(&source->membership_stop, true);
        pthread_mutex_lock(&coord->lock);
        pthread_cond_signal(&source->membership_wake);
        pthread_mutex_unlock(&coord->lock);
    }
    for (size_t i = 0; i < coord->n_sources; i++) {
        struct sf_coord_source *source = &coord->sources[i];
        if (source->has_membership_thread) {
            pthread_join(source->membership_thread, NULL);
            source->has_membership_thread = false;
        }
    }
}

void sf_coord_heartbeat_soon(struct sf_coord_source *source, int64_t now_ms)
{
    source->next_heartbeat_ms = now_ms;
    source->is_held_changed = true;
    pthread_cond_signal(&source->membership_wake);
}
