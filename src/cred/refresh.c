/* The refresher thread: renews temporary credentials before they expire and at once when SLS
 * refuses them; a failure keeps the old credentials and retries with backoff. Timing and
 * failure rules: docs/internals/cred.md. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cred/cred_int.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "cred"

/* Refresh when min(5 min, a third of the lifetime) is left, less up to a quarter of that as
 * jitter so sources that fetched together do not refresh together. The libraries renew with
 * 3 min left (credentials-go, ECSRAMRoleCredentialsProvider.needUpdateCredential) or 15 min
 * (credentials-python, _get_stale_time); a third of the lifetime keeps short-lived test
 * credentials (20 s) renewed well before they lapse. */
#define MARGIN_MAX_MS   (300 * 1000)
#define MIN_INTERVAL_MS 1000 /* never plan fetches closer than this */
#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS  30000
/* A retry that the backoff would plan past the expiry comes this long before it instead: the
 * fetch itself takes time, and its result should arrive while the old credentials still work. */
#define RETRY_BEFORE_EXPIRY_MS 500
/* A refusal within this long after a fresh value came from a request signed with the old one. */
#define REFUSAL_COALESCE_MS 1000

static uint64_t next_random(struct sf_cred *cred)
{
    cred->rng ^= cred->rng << 13;
    cred->rng ^= cred->rng >> 7;
    cred->rng ^= cred->rng << 17;
    return cred->rng;
}

/* Monotonic ms of the refresh for credentials expiring at |expiration| (unix s), fetched at
 * |fetched_wall_ms|; 0 when they do not expire. */
static int64_t plan_refresh(struct sf_cred *cred, int64_t expiration, int64_t fetched_wall_ms)
{
    if (expiration == 0) {
        return 0;
    }
    int64_t lifetime_ms = expiration * 1000 - fetched_wall_ms;
    int64_t margin_ms = lifetime_ms / 3 < MARGIN_MAX_MS ? lifetime_ms / 3 : MARGIN_MAX_MS;
    if (margin_ms < 0) {
        margin_ms = 0;
    }
    int64_t jitter_ms = (int64_t)(next_random(cred) % (uint64_t)(margin_ms / 4 + 1));
    int64_t in_ms = expiration * 1000 - margin_ms - jitter_ms - sf_cred_wall_ms();
    return sf_now_ms() + (in_ms > MIN_INTERVAL_MS ? in_ms : MIN_INTERVAL_MS);
}

void sf_cred_install(struct sf_cred *cred,
                     enum sf_cred_provider provider,
                     const struct sf_cred_value *fresh,
                     int64_t started_wall_ms)
{
    if (cred->has_value) {
        cred->status.refreshes++;
    }
    memcpy(&cred->current, fresh, sizeof(cred->current));
    cred->has_value = true;
    cred->used = provider;
    cred->fresh_ms = sf_now_ms();
    cred->due_ms = plan_refresh(cred, fresh->expiration, started_wall_ms);
    cred->backoff_ms = BACKOFF_BASE_MS;
    cred->n_failing = 0;
    cred->is_refresh_requested = false; /* refusals so far were of the old value */
    cred->logged_error[0] = '\0';
    cred->status.expiration = fresh->expiration;
    cred->status.last_success = started_wall_ms / 1000;
    cred->status.failing = false;
    cred->status.last_error[0] = '\0';
}

void sf_cred_record_failure(struct sf_cred *cred, const char *why)
{
    cred->status.failures++;
    cred->status.failing = true;
    cred->n_failing++;
    snprintf(cred->status.last_error, sizeof(cred->status.last_error), "%s", why);
}

/* Two failures have the same reason when they differ at most in the service's RequestId,
 * which is new with every answer. */
static bool is_same_reason(const char *a, const char *b)
{
    const char *cut_a = strstr(a, ", RequestId");
    const char *cut_b = strstr(b, ", RequestId");
    size_t len_a = cut_a ? (size_t)(cut_a - a) : strlen(a);
    size_t len_b = cut_b ? (size_t)(cut_b - b) : strlen(b);
    return len_a == len_b && memcmp(a, b, len_a) == 0;
}

int64_t sf_cred_retry_delay_ms(int64_t backoff_ms, int64_t expiration_s, int64_t wall_ms)
{
    int64_t left_ms = expiration_s * 1000 - wall_ms;
    int64_t until_ms = left_ms - RETRY_BEFORE_EXPIRY_MS;
    if (expiration_s == 0 || left_ms <= 0 || until_ms >= backoff_ms) {
        return backoff_ms; /* no expiry, already expired, or the backoff comes first */
    }
    return until_ms > BACKOFF_BASE_MS ? until_ms : BACKOFF_BASE_MS;
}

/* Under |lock|, in the thread: plans the retry and logs the reason when it changed. While the
 * current credentials are still valid the retry is never planned after they expire. */
