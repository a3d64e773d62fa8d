#include "coord/credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "coord"

extern char **environ;

/* The URL whose host NO_PROXY is matched against: as the cred module will reach STS, except
 * that a region-derived endpoint (ALIBABA_CLOUD_STS_REGION) is matched as sts.aliyuncs.com. */
static void sts_url(const struct sf_config_source *cfg, char *out, size_t size)
{
    const char *endpoint = cfg->credentials.sts_endpoint;
    if (!endpoint || !endpoint[0]) {
        endpoint = getenv("ALIBABA_CLOUD_STS_ENDPOINT");
    }
    if (!endpoint || !endpoint[0]) {
        endpoint = "sts.aliyuncs.com";
    }
    bool has_scheme = strncmp(endpoint, "http://", 7) == 0 || strncmp(endpoint, "https://", 8) == 0;
    snprintf(out, size, "%s%s", has_scheme ? "" : "https://", endpoint);
}

/* The cred module's view of |cfg|'s keys. Strings are borrowed from |cfg| and |sts_proxy|,
 * which receives the proxy for STS: `sls.proxy`, else the environment as for the STS URL
 * (util/proxy.h). SF_ERR_CONFIG with |errbuf| naming the source and the key at fault. */
static sf_err cred_config(const struct sf_config_source *cfg,
                          struct sf_cred_config *out,
                          struct sf_proxy *sts_proxy,
                          char *errbuf,
                          size_t errbuf_size)
{
    char url[512], why[512];
    sts_url(cfg, url, sizeof(url));
    sf_err err =
        sf_proxy_resolve(url, cfg->proxy, "sls.proxy", environ, sts_proxy, why, sizeof(why));
    if (err) {
        snprintf(errbuf, errbuf_size, "source %.100s: STS: %.400s", cfg->name, why);
        return err;
    }
    enum sf_cred_provider provider = SF_CRED_AUTO;
    if (cfg->credentials.provider) {
        (void)sf_cred_provider_parse(cfg->credentials.provider, &provider); /* validated */
    }
    if (provider == SF_CRED_AUTO && cfg->credentials_file) {
        provider = SF_CRED_FILE; /* the loader copied its keys too: they must not look static */
    }
    *out = (struct sf_cred_config){
        .provider = provider,
        .source_name = cfg->name,
        .access_key_id = cfg->access_key_id,
        .access_key_secret = cfg->access_key_secret,
        .security_token = cfg->security_token,
        .file = cfg->credentials_file,
        .profile_file = cfg->credentials.profile_file,
        .profile_name = cfg->credentials.profile,
        .role_arn = cfg->credentials.role_arn,
        .oidc_provider_arn = cfg->credentials.oidc_provider_arn,
        .oidc_token_file = cfg->credentials.oidc_token_file,
        .role_session_name = cfg->credentials.role_session_name,
        .policy = cfg->credentials.policy,
        .duration_s = cfg->credentials.duration_s,
        .sts_endpoint = cfg->credentials.sts_endpoint,
        .ecs_role_name = cfg->credentials.ecs_role_name,
        .ecs_metadata_endpoint = cfg->credentials.ecs_metadata_endpoint,
        .ecs_imdsv1_disabled = cfg->credentials.ecs_disable_imdsv1,
        .ca_file = cfg->ca_file,
        .proxy = sts_proxy->url,
        .proxy_credentials = cfg->proxy_credentials,
        .timeout_ms = cfg->connect_timeout_ms > 5000 ? cfg->connect_timeout_ms : 5000,
    };
    return SF_OK;
}

sf_err sf_coord_credentials_resolve(const struct sf_config_source *cfg,
                                    struct sf_cred **out,
                                    char *errbuf,
                                    size_t errbuf_size)
{
    *out = NULL;
    struct sf_cred_config cred_cfg;
    struct sf_proxy sts_proxy;
    sf_err err = cred_config(cfg, &cred_cfg, &sts_proxy, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    char why[1024];
    err = sf_cred_new(&cred_cfg, out, why, sizeof(why));
    explicit_bzero(&sts_proxy, sizeof(sts_proxy)); /* its URL may hold a password */
    if (!err) {
        err = sf_cred_resolve(*out, why, sizeof(why));
    }
    if (err) {
        snprintf(errbuf, errbuf_size, "source %s: no usable credentials: %s", cfg->name, why);
        sf_cred_free(*out);
        *out = NULL;
    }
    return err;
}

/* Refresher thread: every client of the source signs its next attempt with |fresh|. */
static void apply(void *ctx, const struct sf_cred_value *fresh)
{
    struct sf_coord_source *source = ctx;
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

sf_err sf_coord_credentials_start(struct sf_coord_source *source, char *errbuf, size_t errbuf_size)
{
    sf_err err = sf_cred_start(source->cred, apply, source);
    if (err) {
        snprintf(errbuf, errbuf_size, "source %s: cannot start the credential refresher: %s",
                 source->config->name, sf_err_str(err));
    }
    return err;
}

void sf_coord_credentials_check_refusal(struct sf_coord_source *source,
                                        sf_err err,
                                        const struct sf_sls_error *detail)
{
    if (err != SF_ERR_AUTH_EXPIRED && err != SF_ERR_AUTH) {
        return;
    }
    /* SF_ERR_AUTH also covers a missing RAM permission (403): the refresher drops reports
     * that come too soon after a fresh value, so asking costs at most one STS call. */
    if (err == SF_ERR_AUTH && detail && detail->http_status == 403) {
        return;
    }
    sf_cred_report_refused(source->cred, detail && detail->code[0] ? detail->code : "refused");
}
