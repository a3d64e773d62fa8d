#include "codec/loggroup.h"

#include <string.h>

#include "codec/pb_wire.h"

#include "util/banned.h" /* last: poisons what the project does not use */

/* Field numbers from docs/protocol/sls-loggroup.md §Schema. */
enum {
    LIST_GROUPS = 1,
    GROUP_LOGS = 1,
    GROUP_RESERVED = 2,
    GROUP_TOPIC = 3,
    GROUP_SOURCE = 4,
    GROUP_MACHINE_UUID = 5,
    GROUP_TAGS = 6,
    LOG_TIME = 1,
    LOG_CONTENTS = 2,
    LOG_TIME_NS = 4,
    KV_KEY = 1,
    KV_VALUE = 2,
};

/* One-byte tags of the length-delimited fields that make up nearly every byte of real data.
 * They get a fast path; any other encoding of the same field (a padded tag varint, say) still
 * works through pb_next_field. */
#define TAG_LEN(number) ((uint8_t)((number) << 3 | PB_WIRE_LEN))
#define MAX_COUNTED     16 /* field numbers that fit a one-byte tag */

/* Absent optional strings read as "" (docs/protocol/sls-loggroup.md §Decoder rules) and still point
 * somewhere valid. */
static const struct sf_str empty_str = {.ptr = "", .len = 0};

static struct sf_str str_of(const uint8_t *ptr, size_t len)
{
    return (struct sf_str){.ptr = (const char *)ptr, .len = len};
}

/* Counts the length-delimited fields of [p, end) by field number, for numbers below
 * MAX_COUNTED, so that the list's LogGroups are allocated once at their exact size (a few
 * dozen per body; groups gather their Logs in one pass instead, see log_list). False if the
 * message is malformed at this level. */
static bool count_len_fields(const uint8_t *p, const uint8_t *end, size_t counts[MAX_COUNTED])
{
    memset(counts, 0, MAX_COUNTED * sizeof(counts[0]));
    while (p < end) {
        uint8_t tag = *p;
        size_t len;
        if ((tag & 0x87) == PB_WIRE_LEN) { /* a one-byte tag of wire type 2 */
            p++;
            if (!pb_read_len(&p, end, &len)) {
                return false;
            }
            p += len;
            counts[tag >> 3]++; /* number 0 is counted here and rejected by the fill pass */
            continue;
        }
        struct pb_field f;
        if (!pb_next_field(&p, end, &f)) {
            return false;
        }
        if (f.wire == PB_WIRE_LEN && f.number < MAX_COUNTED) {
            counts[f.number]++;
        }
    }
    return true;
}

static void *alloc_array(struct sf_arena *arena, size_t n, size_t size)
{
    /* n is bounded by the input length over 2, so n * size cannot overflow. */
    return n ? sf_arena_alloc(arena, n * size) : NULL;
}

/* Key then Value with one-byte tags and nothing else: what every SLS writer emits. */
static inline bool decode_kv_fast(const uint8_t *p, const uint8_t *end, struct sf_log_kv *kv)
{
    size_t key_len, value_len;
    if (p == end || *p++ != TAG_LEN(KV_KEY) || !pb_read_len(&p, end, &key_len)) {
        return false;
    }
    const uint8_t *key = p;
    p += key_len;
    if (p == end || *p++ != TAG_LEN(KV_VALUE) || !pb_read_len(&p, end, &value_len) ||
        value_len != (size_t)(end - p)) {
        return false;
    }
    kv->key = str_of(key, key_len);
    kv->value = str_of(p, value_len);
    return true;
}

/* Any other layout: fields in another order, unknown fields, padded tags or lengths. */
static sf_err decode_kv_slow(const uint8_t *p, const uint8_t *end, struct sf_log_kv *kv)
{
    bool has_key = false;
    bool has_value = false;
    struct pb_field f = {0};
    while (p < end) {
        if (!pb_next_field(&p, end, &f)) {
            return SF_ERR_INVALID;
        }
        if (f.number != KV_KEY && f.number != KV_VALUE) {
            continue;
        }
        if (f.wire != PB_WIRE_LEN) {
            return SF_ERR_INVALID;
        }
        if (f.number == KV_KEY) {
            kv->key = str_of(f.ptr, f.len);
            has_key = true;
        } else {
            kv->value = str_of(f.ptr, f.len);
            has_value = true;
        }
    }
    return has_key && has_value ? SF_OK : SF_ERR_INVALID;
}

/* Log.Content and LogTag share one shape: required Key = 1, required Value = 2. */
static inline sf_err decode_kv(const uint8_t *p, const uint8_t *end, struct sf_log_kv *kv)
{
    return decode_kv_fast(p, end, kv) ? SF_OK : decode_kv_slow(p, end, kv);
}

