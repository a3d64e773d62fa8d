/* libFuzzer target: arbitrary bytes → sf_loggroup_decode → sf_hec_event_append_list, in object and
 * string form, with json_fields that match the topics a fuzzer reaches ("" and
 * "actiontrail_audit_event"), and with routing templates over the topic, the source, a tag and
 * a content (a head written per event). For every input that decodes it checks:
 *   - each output line is '\n'-terminated, holds no other '\n', is well-formed UTF-8 and exactly
 *     one JSON object; in string form the "event" string's content is itself one JSON object.
 *     The checker below is written independently of transform/json.c (recursive descent, code
 *     point arithmetic for UTF-8), so the two validators check each other;
 *   - the list call gives the same bytes as one sf_hec_event_append per log;
 *   - with a small buffer, SF_ERR_FULL and SF_ERR_TOO_BIG leave it untouched, TOO_BIG comes
 *     only for an empty buffer, and flushing and resuming reproduces the unbounded output.
 * And, for every input, sf_json_check agrees with the checker on the raw bytes, and
 * sf_json_check_copy (the block-at-a-time path, reading up to the input's very end) agrees with
 * sf_json_check and copies the value. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/loggroup.h"
#include "transform/hec_event.h"
#include "transform/json.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/assert.h"
#include "util/buf.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the independent checker ---- */

struct checker {
    const uint8_t *p;
    const uint8_t *end;
    unsigned max_depth;
};

/* One well-formed UTF-8 character of 2-4 bytes at c->p (a byte >= 0x80), by decoding it. */
static bool utf8_char(struct checker *c)
{
    uint8_t b = *c->p;
    size_t need = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    if (need == 0 || b >= 0xF8 || (size_t)(c->end - c->p) <= need) {
        return false;
    }
    uint32_t cp = b & (0x3F >> need);
    for (size_t i = 1; i <= need; i++) {
        if ((c->p[i] & 0xC0) != 0x80) {
            return false;
        }
        cp = cp << 6 | (c->p[i] & 0x3F);
    }
    static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
    }
    c->p += need + 1;
    return true;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
    if (n == 0) {
        return true;
    }
    struct checker c = {.p = s, .end = s + n};
    while (c.p < c.end) {
        if (*c.p < 0x80) {
            c.p++;
        } else if (!utf8_char(&c)) {
            return false;
        }
    }
    return true;
}

static void ws(struct checker *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) {
        c->p++;
    }
}

static bool eat(struct checker *c, char ch)
{
    if (c->p < c->end && *c->p == (uint8_t)ch) {
        c->p++;
        return true;
    }
    return false;
}

static long hex4(struct checker *c)
{
    if (c->end - c->p < 4) {
        return -1;
    }
    long v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t h = *c->p++;
        int d = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* A string after its opening quote; appends its decoded content to |out| when not NULL. */
static bool string_body(struct checker *c, struct sf_buf *out)
{
    for (;;) {
        if (c->p >= c->end) {
            return false;
        }
        const uint8_t *at = c->p;
        uint8_t b = *c->p;
        if (b == '"') {
            c->p++;
            return true;
        }
        if (b < 0x20) {
            return false;
        }
        if (b >= 0x80) {
            if (!utf8_char(c)) {
                return false;
            }
            if (out) {
                sf_buf_append(out, at, (size_t)(c->p - at));
            }
            continue;
        }
        c->p++;
        if (b != '\\') {
            if (out) {
                sf_buf_append(out, &b, 1);
            }
            continue;
        }
        if (c->p >= c->end) {
            return false;
        }
        uint8_t e = *c->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != 0 && simple) {
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            if (out) {
                sf_buf_append(out, &decoded[simple - "\"\\/bfnrt"], 1);
            }
            continue;
        }
        if (e != 'u') {
            return false;
        }
        long cp = hex4(c);
        if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
            return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!eat(c, '\\') || !eat(c, 'u')) {
                return false;
            }
            long low = hex4(c);
            if (low < 0xDC00 || low > 0xDFFF) {
                return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (out) {
            uint8_t u[4];
            size_t n;
            if (cp < 0x80) {
                u[0] = (uint8_t)cp;
                n = 1;
            } else if (cp < 0x800) {
                u[0] = (uint8_t)(0xC0 | cp >> 6);
                u[1] = (uint8_t)(0x80 | (cp & 0x3F));
                n = 2;
            } else if (cp < 0x10000) {
                u[0] = (uint8_t)(0xE0 | cp >> 12);
                u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
                u[2] = (uint8_t)(0x80 | (cp & 0x3F));
                n = 3;
            } else {
                u[0] = (uint8_t)(0xF0 | cp >> 18);
                u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
                u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
                u[3] = (uint8_t)(0x80 | (cp & 0x3F));
                n = 4;
            }
            sf_buf_append(out, u, n);
        }
    }
}

