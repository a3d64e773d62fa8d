#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/faults.h"

#include "util/banned.h"

static const struct {
    const char *name;
    enum hec_fault_type type;
    int code;           /* default code for the type */
    unsigned endpoints; /* default endpoints */
} type_names[] = {
    {"503", HEC_FAULT_CODE, 9, HEC_EPMASK_DATA},
    {"busy", HEC_FAULT_CODE, 9, HEC_EPMASK_DATA},
    {"500", HEC_FAULT_CODE, 8, HEC_EPMASK_DATA},
    {"429", HEC_FAULT_CODE, 26, HEC_EPMASK_DATA},
    {"disabled", HEC_FAULT_CODE, 1, HEC_EPMASK_DATA},
    {"code", HEC_FAULT_CODE, -1, HEC_EPMASK_DATA},
    {"latency", HEC_FAULT_LATENCY, 0, HEC_EPMASK_DATA},
    {"reset", HEC_FAULT_RESET, 0, HEC_EPMASK_DATA},
    {"close", HEC_FAULT_CLOSE, 0, HEC_EPMASK_DATA},
    {"lost_ack", HEC_FAULT_LOST_ACK, 0, HEC_EPMASK_DATA},
    {"unhealthy", HEC_FAULT_UNHEALTHY, 18, HEC_EPMASK(HEC_EP_HEALTH)},
    {"proxy", HEC_FAULT_PROXY, 0, HEC_EPMASK_DATA},
    {"413", HEC_FAULT_TOO_LARGE, 0, HEC_EPMASK_DATA},
};

#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

static bool parse_endpoints(const char *value, unsigned *out)
{
    unsigned mask = 0;
    char copy[96];
    snprintf(copy, sizeof(copy), "%s", value);
    for (char *p = copy; p && *p;) {
        char *sep = strpbrk(p, "|+");
        if (sep) {
            *sep++ = '\0';
        }
        if (strcmp(p, "*") == 0 || strcmp(p, "all") == 0) {
            mask |= HEC_EPMASK_ALL;
        } else if (strcmp(p, "data") == 0) {
            mask |= HEC_EPMASK_DATA;
        } else {
            int ep = -1;
            for (int i = 0; i < HEC_EP_CONTROL; i++) {
                if (strcmp(p, hec_endpoint_name((enum hec_endpoint)i)) == 0) {
                    ep = i;
                }
            }
            if (ep < 0) {
                return false;
            }
            mask |= HEC_EPMASK(ep);
        }
        p = sep;
    }
    *out = mask;
    return mask != 0;
}

/* One key=value of a rule whose type= is already applied (it is skipped here). */
static bool parse_field(void *cls, const char *key, const char *value, char *why, size_t why_size)
{
    struct hec_fault *rule = cls;
    long v = 0;
    enum tc_fault_key shared = tc_fault_shared_key(key, value, &rule->rate, &rule->remaining,
                                                   &rule->latency_ms, why, why_size);
    if (shared != TC_FAULT_KEY_OTHER) {
        return shared == TC_FAULT_KEY_OK;
    }
    if (strcmp(key, "type") == 0) {
        return true;
    } else if (strcmp(key, "endpoint") == 0) {
        if (!parse_endpoints(value, &rule->endpoints)) {
            snprintf(why, why_size,
                     "endpoint wants event, raw, ack, health, data or *, "
                     "joined with '|'");
            return false;
        }
    } else if (strcmp(key, "code") == 0) {
        if (!tc_fault_parse_long(value, 0, HEC_CODE_MAX, &v)) {
            snprintf(why, why_size, "code must be a HEC code 0..%d", HEC_CODE_MAX);
            return false;
        }
        rule->code = (int)v;
    } else if (strcmp(key, "status") == 0) {
        if (!tc_fault_parse_long(value, 200, 599, &v)) {
            snprintf(why, why_size, "status must be in 200..599");
            return false;
        }
        rule->status = (int)v;
    } else if (strcmp(key, "retry_after") == 0) {
        if (!tc_fault_parse_long(value, 0, 86400, &v)) {
            snprintf(why, why_size, "retry_after must be in 0..86400 seconds");
            return false;
        }
        rule->retry_after_s = (int)v;
    } else if (strcmp(key, "k") == 0) {
        if (!tc_fault_parse_long(value, 0, 1L << 40, &rule->k)) {
            snprintf(why, why_size, "k must be a non-negative integer");
            return false;
        }
    } else {
        snprintf(why, why_size,
                 "unknown key '%.32s' (type, endpoint, rate, count, ms, code, "
                 "status, retry_after, k)",
                 key);
        return false;
    }
    return true;
}

static bool parse_type(struct hec_fault *rule, const char *value, char *why, size_t why_size)
{
    for (size_t i = 0; i < N_TYPES; i++) {
        if (strcasecmp(value, type_names[i].name) == 0) {
            rule->type = type_names[i].type;
            rule->code = type_names[i].code;
            rule->endpoints = type_names[i].endpoints;
            return true;
        }
    }
    snprintf(why, why_size,
             "unknown type '%.32s' (503, busy, 500, 429, disabled, code, latency, "
             "reset, close, lost_ack, unhealthy, proxy, 413)",
             value);
    return false;
}

