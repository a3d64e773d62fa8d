/* struct sf_cred: the configuration with the environment folded in, its validation, the first
 * fetch and the default chain. The refresher thread is refresh.c. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cred/cred_int.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "cred"

/* STS accepts DurationSeconds from 900 s to the role's maximum, at most 12 h (credentials-go
 * providers/oidc.go and ram_role_arn.go refuse < 900 before asking). */
#define MIN_DURATION_S 900
#define MAX_DURATION_S 43200

sf_cred_fetch_fn sf_cred_fetcher(enum sf_cred_provider provider)
{
    switch (provider) {
    case SF_CRED_STATIC:
        return sf_cred_fetch_static;
    case SF_CRED_ENV:
        return sf_cred_fetch_env;
    case SF_CRED_OIDC_ROLE_ARN:
        return sf_cred_fetch_oidc;
    case SF_CRED_PROFILE:
        return sf_cred_fetch_profile;
    case SF_CRED_FILE:
        return sf_cred_fetch_file;
    case SF_CRED_ECS_RAM_ROLE:
        return sf_cred_fetch_ecs;
    case SF_CRED_RAM_ROLE_ARN:
        return sf_cred_fetch_ram_role_arn;
    default:
        SF_ASSERT(!"AUTO and CHAIN have no fetch function");
        return NULL;
    }
}

bool sf_cred_can_change(enum sf_cred_provider provider)
{
    return provider != SF_CRED_STATIC && provider != SF_CRED_ENV;
}