/* A Log's contents, gathered in one pass: on the stack while they fit (nearly always), then
 * copied to an exact-size arena array. Cheaper than a counting pre-pass, which costs as much
 * as decoding the contents themselves. A Log with more fields spills into the arena. */
#define STACK_KVS 64

struct kv_list {
    struct sf_log_kv *items;
    size_t n;
    size_t cap;
    struct sf_log_kv stack[STACK_KVS];
};

/* Rare: doubles the list into the arena (the old array stays there until the next reset). */
static void kv_list_grow(struct kv_list *list, struct sf_arena *arena)
{
    struct sf_log_kv *items = sf_arena_alloc(arena, 2 * list->cap * sizeof(*items));
    memcpy(items, list->items, list->n * sizeof(*items));
    list->items = items;
    list->cap *= 2;
}

static inline sf_err
kv_list_decode(struct kv_list *list, struct sf_arena *arena, const uint8_t *p, const uint8_t *end)
{
    if (list->n == list->cap) {
        kv_list_grow(list, arena);
    }
    return decode_kv(p, end, &list->items[list->n++]);
}

static const struct sf_log_kv *kv_list_finish(struct kv_list *list, struct sf_arena *arena)
{
    if (list->items != list->stack || list->n == 0) {
        return list->n ? list->items : NULL;
    }
    struct sf_log_kv *items = sf_arena_alloc(arena, list->n * sizeof(*items));
    memcpy(items, list->stack, list->n * sizeof(*items));
    return items;
}

/* Applies one Log field other than Contents; unknown numbers are skipped. */
static sf_err apply_log_field(const struct pb_field *f, struct sf_log *log, bool *has_time)
{
    switch (f->number) {
    case LOG_TIME:
        if (f->wire != PB_WIRE_VARINT || f->num > UINT32_MAX) {
            return SF_ERR_INVALID;
        }
        log->time = (uint32_t)f->num;
        *has_time = true;
        return SF_OK;
    case LOG_TIME_NS:
        if (f->wire != PB_WIRE_FIXED32) {
            return SF_ERR_INVALID;
        }
        log->time_ns = (uint32_t)f->num;
        log->has_time_ns = true;
        return SF_OK;
    default:
        return SF_OK;
    }
}

static sf_err
decode_log(const uint8_t *p, const uint8_t *end, struct sf_arena *arena, struct sf_log *log)
{
    struct kv_list contents;
    contents.items = contents.stack;
    contents.n = 0;
    contents.cap = STACK_KVS;
    *log = (struct sf_log){0};
    bool has_time = false;
    struct pb_field f = {0};
    while (p < end) {
        size_t len;
        sf_err err;
        if (*p == TAG_LEN(LOG_CONTENTS)) {
            p++;
            if (!pb_read_len(&p, end, &len)) {
                return SF_ERR_INVALID;
            }
            err = kv_list_decode(&contents, arena, p, p + len);
            p += len;
        } else if (!pb_next_field(&p, end, &f)) {
            return SF_ERR_INVALID;
        } else if (f.number == LOG_CONTENTS) {
            err = f.wire == PB_WIRE_LEN ? kv_list_decode(&contents, arena, f.ptr, f.ptr + f.len)
                                        : SF_ERR_INVALID;
        } else {
            err = apply_log_field(&f, log, &has_time);
        }
        if (err) {
            return err;
        }
    }
    log->contents = kv_list_finish(&contents, arena);
    log->n_contents = contents.n;
    return has_time ? SF_OK : SF_ERR_INVALID;
}

/* Applies one LogGroup field other than Logs and LogTags; unknown numbers are skipped. */
static sf_err apply_group_field(const struct pb_field *f, struct sf_loggroup *group)
{
    struct sf_str *dst;
    switch (f->number) {
    case GROUP_TOPIC:
        dst = &group->topic;
        break;
    case GROUP_SOURCE:
        dst = &group->source;
        break;
    case GROUP_MACHINE_UUID:
        dst = &group->machine_uuid;
        break;
    case GROUP_RESERVED:
        dst = NULL; /* internal to SLS: ignore (sls-loggroup.md §Schema) */
        break;
    default:
        return SF_OK;
    }
    if (f->wire != PB_WIRE_LEN) {
        return SF_ERR_INVALID;
    }
    if (dst) {
        *dst = str_of(f->ptr, f->len);
    }
    return SF_OK;
}

