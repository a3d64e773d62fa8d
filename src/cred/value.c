/* cred_int.h: the environment seam and struct sf_cred_value's bounded copies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cred/cred_int.h"

#include "util/banned.h"

const char *sf_cred_getenv(const struct sf_cred_config *config, const char *name)
{
    const char *value = config->getenv_fn ? config->getenv_fn(name) : getenv(name);
    return value && value[0] ? value : NULL;
}

static bool copy_field(char *dst, size_t dst_size, const char *src)
{
    size_t len = strlen(src);
    if (len >= dst_size) {
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

sf_err sf_cred_value_fill(struct sf_cred_value *out,
                          const char *id,
                          const char *secret,
                          const char *token,
                          const char *what,
                          char *errbuf,
                          size_t errbuf_size)
{
    const char *too_long = NULL;
    memset(out, 0, sizeof(*out));
    if (!copy_field(out->access_key_id, sizeof(out->access_key_id), id)) {
        too_long = "access key id";
    } else if (!copy_field(out->access_key_secret, sizeof(out->access_key_secret), secret)) {
        too_long = "access key secret";
    } else if (token && !copy_field(out->security_token, sizeof(out->security_token), token)) {
        too_long = "security token";
    }
    if (too_long) {
        sf_cred_value_wipe(out);
        snprintf(errbuf, errbuf_size, "%s: the %s is longer than slsfwd accepts", what, too_long);
        return SF_ERR_TOO_BIG;
    }
    return SF_OK;
}

void sf_cred_value_wipe(struct sf_cred_value *value)
{
    OPENSSL_cleanse(value, sizeof(*value));
}