void sf_cred_format_time(int64_t unix_s, char *out, size_t out_size)
{
    if (unix_s == 0) {
        snprintf(out, out_size, "never");
        return;
    }
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t sf_cred_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_set(const char *s)
{
    return s && s[0];
}

static const char *keep(struct sf_cred *cred, const char *s)
{
    if (!is_set(s)) {
        return NULL; /* "" is "not set", as the libraries treat it */
    }
    SF_ASSERT(cred->n_owned < sizeof(cred->owned) / sizeof(cred->owned[0]));
    cred->owned[cred->n_owned] = sf_xstrdup(s);
    return cred->owned[cred->n_owned++];
}

/* The config value when set, else the environment variable the libraries read for it. */
static const char *fold(struct sf_cred *cred, const char *configured, const char *env_name)
{
    return keep(cred, is_set(configured) ? configured : sf_cred_getenv(&cred->config, env_name));
}

static bool env_is_true(const struct sf_cred_config *config, const char *name)
{
    const char *value = sf_cred_getenv(config, name);
    return value && strcasecmp(value, "true") == 0; /* strings.ToLower(os.Getenv(..)) == "true" */
}

/* What AUTO means, decided from the config alone: ALIBABA_CLOUD_ROLE_ARN is set in every RRSA
 * pod, so the environment must not turn configured static keys into an AssumeRole. */
static enum sf_cred_provider decide_auto(const struct sf_cred_config *config)
{
    bool has_keys = is_set(config->access_key_id) || is_set(config->access_key_secret);
    if (has_keys && is_set(config->role_arn)) {
        return SF_CRED_RAM_ROLE_ARN;
    }
    if (has_keys) {
        return SF_CRED_STATIC;
    }
    if (is_set(config->file)) {
        return SF_CRED_FILE;
    }
    if (is_set(config->oidc_provider_arn)) {
        return SF_CRED_OIDC_ROLE_ARN;
    }
    return SF_CRED_CHAIN;
}

/* ALIBABA_CLOUD_STS_REGION and ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED, as both STS providers of
 * credentials-go build the endpoint when none is given (providers/oidc.go, Build). */
static const char *sts_endpoint_from_region(struct sf_cred *cred)
{
    const char *region = sf_cred_getenv(&cred->config, "ALIBABA_CLOUD_STS_REGION");
    char host[256];
    if (!region) {
        return NULL;
    }
    bool is_vpc = env_is_true(&cred->config, "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED");
    snprintf(host, sizeof(host), "%s.%s.aliyuncs.com", is_vpc ? "sts-vpc" : "sts", region);
    return keep(cred, host);
}

static void copy_config(struct sf_cred *cred, const struct sf_cred_config *in)
{
    struct sf_cred_config *c = &cred->config;
    *c = *in; /* numbers, flags and getenv_fn; every string is replaced below */
    c->provider = cred->configured;
    c->source_name = keep(cred, is_set(in->source_name) ? in->source_name : "-"); /* for logs */
    c->access_key_id = keep(cred, in->access_key_id);
    c->access_key_secret = keep(cred, in->access_key_secret);
    c->security_token = keep(cred, in->security_token);
    c->file = keep(cred, in->file);
    c->profile_file = fold(cred, in->profile_file, "ALIBABA_CLOUD_CREDENTIALS_FILE");
    c->profile_name = fold(cred, in->profile_name, "ALIBABA_CLOUD_PROFILE");
    c->role_arn = fold(cred, in->role_arn, "ALIBABA_CLOUD_ROLE_ARN");
    c->oidc_provider_arn = fold(cred, in->oidc_provider_arn, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN");
    c->oidc_token_file = fold(cred, in->oidc_token_file, "ALIBABA_CLOUD_OIDC_TOKEN_FILE");
    c->role_session_name = fold(cred, in->role_session_name, "ALIBABA_CLOUD_ROLE_SESSION_NAME");
    c->policy = keep(cred, in->policy);
    c->sts_endpoint = fold(cred, in->sts_endpoint, "ALIBABA_CLOUD_STS_ENDPOINT");
    if (!c->sts_endpoint) {
        c->sts_endpoint = sts_endpoint_from_region(cred);
    }
    c->ecs_role_name = fold(cred, in->ecs_role_name, "ALIBABA_CLOUD_ECS_METADATA");
    c->ecs_metadata_endpoint = keep(cred, in->ecs_metadata_endpoint);
    c->ecs_imdsv1_disabled =
        in->ecs_imdsv1_disabled || env_is_true(c, "ALIBABA_CLOUD_IMDSV1_DISABLED");
    c->ca_file = keep(cred, in->ca_file);
    c->proxy = keep(cred, in->proxy);
    c->proxy_credentials = keep(cred, in->proxy_credentials);
    cred->is_ecs_disabled = env_is_true(c, "ALIBABA_CLOUD_ECS_METADATA_DISABLED");
}

/* The first key |provider| needs that is missing, with the variable that could set it. */
static bool missing_key(const struct sf_cred *cred, const char **key, const char **env)
{
    const struct sf_cred_config *c = &cred->config;
    const struct {
        enum sf_cred_provider provider;
        const char *value;
        const char *key;
        const char *env;
    } needs[] = {
        {SF_CRED_STATIC, c->access_key_id, "access_key_id", NULL},
        {SF_CRED_STATIC, c->access_key_secret, "access_key_secret", NULL},
        {SF_CRED_RAM_ROLE_ARN, c->access_key_id, "access_key_id", NULL},
        {SF_CRED_RAM_ROLE_ARN, c->access_key_secret, "access_key_secret", NULL},
        {SF_CRED_RAM_ROLE_ARN, c->role_arn, "role_arn", "ALIBABA_CLOUD_ROLE_ARN"},
        {SF_CRED_OIDC_ROLE_ARN, c->role_arn, "role_arn", "ALIBABA_CLOUD_ROLE_ARN"},
        {SF_CRED_OIDC_ROLE_ARN, c->oidc_provider_arn, "oidc_provider_arn",
         "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"},
        {SF_CRED_OIDC_ROLE_ARN, c->oidc_token_file, "oidc_token_file",
         "ALIBABA_CLOUD_OIDC_TOKEN_FILE"},
        {SF_CRED_FILE, c->file, "file", NULL},
    };
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
        if (needs[i].provider == cred->configured && !needs[i].value) {
            *key = needs[i].key;
            *env = needs[i].env;
            return true;
        }
    }
    return false;
}

static sf_err validate(const struct sf_cred *cred, char *errbuf, size_t errbuf_size)
{
    const struct sf_cred_config *c = &cred->config;
    const char *name = sf_cred_provider_name(cred->configured);
    const char *key;
    const char *env;
    if (missing_key(cred, &key, &env)) {
        snprintf(errbuf, errbuf_size, "credentials provider %s needs %s%s%s%s", name, key,
                 env ? " (or $" : "", env ? env : "", env ? ")" : "");
        return SF_ERR_CONFIG;
    }
    if (c->duration_s != 0 && (c->duration_s < MIN_DURATION_S || c->duration_s > MAX_DURATION_S)) {
        snprintf(errbuf, errbuf_size, "duration_s: %d is outside %d..%d seconds (STS)",
                 c->duration_s, MIN_DURATION_S, MAX_DURATION_S);
        return SF_ERR_CONFIG;
    }
    if (c->timeout_ms < 0) {
        snprintf(errbuf, errbuf_size, "timeout_ms: %ld is negative", c->timeout_ms);
        return SF_ERR_CONFIG;
    }
    if (cred->configured == SF_CRED_ECS_RAM_ROLE && cred->is_ecs_disabled) {
        /* credentials-go's ECSRAMRoleCredentialsProviderBuilder refuses to build then. */
        snprintf(errbuf, errbuf_size,
                 "credentials provider ecs_ram_role, but ALIBABA_CLOUD_ECS_METADATA_DISABLED=true");
        return SF_ERR_CONFIG;
    }
    return SF_OK;
}

sf_err sf_cred_new(const struct sf_cred_config *config,
                   struct sf_cred **out,
                   char *errbuf,
                   size_t errbuf_size)
{
    *out = NULL;
    if ((unsigned)config->provider > SF_CRED_RAM_ROLE_ARN) {
        snprintf(errbuf, errbuf_size, "credentials provider %d is unknown", (int)config->provider);
        return SF_ERR_CONFIG;
    }
    struct sf_cred *cred = sf_xcalloc(1, sizeof(*cred));
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&cred->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&cred->lock, NULL);
    cred->configured = config->provider == SF_CRED_AUTO ? decide_auto(config) : config->provider;
    cred->config.getenv_fn = config->getenv_fn; /* copy_config reads the environment */
    copy_config(cred, config);
    cred->used = cred->configured;
    cred->status.provider = cred->configured;
    cred->rng = ((uint64_t)sf_cred_wall_ms() * 2654435761u) ^ (uint64_t)(uintptr_t)cred;
    cred->rng |= 1; /* xorshift state must not be 0 */
    sf_err err = validate(cred, errbuf, errbuf_size);
    if (err) {
        sf_cred_free(cred);
        return err;
    }
    *out = cred;
    return SF_OK;
}

