/* Temporary credentials the emulator hands out (STS AssumeRole / AssumeRoleWithOIDC and the ECS
 * metadata endpoint) and the SLS side's memory of them: each issued triple (STS.* AccessKeyId,
 * secret, security token) is valid until its Expiration and remembered afterwards, so a late
 * request gets SecurityTokenExpired instead of InvalidAccessKeyId. The table is bounded: past
 * |EMU_CREDS_REMEMBERED| entries the oldest is forgotten. Also holds the run-time switches of the
 * credential endpoints (metadata mode, injected faults) and their counters.
 * Every function is thread-safe (one mutex inside); nothing here is ever logged. */
#ifndef EMU_CREDS_H
#define EMU_CREDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_CREDS_REMEMBERED 4096 /* issued credentials kept, valid or expired */

enum emu_cred_kind {
    EMU_CRED_ASSUME_ROLE,
    EMU_CRED_OIDC,
    EMU_CRED_ECS,
    EMU_CRED__COUNT,
};

/* One issued triple; plain copies, safe to use after the lock is dropped. */
struct emu_issued {
    char id[40];     /* "STS." + 24 alphanumerics */
    char secret[48]; /* 44 alphanumerics */
    char token[200]; /* "CAIS" + base64 */
    int64_t issued_s;
    int64_t expires_s; /* first second at which it is refused */
    enum emu_cred_kind kind;
};

enum emu_cred_state {
    EMU_CRED_UNKNOWN, /* never issued, or forgotten (evicted) */
    EMU_CRED_VALID,
    EMU_CRED_EXPIRED,
};

/* Why the SLS side refused a request (counted for /_emulator/stats). */
enum emu_cred_refusal {
    EMU_CRED_REFUSED_EXPIRED,   /* SecurityTokenExpired */
    EMU_CRED_REFUSED_UNKNOWN,   /* InvalidAccessKeyId */
    EMU_CRED_REFUSED_BAD_TOKEN, /* Unauthorized: token missing or not this key's */
    EMU_CRED_REFUSED__COUNT,
};

/* What GET .../security-credentials/<role> and PUT /latest/api/token do (see README). */
enum emu_metadata_mode {
    EMU_METADATA_OPTIONAL, /* plain GETs and token GETs both work (the ECS default) */
    EMU_METADATA_HARDENED, /* a GET without a valid token gets 403 */
};

/* Injected failures of the credential endpoints; 0 = off. A status answers with it, -1 drops
 * the connection without an answer. */
struct emu_cred_faults {
    int sts_status;            /* 403 NoPermission, 400 Throttling.User, 500 InternalError */
    int metadata_token_status; /* PUT /latest/api/token */
    int metadata_creds_status; /* GET .../security-credentials/<role> */
};

struct emu_creds_options {
    int64_t lifetime_cap_s;        /* 0: no cap; else every credential lives at most this long */
    const char *role_arn;          /* NULL: any well-formed RoleArn exists */
    const char *oidc_provider_arn; /* NULL: any well-formed provider ARN is registered */
    const char *metadata_role;     /* the ECS instance's RAM role name */
    enum emu_metadata_mode metadata_mode;
    struct emu_cred_faults faults;
};

struct emu_creds;

/* Copies the strings of |opts|. */
struct emu_creds *emu_creds_new(const struct emu_creds_options *opts);
void emu_creds_free(struct emu_creds *creds);

/* The lifetime cap (0 = none); POST /_emulator/credentials?lifetime= changes it for the
 * credentials issued from then on. */
int64_t emu_creds_lifetime_cap(struct emu_creds *creds);
void emu_creds_set_lifetime_cap(struct emu_creds *creds, int64_t cap_s);
/* The configured settings (fixed after emu_creds_new; the pointers live as long as |creds|). */
const char *emu_creds_role_arn(const struct emu_creds *creds);
const char *emu_creds_oidc_provider_arn(const struct emu_creds *creds);
const char *emu_creds_metadata_role(const struct emu_creds *creds);

/* Issues a new triple valid for |duration_s| (capped by the lifetime cap) from |now_s|. */
void emu_creds_issue(struct emu_creds *creds,
                     enum emu_cred_kind kind,
                     int64_t duration_s,
                     int64_t now_s,
                     struct emu_issued *out);
/* The ECS role's current triple: reused while more than half its life is left, else a new one
 * (what the instance does: the metadata service rotates before expiry). */
void emu_creds_ecs_current(struct emu_creds *creds, int64_t now_s, struct emu_issued *out);
/* Looks up an issued AccessKeyId; fills |out| unless UNKNOWN. */
enum emu_cred_state emu_creds_find(
    struct emu_creds *creds, const char *id, size_t len, int64_t now_s, struct emu_issued *out);
void emu_creds_count_refusal(struct emu_creds *creds, enum emu_cred_refusal why);

/* Metadata session tokens (PUT /latest/api/token): a new random token valid |ttl_s|. */
void emu_creds_metadata_token(struct emu_creds *creds, int64_t ttl_s, int64_t now_s, char out[48]);
bool emu_creds_metadata_token_valid(struct emu_creds *creds, const char *token, int64_t now_s);

/* Run-time switches (also set by POST /_emulator/credentials). */
void emu_creds_get_switches(struct emu_creds *creds,
                            enum emu_metadata_mode *mode,
                            struct emu_cred_faults *faults);
void emu_creds_set_switches(struct emu_creds *creds,
                            enum emu_metadata_mode mode,
                            const struct emu_cred_faults *faults);

/* Request counters of the two endpoints (|is_error|: answered other than 200). */
void emu_creds_count_sts(struct emu_creds *creds, bool is_error);
void emu_creds_count_metadata(struct emu_creds *creds, bool is_token, bool is_error);

/* The "credentials" object of /_emulator/stats (format in README.md). */
json_t *emu_creds_stats_json(struct emu_creds *creds, int64_t now_s);

/* "2026-12-06T03:04:05Z" (the Expiration format every credentials library parses). */
void emu_creds_fmt_time(int64_t t, char out[24]);
/* |n| random characters of [A-Za-z0-9] into |out| (NUL-terminated). */
void emu_creds_random_alnum(char *out, size_t n);

#endif
