#include "transform/syslog_line.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "transform/filter.h"
#include "transform/json.h"
#include "transform/json_int.h"
#include "transform/template.h"
#include "transform/vkey.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/template.h"

#include "util/banned.h"

/* How a message is built (docs/internals/transform.md):
 * 1. The header and STRUCTURED-DATA go to a stack buffer (their size is bounded by the option
 *    caps below, checked against max_message_size when the mapping is made).
 * 2. When a cheap upper bound of the MSG fits both max_message_size and |out|, the MSG is
 *    written straight into |out| in one pass. Otherwise it is measured exactly first, which
 *    decides truncation (truncated="1" joins the SD) and whether |out| has room at all.
 * 3. The writer never writes past its end: a MSG being truncated simply stops there, is cut
 *    back to a UTF-8 boundary and gets the marker. */

#define HOSTNAME_MAX 255 /* RFC 5424 §6 */
#define APP_NAME_MAX 48
#define PROCID_MAX   128
#define MSGID_MAX    32
#define SD_NAME_MAX  32
#define TAG3164_MAX  32 /* RFC 3164 §4.1.3 */

#define HEAD_MAX     2048 /* worst 5424 head is ~1.1 KB with the caps above */
#define DEDUP_MAX    512  /* more keys than this: duplicates are kept (see docs) */
#define CHUNK        64   /* input bytes escaped at once when near the end */
#define DEFAULT_APP  "sls"
#define DEFAULT_SDID "sls@32473"
#define BOM          "\xEF\xBB\xBF"
#define TRUNC_PARAM  " truncated=\"1\""

struct sev_entry {
    char *value;
    int severity;
};

struct sf_syslog_line_mapping {
    enum sf_syslog_line_format format;
    enum sf_syslog_line_framing framing;
    enum sf_syslog_line_msg_format msg_format;
    enum sf_syslog_line_hostname_mode hostname_mode;
    int facility;
    int severity;
    bool utf8_bom;
    size_t max_message;
    char *severity_field; /* NULL: fixed severity */
    struct sev_entry *sev;
    size_t n_sev;
    char *hostname; /* sanitised; static mode */
    char *app_name; /* sanitised for the format */
    char *procid;
    char *msgid; /* sanitised; NULL: the logstore */
    char *sd_id;
    char *kv_sep;
    size_t kv_sep_len;
    /* A hostname, app_name or msgid that names a field: rendered per message into the stack
     * and sanitised as the static value would be; n_parts 0 when the value is static. */
    struct sf_template host_t;
    struct sf_template app_t;
    struct sf_template msgid_t;
};

static const struct sf_syslog_line_severity_entry builtin_sev[] = {
    {"emerg", 0},       {"emergency", 0},
    {"panic", 0},       {"alert", 1},
    {"crit", 2},        {"critical", 2},
    {"fatal", 2},       {"err", 3},
    {"error", 3},       {"warn", 4},
    {"warning", 4},     {"notice", 5},
    {"info", 6},        {"informational", 6},
    {"information", 6}, {"debug", 7},
    {"trace", 7},       {"0", 0},
    {"1", 1},           {"2", 2},
    {"3", 3},           {"4", 4},
    {"5", 5},           {"6", 6},
    {"7", 7},
};

static const char month_abbr[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* ---- small helpers ---- */

static bool is_cont(uint8_t b)
{
    return (b & 0xC0) == 0x80;
}

static size_t u32_digits(size_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static uint8_t *put_uint(uint8_t *d, size_t v)
{
    size_t n = u32_digits(v);
    for (size_t i = n; i-- > 0;) {
        d[i] = (uint8_t)('0' + v % 10);
        v /= 10;
    }
    return d + n;
}

static uint8_t *put_2d(uint8_t *d, int v)
{
    d[0] = (uint8_t)('0' + v / 10 % 10);
    d[1] = (uint8_t)('0' + v % 10);
    return d + 2;
}

/* RFC 5424 §6 header hygiene: bytes outside 33..126 (and, for the 3164 TAG, '[' ']' ':')
 * become '_', at most |max| bytes, "-" when empty. |dst| has room for |max| + 1. */
static size_t sanitize_field(char *dst, const char *s, size_t len, size_t max, bool is_tag)
{
    if (len > max) {
        len = max;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        bool bad = c < 33 || c > 126 || (is_tag && (c == '[' || c == ']' || c == ':'));
        dst[i] = bad ? '_' : (char)c;
    }
    if (len == 0) {
        dst[0] = '-';
        len = 1;
    }
    dst[len] = '\0';
    return len;
}

static char *sanitized_dup(const char *s, size_t max, bool is_tag)
{
    char tmp[PROCID_MAX + HOSTNAME_MAX + 2];
    sanitize_field(tmp, s, strlen(s), max, is_tag);
    return sf_xstrdup(tmp);
}

static bool ascii_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen) {
        return false;
    }
    for (size_t i = 0; i < alen; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
        if (x != y) {
            return false;
        }
    }
    return true;
}