void sf_cred_free(struct sf_cred *cred)
{
    if (!cred) {
        return;
    }
    pthread_mutex_lock(&cred->lock);
    cred->is_stopping = true;
    pthread_cond_broadcast(&cred->wake); /* also cuts a backoff or a planned wait short */
    pthread_mutex_unlock(&cred->lock);
    if (cred->has_thread) {
        pthread_join(cred->thread, NULL);
    }
    pthread_cond_destroy(&cred->wake);
    pthread_mutex_destroy(&cred->lock);
    for (size_t i = 0; i < cred->n_owned; i++) {
        OPENSSL_cleanse(cred->owned[i], strlen(cred->owned[i]));
        free(cred->owned[i]);
    }
    sf_cred_value_wipe(&cred->current);
    free(cred);
}

static void append(char *buf, size_t size, const char *name, const char *why)
{
    size_t len = strlen(buf);
    if (len < size) {
        snprintf(buf + len, size - len, "%s%s: %s", len ? "; " : "", name, why);
    }
}

/* The chain entries that are not configured at all before their fetch is even worth calling:
 * credentials-go adds the OIDC provider only when its three variables are set
 * (NewOIDCCredentialsProviderBuilder().Build() fails otherwise) and the ECS one unless
 * ALIBABA_CLOUD_ECS_METADATA_DISABLED=true. */
static bool
chain_skips(const struct sf_cred *cred, enum sf_cred_provider provider, char *why, size_t why_size)
{
    const struct sf_cred_config *c = &cred->config;
    if (provider == SF_CRED_OIDC_ROLE_ARN &&
        (!c->role_arn || !c->oidc_provider_arn || !c->oidc_token_file)) {
        snprintf(why, why_size, "%s is not set",
                 !c->oidc_token_file     ? "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
                 : !c->oidc_provider_arn ? "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
                                         : "ALIBABA_CLOUD_ROLE_ARN");
        return true;
    }
    if (provider == SF_CRED_ECS_RAM_ROLE && cred->is_ecs_disabled) {
        snprintf(why, why_size, "disabled by ALIBABA_CLOUD_ECS_METADATA_DISABLED=true");
        return true;
    }
    return false;
}

/* credentials-go providers/default.go NewDefaultCredentialsProvider: env, OIDC, CLI profile
 * (~/.aliyun/config.json: not implemented, see docs/internals/cred.md), profile, ECS RAM role,
 * credentials URI (not implemented). The first that works is kept for every later refresh
 * (lastUsedProvider). |errbuf| lists every provider and why it did not answer; |failed| only
 * those that were configured and failed, for the status line. Nothing configured anywhere is
 * SF_ERR_CONFIG; otherwise the error of the last provider that failed, so a metadata service
 * that is briefly down stays retryable. */
