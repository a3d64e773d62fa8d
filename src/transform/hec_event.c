#include "transform/hec_event.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform/filter.h"
#include "transform/json.h"
#include "transform/json_int.h"
#include "transform/template.h"
#include "transform/vkey.h"
#include "util/alloc.h"
#include "util/assert.h"
#include "util/encode.h"
#include "util/template.h"

#include "util/banned.h"

/* The event writer is one description of the event's layout (emit_event) instantiated four
 * times: writing or measuring, object or string form. Writing first reserves a worst case for
 * the whole event (7 output bytes per input byte, plus a constant per key) and then stores
 * through a raw pointer with no further checks. Measuring gives the exact size; it runs only
 * when the worst case does not fit under the buffer's max, so that a buffer fills to the byte
 * and SF_ERR_FULL never comes early. */
#define ALWAYS_INLINE inline __attribute__((always_inline))

#define WORST_PER_BYTE 7  /* \u00XX escaped once more (string form) */
#define KV_OVERHEAD    64 /* separators, quotes, "__tag__:", and escaper scratch per key/value */
#define TIME_BOUND     32 /* {"time":4294967295.999 */
#define EVENT_SLACK    32 /* trailer and whole-word stores past the end */

/* Logs with more contents than this, or groups with more tags, skip the duplicate-key fast
 * check and take the general path, which handles any number in linear time. */
#define FAST_MAX_CONTENTS 64
#define FAST_MAX_TAGS     16
#define STACK_MAX_KEYS    256 /* general path: keys whose tables fit on the stack */

struct json_field {
    struct sf_str topic;
    struct sf_str field;
};

#define MAX_REFS 8 /* distinct field names in the templates that the key walk resolves */

/* The envelope's metadata keys, in the order they are written. */
enum { META_HOST, META_SOURCE, META_SOURCETYPE, META_INDEX, META__COUNT };
static const struct sf_str meta_open[META__COUNT] = {
    SF_STR_LIT(",\"host\":\""),
    SF_STR_LIT(",\"source\":\""),
    SF_STR_LIT(",\"sourcetype\":\""),
    SF_STR_LIT(",\"index\":\""),
};

struct sf_hec_event_mapping {
    bool event_as_string;
    /* Static mapping: the whole constant head. Dynamic mapping (a template names a field, or
     * position fields are on): NULL, and the head is written per event from the parts below. */
    uint8_t *head; /* ,"host":"…",…,"event":{   or   …,"event":"{ */
    size_t head_len;
    bool is_dynamic;
    struct sf_template meta[META__COUNT]; /* dynamic: n_parts 0 for an unset key */
    char *fields_body; /* dynamic: "name":"value",… of the static indexed fields, escaped */
    size_t fields_body_len;
    bool position_fields;
    /* The distinct field names the templates read, looked up in the walk over a log's keys
     * that the writer makes anyway (needs_general_path): by hash, then by bytes. ref_of gives
     * each FIELD part its entry. n_refs 0 with a FIELD part: too many names, parts scan. */
    struct sf_str ref_names[MAX_REFS];
    uint64_t ref_hashes[MAX_REFS];
    size_t n_refs;
    uint8_t ref_of[META__COUNT][SF_TEMPLATE_MAX_PARTS];
    struct json_field *fields; /* sorted by topic; bytes owned by |strings| */
    size_t n_fields;
    char *strings;
};

/* What is constant across the logs of one group, worked out once per group. */
struct group_ctx {
    const struct sf_hec_event_mapping *map;
    const struct sf_loggroup *group;
    const struct json_field *fields; /* json_fields for this group's topic */
    size_t n_fields;
    bool needs_general; /* tag keys repeat, are not UTF-8, or are too many to check cheaply */
    /* Field rules (filter.h), or NULL: which keys are written and under which name. */
    const struct sf_filter *filter;
    bool has_group_keys;  /* some key of the group part is written (always, without rules) */
    size_t rename_growth; /* per key, the most bytes a rename adds */
    size_t prefix_bound;  /* worst case of topic, source and tags (the head is apart) */
    /* sf_hec_event_append_list only: where |out| already holds this group's constant part
     * (topic, source and tags: the head is written per event), so later events copy it
     * instead of escaping it again. */
    bool is_cacheable;
    bool has_cache;
    const struct origin *origin;
    /* Per template field name: its value in the group (topic, source or a tag; "" for a
     * content name). On the fast path no content can repeat a group key, so a content found
     * in the walk is the only other value. */
    struct sf_str ref_group[MAX_REFS];
    size_t cache_off;
    size_t cache_len;
    /* The last log of the group that passed the duplicate-key check (needs_general_path): a
     * log whose content keys are the same bytes in the same order passes it too, and finds
     * each template field at the same index, so its keys are compared instead of hashed.
     * Logs of one source mostly share their key list. */
    const struct sf_log *fast_log;
    uint8_t fast_ref_at[MAX_REFS]; /* content index of each template field, or FAST_REF_NONE */
    /* The end of the decoded body the logs' strings lie in (sf_loggroup_list.data_end), or
     * NULL: the contents are then escaped without reading past their ends. */
    const uint8_t *data_end;
};

#define FAST_REF_NONE UINT8_MAX /* the field is no content: its group value stands */
_Static_assert(FAST_MAX_CONTENTS < FAST_REF_NONE, "a content index fits fast_ref_at");

#define PICK_SKIP UINT32_MAX

/* Where the logs being written come from, for {project}/{logstore} and the position key. */
struct origin {
    const struct sf_hec_event_origin *o; /* NULL: unknown */
    struct sf_template_source names;
    bool has_seq;      /* the pull's start cursor decoded to a sequence number */
    int64_t first_seq; /* of the list's first group */
    /* The position fields' constant text, escaped once per call:
     * "sls_shard":"<shard>","sls_position":"<project>/<logstore>/<shard>/   and, per group,
     * <sequence>   (or <cursor>+<group index>); each event adds /<offset>". */
    uint8_t
        prefix[2 * 6 * SF_HEC_EVENT_ORIGIN_NAME_MAX + 128]; /* escaped names, numbers, scratch */
    size_t prefix_len;
    uint8_t group_part[6 * 128 + 64];
    size_t group_part_len;
};

struct event {
    const struct group_ctx *g;
    const struct sf_log *log;
    size_t log_index; /* in its group: the position key's offset */
    /* Dynamic mapping: each template part's value for this log, resolved once per event (the
     * writer runs twice when it measures first), and each metadata value's length. */
    struct sf_str (*meta_vals)[SF_TEMPLATE_MAX_PARTS];
    size_t meta_len[META__COUNT];
    /* Each template field name's value, filled by the key walk; valid when |has_refs|. */
    struct sf_str ref_vals[MAX_REFS];
    bool has_refs;
    const struct sf_buf *out; /* source of the cached group part */
    const uint32_t *pick;     /* general path: per key, the index of its value, or PICK_SKIP */
    bool use_cache;
    uint8_t *group_begin; /* set while writing without the cache: the group part's extent */
    uint8_t *group_end;
};

