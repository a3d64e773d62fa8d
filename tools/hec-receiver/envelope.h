/* Checks one /event envelope the way Splunk does (docs/protocol/hec.md §Event envelope): `event`
 * present and not blank, `time` in epoch seconds, metadata keys are strings, `index` allowed,
 * `fields` flat. Pure functions, any thread. */
#ifndef HEC_ENVELOPE_H
#define HEC_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hec_envelope_rules {
    const char *indexes;  /* ",main,cloud," allow-list, or "" for any index */
    bool is_lenient_time; /* accept any non-negative number as `time` */
};

/* Largest `time` accepted unless lenient: 1e11 s is the year 5138, so anything larger is a
 * milliseconds (or finer) value sent by mistake (docs/protocol/hec.md §Lessons from other senders,
 * OTel #36571). */
#define HEC_MAX_TIME_S 1e11

/* 0 when the |len| bytes at |p| (one JSON object) are a valid envelope, otherwise the HEC
 * code that refuses it: 6 (bad JSON, wrong types, bad time), 7 (index not allowed),
 * 12 (no event), 13 (blank event), 15 (bad fields). */
int hec_envelope_check(const uint8_t *p, size_t len, const struct hec_envelope_rules *rules);

/* Parses `time` given as a string: decimal seconds, optional fraction ("1732600000.123").
 * False for anything else. */
bool hec_envelope_parse_time_string(const char *s, size_t len, double *out);

/* True when |index| (|len| bytes) is in |allow| (",a,b," form); "" allows everything. */
bool hec_index_allowed(const char *allow, const char *index, size_t len);

#endif