static bool digits(struct checker *c)
{
    const uint8_t *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        c->p++;
    }
    return c->p > start;
}

static bool number(struct checker *c)
{
    eat(c, '-');
    if (!eat(c, '0') && !(c->p < c->end && *c->p >= '1' && *c->p <= '9' && digits(c))) {
        return false;
    }
    if (eat(c, '.') && !digits(c)) {
        return false;
    }
    if (eat(c, 'e') || eat(c, 'E')) {
        if (!eat(c, '+')) {
            eat(c, '-');
        }
        return digits(c);
    }
    return true;
}

static bool word(struct checker *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0) {
        return false;
    }
    c->p += n;
    return true;
}

static bool value(struct checker *c, unsigned depth);

static bool container(struct checker *c, unsigned depth, bool is_object)
{
    if (depth >= c->max_depth) {
        return false;
    }
    ws(c);
    if (eat(c, is_object ? '}' : ']')) {
        return true;
    }
    for (;;) {
        if (is_object) {
            if (!eat(c, '"') || !string_body(c, NULL)) {
                return false;
            }
            ws(c);
            if (!eat(c, ':')) {
                return false;
            }
        }
        if (!value(c, depth + 1)) {
            return false;
        }
        if (eat(c, ',')) {
            ws(c);
            continue;
        }
        return eat(c, is_object ? '}' : ']');
    }
}

/* A value with the whitespace around it. */
static bool value(struct checker *c, unsigned depth)
{
    ws(c);
    if (c->p >= c->end) {
        return false;
    }
    bool ok;
    switch (*c->p) {
    case '{':
    case '[':
        ok = container(c, depth, *c->p++ == '{');
        break;
    case '"':
        c->p++;
        ok = string_body(c, NULL);
        break;
    case 't':
        ok = word(c, "true");
        break;
    case 'f':
        ok = word(c, "false");
        break;
    case 'n':
        ok = word(c, "null");
        break;
    default:
        ok = number(c);
        break;
    }
    ws(c);
    return ok;
}

static bool is_json(const uint8_t *s, size_t n, unsigned max_depth)
{
    struct checker c = {.p = s, .end = s + n, .max_depth = max_depth};
    return value(&c, 0) && c.p == c.end;
}

static bool is_json_object(const uint8_t *s, size_t n, unsigned max_depth)
{
    struct checker c = {.p = s, .end = s + n, .max_depth = max_depth};
    ws(&c);
    return c.p < c.end && *c.p == '{' && is_json(s, n, max_depth);
}

/* ---- the properties ---- */

/* The decoded content of the "event" string of a string-form line (the checker has already
 * accepted the line): the first "\"event\":\"" at the top level is ours, as it comes after the
 * metadata, whose values cannot contain it unescaped. */
static void check_event_string(const uint8_t *line, size_t len, struct sf_buf *scratch)
{
    static const char marker[] = "\"event\":\"";
    const uint8_t *at = NULL;
    for (size_t i = 0; i + sizeof(marker) - 1 <= len; i++) {
        if (memcmp(line + i, marker, sizeof(marker) - 1) == 0) {
            at = line + i + sizeof(marker) - 1;
            break;
        }
    }
    SF_ASSERT(at != NULL);
    struct checker c = {.p = at, .end = line + len};
    sf_buf_reset(scratch);
    SF_ASSERT(string_body(&c, scratch));
    SF_ASSERT(is_json_object(scratch->ptr, scratch->len, SF_HEC_EVENT_JSON_MAX_DEPTH + 1));
}

static void check_lines(const struct sf_buf *out, bool as_string, struct sf_buf *scratch)
{
    SF_ASSERT(utf8_valid(out->ptr, out->len));
    size_t pos = 0;
    while (pos < out->len) {
        const uint8_t *line = out->ptr + pos;
        const uint8_t *nl = memchr(line, '\n', out->len - pos);
        SF_ASSERT(nl != NULL);
        size_t len = (size_t)(nl - line);
        /* Envelope, event object, then the embedded JSON's own depth. */
        SF_ASSERT(is_json_object(line, len, SF_HEC_EVENT_JSON_MAX_DEPTH + 2));
        if (as_string) {
            check_event_string(line, len, scratch);
        }
        pos += len + 1;
    }
}

