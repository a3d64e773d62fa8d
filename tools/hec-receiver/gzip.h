/* Bounded gzip decoding of request bodies (Content-Encoding: gzip,
 * docs/protocol/hec.md §Request headers). The limit applies to the decoded size, so a small "gzip
 * bomb" cannot make the receiver hold more than max_content_length. Pure functions, any thread. */
#ifndef HEC_GZIP_H
#define HEC_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum hec_gunzip_result {
    HEC_GUNZIP_OK,
    HEC_GUNZIP_TOO_LARGE, /* would decode to more than |max_out| bytes */
    HEC_GUNZIP_CORRUPT,   /* not gzip, truncated, bad checksum, or trailing garbage */
};

/* Decodes |in| (one or more concatenated gzip members, as `cat a.gz b.gz` makes) into |out|
 * (reset first; its own max is ignored). Never holds more than |max_out| + 1 bytes. */
enum hec_gunzip_result
hec_gunzip(const uint8_t *in, size_t in_len, size_t max_out, struct sf_buf *out);

#endif