/* A group's Logs, gathered in the same single pass as kv_list gathers contents: on the stack
 * while they fit, then doubled into the arena. A counting pre-pass (count_len_fields) would
 * jump from Log header to Log header through a body that LZ4 has just written and that no
 * longer sits in the nearer caches: one cache miss per Log, about a tenth of slsfwd's CPU in
 * bench/e2e.sh's profile. Reading the group front to back lets the prefetchers keep up. */
#define STACK_LOGS 256

struct log_list {
    struct sf_log *items;
    size_t n;
    size_t cap;
    struct sf_log stack[STACK_LOGS];
};

static struct sf_log *log_list_next(struct log_list *list, struct sf_arena *arena)
{
    if (list->n == list->cap) {
        struct sf_log *items = sf_arena_alloc(arena, 2 * list->cap * sizeof(*items));
        memcpy(items, list->items, list->n * sizeof(*items));
        list->items = items;
        list->cap *= 2;
    }
    return &list->items[list->n++];
}

static const struct sf_log *log_list_finish(struct log_list *list, struct sf_arena *arena)
{
    if (list->items != list->stack || list->n == 0) {
        return list->n ? list->items : NULL;
    }
    struct sf_log *items = sf_arena_alloc(arena, list->n * sizeof(*items));
    memcpy(items, list->stack, list->n * sizeof(*items));
    return items;
}

static sf_err decode_group(const uint8_t *p,
                           const uint8_t *end,
                           struct sf_arena *arena,
                           struct sf_loggroup *group)
{
    struct log_list logs;
    logs.items = logs.stack;
    logs.n = 0;
    logs.cap = STACK_LOGS;
    struct kv_list tags;
    tags.items = tags.stack;
    tags.n = 0;
    tags.cap = STACK_KVS;
    *group = (struct sf_loggroup){
        .topic = empty_str,
        .source = empty_str,
        .machine_uuid = empty_str,
    };
    struct pb_field f = {0};
    while (p < end) {
        size_t len;
        if (*p == TAG_LEN(GROUP_LOGS)) {
            p++;
            if (!pb_read_len(&p, end, &len) ||
                decode_log(p, p + len, arena, log_list_next(&logs, arena))) {
                return SF_ERR_INVALID;
            }
            p += len;
            continue;
        }
        if (!pb_next_field(&p, end, &f)) {
            return SF_ERR_INVALID;
        }
        sf_err err;
        if (f.number == GROUP_LOGS || f.number == GROUP_TAGS) {
            if (f.wire != PB_WIRE_LEN) {
                return SF_ERR_INVALID;
            }
            err = f.number == GROUP_LOGS
                      ? decode_log(f.ptr, f.ptr + f.len, arena, log_list_next(&logs, arena))
                      : kv_list_decode(&tags, arena, f.ptr, f.ptr + f.len);
        } else {
            err = apply_group_field(&f, group);
        }
        if (err) {
            return SF_ERR_INVALID;
        }
    }
    group->logs = log_list_finish(&logs, arena);
    group->n_logs = logs.n;
    group->tags = kv_list_finish(&tags, arena);
    group->n_tags = tags.n;
    return SF_OK;
}

/* Top level, LogGroupList: only field 1 (LogGroups) is known. */
static sf_err decode_list(const uint8_t *p,
                          const uint8_t *end,
                          struct sf_arena *arena,
                          struct sf_loggroup_list *out)
{
    size_t counts[MAX_COUNTED];
    if (!count_len_fields(p, end, counts)) {
        return SF_ERR_INVALID;
    }
    size_t n = counts[LIST_GROUPS];
    struct sf_loggroup *groups = alloc_array(arena, n, sizeof(*groups));
    size_t i = 0;
    size_t n_logs_total = 0;
    struct pb_field f = {0};
    while (p < end) {
        if (!pb_next_field(&p, end, &f)) {
            return SF_ERR_INVALID;
        }
        if (f.number != LIST_GROUPS) {
            continue;
        }
        if (f.wire != PB_WIRE_LEN || decode_group(f.ptr, f.ptr + f.len, arena, &groups[i])) {
            return SF_ERR_INVALID;
        }
        n_logs_total += groups[i++].n_logs;
    }
    *out = (struct sf_loggroup_list){.groups = groups, .n_groups = n, .n_logs_total = n_logs_total};
    return SF_OK;
}

sf_err sf_loggroup_decode(const uint8_t *data,
                          size_t len,
                          struct sf_arena *arena,
                          struct sf_loggroup_list *out)
{
    *out = (struct sf_loggroup_list){0};
    if (len == 0) {
        return SF_OK;
    }
    sf_err err = decode_list(data, data + len, arena, out);
    if (err) {
        *out = (struct sf_loggroup_list){0};
    } else {
        out->data_end = data + len;
    }
    return err;
}