static void retry_later(struct sf_cred *cred, enum sf_cred_provider provider, const char *why)
{
    sf_cred_record_failure(cred, why);
    cred->is_refresh_requested = false; /* refusals during the fetch wait for the backoff too */
    int64_t backoff_ms = cred->backoff_ms;
    cred->backoff_ms = backoff_ms * 2 < BACKOFF_CAP_MS ? backoff_ms * 2 : BACKOFF_CAP_MS;
    /* The monotonic clock first: the wall clock read after it makes the time left the smaller,
     * so the plan errs early, never past the expiry. */
    int64_t now_ms = sf_now_ms();
    int64_t wall_ms = sf_cred_wall_ms();
    int64_t delay_ms = sf_cred_retry_delay_ms(backoff_ms, cred->current.expiration, wall_ms);
    int64_t left_ms = cred->current.expiration * 1000 - wall_ms;
    cred->due_ms = now_ms + delay_ms;
    if (!is_same_reason(cred->logged_error, cred->status.last_error)) {
        snprintf(cred->logged_error, sizeof(cred->logged_error), "%s", cred->status.last_error);
        SF_LOG_WARN("msg=\"credential refresh failed; keeping the current credentials\" "
                    "source=%s provider=%s error=\"%s\" retry_in_ms=%lld expires_in_s=%lld",
                    cred->config.source_name, sf_cred_provider_name(provider), why,
                    (long long)delay_ms,
                    (long long)(cred->current.expiration ? left_ms / 1000 : -1));
    }
}

/* Under |lock|: waits until a fetch is due; false when stopping. */
static bool wait_until_due(struct sf_cred *cred)
{
    while (!cred->is_stopping && !cred->is_refresh_requested) {
        if (cred->due_ms == 0) {
            pthread_cond_wait(&cred->wake, &cred->lock);
            continue;
        }
        int64_t now_ms = sf_now_ms();
        if (now_ms >= cred->due_ms) {
            break;
        }
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        int64_t wait_ms = cred->due_ms - now_ms;
        deadline.tv_sec += wait_ms / 1000;
        deadline.tv_nsec += (wait_ms % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&cred->wake, &cred->lock, &deadline);
    }
    return !cred->is_stopping;
}

static void *refresher_main(void *arg)
{
    struct sf_cred *cred = arg;
    struct sf_cred_value *fresh = sf_xmalloc(sizeof(*fresh));
    char why[512];
    pthread_mutex_lock(&cred->lock);
    while (wait_until_due(cred)) {
        enum sf_cred_provider provider = cred->used;
        uint64_t n_failed = cred->n_failing;
        cred->is_refresh_requested = false;
        cred->due_ms = 0; /* nothing planned while the fetch runs */
        pthread_mutex_unlock(&cred->lock);

        int64_t started_ms = sf_cred_wall_ms();
        why[0] = '\0';
        sf_err err = sf_cred_fetcher(provider)(&cred->config, fresh, why, sizeof(why));
        if (!err) {
            err = sf_cred_check_expiry(provider, fresh, sf_cred_wall_ms(), why, sizeof(why));
        } else if (!why[0]) {
            snprintf(why, sizeof(why), "%s", sf_err_str(err));
        }

        pthread_mutex_lock(&cred->lock);
        if (cred->is_stopping) {
            break;
        }
        if (err) {
            retry_later(cred, provider, why);
            continue;
        }
        sf_cred_install(cred, provider, fresh, started_ms);
        char when[32];
        sf_cred_format_time(fresh->expiration, when, sizeof(when));
        SF_LOG_INFO("msg=\"credentials refreshed\" source=%s provider=%s expires=%s "
                    "failed_attempts=%llu",
                    cred->config.source_name, sf_cred_provider_name(provider), when,
                    (unsigned long long)n_failed);
        pthread_mutex_unlock(&cred->lock);
        if (cred->listener) {
            cred->listener(cred->listener_ctx, fresh); /* unlocked: it may call sf_cred_status */
        }
        pthread_mutex_lock(&cred->lock);
    }
    pthread_mutex_unlock(&cred->lock);
    sf_cred_value_wipe(fresh);
    free(fresh);
    return NULL;
}

sf_err sf_cred_start(struct sf_cred *cred, sf_cred_listener listener, void *ctx)
{
    pthread_mutex_lock(&cred->lock);
    SF_ASSERT(cred->has_value && !cred->has_thread);
    bool can_change = sf_cred_can_change(cred->used);
    pthread_mutex_unlock(&cred->lock);
    if (!can_change) {
        return SF_OK; /* static keys: nothing will ever be fresher */
    }
    cred->listener = listener;
    cred->listener_ctx = ctx;
    int rc = pthread_create(&cred->thread, NULL, refresher_main, cred);
    if (rc != 0) {
        SF_LOG_ERROR("msg=\"cannot start the credential refresher\" source=%s error=\"%s\"",
                     cred->config.source_name, strerror(rc));
        return SF_ERR_IO;
    }
    cred->has_thread = true;
    return SF_OK;
}

void sf_cred_report_refused(struct sf_cred *cred, const char *code)
{
    pthread_mutex_lock(&cred->lock);
    const char *provider = sf_cred_provider_name(cred->used);
    if (!cred->has_value) {
        /* not resolved yet: the first fetch is under way or failed; nothing to renew */
    } else if (!sf_cred_can_change(cred->used)) {
        if (!cred->is_refusal_logged) {
            cred->is_refusal_logged = true;
            SF_LOG_WARN("msg=\"credentials refused by SLS: %.64s; static keys cannot be "
                        "refreshed\" source=%s provider=%s",
                        code, cred->config.source_name, provider);
        }
    } else if (cred->status.failing) {
        /* the backoff already plans the next attempt; refusals must not hammer STS */
    } else if (sf_now_ms() - cred->fresh_ms < REFUSAL_COALESCE_MS) {
        /* signed with the value just replaced */
    } else if (!cred->is_refresh_requested) {
        cred->is_refresh_requested = true;
        pthread_cond_signal(&cred->wake);
        SF_LOG_INFO("msg=\"credentials refused by SLS; refreshing now\" source=%s provider=%s "
                    "code=%.64s",
                    cred->config.source_name, provider, code);
    }
    pthread_mutex_unlock(&cred->lock);
}
