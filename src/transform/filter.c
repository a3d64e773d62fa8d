#include "transform/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/match.h"

#include "util/banned.h"

#define TAG_PREFIX     "__tag__:"
#define TAG_PREFIX_LEN 8

/* Where a rule's field lives when no content has its key. */
enum field_kind {
    FIELD_CONTENT,
    FIELD_TOPIC,
    FIELD_SOURCE,
    FIELD_TAG, /* "__tag__:<key>": also the group's tag <key> */
};

struct event_rule {
    struct sf_match_rule match;
    enum field_kind kind;
};

struct rename {
    char *from; /* full name, "__tag__:x" for a tag */
    size_t from_len;
    char *to;
    size_t to_len;
};

struct sf_filter {
    struct event_rule *keep_if;
    size_t n_keep_if;
    struct event_rule *drop_if;
    size_t n_drop_if;
    struct sf_match_glob *keep_fields;
    size_t n_keep_fields;
    struct sf_match_glob *drop_fields;
    size_t n_drop_fields;
    struct rename *renames;
    size_t n_renames;
    size_t rename_growth;
};

static enum field_kind kind_of(const char *field, size_t len)
{
    if (len == 9 && memcmp(field, "__topic__", 9) == 0) {
        return FIELD_TOPIC;
    }
    if (len == 10 && memcmp(field, "__source__", 10) == 0) {
        return FIELD_SOURCE;
    }
    if (len >= TAG_PREFIX_LEN && memcmp(field, TAG_PREFIX, TAG_PREFIX_LEN) == 0) {
        return FIELD_TAG;
    }
    return FIELD_CONTENT;
}

static sf_err compile_rules(const char *list,
                            const char *const *texts,
                            size_t n,
                            struct event_rule **out,
                            size_t *n_out,
                            char *errbuf,
                            size_t errbuf_size)
{
    *out = n ? sf_xcalloc(n, sizeof(**out)) : NULL;
    for (size_t i = 0; i < n; i++) {
        char why[384];
        struct event_rule *rule = &(*out)[i];
        if (sf_match_rule_init(&rule->match, texts[i], why, sizeof(why)) != SF_OK) {
            snprintf(errbuf, errbuf_size, "%s: %s", list, why);
            return SF_ERR_CONFIG;
        }
        rule->kind = kind_of(rule->match.field, rule->match.field_len);
        (*n_out)++;
    }
    return SF_OK;
}

static void
compile_globs(const char *const *texts, size_t n, struct sf_match_glob **out, size_t *n_out)
{
    *out = n ? sf_xcalloc(n, sizeof(**out)) : NULL;
    for (size_t i = 0; i < n; i++) {
        sf_match_glob_init(&(*out)[i], texts[i], strlen(texts[i]));
    }
    *n_out = n;
}

static sf_err compile_renames(struct sf_filter *filter,
                              const struct sf_filter_options *opts,
                              char *errbuf,
                              size_t errbuf_size)
{
    filter->renames = opts->n_rename ? sf_xcalloc(opts->n_rename, sizeof(*filter->renames)) : NULL;
    for (size_t i = 0; i < opts->n_rename; i++) {
        const char *entry = opts->rename[i];
        const char *eq = strchr(entry, '=');
        if (!eq || eq == entry || eq[1] == '\0') {
            snprintf(errbuf, errbuf_size,
                     "rename: entry \"%.80s\" is not old=new (such as "
                     "__tag__:__hostname__=host)",
                     entry);
            return SF_ERR_CONFIG;
        }
        struct rename *r = &filter->renames[filter->n_renames++];
        r->from_len = (size_t)(eq - entry);
        r->from = sf_xstrndup(entry, r->from_len);
        r->to_len = strlen(eq + 1);
        r->to = sf_xstrdup(eq + 1);
        for (size_t j = 0; j + 1 < filter->n_renames; j++) {
            if (filter->renames[j].from_len == r->from_len &&
                memcmp(filter->renames[j].from, r->from, r->from_len) == 0) {
                snprintf(errbuf, errbuf_size, "rename: \"%.80s\" is renamed twice", r->from);
                return SF_ERR_CONFIG;
            }
        }
        /* The shortest name a rename matches is its own |from|. */
        if (r->to_len > r->from_len && r->to_len - r->from_len > filter->rename_growth) {
            filter->rename_growth = r->to_len - r->from_len;
        }
    }
    return SF_OK;
}

