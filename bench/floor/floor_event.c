/* LogGroupList decode and HEC event out, in one walk over the body. Each LogGroup is read
 * twice: once for its topic, source and tags (they follow the logs on the wire), written once
 * as the constant part of its events, then log by log: a log's fields are collected (Time_ns
 * comes after the contents on the wire, and the time leads the event) and written. */
#include <stdlib.h>
#include <string.h>

#include "floor.h"

#define TOPIC_TRAIL "actiontrail_audit_event"

struct view {
    const uint8_t *p;
    size_t n;
};

struct kv {
    struct view key, value;
};

/* Reused across calls: grows to the largest log or tag set seen. */
static struct kv *kvs;
static size_t kvs_cap;
static struct floor_buf prefix;

static inline bool varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && p < end; shift += 7) {
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (b < 0x80) {
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}

/* A length-delimited field's payload at *pp. */
static inline bool bytes(const uint8_t **pp, const uint8_t *end, struct view *out)
{
    uint64_t n;
    if (!varint(pp, end, &n) || n > (uint64_t)(end - *pp)) {
        return false;
    }
    out->p = *pp;
    out->n = (size_t)n;
    *pp += n;
    return true;
}

static bool skip(const uint8_t **pp, const uint8_t *end, unsigned wire)
{
    uint64_t v;
    struct view dummy;
    switch (wire) {
    case 0:
        return varint(pp, end, &v);
    case 1:
        if (end - *pp < 8) {
            return false;
        }
        *pp += 8;
        return true;
    case 2:
        return bytes(pp, end, &dummy);
    case 5:
        if (end - *pp < 4) {
            return false;
        }
        *pp += 4;
        return true;
    default:
        return false;
    }
}

static inline bool pair(struct view msg, struct kv *out)
{
    const uint8_t *p = msg.p, *end = msg.p + msg.n;
    /* Locals, stored once at the end: no store-to-load stall on |out|. */
    struct view key = {msg.p, 0}, value = {msg.p, 0};
    while (p < end) {
        uint64_t tag;
        if (!varint(&p, end, &tag)) {
            return false;
        }
        if (tag == 0x0A) {
            if (!bytes(&p, end, &key)) {
                return false;
            }
        } else if (tag == 0x12) {
            if (!bytes(&p, end, &value)) {
                return false;
            }
        } else if (!skip(&p, end, (unsigned)(tag & 7))) {
            return false;
        }
    }
    out->key = key;
    out->value = value;
    return true;
}

static void kvs_grow(size_t n)
{
    if (n <= kvs_cap) {
        return;
    }
    kvs_cap = n * 2;
    kvs = realloc(kvs, kvs_cap * sizeof(*kvs));
    if (!kvs) {
        abort();
    }
}

static inline uint8_t *put(uint8_t *d, const char *s, size_t n)
{
    memcpy(d, s, n);
    return d + n;
}

static inline uint8_t *put_string(uint8_t *d, struct view v)
{
    *d++ = '"';
    d = floor_json_escape(d, v.p, v.n);
    *d++ = '"';
    return d;
}

static uint8_t *put_u32(uint8_t *d, uint32_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) {
        d[i] = (uint8_t)tmp[n - 1 - i];
    }
    return d + n;
}

/* The group's constant part: ,"event":{"__topic__":..,"__source__":..,"__tag__:k":..  */
static bool group_prefix(struct view g, bool *is_trail)
{
    const uint8_t *p = g.p, *end = g.p + g.n;
    struct view topic = {g.p, 0}, source = {g.p, 0};
    size_t n_tags = 0, bound = 64;
    while (p < end) {
        uint64_t tag;
        if (!varint(&p, end, &tag)) {
            return false;
        }
        struct view v;
        switch (tag) {
        case 0x0A: /* Logs: the second walk */
            if (!bytes(&p, end, &v)) {
                return false;
            }
            break;
        case 0x1A:
            if (!bytes(&p, end, &topic)) {
                return false;
            }
            break;
        case 0x22:
            if (!bytes(&p, end, &source)) {
                return false;
            }
            break;
        case 0x32:
            if (!bytes(&p, end, &v)) {
                return false;
            }
            kvs_grow(n_tags + 1);
            if (!pair(v, &kvs[n_tags])) {
                return false;
            }
            bound += 6 * (kvs[n_tags].key.n + kvs[n_tags].value.n) + 16;
            n_tags++;
            break;
        default:
            if (!skip(&p, end, (unsigned)(tag & 7))) {
                return false;
            }
        }
    }
    *is_trail = topic.n == sizeof(TOPIC_TRAIL) - 1 && memcmp(topic.p, TOPIC_TRAIL, topic.n) == 0;
    prefix.len = 0;
    floor_buf_reserve(&prefix, bound + 6 * (topic.n + source.n));
    uint8_t *d = prefix.ptr;
    d = put(d, ",\"event\":{\"__topic__\":", 22);
    d = put_string(d, topic);
    d = put(d, ",\"__source__\":", 14);
    d = put_string(d, source);
    for (size_t i = 0; i < n_tags; i++) {
        d = put(d, ",\"__tag__:", 10);
        d = floor_json_escape(d, kvs[i].key.p, kvs[i].key.n);
        d = put(d, "\":", 2);
        d = put_string(d, kvs[i].value);
    }
    prefix.len = (size_t)(d - prefix.ptr);
    return true;
}

