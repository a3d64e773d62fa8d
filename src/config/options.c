/* The option table: one row per setting. Parsing, defaults, validation, environment names,
 * the redacted dump and the generated reference (CONFIGURATION.md, etc/slsfwd.example.yaml)
 * all read these rows, so a new setting is one new row here plus its struct field.
 * Defaults are written as a user would write them and go through the same parser. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config/config_int.h"
#include "util/banned.h"

#define GLOBAL(member) .scope = SF_OPT_GLOBAL, .offset = offsetof(struct sf_config, member)
#define SOURCE(member) .scope = SF_OPT_SOURCE, .offset = offsetof(struct sf_config_source, member)

static const char *const compress_choices[] = {"lz4", "zstd", "deflate", "none", NULL};
static const char *const cred_provider_choices[] = {
    "auto",    "chain", "static",       "env",          "oidc_role_arn",
    "profile", "file",  "ecs_ram_role", "ram_role_arn", NULL};
static const char *const sign_choices[] = {"1", "4", NULL};
static const char *const level_choices[] = {"error", "warn", "info", "debug", NULL};
static const char *const syslog_protocol_choices[] = {"tcp", "tls", "udp", NULL};
static const char *const syslog_framing_choices[] = {"octet", "lf", NULL};
static const char *const syslog_format_choices[] = {"rfc5424", "rfc3164", NULL};
static const char *const syslog_msg_choices[] = {"json", "kv", NULL};
static const char *const facility_choices[] = {
    "kern",   "user",     "mail",   "daemon", "auth",   "syslog", "lpr",   "news",   "uucp",
    "cron",   "authpriv", "ftp",    "ntp",    "audit",  "alert",  "clock", "local0", "local1",
    "local2", "local3",   "local4", "local5", "local6", "local7", NULL};
static const char *const bool_choices[] = {"true", "false", NULL};
static const char *const severity_choices[] = {"emerg",  "alert", "crit",  "err", "warning",
                                               "notice", "info",  "debug", NULL};

const struct sf_option sf_options[] = {
    /* Per source; `sls:` holds the defaults every source inherits. */
    {.key = "sls.name",
     .type = SF_OPT_STRING,
     SOURCE(name),
     .is_source_only = true,
     .example = "nginx-access",
     .help = "Name of the source in logs and metrics; unique among the sources. "
             "Default: `<project>/<logstore>`."},
    {.key = "sls.endpoint",
     .type = SF_OPT_STRING,
     SOURCE(endpoint),
     .is_required = true,
     .env_alias = "SLS_ENDPOINT",
     .example = "cn-hangzhou.log.aliyuncs.com",
     .is_example_set = true,
     .check = sf_config_check_endpoint,
     .help = "SLS endpoint. A region host such as `cn-hangzhou.log.aliyuncs.com` means HTTPS; "
             "`https://host[:port]` and `http://host:port` (the local emulator; logs a "
             "warning at start, as the requests travel in clear text) are also accepted. Inside "
             "Alibaba Cloud, the `-intranet` host avoids Internet traffic."},
    {.key = "sls.project",
     .type = SF_OPT_STRING,
     SOURCE(project),
     .is_required = true,
     .env_alias = "SLS_PROJECT",
     .example = "prod-logs",
     .check = sf_config_check_project,
     .help = "SLS project that holds the logstore."},
    {.key = "sls.logstore",
     .type = SF_OPT_STRING,
     SOURCE(logstore),
     .is_required = true,
     .env_alias = "SLS_LOGSTORE",
     .example = "nginx",
     .check = sf_config_check_logstore,
     .help = "Logstore to consume."},
    {.key = "sls.consumer_group",
     .type = SF_OPT_STRING,
     SOURCE(consumer_group),
     .is_required = true,
     .env_alias = "SLS_CG",
     .example = "siem-forwarder",
     .is_example_set = true,
     .check = sf_config_check_group,
     .help = "Consumer group: created when missing, updated when its timeout or order differ. "
             "Every process in the same group shares the logstore's shards, so more processes "
             "(on one host or many) mean more throughput. 2 to 64 characters of a-z, 0-9, `_` "
             "and `-`, starting and ending with a letter or digit."},
    {.key = "sls.consumer_name",
     .type = SF_OPT_STRING,
     SOURCE(consumer_name),
     .check = sf_config_check_consumer,
     .help = "This process's name in the group; it must differ between processes that run at "
             "the same time. Default: `<consumer_group>-<hostname>-<pid>`."},
    {.key = "sls.access_key_id",
     .type = SF_OPT_STRING,
     SOURCE(access_key_id),
     .env_alias = "SLS_AK_ID",
     .example = "LTAI5tExampleKeyId",
     .is_example_set = true,
     .help = "AccessKey ID of a RAM user allowed to read the logstore and use its consumer "
             "groups."},
    {.key = "sls.access_key_secret",
     .type = SF_OPT_SECRET,
     SOURCE(access_key_secret),
     .env_alias = "SLS_AK_KEY",
     .example = "/etc/slsfwd/sls_secret",
     .help = "AccessKey secret. Rather than writing it here, put it in a file of its own and "
             "set `access_key_secret_file`, or pass it in the environment."},
    {.key = "sls.security_token",
     .type = SF_OPT_SECRET,
     SOURCE(security_token),
     .help = "STS security token that goes with temporary AccessKeys. Tokens expire: prefer "
             "`credentials_file`, which is read again when SLS reports expiry."},
    {.key = "sls.credentials_file",
     .type = SF_OPT_STRING,
     SOURCE(credentials_file),
     .example = "/run/slsfwd/credentials.json",
     .check = sf_config_check_readable,
     .help = "File holding `access_key_id`, `access_key_secret` and `security_token` (YAML), "
             "or the JSON answer of STS or the ECS RAM-role metadata (`AccessKeyId`, "
             "`AccessKeySecret`, `SecurityToken`). Read at start and again whenever SLS "
             "reports the token expired, so a job that refreshes the file rotates credentials "
             "without a restart. Takes the place of the three keys above."},
    {.key = "sls.credentials.provider",
     .type = SF_OPT_ENUM,
     SOURCE(credentials.provider),
     .fallback = "auto",
     .choices = cred_provider_choices,
     .help = "Where the AccessKey comes from. `auto`: `credentials_file` when set, "
             "`ram_role_arn` when `role_arn` and keys are set, the keys above when set, "
             "`oidc_role_arn` when `oidc_provider_arn` is set, else `chain`: the Alibaba Cloud "
             "credential libraries' default order (environment `ALIBABA_CLOUD_ACCESS_KEY_*`, "
             "RRSA/OIDC from `ALIBABA_CLOUD_ROLE_ARN` and friends, the profile in "
             "`~/.alibabacloud/credentials`, the ECS instance RAM role). Each may also be chosen "
             "by name; see \"Credentials\" below."},
    {.key = "sls.credentials.role_arn",
     .type = SF_OPT_STRING,
     SOURCE(credentials.role_arn),
     .example = "acs:ram::1234567890123456:role/slsfwd-reader",
     .help = "RAM role to assume: with `oidc_role_arn` (RRSA; default "
             "`ALIBABA_CLOUD_ROLE_ARN`) or `ram_role_arn` (STS AssumeRole signed with the keys "
             "above)."},
    {.key = "sls.credentials.oidc_provider_arn",
     .type = SF_OPT_STRING,
     SOURCE(credentials.oidc_provider_arn),
     .help = "OIDC identity provider of the ACK cluster (RRSA). Default: "
             "`ALIBABA_CLOUD_OIDC_PROVIDER_ARN`."},
    {.key = "sls.credentials.oidc_token_file",
     .type = SF_OPT_STRING,
     SOURCE(credentials.oidc_token_file),
     .help = "The service account token file the kubelet rotates; read again at every refresh. "
             "Default: `ALIBABA_CLOUD_OIDC_TOKEN_FILE`."},
    {.key = "sls.credentials.role_session_name",
     .type = SF_OPT_STRING,
     SOURCE(credentials.role_session_name),
     .help = "Session name STS records in ActionTrail. Default: "
             "`ALIBABA_CLOUD_ROLE_SESSION_NAME`, else `slsfwd-<unix time>`."},
    {.key = "sls.credentials.policy",
     .type = SF_OPT_STRING,
     SOURCE(credentials.policy),
     .help = "Optional STS session policy (JSON) that narrows the role's permissions."},
    {.key = "sls.credentials.duration",
     .type = SF_OPT_DURATION,
     SOURCE(credentials.duration_s),
     .fallback = "1h",
     .min = 900000,
     .max = 43200000,
     .unit_ms = 1000,
     .help = "Lifetime asked of STS for assumed-role credentials (15 min to 12 h; the role's "
             "maximum session duration caps it). They are renewed before they expire."},
    {.key = "sls.credentials.sts_endpoint",
     .type = SF_OPT_STRING,
     SOURCE(credentials.sts_endpoint),
     .example = "sts-vpc.cn-hangzhou.aliyuncs.com",
     .help = "STS endpoint for `oidc_role_arn` and `ram_role_arn`: a host (HTTPS), or "
             "`https://host[:port]`. Default: `ALIBABA_CLOUD_STS_ENDPOINT`, else "
             "`sts.aliyuncs.com`."},
    {.key = "sls.credentials.profile",
     .type = SF_OPT_STRING,
     SOURCE(credentials.profile),
     .help = "Profile of the credentials file for `profile`. Default: `ALIBABA_CLOUD_PROFILE`, "
             "else `default`."},
    {.key = "sls.credentials.profile_file",
     .type = SF_OPT_STRING,
     SOURCE(credentials.profile_file),
     .help = "INI credentials file for `profile`. Default: `ALIBABA_CLOUD_CREDENTIALS_FILE`, "
             "else `~/.alibabacloud/credentials`."},
    {.key = "sls.credentials.ecs_role_name",
     .type = SF_OPT_STRING,
     SOURCE(credentials.ecs_role_name),
     .help = "RAM role attached to the ECS instance, for `ecs_ram_role`. Default: "
             "`ALIBABA_CLOUD_ECS_METADATA`, else asked of the metadata service."},
    {.key = "sls.credentials.ecs_metadata_endpoint",
     .type = SF_OPT_STRING,
     SOURCE(credentials.ecs_metadata_endpoint),
     .fallback = "http://100.100.100.200",
     .help = "ECS metadata service; change it only for tests. Never reached through a proxy."},
    {.key = "sls.credentials.ecs_disable_imdsv1",
     .type = SF_OPT_BOOL,
     SOURCE(credentials.ecs_disable_imdsv1),
     .fallback = "false",
     .help = "Use the metadata service only in hardened mode (session token first) and never "
             "fall back to plain requests. Default: `ALIBABA_CLOUD_IMDSV1_DISABLED`."},
    {.key = "sls.sign_version",
     .type = SF_OPT_INT,
     SOURCE(sign_version),
     .fallback = "1",
     .min = 1,
     .max = 4,
     .choices = sign_choices,
     .help = "Request signature: 1, or 4 (needs `region`, or an endpoint named "
             "`<region>.log.aliyuncs.com`)."},
    {.key = "sls.region",
     .type = SF_OPT_STRING,
     SOURCE(region),
     .example = "cn-hangzhou",
     .check = sf_config_check_region,
     .help = "Region for signature v4. Default: taken from the endpoint."},
    {.key = "sls.ca_file",
     .type = SF_OPT_STRING,
     SOURCE(ca_file),
     .example = "/etc/ssl/certs/ca-certificates.crt",
     .check = sf_config_check_readable,
     .help = "PEM file of CA certificates for HTTPS to SLS. Default: the system store."},
    {.key = "sls.proxy",
     .type = SF_OPT_STRING,
     SOURCE(proxy),
     .is_empty_kept = true,
     .example = "http://proxy.example.com:3128",
     .check = sf_config_check_proxy,
     .help = "HTTP proxy for this source's SLS requests: `http://host:port`, or `none` (or "
             "`\"\"`) to connect directly whatever the environment says. Default: the "
             "`HTTPS_PROXY` (`HTTP_PROXY` for an `http://` endpoint), `ALL_PROXY` and `NO_PROXY` "
             "environment variables, read as curl reads them (see Proxies). Every request goes "
             "through a CONNECT tunnel, so TLS and the certificate check stay end to end. The "
             "start-up log and `slsfwd check` say which proxy is used and why."},
    {.key = "sls.proxy_credentials",
     .type = SF_OPT_SECRET,
     SOURCE(proxy_credentials),
     .example = "/etc/slsfwd/proxy_credentials",
     .check = sf_config_check_proxy_credentials,
     .help = "`user:password` for the proxy (HTTP Basic), whichever proxy is used. Put it in "
             "a file of its own and set `proxy_credentials_file`; never in the proxy URL."},
    {.key = "sls.compress",
     .type = SF_OPT_ENUM,
     SOURCE(compress),
     .fallback = "lz4",
     .choices = compress_choices,
     .help = "Compression asked of PullLogs: `lz4` costs the least CPU, `zstd` moves the "
             "fewest bytes, `none` is for debugging."},
    {.key = "sls.start",
     .type = SF_OPT_START,
     SOURCE(start),
     .aux_offset = offsetof(struct sf_config_source, start_time_s),
     .fallback = "begin",
     .env_alias = "SLS_CURSOR_START",
     .example = "2025-06-10T08:00:00+08:00",
     .help = "Where a shard that has no checkpoint yet starts: `begin` (the oldest data "
             "retained), `end` (only data that arrives from now on), or a time: unix "
             "seconds, `2025-06-10T08:00:00Z`, `2025-06-10T08:00:00+08:00`, "
             "`2025-06-10 08:00:00` (UTC) or `2025-06-10` (midnight UTC). Once the group has "
             "a checkpoint for a shard, the checkpoint wins."},
    {.key = "sls.end_time",
     .type = SF_OPT_TIME,
     SOURCE(end_time_s),
     .aux_offset = offsetof(struct sf_config_source, has_end_time),
     .example = "2025-06-11T00:00:00Z",
     .help = "Finish each shard at the data received at this time (same forms as `start`), "
             "then stop pulling it (the shard stays held, so it is not handed to another consumer "
             "that would read past the end): for replaying a past window. Default: never."},
    {.key = "sls.heartbeat_interval",
     .type = SF_OPT_DURATION,
     SOURCE(heartbeat_interval_s),
     .unit_ms = 1000,
     .fallback = "20s",
     .min = 1000,
     .max = 600 * 1000,
     .help = "How often the consumer tells SLS it is alive and which shards it holds. Each "
             "source heartbeats on its own thread and connection, so slow checkpoint commits "
             "or other SLS calls never make a heartbeat late."},
    {.key = "sls.group_timeout",
     .type = SF_OPT_DURATION,
     SOURCE(group_timeout_s),
     .unit_ms = 1000,
     .fallback = "60s",
     .min = 2000,
     .max = 86400 * 1000,
     .help = "How long SLS waits for a heartbeat before it hands the consumer's shards to the "
             "others. Longer than `heartbeat_interval`; 3 times it lets two heartbeats be lost "
             "without a rebalance. It is also how long a hand-off takes when a consumer stops "
             "or dies: its shards move after about `group_timeout` + `heartbeat_interval` "
             "(like the official consumers, slsfwd does not announce its stop to SLS), so a "
             "shorter one moves them sooner."},
    {.key = "sls.order",
     .type = SF_OPT_BOOL,
     SOURCE(order),
     .fallback = "false",
     .help = "Consume split and merged shards in order: a shard's children start only after "
             "it is finished (the consumer group's `order` flag)."},
    {.key = "sls.fetch_interval",
     .type = SF_OPT_DURATION,
     SOURCE(fetch_interval_ms),
     .unit_ms = 1,
     .fallback = "1s",
     .min = 10,
     .max = 60 * 1000,
     .help = "Longest wait between two pulls of a shard that is caught up. A shard with a "
             "backlog is pulled again at once."},
    {.key = "sls.pull_count",
     .type = SF_OPT_INT,
     SOURCE(pull_count),
     .fallback = "1000",
     .min = 1,
     .max = 1000,
     .help = "LogGroups asked for per PullLogs request."},
    {.key = "sls.query",
     .type = SF_OPT_STRING,
     SOURCE(query),
     .example = "* | where cast(status as bigint) >= 400",
     .check = sf_config_check_query,
     .help = "SPL statement SLS runs on every PullLogs before the data leaves the region (like "
             "the official consumers' `query`): only the logs and fields it keeps are "
             "transferred and delivered. Up to 4 KiB; `slsfwd check` sends it once and shows "
             "the service's error if it does not parse. The pulls are paced on the data SLS "
             "scanned, not on what the statement kept, and the checkpoint advances over data "
             "the statement dropped. Default: none (every log). See Filtering on pull (SPL)."},
    {.key = "sls.checkpoint_interval",
     .type = SF_OPT_DURATION,
     SOURCE(checkpoint_interval_s),
     .unit_ms = 1000,
     .fallback = "10s",
     .min = 1000,
     .max = 3600 * 1000,
     .help = "How often each shard's checkpoint is committed (also when a shard is released "
             "and at stop). A checkpoint never passes data the sink has not confirmed; a "
             "shorter interval means fewer events read twice after a crash."},
    {.key = "sls.timeout",
     .type = SF_OPT_DURATION,
     SOURCE(timeout_ms),
     .unit_ms = 1,
     .fallback = "60s",
     .min = 1000,
     .max = 600 * 1000,
     .help =
         "Limit on one whole PullLogs request. Control calls (heartbeat, checkpoint commit, "
         "GetCheckPoint, GetCursor, ListShards, consumer-group calls) answer in "
         "milliseconds and get a shorter limit: half of `heartbeat_interval` or a quarter "
         "of `group_timeout`, whichever is less, at least 2s and at most this (10s with "
         "the defaults; the start-up line `membership thread started` shows it). A stop abandons "
         "pulls in flight at once; their data is read again."},
    {.key = "sls.connect_timeout",
     .type = SF_OPT_DURATION,
     SOURCE(connect_timeout_ms),
     .unit_ms = 1,
     .fallback = "5s",
     .min = 100,
     .max = 120 * 1000,
     .help = "Limit on connecting to SLS (TCP and TLS)."},

    {.key = "sls.filters.keep_if",
     .type = SF_OPT_LIST,
     SOURCE(filters.keep_if),
     .aux_offset = offsetof(struct sf_config_source, filters.n_keep_if),
     .check = sf_config_check_filter_rules,
     .help = "This source's `filters.keep_if`: when set (under `sls:` or in a `sources:` entry), "
             "it replaces the global list for the source; `[]` clears it."},
    {.key = "sls.filters.drop_if",
     .type = SF_OPT_LIST,
     SOURCE(filters.drop_if),
     .aux_offset = offsetof(struct sf_config_source, filters.n_drop_if),
     .check = sf_config_check_filter_rules,
     .help = "This source's `filters.drop_if`: when set (under `sls:` or in a `sources:` entry), "
             "it replaces the global list for the source; `[]` clears it."},
    {.key = "sls.filters.keep_fields",
     .type = SF_OPT_LIST,
     SOURCE(filters.keep_fields),
     .aux_offset = offsetof(struct sf_config_source, filters.n_keep_fields),
     .help =
         "This source's `filters.keep_fields`: when set (under `sls:` or in a `sources:` entry), "
         "it replaces the global list for the source; `[]` clears it."},
    {.key = "sls.filters.drop_fields",
     .type = SF_OPT_LIST,
     SOURCE(filters.drop_fields),
     .aux_offset = offsetof(struct sf_config_source, filters.n_drop_fields),
     .help =
         "This source's `filters.drop_fields`: when set (under `sls:` or in a `sources:` entry), "
         "it replaces the global list for the source; `[]` clears it."},
    {.key = "sls.filters.rename",
     .type = SF_OPT_LIST,
     SOURCE(filters.rename),
     .aux_offset = offsetof(struct sf_config_source, filters.n_rename),
     .check = sf_config_check_filter_renames,
     .help = "This source's `filters.rename`: when set (under `sls:` or in a `sources:` entry), "
             "it replaces the global list for the source; `[]` clears it."},

    /* Sinks: `output.<sink>.<key>`; each block present adds that output (file stays alone). */
    /* Per-source routing: unset here means the global `mapping:` / `output.syslog:` key. */
    {.key = "sls.mapping.sourcetype",
     .type = SF_OPT_STRING,
     SOURCE(mapping.sourcetype),
     .example = "alicloud:actiontrail",
     .check = sf_config_check_template,
     .help = "This source's `sourcetype`, instead of `mapping.sourcetype`; a template like it "
             "(see \"Routing templates\")."},
    {.key = "sls.mapping.index",
     .type = SF_OPT_STRING,
     SOURCE(mapping.index),
     .example = "security",
     .check = sf_config_check_template,
     .help = "This source's `index`, instead of `mapping.index`; a template."},
    {.key = "sls.mapping.source",
     .type = SF_OPT_STRING,
     SOURCE(mapping.source),
     .check = sf_config_check_template,
     .help = "This source's `source`, instead of `mapping.source`; a template."},
    {.key = "sls.mapping.host",
     .type = SF_OPT_STRING,
     SOURCE(mapping.host),
     .check = sf_config_check_template,
     .help = "This source's `host`, instead of `mapping.host`; a template."},
    {.key = "sls.mapping.event_as_string",
     .type = SF_OPT_ENUM,
     SOURCE(mapping.event_as_string),
     .choices = bool_choices,
     .help = "This source's `mapping.event_as_string`."},
    {.key = "sls.mapping.json_fields",
     .type = SF_OPT_LIST,
     SOURCE(mapping.json_fields),
     .aux_offset = offsetof(struct sf_config_source, mapping.n_json_fields),
     .check = sf_config_check_json_fields,
     .help = "This source's `mapping.json_fields`: a non-empty list replaces the global one."},
    {.key = "sls.mapping.fields",
     .type = SF_OPT_LIST,
     SOURCE(mapping.fields),
     .aux_offset = offsetof(struct sf_config_source, mapping.n_fields),
     .check = sf_config_check_fields,
     .help = "This source's `mapping.fields`: a non-empty list replaces the global one."},
    {.key = "sls.mapping.position_fields",
     .type = SF_OPT_ENUM,
     SOURCE(mapping.position_fields),
     .choices = bool_choices,
     .help = "This source's `mapping.position_fields`."},
    {.key = "sls.syslog.hostname",
     .type = SF_OPT_STRING,
     SOURCE(syslog.hostname),
     .check = sf_config_check_template,
     .help = "This source's syslog HOSTNAME, instead of `output.syslog.hostname`; a template "
             "such as `{__tag__:__hostname__|-}`."},
    {.key = "sls.syslog.app_name",
     .type = SF_OPT_STRING,
     SOURCE(syslog.app_name),
     .example = "actiontrail",
     .check = sf_config_check_template,
     .help = "This source's syslog APP-NAME, instead of `output.syslog.app_name`; a template."},
    {.key = "sls.syslog.msgid",
     .type = SF_OPT_STRING,
     SOURCE(syslog.msgid),
     .check = sf_config_check_template,
     .help = "This source's syslog MSGID, instead of `output.syslog.msgid`; a template such as "
             "`{__topic__|sls}`."},

    {.key = "output.file.path",
     .type = SF_OPT_STRING,
     GLOBAL(file_path),
     .fallback = "-",
     .example = "/var/log/slsfwd/events.ndjson",
     .is_example_set = true,
     .help = "File the events are appended to, one JSON object per line, or `-` for stdout. "
             "Each write is fsync'ed before it counts as delivered."},

    {.key = "output.hec.url",
     .type = SF_OPT_STRING,
     GLOBAL(hec.url),
     .env_alias = "SPLUNK_HEC_URL",
     .example = "https://splunk.example.com:8088",
     .check = sf_config_check_hec_url,
     .help = "HEC endpoint: `https://host:8088` (the event endpoint "
             "`/services/collector/event` is added when the URL has no path), or a full URL "
             "such as `https://http-inputs-acme.splunkcloud.com/services/collector/event`. "
             "`http://` logs a warning at start: the token travels in clear text. "
             "Default: built from `host`, `port` and `https`."},
    {.key = "output.hec.urls",
     .type = SF_OPT_LIST,
     GLOBAL(hec.urls),
     .aux_offset = offsetof(struct sf_config, hec.n_urls),
     .example = "https://idx1.example.com:8088",
     .check = sf_config_check_hec_urls,
     .help = "Several HEC endpoints (the indexers of a cluster), each written like `url`; "
             "instead of `url` or `host`, not with them. Requests go to the healthy endpoint "
             "with the fewest requests on the wire; one that fails is taken out, probed on "
             "its health endpoint with backoff and put back when healthy, and what it had not "
             "confirmed is sent to the others. Each endpoint has its own indexer-ack channel. "
             "See \"Several HEC endpoints\" in CONFIGURATION.md."},
    {.key = "output.hec.host",
     .type = SF_OPT_STRING,
     GLOBAL(hec.host),
     .env_alias = "SPLUNK_HEC_HOST",
     .example = "splunk.example.com",
     .help = "HEC host, as the reference program configured it; `url` wins when both are set."},
    {.key = "output.hec.port",
     .type = SF_OPT_INT,
     GLOBAL(hec.port),
     .env_alias = "SPLUNK_HEC_PORT",
     .fallback = "8088",
     .min = 1,
     .max = 65535,
     .help = "HEC port, with `host`."},
    {.key = "output.hec.https",
     .env_alias = "SPLUNK_HEC_HTTPS",
     .type = SF_OPT_BOOL,
     GLOBAL(hec.https),
     .fallback = "true",
     .help = "HTTPS to `host` (Splunk's default); false means plain HTTP."},
    {.key = "output.hec.token",
     .type = SF_OPT_SECRET,
     GLOBAL(hec.token),
     .is_required = true,
     .env_alias = "SPLUNK_HEC_TOKEN",
     .example = "/etc/slsfwd/hec_token",
     .help = "HEC token, sent as `Authorization: Splunk <token>`. Prefer `token_file` or the "
             "environment over writing it here."},
    {.key = "output.hec.timeout",
     .env_alias = "SPLUNK_HEC_TIMEOUT",
     .type = SF_OPT_DURATION,
     GLOBAL(hec.timeout_ms),
     .unit_ms = 1,
     .fallback = "30s",
     .min = 100,
     .max = 600 * 1000,
     .help = "Limit on one request, connect to last byte; a request that times out is sent "
             "again."},
    {.key = "output.hec.connect_timeout",
     .env_alias = "SPLUNK_HEC_CONNECT_TIMEOUT",
     .type = SF_OPT_DURATION,
     GLOBAL(hec.connect_timeout_ms),
     .unit_ms = 1,
     .fallback = "10s",
     .min = 100,
     .max = 120 * 1000,
     .help = "Limit on connecting to HEC (TCP and TLS)."},
    {.key = "output.hec.ssl_verify",
     .env_alias = "SPLUNK_HEC_SSL_VERIFY",
     .type = SF_OPT_BOOL,
     GLOBAL(hec.ssl_verify),
     .fallback = "true",
     .help = "Verify the HEC certificate and host name. false turns off both (a warning is "
             "logged at start); prefer `ca_file` with Splunk's own CA."},
    {.key = "output.hec.ca_file",
     .env_alias = "SPLUNK_HEC_CA_FILE",
     .type = SF_OPT_STRING,
     GLOBAL(hec.ca_file),
     .example = "/etc/slsfwd/splunk-ca.pem",
     .check = sf_config_check_readable,
     .help = "PEM file of CA certificates for HEC; Splunk's default certificate is signed by "
             "its own CA. Default: the system store."},
    {.key = "output.hec.client_cert",
     .env_alias = "SPLUNK_HEC_CLIENT_CERT",
     .type = SF_OPT_STRING,
     GLOBAL(hec.client_cert),
     .check = sf_config_check_readable,
     .help = "PEM client certificate, when HEC requires one (`requireClientCert`)."},
    {.key = "output.hec.client_key",
     .env_alias = "SPLUNK_HEC_CLIENT_KEY",
     .type = SF_OPT_STRING,
     GLOBAL(hec.client_key),
     .check = sf_config_check_readable,
     .help = "PEM key of `client_cert`."},
    {.key = "output.hec.proxy",
     .type = SF_OPT_STRING,
     GLOBAL(hec.proxy),
     .is_empty_kept = true,
     .example = "http://proxy.example.com:3128",
     .check = sf_config_check_proxy,
     .help = "HTTP proxy for HEC: `http://host:port`, or `none` (or `\"\"`) to connect "
             "directly whatever the environment says. Default: the `HTTPS_PROXY` (`HTTP_PROXY` "
             "for an `http://` URL), `ALL_PROXY` and `NO_PROXY` environment variables (see "
             "Proxies). HTTPS goes through a CONNECT tunnel with the certificate checked as "
             "without a proxy."},
    {.key = "output.hec.proxy_credentials",
     .type = SF_OPT_SECRET,
     GLOBAL(hec.proxy_credentials),
     .example = "/etc/slsfwd/proxy_credentials",
     .check = sf_config_check_proxy_credentials,
     .help = "`user:password` for the HEC proxy (HTTP Basic). Prefer "
             "`proxy_credentials_file`."},
    {.key = "output.hec.max_body_bytes",
     .env_alias = "SPLUNK_HEC_MAX_BODY_BYTES",
     .type = SF_OPT_SIZE,
     GLOBAL(hec.max_body_bytes),
     .fallback = "1000000",
     .min = 4096,
     .max = 800LL << 20,
     .help = "Largest request body before compression. 1,000,000 suits Splunk Cloud and "
             "proxies; a 413 answer halves it for the batch at hand."},
    {.key = "output.hec.max_events",
     .env_alias = "SPLUNK_HEC_MAX_EVENTS",
     .type = SF_OPT_INT,
     GLOBAL(hec.max_events),
     .fallback = "0",
     .min = 0,
     .max = 10000000,
     .help = "Most events per request; 0: only `max_body_bytes` limits it."},
    {.key = "output.hec.linger",
     .env_alias = "SPLUNK_HEC_LINGER",
     .type = SF_OPT_DURATION,
     GLOBAL(hec.linger_ms),
     .unit_ms = 1,
     .fallback = "1s",
     .min = 0,
     .max = 60 * 1000,
     .help = "How long a request that is not full waits for more events."},
    {.key = "output.hec.gzip",
     .env_alias = "SPLUNK_HEC_GZIP",
     .type = SF_OPT_BOOL,
     GLOBAL(hec.gzip),
     .fallback = "true",
     .help = "Compress request bodies (about 10x less traffic for JSON)."},
    {.key = "output.hec.gzip_min_bytes",
     .env_alias = "SPLUNK_HEC_GZIP_MIN_BYTES",
     .type = SF_OPT_SIZE,
     GLOBAL(hec.gzip_min_bytes),
     .fallback = "1500",
     .min = 0,
     .max = 64LL << 20,
     .help = "Bodies smaller than this go uncompressed."},
    {.key = "output.hec.max_in_flight",
     .env_alias = "SPLUNK_HEC_MAX_IN_FLIGHT",
     .type = SF_OPT_INT,
     GLOBAL(hec.max_in_flight),
     .fallback = "4",
     .min = 1,
     .max = 64,
     .help = "Requests sent at once, each on its own keep-alive connection (to each endpoint, "
             "with `urls`)."},
    {.key = "output.hec.ack",
     .env_alias = "SPLUNK_HEC_ACK",
     .type = SF_OPT_BOOL,
     GLOBAL(hec.ack),
     .fallback = "false",
     .help = "Indexer acknowledgement: events count as delivered only once Splunk says they "
             "are indexed. The token must have it enabled (`useACK`); Splunk Cloud offers it "
             "only for Firehose. Behind a load balancer the ack query must reach the indexer "
             "that took the data: enable sticky sessions (or point at one indexer). ackIds "
             "that repeat show a spread channel: ack is then given up (200s count) and the "
             "waiting requests are sent again, counted in "
             "`slsfwd_hec_ack_resent_events_total`."},
    {.key = "output.hec.ack_poll_interval",
     .env_alias = "SPLUNK_HEC_ACK_POLL_INTERVAL",
     .type = SF_OPT_DURATION,
     GLOBAL(hec.ack_poll_ms),
     .unit_ms = 1,
     .fallback = "1s",
     .min = 10,
     .max = 600 * 1000,
     .help = "With `ack`: how often pending acknowledgements are asked for, all in one query."},
    {.key = "output.hec.ack_timeout",
     .env_alias = "SPLUNK_HEC_ACK_TIMEOUT",
     .type = SF_OPT_DURATION,
     GLOBAL(hec.ack_timeout_ms),
     .unit_ms = 1,
     .fallback = "300s",
     .min = 100,
     .max = 3600 * 1000,
     .help = "With `ack`: a request not acknowledged by then is sent again (Splunk may hold "
             "the tail of a stream for minutes, so shorter values cause duplicates)."},
    {.key = "output.hec.retry_max_interval",
     .env_alias = "SPLUNK_HEC_RETRY_MAX_INTERVAL",
     .type = SF_OPT_DURATION,
     GLOBAL(hec.retry_max_ms),
     .unit_ms = 1,
     .fallback = "60s",
     .min = 10,
     .max = 3600 * 1000,
     .help = "Cap of the exponential backoff between attempts of a failed request. Requests "
             "are retried forever; SLS reading waits meanwhile."},
    {.key = "output.hec.auth_retry_interval",
     .env_alias = "SPLUNK_HEC_AUTH_RETRY_INTERVAL",
     .type = SF_OPT_DURATION,
     GLOBAL(hec.auth_retry_ms),
     .unit_ms = 1,
     .fallback = "60s",
     .min = 10,
     .max = 3600 * 1000,
     .help = "While HEC refuses the token (401/403), delivery pauses, checkpoints stay where "
             "they are, and one request tries again this often."},
    {.key = "output.hec.health_check",
     .env_alias = "SPLUNK_HEC_HEALTH_CHECK",
     .type = SF_OPT_BOOL,
     GLOBAL(hec.health_check),
     .fallback = "true",
     .help = "At start, ask `/services/collector/health/1.0` with the token and explain the "
             "usual mistakes (wrong port, http against https, untrusted certificate)."},
    {.key = "output.hec.dead_letter_path",
     .env_alias = "SPLUNK_HEC_DEAD_LETTER_PATH",
     .type = SF_OPT_STRING,
     GLOBAL(hec.dead_letter_path),
     .fallback = "slsfwd-dead-letter.ndjson",
     .example = "/var/lib/slsfwd/dead-letter.ndjson",
     .help = "Events that Splunk refuses as invalid are appended here, one JSON line each with "
             "the HEC code, its text, the source, shard and cursor, and the event; the rest of "
             "the request is sent on."},

    {.key = "output.syslog.address",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.address),
     .is_required = true,
     .example = "siem.example.com:6514",
     .help = "Syslog receiver as `host:port` (514 for TCP/UDP by convention, 6514 for TLS)."},
    {.key = "output.syslog.protocol",
     .type = SF_OPT_ENUM,
     GLOBAL(syslog.protocol),
     .fallback = "tcp",
     .choices = syslog_protocol_choices,
     .help = "`tcp`, `tls` (RFC 5425) or `udp`. UDP is lossy (no acknowledgement, no "
             "back-pressure): a warning says so at start."},
    {.key = "output.syslog.framing",
     .type = SF_OPT_ENUM,
     GLOBAL(syslog.framing),
     .fallback = "octet",
     .choices = syslog_framing_choices,
     .help = "TCP/TLS framing: `octet` counting (RFC 6587 §3.4.1, required by RFC 5425) or `lf` "
             "(one message per line, newlines inside escaped) for receivers that need it."},
    {.key = "output.syslog.format",
     .type = SF_OPT_ENUM,
     GLOBAL(syslog.format),
     .fallback = "rfc5424",
     .choices = syslog_format_choices,
     .help = "`rfc5424` with STRUCTURED-DATA (project, logstore, topic, shard), or `rfc3164` "
             "for old receivers."},
    {.key = "output.syslog.msg_format",
     .type = SF_OPT_ENUM,
     GLOBAL(syslog.msg_format),
     .fallback = "json",
     .choices = syslog_msg_choices,
     .help = "MSG as compact JSON of the log (`json`) or Alibaba's `||key=value` form (`kv`)."},
    {.key = "output.syslog.facility",
     .type = SF_OPT_ENUM,
     GLOBAL(syslog.facility),
     .fallback = "user",
     .choices = facility_choices,
     .help = "Facility of every message."},
    {.key = "output.syslog.severity",
     .type = SF_OPT_ENUM,
     GLOBAL(syslog.severity),
     .fallback = "info",
     .choices = severity_choices,
     .help = "Severity of every message, or of those whose `severity_field` does not map."},
    {.key = "output.syslog.severity_field",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.severity_field),
     .example = "level",
     .help = "A log field whose value (error, warn, info, debug, 0..7, …) sets the severity."},
    {.key = "output.syslog.hostname",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.hostname),
     .example = "sls-prod",
     .check = sf_config_check_template,
     .help = "HOSTNAME of every message (many SIEMs identify the log source by it), or "
             "`source` for the log's `__source__`. Default: `-`."},
    {.key = "output.syslog.app_name",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.app_name),
     .fallback = "sls",
     .check = sf_config_check_template,
     .help = "APP-NAME (RFC 3164: the TAG)."},
    {.key = "output.syslog.msgid",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.msgid),
     .example = "sls",
     .check = sf_config_check_template,
     .help = "MSGID of every RFC 5424 message. Default: the logstore's name."},
    {.key = "output.syslog.sd_id",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.sd_id),
     .fallback = "sls@32473",
     .help = "SD-ID of the structured data element; use your organisation's IANA private "
             "enterprise number instead of the RFC's example 32473."},
    {.key = "output.syslog.max_message_size",
     .type = SF_OPT_SIZE,
     GLOBAL(syslog.max_message_size),
     .fallback = "0",
     .min = 0,
     .max = 1LL << 20,
     .help = "Largest message (SYSLOG-MSG bytes, framing excluded); a longer MSG is cut at a "
             "UTF-8 boundary with a marker and `truncated=\"1\"`, counted in "
             "`slsfwd_syslog_truncated_messages_total` and logged (at most once a minute). 0: "
             "65536 over TCP/TLS (real ActionTrail events reach tens of KB), 2048 over UDP "
             "(1024 for RFC 3164). The receiver must take as much: rsyslog "
             "`global(maxMessageSize=\"64k\")` (before any input; its default is 8k), syslog-ng "
             "`log-msg-size(65536)` (its default)."},
    {.key = "output.syslog.ca_file",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.ca_file),
     .check = sf_config_check_readable,
     .help = "TLS: PEM CA certificates for the receiver. Default: the system store."},
    {.key = "output.syslog.client_cert",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.client_cert),
     .check = sf_config_check_readable,
     .help = "TLS: PEM client certificate (mutual TLS)."},
    {.key = "output.syslog.client_key",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.client_key),
     .check = sf_config_check_readable,
     .help = "TLS: PEM key of `client_cert`."},
    {.key = "output.syslog.server_name",
     .type = SF_OPT_STRING,
     GLOBAL(syslog.server_name),
     .help = "TLS: the name the receiver's certificate must carry. Default: the host of "
             "`address`."},
    {.key = "output.syslog.tls_verify",
     .type = SF_OPT_BOOL,
     GLOBAL(syslog.tls_verify),
     .fallback = "true",
     .help = "TLS: verify the receiver's certificate and name (false logs a warning at start)."},

    {.key = "mapping.sourcetype",
     .type = SF_OPT_STRING,
     GLOBAL(mapping.sourcetype),
     .example = "aliyun:sls",
     .check = sf_config_check_template,
     .help = "`sourcetype` of every event: a fixed value or a template such as "
             "`aliyun:{__topic__|sls}` (see \"Routing templates\"). Default: omitted."},
    {.key = "mapping.index",
     .type = SF_OPT_STRING,
     GLOBAL(mapping.index),
     .example = "main",
     .check = sf_config_check_template,
     .help = "`index` of every event, a value or a template. Default: omitted (the token's "
             "default index); an event whose template renders empty omits it too."},
    {.key = "mapping.source",
     .type = SF_OPT_STRING,
     GLOBAL(mapping.source),
     .example = "sls",
     .check = sf_config_check_template,
     .help = "`source` of every event, a value or a template. Default: omitted."},
    {.key = "mapping.host",
     .type = SF_OPT_STRING,
     GLOBAL(mapping.host),
     .example = "slsfwd-01",
     .check = sf_config_check_template,
     .help = "`host` of every event, a value or a template such as "
             "`{__tag__:__hostname__|unknown}`. Default: omitted."},
    {.key = "mapping.event_as_string",
     .type = SF_OPT_BOOL,
     GLOBAL(mapping.event_as_string),
     .fallback = "false",
     .help = "Send `event` as one JSON string, as the reference program did, instead of a JSON "
             "object of the log's fields."},
    {.key = "mapping.json_fields",
     .type = SF_OPT_LIST,
     GLOBAL(mapping.json_fields),
     .aux_offset = offsetof(struct sf_config, mapping.n_json_fields),
     .fallback = "actiontrail_audit_event:event",
     .check = sf_config_check_json_fields,
     .help = "Fields that hold JSON text, as `<topic>:<field>`: embedded as JSON when the "
             "text parses, kept as a string when it does not. `[]` embeds none."},
    {.key = "mapping.fields",
     .type = SF_OPT_LIST,
     GLOBAL(mapping.fields),
     .aux_offset = offsetof(struct sf_config, mapping.n_fields),
     .example = "env=prod",
     .check = sf_config_check_fields,
     .help = "Indexed fields added to every event as `name=value` (HEC `fields`). Keep them "
             "few: they grow the index."},
    {.key = "mapping.position_fields",
     .type = SF_OPT_BOOL,
     GLOBAL(mapping.position_fields),
     .fallback = "false",
     .help = "Add the indexed fields `sls_shard` and `sls_position` "
             "(`<project>/<logstore>/<shard>/<LogGroup sequence>/<offset>`): the same for a log "
             "delivered twice (after a crash or a rebalance), different for any two logs, so "
             "`| dedup sls_position` removes replays (see \"Removing replays\")."},

    {.key = "filters.keep_if",
     .type = SF_OPT_LIST,
     GLOBAL(filters.keep_if),
     .aux_offset = offsetof(struct sf_config, filters.n_keep_if),
     .example = "status>=400",
     .check = sf_config_check_filter_rules,
     .help = "Keep an event only if one of these rules holds (see Filters): `<field>=<glob>`, "
             "`<field>!=<glob>`, `<field>~<regex>`, `<field>!~<regex>`, or a number comparison "
             "`<field>>=400` (`<`, `<=`, `>`, `>=`). Default: keep every event."},
    {.key = "filters.drop_if",
     .type = SF_OPT_LIST,
     GLOBAL(filters.drop_if),
     .aux_offset = offsetof(struct sf_config, filters.n_drop_if),
     .example = "path~^/health",
     .check = sf_config_check_filter_rules,
     .help = "Drop an event if one of these rules holds (same rules as `keep_if`; applied after "
             "it). Dropped events are not sent, count as delivered for the checkpoint, and are "
             "counted in `slsfwd_events_filtered_total`."},
    {.key = "filters.keep_fields",
     .type = SF_OPT_LIST,
     GLOBAL(filters.keep_fields),
     .aux_offset = offsetof(struct sf_config, filters.n_keep_fields),
     .example = "request_*",
     .help = "Send only the keys of an event that match one of these names or globs (`*`, `?`, "
             "`[a-z]`), matched against the key as sent: `__topic__`, `__source__`, "
             "`__tag__:<key>`, or a content key. Default: every key."},
    {.key = "filters.drop_fields",
     .type = SF_OPT_LIST,
     GLOBAL(filters.drop_fields),
     .aux_offset = offsetof(struct sf_config, filters.n_drop_fields),
     .example = "__tag__:__receive_time__",
     .help = "Do not send the keys that match one of these names or globs (after `keep_fields`)."},
    {.key = "filters.rename",
     .type = SF_OPT_LIST,
     GLOBAL(filters.rename),
     .aux_offset = offsetof(struct sf_config, filters.n_rename),
     .example = "__tag__:__hostname__=host",
     .check = sf_config_check_filter_renames,
     .help = "Send key `old` as `new`: `old=new` entries, exact names (after `keep_fields` and "
             "`drop_fields`, which match the old name)."},

    {.key = "limits.max_buffered_bytes",
     .type = SF_OPT_SIZE,
     GLOBAL(max_buffered_bytes),
     .fallback = "128MiB",
     .min = 16LL << 20,
     .max = 64LL << 30,
     .help = "One budget for everything that grows with data or shard count, charged before it "
             "is allocated: pull buffers (as received and decompressed), decoder arenas, "
             "batches in every state (built, queued, in flight, unconfirmed, pooled) and HEC "
             "request bodies with their gzip buffers. Pulls wait while it is full; idle "
             "buffers are given back after 5 s. Peak RSS stays under this plus a fixed "
             "overhead of about 40-70 MB (libraries, TLS contexts, threads); the default "
             "keeps a 64-shard forwarder under 200 MB with the SIEM up or down. "
             "`/metrics` shows who holds it: `slsfwd_memory_charged_bytes{category}`."},
    {.key = "limits.workers",
     .type = SF_OPT_INT,
     GLOBAL(workers),
     .fallback = "0",
     .min = 0,
     .max = 256,
     .help = "Threads that decompress and transform. 0: one per CPU."},
    {.key = "limits.drain_timeout",
     .type = SF_OPT_DURATION,
     GLOBAL(drain_timeout_s),
     .unit_ms = 1000,
     .fallback = "30s",
     .min = 0,
     .max = 3600 * 1000,
     .help = "On SIGTERM or SIGINT, how long to keep delivering what is in memory before the "
             "checkpoints are committed and the shards released. What is not delivered by "
             "then is read again on the next start."},

    {.key = "metrics.listen",
     .type = SF_OPT_STRING,
     GLOBAL(metrics_listen),
     .fallback = "127.0.0.1:9464",
     .help = "Address of the HTTP endpoint with Prometheus metrics on `/metrics` and readiness "
             "on `/healthz` (200 once every source has joined its consumer group). Loopback by "
             "default; an empty value turns it off. Port 0 picks a free port, logged at start."},

    {.key = "log.level",
     .type = SF_OPT_ENUM,
     GLOBAL(log_level),
     .fallback = "info",
     .choices = level_choices,
     .help = "Lowest level logged on stderr."},
    {.key = "log.debug",
     .type = SF_OPT_CSV,
     GLOBAL(log_debug),
     .example = "coord,sls",
     .check = sf_config_check_debug_modules,
     .help = "Modules with debug logging on whatever `level` says: a list such as "
             "`coord,sls`, or `all`."},
    {.key = "log.file",
     .type = SF_OPT_STRING,
     GLOBAL(log_file),
     .example = "/var/log/slsfwd/slsfwd.log",
     .help = "Also write the log lines to this file, rotated by size. SIGHUP reopens it, so "
             "logrotate can move it away (`postrotate`: `systemctl reload slsfwd`). Default: "
             "stderr only (journald keeps it under systemd)."},
    {.key = "log.file_max_size",
     .type = SF_OPT_SIZE,
     GLOBAL(log_file_max_bytes),
     .fallback = "100MiB",
     .min = 4096,
     .max = 64LL << 30,
     .help = "With `file`: the size at which it is renamed to `<file>.1` (and older ones "
             "shifted) and a new one started."},
    {.key = "log.file_count",
     .type = SF_OPT_INT,
     GLOBAL(log_file_keep),
     .fallback = "5",
     .min = 1,
     .max = 1000,
     .help = "With `file`: rotated files kept (`<file>.1` … `<file>.<count>`)."},
};

