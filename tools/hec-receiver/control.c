/* The control plane under /_receiver/ (no authentication): what tests use to change the
 * receiver under a running sender. Every call is listed in README.md. */
#include <stdio.h>
#include <string.h>

#include "acks.h"
#include "faults.h"
#include "handler.h"
#include "stats.h"
#include "tokens.h"
#include "util/str.h"

#include "util/banned.h"

static bool is_method(const struct hec_ctx *ctx, const char *method)
{
    return strcmp(ctx->req->method, method) == 0;
}

static void bad(struct hec_ctx *ctx, const char *why)
{
    hec_reply_text(ctx->resp, 400, 400, why);
}

static void not_found(struct hec_ctx *ctx)
{
    hec_reply_text(ctx->resp, 404, 404, "No such control call");
}

static void wrong_method(struct hec_ctx *ctx)
{
    hec_reply_text(ctx->resp, 405, 405, "Method Not Allowed");
}

static void ok(struct hec_ctx *ctx)
{
    hec_reply_json(ctx->resp, 200, json_pack("{s:b}", "ok", true));
}

/* A spec from ?spec= or else the request body, NUL-terminated. */
static const char *spec_arg(struct hec_ctx *ctx)
{
    const char *spec = hec_ctx_param(ctx, "spec");
    if (spec) {
        return spec;
    }
    size_t len = ctx->req->body_len;
    char *body = sf_arena_alloc(ctx->arena, len + 1);
    if (len) {
        memcpy(body, ctx->req->body, len);
    }
    body[len] = '\0';
    while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r' || body[len - 1] == ' ')) {
        body[--len] = '\0';
    }
    return body;
}

/* faults: GET lists, POST adds, DELETE clears or removes one. */
static void faults(struct hec_ctx *ctx)
{
    struct hec_server *srv = ctx->srv;
    long long id = -1;
    if (ctx->n_segs == 3 && !sf_str_to_i64(sf_str_from(ctx->segs[2]), 1, 1 << 30, &id)) {
        bad(ctx, "fault id must be an integer");
        return;
    }
    if (is_method(ctx, "POST") && ctx->n_segs == 2) {
        struct hec_fault rule;
        char why[200];
        if (!hec_faults_parse(spec_arg(ctx), &rule, why, sizeof(why))) {
            bad(ctx, why);
            return;
        }
        pthread_mutex_lock(&srv->lock);
        int new_id = hec_faults_add(&srv->faults, &rule);
        pthread_mutex_unlock(&srv->lock);
        if (new_id < 0) {
            bad(ctx, "fault table is full");
        } else {
            hec_reply_json(ctx->resp, 200, json_pack("{s:i}", "id", new_id));
        }
        return;
    }
    pthread_mutex_lock(&srv->lock);
    if (is_method(ctx, "GET") && ctx->n_segs == 2) {
        hec_reply_json(ctx->resp, 200, hec_faults_to_json(&srv->faults));
    } else if (is_method(ctx, "DELETE") && ctx->n_segs == 2) {
        hec_faults_clear(&srv->faults);
        ok(ctx);
    } else if (is_method(ctx, "DELETE")) {
        if (hec_faults_remove(&srv->faults, (int)id)) {
            ok(ctx);
        } else {
            not_found(ctx);
        }
    } else {
        wrong_method(ctx);
    }
    pthread_mutex_unlock(&srv->lock);
}

static void add_token(struct hec_ctx *ctx)
{
    struct hec_server *srv = ctx->srv;
    struct hec_token token;
    char why[200];
    const char *err = NULL;
    pthread_mutex_lock(&srv->lock);
    bool is_ok = hec_token_parse(spec_arg(ctx), srv->n_tokens + 1, srv->is_ack_all,
                                 srv->is_query_token_all, &token, why, sizeof(why));
    if (is_ok && !hec_tokens_add(srv, &token, &err)) {
        snprintf(why, sizeof(why), "%s", err);
        is_ok = false;
    }
    pthread_mutex_unlock(&srv->lock);
    if (is_ok) {
        hec_reply_json(ctx->resp, 200, json_pack("{s:s}", "name", token.name));
    } else {
        bad(ctx, why);
    }
}

