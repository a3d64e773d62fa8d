/* Start-up configuration: command-line flags and the optional JSON file (--config), merged
 * in command-line order. Formats are documented in README.md. Single-threaded, at start. */
#ifndef EMU_CONFIG_H
#define EMU_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "creds.h"
#include "emu.h"
#include "generate.h"

#define EMU_CFG_MAX_KEYS      32
#define EMU_CFG_MAX_LOGSTORES 64
#define EMU_CFG_MAX_GENERATE  8
#define EMU_CFG_MAX_FAULTS    32

struct emu_cfg_logstore {
    char project[EMU_NAME_MAX + 1];
    char name[EMU_NAME_MAX + 1];
    int n_shards;
    struct {
        enum emu_gen_kind kind;
        uint64_t n_logs;
    } generate[EMU_CFG_MAX_GENERATE];
    int n_generate;
};

struct emu_config {
    char listen_host[64];
    int listen_port;
    struct emu_key keys[EMU_CFG_MAX_KEYS]; /* strings owned */
    size_t n_keys;
    char *projects[EMU_MAX_PROJECTS]; /* owned; also those without logstores */
    int n_projects;
    struct emu_cfg_logstore logstores[EMU_CFG_MAX_LOGSTORES];
    int n_logstores;
    char *faults[EMU_CFG_MAX_FAULTS]; /* owned */
    int n_faults;
    bool is_no_auth;
    bool is_strict_utf8;
    bool is_quiet;
    char *region; /* owned or NULL */
    uint64_t seed;
    int64_t retention_s;
    int64_t spread_s;
    size_t max_pull_bytes;
    size_t cache_bytes;
    uint64_t max_generate;
    /* Credential endpoints: port 0 = off, -1 = any free port. */
    int sts_port;
    int metadata_port;
    char *sts_role_arn;             /* owned or NULL */
    char *oidc_provider_arn;        /* owned or NULL */
    char *metadata_role;            /* owned or NULL */
    char *sts_tls_cert;             /* owned or NULL: path of the STS endpoint's PEM certificate */
    char *sts_tls_key;              /* owned or NULL: and of its key */
    struct emu_creds_options creds; /* its strings point at the three above */
    bool wants_help;
    bool wants_version;
};

/* Fills |cfg| from argv; false with a message in |errbuf| on any bad flag or file. */
bool emu_config_from_args(
    struct emu_config *cfg, int argc, char **argv, char *errbuf, size_t errbuf_size);
void emu_config_cleanup(struct emu_config *cfg);
/* |opts| points into |cfg|: keep |cfg| alive until emu_server_init has run. */
void emu_config_server_options(struct emu_config *cfg, struct emu_server_options *opts);
/* Parses a credential-endpoint fault value: none|off|0 → 0, drop → -1, denied → 403,
 * throttle → 400, or an HTTP status 400..599. False when malformed. */
bool emu_config_parse_cred_fault(const char *text, int *out);
/* "20s", "15m", "1h" or plain seconds (0..7 days) into |out|; false when malformed. */
bool emu_config_parse_duration(const char *text, int64_t *out);
/* Creates the projects and logstores, generates the data and installs the faults. */
bool emu_config_apply(const struct emu_config *cfg,
                      struct emu_server *srv,
                      char *errbuf,
                      size_t errbuf_size);
/* The --help text. */
const char *emu_config_usage(void);

#endif
