/* A fast scanner over a /event body: concatenated JSON objects with optional whitespace
 * between them (docs/protocol/hec.md §Batching). It finds where each object ends and notes the
 * top-level "event" key, without building anything, so --count-only never allocates per event; the
 * full check of an envelope is envelope.h's job. Pure functions, any thread. */
#ifndef HEC_SCAN_H
#define HEC_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define HEC_SCAN_MAX_DEPTH 512

enum hec_scan_status {
    HEC_SCAN_OBJECT,     /* one object found: [start, end) */
    HEC_SCAN_END,        /* nothing but whitespace left */
    HEC_SCAN_NOT_OBJECT, /* the next value is not an object (an array, a string, garbage) */
    HEC_SCAN_INVALID,    /* an object starts but is not well-formed or never ends */
};

struct hec_scan_object {
    size_t start;
    size_t end;
    bool has_event;      /* a top-level key spelled exactly "event" */
    bool is_event_blank; /* ... whose value is the empty string */
};

/* Skips JSON whitespace from |*pos|, then scans one object. On HEC_SCAN_OBJECT |*pos| moves
 * past it; otherwise |*pos| is left at the first byte that is not whitespace. Checks
 * bracket matching, string escapes, control bytes in strings and nesting depth; scalar
 * tokens and the placement of ':' and ',' only loosely. */
enum hec_scan_status
hec_scan_next(const uint8_t *p, size_t len, size_t *pos, struct hec_scan_object *obj);

/* Appends |len| bytes of well-formed JSON to |out| without the whitespace outside strings,
 * so an envelope fits on one NDJSON line byte-for-byte otherwise. SF_ERR_FULL past out->max. */
sf_err hec_scan_compact(const uint8_t *p, size_t len, struct sf_buf *out);

#endif
