#include "app/cleartext.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/url.h"

#include "util/banned.h"

#define SF_LOG_MODULE "app"

static bool is_plain_http(const char *url)
{
    return url && strncmp(url, "http://", 7) == 0;
}

void sf_cleartext_warn(const struct sf_config *config)
{
    for (size_t i = 0; i < config->n_sources; i++) {
        const char *endpoint = config->sources[i].endpoint;
        bool is_repeat = false; /* sources sharing an endpoint get one line */
        size_t n_sources = 0;
        for (size_t j = 0; j < config->n_sources; j++) {
            if (strcmp(config->sources[j].endpoint, endpoint) == 0) {
                is_repeat = is_repeat || j < i;
                n_sources++;
            }
        }
        if (is_plain_http(endpoint) && !is_repeat) {
            SF_LOG_WARN("msg=\"SLS endpoint is plain http://: requests signed with the AccessKey "
                        "(and an STS token, if any) and all the log data cross the network in "
                        "clear text; fine for the emulator, use https:// in production\" "
                        "endpoint=\"%s\" sources=%zu",
                        endpoint, n_sources);
        }
    }
    /* every endpoint of output.hec.urls (url is the first of them then) */
    size_t n_urls = config->hec.n_urls ? config->hec.n_urls : 1;
    for (size_t i = 0; sf_config_has_sink(config, SF_CONFIG_SINK_HEC) && i < n_urls; i++) {
        const char *url = config->hec.n_urls ? config->hec.urls[i] : config->hec.url;
        if (!is_plain_http(url)) {
            continue;
        }
        char *shown = sf_url_redact_dup(url);
        SF_LOG_WARN("msg=\"HEC URL is plain http://: the HEC token (in every request's "
                    "Authorization header) and all the events cross the network in clear text; "
                    "fine for a test receiver, use https:// in production\" url=\"%s\"",
                    shown);
        free(shown);
    }
}
