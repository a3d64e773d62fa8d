#include "coord/credentials.h"

#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "coord"

static void apply(struct sf_source *source, const struct sf_config_credentials *fresh)
{
    const struct sf_sls_credentials creds = {fresh->access_key_id, fresh->access_key_secret,
                                             fresh->security_token};
    sf_sls_client_set_credentials(source->sls, &creds);
    sf_sls_client_set_credentials(source->hb_sls, &creds);
    struct sf_coord *coord = source->coord;
    size_t index = (size_t)(source - coord->sources);
    for (size_t w = 0; w < coord->n_workers; w++) {
        sf_sls_client_set_credentials(coord->workers[w].sls[index], &creds);
    }
}

void sf_credentials_refresh(struct sf_source *source)
{
    if (!atomic_exchange(&source->needs_credentials, false)) {
        return;
    }
    const struct sf_config_source *cfg = source->config;
    if (!cfg->credentials_file) {
        SF_LOG_ERROR("msg=\"the STS token has expired and cannot be renewed: set "
                     "credentials_file to a file that your credential helper keeps fresh\" "
                     "source=%s",
                     cfg->name);
        return;
    }
    struct sf_config_credentials fresh = {0};
    char errbuf[512];
    if (sf_config_credentials_read(cfg->credentials_file, &fresh, errbuf, sizeof(errbuf)) ==
        SF_OK) {
        apply(source, &fresh);
        SF_LOG_INFO("msg=\"credentials reloaded\" source=%s path=\"%s\"", cfg->name,
                    cfg->credentials_file);
    } else {
        SF_LOG_ERROR("msg=\"cannot reload credentials\" source=%s error=\"%s\"", cfg->name, errbuf);
    }
    sf_config_credentials_cleanup(&fresh);
}
