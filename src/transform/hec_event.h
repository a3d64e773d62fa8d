/* transform: decoded SLS logs → Splunk HEC /event envelopes (docs/protocol/hec.md §Event envelope),
 * appended to a bounded buffer as newline-delimited JSON ready to be a request body (§Batching).
 * The output is valid JSON and valid UTF-8 whatever bytes the logs hold (json.h gives the policy).
 * It does not compress, send or decide batch sizes: that is the sink's job. A mapping is immutable
 * once made, so any number of threads may share one; each thread brings its own buffer. The full
 * contract, and where it differs from the reference Python program on purpose, is in
 * docs/internals/transform.md. */
#ifndef SF_TRANSFORM_HEC_EVENT_H
#define SF_TRANSFORM_HEC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/loggroup.h"
#include "transform/filter.h"
#include "util/buf.h"
#include "util/err.h"

/* Arrays and JSON text nested deeper than this in a json_fields value make it a plain string. */
#define SF_HEC_EVENT_JSON_MAX_DEPTH 64

struct sf_hec_event_options {
    /* Envelope metadata, copied into the mapping. NULL: the key is omitted, and Splunk uses the
     * token's default. An empty string is refused: leave the option unset instead. Each is a
     * template (util/template.h): "sls-{__topic__|other}" takes the log's topic, "{project}"
     * the origin's project; an event whose value renders empty omits the key. A template
     * that does not parse is refused. */
    const char *sourcetype;
    const char *index;
    const char *source;
    const char *host;
    /* The reference program's form: "event" is a JSON string holding the event object's JSON
     * text, instead of the object itself. */
    bool event_as_string;
    /* "<topic>:<field>" (split at the first ':'; the topic may be empty, the field may not):
     * in groups whose topic is <topic>, a content whose key is <field> and whose value is one
     * valid JSON value (sf_json_check, depth SF_HEC_EVENT_JSON_MAX_DEPTH) is embedded as that
     * value; any other value stays a string. E.g. "actiontrail_audit_event:event". */
    const char *const *json_fields;
    size_t n_json_fields;
    /* Indexed fields, "name=value" (split at the first '='), sent as the envelope's flat
     * `fields` object on every event, in this order. */
    const char *const *fields;
    size_t n_fields;
    /* Adds the indexed fields sls_shard and sls_position (a key naming the log by its
     * LogGroup's cursor and its offset in it, identical when the log is delivered again) to
     * each event written with an origin (sf_hec_event_append_list_from). */
    bool position_fields;
};

/* Longest project or logstore name given position fields (SLS allows 63): a longer one, or a
 * cursor over 128 bytes, gets no position fields. */
#define SF_HEC_EVENT_ORIGIN_NAME_MAX 255

/* Where a list of LogGroups was read: for {project}/{logstore} in templates and for the
 * position fields. Strings are NUL-terminated and only read during the call. */
struct sf_hec_event_origin {
    const char *project;
    const char *logstore;
    int shard;
    /* The PullLogs request's cursor: where list->groups[0] starts. Base64 of the group's
     * decimal sequence number (docs/protocol/sls-api.md §Cursors); each following group of the
     * list takes the next number, so group i of the list is sequence cursor + i. NULL: no
     * position fields. */
    const char *cursor;
};

/* Pre-escaped constant parts of every event, and the json_fields by topic. */
struct sf_hec_event_mapping;

/* Checks and copies |opts| into a new mapping in |*out| (NULL on error); |opts| may be freed
 * afterwards. SF_ERR_CONFIG, with a sentence in |errbuf| (|errbuf_size| bytes, may be 0), for
 * an empty metadata string or a malformed json_fields entry. */
sf_err sf_hec_event_mapping_new(const struct sf_hec_event_options *opts,
                                struct sf_hec_event_mapping **out,
                                char *errbuf,
                                size_t errbuf_size);
void sf_hec_event_mapping_free(struct sf_hec_event_mapping *map);