/* ---- writer primitives: |measure| and |smode| are constants at every call ---- */

struct wr {
    uint8_t *p; /* writing */
    size_t n;   /* measuring */
};

static ALWAYS_INLINE void put(struct wr *w, const bool measure, const void *src, size_t len)
{
    if (measure) {
        w->n += len;
    } else {
        memcpy(w->p, src, len);
        w->p += len;
    }
}

#define PUT_LIT(w, measure, lit) put((w), (measure), (lit), sizeof(lit) - 1)

static ALWAYS_INLINE void
put_escaped(struct wr *w, const bool measure, struct sf_str s, unsigned level)
{
    if (measure) {
        w->n += sf_json_escaped_len(s.ptr, s.len, level);
    } else {
        w->p = sf_json_escape_inline(w->p, (const uint8_t *)s.ptr, s.len, level);
    }
}

/* put_escaped for a string of the decoded body, which ends at |data_end| (NULL: unknown):
 * escaped in whole blocks that may read past the string, never past the body. */
static ALWAYS_INLINE void put_escaped_from(
    struct wr *w, const bool measure, struct sf_str s, unsigned level, const uint8_t *data_end)
{
    if (!measure && data_end) {
        w->p = sf_json_escape_window(w->p, (const uint8_t *)s.ptr, s.len, level, data_end);
    } else {
        put_escaped(w, measure, s, level);
    }
}

/* A quote inside the event: bare in object form, escaped in string form. */
static ALWAYS_INLINE void put_quote(struct wr *w, const bool measure, const bool smode)
{
    if (smode) {
        PUT_LIT(w, measure, "\\\"");
    } else {
        PUT_LIT(w, measure, "\"");
    }
}

/* Opens a key: `"` for the first one, `,"` after. */
static ALWAYS_INLINE void
put_key_open(struct wr *w, const bool measure, const bool smode, bool first)
{
    if (!first) {
        PUT_LIT(w, measure, ",");
    }
    put_quote(w, measure, smode);
}

/* The key's name, escaped for where it sits, and the quote that closes it. */
static ALWAYS_INLINE void
put_key(struct wr *w, const bool measure, const bool smode, bool first, struct sf_vkey key)
{
    put_key_open(w, measure, smode, first);
    if (key.is_tag) {
        PUT_LIT(w, measure, SF_VKEY_TAG_PREFIX);
    }
    put_escaped(w, measure, key.name, smode ? 2 : 1);
    put_quote(w, measure, smode);
}

/* ':' and the value: embedded as JSON when |try_json| and it is one valid JSON value, a string
 * otherwise. In string form embedded JSON is escaped once (it sits in the outer string, not in
 * an inner one). */
static ALWAYS_INLINE void put_value(struct wr *w,
                                    const bool measure,
                                    const bool smode,
                                    struct sf_str value,
                                    bool try_json,
                                    const uint8_t *data_end)
{
    struct sf_str raw;
    if (try_json && !measure && !smode) {
        /* Checked and copied in one pass; on failure the string form overwrites the copy. */
        if (sf_json_check_copy(w->p + 1, value.ptr, value.len, SF_HEC_EVENT_JSON_MAX_DEPTH,
                               data_end, &raw)) {
            w->p[0] = ':';
            w->p += 1 + raw.len;
            return;
        }
    } else if (try_json && sf_json_check(value.ptr, value.len, SF_HEC_EVENT_JSON_MAX_DEPTH, &raw)) {
        PUT_LIT(w, measure, ":");
        if (smode) {
            put_escaped(w, measure, raw, 1);
        } else {
            w->n += raw.len;
        }
        return;
    }
    PUT_LIT(w, measure, ":");
    put_quote(w, measure, smode);
    put_escaped(w, measure, value, smode ? 2 : 1);
    put_quote(w, measure, smode);
}

/* Decimal digits of |v| at |d|; returns how many. */
static size_t format_u32(char *d, uint32_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) {
        d[i] = tmp[n - 1 - i];
    }
    return n;
}

/* {"time":<seconds>[.<ms>]. docs/protocol/hec.md §Event envelope: never a double; the milliseconds
 * are Time_ns truncated (rounding could carry into the next second). Time_ns 0 reads as absent, as
 * the reference program's "__time_ns_part__ only if non-zero"; a Time_ns of a second or more is not
 * a fraction of a second and is ignored. */
static ALWAYS_INLINE void put_time(struct wr *w, const bool measure, const struct sf_log *log)
{
    char buf[TIME_BOUND];
    memcpy(buf, "{\"time\":", 8);
    size_t n = 8 + format_u32(buf + 8, log->time);
    if (log->has_time_ns && log->time_ns != 0 && log->time_ns < 1000000000u) {
        uint32_t ms = log->time_ns / 1000000u;
        buf[n++] = '.';
        buf[n++] = (char)('0' + ms / 100);
        buf[n++] = (char)('0' + ms / 10 % 10);
        buf[n++] = (char)('0' + ms % 10);
    }
    put(w, measure, buf, n);
}

/* Decimal digits of |v| at |d|; returns how many. */
static size_t format_u64(char *d, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) {
        d[i] = tmp[n - 1 - i];
    }
    return n;
}

/* ,"fields":{…,"sls_shard":"3","sls_position":"<project>/<logstore>/<shard>/<seq>/<offset>"}
 * The position names the log by the sequence number of its LogGroup in the shard (the
 * LogGroup's own cursor, decoded: docs/protocol/sls-api.md §Cursors) and its offset in that group.
 * Both are properties of the stored data, not of the pull that read it, so a redelivery after a
 * crash or a rebalance (which pulls again from a committed cursor, always a LogGroup boundary)
 * writes the same key. Without a decodable cursor the cursor text stands in, with the group's
 * index. */
static ALWAYS_INLINE void put_position(struct wr *w, const bool measure, const struct event *ev)
{
    const struct origin *org = ev->g->origin;
    char num[24];
    put(w, measure, org->prefix, org->prefix_len);
    put(w, measure, org->group_part, org->group_part_len);
    num[0] = '/';
    size_t n = 1 + format_u64(num + 1, ev->log_index);
    num[n++] = '"';
    put(w, measure, num, n);
}

