/* GET /services/collector/health[/1.0] (docs/protocol/hec.md §Endpoints): no authentication needed;
 * a token in the Authorization header or ?token= is checked too (400 code 21 unknown, 22 disabled).
 * Unhealthy states come from `unhealthy` fault rules (503 codes 18-20). */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "handler.h"
#include "tokens.h"

#include "util/banned.h"

/* 0 when no token was given or it is fine, else 21 or 22. */
static int check_token(struct hec_ctx *ctx)
{
    const char *header = hec_request_header(ctx->req, "Authorization");
    const char *query = hec_ctx_param(ctx, "token");
    char value[HEC_TOKEN_MAX + 1];
    if (header) {
        if (hec_auth_parse_header(header, value, sizeof(value)) != HEC_AUTH_OK) {
            return 21;
        }
    } else if (query && query[0]) {
        if (strlen(query) > HEC_TOKEN_MAX) {
            return 21;
        }
        snprintf(value, sizeof(value), "%s", query);
    } else {
        return 0;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    struct hec_token *token = hec_tokens_find(ctx->srv, value);
    int code = !token ? 21 : token->is_disabled ? 22 : 0;
    pthread_mutex_unlock(&ctx->srv->lock);
    return code;
}

void hec_api_health(struct hec_ctx *ctx)
{
    int code = check_token(ctx);
    if (code) {
        hec_reply_code(ctx->resp, code);
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    hec_faults_decide(&ctx->srv->faults, HEC_EP_HEALTH, false, &ctx->faults);
    ctx->srv->stats.faults_fired += (uint64_t)ctx->faults.n_fired;
    pthread_mutex_unlock(&ctx->srv->lock);
    ctx->resp->delay_ms = ctx->faults.delay_ms;
    if (ctx->faults.has_error) {
        hec_reply_fault(ctx);
    } else if (ctx->faults.unhealthy_code) {
        hec_reply_code(ctx->resp, ctx->faults.unhealthy_code);
    } else {
        hec_reply_code(ctx->resp, 17);
    }
}