/* Appends to |out| one HEC event for |log| of |group| followed by '\n':
 *   {"time":<Log.Time>[.<ms>],"host":…,"source":…,"sourcetype":…,"index":…,"event":{…}}
 * where "time" gets 3 truncated digits of Time_ns when that is present and non-zero, and the
 * event object holds "__topic__", "__source__", each LogTag as "__tag__:<key>", then every
 * content, in that order, each key once (a repeated key keeps its first position and its last
 * value, as in the reference program's dict).
 * SF_ERR_FULL when the event would take |out| past its max: |out| is left as it was, so the
 * caller can flush and retry. SF_ERR_TOO_BIG instead when |out| was empty: this event can never
 * fit, and retrying is pointless. Allocates nothing in the common case: only for a log with
 * more than 256 keys in all (topic, source, tags, contents), and for an event that fits under
 * |out|'s max only to within a few bytes. */
sf_err sf_hec_event_append(const struct sf_hec_event_mapping *map,
                           const struct sf_loggroup *group,
                           const struct sf_log *log,
                           struct sf_buf *out);

/* Appends the events of every log of |list| from log number |first_log| on (counting across
 * groups, in list order; 0 <= first_log <= list->n_logs_total), as sf_hec_event_append would
 * one by one, and sets *|n_done| to how many it appended. Faster than the loop: each group's
 * constant part is escaped once per call, then copied.
 * SF_OK: all appended. SF_ERR_FULL: |out| holds *|n_done| more complete events and the next one
 * did not fit; flush |out| and call again from first_log + *|n_done|. SF_ERR_TOO_BIG: the next
 * log (number first_log + *|n_done|) does not fit even in an empty |out|; count it as dropped
 * and continue after it. */
sf_err sf_hec_event_append_list(const struct sf_hec_event_mapping *map,
                                const struct sf_loggroup_list *list,
                                size_t first_log,
                                struct sf_buf *out,
                                size_t *n_done);

/* sf_hec_event_append_list for logs read from |from| with the client-side filter |filter|
 * applied in the same pass; either may be NULL.
 *
 * |from| (NULL: unknown, as sf_hec_event_append_list): templates may name {project} and
 * {logstore}, and with position_fields each event gets
 *   "fields":{…,"sls_shard":"<shard>","sls_position":"<project>/<logstore>/<shard>/<seq>/<k>"}
 * where <seq> is the sequence number of the log's LogGroup (the cursor's number plus the
 * group's index in |list|) and <k> the log's index in its group. When the cursor does not
 * decode, <seq> is "<cursor>+<group index>" (stable only while pulls start at the same
 * cursors).
 *
 * |filter| (filter.h; NULL: none): a log its event rules drop is skipped, and the field rules
 * choose and rename the keys of every event object written. The envelope reads the log as it
 * came: templates, "time" and json_fields embedding see the original keys (a template may
 * name a field the rules drop or rename), and a dropped log leaves a gap in the positions
 * (<k> of the next log is still its own index). A rename to a key the event already has
 * writes that key twice.
 *
 * *|n_done| counts the logs consumed, written or dropped, so a caller resumes after
 * SF_ERR_FULL from first_log + *|n_done| as with sf_hec_event_append_list; *|n_filtered| counts
 * those dropped (events written: *n_done - *n_filtered). Allocation-free as
 * sf_hec_event_append_list. */
sf_err sf_hec_event_append_list_from(const struct sf_hec_event_mapping *map,
                                     const struct sf_filter *filter,
                                     const struct sf_hec_event_origin *from,
                                     const struct sf_loggroup_list *list,
                                     size_t first_log,
                                     struct sf_buf *out,
                                     size_t *n_done,
                                     size_t *n_filtered);

/* sf_hec_event_append_list_from that also says where each event it writes ends: the k-th event
 * written by this call (k = 0 .. *n_done - *n_filtered - 1) sets ends[k] to its end in |out|,
 * the offset just past its '\n' (offsets count from the start of |out|, not from where this
 * call began). A reader that cuts |out| at event boundaries (the HEC sink's requests) takes
 * them instead of searching |out| for newlines. |ends| (NULL: none, as
 * sf_hec_event_append_list_from) has room for list->n_logs_total - first_log entries; |out| must
 * stay under 4 GiB. */
sf_err sf_hec_event_append_list_indexed(const struct sf_hec_event_mapping *map,
                                        const struct sf_filter *filter,
                                        const struct sf_hec_event_origin *from,
                                        const struct sf_loggroup_list *list,
                                        size_t first_log,
                                        struct sf_buf *out,
                                        uint32_t *ends,
                                        size_t *n_done,
                                        size_t *n_filtered);

#endif