const size_t sf_n_options = sizeof(sf_options) / sizeof(sf_options[0]);

const struct sf_option_section sf_option_sections[] = {
    {.prefix = "sls",
     .title = "SLS sources",
     .help = "Keys under `sls:` are the defaults of every source; an entry of `sources:` sets "
             "any of them again for itself. Without a `sources:` list, `sls:` (with the "
             "environment) describes the one source."},
    {.prefix = "output.file",
     .title = "Output: file",
     .help = "NDJSON in the HEC event form, one line per log: for debugging, tests and "
             "pipelines that read files. `--output file:PATH` (or `file:-`) on the command "
             "line replaces whatever `output:` says."},
    {.prefix = "output.hec",
     .title = "Output: Splunk HEC",
     .help = "Splunk HTTP Event Collector. `SPLUNK_HEC_URL` and `SPLUNK_HEC_TOKEN` in the "
             "environment, or `--output hec:URL` on the command line, select it too.\n\n"
             "#### Several HEC endpoints\n\n"
             "`urls: [https://idx1:8088, https://idx2:8088, https://idx3:8088]` sends to "
             "several indexers directly (no load balancer needed; every other `output.hec` "
             "key applies to each). Each endpoint has its own `max_in_flight` connections, "
             "its own request channel and, with `ack`, its own indexer-ack bookkeeping: an "
             "ackId is only ever matched to a request sent to the same endpoint on the same "
             "channel. Each request goes to the healthy endpoint with the fewest requests on "
             "the wire (ties in turn).\n\n"
             "An endpoint that fails — no connection, a timeout, 5xx (503 \"server busy\" "
             "included), 408, 429, an unexplained 4xx, an ack query that gets no answer, or "
             "an unhealthy health check at start — is **taken out**: its failed request and "
             "every request it accepted whose ack has not come yet are sent to the other "
             "endpoints at once (possible duplicates, counted in "
             "`slsfwd_hec_endpoint_resent_events_total`). It is then probed with `GET "
             "/services/collector/health/1.0` after 0.5 s, doubling up to "
             "`retry_max_interval` (or a longer `Retry-After`), and put back when it answers "
             "healthy. When every endpoint is out, requests wait — nothing is dropped, "
             "checkpoints stay — and go out as soon as one is back. Refusals that concern "
             "the token, the index or the events (401/403, 400 codes, 413) behave as with "
             "one endpoint. `/metrics` shows each endpoint under the label "
             "`endpoint=\"host:port\"` (`slsfwd_hec_endpoint_*`)."},
    {.prefix = "output.syslog",
     .title = "Output: syslog",
     .help = "RFC 5424 (or 3164) syslog over TCP, TLS or UDP, for SIEMs fed by syslog "
             "(QRadar, ArcSight, rsyslog, syslog-ng)."},
    {.prefix = "mapping",
     .title = "Event mapping",
     .help = "How one SLS log becomes one event: `time` from `__time__` (with milliseconds), "
             "`event` holding every field of the log, and these settings."},
    {.prefix = "filters",
     .title = "Filters",
     .help = "Client-side filters applied to every source that does not set its own "
             "`sls.filters.*` list (see \"Filters\" above for the rule syntax and how the lists "
             "combine)."},
    {.prefix = "limits", .title = "Limits", .help = "Memory, threads and shutdown."},
    {.prefix = "metrics", .title = "Metrics", .help = "Prometheus text and readiness over HTTP."},
    {.prefix = "log",
     .title = "Logging",
     .help = "logfmt lines on stderr, and optionally in a size-rotated file. Warnings and errors "
             "repeated from one place are rate-limited (5 per 10 s, then a count). Secrets are "
             "never logged."},
};

