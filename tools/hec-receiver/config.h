/* Command line of hec-receiver (README.md lists every flag). */
#ifndef HEC_CONFIG_H
#define HEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hec.h"

struct hec_config {
    char listen_host[64];
    int listen_port;
    struct hec_token tokens[HEC_MAX_TOKENS]; /* parsed once every flag is known */
    int n_tokens;
    const char *out_path;
    const char *cert_path;
    const char *key_path;
    const char *index_allow;
    const char *faults[HEC_MAX_FAULTS]; /* specs, checked while parsing */
    int n_faults;
    size_t max_content_length;
    size_t max_event_size;
    bool is_ack_all;
    bool is_query_token_all;
    bool is_count_only;
    bool is_lenient_time;
    bool is_raw_channel_required;
    int64_t ack_delay_ms;
    int64_t ack_idle_ms;
    size_t ack_max_pending;
    size_t ack_max_channels;
    size_t indexers; /* --indexers: 0/1 one */
    int threads;     /* 0: one thread per connection; N: a pool of N; -1: not given */
    uint64_t seed;
    bool is_quiet;
    bool is_verbose;
    bool wants_help;
    bool wants_version;
};

/* Parses argv; false with a reason in |errbuf|. */
bool hec_config_from_args(struct hec_config *cfg, int argc, char **argv, char *errbuf, size_t size);
const char *hec_config_usage(void);
/* Server options pointing into |cfg| (which must outlive hec_server_init). */
void hec_config_server_options(const struct hec_config *cfg,
                               int out_fd,
                               struct hec_server_options *opts);

#endif
