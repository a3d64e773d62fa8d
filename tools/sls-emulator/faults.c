#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/faults.h"

#include "util/banned.h"

static const struct {
    const char *name;
    const char *alias;
    enum emu_fault_type type;
} type_names[] = {
    {"500", "InternalServerError", EMU_FAULT_500},
    {"503", "ServerBusy", EMU_FAULT_503},
    {"403", "ReadQuotaExceed", EMU_FAULT_403},
    {"403shard", "ShardReadQuotaExceed", EMU_FAULT_403_SHARD},
    {"latency", "delay", EMU_FAULT_LATENCY},
    {"drop", "close", EMU_FAULT_DROP},
    {"truncate", "truncated", EMU_FAULT_TRUNCATE},
    {"denied", "Unauthorized", EMU_FAULT_DENIED},
};

const char *emu_fault_type_name(enum emu_fault_type type)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (type_names[i].type == type) {
            return type_names[i].name;
        }
    }
    return "unknown";
}

static bool parse_type(const char *s, enum emu_fault_type *out)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcasecmp(s, type_names[i].name) == 0 || strcasecmp(s, type_names[i].alias) == 0) {
            *out = type_names[i].type;
            return true;
        }
    }
    return false;
}

/* One rule being parsed: type= is required but may come anywhere. */
struct parsing {
    struct emu_fault rule;
    bool has_type;
};

static bool parse_field(void *cls, const char *key, const char *value, char *why, size_t why_size)
{
    struct parsing *p = cls;
    struct emu_fault *rule = &p->rule;
    enum tc_fault_key shared = tc_fault_shared_key(key, value, &rule->rate, &rule->remaining,
                                                   &rule->latency_ms, why, why_size);
    if (shared != TC_FAULT_KEY_OTHER) {
        return shared == TC_FAULT_KEY_OK;
    }
    if (strcmp(key, "api") == 0) {
        enum emu_api api;
        if (strcmp(value, "*") != 0 && !emu_api_parse(value, &api)) {
            snprintf(why, why_size, "unknown api '%s'", value);
            return false;
        }
        snprintf(rule->api, sizeof(rule->api), "%s", strcmp(value, "*") ? emu_api_name(api) : "*");
    } else if (strcmp(key, "type") == 0) {
        if (!parse_type(value, &rule->type)) {
            snprintf(why, why_size,
                     "unknown type '%s' (500, 503, 403, 403shard, latency, drop, truncate, denied)",
                     value);
            return false;
        }
        p->has_type = true;
    } else {
        snprintf(why, why_size, "unknown key '%s' (api, type, rate, ms, count)", key);
        return false;
    }
    return true;
}

bool emu_faults_parse(const char *spec, struct emu_fault *out, char *why, size_t why_size)
{
    struct parsing p = {.rule = {.rate = 1.0, .remaining = -1, .latency_ms = 100}};
    snprintf(p.rule.api, sizeof(p.rule.api), "*");
    if (!tc_fault_fields(spec, 256, parse_field, &p, why, why_size)) {
        return false;
    }
    if (!p.has_type) {
        snprintf(why, why_size, "type= is required");
        return false;
    }
    *out = p.rule;
    return true;
}

int emu_faults_add(struct emu_faults *faults, const struct emu_fault *rule)
{
    if (faults->n_rules == EMU_MAX_FAULTS) {
        return -1;
    }
    struct emu_fault *slot = &faults->rules[faults->n_rules++];
    *slot = *rule;
    slot->id = faults->next_id++;
    slot->n_fired = 0;
    return slot->id;
}

bool emu_faults_remove(struct emu_faults *faults, int id)
{
    for (int i = 0; i < faults->n_rules; i++) {
        if (faults->rules[i].id == id) {
            tc_fault_table_remove(faults->rules, sizeof(faults->rules[0]), &faults->n_rules, i);
            return true;
        }
    }
    return false;
}

void emu_faults_clear(struct emu_faults *faults)
{
    faults->n_rules = 0;
}

void emu_faults_decide(struct emu_faults *faults, enum emu_api api, struct emu_fault_decision *out)
{
    out->delay_ms = 0;
    out->error = NULL;
    for (int i = 0; i < faults->n_rules; i++) {
        struct emu_fault *rule = &faults->rules[i];
        bool is_match = strcmp(rule->api, "*") == 0 || strcmp(rule->api, emu_api_name(api)) == 0;
        bool is_error = rule->type != EMU_FAULT_LATENCY;
        if (!is_match || (is_error && out->error) ||
            !tc_fault_roll(&faults->rng, rule->rate, &rule->remaining, &rule->n_fired)) {
            continue;
        }
        if (is_error) {
            out->error = rule;
        } else {
            out->delay_ms += rule->latency_ms;
        }
    }
}

json_t *emu_faults_to_json(const struct emu_faults *faults)
{
    json_t *list = json_array();
    for (int i = 0; i < faults->n_rules; i++) {
        const struct emu_fault *rule = &faults->rules[i];
        json_t *item = json_pack("{s:i, s:s, s:s, s:f, s:i, s:I, s:I}", "id", rule->id, "api",
                                 rule->api, "type", emu_fault_type_name(rule->type), "rate",
                                 rule->rate, "ms", rule->latency_ms, "remaining",
                                 (json_int_t)rule->remaining, "fired", (json_int_t)rule->n_fired);
        json_array_append_new(list, item);
    }
    return list;
}