/* ---- the mapping ---- */

void sf_syslog_line_options_init(struct sf_syslog_line_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->format = SF_SYSLOG_LINE_RFC5424;
    opts->framing = SF_SYSLOG_LINE_FRAMING_OCTET;
    opts->facility = 1;
    opts->severity = 6;
    opts->hostname_mode = SF_SYSLOG_LINE_HOSTNAME_NONE;
    opts->msg_format = SF_SYSLOG_LINE_MSG_JSON;
    opts->utf8_bom = true;
}

static bool sd_name_ok(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > SD_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c < 33 || c > 126 || c == '=' || c == ']' || c == '"') {
            return false;
        }
    }
    return true;
}

static bool utf8_ok(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        int k = p[i] < 0x80 ? 1 : sf_utf8_scan(p + i, len - i);
        if (k < 0) {
            return false;
        }
        i += (size_t)k;
    }
    return true;
}

/* The longest header (and SD) these options can produce, plus BOM and marker: below this a
 * message might not fit at all. */
static size_t worst_head(const struct sf_syslog_line_mapping *m)
{
    size_t host = m->hostname_mode == SF_SYSLOG_LINE_HOSTNAME_SOURCE || m->host_t.n_parts
                      ? HOSTNAME_MAX
                  : m->hostname ? strlen(m->hostname)
                                : 1;
    size_t marker = sizeof(SF_SYSLOG_LINE_TRUNCATION_MARKER) - 1;
    size_t app = strlen(m->app_name);
    if (m->app_t.n_parts) {
        app = m->format == SF_SYSLOG_LINE_RFC3164 ? TAG3164_MAX : APP_NAME_MAX;
    }
    if (m->format == SF_SYSLOG_LINE_RFC3164) {
        /* <191>Mmm dd hh:mm:ss HOST TAG[PID]: */
        return 5 + 16 + host + 1 + app + strlen(m->procid) + 2 + 2 + marker;
    }
    size_t msgid = m->msgid && !m->msgid_t.n_parts ? strlen(m->msgid) : MSGID_MAX;
    size_t sd = 1 + strlen(m->sd_id) + 3 * (12 + SF_SYSLOG_LINE_SD_VALUE_MAX) + 8 + 11 + 1 +
                sizeof(TRUNC_PARAM) + 1;
    /* <191>1 YYYY-MM-DDThh:mm:ss.uuuuuuZ host app procid msgid SD BOM */
    return 7 + 28 + host + 1 + app + 1 + strlen(m->procid) + 1 + msgid + 1 + sd + 1 + 3 + marker;
}

static sf_err fail(char *errbuf, size_t errbuf_size, const char *what)
{
    if (errbuf_size) {
        snprintf(errbuf, errbuf_size, "%s", what);
    }
    return SF_ERR_CONFIG;
}

static bool nonempty_or_null(const char *s)
{
    return s == NULL || s[0] != '\0';
}

/* Keeps the template of a value that names a field; a plain one stays static, as it was. The
 * static copy of a literal is its text with "{{" and "}}" reduced. */
static sf_err keep_template(struct sf_template *t,
                            char **statik,
                            const char *value,
                            const char *what,
                            size_t max,
                            bool is_tag,
                            char *errbuf,
                            size_t errbuf_size)
{
    if (value == NULL || sf_template_is_plain(value)) {
        return SF_OK;
    }
    char why[192];
    if (sf_template_parse(value, t, why, sizeof(why)) != SF_OK) {
        sf_template_cleanup(t);
        if (errbuf_size) {
            snprintf(errbuf, errbuf_size, "syslog %s \"%.64s\": %s", what, value, why);
        }
        return SF_ERR_CONFIG;
    }
    if (t->is_literal && statik) {
        free(*statik);
        *statik = sanitized_dup(t->text, max, is_tag);
        sf_template_cleanup(t);
    }
    return SF_OK;
}

static sf_err parse_templates(struct sf_syslog_line_mapping *m,
                              const struct sf_syslog_line_options *opts,
                              char *errbuf,
                              size_t errbuf_size)
{
    bool is_3164 = m->format == SF_SYSLOG_LINE_RFC3164;
    sf_err err = SF_OK;
    if (opts->hostname_mode == SF_SYSLOG_LINE_HOSTNAME_STATIC) {
        err = keep_template(&m->host_t, &m->hostname, opts->hostname, "hostname", HOSTNAME_MAX,
                            false, errbuf, errbuf_size);
    }
    if (!err) {
        err = keep_template(&m->app_t, &m->app_name, opts->app_name, "app_name",
                            is_3164 ? TAG3164_MAX : APP_NAME_MAX, is_3164, errbuf, errbuf_size);
    }
    if (!err) {
        err = keep_template(&m->msgid_t, &m->msgid, opts->msgid, "msgid", MSGID_MAX, false, errbuf,
                            errbuf_size);
    }
    return err;
}

