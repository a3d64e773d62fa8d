#include "transform/template.h"

#include "util/banned.h"

#define TAG_PREFIX     "__tag__:"
#define TAG_PREFIX_LEN 8

static const struct sf_str empty = {.ptr = "", .len = 0};

/* Equality that rejects most keys of the same length by their last byte before calling
 * memcmp: field names of one log often share a length, rarely an ending. */
static inline bool key_eq(struct sf_str key, struct sf_str name)
{
    return key.len == name.len && name.len > 0 && key.ptr[name.len - 1] == name.ptr[name.len - 1] &&
           memcmp(key.ptr, name.ptr, name.len) == 0;
}

/* Linear scans: a template names one or two fields, and a log has tens of keys, so this costs
 * about what a hash lookup would, and needs no table built per log. */
struct sf_str
sf_template_field(const struct sf_loggroup *group, const struct sf_log *log, struct sf_str name)
{
    if (sf_str_eq(name, SF_STR_LIT("__topic__"))) {
        return group->topic;
    }
    if (sf_str_eq(name, SF_STR_LIT("__source__"))) {
        return group->source;
    }
    struct sf_str found = empty;
    bool is_found = false;
    if (name.len > TAG_PREFIX_LEN && memcmp(name.ptr, TAG_PREFIX, TAG_PREFIX_LEN) == 0) {
        struct sf_str key = {.ptr = name.ptr + TAG_PREFIX_LEN, .len = name.len - TAG_PREFIX_LEN};
        for (size_t i = 0; i < group->n_tags; i++) {
            if (key_eq(group->tags[i].key, key)) {
                found = group->tags[i].value;
                is_found = true;
            }
        }
    }
    /* A content of the same name comes later in the event's key order, so it wins. */
    for (size_t i = log->n_contents; i-- > 0;) {
        if (key_eq(log->contents[i].key, name)) {
            return log->contents[i].value;
        }
    }
    return is_found ? found : empty;
}

size_t sf_template_resolve(const struct sf_template *t,
                           const struct sf_template_source *src,
                           const struct sf_loggroup *group,
                           const struct sf_log *log,
                           struct sf_str *vals)
{
    size_t total = 0;
    for (size_t i = 0; i < t->n_parts; i++) {
        const struct sf_template_part *p = &t->parts[i];
        struct sf_str v;
        switch (p->kind) {
        case SF_TEMPLATE_LITERAL:
            v = p->text;
            break;
        case SF_TEMPLATE_PROJECT:
            v = src ? src->project : empty;
            break;
        case SF_TEMPLATE_LOGSTORE:
            v = src ? src->logstore : empty;
            break;
        default:
            v = sf_template_field(group, log, p->text);
            break;
        }
        if (v.len == 0 && p->has_fallback) {
            v = p->fallback;
        }
        vals[i] = v;
        total += v.len;
    }
    return total;
}
