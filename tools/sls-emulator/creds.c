/* The issued-credential table: a ring of EMU_CREDS_REMEMBERED entries where a new credential
 * overwrites the oldest, plus the metadata session tokens, the run-time switches and the
 * counters. Lookups scan the ring: it only runs for AccessKeyIds that are not static keys. */
#include "creds.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/encode.h"

#include "util/banned.h"

#define METADATA_TOKENS 256 /* live metadata session tokens; the oldest is forgotten */

struct metadata_token {
    char value[48];
    int64_t expires_s;
};

struct emu_creds {
    pthread_mutex_t lock;
    /* Fixed after emu_creds_new. */
    char *role_arn;
    char *oidc_provider_arn;
    char *metadata_role;
    /* Guarded by |lock|. */
    int64_t lifetime_cap_s;
    struct emu_issued ring[EMU_CREDS_REMEMBERED];
    size_t n_ring;    /* entries in use */
    size_t next_ring; /* slot the next credential takes */
    struct emu_issued ecs;
    bool has_ecs;
    struct metadata_token tokens[METADATA_TOKENS];
    size_t next_token;
    enum emu_metadata_mode metadata_mode;
    struct emu_cred_faults faults;
    uint64_t issued[EMU_CRED__COUNT];
    uint64_t refused[EMU_CRED_REFUSED__COUNT];
    uint64_t sts_requests, sts_errors;
    uint64_t metadata_requests, metadata_tokens, metadata_errors;
};

static const char *const kind_names[EMU_CRED__COUNT] = {"assume_role", "assume_role_with_oidc",
                                                        "ecs"};
static const char *const refusal_names[EMU_CRED_REFUSED__COUNT] = {"expired", "unknown",
                                                                   "bad_token"};

void emu_creds_random_alnum(char *out, size_t n)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t bytes[256];
    while (n) {
        size_t chunk = n < sizeof(bytes) ? n : sizeof(bytes);
        if (RAND_bytes(bytes, (int)chunk) != 1) {
            abort(); /* no randomness: issuing guessable credentials would be worse */
        }
        for (size_t i = 0; i < chunk; i++) {
            *out++ = alphabet[bytes[i] % 62];
        }
        n -= chunk;
    }
    *out = '\0';
}

void emu_creds_fmt_time(int64_t t, char out[24])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *dup_or_null(const char *s)
{
    return s && s[0] ? sf_xstrdup(s) : NULL;
}

struct emu_creds *emu_creds_new(const struct emu_creds_options *opts)
{
    struct emu_creds *creds = sf_xcalloc(1, sizeof(*creds));
    pthread_mutex_init(&creds->lock, NULL);
    creds->lifetime_cap_s = opts->lifetime_cap_s;
    creds->role_arn = dup_or_null(opts->role_arn);
    creds->oidc_provider_arn = dup_or_null(opts->oidc_provider_arn);
    creds->metadata_role = sf_xstrdup(
        opts->metadata_role && opts->metadata_role[0] ? opts->metadata_role : "sls-emulator-role");
    creds->metadata_mode = opts->metadata_mode;
    creds->faults = opts->faults;
    return creds;
}

void emu_creds_free(struct emu_creds *creds)
{
    if (!creds) {
        return;
    }
    OPENSSL_cleanse(creds->ring, sizeof(creds->ring));
    OPENSSL_cleanse(&creds->ecs, sizeof(creds->ecs));
    free(creds->role_arn);
    free(creds->oidc_provider_arn);
    free(creds->metadata_role);
    pthread_mutex_destroy(&creds->lock);
    free(creds);
}

int64_t emu_creds_lifetime_cap(struct emu_creds *creds)
{
    pthread_mutex_lock(&creds->lock);
    int64_t cap = creds->lifetime_cap_s;
    pthread_mutex_unlock(&creds->lock);
    return cap;
}

void emu_creds_set_lifetime_cap(struct emu_creds *creds, int64_t cap_s)
{
    pthread_mutex_lock(&creds->lock);
    creds->lifetime_cap_s = cap_s;
    pthread_mutex_unlock(&creds->lock);
}

