/* transform: one decoded SLS log → one complete, framed syslog message (RFC 5424 by default,
 * RFC 3164 for old receivers; docs/protocol/syslog.md), appended to a bounded buffer. The output is
 * what a syslog sink writes as is: octet-counted (RFC 6587 §3.4.1), LF-terminated (§3.4.2) or
 * bare (one UDP datagram). It does not send anything, choose batch sizes or split a log. A
 * mapping is immutable once made, so any number of threads may share one; each brings its own
 * buffer. The full contract is in docs/internals/transform.md. */
#ifndef SF_TRANSFORM_SYSLOG_LINE_H
#define SF_TRANSFORM_SYSLOG_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "codec/loggroup.h"
#include "transform/filter.h"
#include "util/buf.h"
#include "util/err.h"

enum sf_syslog_line_format {
    SF_SYSLOG_LINE_RFC5424,
    SF_SYSLOG_LINE_RFC3164,
};

enum sf_syslog_line_framing {
    SF_SYSLOG_LINE_FRAMING_OCTET, /* "LEN SP MSG" (TCP, TLS) */
    SF_SYSLOG_LINE_FRAMING_LF, /* MSG LF, with LF, CR and NUL inside written as #012, #015, #000 */
    SF_SYSLOG_LINE_FRAMING_NONE, /* MSG alone: one UDP datagram */
};

enum sf_syslog_line_hostname_mode {
    SF_SYSLOG_LINE_HOSTNAME_STATIC, /* |hostname| */
    SF_SYSLOG_LINE_HOSTNAME_SOURCE, /* the LogGroup's __source__ ('-' when empty) */
    SF_SYSLOG_LINE_HOSTNAME_NONE,   /* '-' */
};

enum sf_syslog_line_msg_format {
    SF_SYSLOG_LINE_MSG_JSON, /* compact JSON object: __topic__, __source__, __tag__:*, contents */
    SF_SYSLOG_LINE_MSG_KV,   /* Alibaba's form: <sep>k1=v1<sep>k2=v2, same keys in the same order */
};

/* One entry of the severity map: a field value (compared ignoring ASCII case) → 0..7. */
struct sf_syslog_line_severity_entry {
    const char *value;
    int severity;
};

/* Defaults come from sf_syslog_line_options_init; NULL strings mean "the default". */
struct sf_syslog_line_options {
    enum sf_syslog_line_format format;
    enum sf_syslog_line_framing framing;
    int facility; /* 0..23; default 1 (user) */
    int severity; /* 0..7; default 6 (info); also used when the field is absent or unmapped */
    /* Content key whose value picks the severity per log (last occurrence wins); NULL: fixed.
     * The value is looked up in |severity_map| first, then in the built-in table (emerg, alert,
     * crit/critical/fatal, err/error, warn/warning, notice, info, debug/trace, "0".."7"). */
    const char *severity_field;
    const struct sf_syslog_line_severity_entry *severity_map;
    size_t n_severity_map;
    enum sf_syslog_line_hostname_mode hostname_mode;
    const char *hostname; /* required, non-empty, in static mode */
    const char *app_name; /* default "sls"; 3164: the TAG */
    const char *procid;   /* default "-"; 3164: TAG[PROCID] unless "-" */
    const char *msgid;    /* default: the logstore, sanitised; 5424 only */
    const char *sd_id;    /* default "sls@32473"; 1..32 of ASCII 33..126 but = ] " */
    enum sf_syslog_line_msg_format msg_format;
    const char *kv_sep; /* default "||"; kv only */
    bool utf8_bom;      /* default true; 5424 only (never written in 3164) */
    /* Largest SYSLOG-MSG in bytes, framing excluded; 0: 65536 with framing (TCP/TLS: real
     * ActionTrail events reach tens of KB; syslog-ng's log-msg-size default, rsyslog needs
     * maxMessageSize), without framing (UDP) 2048, or 1024 for 3164. */
    size_t max_message_size;
};

/* Appended to a MSG cut to fit max_message_size (then the SD param truncated="1" is set). */
#define SF_SYSLOG_LINE_TRUNCATION_MARKER "...[truncated]"