const size_t sf_n_option_sections = sizeof(sf_option_sections) / sizeof(sf_option_sections[0]);

const struct sf_option_sink sf_option_sinks[] = {
    {.name = "file", .kind = SF_CONFIG_SINK_FILE, .is_available = true},
    {.name = "hec", .kind = SF_CONFIG_SINK_HEC, .is_available = true},
    {.name = "syslog", .kind = SF_CONFIG_SINK_SYSLOG, .is_available = true},
};

const size_t sf_n_option_sinks = sizeof(sf_option_sinks) / sizeof(sf_option_sinks[0]);

const struct sf_option *sf_option_find(const char *key)
{
    for (size_t i = 0; i < sf_n_options; i++) {
        if (strcmp(sf_options[i].key, key) == 0) {
            return &sf_options[i];
        }
    }
    return NULL;
}

size_t sf_option_index(const struct sf_option *opt)
{
    return (size_t)(opt - sf_options);
}

const char *sf_option_source_key(const struct sf_option *opt)
{
    return opt->scope == SF_OPT_SOURCE ? opt->key + strlen("sls.") : opt->key;
}

void sf_option_env_name(const struct sf_option *opt, char *out, size_t out_size)
{
    size_t n = (size_t)snprintf(out, out_size, "SLSFWD_%s", opt->key);
    for (size_t i = strlen("SLSFWD_"); i < n && i < out_size; i++) {
        out[i] = out[i] == '.' ? '_' : (char)toupper((unsigned char)out[i]);
    }
}

