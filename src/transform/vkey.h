/* Inside of transform shared by the two formatters (hec_event.c, syslog_line.c): the key list
 * of one log as the reference program's dict sees it, 0 "__topic__", 1 "__source__", then the
 * LogGroup's tags, then the log's contents; each key in canonical form, so "__tag__:x" as a
 * content and tag "x" are the same key. Inline, as the formatters call these per key of every
 * log; but not forced (always_inline made bench_syslog 10-15 % slower: key_at grew into pick's
 * loops). Not an API for other modules. */
#ifndef SF_TRANSFORM_VKEY_H
#define SF_TRANSFORM_VKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "codec/loggroup.h"
#include "transform/filter.h"
#include "util/str.h"

#define SF_VKEY_TAG_PREFIX     "__tag__:"
#define SF_VKEY_TAG_PREFIX_LEN 8

struct sf_vkey {
    struct sf_str name; /* without "__tag__:" when |is_tag| */
    bool is_tag;
};

/* A content's key in canonical form. */
static inline struct sf_vkey sf_vkey_content(struct sf_str key)
{
    if (key.len >= SF_VKEY_TAG_PREFIX_LEN &&
        memcmp(key.ptr, SF_VKEY_TAG_PREFIX, SF_VKEY_TAG_PREFIX_LEN) == 0) {
        return (struct sf_vkey){
            .name = {.ptr = key.ptr + SF_VKEY_TAG_PREFIX_LEN,
                     .len = key.len - SF_VKEY_TAG_PREFIX_LEN},
            .is_tag = true,
        };
    }
    return (struct sf_vkey){.name = key, .is_tag = false};
}

/* Key |i| (0 <= i < 2 + group->n_tags + log->n_contents) of |log| in |group|, and its value in
 * |*value|. |log| may be NULL for the group's keys (i < 2 + group->n_tags). */
static inline struct sf_vkey sf_vkey_at(const struct sf_loggroup *group,
                                        const struct sf_log *log,
                                        size_t i,
                                        struct sf_str *value)
{
    if (i == 0) {
        *value = group->topic;
        return (struct sf_vkey){.name = SF_STR_LIT("__topic__")};
    }
    if (i == 1) {
        *value = group->source;
        return (struct sf_vkey){.name = SF_STR_LIT("__source__")};
    }
    i -= 2;
    if (i < group->n_tags) {
        *value = group->tags[i].value;
        return (struct sf_vkey){.name = group->tags[i].key, .is_tag = true};
    }
    const struct sf_log_kv *kv = &log->contents[i - group->n_tags];
    *value = kv->value;
    return sf_vkey_content(kv->key);
}

/* The same key, byte for byte. (hec_event.c compares what is written instead: keys that differ
 * only in bytes that become U+FFFD are one key there.) */
static inline bool sf_vkey_eq(struct sf_vkey a, struct sf_vkey b)
{
    return a.is_tag == b.is_tag && a.name.len == b.name.len &&
           (a.name.len == 0 || memcmp(a.name.ptr, b.name.ptr, a.name.len) == 0);
}

/* The field rules of |filter| (filter.h; NULL: none) on |*key|: false when it is not written;
 * else |*key| is the name to write. */
static inline bool sf_vkey_filter(const struct sf_filter *filter, struct sf_vkey *key)
{
    if (!filter) {
        return true;
    }
    struct sf_filter_key fk = {.name = key->name, .is_tag = key->is_tag};
    if (!sf_filter_field(filter, &fk)) {
        return false;
    }
    *key = (struct sf_vkey){.name = fk.name, .is_tag = fk.is_tag};
    return true;
}

#endif