/* The constant parts of the position fields (see struct origin). */
static void origin_prefix(struct origin *org)
{
    uint8_t *d = org->prefix;
    memcpy(d, "\"sls_shard\":\"", 13);
    d += 13;
    d += format_u64((char *)d, (uint64_t)(uint32_t)org->o->shard);
    memcpy(d, "\",\"sls_position\":\"", 18);
    d += 18;
    d = sf_json_escape(d, org->names.project.ptr, org->names.project.len, 1);
    *d++ = '/';
    d = sf_json_escape(d, org->names.logstore.ptr, org->names.logstore.len, 1);
    *d++ = '/';
    d += format_u64((char *)d, (uint64_t)(uint32_t)org->o->shard);
    *d++ = '/';
    org->prefix_len = (size_t)(d - org->prefix);
}

static void origin_group(struct origin *org, size_t group_index)
{
    uint8_t *d = org->group_part;
    if (org->has_seq) {
        d += format_u64((char *)d, (uint64_t)org->first_seq + group_index);
    } else {
        d = sf_json_escape(d, org->o->cursor, strlen(org->o->cursor), 1);
        *d++ = '+';
        d += format_u64((char *)d, group_index);
    }
    org->group_part_len = (size_t)(d - org->group_part);
}

/* The envelope before "event": the mapping's constant head, or for a dynamic mapping each
 * metadata key with its template's value (omitted when that renders empty, as an unset key
 * is), the indexed fields and the position. Outside the event string in either form. */
static ALWAYS_INLINE void put_head(struct wr *w, const bool measure, const struct event *ev)
{
    const struct sf_hec_event_mapping *map = ev->g->map;
    if (!map->is_dynamic) {
        put(w, measure, map->head, map->head_len);
        return;
    }
    for (size_t m = 0; m < META__COUNT; m++) {
        if (ev->meta_len[m] == 0) {
            continue;
        }
        put(w, measure, meta_open[m].ptr, meta_open[m].len);
        for (size_t i = 0; i < map->meta[m].n_parts; i++) {
            put_escaped(w, measure, ev->meta_vals[m][i], 1);
        }
        PUT_LIT(w, measure, "\"");
    }
    bool has_position = map->position_fields && ev->g->origin && ev->g->origin->o;
    if (map->fields_body_len || has_position) {
        PUT_LIT(w, measure, ",\"fields\":{");
        put(w, measure, map->fields_body, map->fields_body_len);
        if (has_position) {
            if (map->fields_body_len) {
                PUT_LIT(w, measure, ",");
            }
            put_position(w, measure, ev);
        }
        PUT_LIT(w, measure, "}");
    }
    if (map->event_as_string) {
        PUT_LIT(w, measure, ",\"event\":\"{");
    } else {
        PUT_LIT(w, measure, ",\"event\":{");
    }
}

/* ---- keys ---- */

static bool is_json_field(const struct group_ctx *g, struct sf_str key)
{
    for (size_t i = 0; i < g->n_fields; i++) {
        if (sf_str_eq(g->fields[i].field, key)) {
            return true;
        }
    }
    return false;
}

/* is_json_field for a key in canonical form: a tag-form key is "__tag__:" + its name. */
static bool vkey_is_json_field(const struct group_ctx *g, struct sf_vkey key)
{
    for (size_t i = 0; i < g->n_fields && key.is_tag; i++) {
        struct sf_str field = g->fields[i].field;
        if (field.len == SF_VKEY_TAG_PREFIX_LEN + key.name.len &&
            memcmp(field.ptr, SF_VKEY_TAG_PREFIX, SF_VKEY_TAG_PREFIX_LEN) == 0 &&
            (key.name.len == 0 ||
             memcmp(field.ptr + SF_VKEY_TAG_PREFIX_LEN, key.name.ptr, key.name.len) == 0)) {
            return true;
        }
    }
    return !key.is_tag && is_json_field(g, key.name);
}

/* The event's key |i| (vkey.h gives the order). */
static struct sf_vkey vkey_at(const struct event *ev, size_t i)
{
    struct sf_str value;
    return sf_vkey_at(ev->g->group, ev->log, i, &value);
}

static struct sf_str value_at(const struct event *ev, size_t i)
{
    const struct sf_loggroup *group = ev->g->group;
    if (i == 0) {
        return group->topic;
    }
    if (i == 1) {
        return group->source;
    }
    i -= 2;
    if (i < group->n_tags) {
        return group->tags[i].value;
    }
    return ev->log->contents[i - group->n_tags].value;
}

/* A hash of |s| from its length and up to 16 bytes at its ends: enough to tell apart the keys
 * of real logs, and exact equality is always checked after a match. Since those loads cover
 * every byte of a key of up to 16 bytes, it also tells whether the key is pure ASCII (the rest
 * of a longer key is checked 8 bytes at a time). */
static ALWAYS_INLINE uint64_t key_hash(struct sf_str s, bool *is_ascii)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    size_t n = s.len;
    uint64_t a = 0;
    uint64_t b = 0;
    uint64_t high = 0;
    if (n >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
        high = a | b;
        for (size_t i = 8; i + 8 < n; i += 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            high |= x;
        }
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        a = x;
        b = y;
        high = a | b;
    } else if (n > 0) {
        a = (uint64_t)p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
        high = a;
    }
    *is_ascii = (high & 0x8080808080808080ull) == 0;
    uint64_t h = (a ^ n) * 0x9E3779B97F4A7C15ull;
    h = (h ^ b ^ (h >> 32)) * 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 29);
}

/* Keys are compared as they will read in the output: two keys whose ill-formed bytes both
 * become U+FFFD are the same key, or the event would hold one name twice. These run only on
 * the general path; the fast path sends every key that is not well-formed UTF-8 there. */
static bool is_utf8(struct sf_str s)
{
    const uint8_t *p = (const uint8_t *)s.ptr;
    const uint8_t *end = p + s.len;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        int n = sf_utf8_scan(p, (size_t)(end - p));
        if (n < 0) {
            return false;
        }
        p += n;
    }
    return true;
}

/* The next character of |s| at |*i| as it will be written (U+FFFD for an ill-formed part):
 * its bytes in |c|, their number returned. */
static size_t next_output_char(struct sf_str s, size_t *i, uint8_t c[4])
{
    const uint8_t *p = (const uint8_t *)s.ptr + *i;
    if (*p < 0x80) {
        c[0] = *p;
        *i += 1;
        return 1;
    }
    int n = sf_utf8_scan(p, s.len - *i);
    if (n < 0) {
        memcpy(c, "\xEF\xBF\xBD", 3);
        *i += (size_t)-n;
        return 3;
    }
    memcpy(c, p, (size_t)n);
    *i += (size_t)n;
    return (size_t)n;
}

static uint64_t output_hash(struct sf_str s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < s.len;) {
        uint8_t c[4];
        size_t n = next_output_char(s, &i, c);
        for (size_t k = 0; k < n; k++) {
            h = (h ^ c[k]) * 0x100000001b3ull;
        }
    }
    return h ^ (h >> 32);
}

