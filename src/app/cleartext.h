/* One warning at start for each destination reached over plain http://: an SLS endpoint
 * (requests signed with the AccessKey, an STS token in a header, all the log data) or the HEC
 * URL (the token in every request's Authorization header, all the events). Right for the
 * emulator and test receivers, wrong in production; the warning says which. Main thread. */
#ifndef SF_APP_CLEARTEXT_H
#define SF_APP_CLEARTEXT_H

#include "config/config.h"

void sf_cleartext_warn(const struct sf_config *config);

#endif