sf_err sf_syslog_line_mapping_new(const struct sf_syslog_line_options *opts,
                                  struct sf_syslog_line_mapping **out,
                                  char *errbuf,
                                  size_t errbuf_size)
{
    *out = NULL;
    if (opts->facility < 0 || opts->facility > 23) {
        return fail(errbuf, errbuf_size, "syslog facility must be 0..23");
    }
    if (opts->severity < 0 || opts->severity > 7) {
        return fail(errbuf, errbuf_size, "syslog severity must be 0..7");
    }
    if (!nonempty_or_null(opts->app_name) || !nonempty_or_null(opts->procid) ||
        !nonempty_or_null(opts->msgid) || !nonempty_or_null(opts->kv_sep) ||
        !nonempty_or_null(opts->severity_field)) {
        return fail(errbuf, errbuf_size,
                    "syslog app_name, procid, msgid, kv_sep and severity_field may not be empty; "
                    "leave them unset for the default");
    }
    if (opts->hostname_mode == SF_SYSLOG_LINE_HOSTNAME_STATIC &&
        (opts->hostname == NULL || opts->hostname[0] == '\0')) {
        return fail(errbuf, errbuf_size, "syslog hostname mode static needs a hostname");
    }
    if (opts->kv_sep && !utf8_ok(opts->kv_sep)) {
        return fail(errbuf, errbuf_size, "syslog kv_sep must be valid UTF-8");
    }
    if (opts->sd_id && !sd_name_ok(opts->sd_id)) {
        return fail(errbuf, errbuf_size,
                    "syslog sd_id must be 1..32 printable ASCII characters without = ] \" or "
                    "space, e.g. name@32473");
    }
    for (size_t i = 0; i < opts->n_severity_map; i++) {
        const struct sf_syslog_line_severity_entry *e = &opts->severity_map[i];
        if (e->value == NULL || e->value[0] == '\0' || e->severity < 0 || e->severity > 7) {
            return fail(errbuf, errbuf_size,
                        "syslog severity map entries need a non-empty value and a severity 0..7");
        }
    }
    bool is_3164 = opts->format == SF_SYSLOG_LINE_RFC3164;
    struct sf_syslog_line_mapping *m = sf_xcalloc(1, sizeof(*m));
    m->format = opts->format;
    m->framing = opts->framing;
    m->msg_format = opts->msg_format;
    m->hostname_mode = opts->hostname_mode;
    m->facility = opts->facility;
    m->severity = opts->severity;
    m->utf8_bom = opts->utf8_bom && !is_3164;
    m->severity_field = opts->severity_field ? sf_xstrdup(opts->severity_field) : NULL;
    if (opts->n_severity_map) {
        m->sev = sf_xcalloc(opts->n_severity_map, sizeof(*m->sev));
        for (size_t i = 0; i < opts->n_severity_map; i++) {
            m->sev[i].value = sf_xstrdup(opts->severity_map[i].value);
            m->sev[i].severity = opts->severity_map[i].severity;
        }
        m->n_sev = opts->n_severity_map;
    }
    if (opts->hostname_mode == SF_SYSLOG_LINE_HOSTNAME_STATIC) {
        m->hostname = sanitized_dup(opts->hostname, HOSTNAME_MAX, false);
    }
    m->app_name = sanitized_dup(opts->app_name ? opts->app_name : DEFAULT_APP,
                                is_3164 ? TAG3164_MAX : APP_NAME_MAX, is_3164);
    m->procid = sanitized_dup(opts->procid ? opts->procid : "-", PROCID_MAX, is_3164);
    m->msgid = opts->msgid ? sanitized_dup(opts->msgid, MSGID_MAX, false) : NULL;
    m->sd_id = sf_xstrdup(opts->sd_id ? opts->sd_id : DEFAULT_SDID);
    m->kv_sep = sf_xstrdup(opts->kv_sep ? opts->kv_sep : "||");
    m->kv_sep_len = strlen(m->kv_sep);
    sf_err terr = parse_templates(m, opts, errbuf, errbuf_size);
    if (terr) {
        sf_syslog_line_mapping_free(m);
        return terr;
    }

    size_t max = opts->max_message_size;
    if (max == 0) {
        max = opts->framing != SF_SYSLOG_LINE_FRAMING_NONE ? SF_SYSLOG_LINE_DEFAULT_STREAM_MESSAGE
              : is_3164                                    ? 1024
                                                           : 2048;
    }
    m->max_message = max;
    size_t limit = opts->framing == SF_SYSLOG_LINE_FRAMING_NONE ? SF_SYSLOG_LINE_MAX_UDP_MESSAGE
                                                                : SF_SYSLOG_LINE_MAX_MESSAGE;
    size_t least = worst_head(m) + 16;
    if (max < least || max > limit) {
        if (errbuf_size) {
            snprintf(errbuf, errbuf_size,
                     "syslog max_message_size %zu is out of range: these options need %zu..%zu "
                     "(a shorter hostname, app_name, procid or msgid lowers the minimum)",
                     max, least, limit);
        }
        sf_syslog_line_mapping_free(m);
        return SF_ERR_CONFIG;
    }
    *out = m;
    return SF_OK;
}

