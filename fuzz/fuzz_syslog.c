/* libFuzzer target: arbitrary bytes → sf_loggroup_decode → sf_syslog_line_append for every log, in
 * option sets covering RFC 5424 and 3164, octet/LF/no framing, JSON and kv MSG, hostname from
 * __source__ and a severity field. For every input that decodes it checks:
 *   - framing: the buffer splits into exactly the messages appended (octet count matches, LF
 *     frames hold no other LF), each at most max_message_size;
 *   - RFC 5424: the header parses with the strict parser below (PRI without leading zeros,
 *     VERSION 1, RFC 3339 UTC time with 6 or no fraction digits, header fields of 1..max bytes
 *     of 33..126), exactly one SD-ELEMENT with our SD-ID and params, whose values unescape to
 *     valid UTF-8; the MSG after the BOM is valid UTF-8;
 *   - the bounded-buffer contract: with a small buffer, SF_ERR_FULL leaves it as it was, and
 *     flushing and retrying reproduces the unbounded output. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/loggroup.h"
#include "transform/syslog_line.h"
#include "util/arena.h"
#include "util/assert.h"
#include "util/buf.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_MAPS 6

/* Decodes UTF-8 by code point arithmetic (independent of transform/json.c). */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
        if (need == 0 || b >= 0xF8 || n - i <= need) {
            return false;
        }
        uint32_t cp = b & (0x3F >> need);
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += need + 1;
    }
    return true;
}

struct rd {
    const uint8_t *p;
    const uint8_t *end;
};

static bool eat(struct rd *r, char c)
{
    if (r->p < r->end && *r->p == (uint8_t)c) {
        r->p++;
        return true;
    }
    return false;
}

static bool ndigits(struct rd *r, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') {
            return false;
        }
        *v = *v * 10 + (*r->p++ - '0');
    }
    return true;
}

/* A header field: "-" or 1..max bytes of 33..126, then SP. */
static bool field(struct rd *r, size_t max)
{
    const uint8_t *start = r->p;
    while (r->p < r->end && *r->p >= 33 && *r->p <= 126) {
        r->p++;
    }
    size_t n = (size_t)(r->p - start);
    return n >= 1 && n <= max && eat(r, ' ');
}

/* PARAM-VALUE after its opening quote, through the closing one; unescapes into |val|. */
static bool param_value(struct rd *r, struct sf_buf *val)
{
    sf_buf_reset(val);
    while (r->p < r->end) {
        uint8_t c = *r->p++;
        if (c == '"') {
            return utf8_valid(val->ptr, val->len);
        }
        if (c == ']') {
            return false; /* must be escaped */
        }
        if (c == '\\' && r->p < r->end && (*r->p == '"' || *r->p == '\\' || *r->p == ']')) {
            c = *r->p++;
        }
        sf_buf_append(val, &c, 1);
    }
    return false;
}

static bool sd_name(struct rd *r, const char *want)
{
    size_t n = strlen(want);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, want, n) != 0) {
        return false;
    }
    r->p += n;
    return true;
}

/* A strict RFC 5424 message as we write it (§6), BOM and all. */
static void check_5424(const uint8_t *msg, size_t len, bool has_bom, struct sf_buf *val)
{
    struct rd r = {msg, msg + len};
    int v;
    SF_ASSERT(eat(&r, '<'));
    SF_ASSERT(r.p < r.end && *r.p >= '0' && *r.p <= '9');
    SF_ASSERT(!(*r.p == '0' && r.p + 1 < r.end && r.p[1] != '>'));
    int pri = 0;
    int n_pri = 0;
    while (r.p < r.end && *r.p >= '0' && *r.p <= '9') {
        pri = pri * 10 + (*r.p++ - '0');
        n_pri++;
    }
    SF_ASSERT(n_pri <= 3 && pri <= 191 && eat(&r, '>'));
    SF_ASSERT(eat(&r, '1') && eat(&r, ' '));
    SF_ASSERT(ndigits(&r, 4, &v) && eat(&r, '-') && ndigits(&r, 2, &v) && v >= 1 && v <= 12);
    SF_ASSERT(eat(&r, '-') && ndigits(&r, 2, &v) && v >= 1 && v <= 31 && eat(&r, 'T'));
    SF_ASSERT(ndigits(&r, 2, &v) && v <= 23 && eat(&r, ':') && ndigits(&r, 2, &v) && v <= 59);
    SF_ASSERT(eat(&r, ':') && ndigits(&r, 2, &v) && v <= 59);
    if (eat(&r, '.')) {
        SF_ASSERT(ndigits(&r, 6, &v));
    }
    SF_ASSERT(eat(&r, 'Z') && eat(&r, ' '));
    SF_ASSERT(field(&r, 255) && field(&r, 48) && field(&r, 128) && field(&r, 32));
    SF_ASSERT(eat(&r, '[') && sd_name(&r, "fz@1"));
    static const char *const params[] = {"project", "logstore", "topic", "shard"};
    for (size_t i = 0; i < 4; i++) {
        SF_ASSERT(eat(&r, ' ') && sd_name(&r, params[i]) && eat(&r, '=') && eat(&r, '"'));
        SF_ASSERT(param_value(&r, val));
    }
    if (eat(&r, ' ')) {
        SF_ASSERT(sd_name(&r, "truncated=\"1\""));
    }
    SF_ASSERT(eat(&r, ']') && eat(&r, ' '));
    if (has_bom) {
        SF_ASSERT(eat(&r, '\xEF') && eat(&r, '\xBB') && eat(&r, '\xBF'));
    }
    SF_ASSERT(utf8_valid(r.p, (size_t)(r.end - r.p)));
}

