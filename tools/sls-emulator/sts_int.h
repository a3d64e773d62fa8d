/* Shared by sts.c (parameters, errors, AssumeRole) and sts_oidc.c (AssumeRoleWithOIDC). */
#ifndef EMU_STS_INT_H
#define EMU_STS_INT_H

#include <stdbool.h>

#include "creds.h"
#include "sts.h"
#include "util/arena.h"

#define STS_MAX_PARAMS 64

struct sts_ctx {
    struct emu_server *srv;
    const struct tc_request *req;
    struct emu_response *resp;
    struct sf_arena *arena;
    struct emu_sts_param params[STS_MAX_PARAMS];
    size_t n_params;
    char request_id[40];
    int64_t now_s;
};

/* First parameter named |key| (query or form body), or NULL. */
const char *sts_param(const struct sts_ctx *ctx, const char *key);
/* An error answer {"RequestId","HostId","Code","Message","Recommend"}; returns false. */
bool sts_error(struct sts_ctx *ctx, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* RoleArn and RoleSessionName: present, well formed, and the role exists. */
bool sts_check_role(struct sts_ctx *ctx, const char **role_arn, const char **session);
/* DurationSeconds (default 3600), within the service's 900..3600. */
bool sts_check_duration(struct sts_ctx *ctx, int64_t *out);
/* Issues a credential and answers 200 with the AssumeRole shape; |oidc_info| (stolen, may be
 * NULL) is added as "OIDCTokenInfo". */
void sts_reply_credentials(struct sts_ctx *ctx,
                           enum emu_cred_kind kind,
                           const char *role_arn,
                           const char *session,
                           int64_t duration_s,
                           json_t *oidc_info);

void emu_sts_assume_role_with_oidc(struct sts_ctx *ctx);

#endif
