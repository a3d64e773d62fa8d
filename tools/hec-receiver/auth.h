/* The HEC credential in an Authorization header (docs/protocol/hec.md §Authentication): `Splunk
 * <token>`, or HTTP Basic with any user name and the token as password. Pure functions, any thread.
 */
#ifndef HEC_AUTH_H
#define HEC_AUTH_H

#include <stddef.h>

enum hec_auth_parse {
    HEC_AUTH_OK,
    HEC_AUTH_MALFORMED, /* present, but not a Splunk or Basic credential: 401 code 3 */
};

/* Copies the token of header value |value| into |token| (|token_size| bytes, NUL-terminated).
 * The scheme is case-insensitive; surrounding blanks are ignored. An empty token, bad
 * base64, or a Basic credential without ':' is malformed, and so is a token that does not
 * fit. */
enum hec_auth_parse hec_auth_parse_header(const char *value, char *token, size_t token_size);

#endif
