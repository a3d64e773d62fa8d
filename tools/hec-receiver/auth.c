#include "auth.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/encode.h"

#include "util/banned.h"

#define BASIC_MAX 1024 /* base64 characters of a Basic credential we bother decoding */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static enum hec_auth_parse copy_token(const char *s, size_t len, char *token, size_t token_size)
{
    if (len == 0 || len >= token_size || memchr(s, '\0', len)) {
        return HEC_AUTH_MALFORMED;
    }
    memcpy(token, s, len);
    token[len] = '\0';
    return HEC_AUTH_OK;
}

static enum hec_auth_parse parse_basic(const char *b64, size_t len, char *token, size_t token_size)
{
    uint8_t decoded[BASIC_MAX];
    size_t n = 0;
    if (len == 0 || len > BASIC_MAX || !sf_base64_decode(b64, len, decoded, &n)) {
        return HEC_AUTH_MALFORMED;
    }
    const uint8_t *colon = memchr(decoded, ':', n);
    if (!colon) {
        return HEC_AUTH_MALFORMED;
    }
    size_t user_len = (size_t)(colon - decoded);
    return copy_token((const char *)colon + 1, n - user_len - 1, token, token_size);
}

enum hec_auth_parse hec_auth_parse_header(const char *value, char *token, size_t token_size)
{
    token[0] = '\0';
    while (is_blank(*value)) {
        value++;
    }
    size_t scheme_len = strcspn(value, " \t");
    const char *rest = value + scheme_len;
    while (is_blank(*rest)) {
        rest++;
    }
    size_t rest_len = strlen(rest);
    while (rest_len > 0 && is_blank(rest[rest_len - 1])) {
        rest_len--;
    }
    if (scheme_len == 6 && strncasecmp(value, "Splunk", 6) == 0) {
        return copy_token(rest, rest_len, token, token_size);
    }
    if (scheme_len == 5 && strncasecmp(value, "Basic", 5) == 0) {
        return parse_basic(rest, rest_len, token, token_size);
    }
    return HEC_AUTH_MALFORMED; /* no scheme (a bare token), Bearer, ... */
}