static void check_mapping(const struct sf_hec_event_mapping *map,
                          bool as_string,
                          const struct sf_loggroup_list *list,
                          size_t small_max)
{
    struct sf_buf all, one, small, joined, scratch;
    sf_buf_init(&all, SIZE_MAX);
    sf_buf_init(&one, SIZE_MAX);
    sf_buf_init(&small, small_max);
    sf_buf_init(&joined, SIZE_MAX);
    sf_buf_init(&scratch, SIZE_MAX);

    size_t n_done;
    SF_ASSERT(sf_hec_event_append_list(map, list, 0, &all, &n_done) == SF_OK);
    SF_ASSERT(n_done == list->n_logs_total);
    check_lines(&all, as_string, &scratch);

    for (size_t g = 0; g < list->n_groups; g++) {
        for (size_t l = 0; l < list->groups[g].n_logs; l++) {
            SF_ASSERT(sf_hec_event_append(map, &list->groups[g], &list->groups[g].logs[l], &one) ==
                      SF_OK);
        }
    }
    SF_ASSERT(one.len == all.len && (all.len == 0 || memcmp(one.ptr, all.ptr, all.len) == 0));

    /* Small buffer: flush on FULL, write TOO_BIG events unbounded; same bytes in the end. */
    size_t next = 0;
    while (next < list->n_logs_total) {
        size_t before = small.len;
        uint8_t first = before ? small.ptr[0] : 0;
        sf_err err = sf_hec_event_append_list(map, list, next, &small, &n_done);
        next += n_done;
        if (err == SF_OK) {
            continue;
        }
        SF_ASSERT(err == SF_ERR_FULL || err == SF_ERR_TOO_BIG);
        SF_ASSERT(small.len <= small_max);
        if (n_done == 0) {
            SF_ASSERT(small.len == before && (before == 0 || small.ptr[0] == first));
            SF_ASSERT((err == SF_ERR_TOO_BIG) == (before == 0));
        }
        if (small.len) {
            sf_buf_append(&joined, small.ptr, small.len);
        }
        sf_buf_reset(&small);
        if (err == SF_ERR_TOO_BIG) {
            size_t at = next;
            for (size_t g = 0; g < list->n_groups; g++) {
                if (at < list->groups[g].n_logs) {
                    SF_ASSERT(sf_hec_event_append(map, &list->groups[g], &list->groups[g].logs[at],
                                                  &joined) == SF_OK);
                    break;
                }
                at -= list->groups[g].n_logs;
            }
            next++;
        }
    }
    if (small.len) {
        sf_buf_append(&joined, small.ptr, small.len);
    }
    SF_ASSERT(joined.len == all.len && (all.len == 0 || memcmp(joined.ptr, all.ptr, all.len) == 0));

    sf_buf_cleanup(&scratch);
    sf_buf_cleanup(&joined);
    sf_buf_cleanup(&small);
    sf_buf_cleanup(&one);
    sf_buf_cleanup(&all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sf_arena arena;
    static struct sf_hec_event_mapping *maps[3];
    static bool is_ready;
    if (!is_ready) {
        static const char *const fields[] = {"actiontrail_audit_event:event", ":event", ":k",
                                             ":__topic__", ":__tag__:t"};
        for (int form = 0; form < 2; form++) {
            struct sf_hec_event_options opts = {
                .sourcetype = "aliyun:sls",
                .index = "main",
                .host = "h\"\xff",
                .event_as_string = form == 1,
                .json_fields = fields,
                .n_json_fields = sizeof(fields) / sizeof(fields[0]),
            };
            SF_ASSERT(sf_hec_event_mapping_new(&opts, &maps[form], NULL, 0) == SF_OK);
        }
        const struct sf_hec_event_options routed = {
            .sourcetype = "{__topic__|x}",
            .index = "{k}-{__tag__:t|}",
            .host = "{__source__}",
            .source = "{project|p}{__tag__:__hostname__}",
            .json_fields = fields,
            .n_json_fields = sizeof(fields) / sizeof(fields[0]),
        };
        SF_ASSERT(sf_hec_event_mapping_new(&routed, &maps[2], NULL, 0) == SF_OK);
        sf_arena_init(&arena, 64 * 1024);
        is_ready = true;
    }

    /* The validators must agree on any bytes. */
    bool ours = sf_json_check((const char *)data, size, SF_HEC_EVENT_JSON_MAX_DEPTH, NULL);
    SF_ASSERT(ours == is_json(data, size, SF_HEC_EVENT_JSON_MAX_DEPTH));
    uint8_t *copy = sf_xmalloc(size ? size : 1); /* exactly the input's size: ASan sees more */
    struct sf_str value;
    SF_ASSERT(sf_json_check_copy(copy, (const char *)data, size, SF_HEC_EVENT_JSON_MAX_DEPTH,
                                 data + size, &value) == ours);
    for (size_t i = 0; ours && i < value.len; i++) {
        uint8_t c = (uint8_t)value.ptr[i];
        SF_ASSERT(copy[i] == (c < 0x20 ? ' ' : c));
    }
    free(copy);

    struct sf_loggroup_list list;
    if (sf_loggroup_decode(data, size, &arena, &list) == SF_OK) {
        /* A buffer size that varies with the input, small enough to force flushes. */
        size_t small_max = 64 + (size * 7) % 512;
        check_mapping(maps[0], false, &list, small_max);
        check_mapping(maps[1], true, &list, small_max);
        check_mapping(maps[2], false, &list, small_max);
    }
    sf_arena_reset(&arena);
    return 0;
}
