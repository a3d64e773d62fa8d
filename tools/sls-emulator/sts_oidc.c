/* AssumeRoleWithOIDC (anonymous): RoleArn and OIDCProviderArn as the service checks them, and
 * the OIDCToken as far as it can be checked without the provider's keys: three base64url parts,
 * a JSON header and payload, `exp` not past, `aud` (when present) naming sts.aliyuncs.com. The
 * JWT signature and `iss` against the provider's discovery document are NOT checked. Codes and
 * messages: the STS error-code page (api-sts-2015-04-01-errorcodes) and ACK's RRSA guide. */
#include <string.h>
#include <strings.h>

#include "sts_int.h"
#include "util/alloc.h"
#include "util/encode.h"

#include "util/banned.h"

#define AUDIENCE "sts.aliyuncs.com"

static bool token_invalid(struct sts_ctx *ctx, const char *message)
{
    return sts_error(ctx, 401, "AuthenticationFail.OIDCToken.Invalid", "%s", message);
}

/* base64url (no padding) of a JSON object → the object, or NULL. */
static json_t *decode_part(const char *part, size_t len)
{
    if (len == 0 || len > 16384) {
        return NULL;
    }
    char *std = sf_xmalloc(len + 4);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = part[i];
        std[n++] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    while (n % 4) {
        std[n++] = '=';
    }
    uint8_t *raw = sf_xmalloc(n / 4 * 3 + 1);
    size_t raw_len = 0;
    json_t *root = NULL;
    if (sf_base64_decode(std, n, raw, &raw_len)) {
        root = json_loadb((const char *)raw, raw_len, 0, NULL);
        if (!json_is_object(root)) {
            json_decref(root);
            root = NULL;
        }
    }
    free(std);
    free(raw);
    return root;
}

static bool has_audience(json_t *aud)
{
    if (json_is_string(aud)) {
        return strcmp(json_string_value(aud), AUDIENCE) == 0;
    }
    size_t i;
    json_t *item;
    json_array_foreach(aud, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), AUDIENCE) == 0) {
            return true;
        }
    }
    return false;
}

/* Checks the token; on success returns the OIDCTokenInfo object of the answer. */
static json_t *check_token(struct sts_ctx *ctx, const char *token)
{
    if (!token || !token[0]) {
        token_invalid(ctx, "The OIDCToken can not empty.");
        return NULL;
    }
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot1 || !dot2 || strchr(dot2 + 1, '.') || !dot2[1]) {
        token_invalid(ctx, "The number of Jwt field should be divided into 3 parts with '.' .");
        return NULL;
    }
    json_t *header = decode_part(token, (size_t)(dot1 - token));
    json_t *payload = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    json_t *info = NULL;
    json_t *exp = json_object_get(payload, "exp");
    json_t *aud = json_object_get(payload, "aud");
    if (!header || !payload || (exp && !json_is_integer(exp))) {
        token_invalid(ctx, "The Jwt content is invalid that cannot be recognized.");
    } else if (exp && json_integer_value(exp) <= ctx->now_s) {
        sts_error(ctx, 401, "AuthenticationFail.OIDCToken.Expired",
                  "This JsonWebToken is expired.");
    } else if (aud && !has_audience(aud)) {
        sts_error(ctx, 401, "AuthenticationFail.OIDCToken.AudienceNotMatch", "Invalid audience.");
    } else {
        const char *sub = json_string_value(json_object_get(payload, "sub"));
        const char *iss = json_string_value(json_object_get(payload, "iss"));
        info = json_pack("{s:s, s:s, s:s}", "Subject", sub ? sub : "", "Issuer", iss ? iss : "",
                         "ClientIds", AUDIENCE);
    }
    json_decref(header);
    json_decref(payload);
    return info;
}

static bool check_provider(struct sts_ctx *ctx)
{
    const char *arn = sts_param(ctx, "OIDCProviderArn");
    if (!arn || !arn[0]) {
        return sts_error(ctx, 400, "MissingOIDCProviderArn",
                         "OIDCProviderArn is mandatory for this action.");
    }
    if (strncmp(arn, "acs:ram::", 9) != 0 || !strstr(arn, ":oidc-provider/")) {
        return sts_error(ctx, 400, "InvalidParameter.OIDCProviderArn",
                         "The parameter OIDCProviderArn is wrongly formed.");
    }
    const char *want = emu_creds_oidc_provider_arn(ctx->srv->creds);
    if (want && strcasecmp(want, arn) != 0) {
        return sts_error(ctx, 401, "AuthenticationFail.NoPermission",
                         "No such OIDC Provider registered.");
    }
    return true;
}

void emu_sts_assume_role_with_oidc(struct sts_ctx *ctx)
{
    const char *role_arn, *session;
    int64_t duration;
    if (!sts_check_role(ctx, &role_arn, &session) || !check_provider(ctx)) {
        return;
    }
    json_t *info = check_token(ctx, sts_param(ctx, "OIDCToken"));
    if (!info) {
        return;
    }
    if (!sts_check_duration(ctx, &duration)) {
        json_decref(info);
        return;
    }
    sts_reply_credentials(ctx, EMU_CRED_OIDC, role_arn, session, duration, info);
}