static bool output_eq(struct sf_str a, struct sf_str b)
{
    if (sf_str_eq(a, b)) {
        return true;
    }
    size_t i = 0;
    size_t j = 0;
    while (i < a.len && j < b.len) {
        uint8_t ca[4], cb[4];
        size_t na = next_output_char(a, &i, ca);
        size_t nb = next_output_char(b, &j, cb);
        if (na != nb || memcmp(ca, cb, na) != 0) {
            return false;
        }
    }
    return i == a.len && j == b.len;
}

/* The same key once written: unlike sf_vkey_eq, keys that differ only in bytes written as
 * U+FFFD are one key, as the reference program sees the decoded text. */
static bool vkey_output_eq(struct sf_vkey a, struct sf_vkey b)
{
    return a.is_tag == b.is_tag && output_eq(a.name, b.name);
}

/* True when content key |key| could be the same key as "__topic__", "__source__" or a tag. */
static bool clashes_with_group(const struct group_ctx *g, struct sf_str key)
{
    if (sf_str_eq(key, SF_STR_LIT("__topic__")) || sf_str_eq(key, SF_STR_LIT("__source__"))) {
        return true;
    }
    struct sf_vkey vk = sf_vkey_content(key);
    if (!vk.is_tag) {
        return false;
    }
    for (size_t i = 0; i < g->group->n_tags; i++) {
        if (sf_str_eq(g->group->tags[i].key, vk.name)) {
            return true;
        }
    }
    return false;
}

/* Whether two keys are the same bytes: keys up to 32 bytes, the common case, in a few
 * whole-word loads instead of a call. */
static ALWAYS_INLINE bool same_key(struct sf_str a, struct sf_str b)
{
    size_t n = a.len;
    if (n != b.len) {
        return false;
    }
    const uint8_t *p = (const uint8_t *)a.ptr;
    const uint8_t *q = (const uint8_t *)b.ptr;
    if (n > 32) {
        return memcmp(p, q, n) == 0;
    }
    if (n > 16) { /* the first 16 and the last 16, overlapping */
        uint64_t x[4], y[4];
        memcpy(&x[0], p, 16);
        memcpy(&y[0], q, 16);
        memcpy(&x[2], p + n - 16, 16);
        memcpy(&y[2], q + n - 16, 16);
        return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
    }
    if (n >= 8) {
        uint64_t x0, x1, y0, y1;
        memcpy(&x0, p, 8);
        memcpy(&y0, q, 8);
        memcpy(&x1, p + n - 8, 8);
        memcpy(&y1, q + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4) {
        uint32_t x0, x1, y0, y1;
        memcpy(&x0, p, 4);
        memcpy(&y0, q, 4);
        memcpy(&x1, p + n - 4, 4);
        memcpy(&y1, q + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i]) {
            return false;
        }
    }
    return true;
}

/* needs_general_path for a log whose content keys are those of g->fast_log, byte for byte and
 * in order: false, with the bound and the template fields found at the same indexes. Returns
 * true without touching anything when the keys differ. */
static ALWAYS_INLINE bool
same_keys_as_fast_log(const struct group_ctx *g, const struct sf_log *log, size_t *sum)
{
    const struct sf_log *prev = g->fast_log;
    size_t n = log->n_contents;
    if (prev == NULL || prev->n_contents != n) {
        return false;
    }
    const struct sf_log_kv *kv = log->contents;
    const struct sf_log_kv *pkv = prev->contents;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!same_key(kv[i].key, pkv[i].key)) {
            return false;
        }
        total += kv[i].key.len + kv[i].value.len;
    }
    *sum = total;
    return true;
}

/* The fast check: whether |log| repeats a key, within its contents or against the group's
 * keys. Each content key sets one bit of a 128-bit filter chosen by its hash; only when the bit
 * is already set are the earlier hashes compared (a handful of times per event), so there is
 * no table to clear. Only keys starting with "__" can be a group key, and a key that is not
 * well-formed UTF-8 goes to the general path, which compares keys as they will be written.
 * Also adds the contents' worst case to *bound. */
static bool needs_general_path(struct group_ctx *g,
                               const struct sf_log *log,
                               size_t *bound,
                               struct sf_str *ref_vals)
{
    const struct sf_log_kv *kv = log->contents;
    size_t n = log->n_contents;
    const size_t n_refs = g->map->n_refs;
    size_t same_sum;
    if (same_keys_as_fast_log(g, log, &same_sum)) {
        for (size_t r = 0; r < n_refs; r++) {
            uint8_t at = g->fast_ref_at[r];
            ref_vals[r] = at == FAST_REF_NONE ? g->ref_group[r] : kv[at].value;
        }
        *bound = same_sum * WORST_PER_BYTE + n * KV_OVERHEAD;
        return false;
    }
    bool is_general = g->needs_general || n > FAST_MAX_CONTENTS;
    uint8_t ref_at[MAX_REFS];
    for (size_t r = 0; r < n_refs; r++) {
        ref_vals[r] = g->ref_group[r];
        ref_at[r] = FAST_REF_NONE;
    }
    uint64_t hashes[FAST_MAX_CONTENTS];
    uint64_t filter[2] = {0, 0};
    size_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += kv[i].key.len + kv[i].value.len;
        if (is_general) {
            continue;
        }
        struct sf_str key = kv[i].key;
        bool is_ascii;
        uint64_t h = key_hash(key, &is_ascii);
        if ((!is_ascii && !is_utf8(key)) || (key.len >= 2 && key.ptr[0] == '_' &&
                                             key.ptr[1] == '_' && clashes_with_group(g, key))) {
            is_general = true;
            continue;
        }
        hashes[i] = h;
        for (size_t r = 0; r < n_refs; r++) {
            if (g->map->ref_hashes[r] == h && sf_str_eq(g->map->ref_names[r], key)) {
                ref_vals[r] = kv[i].value;
                ref_at[r] = (uint8_t)i; /* i < FAST_MAX_CONTENTS < FAST_REF_NONE */
            }
        }
        uint64_t bit = 1ull << ((h >> 57) & 63);
        uint64_t *word = &filter[h >> 63];
        if (*word & bit) {
            for (size_t j = 0; j < i; j++) {
                if (hashes[j] == h && sf_str_eq(kv[j].key, key)) {
                    is_general = true;
                    break;
                }
            }
        }
        *word |= bit;
    }
    *bound = sum * WORST_PER_BYTE + n * KV_OVERHEAD;
    if (!is_general) {
        g->fast_log = log;
        for (size_t r = 0; r < n_refs; r++) {
            g->fast_ref_at[r] = ref_at[r];
        }
    }
    return is_general;
}

/* Python dict semantics over the event's |n_keys| keys: pick[i] is the index whose value key i
 * takes (the last one with that key) when i is its first occurrence, PICK_SKIP otherwise.
 * |slots| has |n_slots| (a power of two, >= 2 * n_keys) entries of scratch. */
