/* Helpers shared by the local providers (static.c, env.c, file.c, profile.c) and cred.c.
 * Not part of the module's API. */
#ifndef SF_CRED_CRED_INT_H
#define SF_CRED_CRED_INT_H

#include <pthread.h>

#include "cred/provider.h"

/* One source's credentials (cred.c: configuration, first fetch, chain; refresh.c: the thread). */
struct sf_cred {
    /* Immutable after sf_cred_new: read by the providers without the lock. */
    struct sf_cred_config config; /* every string owned by |owned|; environment folded in */
    char *owned[32];
    size_t n_owned;
    enum sf_cred_provider configured; /* AUTO decided: a concrete provider, or CHAIN */
    bool is_ecs_disabled;             /* ALIBABA_CLOUD_ECS_METADATA_DISABLED=true */

    pthread_mutex_t lock;
    pthread_cond_t wake; /* CLOCK_MONOTONIC: refresh requested, or stopping */
    /* Under |lock|: */
    enum sf_cred_provider used; /* CHAIN until the chain found one (lastUsedProvider) */
    bool has_value;
    struct sf_cred_value current;
    int64_t fresh_ms;   /* monotonic ms when |current| arrived */
    int64_t due_ms;     /* monotonic ms of the next planned fetch; 0: none */
    int64_t backoff_ms; /* delay before the next retry after a failure */
    uint64_t n_failing; /* failed fetches since the last success */
    bool is_refresh_requested;
    bool is_stopping;
    bool is_refusal_logged; /* the "static keys cannot be refreshed" line, once */
    struct sf_cred_status status;
    char logged_error[256]; /* last error text logged: once per change */
    uint64_t rng;           /* xorshift, for the jitter */

    bool has_thread;
    pthread_t thread;
    sf_cred_listener listener;
    void *listener_ctx;
};

/* The fetch function behind a concrete provider (not AUTO or CHAIN). */
sf_cred_fetch_fn sf_cred_fetcher(enum sf_cred_provider provider);
/* False for providers whose value can never change (static, env). */
bool sf_cred_can_change(enum sf_cred_provider provider);
/* "2026-12-06T03:00:00Z", or "never" for 0; |out| holds >= 32 bytes. */
void sf_cred_format_time(int64_t unix_s, char *out, size_t out_size);
/* Unix milliseconds (wall clock). */
int64_t sf_cred_wall_ms(void);
/* Under |lock|: installs |fresh| fetched by |provider| (started at |started_wall_ms|) and plans
 * the next refresh from its expiration. */
void sf_cred_install(struct sf_cred *cred,
                     enum sf_cred_provider provider,
                     const struct sf_cred_value *fresh,
                     int64_t started_wall_ms);
/* The wait before retrying a failed fetch: |backoff_ms|, unless that would pass the expiry
 * (|expiration_s|, 0: none; |wall_ms| now): then 500 ms before it, but never under 1 s. */
int64_t sf_cred_retry_delay_ms(int64_t backoff_ms, int64_t expiration_s, int64_t wall_ms);
/* Under |lock|: records a failed fetch. */
void sf_cred_record_failure(struct sf_cred *cred, const char *why);
/* SF_ERR_AUTH_EXPIRED with |errbuf| set when |fresh| expired before it arrived. */
sf_err sf_cred_check_expiry(enum sf_cred_provider provider,
                            const struct sf_cred_value *fresh,
                            int64_t now_wall_ms,
                            char *errbuf,
                            size_t errbuf_size);

/* |name| from the process environment, or from config->getenv_fn when set (tests). An empty
 * value counts as unset, as in credentials-go (`os.Getenv(..) == ""`): NULL then. */
const char *sf_cred_getenv(const struct sf_cred_config *config, const char *name);

/* Fills |out| (cleared first) from borrowed strings; |token| may be NULL. SF_ERR_TOO_BIG when
 * a value does not fit struct sf_cred_value, with |errbuf| saying which field of |what| (never
 * the value). */
sf_err sf_cred_value_fill(struct sf_cred_value *out,
                          const char *id,
                          const char *secret,
                          const char *token,
                          const char *what,
                          char *errbuf,
                          size_t errbuf_size);

/* Overwrites the secrets in a way the compiler cannot drop. */
void sf_cred_value_wipe(struct sf_cred_value *value);

#endif
