/* The static provider: access_key_id/access_key_secret (and an STS security_token) straight from
 * the config, as credentials-go's StaticAKCredentialsProvider and StaticSTSCredentialsProvider.
 * Such keys never change, so they are never refreshed. */
#include <stdio.h>
#include <string.h>

#include "cred/cred_int.h"

#include "util/banned.h"

sf_err sf_cred_fetch_static(const struct sf_cred_config *config,
                            struct sf_cred_value *out,
                            char *errbuf,
                            size_t errbuf_size)
{
    if (!config->access_key_id || !config->access_key_secret) {
        /* sf_cred_new checked this already; kept so the function stands on its own. */
        memset(out, 0, sizeof(*out));
        snprintf(errbuf, errbuf_size, "%s is not set",
                 config->access_key_id ? "access_key_secret" : "access_key_id");
        return SF_ERR_CONFIG;
    }
    return sf_cred_value_fill(out, config->access_key_id, config->access_key_secret,
                              config->security_token, "static keys", errbuf, errbuf_size);
}