bool sf_option_is_section(const char *prefix)
{
    size_t len = strlen(prefix);
    for (size_t i = 0; i < sf_n_options; i++) {
        if (strncmp(sf_options[i].key, prefix, len) == 0 && sf_options[i].key[len] == '.') {
            return true;
        }
    }
    return false;
}

const struct sf_option_sink *sf_option_sink_find(const char *name)
{
    for (size_t i = 0; i < sf_n_option_sinks; i++) {
        if (strcmp(sf_option_sinks[i].name, name) == 0) {
            return &sf_option_sinks[i];
        }
    }
    return NULL;
}

int sf_option_open_sections(const char *key, const char *prev, struct sf_buf *out)
{
    int level = 0;
    bool is_same = prev != NULL;
    for (const char *dot = strchr(key, '.'); dot; dot = strchr(dot + 1, '.'), level++) {
        size_t len = (size_t)(dot - key); /* "output.file" when |dot| ends "file" */
        is_same = is_same && strncmp(key, prev, len + 1) == 0;
        if (!is_same) {
            const char *name = dot;
            while (name > key && name[-1] != '.') {
                name--;
            }
            sf_buf_printf(out, "%*s%.*s:\n", level * 2, "", (int)(dot - name), name);
        }
    }
    return level * 2;
}

