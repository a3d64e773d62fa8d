/* The control plane under /_emulator/ (any Host, no authentication): what tests use to
 * change the world under a running consumer. Every call is listed in README.md. */
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "config.h"
#include "creds.h"
#include "faults.h"
#include "generate.h"
#include "handler.h"
#include "stats.h"
#include "store.h"
#include "util/str.h"

#include "util/banned.h"

static bool is_method(const struct emu_ctx *ctx, const char *method)
{
    return strcmp(ctx->req->method, method) == 0;
}

static void bad(struct emu_ctx *ctx, const char *why)
{
    emu_reply_error(ctx->resp, 400, "ControlInvalid", "%s", why);
}

static bool int_param(struct emu_ctx *ctx,
                      const char *key,
                      long long min,
                      long long max,
                      long long fallback,
                      long long *out)
{
    const char *value = emu_ctx_param_value(ctx, key);
    *out = fallback;
    if (value && !sf_str_to_i64(sf_str_from(value), min, max, out)) {
        emu_reply_error(ctx->resp, 400, "ControlInvalid", "%s must be an integer in %lld..%lld",
                        key, min, max);
        return false;
    }
    return true;
}

/* faults: GET lists, POST adds (spec in the body or ?spec=), DELETE clears or removes one. */
static void faults(struct emu_ctx *ctx)
{
    struct emu_server *srv = ctx->srv;
    long long id = -1;
    if (ctx->n_segs == 3 && !sf_str_to_i64(sf_str_from(ctx->segs[2]), 1, 1 << 30, &id)) {
        bad(ctx, "fault id must be an integer");
        return;
    }
    pthread_mutex_lock(&srv->lock);
    if (is_method(ctx, "GET") && ctx->n_segs == 2) {
        emu_reply_json(ctx->resp, emu_faults_to_json(&srv->faults));
    } else if (is_method(ctx, "DELETE") && ctx->n_segs == 2) {
        emu_faults_clear(&srv->faults);
        emu_reply_empty(ctx->resp);
    } else if (is_method(ctx, "DELETE")) {
        if (emu_faults_remove(&srv->faults, (int)id)) {
            emu_reply_empty(ctx->resp);
        } else {
            emu_reply_error(ctx->resp, 404, "NotFound", "no fault with id %lld", id);
        }
    } else if (is_method(ctx, "POST") && ctx->n_segs == 2) {
        const char *spec = emu_ctx_param_value(ctx, "spec");
        char *body = emu_ctx_strndup(ctx, (const char *)ctx->body, ctx->body_len);
        struct emu_fault rule;
        char why[160];
        if (!emu_faults_parse(spec ? spec : body, &rule, why, sizeof(why))) {
            bad(ctx, why);
        } else if ((id = emu_faults_add(&srv->faults, &rule)) < 0) {
            bad(ctx, "fault table is full");
        } else {
            emu_reply_json(ctx->resp, json_pack("{s:I}", "id", (json_int_t)id));
        }
    } else {
        emu_reply_error(ctx->resp, 405, "InvalidMethod", "unsupported method for faults");
    }
    pthread_mutex_unlock(&srv->lock);
}

