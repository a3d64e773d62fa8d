/* Credentials for SLS requests, resolved the way the official Alibaba Cloud credential
 * libraries (aliyun/credentials-go, credentials-python) resolve them: static keys, the
 * ALIBABA_CLOUD_* environment variables, RRSA/OIDC (STS AssumeRoleWithOIDC), the INI
 * credentials file, the ECS instance RAM role (metadata service, hardened mode first), and
 * AssumeRole from a RAM user's keys; plus slsfwd's own re-read `credentials_file`.
 * Docs: docs/internals/cred.md.
 *
 * One struct sf_cred per source. sf_cred_resolve() fetches once, synchronously (start-up and
 * `slsfwd check`). sf_cred_start() then runs a refresher thread that renews temporary
 * credentials before they expire (margin and jitter from their lifetime) and at once when an
 * SLS call reports them refused (sf_cred_report_refused); a failed refresh keeps the old
 * credentials, retries with backoff and is visible in sf_cred_status(). Every fresh value is
 * handed to the listener, from the refresher thread. All functions are thread-safe. No
 * credential value is ever logged. */
#ifndef SF_CRED_CRED_H
#define SF_CRED_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum sf_cred_provider {
    SF_CRED_AUTO,          /* from the config alone: role_arn + keys: ram_role_arn; keys: static;
                            * file; oidc_provider_arn: oidc_role_arn; else the chain */
    SF_CRED_CHAIN,         /* env, oidc_role_arn, profile, ecs_ram_role: the libraries' order */
    SF_CRED_STATIC,        /* access_key_id/secret (+ security_token) from the config */
    SF_CRED_ENV,           /* ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/SECURITY_TOKEN */
    SF_CRED_OIDC_ROLE_ARN, /* RRSA: STS AssumeRoleWithOIDC with the (re-read) token file */
    SF_CRED_PROFILE,       /* INI file ~/.alibabacloud/credentials, one profile */
    SF_CRED_FILE,          /* slsfwd's credentials_file (YAML/JSON), re-read at refresh */
    SF_CRED_ECS_RAM_ROLE,  /* instance metadata service, token (hardened) mode first */
    SF_CRED_RAM_ROLE_ARN,  /* STS AssumeRole signed with the static keys */
};

/* "auto", "chain", "static", "env", "oidc_role_arn", "profile", "file", "ecs_ram_role",
 * "ram_role_arn" (the credentials-go type names where one exists). */
const char *sf_cred_provider_name(enum sf_cred_provider provider);
/* false when |name| is none of the above. */
bool sf_cred_provider_parse(const char *name, enum sf_cred_provider *out);

/* What to resolve. Strings are borrowed for the call of sf_cred_new only (it copies them).
 * NULL means "not set": the documented environment variable, then the libraries' default. */
struct sf_cred_config {
    enum sf_cred_provider provider;
    const char *source_name; /* for logs: "nginx-access" */
    /* static, and the RAM user whose keys sign ram_role_arn's AssumeRole */
    const char *access_key_id;
    const char *access_key_secret;
    const char *security_token;
    const char *file;         /* SF_CRED_FILE */
    const char *profile_file; /* $ALIBABA_CLOUD_CREDENTIALS_FILE, ~/.alibabacloud/credentials */
    const char *profile_name; /* $ALIBABA_CLOUD_PROFILE, "default" */
    const char *role_arn;     /* $ALIBABA_CLOUD_ROLE_ARN (oidc_role_arn) */
    const char *oidc_provider_arn;     /* $ALIBABA_CLOUD_OIDC_PROVIDER_ARN */
    const char *oidc_token_file;       /* $ALIBABA_CLOUD_OIDC_TOKEN_FILE */
    const char *role_session_name;     /* $ALIBABA_CLOUD_ROLE_SESSION_NAME, "slsfwd-<unix time>" */
    const char *policy;                /* optional STS session policy (JSON) */
    int duration_s;                    /* STS session lifetime; 0: 3600 */
    const char *sts_endpoint;          /* $ALIBABA_CLOUD_STS_ENDPOINT, "sts.aliyuncs.com";
                                        * "host", "https://host[:port]" or "http://host:port" */
    const char *ecs_role_name;         /* $ALIBABA_CLOUD_ECS_METADATA, else discovered */
    const char *ecs_metadata_endpoint; /* "http://100.100.100.200" */
    bool ecs_imdsv1_disabled;          /* or $ALIBABA_CLOUD_IMDSV1_DISABLED=true: token mode only */
    const char *ca_file;               /* for STS over HTTPS; NULL: system store */
    /* STS only (never the metadata service): the proxy util/proxy.h chose for the STS URL,
     * "" for direct; NULL leaves the *_proxy environment to curl (tests). */
    const char *proxy;
    const char *proxy_credentials; /* "user:password", secret; NULL: none */
    long timeout_ms;               /* per STS/metadata request; 0: 5000 */
    /* Test seam: NULL reads the process environment with getenv(). */
    const char *(*getenv_fn)(const char *name);
};

/* One set of credentials. Fixed-size so a copy never allocates; an STS token is ~1-2 KB. */
struct sf_cred_value {
    char access_key_id[128];
    char access_key_secret[128];
    char security_token[8192]; /* "" without STS */
    int64_t expiration;        /* unix seconds; 0: does not expire */
};

/* What sf_cred_status() reports (metrics, `slsfwd check`, logs). No credential value. */
struct sf_cred_status {
    enum sf_cred_provider provider; /* the one in use: never AUTO or CHAIN once resolved */
    int64_t expiration;             /* 0: does not expire */
    int64_t last_success;           /* unix s of the last fetch that worked; 0: never */
    int64_t next_refresh;           /* unix s; 0: none planned */
    uint64_t refreshes;             /* successful fetches after the first */
    uint64_t failures;              /* failed fetches */
    bool failing;                   /* the last fetch failed */
    char last_error[256];           /* "" when the last fetch worked */
};

struct sf_cred;

/* Called from the refresher thread with each fresh value (never twice at once). */
typedef void (*sf_cred_listener)(void *ctx, const struct sf_cred_value *fresh);

/* Validates and copies |config|; does not fetch. SF_ERR_CONFIG with |errbuf| naming the key. */
sf_err sf_cred_new(const struct sf_cred_config *config,
                   struct sf_cred **out,
                   char *errbuf,
                   size_t errbuf_size);
/* Stops the refresher (if started) and wipes the held secrets. NULL is a no-op. */
void sf_cred_free(struct sf_cred *cred);

/* First fetch, blocking: picks the provider (the chain stops at the first that works and keeps
 * it, as the libraries do). On failure |errbuf| names the provider(s) tried and why. */
sf_err sf_cred_resolve(struct sf_cred *cred, char *errbuf, size_t errbuf_size);
/* Copies the current credentials. Only after sf_cred_resolve succeeded. */
void sf_cred_current(struct sf_cred *cred, struct sf_cred_value *out);
/* Starts the refresher thread (after sf_cred_resolve). Providers that never expire (static,
 * env without a token) start no thread unless |listener| must hear of file re-reads. */
sf_err sf_cred_start(struct sf_cred *cred, sf_cred_listener listener, void *ctx);
/* An SLS call refused the credentials (SecurityTokenExpired, InvalidAccessKeyId, ...): refresh
 * now. Reports arriving within a second of a fresh value are dropped (they were signed with
 * the old one). Any thread; does not block. */
void sf_cred_report_refused(struct sf_cred *cred, const char *code);
void sf_cred_status(struct sf_cred *cred, struct sf_cred_status *out);

#endif
