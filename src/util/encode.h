/* Byte encodings used on the wire: base64, hex, URL percent-encoding. Pure functions. */
#ifndef SF_UTIL_ENCODE_H
#define SF_UTIL_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Standard base64 with padding; |out| holds >= 4 * ceil(len / 3) + 1 bytes. Returns length. */
size_t sf_base64_encode(const uint8_t *data, size_t len, char *out);
/* Decodes standard padded base64 into |out| (>= len / 4 * 3 bytes); false if malformed. */
bool sf_base64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len);
/* Hex of |len| bytes into |out| (>= 2 * len + 1 bytes), lower or upper case. */
void sf_hex_encode(const uint8_t *data, size_t len, bool upper, char *out);
/* Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~). */
sf_err sf_url_encode(struct sf_buf *out, const char *data, size_t len);

#endif
