/* The environment provider: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and the
 * optional ALIBABA_CLOUD_SECURITY_TOKEN (credentials-go providers/env.go,
 * EnvironmentVariableCredentialsProvider.GetCredentials). Neither key set means "not
 * configured"; one without the other is an error naming the missing variable, as the library's
 * "Access key secret must be specified via environment variable" is. */
#include <stdio.h>
#include <string.h>

#include "cred/cred_int.h"

#include "util/banned.h"

#define ENV_ID     "ALIBABA_CLOUD_ACCESS_KEY_ID"
#define ENV_SECRET "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
#define ENV_TOKEN  "ALIBABA_CLOUD_SECURITY_TOKEN"

sf_err sf_cred_fetch_env(const struct sf_cred_config *config,
                         struct sf_cred_value *out,
                         char *errbuf,
                         size_t errbuf_size)
{
    const char *id = sf_cred_getenv(config, ENV_ID);
    const char *secret = sf_cred_getenv(config, ENV_SECRET);
    memset(out, 0, sizeof(*out));
    if (!id && !secret) {
        snprintf(errbuf, errbuf_size, "%s and %s are not set", ENV_ID, ENV_SECRET);
        return SF_ERR_NOT_FOUND;
    }
    if (!id || !secret) {
        snprintf(errbuf, errbuf_size, "%s is set but %s is not", id ? ENV_ID : ENV_SECRET,
                 id ? ENV_SECRET : ENV_ID);
        return SF_ERR_CONFIG;
    }
    return sf_cred_value_fill(out, id, secret, sf_cred_getenv(config, ENV_TOKEN), "the environment",
                              errbuf, errbuf_size);
}
