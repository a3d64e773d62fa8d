/* The providers behind struct sf_cred (cred.c): each fetches one fresh struct sf_cred_value,
 * blocking, and is called only from sf_cred_resolve() or the refresher thread. A provider that
 * is not configured at all (its environment variables absent, its file missing) returns
 * SF_ERR_NOT_FOUND, so the chain moves on quietly; any other error is a real failure, which
 * the chain records and also moves past (credentials-go's DefaultCredentialsProvider). */
#ifndef SF_CRED_PROVIDER_H
#define SF_CRED_PROVIDER_H

#include "cred/cred.h"

/* The config as sf_cred_new copied it, with the environment already folded in where the
 * libraries read it (every string owned by struct sf_cred; NULL when unset). */
typedef sf_err (*sf_cred_fetch_fn)(const struct sf_cred_config *config,
                                   struct sf_cred_value *out,
                                   char *errbuf,
                                   size_t errbuf_size);

/* cred/static.c, cred/env.c, cred/file.c, cred/profile.c (INI; a profile of type
 * ram_role_arn, oidc_role_arn or ecs_ram_role calls the matching remote fetch below) */
sf_err sf_cred_fetch_static(const struct sf_cred_config *, struct sf_cred_value *, char *, size_t);
sf_err sf_cred_fetch_env(const struct sf_cred_config *, struct sf_cred_value *, char *, size_t);
sf_err sf_cred_fetch_file(const struct sf_cred_config *, struct sf_cred_value *, char *, size_t);
sf_err sf_cred_fetch_profile(const struct sf_cred_config *, struct sf_cred_value *, char *, size_t);

/* cred/sts.c (AssumeRole: RPC signature HMAC-SHA1; AssumeRoleWithOIDC: anonymous),
 * cred/ecs.c (metadata service). Over cred/http.c (libcurl easy, bounded bodies). */
sf_err
sf_cred_fetch_ram_role_arn(const struct sf_cred_config *, struct sf_cred_value *, char *, size_t);
sf_err sf_cred_fetch_oidc(const struct sf_cred_config *, struct sf_cred_value *, char *, size_t);
sf_err sf_cred_fetch_ecs(const struct sf_cred_config *, struct sf_cred_value *, char *, size_t);

/* Parses an ISO 8601 UTC time as STS and the metadata service write it
 * ("2026-12-06T03:00:00Z") into unix seconds. cred/time.c */
bool sf_cred_parse_expiration(const char *text, int64_t *out);

#endif