static void compute_picks(
    const struct event *ev, size_t n_keys, uint32_t *pick, uint32_t *slots, size_t n_slots)
{
    memset(slots, 0, n_slots * sizeof(*slots));
    for (size_t i = 0; i < n_keys; i++) {
        struct sf_vkey key = vkey_at(ev, i);
        size_t slot = (size_t)(output_hash(key.name) ^ key.is_tag) & (n_slots - 1);
        pick[i] = (uint32_t)i;
        while (slots[slot] != 0) {
            size_t j = slots[slot] - 1u;
            if (vkey_output_eq(vkey_at(ev, j), key)) {
                pick[j] = (uint32_t)i;
                pick[i] = PICK_SKIP;
                break;
            }
            slot = (slot + 1) & (n_slots - 1);
        }
        if (pick[i] != PICK_SKIP) {
            slots[slot] = (uint32_t)(i + 1);
        }
    }
}

/* ---- the event layout ---- */

static ALWAYS_INLINE void
emit_group_part(struct wr *w, const bool measure, const bool smode, const struct group_ctx *g)
{
    const struct sf_loggroup *group = g->group;
    bool first = true;
    for (size_t i = 0; i < 2 + group->n_tags; i++) {
        struct sf_str value;
        struct sf_vkey key = sf_vkey_at(group, NULL, i, &value);
        if (!sf_vkey_filter(g->filter, &key)) {
            continue;
        }
        put_key(w, measure, smode, first, key);
        put_value(w, measure, smode, value, false, NULL);
        first = false;
    }
}

/* The contents with field rules: keys dropped or renamed; the first key written opens the
 * object when the group part wrote none. */
static ALWAYS_INLINE void emit_filtered_contents(struct wr *w,
                                                 const bool measure,
                                                 const bool smode,
                                                 const struct group_ctx *g,
                                                 const struct sf_log *log)
{
    const struct sf_log_kv *kv = log->contents;
    bool first = !g->has_group_keys;
    for (size_t i = 0; i < log->n_contents; i++) {
        struct sf_vkey key = {.name = kv[i].key};
        if (!sf_vkey_filter(g->filter, &key)) {
            continue;
        }
        put_key(w, measure, smode, first, key);
        put_value(w, measure, smode, kv[i].value, g->n_fields && is_json_field(g, kv[i].key),
                  g->data_end);
        first = false;
    }
}

static ALWAYS_INLINE void
emit_event(struct wr *w, const bool measure, const bool smode, struct event *ev)
{
    const struct group_ctx *g = ev->g;
    const struct sf_log *log = ev->log;

    put_time(w, measure, log);
    if (ev->pick) {
        /* General path: every key in dict order, each once, with its last value. */
        size_t n_fixed = 2 + g->group->n_tags;
        size_t n_keys = n_fixed + log->n_contents;
        bool first = true;
        put_head(w, measure, ev);
        for (size_t i = 0; i < n_keys; i++) {
            uint32_t from = ev->pick[i];
            if (from == PICK_SKIP) {
                continue;
            }
            struct sf_vkey key = vkey_at(ev, i);
            /* Only a content's value can be JSON, whichever position its key holds. */
            bool try_json = from >= n_fixed && vkey_is_json_field(g, key);
            if (!sf_vkey_filter(g->filter, &key)) {
                continue;
            }
            put_key(w, measure, smode, first, key);
            put_value(w, measure, smode, value_at(ev, from), try_json, NULL);
            first = false;
        }
    } else {
        put_head(w, measure, ev);
        if (ev->use_cache) {
            put(w, measure, ev->out->ptr + g->cache_off, g->cache_len);
        } else {
            if (!measure) {
                ev->group_begin = w->p;
            }
            emit_group_part(w, measure, smode, g);
            if (!measure) {
                ev->group_end = w->p;
            }
        }
        const struct sf_log_kv *kv = log->contents;
        if (g->filter) {
            emit_filtered_contents(w, measure, smode, g, log);
        } else {
            /* The hot loop: kept free of the filter's branches (bench_transform). Keys and
             * values lie in the decoded body, so they are escaped a whole block at a time. */
            const uint8_t *data_end = g->data_end;
            for (size_t i = 0; i < log->n_contents; i++) {
                put_key_open(w, measure, smode, false);
                put_escaped_from(w, measure, kv[i].key, smode ? 2 : 1, data_end);
                put_quote(w, measure, smode);
                if (g->n_fields && is_json_field(g, kv[i].key)) {
                    put_value(w, measure, smode, kv[i].value, true, data_end);
                } else {
                    PUT_LIT(w, measure, ":");
                    put_quote(w, measure, smode);
                    put_escaped_from(w, measure, kv[i].value, smode ? 2 : 1, data_end);
                    put_quote(w, measure, smode);
                }
            }
        }
    }
    if (smode) {
        PUT_LIT(w, measure, "}\"}\n");
    } else {
        PUT_LIT(w, measure, "}}\n");
    }
}

static uint8_t *write_object_form(struct event *ev, uint8_t *p)
{
    struct wr w = {.p = p};
    emit_event(&w, false, false, ev);
    return w.p;
}

static uint8_t *write_string_form(struct event *ev, uint8_t *p)
{
    struct wr w = {.p = p};
    emit_event(&w, false, true, ev);
    return w.p;
}

static size_t measure_object_form(struct event *ev)
{
    struct wr w = {.n = 0};
    emit_event(&w, true, false, ev);
    return w.n;
}

static size_t measure_string_form(struct event *ev)
{
    struct wr w = {.n = 0};
    emit_event(&w, true, true, ev);
    return w.n;
}

static uint8_t *write_form(struct event *ev, uint8_t *p)
{
    return ev->g->map->event_as_string ? write_string_form(ev, p) : write_object_form(ev, p);
}

/* The rare path, when the worst case does not fit under |out|'s max: measure, then write in
 * place if the exact size and the writer's scratch fit, else through a temporary copy. */
static sf_err write_exact(struct event *ev, struct sf_buf *out)
{
    size_t start = out->len;
    size_t exact = ev->g->map->event_as_string ? measure_string_form(ev) : measure_object_form(ev);
    if (exact > out->max - start) {
        return start == 0 ? SF_ERR_TOO_BIG : SF_ERR_FULL;
    }
    if (sf_buf_reserve(out, exact + EVENT_SLACK) == SF_OK) {
        uint8_t *end = write_form(ev, out->ptr + start);
        SF_ASSERT((size_t)(end - (out->ptr + start)) == exact);
        out->len = start + exact;
        return SF_OK;
    }
    uint8_t *tmp = sf_xmalloc(exact + EVENT_SLACK);
    uint8_t *end = write_form(ev, tmp);
    SF_ASSERT((size_t)(end - tmp) == exact);
    sf_err err = sf_buf_append(out, tmp, exact);
    SF_ASSERT(err == SF_OK); /* exact <= max - len, checked above */
    free(tmp);
    return SF_OK;
}