/* Cross-field rules, checked once every key is read. */
static bool validate(struct hec_fault *rule, char *why, size_t why_size)
{
    if (rule->type == HEC_FAULT_CODE && (rule->code < 0 || hec_code_status(rule->code) == 0)) {
        snprintf(why, why_size, "type=code needs code=N (a HEC code 0..%d)", HEC_CODE_MAX);
        return false;
    }
    if (rule->type == HEC_FAULT_UNHEALTHY && (rule->code < 18 || rule->code > 20)) {
        snprintf(why, why_size, "unhealthy takes code 18, 19 or 20");
        return false;
    }
    if (rule->type == HEC_FAULT_PROXY && rule->status == 0) {
        rule->status = 502;
    }
    if (rule->k >= 0 && !(rule->type == HEC_FAULT_CODE && rule->code == 9)) {
        snprintf(why, why_size, "k= only applies to 503 (code 9)");
        return false;
    }
    return true;
}

bool hec_faults_parse(const char *spec, struct hec_fault *out, char *why, size_t why_size)
{
    struct hec_fault rule = {
        .rate = 1.0, .remaining = -1, .latency_ms = 100, .retry_after_s = -1, .k = -1, .code = -1};
    char copy[HEC_SPEC_MAX];
    if (strlen(spec) >= sizeof(copy)) {
        snprintf(why, why_size, "fault spec too long");
        return false;
    }
    snprintf(rule.spec, sizeof(rule.spec), "%s", spec);
    /* type= first, wherever it is: it sets the defaults the other keys override. */
    snprintf(copy, sizeof(copy), ",%s,", spec);
    const char *type = strstr(copy, ",type=");
    if (!type) {
        snprintf(why, why_size, "type= is required");
        return false;
    }
    char type_value[32];
    snprintf(type_value, sizeof(type_value), "%.*s", (int)strcspn(type + 6, ","), type + 6);
    if (!parse_type(&rule, type_value, why, why_size)) {
        return false;
    }
    if (!tc_fault_fields(spec, HEC_SPEC_MAX, parse_field, &rule, why, why_size)) {
        return false;
    }
    if (!validate(&rule, why, why_size)) {
        return false;
    }
    *out = rule;
    return true;
}

int hec_faults_add(struct hec_faults *faults, const struct hec_fault *rule)
{
    if (faults->n_rules == HEC_MAX_FAULTS) {
        return -1;
    }
    struct hec_fault *slot = &faults->rules[faults->n_rules++];
    *slot = *rule;
    slot->id = faults->next_id++;
    slot->n_fired = 0;
    return slot->id;
}

bool hec_faults_remove(struct hec_faults *faults, int id)
{
    for (int i = 0; i < faults->n_rules; i++) {
        if (faults->rules[i].id == id) {
            tc_fault_table_remove(faults->rules, sizeof(faults->rules[0]), &faults->n_rules, i);
            return true;
        }
    }
    return false;
}

void hec_faults_clear(struct hec_faults *faults)
{
    faults->n_rules = 0;
}

static bool is_answer_rule(enum hec_fault_type type)
{
    return type == HEC_FAULT_CODE || type == HEC_FAULT_RESET || type == HEC_FAULT_CLOSE ||
           type == HEC_FAULT_PROXY || type == HEC_FAULT_TOO_LARGE;
}

static bool roll(struct hec_faults *faults, struct hec_fault *rule)
{
    return tc_fault_roll(&faults->rng, rule->rate, &rule->remaining, &rule->n_fired);
}

void hec_faults_decide(struct hec_faults *faults,
                       enum hec_endpoint endpoint,
                       bool has_ack,
                       struct hec_fault_decision *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < faults->n_rules; i++) {
        struct hec_fault *rule = &faults->rules[i];
        if (!(rule->endpoints & HEC_EPMASK(endpoint)) || rule->remaining == 0 ||
            rule->type == HEC_FAULT_LOST_ACK || (is_answer_rule(rule->type) && out->has_error) ||
            (rule->type == HEC_FAULT_UNHEALTHY && out->unhealthy_code) || !roll(faults, rule)) {
            continue;
        }
        out->n_fired++;
        if (is_answer_rule(rule->type)) {
            out->has_error = true;
            out->error = *rule;
        } else if (rule->type == HEC_FAULT_LATENCY) {
            out->delay_ms += rule->latency_ms;
        } else {
            out->unhealthy_code = rule->code;
        }
    }
    /* Lost acks only for requests that will get an ackId, so a count is never spent on a
     * request another rule refuses. */
    bool is_accepted = !out->has_error || (out->error.type == HEC_FAULT_CODE &&
                                           hec_code_status(out->error.code) == 200);
    for (int i = 0; i < faults->n_rules && has_ack && is_accepted && !out->is_ack_lost; i++) {
        struct hec_fault *rule = &faults->rules[i];
        if (rule->type == HEC_FAULT_LOST_ACK && (rule->endpoints & HEC_EPMASK(endpoint)) &&
            rule->remaining != 0 && roll(faults, rule)) {
            out->n_fired++;
            out->is_ack_lost = true;
        }
    }
}

json_t *hec_faults_to_json(const struct hec_faults *faults)
{
    json_t *list = json_array();
    for (int i = 0; i < faults->n_rules; i++) {
        const struct hec_fault *rule = &faults->rules[i];
        json_array_append_new(list, json_pack("{s:i, s:s, s:I, s:I}", "id", rule->id, "spec",
                                              rule->spec, "remaining", (json_int_t)rule->remaining,
                                              "fired", (json_int_t)rule->n_fired));
    }
    return list;
}
