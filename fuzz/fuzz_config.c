/* libFuzzer target: the config loader on arbitrary YAML. It must load the input or reject it
 * with a message; never crash, leak, hang or read outside |data|. A config that loads must
 * satisfy the loader's promises (every source complete) and must dump. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "config/config.h"
#include "util/assert.h"
#include "util/log.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_loaded(const struct sf_config *config)
{
    SF_ASSERT(config->n_sources >= 1);
    for (size_t i = 0; i < config->n_sources; i++) {
        const struct sf_config_source *source = &config->sources[i];
        SF_ASSERT(source->name && source->endpoint && source->project && source->logstore);
        SF_ASSERT(source->consumer_group && source->consumer_name);
        SF_ASSERT(source->access_key_id && source->access_key_secret);
        SF_ASSERT(source->group_timeout_s > source->heartbeat_interval_s);
        SF_ASSERT(source->pull_count >= 1 && source->pull_count <= 1000);
    }
    SF_ASSERT(config->sink != SF_CONFIG_SINK_FILE || config->file_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int null_fd = -1;
    char *const env[] = {NULL};
    struct sf_config *config = NULL;
    char errbuf[512];

    if (null_fd < 0) {
        sf_log_set_level(SF_LOG_LEVEL_ERROR); /* the loader's warnings would flood the run */
        null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    }
    sf_err err = sf_config_load_yaml_buffer((const char *)data, size, "fuzz.yaml", NULL, env,
                                            &config, errbuf, sizeof(errbuf));
    if (err == SF_OK) {
        check_loaded(config);
        sf_config_dump(config, null_fd);
    } else {
        SF_ASSERT(err == SF_ERR_CONFIG && config == NULL && errbuf[0] != '\0');
    }
    sf_config_free(config);
    return 0;
}