/* A dynamic mapping's head for |ev|: resolves every template once into |vals| and returns the
 * head's worst case. A static mapping's head is its length. */
/* sf_template_resolve with the field values the key walk found. */
static size_t resolve_from_walk(const struct event *ev, size_t m, struct sf_str *vals)
{
    const struct sf_hec_event_mapping *map = ev->g->map;
    const struct sf_template *t = &map->meta[m];
    const struct origin *org = ev->g->origin;
    static const struct sf_str empty = {.ptr = "", .len = 0};
    size_t total = 0;
    for (size_t i = 0; i < t->n_parts; i++) {
        const struct sf_template_part *p = &t->parts[i];
        struct sf_str v = p->kind == SF_TEMPLATE_LITERAL   ? p->text
                          : p->kind == SF_TEMPLATE_FIELD   ? ev->ref_vals[map->ref_of[m][i]]
                          : !org                           ? empty
                          : p->kind == SF_TEMPLATE_PROJECT ? org->names.project
                                                           : org->names.logstore;
        if (v.len == 0 && p->has_fallback) {
            v = p->fallback;
        }
        vals[i] = v;
        total += v.len;
    }
    return total;
}

static size_t prepare_head(struct event *ev, struct sf_str (*vals)[SF_TEMPLATE_MAX_PARTS])
{
    const struct sf_hec_event_mapping *map = ev->g->map;
    if (!map->is_dynamic) {
        return map->head_len;
    }
    const struct origin *org = ev->g->origin;
    size_t bound = 32 + map->fields_body_len;
    ev->meta_vals = vals;
    for (size_t m = 0; m < META__COUNT; m++) {
        ev->meta_len[m] = ev->has_refs
                              ? resolve_from_walk(ev, m, vals[m])
                              : sf_template_resolve(&map->meta[m], org ? &org->names : NULL,
                                                    ev->g->group, ev->log, vals[m]);
        bound += meta_open[m].len + 1 + ev->meta_len[m] * WORST_PER_BYTE;
    }
    if (map->position_fields && org && org->o) {
        bound += org->prefix_len + org->group_part_len + 32;
    }
    return bound;
}

static sf_err
write_event(struct group_ctx *g, const struct sf_log *log, size_t log_index, struct sf_buf *out)
{
    struct event ev = {.g = g, .log = log, .out = out, .log_index = log_index};
    struct sf_str meta_vals[META__COUNT][SF_TEMPLATE_MAX_PARTS];
    uint32_t stack_tables[3 * STACK_MAX_KEYS];
    uint32_t *heap_tables = NULL;
    size_t contents_bound;
    sf_err err;

    bool is_general = needs_general_path(g, log, &contents_bound, ev.ref_vals);
    /* The walk found every template field on the fast path; the general path (repeated or
     * odd keys) scans for them instead, with the event's own precedence. */
    ev.has_refs = !is_general && g->map->n_refs > 0;
    size_t head_bound = prepare_head(&ev, meta_vals);
    if (is_general) {
        size_t n_keys = 2 + g->group->n_tags + log->n_contents;
        size_t n_slots = 2 * STACK_MAX_KEYS;
        uint32_t *tables = stack_tables;
        if (n_keys > STACK_MAX_KEYS) {
            for (n_slots = 2 * STACK_MAX_KEYS; n_slots < 2 * n_keys; n_slots *= 2) {
            }
            heap_tables = sf_xmalloc((n_keys + n_slots) * sizeof(*heap_tables));
            tables = heap_tables;
        }
        compute_picks(&ev, n_keys, tables, tables + n_keys, n_slots);
        ev.pick = tables;
    }
    ev.use_cache = g->has_cache && ev.pick == NULL;

    size_t start = out->len;
    size_t bound = TIME_BOUND + head_bound + (ev.use_cache ? g->cache_len : g->prefix_bound) +
                   contents_bound + EVENT_SLACK;
    if (g->rename_growth) {
        bound += (2 + g->group->n_tags + log->n_contents) * g->rename_growth * WORST_PER_BYTE;
    }
    if (sf_buf_reserve(out, bound) != SF_OK) {
        err = write_exact(&ev, out);
        goto out;
    }
    uint8_t *base = out->ptr + start;
    uint8_t *end = write_form(&ev, base);
    SF_ASSERT((size_t)(end - base) <= bound - EVENT_SLACK);
    out->len = start + (size_t)(end - base);
    if (g->is_cacheable && !g->has_cache && ev.pick == NULL) {
        g->has_cache = true;
        g->cache_off = (size_t)(ev.group_begin - out->ptr);
        g->cache_len = (size_t)(ev.group_end - ev.group_begin);
    }
    err = SF_OK;

out:
    free(heap_tables);
    return err;
}

/* Field rules decide per key name only, so the group part stays one constant per group. */
static void set_field_rules(struct group_ctx *g, const struct sf_filter *filter)
{
    g->has_group_keys = true;
    if (!sf_filter_has_field_rules(filter)) {
        return;
    }
    g->filter = filter;
    g->rename_growth = sf_filter_rename_growth(filter);
    g->has_group_keys = false;
    for (size_t i = 0; i < 2 + g->group->n_tags && !g->has_group_keys; i++) {
        struct sf_str value;
        struct sf_vkey key = sf_vkey_at(g->group, NULL, i, &value);
        g->has_group_keys = sf_vkey_filter(filter, &key);
    }
}

static void group_ctx_init(struct group_ctx *g,
                           const struct sf_hec_event_mapping *map,
                           const struct sf_filter *filter,
                           const struct sf_loggroup *group,
                           bool is_cacheable)
{
    static const struct sf_log no_contents = {0};
    *g = (struct group_ctx){.map = map, .group = group, .is_cacheable = is_cacheable};
    set_field_rules(g, filter);

    /* |map->fields| is sorted by topic: this topic's fields are one run. */
    size_t i = 0;
    while (i < map->n_fields && !sf_str_eq(map->fields[i].topic, group->topic)) {
        i++;
    }
    g->fields = i < map->n_fields ? &map->fields[i] : NULL;
    while (i < map->n_fields && sf_str_eq(map->fields[i].topic, group->topic)) {
        g->n_fields++;
        i++;
    }

    size_t sum = group->topic.len + group->source.len;
    g->needs_general = group->n_tags > FAST_MAX_TAGS;
    for (size_t t = 0; t < group->n_tags; t++) {
        sum += group->tags[t].key.len + group->tags[t].value.len;
        g->needs_general = g->needs_general || !is_utf8(group->tags[t].key);
        for (size_t u = 0; u < t && !g->needs_general; u++) {
            g->needs_general = sf_str_eq(group->tags[u].key, group->tags[t].key);
        }
    }
    for (size_t r = 0; r < map->n_refs; r++) {
        g->ref_group[r] = sf_template_field(group, &no_contents, map->ref_names[r]);
    }
    g->prefix_bound =
        sum * WORST_PER_BYTE + (2 + group->n_tags) * (KV_OVERHEAD + SF_VKEY_TAG_PREFIX_LEN);
}