static void
describe_range(const struct sf_option *opt, const char *noun, char *out, size_t out_size)
{
    char lo[32];
    char hi[32];
    if (opt->type == SF_OPT_DURATION) {
        sf_config_format_duration_ms(opt->min, lo, sizeof(lo));
        sf_config_format_duration_ms(opt->max, hi, sizeof(hi));
    } else if (opt->type == SF_OPT_SIZE) {
        sf_config_format_size((uint64_t)opt->min, lo, sizeof(lo));
        sf_config_format_size((uint64_t)opt->max, hi, sizeof(hi));
    } else {
        snprintf(lo, sizeof(lo), "%lld", opt->min);
        snprintf(hi, sizeof(hi), "%lld", opt->max);
    }
    snprintf(out, out_size, "%s, %s to %s", noun, lo, hi);
}

/* "`1` or `4`", "one of `lz4`, `zstd`, `deflate`, `none`". */
static void describe_choices(const struct sf_option *opt, char *out, size_t out_size)
{
    size_t n = 0;
    while (opt->choices[n]) {
        n++;
    }
    if (n == 2) {
        snprintf(out, out_size, "`%s` or `%s`", opt->choices[0], opt->choices[1]);
        return;
    }
    size_t pos = (size_t)snprintf(out, out_size, "one of");
    for (size_t i = 0; i < n && pos < out_size; i++) {
        pos +=
            (size_t)snprintf(out + pos, out_size - pos, "%s `%s`", i ? "," : "", opt->choices[i]);
    }
}

void sf_option_describe_type(const struct sf_option *opt, char *out, size_t out_size)
{
    switch (opt->type) {
    case SF_OPT_STRING:
        snprintf(out, out_size, "string");
        break;
    case SF_OPT_SECRET:
        snprintf(out, out_size, "secret string; also `%s_file`", sf_option_source_key(opt));
        break;
    case SF_OPT_INT:
        if (opt->choices) {
            describe_choices(opt, out, out_size);
        } else {
            describe_range(opt, "integer", out, out_size);
        }
        break;
    case SF_OPT_BOOL:
        snprintf(out, out_size, "boolean");
        break;
    case SF_OPT_DURATION:
        describe_range(opt, "duration", out, out_size);
        break;
    case SF_OPT_SIZE:
        describe_range(opt, "size", out, out_size);
        break;
    case SF_OPT_ENUM:
        describe_choices(opt, out, out_size);
        break;
    case SF_OPT_START:
        snprintf(out, out_size, "`begin`, `end` or a time");
        break;
    case SF_OPT_TIME:
        snprintf(out, out_size, "time");
        break;
    case SF_OPT_LIST:
    case SF_OPT_CSV:
        snprintf(out, out_size, "list of strings");
        break;
    }
}
