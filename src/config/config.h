/* slsfwd configuration: one YAML file with several sources, the reference program's SLS_*
 * environment variables, SLSFWD_* overrides and command-line flags, merged with the precedence
 * default < file < environment < command line, validated, with errors that name the file, line
 * and key. One option table (options.c) drives parsing, validation, defaults, environment
 * names, the redacted dump and the generated reference. Loaded once at start, then read-only:
 * any thread may read a loaded config. */
#ifndef SF_CONFIG_CONFIG_H
#define SF_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Longest sls.query in bytes. SLS takes SPL scripts of up to 10 KB for real-time consumption,
 * but the statement travels percent-encoded in the PullLogs URL (up to 3 bytes per byte):
 * 4 KiB keeps the request line within what proxies and load balancers commonly accept. */
#define SF_CONFIG_QUERY_MAX 4096

enum sf_config_start {
    SF_CONFIG_START_BEGIN, /* oldest retained data */
    SF_CONFIG_START_END,   /* only data that arrives from now on */
    SF_CONFIG_START_TIME,  /* first data received at or after start_time_s */
};

/* Client-side filters (CONFIGURATION.md "Filters"): the rules as written, one list per key;
 * transform/filter.h compiles them (the loader has checked that they compile). */
struct sf_config_filters {
    char **keep_if; /* "status>=400": keep an event only if one of them holds */
    size_t n_keep_if;
    char **drop_if; /* "path~^/health": drop an event if one of them holds */
    size_t n_drop_if;
    char **keep_fields; /* names or globs: only these keys are sent */
    size_t n_keep_fields;
    char **drop_fields; /* names or globs: these keys are not sent */
    size_t n_drop_fields;
    char **rename; /* "old=new" */
    size_t n_rename;
};

/* One consumer group on one logstore. Every field is filled: inherited from the top-level
 * `sls:` defaults when the source does not set it. Strings are owned by the config. */
struct sf_config_source {
    char *name;     /* "<project>/<logstore>" unless set: used in logs and metrics */
    char *endpoint; /* "cn-hangzhou.log.aliyuncs.com", "https://…", "http://127.0.0.1:9000" */
    char *project;
    char *logstore;
    char *consumer_group;
    char *consumer_name; /* default "<group>-<hostname>-<pid>" */
    char *access_key_id;
    char *access_key_secret; /* secret: never printed */
    char *security_token;    /* secret; NULL without STS */
    /* When set, credentials are (re)read from this file at start and whenever SLS says the
     * STS token expired: YAML/"key: value" lines access_key_id, access_key_secret,
     * security_token. */
    char *credentials_file;
    /* sls.credentials.*: where the credentials come from (cred/cred.h); NULL: the
     * environment variable the credential libraries read, then their default. */
    struct {
        char *provider; /* "auto", "chain", "static", "env", "oidc_role_arn", ... */
        char *role_arn;
        char *oidc_provider_arn;
        char *oidc_token_file;
        char *role_session_name;
        char *policy;
        int duration_s;
        char *sts_endpoint;
        char *profile;
        char *profile_file;
        char *ecs_role_name;
        char *ecs_metadata_endpoint;
        bool ecs_disable_imdsv1;
    } credentials;
    int sign_version; /* 1 or 4 */
    char *region;     /* v4; NULL: derived from the endpoint */
    char *ca_file;    /* NULL: system CA store */
    /* NULL: from the environment (util/proxy.h); "" or "none": direct; else http://host:port */
    char *proxy;
    char *proxy_credentials; /* secret "user:password"; NULL: none */
    char *compress; /* PullLogs Accept-Encoding: "lz4" (default), "zstd", "deflate", "none" */
    enum sf_config_start start;
    int64_t start_time_s; /* with SF_CONFIG_START_TIME */
    bool has_end_time;
    int64_t end_time_s;       /* the shard is finished once it reaches data received at this time */
    int heartbeat_interval_s; /* default 20 */
    int group_timeout_s;      /* default 60 */
    bool order;               /* consumer group `order` (split/merge ordering), default false */
    int fetch_interval_ms;    /* longest idle wait between pulls of a caught-up shard; 1000 */
    int idle_fetch_interval_ms; /* ... of one that stays empty (never below fetch_interval) */
    int pull_count;             /* LogGroups per PullLogs, 1..1000; default 1000 */
    char *query; /* SPL sent with every PullLogs (`query` + pullMode=scan_on_stream); NULL: none */
    int checkpoint_interval_s; /* default 10 */
    int timeout_ms;            /* whole SLS request; default 60000 */
    int connect_timeout_ms;    /* default 5000 */
    /* In effect for this source: each list the source sets (`sls.filters.*`, in its entry or
     * under `sls:`) replaces the global `filters.*` one; the rest are the global lists. */
    struct sf_config_filters filters;
    /* sls.mapping.*: this source's event mapping, overriding the global `mapping:` key by key
     * (source → `sls:` → `mapping:`); NULL/0: not set here. sf_config_source_mapping merges. */
    struct {
        char *sourcetype; /* templates, as mapping.* */
        char *index;
        char *source;
        char *host;
        char *event_as_string; /* "true", "false"; NULL: unset */
        char **json_fields;    /* replaces the global list when it has entries */
        size_t n_json_fields;
        char **fields; /* replaces the global list when it has entries */
        size_t n_fields;
        char *position_fields; /* "true", "false"; NULL: unset */
    } mapping;
    /* sls.syslog.*: this source's syslog header templates, overriding output.syslog.* */
    struct {
        char *hostname;
        char *app_name;
        char *msgid;
    } syslog;
};