const char *emu_creds_role_arn(const struct emu_creds *creds)
{
    return creds->role_arn;
}

const char *emu_creds_oidc_provider_arn(const struct emu_creds *creds)
{
    return creds->oidc_provider_arn;
}

const char *emu_creds_metadata_role(const struct emu_creds *creds)
{
    return creds->metadata_role;
}

/* A token shaped like the service's ("CAIS" + base64 of an opaque blob); 96 random bytes make
 * it long enough that clients with small fixed buffers would show up. */
static void make_token(char *out, size_t size)
{
    uint8_t blob[96];
    if (RAND_bytes(blob, sizeof(blob)) != 1) {
        abort();
    }
    char b64[4 * sizeof(blob) / 3 + 8];
    sf_base64_encode(blob, sizeof(blob), b64);
    snprintf(out, size, "CAIS%s", b64);
}

static void issue_locked(struct emu_creds *creds,
                         enum emu_cred_kind kind,
                         int64_t duration_s,
                         int64_t now_s,
                         struct emu_issued *out)
{
    if (creds->lifetime_cap_s > 0 && duration_s > creds->lifetime_cap_s) {
        duration_s = creds->lifetime_cap_s;
    }
    struct emu_issued cred = {.issued_s = now_s, .expires_s = now_s + duration_s, .kind = kind};
    memcpy(cred.id, "STS.", 4);
    emu_creds_random_alnum(cred.id + 4, 24);
    emu_creds_random_alnum(cred.secret, 44);
    make_token(cred.token, sizeof(cred.token));
    creds->ring[creds->next_ring] = cred;
    creds->next_ring = (creds->next_ring + 1) % EMU_CREDS_REMEMBERED;
    if (creds->n_ring < EMU_CREDS_REMEMBERED) {
        creds->n_ring++;
    }
    creds->issued[kind]++;
    *out = cred;
}

void emu_creds_issue(struct emu_creds *creds,
                     enum emu_cred_kind kind,
                     int64_t duration_s,
                     int64_t now_s,
                     struct emu_issued *out)
{
    pthread_mutex_lock(&creds->lock);
    issue_locked(creds, kind, duration_s, now_s, out);
    pthread_mutex_unlock(&creds->lock);
}

void emu_creds_ecs_current(struct emu_creds *creds, int64_t now_s, struct emu_issued *out)
{
    /* The instance's role credentials last 6 hours unless the test caps them. */
    int64_t lifetime = 6 * 3600;
    pthread_mutex_lock(&creds->lock);
    if (creds->lifetime_cap_s > 0 && lifetime > creds->lifetime_cap_s) {
        lifetime = creds->lifetime_cap_s;
    }
    int64_t left = creds->ecs.expires_s - now_s;
    if (!creds->has_ecs || left * 2 <= lifetime || left > lifetime) {
        issue_locked(creds, EMU_CRED_ECS, lifetime, now_s, &creds->ecs);
        creds->has_ecs = true;
    }
    *out = creds->ecs;
    pthread_mutex_unlock(&creds->lock);
}

enum emu_cred_state emu_creds_find(
    struct emu_creds *creds, const char *id, size_t len, int64_t now_s, struct emu_issued *out)
{
    enum emu_cred_state state = EMU_CRED_UNKNOWN;
    pthread_mutex_lock(&creds->lock);
    for (size_t i = 0; i < creds->n_ring; i++) {
        const struct emu_issued *cred = &creds->ring[i];
        if (strlen(cred->id) == len && memcmp(cred->id, id, len) == 0) {
            *out = *cred;
            state = now_s < cred->expires_s ? EMU_CRED_VALID : EMU_CRED_EXPIRED;
            break;
        }
    }
    pthread_mutex_unlock(&creds->lock);
    return state;
}

void emu_creds_count_refusal(struct emu_creds *creds, enum emu_cred_refusal why)
{
    pthread_mutex_lock(&creds->lock);
    creds->refused[why]++;
    pthread_mutex_unlock(&creds->lock);
}