static void retention(struct emu_ctx *ctx)
{
    long long seconds;
    if (!is_method(ctx, "POST")) {
        emu_reply_error(ctx->resp, 405, "InvalidMethod", "use POST");
        return;
    }
    if (!int_param(ctx, "seconds", 0, 1ll << 32, -1, &seconds)) {
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    if (seconds >= 0) {
        ctx->srv->retention_s = seconds;
    }
    uint64_t dropped = emu_store_apply_retention(ctx->srv, emu_now_s());
    json_int_t now_retention = (json_int_t)ctx->srv->retention_s;
    pthread_mutex_unlock(&ctx->srv->lock);
    emu_reply_json(ctx->resp, json_pack("{s:I, s:I}", "retention_seconds", now_retention,
                                        "dropped_loggroups", (json_int_t)dropped));
}

static void create_project_or_logstore(struct emu_ctx *ctx, struct emu_project *project)
{
    const char *name = emu_ctx_param_value(ctx, "name");
    long long n_shards;
    const char *why = NULL;
    if (!name || !int_param(ctx, "shards", 1, EMU_MAX_NEW_SHARDS, 2, &n_shards)) {
        if (!name) {
            bad(ctx, "name is required");
        }
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    bool is_ok = project
                     ? emu_store_add_logstore(ctx->srv, project, name, (int)n_shards, &why) != NULL
                     : emu_store_add_project(ctx->srv, name, &why) != NULL;
    pthread_mutex_unlock(&ctx->srv->lock);
    if (is_ok) {
        emu_reply_empty(ctx->resp);
    } else {
        bad(ctx, why);
    }
}

static void generate(struct emu_ctx *ctx, struct emu_logstore *ls)
{
    const char *kind_name = emu_ctx_param_value(ctx, "kind");
    enum emu_gen_kind kind = EMU_GEN_NGINX;
    long long count, shard, spread;
    if (kind_name && !emu_gen_kind_parse(kind_name, &kind)) {
        bad(ctx, "kind must be nginx or actiontrail");
        return;
    }
    if (!int_param(ctx, "count", 1, (long long)ctx->srv->max_generate, 1000, &count) ||
        !int_param(ctx, "shard", 0, EMU_MAX_SHARDS - 1, -1, &shard) ||
        !int_param(ctx, "spread", 0, 86400, 0, &spread)) {
        return;
    }
    uint64_t written = emu_generate(ctx->srv, ls, kind, (uint64_t)count, spread, (int)shard);
    if (written == 0) {
        bad(ctx, "no read-write shard to write to");
        return;
    }
    emu_reply_json(ctx->resp, json_pack("{s:I}", "logs", (json_int_t)written));
}

static void
split_or_merge(struct emu_ctx *ctx, struct emu_logstore *ls, const char *id_seg, const char *action)
{
    long long id;
    const char *why = "unknown shard action (split, merge)";
    int children[2] = {-1, -1};
    if (!sf_str_to_i64(sf_str_from(id_seg), 0, EMU_MAX_SHARDS, &id)) {
        bad(ctx, "shard id must be an integer");
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    bool is_split = strcmp(action, "split") == 0;
    bool is_ok = false;
    if (is_split) {
        is_ok =
            emu_store_split(ctx->srv, ls, (int)id, emu_ctx_param_value(ctx, "key"), children, &why);
    } else if (strcmp(action, "merge") == 0) {
        is_ok = emu_store_merge(ctx->srv, ls, (int)id, &children[0], &why);
    }
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!is_ok) {
        bad(ctx, why);
    } else if (is_split) {
        emu_reply_json(ctx->resp, json_pack("{s:I, s:[i, i]}", "parent", (json_int_t)id, "children",
                                            children[0], children[1]));
    } else {
        emu_reply_json(ctx->resp,
                       json_pack("{s:I, s:i}", "parent", (json_int_t)id, "child", children[0]));
    }
}

static void expire_consumer(struct emu_ctx *ctx, struct emu_logstore *ls, const char *cg)
{
    const char *consumer = emu_ctx_param_value(ctx, "consumer");
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_group *group = emu_group_find(ls, cg, strlen(cg));
    bool is_ok = group && consumer && emu_assign_evict(group, consumer);
    pthread_mutex_unlock(&ctx->srv->lock);
    if (is_ok) {
        emu_reply_empty(ctx->resp);
    } else {
        emu_reply_error(ctx->resp, 404, "NotFound", "no such consumer group or consumer");
    }
}

/* /_emulator/projects[/<p>[/logstores[/<l>[/...]]]] */
static void projects(struct emu_ctx *ctx)
{
    const char *const *seg = ctx->segs;
    size_t n = ctx->n_segs;
    if (!is_method(ctx, "POST")) {
        emu_reply_error(ctx->resp, 405, "InvalidMethod",
                        "control calls that change state use POST");
        return;
    }
    if (n == 2) {
        create_project_or_logstore(ctx, NULL);
        return;
    }
    pthread_mutex_lock(&ctx->srv->lock);
    struct emu_project *project = emu_project_find(ctx->srv, seg[2], strlen(seg[2]));
    struct emu_logstore *ls =
        project && n >= 5 ? emu_logstore_find(project, seg[4], strlen(seg[4])) : NULL;
    pthread_mutex_unlock(&ctx->srv->lock);
    if (!project || n < 4 || strcmp(seg[3], "logstores") != 0 || (n >= 5 && !ls)) {
        emu_reply_error(ctx->resp, 404, "NotFound", "no such project or logstore");
    } else if (n == 4) {
        create_project_or_logstore(ctx, project);
    } else if (n == 6 && strcmp(seg[5], "generate") == 0) {
        generate(ctx, ls);
    } else if (n == 8 && strcmp(seg[5], "shards") == 0) {
        split_or_merge(ctx, ls, seg[6], seg[7]);
    } else if (n == 8 && strcmp(seg[5], "consumergroups") == 0 && strcmp(seg[7], "expire") == 0) {
        expire_consumer(ctx, ls, seg[6]);
    } else {
        emu_reply_error(ctx->resp, 404, "NotFound", "no such control call");
    }
}

/* credentials: GET shows the counters; POST changes the lifetime cap, the metadata mode and the
 * credential endpoints' faults (?lifetime=, metadata_mode=, sts_fault=, metadata_token_fault=,
 * metadata_fault=). */
static void credentials(struct emu_ctx *ctx)
{
    struct emu_creds *creds = ctx->srv->creds;
    if (is_method(ctx, "POST")) {
        enum emu_metadata_mode mode;
        struct emu_cred_faults faults;
        emu_creds_get_switches(creds, &mode, &faults);
        const char *mode_text = emu_ctx_param_value(ctx, "metadata_mode");
        if (mode_text && strcmp(mode_text, "hardened") != 0 && strcmp(mode_text, "optional") != 0) {
            bad(ctx, "metadata_mode must be optional or hardened");
            return;
        }
        if (mode_text) {
            mode =
                strcmp(mode_text, "hardened") == 0 ? EMU_METADATA_HARDENED : EMU_METADATA_OPTIONAL;
        }
        static const char *const keys[] = {"sts_fault", "metadata_token_fault", "metadata_fault"};
        int *slots[] = {&faults.sts_status, &faults.metadata_token_status,
                        &faults.metadata_creds_status};
        for (int i = 0; i < 3; i++) {
            const char *value = emu_ctx_param_value(ctx, keys[i]);
            if (value && !emu_config_parse_cred_fault(value, slots[i])) {
                bad(ctx, "faults take none, drop, denied, throttle or an HTTP status 400..599");
                return;
            }
        }
        const char *lifetime_text = emu_ctx_param_value(ctx, "lifetime");
        int64_t lifetime = 0;
        if (lifetime_text && !emu_config_parse_duration(lifetime_text, &lifetime)) {
            bad(ctx, "lifetime must be a duration like 20s, 15m or 1h (0 = no cap)");
            return;
        }
        if (lifetime_text) {
            emu_creds_set_lifetime_cap(creds, lifetime);
        }
        emu_creds_set_switches(creds, mode, &faults);
    } else if (!is_method(ctx, "GET")) {
        emu_reply_error(ctx->resp, 405, "InvalidMethod", "use GET or POST");
        return;
    }
    emu_reply_json(ctx->resp, emu_creds_stats_json(creds, emu_now_s()));
}

void emu_control_handle(struct emu_ctx *ctx)
{
    ctx->body = ctx->req->body;
    ctx->body_len = ctx->req->body_len;
    const char *what = ctx->n_segs >= 2 ? ctx->segs[1] : "";
    if (strcmp(what, "health") == 0) {
        emu_reply_json(ctx->resp, json_pack("{s:s, s:s}", "status", "ok", "version", EMU_VERSION));
    } else if (strcmp(what, "stats") == 0 && is_method(ctx, "GET")) {
        emu_reply_json(ctx->resp, emu_stats_json(ctx->srv));
    } else if (strcmp(what, "faults") == 0 && ctx->n_segs <= 3) {
        faults(ctx);
    } else if (strcmp(what, "retention") == 0 && ctx->n_segs == 2) {
        retention(ctx);
    } else if (strcmp(what, "projects") == 0) {
        projects(ctx);
    } else if (strcmp(what, "credentials") == 0 && ctx->n_segs == 2) {
        credentials(ctx);
    } else {
        emu_reply_error(ctx->resp, 404, "NotFound", "no such control call");
    }
}
