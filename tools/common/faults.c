#include "common/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define SPEC_MAX 512

bool tc_fault_fields(const char *spec,
                     size_t max_len,
                     tc_fault_field_fn field,
                     void *rule,
                     char *why,
                     size_t why_size)
{
    char copy[SPEC_MAX];
    if (strlen(spec) >= max_len || strlen(spec) >= sizeof(copy)) {
        snprintf(why, why_size, "fault spec too long");
        return false;
    }
    snprintf(copy, sizeof(copy), "%s", spec);
    for (char *item = copy; item && *item;) {
        char *comma = strchr(item, ',');
        if (comma) {
            *comma++ = '\0';
        }
        char *eq = strchr(item, '=');
        if (!eq) {
            snprintf(why, why_size, "expected key=value, got '%.40s'", item);
            return false;
        }
        *eq = '\0';
        if (!field(rule, item, eq + 1, why, why_size)) {
            return false;
        }
        item = comma;
    }
    return true;
}

bool tc_fault_parse_long(const char *value, long min, long max, long *out)
{
    char *end = NULL;
    long v = strtol(value, &end, 10);
    if (end == value || *end || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

enum tc_fault_key tc_fault_shared_key(const char *key,
                                      const char *value,
                                      double *rate,
                                      long *remaining,
                                      int *latency_ms,
                                      char *why,
                                      size_t why_size)
{
    long v = 0;
    char *end = NULL;
    if (strcmp(key, "rate") == 0) {
        *rate = strtod(value, &end);
        if (end == value || *end || !(*rate >= 0.0 && *rate <= 1.0)) {
            snprintf(why, why_size, "rate must be in [0, 1]");
            return TC_FAULT_KEY_BAD;
        }
    } else if (strcmp(key, "count") == 0) {
        if (!tc_fault_parse_long(value, 1, 1L << 40, remaining)) {
            snprintf(why, why_size, "count must be a positive integer");
            return TC_FAULT_KEY_BAD;
        }
    } else if (strcmp(key, "ms") == 0) {
        if (!tc_fault_parse_long(value, 0, 600000, &v)) {
            snprintf(why, why_size, "ms must be in 0..600000");
            return TC_FAULT_KEY_BAD;
        }
        *latency_ms = (int)v;
    } else {
        return TC_FAULT_KEY_OTHER;
    }
    return TC_FAULT_KEY_OK;
}

/* xorshift64*: a uniform double in [0, 1). */
static double next_unit(uint64_t *rng)
{
    uint64_t x = *rng ? *rng : 0x2545F4914F6CDD1Dull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *rng = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

bool tc_fault_roll(uint64_t *rng, double rate, long *remaining, uint64_t *n_fired)
{
    if (*remaining == 0 || (rate < 1.0 && next_unit(rng) >= rate)) {
        return false;
    }
    if (*remaining > 0) {
        (*remaining)--;
    }
    (*n_fired)++;
    return true;
}

void tc_fault_table_remove(void *rules, size_t size, int *n, int index)
{
    char *base = rules;
    memmove(base + (size_t)index * size, base + (size_t)(index + 1) * size,
            (size_t)(*n - index - 1) * size);
    (*n)--;
}