static sf_err run_chain(struct sf_cred *cred,
                        struct sf_cred_value *fresh,
                        enum sf_cred_provider *used,
                        char *errbuf,
                        size_t errbuf_size,
                        char *failed,
                        size_t failed_size)
{
    static const enum sf_cred_provider chain[] = {SF_CRED_ENV, SF_CRED_OIDC_ROLE_ARN,
                                                  SF_CRED_PROFILE, SF_CRED_ECS_RAM_ROLE};
    char tried[1024] = "";
    sf_err last = SF_ERR_CONFIG;
    failed[0] = '\0';
    for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
        const char *name = sf_cred_provider_name(chain[i]);
        char why[512] = "";
        sf_err err = SF_ERR_NOT_FOUND;
        if (!chain_skips(cred, chain[i], why, sizeof(why))) {
            err = sf_cred_fetcher(chain[i])(&cred->config, fresh, why, sizeof(why));
        }
        if (!err) {
            *used = chain[i];
            return SF_OK;
        }
        SF_LOG_DEBUG("msg=\"credential chain: provider skipped\" source=%s provider=%s "
                     "configured=%s error=\"%s\"",
                     cred->config.source_name, name, err == SF_ERR_NOT_FOUND ? "no" : "yes", why);
        append(tried, sizeof(tried), name, why[0] ? why : sf_err_str(err));
        if (err != SF_ERR_NOT_FOUND) {
            append(failed, failed_size, name, why[0] ? why : sf_err_str(err));
            last = err;
        }
    }
    snprintf(errbuf, errbuf_size, "no credential provider in the chain worked: %s", tried);
    if (!failed[0]) {
        snprintf(failed, failed_size, "no credential provider in the chain is configured");
    }
    return last;
}

sf_err sf_cred_check_expiry(enum sf_cred_provider provider,
                            const struct sf_cred_value *fresh,
                            int64_t now_wall_ms,
                            char *errbuf,
                            size_t errbuf_size)
{
    if (fresh->expiration == 0 || fresh->expiration * 1000 > now_wall_ms) {
        return SF_OK;
    }
    char when[32];
    sf_cred_format_time(fresh->expiration, when, sizeof(when));
    snprintf(errbuf, errbuf_size, "provider %s returned credentials that expired at %s",
             sf_cred_provider_name(provider), when);
    return SF_ERR_AUTH_EXPIRED;
}

sf_err sf_cred_resolve(struct sf_cred *cred, char *errbuf, size_t errbuf_size)
{
    struct sf_cred_value *fresh = sf_xmalloc(sizeof(*fresh));
    pthread_mutex_lock(&cred->lock);
    enum sf_cred_provider provider = cred->used;
    pthread_mutex_unlock(&cred->lock);
    int64_t started_ms = sf_cred_wall_ms();
    char why[1024] = "";
    char summary[sizeof(cred->status.last_error)] = "";
    sf_err err;
    if (provider == SF_CRED_CHAIN) {
        err = run_chain(cred, fresh, &provider, why, sizeof(why), summary, sizeof(summary));
        if (!err) {
            summary[0] = '\0'; /* earlier failures do not describe what happens next */
        }
    } else {
        err = sf_cred_fetcher(provider)(&cred->config, fresh, why, sizeof(why));
        if (err == SF_ERR_NOT_FOUND) { /* chosen explicitly, so "not configured" is an error */
            err = SF_ERR_CONFIG;
        }
    }
    if (!err) {
        err = sf_cred_check_expiry(provider, fresh, sf_cred_wall_ms(), why, sizeof(why));
    } else if (!why[0]) {
        snprintf(why, sizeof(why), "%s", sf_err_str(err));
    }
    pthread_mutex_lock(&cred->lock);
    if (err) {
        sf_cred_record_failure(cred, summary[0] ? summary : why);
        snprintf(errbuf, errbuf_size, "credentials (%s): %s", sf_cred_provider_name(provider), why);
    } else {
        sf_cred_install(cred, provider, fresh, started_ms);
    }
    pthread_mutex_unlock(&cred->lock);
    if (!err) {
        char when[32];
        sf_cred_format_time(fresh->expiration, when, sizeof(when));
        SF_LOG_INFO("msg=\"credentials resolved\" source=%s provider=%s expires=%s",
                    cred->config.source_name, sf_cred_provider_name(provider), when);
    }
    sf_cred_value_wipe(fresh);
    free(fresh);
    return err;
}

void sf_cred_current(struct sf_cred *cred, struct sf_cred_value *out)
{
    pthread_mutex_lock(&cred->lock);
    SF_ASSERT(cred->has_value);
    memcpy(out, &cred->current, sizeof(*out));
    pthread_mutex_unlock(&cred->lock);
}

void sf_cred_status(struct sf_cred *cred, struct sf_cred_status *out)
{
    pthread_mutex_lock(&cred->lock);
    *out = cred->status;
    out->provider = cred->used;
    out->next_refresh = 0;
    if (cred->is_refresh_requested) {
        out->next_refresh = sf_wall_s();
    } else if (cred->due_ms) {
        int64_t wall_ms = sf_cred_wall_ms(); /* before the monotonic clock: errs early */
        int64_t in_ms = cred->due_ms - sf_now_ms();
        out->next_refresh = (wall_ms + (in_ms > 0 ? in_ms : 0) + 999) / 1000;
    }
    pthread_mutex_unlock(&cred->lock);
}
