/* The file provider: slsfwd's own credentials_file (YAML or JSON; our keys or the answer STS and
 * the ECS metadata service write), read by config's sf_config_credentials_read and read again at
 * every refresh, so a credential helper that rewrites the file is followed. When the file holds
 * an Expiration (the STS/ECS JSON), the refresher plans its next read from it. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/config.h"
#include "cred/cred_int.h"

#include "util/banned.h"

sf_err sf_cred_fetch_file(const struct sf_cred_config *config,
                          struct sf_cred_value *out,
                          char *errbuf,
                          size_t errbuf_size)
{
    struct sf_config_credentials creds;
    memset(out, 0, sizeof(*out));
    sf_err err = sf_config_credentials_read(config->file, &creds, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    err = sf_cred_value_fill(out, creds.access_key_id, creds.access_key_secret,
                             creds.security_token, config->file, errbuf, errbuf_size);
    if (err || !creds.expiration) {
        goto out;
    }
    if (!sf_cred_parse_expiration(creds.expiration, &out->expiration)) {
        sf_cred_value_wipe(out);
        snprintf(errbuf, errbuf_size,
                 "%s: Expiration \"%.40s\" is not a UTC time like 2026-12-06T03:00:00Z",
                 config->file, creds.expiration);
        err = SF_ERR_CONFIG;
    }
out:
    /* The reader's heap copies of the secrets: wipe before free. */
    if (creds.access_key_secret) {
        OPENSSL_cleanse(creds.access_key_secret, strlen(creds.access_key_secret));
    }
    if (creds.security_token) {
        OPENSSL_cleanse(creds.security_token, strlen(creds.security_token));
    }
    sf_config_credentials_cleanup(&creds);
    return err;
}
