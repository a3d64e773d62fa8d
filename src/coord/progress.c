/* While a source catches up on a backlog, one line every 30 s: events/s, lag, and when it will
 * be caught up at the current pace. Coord thread. */
#include "coord/coord_int.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "coord"

#define PROGRESS_INTERVAL_MS 30000

void sf_coord_progress_tick(struct sf_coord_source *source, int64_t now_ms)
{
    if (source->progress_last_ms == 0) {
        source->progress_last_ms = now_ms;
        return;
    }
    int64_t elapsed_ms = now_ms - source->progress_last_ms;
    if (elapsed_ms < PROGRESS_INTERVAL_MS) {
        return;
    }
    pthread_mutex_lock(&source->coord->lock);
    uint64_t events = source->stats.events_delivered;
    int64_t lag_s = sf_coord_source_lag_s(source);
    pthread_mutex_unlock(&source->coord->lock);

    double rate = (double)(events - source->progress_last_events) * 1000.0 / (double)elapsed_ms;
    if (lag_s > 0) {
        /* The lag shrinks by (catch-up speed - 1) seconds per second: ETA = lag / that. */
        double shrink_per_s =
            (double)(source->progress_last_lag_s - lag_s) * 1000.0 / (double)elapsed_ms;
        if (source->progress_last_lag_s > 0 && shrink_per_s > 0) {
            SF_LOG_INFO("msg=\"catching up\" source=%s events_per_s=%.0f lag_s=%lld "
                        "caught_up_in_s=%.0f",
                        source->config->name, rate, (long long)lag_s, (double)lag_s / shrink_per_s);
        } else {
            SF_LOG_INFO("msg=\"catching up\" source=%s events_per_s=%.0f lag_s=%lld "
                        "caught_up_in_s=unknown",
                        source->config->name, rate, (long long)lag_s);
        }
    }
    source->progress_last_ms = now_ms;
    source->progress_last_events = events;
    source->progress_last_lag_s = lag_s;
}