void emu_creds_metadata_token(struct emu_creds *creds, int64_t ttl_s, int64_t now_s, char out[48])
{
    emu_creds_random_alnum(out, 44);
    pthread_mutex_lock(&creds->lock);
    struct metadata_token *slot = &creds->tokens[creds->next_token];
    snprintf(slot->value, sizeof(slot->value), "%s", out);
    slot->expires_s = now_s + ttl_s;
    creds->next_token = (creds->next_token + 1) % METADATA_TOKENS;
    pthread_mutex_unlock(&creds->lock);
}

bool emu_creds_metadata_token_valid(struct emu_creds *creds, const char *token, int64_t now_s)
{
    bool is_valid = false;
    size_t len = strlen(token);
    pthread_mutex_lock(&creds->lock);
    for (size_t i = 0; i < METADATA_TOKENS && !is_valid; i++) {
        const struct metadata_token *t = &creds->tokens[i];
        is_valid = t->value[0] && strlen(t->value) == len &&
                   CRYPTO_memcmp(t->value, token, len) == 0 && now_s < t->expires_s;
    }
    pthread_mutex_unlock(&creds->lock);
    return is_valid;
}

void emu_creds_get_switches(struct emu_creds *creds,
                            enum emu_metadata_mode *mode,
                            struct emu_cred_faults *faults)
{
    pthread_mutex_lock(&creds->lock);
    *mode = creds->metadata_mode;
    *faults = creds->faults;
    pthread_mutex_unlock(&creds->lock);
}

void emu_creds_set_switches(struct emu_creds *creds,
                            enum emu_metadata_mode mode,
                            const struct emu_cred_faults *faults)
{
    pthread_mutex_lock(&creds->lock);
    creds->metadata_mode = mode;
    creds->faults = *faults;
    pthread_mutex_unlock(&creds->lock);
}

void emu_creds_count_sts(struct emu_creds *creds, bool is_error)
{
    pthread_mutex_lock(&creds->lock);
    creds->sts_requests++;
    creds->sts_errors += is_error;
    pthread_mutex_unlock(&creds->lock);
}

void emu_creds_count_metadata(struct emu_creds *creds, bool is_token, bool is_error)
{
    pthread_mutex_lock(&creds->lock);
    creds->metadata_requests++;
    creds->metadata_tokens += is_token && !is_error;
    creds->metadata_errors += is_error;
    pthread_mutex_unlock(&creds->lock);
}

json_t *emu_creds_stats_json(struct emu_creds *creds, int64_t now_s)
{
    json_t *issued = json_object(), *refused = json_object();
    pthread_mutex_lock(&creds->lock);
    for (int k = 0; k < EMU_CRED__COUNT; k++) {
        json_object_set_new(issued, kind_names[k], json_integer((json_int_t)creds->issued[k]));
    }
    for (int r = 0; r < EMU_CRED_REFUSED__COUNT; r++) {
        json_object_set_new(refused, refusal_names[r], json_integer((json_int_t)creds->refused[r]));
    }
    size_t n_valid = 0;
    for (size_t i = 0; i < creds->n_ring; i++) {
        n_valid += now_s < creds->ring[i].expires_s;
    }
    json_t *root = json_pack(
        "{s:o, s:o, s:I, s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:s}}", "issued", issued,
        "refused", refused, "remembered", (json_int_t)creds->n_ring, "valid", (json_int_t)n_valid,
        "lifetime_cap_seconds", (json_int_t)creds->lifetime_cap_s, "sts", "requests",
        (json_int_t)creds->sts_requests, "errors", (json_int_t)creds->sts_errors, "metadata",
        "requests", (json_int_t)creds->metadata_requests, "tokens",
        (json_int_t)creds->metadata_tokens, "errors", (json_int_t)creds->metadata_errors, "mode",
        creds->metadata_mode == EMU_METADATA_HARDENED ? "hardened" : "optional");
    pthread_mutex_unlock(&creds->lock);
    return root;
}