enum sf_config_sink_kind {
    SF_CONFIG_SINK_FILE,
    SF_CONFIG_SINK_HEC,
    SF_CONFIG_SINK_SYSLOG,
};

/* How one SLS log becomes one HEC event (docs/internals/transform.md). */
struct sf_config_mapping {
    char *sourcetype;     /* NULL: omitted */
    char *index;          /* NULL: omitted */
    char *source;         /* NULL: omitted */
    char *host;           /* NULL: omitted */
    bool event_as_string; /* the reference program's form: "event" is a JSON string */
    /* Topic-specific fields holding JSON text, embedded as JSON when they parse:
     * "<topic>:<field>" entries; default {"actiontrail_audit_event:event"}. */
    char **json_fields;
    size_t n_json_fields;
    /* Indexed fields added to every event, as "name=value" entries (HEC `fields`). */
    char **fields;
    size_t n_fields;
    /* Indexed fields sls_shard and sls_position (de-duplication key); default false. */
    bool position_fields;
};

/* Splunk HTTP Event Collector output (docs/protocol/hec.md). */
struct sf_config_hec {
    /* Full URL of the event endpoint. Set directly, or built from host/port/https (the
     * reference program's settings); a URL without a path gets /services/collector/event. */
    char *url;
    /* Several endpoints (output.hec.urls), each final like |url|; n_urls 0: only |url|. When
     * set, |url| is urls[0] (for messages that name one endpoint). */
    char **urls;
    size_t n_urls;
    char *host;
    int port;               /* default 8088 */
    bool https;             /* default true */
    char *token;            /* secret: never printed */
    int timeout_ms;         /* whole request; default 30 s */
    int connect_timeout_ms; /* default 10 s */
    bool ssl_verify;        /* peer and host; default true */
    char *ca_file;
    char *client_cert;
    char *client_key;
    char *proxy;             /* as sf_config_source.proxy */
    char *proxy_credentials; /* secret "user:password"; NULL: none */
    size_t max_body_bytes;   /* uncompressed bytes per request; default 1,000,000 */
    int max_events;          /* per request; 0: no limit */
    int linger_ms;           /* how long a partial request waits for more events; default 1 s */
    bool gzip;               /* default true */
    size_t gzip_min_bytes;   /* smaller bodies go uncompressed; default 1500 */
    int max_in_flight;       /* concurrent requests; default 4 */
    bool ack;                /* indexer acknowledgement; default false */
    int ack_poll_ms;         /* default 1 s */
    int ack_timeout_ms;      /* resend after; default 300 s */
    int retry_max_ms;        /* backoff cap for retried requests; default 60 s */
    int auth_retry_ms;       /* while the token is refused (401/403); default 60 s */
    bool health_check;       /* probe /services/collector/health/1.0 at start; default true */
    char
        *dead_letter_path; /* events Splunk refuses as invalid; default slsfwd-dead-letter.ndjson */
};

/* Syslog output (docs/protocol/syslog.md): RFC 5424 (or 3164) over TCP, TLS or UDP. */
struct sf_config_syslog {
    char *address;           /* "host:port" */
    char *protocol;          /* "tcp" (default), "tls", "udp" */
    char *framing;           /* "octet" (default for tcp/tls), "lf" */
    char *format;            /* "rfc5424" (default), "rfc3164" */
    char *msg_format;        /* "json" (default), "kv" */
    char *facility;          /* "user" (default) … "local7" */
    char *severity;          /* "info" (default) … */
    char *severity_field;    /* content key mapped to a severity; NULL: fixed */
    char *hostname;          /* static HOSTNAME; "source": the LogGroup's __source__; NULL: "-" */
    char *app_name;          /* default "sls" */
    char *msgid;             /* NULL: the logstore */
    char *sd_id;             /* default "sls@32473" */
    size_t max_message_size; /* 0: by format and transport */
    char *ca_file;
    char *client_cert;
    char *client_key;
    char *server_name; /* TLS name to verify; default: the host of |address| */
    bool tls_verify;   /* default true */
};

