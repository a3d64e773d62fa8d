/* bench/floor: the least work any forwarder must do to turn SLS PullLogs bodies into Splunk HEC
 * events — LZ4 decompress, LogGroupList decode, HEC JSON out (slsfwd's default event shape),
 * optionally gzip level 1 by ISA-L — and nothing else: no HTTP, no threads, no checkpoints, no
 * duplicate-key rules. Independent of src/ on purpose: it is the yardstick slsfwd is measured
 * against (floor_ratio in bench/e2e.sh), so it must not share slsfwd's code or its mistakes.
 *
 * Inputs are views into a decompressed body that has FLOOR_SLACK readable bytes past its end;
 * outputs are written to a caller-reserved area (floor_event_bound) that also tolerates
 * FLOOR_SLACK bytes of scratch stores past what is written. */
#ifndef FLOOR_H
#define FLOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLOOR_SLACK 64

/* A growable byte buffer, kept warm across passes (never shrinks). */
struct floor_buf {
    uint8_t *ptr;
    size_t len;
    size_t cap;
};

/* Makes room for |more| bytes past len (plus FLOOR_SLACK); aborts when memory runs out. */
void floor_buf_reserve(struct floor_buf *b, size_t more);

/* ---- floor_json.c ---- */

/* Builds the tables; call once before anything else. */
void floor_json_init(void);
/* Writes |s| (|n| bytes) escaped as the inside of a JSON string at |d| and returns the end:
 * '"', '\\' and bytes below 0x20 escaped (short forms, else \u00xx), ill-formed UTF-8 replaced
 * by U+FFFD per maximal subpart, everything else copied. Needs 6 * n + FLOOR_SLACK bytes. */
uint8_t *floor_json_escape(uint8_t *d, const uint8_t *s, size_t n);
/* True when |s| is exactly one RFC 8259 value (surrounding whitespace allowed, depth <= 64, no
 * lone \u surrogates, well-formed UTF-8). *|start|, *|len| is the value without the
 * surrounding whitespace; *|has_ws_ctrl| is set when \t, \n or \r occur inside it. */
bool floor_json_check(const uint8_t *s, size_t n, size_t *start, size_t *len, bool *has_ws_ctrl);

/* ---- floor_event.c ---- */

struct floor_stats {
    uint64_t n_events;
    uint64_t n_embedded; /* json_fields values embedded as JSON */
};

/* Decodes one packed LogGroupList (|raw|, |len| bytes, FLOOR_SLACK readable past the end) and
 * appends one HEC event per log to |out| as newline-delimited JSON:
 *   {"time":<s>[.<ms>],"event":{"__topic__":..,"__source__":..,"__tag__:<k>":..,<contents>}}
 * with the content "event" of topic "actiontrail_audit_event" embedded when it is JSON (slsfwd's
 * default json_fields). Returns false on a malformed body. */
bool floor_events_append(const uint8_t *raw,
                         size_t len,
                         struct floor_buf *out,
                         struct floor_stats *stats);

/* ---- floor_load.c ---- */

struct floor_body {
    uint8_t *lz4; /* the PullLogs body as it arrived (raw LZ4 block) */
    size_t lz4_len;
    size_t raw_len; /* x-log-bodyrawsize */
};

struct floor_bodies {
    struct floor_body *items;
    size_t n;
    size_t raw_bytes;
    size_t lz4_bytes;
};

/* Pulls every shard of |logstore| in |project| from an SLS emulator started with --no-auth at
 * |endpoint| (http://127.0.0.1:PORT), begin to end, lz4, in pulls of about 4 MiB raw as slsfwd
 * asks for them. Prints the reason and returns false on failure. */
bool floor_load(const char *endpoint,
                const char *project,
                const char *logstore,
                struct floor_bodies *out);
void floor_bodies_free(struct floor_bodies *bodies);

/* ---- floor_send.c ---- */

/* A TCP connection on loopback to a child process that reads and discards everything. */
struct floor_sender {
    int fd;
    int reader; /* pid */
};

bool floor_sender_open(struct floor_sender *s);
/* Writes all |n| bytes; prints the reason and returns false on failure. */
bool floor_send(struct floor_sender *s, const uint8_t *p, size_t n);
void floor_sender_close(struct floor_sender *s);

#endif
