/* What the tools' wire clients (libcurl) share: one request on a reused handle, with the
 * answer's body and header lines captured in sf_bufs, and reading a header back. */
#ifndef SF_TEST_WIRE_H
#define SF_TEST_WIRE_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Resets |curl| for |method| on |url| with the request |headers| (NULL: none; the caller
 * frees them after wire_perform) and a |timeout_s|; HEAD asks for no body. The answer's body
 * (up to |body_max| bytes) goes to |body|, its header lines to |head|: both are initialised
 * here and the caller cleans them up. Set any other option after this call. */
void wire_prepare(CURL *curl,
                  const char *method,
                  const char *url,
                  struct curl_slist *headers,
                  long timeout_s,
                  size_t body_max,
                  struct sf_buf *body,
                  struct sf_buf *head);

/* Performs the request: the HTTP status goes to |*status| (0 without an answer) and the total
 * time to |*seconds| (NULL: not wanted); |body| and |head| are NUL-terminated. */
CURLcode
wire_perform(CURL *curl, long *status, double *seconds, struct sf_buf *body, struct sf_buf *head);

/* The value of header |name| (ASCII case-insensitive) in the header lines |head|, into |out|
 * ("" when absent). False when absent. */
bool wire_header(const struct sf_buf *head, const char *name, char *out, size_t size);

#endif