struct sf_config {
    char *path; /* the file it came from; NULL when environment-only */
    struct sf_config_source *sources;
    size_t n_sources;
    enum sf_config_sink_kind sink; /* the first configured output */
    unsigned sinks;                /* every configured output: bit (1u << kind) */
    char *file_path;               /* file sink: a path, or "-" for stdout */
    struct sf_config_hec hec;
    struct sf_config_syslog syslog;
    struct sf_config_mapping mapping;
    struct sf_config_filters filters; /* the global filters.*, as written */
    size_t max_buffered_bytes;        /* one budget for everything in memory; default 128 MiB */
    int workers;                      /* fetch/transform threads; 0: one per CPU */
    int drain_timeout_s;       /* on SIGTERM: time to deliver what is in memory; default 30 */
    char *log_level;           /* "error", "warn", "info" (default), "debug" */
    char *log_debug;           /* per-module debug switches: "coord,sls" */
    char *metrics_listen;      /* "127.0.0.1:9464" for /metrics and /healthz; NULL: off */
    char *log_file;            /* also log here (rotated); NULL: stderr only */
    size_t log_file_max_bytes; /* rotate when a log file passes this; default 100 MiB */
    int log_file_keep;         /* rotated files kept; default 5 */
    /* Private to the config module: where each value came from (file line, variable,
     * default), for sf_config_dump and for error messages. */
    struct sf_config_provenance *provenance;
};

static inline bool sf_config_has_sink(const struct sf_config *config, enum sf_config_sink_kind kind)
{
    return (config->sinks & (1u << kind)) != 0;
}

/* Command-line settings; NULL/0 fields are unset. */
struct sf_config_cli {
    const char *config_path; /* -c FILE */
    const char *output; /* --output file:PATH | file:- | hec:URL (replaces the configured sink) */
    const char *log_level;
};

/* Loads |cli->config_path| (or, without one, the environment alone: SLS_ENDPOINT, SLS_AK_ID,
 * SLS_AK_KEY, SLS_PROJECT, SLS_LOGSTORE, SLS_CG, SLS_CURSOR_START), applies environment and
 * CLI overrides, validates. On failure returns SF_ERR_CONFIG with |errbuf| naming the file,
 * line, key and what was expected. |env| is the environment to read (environ in production,
 * a fixed list in tests). */
sf_err sf_config_load(const struct sf_config_cli *cli,
                      char *const *env,
                      struct sf_config **out,
                      char *errbuf,
                      size_t errbuf_size);
void sf_config_free(struct sf_config *config);

/* sf_config_load for YAML already in memory (tests, the fuzz target, `slsfwd check -`):
 * |name| stands for the file in messages and in config->path; the permission check of a file
 * holding a secret is skipped. |text| need not be NUL-terminated. */
sf_err sf_config_load_yaml_buffer(const char *text,
                                  size_t len,
                                  const char *name,
                                  const struct sf_config_cli *cli,
                                  char *const *env,
                                  struct sf_config **out,
                                  char *errbuf,
                                  size_t errbuf_size);

/* The mapping in effect for |source|: each key from the source (or its `sls:` default) when
 * set there, else from config->mapping. The strings are borrowed from |config|. */
void sf_config_source_mapping(const struct sf_config *config,
                              const struct sf_config_source *source,
                              struct sf_config_mapping *out);

/* The syslog settings in effect for |source|: output.syslog with the source's hostname,
 * app_name and msgid where it sets them. The strings are borrowed from |config|. */
void sf_config_source_syslog(const struct sf_config *config,
                             const struct sf_config_source *source,
                             struct sf_config_syslog *out);

/* Writes the effective configuration as YAML with every secret replaced by "<redacted>". */
void sf_config_dump(const struct sf_config *config, int fd);

enum sf_config_reference_format {
    SF_CONFIG_REFERENCE_MARKDOWN, /* CONFIGURATION.md */
    SF_CONFIG_REFERENCE_YAML,     /* etc/slsfwd.example.yaml: every key, commented */
};

/* Writes the reference generated from the option table (`slsfwd config --help`, and the two
 * committed files that scripts/gen_config_docs.sh regenerates). */
void sf_config_write_reference(int fd, enum sf_config_reference_format format);

/* What a source's credentials_file holds. */
struct sf_config_credentials {
    char *access_key_id;
    char *access_key_secret;
    char *security_token; /* NULL without STS */
    char *expiration;     /* the answer's Expiration as written ("2026-12-06T03:00:00Z"); NULL */
};

/* Reads |path| (YAML or JSON: access_key_id, access_key_secret, security_token, expiration, or
 * the AccessKeyId/AccessKeySecret/SecurityToken/Expiration of an ECS RAM-role or STS answer)
 * into |out|,
 * which the caller releases with sf_config_credentials_cleanup even on failure. The loader
 * calls it at start; the caller calls it again when SLS reports an expired token. Returns
 * SF_ERR_CONFIG with |errbuf| naming the file and what is wrong; never prints a secret. */
sf_err sf_config_credentials_read(const char *path,
                                  struct sf_config_credentials *out,
                                  char *errbuf,
                                  size_t errbuf_size);
void sf_config_credentials_cleanup(struct sf_config_credentials *creds);

#endif
