/* Each source's credentials (cred/cred.h): resolved once when the coord is made, before any
 * SLS client exists; refreshed by the source's own refresher thread, which pushes every fresh
 * value into all of the source's clients (coord thread, membership, one per worker), so a
 * standby that holds no shard renews them too. Any thread that sees SLS refuse them reports
 * it here, and the refresher renews them at once. */
#ifndef SF_COORD_CREDENTIALS_H
#define SF_COORD_CREDENTIALS_H

#include "coord/coord_int.h"
#include "util/proxy.h"

/* Resolves |cfg|'s credentials into a new *|out| (blocking: STS or the metadata service may
 * be asked): for the coord's sources and for one-shot commands. On failure *|out| is NULL
 * and |errbuf| names the source and what was tried. */
sf_err sf_coord_credentials_resolve(const struct sf_config_source *cfg,
                                    struct sf_cred **out,
                                    char *errbuf,
                                    size_t errbuf_size);
/* Starts the refresher once every client of |source| exists. */
sf_err sf_coord_credentials_start(struct sf_coord_source *source, char *errbuf, size_t errbuf_size);
/* An SLS call of |source| failed with |err|: when SLS refused the credentials (expired or
 * unknown token, unknown key), ask for fresh ones now. Any thread; does not block. */
void sf_coord_credentials_check_refusal(struct sf_coord_source *source,
                                        sf_err err,
                                        const struct sf_sls_error *detail);

#endif