sf_err sf_hec_event_append(const struct sf_hec_event_mapping *map,
                           const struct sf_loggroup *group,
                           const struct sf_log *log,
                           struct sf_buf *out)
{
    struct group_ctx g;
    group_ctx_init(&g, map, NULL, group, false);
    return write_event(&g, log, 0, out);
}

/* "MTc0OTU0MjQwMDAwMDAwMDAwMA==" → 1749542400000000000 (docs/protocol/sls-api.md §Cursors); false
 * for anything else. */
static bool cursor_seq(const char *cursor, int64_t *seq)
{
    uint8_t digits[64];
    size_t n = 0;
    size_t len = strlen(cursor);
    if (len == 0 || len > 32 || !sf_base64_decode(cursor, len, digits, &n) || n == 0 || n > 19) {
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9' || v > (INT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (digits[i] - '0');
    }
    *seq = v;
    return true;
}

sf_err sf_hec_event_append_list(const struct sf_hec_event_mapping *map,
                                const struct sf_loggroup_list *list,
                                size_t first_log,
                                struct sf_buf *out,
                                size_t *n_done)
{
    size_t n_filtered;
    return sf_hec_event_append_list_from(map, NULL, NULL, list, first_log, out, n_done,
                                         &n_filtered);
}

sf_err sf_hec_event_append_list_from(const struct sf_hec_event_mapping *map,
                                     const struct sf_filter *filter,
                                     const struct sf_hec_event_origin *from,
                                     const struct sf_loggroup_list *list,
                                     size_t first_log,
                                     struct sf_buf *out,
                                     size_t *n_done,
                                     size_t *n_filtered)
{
    return sf_hec_event_append_list_indexed(map, filter, from, list, first_log, out, NULL, n_done,
                                            n_filtered);
}

sf_err sf_hec_event_append_list_indexed(const struct sf_hec_event_mapping *map,
                                        const struct sf_filter *filter,
                                        const struct sf_hec_event_origin *from,
                                        const struct sf_loggroup_list *list,
                                        size_t first_log,
                                        struct sf_buf *out,
                                        uint32_t *ends,
                                        size_t *n_done,
                                        size_t *n_filtered)
{
    bool has_event_rules = sf_filter_has_event_rules(filter);
    struct origin org = {.o = from};
    if (from) {
        org.names.project = sf_str_from(from->project ? from->project : "");
        org.names.logstore = sf_str_from(from->logstore ? from->logstore : "");
        org.has_seq = from->cursor && cursor_seq(from->cursor, &org.first_seq);
        if (!from->cursor || strlen(from->cursor) > 128 ||
            org.names.project.len > SF_HEC_EVENT_ORIGIN_NAME_MAX ||
            org.names.logstore.len > SF_HEC_EVENT_ORIGIN_NAME_MAX) {
            org.o = NULL; /* no position without a cursor; the names still serve templates */
        } else {
            origin_prefix(&org);
        }
    }
    *n_done = 0;
    *n_filtered = 0;
    SF_ASSERT(first_log <= list->n_logs_total);
    size_t skip = first_log;
    for (size_t i = 0; i < list->n_groups; i++) {
        const struct sf_loggroup *group = &list->groups[i];
        if (skip >= group->n_logs) {
            skip -= group->n_logs;
            continue;
        }
        struct group_ctx g;
        group_ctx_init(&g, map, filter, group, true);
        g.data_end = list->data_end;
        if (org.o) {
            origin_group(&org, i);
        }
        g.origin = from ? &org : NULL;
        for (size_t k = skip; k < group->n_logs; k++) {
            /* Event rules read the decoded log, before anything of it is written. A dropped
             * log leaves a gap in the positions: k stays the log's index in its group. */
            if (has_event_rules && !sf_filter_keeps_event(filter, group, &group->logs[k])) {
                (*n_filtered)++;
                (*n_done)++;
                continue;
            }
            sf_err err = write_event(&g, &group->logs[k], k, out);
            if (err) {
                return err;
            }
            if (ends) {
                SF_ASSERT(out->len <= UINT32_MAX);
                ends[*n_done - *n_filtered] = (uint32_t)out->len;
            }
            (*n_done)++;
        }
        skip = 0;
    }
    return SF_OK;
}

/* ---- the mapping ---- */

static int compare_fields(const void *a, const void *b)
{
    const struct json_field *x = a;
    const struct json_field *y = b;
    if (x->topic.len != y->topic.len) {
        return x->topic.len < y->topic.len ? -1 : 1;
    }
    return memcmp(x->topic.ptr, y->topic.ptr, x->topic.len);
}

/* Appends "<text escaped>" to |head|. */
static void append_string(struct sf_buf *head, const char *text, size_t len)
{
    sf_err err = sf_buf_reserve(head, sf_json_escape_bound(len, 1) + 2);
    SF_ASSERT(err == SF_OK); /* |head| has no real max */
    head->ptr[head->len++] = '"';
    head->len = (size_t)(sf_json_escape(head->ptr + head->len, text, len, 1) - head->ptr);
    head->ptr[head->len++] = '"';
}

/* Appends "name":"value",... (no braces); SF_ERR_CONFIG for an entry without "name=". */
static sf_err append_fields(struct sf_buf *head,
                            const struct sf_hec_event_options *opts,
                            char *errbuf,
                            size_t errbuf_size)
{
    for (size_t i = 0; i < opts->n_fields; i++) {
        const char *entry = opts->fields[i];
        const char *eq = strchr(entry, '=');
        if (!eq || eq == entry) {
            snprintf(errbuf, errbuf_size, "indexed field \"%.64s\" is not name=value", entry);
            return SF_ERR_CONFIG;
        }
        if (i > 0) {
            sf_buf_append(head, ",", 1);
        }
        append_string(head, entry, (size_t)(eq - entry));
        sf_buf_append(head, ":", 1);
        append_string(head, eq + 1, strlen(eq + 1));
    }
    return SF_OK;
}

/* Appends ,"<name>":"<value escaped>" to |head|; false for an empty value. */
static bool append_meta(struct sf_buf *head, const char *name, const char *value)
{
    if (value == NULL) {
        return true;
    }
    size_t len = strlen(value);
    if (len == 0) {
        return false;
    }
    sf_err err = sf_buf_printf(head, ",\"%s\":", name);
    SF_ASSERT(err == SF_OK); /* |head| has no real max */
    append_string(head, value, len);
    return true;
}

