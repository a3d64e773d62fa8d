/* The fault-rule syntax both tools share: a rule is "key=value,key=value,..." where the tool
 * gives meaning to most keys, and rate=R (probability per matching request, 0..1), count=N
 * (fires at most N times) and ms=MS (latency) mean the same everywhere. Rolling a rule uses a
 * seeded xorshift, so rates are reproducible for a given --seed and request order. */
#ifndef TC_FAULTS_H
#define TC_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads one "key=value" field of a rule into |rule|; false with a reason in |why|. */
typedef bool (*tc_fault_field_fn)(
    void *rule, const char *key, const char *value, char *why, size_t why_size);

/* Splits |spec| (shorter than |max_len|) at ',' and '=' and calls |field| for each pair in
 * order. False with a reason in |why| for a spec too long, a field without '=', or what
 * |field| refused. */
bool tc_fault_fields(const char *spec,
                     size_t max_len,
                     tc_fault_field_fn field,
                     void *rule,
                     char *why,
                     size_t why_size);

/* A decimal integer in |min|..|max|, nothing else. */
bool tc_fault_parse_long(const char *value, long min, long max, long *out);

enum tc_fault_key {
    TC_FAULT_KEY_OTHER, /* not a shared key: the tool's own */
    TC_FAULT_KEY_OK,    /* read into |*rate|, |*remaining| or |*latency_ms| */
    TC_FAULT_KEY_BAD,   /* a shared key with a bad value; the reason is in |why| */
};

/* Reads rate=, count= (into |*remaining|) or ms= (0..600000). */
enum tc_fault_key tc_fault_shared_key(const char *key,
                                      const char *value,
                                      double *rate,
                                      long *remaining,
                                      int *latency_ms,
                                      char *why,
                                      size_t why_size);

/* Rolls a rule that has |*remaining| firings left (-1 = unlimited, 0 = spent: never fires)
 * with probability |rate| from |*rng|; when it fires, spends one firing and counts it in
 * |*n_fired|. */
bool tc_fault_roll(uint64_t *rng, double rate, long *remaining, uint64_t *n_fired);

/* Removes element |index| of an array of |*n| elements of |size| bytes, keeping the order. */
void tc_fault_table_remove(void *rules, size_t size, int *n, int index);

#endif
