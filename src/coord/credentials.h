/* Credential rotation (spec §7): when a pull reports an expired STS token, the source's
 * credentials_file is read again (sf_config_credentials_read) and every client of the source
 * signs with the new triple from its next attempt. Coordinator thread. */
#ifndef SF_COORD_CREDENTIALS_H
#define SF_COORD_CREDENTIALS_H

#include "coord/coord_int.h"

/* Reloads the source's credentials when a worker flagged them as expired. */
void sf_credentials_refresh(struct sf_source *source);

#endif
