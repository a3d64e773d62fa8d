/* URLs in messages and dumps without their secrets: the password of `user:password@` and the
 * value of each query parameter whose name suggests a secret (token, key, secret, pass, sig,
 * auth, credential, session) become "<redacted>"; everything else is kept so the URL stays
 * recognisable. A userinfo without a password is redacted whole (it may be a bare token).
 * Pure; thread-safe. */
#ifndef SF_UTIL_URL_H
#define SF_UTIL_URL_H

#include "util/buf.h"

/* Appends |url|, redacted, to |out|. Text without "://" is appended as it is. */
void sf_url_redact(const char *url, struct sf_buf *out);
/* The same as a new string (free() it). */
char *sf_url_redact_dup(const char *url);

#endif
