/* Zero-copy decoder of the SLS LogGroupList protobuf (docs/protocol/sls-loggroup.md §Schema), the
 * body of a PullLogs response after decompression. Keys and values are views into the input; the
 * arrays that hold them come from a caller's arena (one bump per log and per group, no malloc once
 * the arena is warm). It does not flatten, sanitise UTF-8 or interpret tags: that is transform's
 * job. Not thread-safe per arena; distinct arenas may be used from distinct threads. */
#ifndef SF_CODEC_LOGGROUP_H
#define SF_CODEC_LOGGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/err.h"
#include "util/str.h"

/* Log.Content or LogTag: raw bytes, not guaranteed to be UTF-8 (docs/protocol/sls-loggroup.md
 * §Decoder rules). */
struct sf_log_kv {
    struct sf_str key;
    struct sf_str value;
};

struct sf_log {
    uint32_t time;    /* Log.Time: unix seconds (required on the wire) */
    uint32_t time_ns; /* Log.Time_ns: nanosecond part as sent (0 when absent) */
    bool has_time_ns;
    const struct sf_log_kv *contents; /* wire order, duplicate keys kept; NULL when none */
    size_t n_contents;
};

struct sf_loggroup {
    const struct sf_log *logs; /* NULL when none */
    size_t n_logs;
    struct sf_str topic;          /* "" when absent */
    struct sf_str source;         /* "" when absent */
    struct sf_str machine_uuid;   /* "" when absent; Reserved is skipped entirely */
    const struct sf_log_kv *tags; /* LogTags, wire order; NULL when none */
    size_t n_tags;
};

struct sf_loggroup_list {
    const struct sf_loggroup *groups; /* NULL when none */
    size_t n_groups;
    size_t n_logs_total; /* sum of n_logs over all groups */
    /* sf_loggroup_decode: the end of the body every non-empty string of the list lies in, so
     * a reader may load whole blocks past a string's end as long as they stay before this
     * (transform/hec_event.c does). NULL: unknown, as in a list built by hand. */
    const uint8_t *data_end;
};

/* Decodes |data| (|len| bytes, a decompressed PullLogs body) into |out|. Arrays come from
 * |arena| (sf_arena_reset it between batches to reuse the memory); every non-empty string is a
 * view into |data|, which must outlive |out|. Absent strings are "" (never NULL).
 * Any malformed or truncated input → SF_ERR_INVALID with *out zeroed (the arena may hold some
 * garbage until its next reset). Never reads outside |data|. Rules, per
 * docs/protocol/sls-loggroup.md §Decoder rules and proto2:
 * - unknown fields of wire types 0, 1, 2 and 5 are skipped wherever they appear, and fields may
 *   come in any order (for repeated fields, one after another keeps the wire order; for single
 *   fields, the last one wins);
 * - wire types 3 and 4 (groups), 6 and 7, and field number 0 → SF_ERR_INVALID;
 * - a known field with the wrong wire type → SF_ERR_INVALID;
 * - Log.Time, and Key and Value of every Content and LogTag, are required;
 * - varints longer than 10 bytes or above 2^64-1, lengths past the end of the enclosing message,
 *   and Time > UINT32_MAX → SF_ERR_INVALID.
 * Empty input is a valid empty list. */
sf_err sf_loggroup_decode(const uint8_t *data,
                          size_t len,
                          struct sf_arena *arena,
                          struct sf_loggroup_list *out);

/* For tests and fuzzers: abort()s unless every non-empty view in |list| lies inside
 * [data, data + len) and every count matches its array (non-NULL array when count > 0). */
void sf_loggroup_list_assert_within(const struct sf_loggroup_list *list,
                                    const uint8_t *data,
                                    size_t len);

#endif