static const char *const meta_names[META__COUNT] = {"host", "source", "sourcetype", "index"};

/* Parses the four metadata templates into map->meta; the mapping is dynamic when one of them
 * names a field or the position fields are on. */
/* Gathers the distinct field names of the templates into map->ref_names. With more than
 * MAX_REFS, n_refs stays 0 and every event scans (sf_template_resolve). */
static void index_refs(struct sf_hec_event_mapping *map)
{
    size_t n = 0;
    for (size_t m = 0; m < META__COUNT; m++) {
        for (size_t i = 0; i < map->meta[m].n_parts; i++) {
            const struct sf_template_part *p = &map->meta[m].parts[i];
            if (p->kind != SF_TEMPLATE_FIELD) {
                continue;
            }
            size_t r = 0;
            while (r < n && !sf_str_eq(map->ref_names[r], p->text)) {
                r++;
            }
            if (r == MAX_REFS) {
                map->n_refs = 0;
                return;
            }
            if (r == n) {
                bool is_ascii;
                map->ref_names[n] = p->text;
                map->ref_hashes[n] = key_hash(p->text, &is_ascii);
                n++;
            }
            map->ref_of[m][i] = (uint8_t)r;
        }
    }
    map->n_refs = n;
}

static sf_err parse_meta(struct sf_hec_event_mapping *map,
                         const struct sf_hec_event_options *opts,
                         char *errbuf,
                         size_t errbuf_size)
{
    const char *values[META__COUNT] = {opts->host, opts->source, opts->sourcetype, opts->index};
    map->is_dynamic = opts->position_fields;
    for (size_t m = 0; m < META__COUNT; m++) {
        if (values[m] == NULL) {
            continue;
        }
        if (values[m][0] == '\0') {
            snprintf(errbuf, errbuf_size,
                     "%s is empty; leave it unset to use the HEC token's default", meta_names[m]);
            return SF_ERR_CONFIG;
        }
        char why[192];
        if (sf_template_parse(values[m], &map->meta[m], why, sizeof(why)) != SF_OK) {
            snprintf(errbuf, errbuf_size, "%s \"%.64s\": %s", meta_names[m], values[m], why);
            return SF_ERR_CONFIG;
        }
        map->is_dynamic = map->is_dynamic || !map->meta[m].is_literal;
    }
    index_refs(map);
    return SF_OK;
}

static sf_err build_head(struct sf_hec_event_mapping *map,
                         const struct sf_hec_event_options *opts,
                         char *errbuf,
                         size_t errbuf_size)
{
    struct sf_buf head;
    sf_err err = parse_meta(map, opts, errbuf, errbuf_size);
    if (err) {
        return err;
    }
    map->position_fields = opts->position_fields;
    sf_buf_init(&head, SIZE_MAX);
    if (map->is_dynamic) {
        err = append_fields(&head, opts, errbuf, errbuf_size);
        if (err) {
            goto out;
        }
        sf_buf_append(&head, "", 1); /* a NUL, so that an empty body still has a buffer */
        map->fields_body = (char *)head.ptr;
        map->fields_body_len = head.len - 1;
        head.ptr = NULL;
        goto out;
    }
    for (size_t m = 0; m < META__COUNT; m++) {
        bool is_set =
            append_meta(&head, meta_names[m], map->meta[m].n_parts ? map->meta[m].text : NULL);
        SF_ASSERT(is_set); /* parse_meta refused the empty ones */
    }
    if (opts->n_fields) {
        sf_buf_append_cstr(&head, ",\"fields\":{");
        err = append_fields(&head, opts, errbuf, errbuf_size);
        if (err) {
            goto out;
        }
        sf_buf_append(&head, "}", 1);
    }
    err = sf_buf_append_cstr(&head, opts->event_as_string ? ",\"event\":\"{" : ",\"event\":{");
    SF_ASSERT(err == SF_OK);
    map->head = head.ptr;
    map->head_len = head.len;
    head.ptr = NULL;

out:
    sf_buf_cleanup(&head);
    return err;
}

static sf_err parse_json_fields(struct sf_hec_event_mapping *map,
                                const struct sf_hec_event_options *opts,
                                char *errbuf,
                                size_t errbuf_size)
{
    size_t total = 0;
    for (size_t i = 0; i < opts->n_json_fields; i++) {
        const char *spec = opts->json_fields[i];
        const char *colon = strchr(spec, ':');
        if (colon == NULL || colon[1] == '\0') {
            snprintf(errbuf, errbuf_size,
                     "json_fields entry \"%s\" is not <topic>:<field> (e.g. "
                     "\"actiontrail_audit_event:event\")",
                     spec);
            return SF_ERR_CONFIG;
        }
        total += strlen(spec);
    }
    if (opts->n_json_fields == 0) {
        return SF_OK;
    }
    map->fields = sf_xcalloc(opts->n_json_fields, sizeof(*map->fields));
    map->strings = sf_xmalloc(total + 1);
    map->n_fields = opts->n_json_fields;
    char *p = map->strings;
    for (size_t i = 0; i < opts->n_json_fields; i++) {
        const char *spec = opts->json_fields[i];
        size_t len = strlen(spec);
        size_t topic_len = (size_t)(strchr(spec, ':') - spec);
        memcpy(p, spec, len);
        map->fields[i].topic = (struct sf_str){.ptr = p, .len = topic_len};
        map->fields[i].field =
            (struct sf_str){.ptr = p + topic_len + 1, .len = len - topic_len - 1};
        p += len;
    }
    qsort(map->fields, map->n_fields, sizeof(*map->fields), compare_fields);
    return SF_OK;
}

sf_err sf_hec_event_mapping_new(const struct sf_hec_event_options *opts,
                                struct sf_hec_event_mapping **out,
                                char *errbuf,
                                size_t errbuf_size)
{
    struct sf_hec_event_mapping *map = sf_xcalloc(1, sizeof(*map));
    sf_err err;

    *out = NULL;
    if (errbuf_size) {
        errbuf[0] = '\0';
    }
    map->event_as_string = opts->event_as_string;
    err = build_head(map, opts, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    err = parse_json_fields(map, opts, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    *out = map;
    map = NULL;

out:
    sf_hec_event_mapping_free(map);
    return err;
}

void sf_hec_event_mapping_free(struct sf_hec_event_mapping *map)
{
    if (map == NULL) {
        return;
    }
    free(map->head);
    for (size_t m = 0; m < META__COUNT; m++) {
        sf_template_cleanup(&map->meta[m]);
    }
    free(map->fields_body);
    free(map->fields);
    free(map->strings);
    free(map);
}
