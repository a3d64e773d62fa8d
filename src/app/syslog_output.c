#include "app/syslog_output.h"

#include <string.h>

#include "sink/syslog_sink.h"

#include "util/banned.h"

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
                                struct sf_syslog_mapping **out,
                                char *errbuf,
                                size_t errbuf_size)
{
    static const char *const facilities[] = {
        "kern",   "user",   "mail",     "daemon", "auth",   "syslog", "lpr",    "news",
        "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "audit",  "alert",  "clock",
        "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7"};
    static const char *const severities[] = {"emerg",   "alert",  "crit", "err",
                                             "warning", "notice", "info", "debug"};
    struct sf_syslog_options opts;
    sf_syslog_options_init(&opts);
    bool is_udp = strcmp(cfg->protocol, "udp") == 0;
    opts.format = strcmp(cfg->format, "rfc3164") == 0 ? SF_SYSLOG_RFC3164 : SF_SYSLOG_RFC5424;
    /* UDP: one line per message; the sink sends each line as one datagram. */
    opts.framing =
        is_udp || strcmp(cfg->framing, "lf") == 0 ? SF_SYSLOG_FRAMING_LF : SF_SYSLOG_FRAMING_OCTET;
    opts.facility = index_of(cfg->facility, facilities, 24, 1);
    opts.severity = index_of(cfg->severity, severities, 8, 6);
    opts.severity_field = cfg->severity_field;
    if (!cfg->hostname) {
        opts.hostname_mode = SF_SYSLOG_HOSTNAME_NONE;
    } else if (strcmp(cfg->hostname, "source") == 0) {
        opts.hostname_mode = SF_SYSLOG_HOSTNAME_SOURCE;
    } else {
        opts.hostname_mode = SF_SYSLOG_HOSTNAME_STATIC;
        opts.hostname = cfg->hostname;
    }
    opts.app_name = cfg->app_name;
    opts.msgid = cfg->msgid;
    opts.sd_id = cfg->sd_id;
    opts.msg_format = strcmp(cfg->msg_format, "kv") == 0 ? SF_SYSLOG_MSG_KV : SF_SYSLOG_MSG_JSON;
    opts.max_message_size = cfg->max_message_size                        ? cfg->max_message_size
                            : is_udp && opts.format == SF_SYSLOG_RFC5424 ? 2048
                                                                         : 0;
    return sf_syslog_mapping_new(&opts, out, errbuf, errbuf_size);
}

sf_err sf_syslog_output_build(const struct sf_syslog_mapping *mapping,
                              const struct sf_config_source *source,
                              const struct sf_loggroup_list *list,
                              struct sf_batch *batch,
                              size_t *n_events)
{
    *n_events = 0;
    for (size_t g = 0; g < list->n_groups; g++) {
        const struct sf_loggroup *group = &list->groups[g];
        for (size_t i = 0; i < group->n_logs; i++) {
            sf_err err =
                sf_syslog_append(mapping, source->project, source->logstore, batch->shard_id, group,
                                 &group->logs[i], &batch->syslog_payload);
            if (err) {
                return err;
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
        .transport = strcmp(cfg->protocol, "tls") == 0   ? SF_SYSLOG_TLS
                     : strcmp(cfg->protocol, "udp") == 0 ? SF_SYSLOG_UDP
                                                         : SF_SYSLOG_TCP,
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