void sf_syslog_line_mapping_free(struct sf_syslog_line_mapping *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n_sev; i++) {
        free(m->sev[i].value);
    }
    free(m->sev);
    free(m->severity_field);
    free(m->hostname);
    free(m->app_name);
    free(m->procid);
    free(m->msgid);
    free(m->sd_id);
    free(m->kv_sep);
    sf_template_cleanup(&m->host_t);
    sf_template_cleanup(&m->app_t);
    sf_template_cleanup(&m->msgid_t);
    free(m);
}

size_t sf_syslog_line_mapping_max_message(const struct sf_syslog_line_mapping *m)
{
    return m->max_message;
}

/* ---- severity ---- */

static int severity_of(const struct sf_syslog_line_mapping *m, const struct sf_log *log)
{
    if (m->severity_field == NULL) {
        return m->severity;
    }
    const struct sf_str *found = NULL;
    for (size_t i = 0; i < log->n_contents; i++) {
        if (sf_str_eq_cstr(log->contents[i].key, m->severity_field)) {
            found = &log->contents[i].value;
        }
    }
    if (found == NULL) {
        return m->severity;
    }
    for (size_t i = 0; i < m->n_sev; i++) {
        if (ascii_ieq(found->ptr, found->len, m->sev[i].value)) {
            return m->sev[i].severity;
        }
    }
    for (size_t i = 0; i < sizeof(builtin_sev) / sizeof(builtin_sev[0]); i++) {
        if (ascii_ieq(found->ptr, found->len, builtin_sev[i].value)) {
            return builtin_sev[i].severity;
        }
    }
    return m->severity;
}

/* ---- the bounded writer ---- */

struct wr {
    uint8_t *p;
    uint8_t *end;
    size_t n;     /* measuring: bytes that would be written */
    size_t limit; /* measuring: where the MSG is cut (SIZE_MAX: never) */
    bool measure;
    bool is_cut; /* something did not fit: nothing more is written */
};

/* Copies |src|, or when it does not fit, its longest prefix of whole characters (every piece
 * passed here is whole UTF-8 characters, so this cuts the MSG at a character boundary), and
 * then nothing more. Measuring does the same arithmetic, so both give the same length. */