/* Largest max_message_size accepted: UDP's IPv4 payload limit without framing, 1 MiB else. */
#define SF_SYSLOG_LINE_MAX_UDP_MESSAGE 65507
/* Default over a stream (TCP/TLS) for both formats: fits real ActionTrail events, whose
 * request parameters (policy documents) alone reach 6–16 KB. */
#define SF_SYSLOG_LINE_DEFAULT_STREAM_MESSAGE 65536
#define SF_SYSLOG_LINE_MAX_MESSAGE            (1024 * 1024)

/* Bytes of one SD PARAM-VALUE (project, logstore, topic) after escaping, at most; a longer
 * value is cut at a character boundary and the message gets truncated="1". */
#define SF_SYSLOG_LINE_SD_VALUE_MAX 128

struct sf_syslog_line_mapping;

/* Fills |opts| with the defaults above (RFC 5424, octet framing, user.info, hostname none). */
void sf_syslog_line_options_init(struct sf_syslog_line_options *opts);

/* Checks and copies |opts| into a new mapping in |*out| (NULL on error); |opts| may be freed
 * afterwards. SF_ERR_CONFIG, with a sentence in |errbuf| (|errbuf_size| bytes, may be 0), for an
 * out-of-range facility or severity, a bad sd_id, an empty string option, a static hostname
 * mode without hostname, or a max_message_size too small for the worst header of these options
 * (the sentence gives the minimum) or above the limits. */
sf_err sf_syslog_line_mapping_new(const struct sf_syslog_line_options *opts,
                                  struct sf_syslog_line_mapping **out,
                                  char *errbuf,
                                  size_t errbuf_size);
void sf_syslog_line_mapping_free(struct sf_syslog_line_mapping *m);

/* The max_message_size in effect (the default resolved). */
size_t sf_syslog_line_mapping_max_message(const struct sf_syslog_line_mapping *m);

/* Appends to |out| one complete framed message for |log| of |group|, read from |project|,
 * |logstore| and |shard| (NUL-terminated, any bytes; they go to STRUCTURED-DATA and, by
 * default, MSGID). Never splits a log: a MSG over max_message_size is cut at a UTF-8 boundary
 * and marked. Everything in the message is valid UTF-8 except what the receiver must not parse
 * as text (the octet count). SF_ERR_FULL when the message would take |out| past its max: |out|
 * is left as it was, so the caller can flush and retry. SF_ERR_TOO_BIG instead when |out| was
 * empty (its max is below max_message_size plus framing). Allocates nothing. */
sf_err sf_syslog_line_append(const struct sf_syslog_line_mapping *m,
                             const char *project,
                             const char *logstore,
                             int shard,
                             const struct sf_loggroup *group,
                             const struct sf_log *log,
                             struct sf_buf *out);

/* What sf_syslog_line_append_info tells about the message it wrote (set on SF_OK only). */
struct sf_syslog_line_append_info {
    bool is_truncated; /* the MSG was cut to fit max_message_size (marker, truncated="1") */
    size_t full_bytes; /* the SYSLOG-MSG's size uncut, framing excluded */
};

/* sf_syslog_line_append, telling in |*info| whether the message was cut: the caller counts and
 * logs truncations (a transform only formats). */
sf_err sf_syslog_line_append_info(const struct sf_syslog_line_mapping *m,
                                  const char *project,
                                  const char *logstore,
                                  int shard,
                                  const struct sf_loggroup *group,
                                  const struct sf_log *log,
                                  struct sf_buf *out,
                                  struct sf_syslog_line_append_info *info);

/* sf_syslog_line_append_info with the field rules of |filter| (filter.h; NULL: none) choosing and
 * renaming the keys of the MSG (json and kv alike; the header, STRUCTURED-DATA and the
 * severity_field read the log as it is). Event rules are the caller's: it calls
 * sf_filter_keeps_event first and skips the log when that is false. */
sf_err sf_syslog_line_append_filtered(const struct sf_syslog_line_mapping *m,
                                      const struct sf_filter *filter,
                                      const char *project,
                                      const char *logstore,
                                      int shard,
                                      const struct sf_loggroup *group,
                                      const struct sf_log *log,
                                      struct sf_buf *out,
                                      struct sf_syslog_line_append_info *info);

#endif