static bool
log_event(struct view lg, bool is_trail, struct floor_buf *out, struct floor_stats *stats)
{
    const uint8_t *p = lg.p, *end = lg.p + lg.n;
    uint64_t time = 0;
    uint32_t time_ns = 0;
    size_t n = 0;
    while (p < end) {
        uint64_t tag;
        if (!varint(&p, end, &tag)) {
            return false;
        }
        if (tag == 0x12) {
            struct view v;
            if (!bytes(&p, end, &v)) {
                return false;
            }
            kvs_grow(n + 1);
            if (!pair(v, &kvs[n])) {
                return false;
            }
            n++;
        } else if (tag == 0x08) {
            if (!varint(&p, end, &time)) {
                return false;
            }
        } else if (tag == 0x25) {
            if (end - p < 4) {
                return false;
            }
            memcpy(&time_ns, p, 4);
            p += 4;
        } else if (!skip(&p, end, (unsigned)(tag & 7))) {
            return false;
        }
    }
    /* Worst case: every content byte escaped to 6, plus the keys' punctuation. */
    floor_buf_reserve(out, 32 + prefix.len + 6 * lg.n + 8 * n);
    uint8_t *d = out->ptr + out->len;
    d = put(d, "{\"time\":", 8);
    d = put_u32(d, (uint32_t)time);
    if (time_ns != 0 && time_ns < 1000000000u) {
        uint32_t ms = time_ns / 1000000u;
        d[0] = '.';
        d[1] = (uint8_t)('0' + ms / 100);
        d[2] = (uint8_t)('0' + ms / 10 % 10);
        d[3] = (uint8_t)('0' + ms % 10);
        d += 4;
    }
    d = put(d, (const char *)prefix.ptr, prefix.len);
    for (size_t i = 0; i < n; i++) {
        *d++ = ',';
        d = put_string(d, kvs[i].key);
        *d++ = ':';
        size_t start, len;
        bool has_ctrl;
        if (is_trail && kvs[i].key.n == 5 && memcmp(kvs[i].key.p, "event", 5) == 0 &&
            floor_json_check(kvs[i].value.p, kvs[i].value.n, &start, &len, &has_ctrl)) {
            uint8_t *v = d;
            d = put(d, (const char *)kvs[i].value.p + start, len);
            for (; has_ctrl && v < d; v++) {
                *v = *v == '\n' || *v == '\r' || *v == '\t' ? ' ' : *v;
            }
            stats->n_embedded++;
        } else {
            d = put_string(d, kvs[i].value);
        }
    }
    d = put(d, "}}\n", 3);
    out->len = (size_t)(d - out->ptr);
    stats->n_events++;
    return true;
}

bool floor_events_append(const uint8_t *raw,
                         size_t len,
                         struct floor_buf *out,
                         struct floor_stats *stats)
{
    const uint8_t *p = raw, *end = raw + len;
    while (p < end) {
        uint64_t tag;
        if (!varint(&p, end, &tag)) {
            return false;
        }
        if (tag != 0x0A) {
            if (!skip(&p, end, (unsigned)(tag & 7))) {
                return false;
            }
            continue;
        }
        struct view g;
        bool is_trail;
        if (!bytes(&p, end, &g) || !group_prefix(g, &is_trail)) {
            return false;
        }
        const uint8_t *q = g.p, *gend = g.p + g.n;
        while (q < gend) {
            uint64_t t;
            if (!varint(&q, gend, &t)) {
                return false;
            }
            if (t != 0x0A) {
                if (!skip(&q, gend, (unsigned)(t & 7))) {
                    return false;
                }
                continue;
            }
            struct view lg;
            if (!bytes(&q, gend, &lg) || !log_event(lg, is_trail, out, stats)) {
                return false;
            }
        }
    }
    return true;
}