/* tokens: GET lists; POST adds; POST tokens/<id>/disable|enable; DELETE tokens/<id>. */
static void tokens(struct hec_ctx *ctx)
{
    struct hec_server *srv = ctx->srv;
    if (ctx->n_segs == 2) {
        if (is_method(ctx, "POST")) {
            add_token(ctx);
        } else if (is_method(ctx, "GET")) {
            pthread_mutex_lock(&srv->lock);
            hec_reply_json(ctx->resp, 200, hec_tokens_to_json(srv));
            pthread_mutex_unlock(&srv->lock);
        } else {
            wrong_method(ctx);
        }
        return;
    }
    const char *action = ctx->n_segs == 4 ? ctx->segs[3] : "";
    bool is_disable = strcmp(action, "disable") == 0;
    bool is_toggle = is_disable || strcmp(action, "enable") == 0;
    if (!(ctx->n_segs == 3 && is_method(ctx, "DELETE")) && !(is_toggle && is_method(ctx, "POST"))) {
        if (ctx->n_segs > 4 || (ctx->n_segs == 4 && !is_toggle)) {
            not_found(ctx);
        } else {
            wrong_method(ctx);
        }
        return;
    }
    pthread_mutex_lock(&srv->lock);
    struct hec_token *token = hec_tokens_find_id(srv, ctx->segs[2]);
    if (token && is_toggle) {
        token->is_disabled = is_disable;
    } else if (token) {
        hec_tokens_remove(srv, ctx->segs[2]);
    }
    pthread_mutex_unlock(&srv->lock);
    if (token) {
        ok(ctx);
    } else {
        not_found(ctx);
    }
}

static bool size_param(struct hec_ctx *ctx, const char *key, long long max, long long *out)
{
    const char *value = hec_ctx_param(ctx, key);
    *out = -1;
    if (value && !sf_str_to_i64(sf_str_from(value), 0, max, out)) {
        char why[128];
        snprintf(why, sizeof(why), "%s must be an integer in 0..%lld", key, max);
        bad(ctx, why);
        return false;
    }
    return true;
}

/* config: GET shows, POST ?max_content_length=N&ack_delay_ms=N changes. */
static void config(struct hec_ctx *ctx)
{
    struct hec_server *srv = ctx->srv;
    long long max_content = -1, delay = -1;
    if (is_method(ctx, "POST")) {
        if (!size_param(ctx, "max_content_length", 1ll << 31, &max_content) ||
            !size_param(ctx, "ack_delay_ms", 86400000, &delay)) {
            return;
        }
        if (max_content == 0) {
            bad(ctx, "max_content_length must be positive");
            return;
        }
        if (max_content > 0) {
            atomic_store(&srv->max_content_length, (size_t)max_content);
        }
        if (delay >= 0) {
            atomic_store(&srv->ack_delay_ms, (int_fast64_t)delay);
        }
    } else if (!is_method(ctx, "GET")) {
        wrong_method(ctx);
        return;
    }
    hec_reply_json(ctx->resp, 200,
                   json_pack("{s:I, s:I}", "max_content_length",
                             (json_int_t)atomic_load(&srv->max_content_length), "ack_delay_ms",
                             (json_int_t)atomic_load(&srv->ack_delay_ms)));
}

void hec_control_handle(struct hec_ctx *ctx)
{
    const char *what = ctx->n_segs >= 2 ? ctx->segs[1] : "";
    if (strcmp(what, "health") == 0 && ctx->n_segs == 2) {
        hec_reply_json(ctx->resp, 200,
                       json_pack("{s:s, s:s}", "status", "ok", "version", HEC_VERSION));
    } else if (strcmp(what, "stats") == 0 && ctx->n_segs == 2) {
        if (is_method(ctx, "GET")) {
            hec_reply_json(ctx->resp, 200, hec_stats_json(ctx->srv));
        } else if (is_method(ctx, "DELETE") || is_method(ctx, "POST")) {
            hec_stats_reset(ctx->srv);
            ok(ctx);
        } else {
            wrong_method(ctx);
        }
    } else if (strcmp(what, "faults") == 0 && ctx->n_segs <= 3) {
        faults(ctx);
    } else if (strcmp(what, "tokens") == 0 && ctx->n_segs <= 4) {
        tokens(ctx);
    } else if (strcmp(what, "config") == 0 && ctx->n_segs == 2) {
        config(ctx);
    } else if (strcmp(what, "acks") == 0 && ctx->n_segs == 2 && is_method(ctx, "DELETE")) {
        pthread_mutex_lock(&ctx->srv->lock);
        for (size_t i = 0; i < ctx->srv->n_indexers; i++) {
            hec_acks_clear(ctx->srv->indexer_acks[i]);
        }
        pthread_mutex_unlock(&ctx->srv->lock);
        ok(ctx);
    } else {
        not_found(ctx);
    }
}
