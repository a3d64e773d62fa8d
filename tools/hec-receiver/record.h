/* The NDJSON record of accepted events (--out): one line per event, the envelope exactly as
 * received (whitespace outside strings removed) plus a few "_receiver_*" keys at the end
 * (README.md). Lines of one request are written in order, in chunks of whole lines, before
 * the request is answered, so a test can read the file as soon as it has the answer. */
#ifndef HEC_RECORD_H
#define HEC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "hec.h"
#include "util/buf.h"

struct hec_record_meta {
    uint64_t request_no;
    const char *endpoint; /* "event" or "raw" */
    const char *token_name;
    const char *channel; /* NULL: not written */
};

struct hec_raw_meta {
    const char *host; /* query parameters of a /raw request; NULL when absent */
    const char *source;
    const char *sourcetype;
    const char *index;
};

struct hec_recorder {
    struct hec_server *srv;
    struct sf_buf lines;
    const struct hec_record_meta *meta;
};

void hec_recorder_init(struct hec_recorder *rec,
                       struct hec_server *srv,
                       const struct hec_record_meta *meta);
/* Writes what is left and frees the buffer. */
void hec_recorder_finish(struct hec_recorder *rec);
/* One /event envelope (|len| bytes of a scanned, valid JSON object). */
void hec_recorder_envelope(struct hec_recorder *rec, const uint8_t *env, size_t len);
/* One /raw line as {"event":"<line>", host/source/sourcetype/index from the query}. */
void hec_recorder_raw(struct hec_recorder *rec,
                      const uint8_t *line,
                      size_t len,
                      const struct hec_raw_meta *raw);

/* Appends |len| bytes as a JSON string body (no quotes): escapes as RFC 8259 requires and
 * replaces invalid UTF-8 with U+FFFD, so any input yields valid JSON. */
void hec_json_escape(struct sf_buf *out, const uint8_t *s, size_t len);

#endif
