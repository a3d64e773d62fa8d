#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

#define SF_LOG_MODULE "hec-receiver"
#include "util/log.h"

#include "util/banned.h"

#define FLUSH_BYTES ((size_t)1 << 20) /* write in whole-line chunks of about this size */

static void write_all(struct hec_server *srv, const uint8_t *p, size_t len)
{
    if (srv->out_fd < 0) {
        return;
    }
    pthread_mutex_lock(&srv->out_lock);
    while (len > 0) {
        ssize_t n = write(srv->out_fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            SF_LOG_ERROR("msg=\"cannot write the out file; events are lost from it\" errno=%d",
                         errno);
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    pthread_mutex_unlock(&srv->out_lock);
}

static void flush(struct hec_recorder *rec)
{
    write_all(rec->srv, rec->lines.ptr, rec->lines.len);
    sf_buf_reset(&rec->lines);
}

void hec_recorder_init(struct hec_recorder *rec,
                       struct hec_server *srv,
                       const struct hec_record_meta *meta)
{
    rec->srv = srv;
    rec->meta = meta;
    sf_buf_init(&rec->lines, SIZE_MAX / 2);
}

void hec_recorder_finish(struct hec_recorder *rec)
{
    if (rec->lines.len) {
        flush(rec);
    }
    sf_buf_cleanup(&rec->lines);
}

static void append_cstr_json(struct sf_buf *out, const char *key, const char *value)
{
    sf_buf_printf(out, ",\"%s\":\"", key);
    hec_json_escape(out, (const uint8_t *)value, strlen(value));
    sf_buf_append(out, "\"", 1);
}

static void append_meta(struct hec_recorder *rec)
{
    struct sf_buf *out = &rec->lines;
    const struct hec_record_meta *meta = rec->meta;
    sf_buf_printf(out, ",\"_receiver_request\":%llu", (unsigned long long)meta->request_no);
    append_cstr_json(out, "_receiver_endpoint", meta->endpoint);
    append_cstr_json(out, "_receiver_token", meta->token_name);
    if (meta->channel) {
        append_cstr_json(out, "_receiver_channel", meta->channel);
    }
    sf_buf_append(out, "}\n", 2);
    if (out->len >= FLUSH_BYTES) {
        flush(rec);
    }
}

void hec_recorder_envelope(struct hec_recorder *rec, const uint8_t *env, size_t len)
{
    hec_scan_compact(env, len, &rec->lines);
    rec->lines.len--; /* the closing '}': the receiver's keys go before it */
    append_meta(rec);
}

void hec_recorder_raw(struct hec_recorder *rec,
                      const uint8_t *line,
                      size_t len,
                      const struct hec_raw_meta *raw)
{
    struct sf_buf *out = &rec->lines;
    sf_buf_append_cstr(out, "{\"event\":\"");
    hec_json_escape(out, line, len);
    sf_buf_append(out, "\"", 1);
    const char *keys[] = {"host", "source", "sourcetype", "index"};
    const char *values[] = {raw->host, raw->source, raw->sourcetype, raw->index};
    for (size_t i = 0; i < 4; i++) {
        if (values[i]) {
            append_cstr_json(out, keys[i], values[i]);
        }
    }
    append_meta(rec);
}

/* Length of the valid UTF-8 sequence at |s| (RFC 3629), or 0. */
static size_t utf8_len(const uint8_t *s, size_t avail)
{
    uint8_t c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (avail < n) {
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[k] & 0x3Fu);
    }
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return n;
}

void hec_json_escape(struct sf_buf *out, const uint8_t *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\') {
            i++;
        }
        sf_buf_append(out, s + start, i - start);
        if (i == len) {
            break;
        }
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sf_buf_append(out, esc, 2);
            i++;
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sf_buf_append(out, esc, 6);
            i++;
        } else {
            size_t n = utf8_len(s + i, len - i);
            if (n) {
                sf_buf_append(out, s + i, n);
                i += n;
            } else {
                sf_buf_append(out, "\xEF\xBF\xBD", 3); /* U+FFFD for one bad byte */
                i++;
            }
        }
    }
}
