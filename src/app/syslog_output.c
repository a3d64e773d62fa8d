#include "app/syslog_output.h"

#include <stdatomic.h>
#include <string.h>

#include "sink/syslog_sink.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "syslog"

#define TRUNCATION_LOG_EVERY_MS 60000

/* Messages cut to fit max_message_size, process-wide (one syslog output per process); any
 * thread. The log line about them is rate-limited: the first at once, then at most one a
 * minute with the count since the previous one. */
static atomic_uint_fast64_t truncated_total;
static atomic_uint_fast64_t truncated_unlogged;
static atomic_llong truncation_logged_ms;

uint64_t sf_syslog_output_truncated_total(void)
{
    return atomic_load_explicit(&truncated_total, memory_order_relaxed);
}

static void count_truncation(const struct sf_syslog_line_mapping *mapping,
                             const struct sf_config_source *source,
                             int shard,
                             size_t full_bytes)
{
    atomic_fetch_add_explicit(&truncated_total, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&truncated_unlogged, 1, memory_order_relaxed);
    long long now = sf_now_ms();
    long long last = atomic_load(&truncation_logged_ms);
    if ((last && now - last < TRUNCATION_LOG_EVERY_MS) ||
        !atomic_compare_exchange_strong(&truncation_logged_ms, &last, now)) {
        return; /* logged lately, or another thread logs now */
    }
    uint64_t n = atomic_exchange(&truncated_unlogged, 0);
    SF_LOG_WARN("msg=\"syslog messages cut to fit max_message_size (marked ...[truncated] and "
                "with SD param truncated=1): raise output.syslog.max_message_size and the "
                "receiver's limit (rsyslog global(maxMessageSize=...), syslog-ng "
                "log-msg-size(...))\" source=\"%s\" shard=%d message_bytes=%zu "
                "max_message_size=%zu truncated=%llu truncated_total=%llu",
                source->name, shard, full_bytes, sf_syslog_line_mapping_max_message(mapping),
                (unsigned long long)n, (unsigned long long)sf_syslog_output_truncated_total());
}

static int index_of(const char *value, const char *const *names, int n, int fallback)
{
    for (int i = 0; value && i < n; i++) {
        if (strcmp(value, names[i]) == 0) {
            return i;
        }
    }
    return fallback;
}

sf_err sf_syslog_output_mapping(const struct sf_config_syslog *cfg,
                                struct sf_syslog_line_mapping **out,
                                char *errbuf,
                                size_t errbuf_size)
{
    static const char *const facilities[] = {
        "kern",   "user",   "mail",     "daemon", "auth",   "syslog", "lpr",    "news",
        "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "audit",  "alert",  "clock",
        "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7"};
    static const char *const severities[] = {"emerg",   "alert",  "crit", "err",
                                             "warning", "notice", "info", "debug"};
    struct sf_syslog_line_options opts;
    sf_syslog_line_options_init(&opts);
    bool is_udp = strcmp(cfg->protocol, "udp") == 0;
    opts.format =
        strcmp(cfg->format, "rfc3164") == 0 ? SF_SYSLOG_LINE_RFC3164 : SF_SYSLOG_LINE_RFC5424;
    /* UDP: one line per message; the sink sends each line as one datagram. */
    opts.framing = is_udp || strcmp(cfg->framing, "lf") == 0 ? SF_SYSLOG_LINE_FRAMING_LF
                                                             : SF_SYSLOG_LINE_FRAMING_OCTET;
    opts.facility = index_of(cfg->facility, facilities, 24, 1);
    opts.severity = index_of(cfg->severity, severities, 8, 6);
    opts.severity_field = cfg->severity_field;
    if (!cfg->hostname) {
        opts.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_NONE;
    } else if (strcmp(cfg->hostname, "source") == 0) {
        opts.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_SOURCE;
    } else {
        opts.hostname_mode = SF_SYSLOG_LINE_HOSTNAME_STATIC;
        opts.hostname = cfg->hostname;
    }
    opts.app_name = cfg->app_name;
    opts.msgid = cfg->msgid;
    opts.sd_id = cfg->sd_id;
    opts.msg_format =
        strcmp(cfg->msg_format, "kv") == 0 ? SF_SYSLOG_LINE_MSG_KV : SF_SYSLOG_LINE_MSG_JSON;
    /* 0: 64 KiB over TCP/TLS (the transform's default for a stream); UDP keeps RFC 5426's
     * "should" of 2048 (1024 for 3164): the transform cannot tell LF over UDP from LF over TCP */
    opts.max_message_size = cfg->max_message_size ? cfg->max_message_size
                            : is_udp && opts.format == SF_SYSLOG_LINE_RFC5424 ? 2048
                            : is_udp                                          ? 1024
                                                                              : 0;
    return sf_syslog_line_mapping_new(&opts, out, errbuf, errbuf_size);
}

sf_err sf_syslog_output_build(const struct sf_syslog_line_mapping *mapping,
                              const struct sf_filter *filter,
                              const struct sf_config_source *source,
                              const struct sf_loggroup_list *list,
                              struct sf_batch *batch,
                              size_t *n_events,
                              size_t *n_filtered)
{
    bool has_event_rules = sf_filter_has_event_rules(filter);
    *n_events = 0;
    *n_filtered = 0;
    for (size_t g = 0; g < list->n_groups; g++) {
        const struct sf_loggroup *group = &list->groups[g];
        for (size_t i = 0; i < group->n_logs; i++) {
            if (has_event_rules && !sf_filter_keeps_event(filter, group, &group->logs[i])) {
                (*n_filtered)++;
                continue;
            }
            struct sf_syslog_line_append_info info;
            sf_err err = sf_syslog_line_append_filtered(
                mapping, filter, source->project, source->logstore, batch->shard_id, group,
                &group->logs[i], &batch->syslog_payload, &info);
            if (err) {
                return err;
            }
            if (info.is_truncated) {
                count_truncation(mapping, source, batch->shard_id, info.full_bytes);
            }
            (*n_events)++;
        }
    }
    return SF_OK;
}

sf_err sf_syslog_output_sink(const struct sf_config_syslog *cfg,
                             struct sf_sink **out,
                             char *errbuf,
                             size_t errbuf_size)
{
    struct sf_syslog_sink_options opts = {
        .address = cfg->address,
        .transport = strcmp(cfg->protocol, "tls") == 0   ? SF_SYSLOG_SINK_TLS
                     : strcmp(cfg->protocol, "udp") == 0 ? SF_SYSLOG_SINK_UDP
                                                         : SF_SYSLOG_SINK_TCP,
        .ca_file = cfg->ca_file,
        .client_cert = cfg->client_cert,
        .client_key = cfg->client_key,
        .server_name = cfg->server_name,
        .tls_verify = cfg->tls_verify,
        .connect_timeout_ms = 10000,
        .retry_max_ms = 30000,
        .ack_poll_ms = 50,
        .ack_timeout_ms = 30000,
    };
    return sf_syslog_sink_new(&opts, out, errbuf, errbuf_size);
}