/* Splits |out| into messages per |framing| and checks each; returns how many. */
static size_t check_buffer(const struct sf_buf *out,
                           const struct sf_syslog_line_options *o,
                           size_t max,
                           struct sf_buf *val)
{
    size_t pos = 0;
    size_t n = 0;
    while (pos < out->len) {
        const uint8_t *p = out->ptr + pos;
        size_t left = out->len - pos;
        size_t len;
        if (o->framing == SF_SYSLOG_LINE_FRAMING_OCTET) {
            size_t k = 0;
            len = 0;
            while (k < left && p[k] >= '0' && p[k] <= '9') {
                len = len * 10 + (size_t)(p[k++] - '0');
            }
            SF_ASSERT(k >= 1 && p[0] != '0' && k < left && p[k] == ' ');
            SF_ASSERT(len <= left - k - 1);
            p += k + 1;
            pos += k + 1 + len;
        } else if (o->framing == SF_SYSLOG_LINE_FRAMING_LF) {
            const uint8_t *nl = memchr(p, '\n', left);
            SF_ASSERT(nl != NULL);
            len = (size_t)(nl - p);
            pos += len + 1;
        } else {
            len = left; /* one message per buffer */
            pos += len;
        }
        SF_ASSERT(len <= max);
        if (o->format == SF_SYSLOG_LINE_RFC5424) {
            check_5424(p, len, o->utf8_bom, val);
        } else {
            SF_ASSERT(len > 0 && p[0] == '<');
            SF_ASSERT(utf8_valid(p, len));
        }
        n++;
    }
    return n;
}

static void run(const struct sf_syslog_line_mapping *m,
                const struct sf_syslog_line_options *o,
                const struct sf_loggroup_list *list,
                size_t small_max)
{
    struct sf_buf all, one, small, joined, val;
    sf_buf_init(&all, SIZE_MAX);
    sf_buf_init(&one, SIZE_MAX);
    sf_buf_init(&small, small_max);
    sf_buf_init(&joined, SIZE_MAX);
    sf_buf_init(&val, SIZE_MAX);
    size_t max = sf_syslog_line_mapping_max_message(m);
    size_t shard = 0;
    for (size_t g = 0; g < list->n_groups; g++) {
        const struct sf_loggroup *group = &list->groups[g];
        for (size_t l = 0; l < group->n_logs; l++) {
            const struct sf_log *log = &group->logs[l];
            int sh = (int)(shard++ % 3) - 1;
            sf_buf_reset(&one);
            SF_ASSERT(sf_syslog_line_append(m, "p\"]\\", "store\xff", sh, group, log, &one) ==
                      SF_OK);
            SF_ASSERT(check_buffer(&one, o, max, &val) == 1);
            sf_buf_append(&all, one.ptr, one.len);

            size_t before = small.len;
            sf_err err = sf_syslog_line_append(m, "p\"]\\", "store\xff", sh, group, log, &small);
            if (err == SF_ERR_FULL) {
                SF_ASSERT(small.len == before && before > 0);
                sf_buf_append(&joined, small.ptr, small.len);
                sf_buf_reset(&small);
                err = sf_syslog_line_append(m, "p\"]\\", "store\xff", sh, group, log, &small);
            }
            if (err == SF_ERR_TOO_BIG) {
                SF_ASSERT(small.len == 0);
                sf_buf_append(&joined, one.ptr, one.len);
                continue;
            }
            SF_ASSERT(err == SF_OK);
            if (o->framing == SF_SYSLOG_LINE_FRAMING_NONE) {
                /* UDP: one datagram per buffer. */
                sf_buf_append(&joined, small.ptr, small.len);
                sf_buf_reset(&small);
            }
        }
    }
    sf_buf_append(&joined, small.ptr, small.len);
    SF_ASSERT(joined.len == all.len && (all.len == 0 || memcmp(joined.ptr, all.ptr, all.len) == 0));
    sf_buf_cleanup(&val);
    sf_buf_cleanup(&joined);
    sf_buf_cleanup(&small);
    sf_buf_cleanup(&one);
    sf_buf_cleanup(&all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sf_arena arena;
    static struct sf_syslog_line_mapping *maps[N_MAPS];
    static struct sf_syslog_line_options opts[N_MAPS];
    static bool is_ready;
    if (!is_ready) {
        for (int i = 0; i < N_MAPS; i++) {
            struct sf_syslog_line_options *o = &opts[i];
            sf_syslog_line_options_init(o);
            o->sd_id = "fz@1";
            o->format = i == 5 ? SF_SYSLOG_LINE_RFC3164 : SF_SYSLOG_LINE_RFC5424;
            o->framing = (enum sf_syslog_line_framing)(i % 3);
            o->msg_format = (enum sf_syslog_line_msg_format)(i / 2 % 2);
            o->hostname_mode = (enum sf_syslog_line_hostname_mode)(i % 3);
            o->hostname = "h st\xff";
            o->utf8_bom = i != 3;
            o->severity_field = i % 2 ? "level" : NULL;
            o->max_message_size = i == 4 ? 0 : 1400;
            SF_ASSERT(sf_syslog_line_mapping_new(o, &maps[i], NULL, 0) == SF_OK);
        }
        sf_arena_init(&arena, 64 * 1024);
        is_ready = true;
    }
    struct sf_loggroup_list list;
    if (sf_loggroup_decode(data, size, &arena, &list) == SF_OK) {
        size_t small_max = 1200 + (size * 7) % 3000;
        for (int i = 0; i < N_MAPS; i++) {
            run(maps[i], &opts[i], &list, small_max);
        }
    }
    sf_arena_reset(&arena);
    return 0;
}