sf_err sf_filter_new(const struct sf_filter_options *opts,
                     struct sf_filter **out,
                     char *errbuf,
                     size_t errbuf_size)
{
    struct sf_filter *filter = sf_xcalloc(1, sizeof(*filter));
    sf_err err;

    *out = NULL;
    if (errbuf_size) {
        errbuf[0] = '\0';
    }
    err = compile_rules("keep_if", opts->keep_if, opts->n_keep_if, &filter->keep_if,
                        &filter->n_keep_if, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    err = compile_rules("drop_if", opts->drop_if, opts->n_drop_if, &filter->drop_if,
                        &filter->n_drop_if, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    compile_globs(opts->keep_fields, opts->n_keep_fields, &filter->keep_fields,
                  &filter->n_keep_fields);
    compile_globs(opts->drop_fields, opts->n_drop_fields, &filter->drop_fields,
                  &filter->n_drop_fields);
    err = compile_renames(filter, opts, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    *out = filter;
    filter = NULL;

out:
    sf_filter_free(filter);
    return err;
}

static void free_rules(struct event_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sf_match_rule_cleanup(&rules[i].match);
    }
    free(rules);
}

static void free_globs(struct sf_match_glob *globs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sf_match_glob_cleanup(&globs[i]);
    }
    free(globs);
}

void sf_filter_free(struct sf_filter *filter)
{
    if (!filter) {
        return;
    }
    free_rules(filter->keep_if, filter->n_keep_if);
    free_rules(filter->drop_if, filter->n_drop_if);
    free_globs(filter->keep_fields, filter->n_keep_fields);
    free_globs(filter->drop_fields, filter->n_drop_fields);
    for (size_t i = 0; i < filter->n_renames; i++) {
        free(filter->renames[i].from);
        free(filter->renames[i].to);
    }
    free(filter->renames);
    free(filter);
}

bool sf_filter_has_event_rules(const struct sf_filter *filter)
{
    return filter && (filter->n_keep_if || filter->n_drop_if);
}

bool sf_filter_has_field_rules(const struct sf_filter *filter)
{
    return filter && (filter->n_keep_fields || filter->n_drop_fields || filter->n_renames);
}

/* ---- event rules ---- */

/* The value the event shows for the rule's field (hec_event.h: a content's key wins over a
 * tag, topic or source of the same name, and the last of repeated keys gives the value). */
static bool lookup(const struct event_rule *rule,
                   const struct sf_loggroup *group,
                   const struct sf_log *log,
                   struct sf_str *value)
{
    struct sf_str name = {.ptr = rule->match.field, .len = rule->match.field_len};
    for (size_t i = log->n_contents; i-- > 0;) {
        if (sf_str_eq(log->contents[i].key, name)) {
            *value = log->contents[i].value;
            return true;
        }
    }
    switch (rule->kind) {
    case FIELD_TOPIC:
        *value = group->topic;
        return true;
    case FIELD_SOURCE:
        *value = group->source;
        return true;
    case FIELD_TAG: {
        struct sf_str tag = {.ptr = name.ptr + TAG_PREFIX_LEN, .len = name.len - TAG_PREFIX_LEN};
        for (size_t i = group->n_tags; i-- > 0;) {
            if (sf_str_eq(group->tags[i].key, tag)) {
                *value = group->tags[i].value;
                return true;
            }
        }
        return false;
    }
    default:
        return false;
    }
}

static bool any_holds(const struct event_rule *rules,
                      size_t n,
                      const struct sf_loggroup *group,
                      const struct sf_log *log)
{
    for (size_t i = 0; i < n; i++) {
        struct sf_str value;
        bool is_present = lookup(&rules[i], group, log, &value);
        if (sf_match_rule_test(&rules[i].match, is_present ? &value : NULL)) {
            return true;
        }
    }
    return false;
}

bool sf_filter_keeps_event(const struct sf_filter *filter,
                           const struct sf_loggroup *group,
                           const struct sf_log *log)
{
    if (!filter) {
        return true;
    }
    if (filter->n_keep_if && !any_holds(filter->keep_if, filter->n_keep_if, group, log)) {
        return false;
    }
    return !any_holds(filter->drop_if, filter->n_drop_if, group, log);
}

/* ---- field rules ---- */

static bool
any_glob(const struct sf_match_glob *globs, size_t n, struct sf_str pre, struct sf_str s)
{
    for (size_t i = 0; i < n; i++) {
        if (sf_match_glob_test(&globs[i], pre, s)) {
            return true;
        }
    }
    return false;
}

bool sf_filter_field(const struct sf_filter *filter, struct sf_filter_key *key)
{
    if (!filter) {
        return true;
    }
    struct sf_str pre = key->is_tag ? SF_STR_LIT(TAG_PREFIX) : (struct sf_str){.ptr = "", .len = 0};
    if (filter->n_keep_fields &&
        !any_glob(filter->keep_fields, filter->n_keep_fields, pre, key->name)) {
        return false;
    }
    if (any_glob(filter->drop_fields, filter->n_drop_fields, pre, key->name)) {
        return false;
    }
    for (size_t i = 0; i < filter->n_renames; i++) {
        const struct rename *r = &filter->renames[i];
        if (r->from_len == pre.len + key->name.len &&
            (pre.len == 0 || memcmp(r->from, pre.ptr, pre.len) == 0) &&
            memcmp(r->from + pre.len, key->name.ptr, key->name.len) == 0) {
            key->name = (struct sf_str){.ptr = r->to, .len = r->to_len};
            key->is_tag = false;
            return true;
        }
    }
    return true;
}

size_t sf_filter_rename_growth(const struct sf_filter *filter)
{
    return filter ? filter->rename_growth : 0;
}