static void put(struct wr *w, const void *src, size_t len)
{
    if (w->is_cut) {
        return;
    }
    size_t room = w->measure ? w->limit - w->n : (size_t)(w->end - w->p);
    if (len > room) {
        const uint8_t *s = src;
        len = room;
        while (len > 0 && is_cont(s[len])) {
            len--;
        }
        w->is_cut = true;
    }
    if (w->measure) {
        w->n += len;
        return;
    }
    memcpy(w->p, src, len);
    w->p += len;
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

/* A split point at or before |q| (i < q < len) that no ill-formed or well-formed sequence
 * straddles: before a byte that is not a continuation byte, or after three continuation bytes
 * (no sequence is longer than four). */
static size_t safe_split(const uint8_t *s, size_t i, size_t q)
{
    while (q > i && is_cont(s[q]) &&
           !(q >= i + 3 && is_cont(s[q - 1]) && is_cont(s[q - 2]) && is_cont(s[q - 3]))) {
        q--;
    }
    return q > i ? q : i + 1;
}

/* |s| escaped as the content of a JSON string (json.h's policy). */
static void put_json(struct wr *w, const char *s, size_t len)
{
    if (w->is_cut || len == 0) {
        return;
    }
    if (w->measure) {
        size_t n = sf_json_escaped_len(s, len, 1);
        if (n <= w->limit - w->n) {
            w->n += n;
            return;
        }
    } else if ((size_t)(w->end - w->p) >= sf_json_escape_bound(len, 1)) {
        w->p = sf_json_escape_inline(w->p, (const uint8_t *)s, len, 1);
        return;
    }
    /* Near the end or the cut: escape in pieces into a scratch area, copying what fits. */
    const uint8_t *u = (const uint8_t *)s;
    uint8_t tmp[CHUNK * 6 + 16];
    size_t i = 0;
    while (i < len && !w->is_cut) {
        size_t q = i + CHUNK < len ? safe_split(u, i, i + CHUNK) : len;
        uint8_t *e = sf_json_escape_inline(tmp, u + i, q - i, 1);
        put(w, tmp, (size_t)(e - tmp));
        i = q;
    }
}

/* |s| as text: ill-formed UTF-8 → U+FFFD; with LF framing, LF, CR and NUL → #012, #015, #000
 * (rsyslog's escape form) so they cannot end the frame. When |is_sd|, also `"`, `\` and `]` get
 * a backslash (RFC 5424 §6.3.3). */
static void put_text(struct wr *w, const char *s, size_t len, bool is_lf, bool is_sd)
{
    if (len == 0) {
        return;
    }
    const uint8_t *p = (const uint8_t *)s;
    const uint8_t *end = p + len;
    while (p < end) {
        const uint8_t *run = p;
        while (p < end && *p < 0x80 && *p != '"' && *p != '\\' && *p != ']' && *p != '\n' &&
               *p != '\r' && *p != '\0') {
            p++;
        }
        put(w, run, (size_t)(p - run));
        if (p == end) {
            break;
        }
        uint8_t c = *p;
        if (c >= 0x80) {
            int k = sf_utf8_scan(p, (size_t)(end - p));
            if (k > 0) {
                put(w, p, (size_t)k);
                p += k;
            } else {
                PUT_LIT(w, "\xEF\xBF\xBD");
                p += -k;
            }
            continue;
        }
        p++;
        if (is_lf && (c == '\n' || c == '\r' || c == '\0')) {
            put(w, c == '\n' ? "#012" : c == '\r' ? "#015" : "#000", 4);
            continue;
        }
        if (is_sd && (c == '"' || c == '\\' || c == ']')) {
            uint8_t esc[2] = {'\\', c};
            put(w, esc, 2);
            continue;
        }
        put(w, &c, 1);
    }
}

/* ---- the key list (vkey.h): 0 "__topic__", 1 "__source__", the tags, the contents ---- */

struct keys {
    const struct sf_loggroup *group;
    const struct sf_log *log;
    size_t n; /* 2 + tags + contents */
    bool dedup;
    const struct sf_filter *filter; /* field rules (filter.h), or NULL */
};

static struct sf_vkey key_at(const struct keys *k, size_t i, struct sf_str *value)
{
    return sf_vkey_at(k->group, k->log, i, value);
}

/* Like a dict, as the HEC event does: a repeated key keeps its first position and its last
 * value. False when key |i| repeats an earlier one; else its value in |*value|. */
static bool pick(const struct keys *k, size_t i, struct sf_vkey *key, struct sf_str *value)
{
    *key = key_at(k, i, value);
    if (!k->dedup) {
        return true;
    }
    struct sf_str other;
    for (size_t j = 0; j < i; j++) {
        if (sf_vkey_eq(key_at(k, j, &other), *key)) {
            return false;
        }
    }
    for (size_t j = i + 1; j < k->n; j++) {
        if (sf_vkey_eq(key_at(k, j, &other), *key)) {
            *value = other;
        }
    }
    return true;
}

static void put_body(struct wr *w, const struct sf_syslog_line_mapping *m, const struct keys *k)
{
    bool is_json = m->msg_format == SF_SYSLOG_LINE_MSG_JSON;
    bool is_lf = m->framing == SF_SYSLOG_LINE_FRAMING_LF;
    bool first = true;
    if (is_json) {
        PUT_LIT(w, "{");
    }
    for (size_t i = 0; i < k->n && !w->is_cut; i++) {
        struct sf_vkey key;
        struct sf_str value;
        if (!pick(k, i, &key, &value) || !sf_vkey_filter(k->filter, &key)) {
            continue;
        }
        if (is_json) {
            put(w, first ? "\"" : ",\"", first ? 1 : 2);
            if (key.is_tag) {
                PUT_LIT(w, SF_VKEY_TAG_PREFIX);
            }
            put_json(w, key.name.ptr, key.name.len);
            PUT_LIT(w, "\":\"");
            put_json(w, value.ptr, value.len);
            PUT_LIT(w, "\"");
        } else {
            put(w, m->kv_sep, m->kv_sep_len);
            if (key.is_tag) {
                PUT_LIT(w, SF_VKEY_TAG_PREFIX);
            }
            put_text(w, key.name.ptr, key.name.len, is_lf, false);
            PUT_LIT(w, "=");
            put_text(w, value.ptr, value.len, is_lf, false);
        }
        first = false;
    }
    if (is_json) {
        PUT_LIT(w, "}");
    }
}

/* Cheap upper bound of put_body's output. */
static size_t body_bound(const struct sf_syslog_line_mapping *m, const struct keys *k)
{
    size_t growth = sf_filter_rename_growth(k->filter);
    size_t n = 2 + k->n * (sf_json_escape_bound(growth, 1) + 4 * growth);
    for (size_t i = 0; i < k->n; i++) {
        struct sf_str value;
        struct sf_vkey key = key_at(k, i, &value);
        if (m->msg_format == SF_SYSLOG_LINE_MSG_JSON) {
            n += sf_json_escape_bound(key.name.len, 1) + sf_json_escape_bound(value.len, 1) + 16;
        } else {
            n += m->kv_sep_len + 16 + 4 * (key.name.len + value.len);
        }
    }
    return n;
}

/* ---- header ---- */

struct msg_ctx {
    const char *project;
    const char *logstore;
    int shard;
    const struct sf_loggroup *group;
    const struct sf_log *log;
};

/* One SD param ` name="value"`, the value escaped and capped at SF_SYSLOG_LINE_SD_VALUE_MAX bytes
 * on a character boundary; true when it was cut. */
static bool put_sd_param(struct wr *w, const char *name, const char *s, size_t len, bool is_lf)
{
    put(w, " ", 1);
    put(w, name, strlen(name));
    PUT_LIT(w, "=\"");
    uint8_t val[SF_SYSLOG_LINE_SD_VALUE_MAX + 4];
    struct wr v = {.p = val, .end = val + SF_SYSLOG_LINE_SD_VALUE_MAX};
    put_text(&v, s, len, is_lf, true);
    size_t n = (size_t)(v.p - val);
    if (v.is_cut) {
        /* Back to the start of the last whole character or escape; a lone trailing backslash
         * would escape the closing quote. */
        size_t k = n;
        while (k > 0 && is_cont(val[k - 1])) {
            k--;
        }
        if (k > 0 && val[k - 1] >= 0xC0) {
            size_t need = val[k - 1] >= 0xF0 ? 4 : val[k - 1] >= 0xE0 ? 3 : 2;
            n = k - 1 + need <= n ? n : k - 1;
        }
        size_t bs = 0;
        while (bs < n && val[n - 1 - bs] == '\\') {
            bs++;
        }
        n -= bs % 2;
        /* A cut "#01" of #012 is harmless text. */
    }
    put(w, val, n);
    PUT_LIT(w, "\"");
    return v.is_cut;
}

static void put_time5424(struct wr *w, const struct sf_log *log)
{
    struct tm tm;
    time_t t = (time_t)log->time;
    gmtime_r(&t, &tm);
    uint8_t b[32];
    uint8_t *d = put_uint(b, (size_t)tm.tm_year + 1900);
    *d++ = '-';
    d = put_2d(d, tm.tm_mon + 1);
    *d++ = '-';
    d = put_2d(d, tm.tm_mday);
    *d++ = 'T';
    d = put_2d(d, tm.tm_hour);
    *d++ = ':';
    d = put_2d(d, tm.tm_min);
    *d++ = ':';
    d = put_2d(d, tm.tm_sec);
    if (log->has_time_ns) {
        uint32_t us = log->time_ns < 1000000000u ? log->time_ns / 1000 : 999999;
        *d++ = '.';
        for (int i = 5; i >= 0; i--) {
            d[i] = (uint8_t)('0' + us % 10);
            us /= 10;
        }
        d += 6;
    }
    *d++ = 'Z';
    put(w, b, (size_t)(d - b));
}

static void put_time3164(struct wr *w, const struct sf_log *log)
{
    struct tm tm;
    time_t t = (time_t)log->time;
    gmtime_r(&t, &tm);
    uint8_t b[16];
    memcpy(b, month_abbr[tm.tm_mon], 3);
    b[3] = ' ';
    b[4] = tm.tm_mday < 10 ? ' ' : (uint8_t)('0' + tm.tm_mday / 10);
    b[5] = (uint8_t)('0' + tm.tm_mday % 10);
    b[6] = ' ';
    put_2d(b + 7, tm.tm_hour);
    b[9] = ':';
    put_2d(b + 10, tm.tm_min);
    b[12] = ':';
    put_2d(b + 13, tm.tm_sec);
    put(w, b, 15);
}

/* A header field from its template: rendered into the stack (the parts after |max| bytes are
 * not needed), then sanitised as a static value is. */
static void put_rendered(
    struct wr *w, const struct sf_template *t, const struct msg_ctx *c, size_t max, bool is_tag)
{
    struct sf_str vals[SF_TEMPLATE_MAX_PARTS];
    struct sf_template_source src = {sf_str_from(c->project), sf_str_from(c->logstore)};
    sf_template_resolve(t, &src, c->group, c->log, vals);
    char raw[HOSTNAME_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < t->n_parts && n < max; i++) {
        size_t take = vals[i].len < max - n ? vals[i].len : max - n;
        memcpy(raw + n, vals[i].ptr, take);
        n += take;
    }
    char field[HOSTNAME_MAX + 1];
    put(w, field, sanitize_field(field, raw, n, max, is_tag));
}

static void put_host(struct wr *w, const struct sf_syslog_line_mapping *m, const struct msg_ctx *c)
{
    if (m->host_t.n_parts) {
        put_rendered(w, &m->host_t, c, HOSTNAME_MAX, false);
    } else if (m->hostname_mode == SF_SYSLOG_LINE_HOSTNAME_STATIC) {
        put(w, m->hostname, strlen(m->hostname));
    } else if (m->hostname_mode == SF_SYSLOG_LINE_HOSTNAME_SOURCE) {
        char host[HOSTNAME_MAX + 1];
        size_t n =
            sanitize_field(host, c->group->source.ptr, c->group->source.len, HOSTNAME_MAX, false);
        put(w, host, n);
    } else {
        PUT_LIT(w, "-");
    }
}

/* Header through the SD (5424) or through "TAG[PID]: " (3164); returns whether an SD value was
 * cut. The caller gives a writer with room for HEAD_MAX bytes. */
static bool put_head(struct wr *w, const struct sf_syslog_line_mapping *m, const struct msg_ctx *c)
{
    uint8_t pri[8];
    pri[0] = '<';
    uint8_t *d = put_uint(pri + 1, (size_t)(m->facility * 8 + severity_of(m, c->log)));
    *d++ = '>';
    put(w, pri, (size_t)(d - pri));
    if (m->format == SF_SYSLOG_LINE_RFC3164) {
        put_time3164(w, c->log);
        PUT_LIT(w, " ");
        put_host(w, m, c);
        PUT_LIT(w, " ");
        if (m->app_t.n_parts) {
            put_rendered(w, &m->app_t, c, TAG3164_MAX, true);
        } else {
            put(w, m->app_name, strlen(m->app_name));
        }
        if (strcmp(m->procid, "-") != 0) {
            PUT_LIT(w, "[");
            put(w, m->procid, strlen(m->procid));
            PUT_LIT(w, "]");
        }
        PUT_LIT(w, ": ");
        return false;
    }
    PUT_LIT(w, "1 ");
    put_time5424(w, c->log);
    PUT_LIT(w, " ");
    put_host(w, m, c);
    PUT_LIT(w, " ");
    if (m->app_t.n_parts) {
        put_rendered(w, &m->app_t, c, APP_NAME_MAX, false);
    } else {
        put(w, m->app_name, strlen(m->app_name));
    }
    PUT_LIT(w, " ");
    put(w, m->procid, strlen(m->procid));
    PUT_LIT(w, " ");
    if (m->msgid_t.n_parts) {
        put_rendered(w, &m->msgid_t, c, MSGID_MAX, false);
    } else if (m->msgid) {
        put(w, m->msgid, strlen(m->msgid));
    } else {
        char msgid[MSGID_MAX + 1];
        put(w, msgid, sanitize_field(msgid, c->logstore, strlen(c->logstore), MSGID_MAX, false));
    }
    PUT_LIT(w, " [");
    put(w, m->sd_id, strlen(m->sd_id));
    bool is_lf = m->framing == SF_SYSLOG_LINE_FRAMING_LF;
    bool is_cut = put_sd_param(w, "project", c->project, strlen(c->project), is_lf);
    is_cut |= put_sd_param(w, "logstore", c->logstore, strlen(c->logstore), is_lf);
    is_cut |= put_sd_param(w, "topic", c->group->topic.ptr, c->group->topic.len, is_lf);
    PUT_LIT(w, " shard=\"");
    char shard[16];
    int n = snprintf(shard, sizeof(shard), "%d", c->shard);
    put(w, shard, (size_t)n);
    PUT_LIT(w, "\"");
    if (is_cut) {
        PUT_LIT(w, TRUNC_PARAM);
    }
    PUT_LIT(w, "]");
    return is_cut;
}

/* ---- one message ---- */

sf_err sf_syslog_line_append(const struct sf_syslog_line_mapping *m,
                             const char *project,
                             const char *logstore,
                             int shard,
                             const struct sf_loggroup *group,
                             const struct sf_log *log,
                             struct sf_buf *out)
{
    struct sf_syslog_line_append_info info;
    return sf_syslog_line_append_info(m, project, logstore, shard, group, log, out, &info);
}

sf_err sf_syslog_line_append_info(const struct sf_syslog_line_mapping *m,
                                  const char *project,
                                  const char *logstore,
                                  int shard,
                                  const struct sf_loggroup *group,
                                  const struct sf_log *log,
                                  struct sf_buf *out,
                                  struct sf_syslog_line_append_info *info)
{
    return sf_syslog_line_append_filtered(m, NULL, project, logstore, shard, group, log, out, info);
}

sf_err sf_syslog_line_append_filtered(const struct sf_syslog_line_mapping *m,
                                      const struct sf_filter *filter,
                                      const char *project,
                                      const char *logstore,
                                      int shard,
                                      const struct sf_loggroup *group,
                                      const struct sf_log *log,
                                      struct sf_buf *out,
                                      struct sf_syslog_line_append_info *info)
{
    struct msg_ctx c = {project, logstore, shard, group, log};
    size_t n_keys = 2 + group->n_tags + log->n_contents;
    struct keys k = {.group = group,
                     .log = log,
                     .n = n_keys,
                     .dedup = n_keys <= DEDUP_MAX,
                     .filter = sf_filter_has_field_rules(filter) ? filter : NULL};

    uint8_t head[HEAD_MAX];
    struct wr hw = {.p = head, .end = head + HEAD_MAX};
    bool has_trunc_param = put_head(&hw, m, &c);
    SF_ASSERT(!hw.is_cut);
    size_t head_len = (size_t)(hw.p - head);
    if (m->format == SF_SYSLOG_LINE_RFC3164) {
        head_len--; /* put_head ended with ": "; the separator below is that space */
    }
    size_t bom_len = m->utf8_bom ? 3 : 0;
    size_t marker_len = sizeof(SF_SYSLOG_LINE_TRUNCATION_MARKER) - 1;
    bool is_octet = m->framing == SF_SYSLOG_LINE_FRAMING_OCTET;
    size_t trailer = m->framing == SF_SYSLOG_LINE_FRAMING_LF ? 1 : 0;

    /* Room for the MSG, and whether it must be cut. */
    size_t body_max = 0;
    bool is_truncated = false;
    size_t full_bytes = 0; /* known only when measured (too big for the one pass) */
    size_t bound = body_bound(m, &k);
    size_t planned = head_len + 1 + bom_len + bound;
    bool is_one_pass = planned <= m->max_message &&
                       sf_buf_reserve(out, u32_digits(planned) + 1 + planned + trailer) == SF_OK;
    if (is_one_pass) {
        body_max = bound;
    } else {
        struct wr mw = {.measure = true, .limit = SIZE_MAX};
        put_body(&mw, m, &k);
        size_t whole = head_len + 1 + bom_len + mw.n;
        full_bytes = whole;
        if (whole <= m->max_message) {
            body_max = mw.n;
        } else {
            is_truncated = true;
            if (!has_trunc_param && m->format == SF_SYSLOG_LINE_RFC5424) {
                head_len--; /* before the final ']' */
                memcpy(head + head_len, TRUNC_PARAM "]", sizeof(TRUNC_PARAM));
                head_len += sizeof(TRUNC_PARAM);
            }
            SF_ASSERT(m->max_message >= head_len + 1 + bom_len + marker_len);
            body_max = m->max_message - head_len - 1 - bom_len - marker_len;
            /* Exactly where the cut falls. */
            struct wr cw = {.measure = true, .limit = body_max};
            put_body(&cw, m, &k);
            SF_ASSERT(cw.is_cut);
            body_max = cw.n;
        }
        planned = head_len + 1 + bom_len + body_max + (is_truncated ? marker_len : 0);
        size_t need = (is_octet ? u32_digits(planned) + 1 : 0) + planned + trailer;
        sf_err err = sf_buf_reserve(out, need);
        if (err) {
            return out->len == 0 ? SF_ERR_TOO_BIG : err;
        }
    }

    /* Write: [prefix room] head SP [BOM] MSG [marker] [LF]. */
    size_t prefix_room = is_octet ? u32_digits(planned) + 1 : 0;
    uint8_t *msg = out->ptr + out->len + prefix_room;
    memcpy(msg, head, head_len);
    uint8_t *d = msg + head_len;
    *d++ = ' ';
    if (bom_len) {
        memcpy(d, BOM, 3);
        d += 3;
    }
    struct wr w = {.p = d, .end = d + body_max};
    put_body(&w, m, &k);
    if (is_truncated) {
        SF_ASSERT(w.p == d + body_max);
        memcpy(w.p, SF_SYSLOG_LINE_TRUNCATION_MARKER, marker_len);
        w.p += marker_len;
    } else {
        SF_ASSERT(!w.is_cut);
    }
    size_t msg_len = (size_t)(w.p - msg);
    info->is_truncated = is_truncated;
    info->full_bytes = is_truncated ? full_bytes : msg_len;
    if (is_octet) {
        size_t digits = u32_digits(msg_len);
        uint8_t *start = out->ptr + out->len;
        if (digits + 1 < prefix_room) {
            memmove(start + digits + 1, msg, msg_len);
        }
        put_uint(start, msg_len);
        start[digits] = ' ';
        out->len += digits + 1 + msg_len;
    } else {
        out->len += msg_len;
        if (trailer) {
            out->ptr[out->len++] = '\n';
        }
    }
    return SF_OK;
}
