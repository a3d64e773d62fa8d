/* Helpers shared by the remote providers (sts.c, ecs.c): filling a struct sf_cred_value from the
 * JSON the services answer, and making server text safe to log. Thread-safe. */
#ifndef SF_CRED_REMOTE_H
#define SF_CRED_REMOTE_H

#include <jansson.h>
#include <stddef.h>

#include "cred/cred.h"
#include "cred/cred_int.h"

/* Copies AccessKeyId, AccessKeySecret, SecurityToken and Expiration (all required strings) of
 * |obj| into |out|. SF_ERR_INVALID with |errbuf| "<what>: <field> missing/too long/..." (the
 * field's name, never its value). */
sf_err sf_cred_value_from_json(
    json_t *obj, const char *what, struct sf_cred_value *out, char *errbuf, size_t errbuf_size);

/* Copies server-supplied |text| into |out| for an error message: at most 200 bytes, control
 * characters dropped, cut before any "string to sign" (STS echoes the canonical request, which
 * holds the caller's AccessKeyId and SecurityToken), and every occurrence of each of the
 * NULL-terminated |secrets| (values of 8 bytes or more) replaced by "<redacted>". */
void sf_cred_clean_message(const char *text,
                           const char *const *secrets,
                           char *out,
                           size_t out_size);

/* sf_cred_getenv (cred_int.h, value.c) reads the environment as the config says. */

#endif
