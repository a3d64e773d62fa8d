/* GET /_emulator/stats: request counts per API, bytes served, and the full picture of every
 * logstore (shards with their data, consumer groups with assignment and checkpoints), so a
 * test can assert on the server's view instead of guessing from client logs. */
#include "stats.h"

#include "assign.h"
#include "cache.h"
#include "creds.h"
#include "cursor.h"
#include "faults.h"
#include "util/clock.h"

#include "util/banned.h"

static json_t *shard_json(const struct emu_shard *shard)
{
    uint64_t retained_logs = 0;
    for (size_t i = 0; i < shard->n_groups; i++) {
        retained_logs += shard->groups[i]->n_logs;
    }
    char begin[EMU_CURSOR_MAX + 1], end[EMU_CURSOR_MAX + 1];
    emu_cursor_encode(shard->first_seq, begin);
    emu_cursor_encode(emu_shard_end_seq(shard), end);
    json_t *parents = json_array();
    for (int i = 0; i < shard->n_parents; i++) {
        json_array_append_new(parents, json_integer(shard->parents[i]));
    }
    return json_pack("{s:i, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:I, s:I, s:I}", "shardID",
                     shard->id, "status", shard->is_readonly ? "readonly" : "readwrite",
                     "inclusiveBeginKey", shard->begin_key, "exclusiveEndKey", shard->end_key,
                     "parents", parents, "begin_cursor", begin, "end_cursor", end, "loggroups",
                     (json_int_t)shard->n_groups, "logs", (json_int_t)retained_logs, "logs_total",
                     (json_int_t)shard->n_logs_total, "raw_bytes_total",
                     (json_int_t)shard->raw_bytes_total);
}

static json_t *group_json(const struct emu_logstore *ls, struct emu_group *group, int64_t now_ms)
{
    emu_assign_expire(group, now_ms);
    json_t *consumers = json_array();
    for (int c = 0; c < EMU_MAX_CONSUMERS; c++) {
        const struct emu_consumer *consumer = &group->consumers[c];
        if (!consumer->in_use) {
            continue;
        }
        json_t *owned = json_array();
        for (int s = 0; s < ls->n_shards; s++) {
            if (group->shards[s].owner == c) {
                json_array_append_new(owned, json_integer(s));
            }
        }
        json_array_append_new(consumers,
                              json_pack("{s:s, s:o, s:I, s:I}", "name", consumer->name, "shards",
                                        owned, "last_heartbeat_ms_ago",
                                        (json_int_t)(now_ms - consumer->last_heartbeat_ms),
                                        "heartbeats", (json_int_t)consumer->n_heartbeats));
    }
    json_t *shards = json_array();
    for (int s = 0; s < ls->n_shards; s++) {
        const struct emu_cg_shard *cs = &group->shards[s];
        const char *owner = cs->owner >= 0 ? group->consumers[cs->owner].name : "";
        json_array_append_new(
            shards, json_pack("{s:i, s:s, s:s, s:s, s:s, s:I}", "shard", s, "state",
                              emu_assign_state_name(emu_assign_state(ls, group, s)), "owner", owner,
                              "checkpoint", cs->checkpoint, "checkpoint_consumer", cs->committer,
                              "update_time", (json_int_t)cs->update_time_us));
    }
    return json_pack("{s:s, s:i, s:b, s:o, s:o}", "name", group->name, "timeout", group->timeout_s,
                     "order", group->in_order, "consumers", consumers, "shards", shards);
}

static json_t *api_counts(const uint64_t *counts)
{
    json_t *obj = json_object();
    for (int i = 0; i < EMU_API__COUNT; i++) {
        if (counts[i]) {
            json_object_set_new(obj, emu_api_name((enum emu_api)i),
                                json_integer((json_int_t)counts[i]));
        }
    }
    return obj;
}

json_t *emu_stats_json(struct emu_server *srv)
{
    struct emu_cache_stats cache;
    emu_cache_get_stats(srv->cache, &cache);
    int64_t now_ms = sf_now_ms();
    pthread_mutex_lock(&srv->lock);
    json_t *projects = json_array();
    for (int p = 0; p < srv->n_projects; p++) {
        json_t *logstores = json_array();
        for (int l = 0; l < srv->projects[p]->n_logstores; l++) {
            struct emu_logstore *ls = srv->projects[p]->logstores[l];
            json_t *shards = json_array(), *groups = json_array();
            for (int s = 0; s < ls->n_shards; s++) {
                json_array_append_new(shards, shard_json(ls->shards[s]));
            }
            for (int g = 0; g < ls->n_groups; g++) {
                json_array_append_new(groups, group_json(ls, ls->groups[g], now_ms));
            }
            json_array_append_new(logstores,
                                  json_pack("{s:s, s:o, s:o}", "name", ls->name, "shards", shards,
                                            "consumer_groups", groups));
        }
        json_array_append_new(projects, json_pack("{s:s, s:o}", "name", srv->projects[p]->name,
                                                  "logstores", logstores));
    }
    const struct emu_stats *st = &srv->stats;
    json_t *root = json_pack(
        "{s:o, s:o, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I},"
        " s:I, s:o, s:o}",
        "requests", api_counts(st->requests), "errors", api_counts(st->errors), "auth_failures",
        (json_int_t)st->auth_failures, "faults_fired", (json_int_t)st->faults_fired, "pull",
        "loggroups", (json_int_t)st->pulled_groups, "logs", (json_int_t)st->pulled_logs,
        "bytes_raw", (json_int_t)st->bytes_raw, "bytes_wire", (json_int_t)st->bytes_wire, "post",
        "loggroups", (json_int_t)st->posted_groups, "logs", (json_int_t)st->posted_logs, "cache",
        "hits", (json_int_t)cache.hits, "misses", (json_int_t)cache.misses, "entries",
        (json_int_t)cache.entries, "bytes", (json_int_t)cache.bytes, "max_bytes",
        (json_int_t)cache.max_bytes, "retention_seconds", (json_int_t)srv->retention_s, "faults",
        emu_faults_to_json(&srv->faults), "projects", projects);
    pthread_mutex_unlock(&srv->lock);
    json_object_set_new(root, "credentials", emu_creds_stats_json(srv->creds, emu_now_s()));
    return root;
}
