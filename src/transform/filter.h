/* transform: client-side filters of one source (CONFIGURATION.md "Filters"). Event rules
 * decide from the decoded log whether it becomes an event at all (keep_if, drop_if); field
 * rules decide which keys the event carries and under which name (keep_fields, drop_fields,
 * rename). The formatters (hec_event.h, syslog_line.h) apply them in their one pass over a
 * log; nothing here writes output. A filter is immutable once made: any number of threads may
 * share one. Matching allocates nothing. */
#ifndef SF_TRANSFORM_FILTER_H
#define SF_TRANSFORM_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "codec/loggroup.h"
#include "util/err.h"
#include "util/str.h"

/* The rules as the config writes them (util/match.h gives the rule grammar). */
struct sf_filter_options {
    const char *const *keep_if; /* "status>=400": the event is kept only if one holds */
    size_t n_keep_if;
    const char *const *drop_if; /* "path~^/health": the event is dropped if one holds */
    size_t n_drop_if;
    const char *const *keep_fields; /* names or globs: only these keys are written */
    size_t n_keep_fields;
    const char *const *drop_fields; /* names or globs: these keys are not written */
    size_t n_drop_fields;
    const char *const *rename; /* "old=new": key old is written as new (exact names) */
    size_t n_rename;
};

struct sf_filter;

/* Compiles |opts| into |*out| (NULL on error); |opts| may be freed afterwards. SF_ERR_CONFIG
 * with a sentence in |errbuf| naming the list and the entry ("drop_if: rule \"path~(\": regex
 * ... does not compile: ..."). A filter without any rule is valid and lets everything
 * through. */
sf_err sf_filter_new(const struct sf_filter_options *opts,
                     struct sf_filter **out,
                     char *errbuf,
                     size_t errbuf_size);
void sf_filter_free(struct sf_filter *filter); /* NULL is fine */

/* Whether |filter| has keep_if or drop_if rules; false for NULL. */
bool sf_filter_has_event_rules(const struct sf_filter *filter);
/* Whether |filter| has keep_fields, drop_fields or rename; false for NULL. */
bool sf_filter_has_field_rules(const struct sf_filter *filter);

/* Whether |log| of |group| becomes an event: (no keep_if, or one of them holds) and no
 * drop_if holds. A rule reads the value the event would show for its field: the last content
 * with that key, else (for "__tag__:<key>") the group's last tag <key>, else __topic__ or
 * __source__; a field found nowhere is absent. True for NULL. */
bool sf_filter_keeps_event(const struct sf_filter *filter,
                           const struct sf_loggroup *group,
                           const struct sf_log *log);

/* A key as the event writes it: |name|, after "__tag__:" when |is_tag|. */
struct sf_filter_key {
    struct sf_str name;
    bool is_tag;
};

/* Field rules on one key, matched against its full name ("__tag__:x" for a tag): false when
 * the key is not written (keep_fields given and none matches, or a drop_fields entry matches);
 * else true, with |*key| replaced by the rename target if there is one (then is_tag is false
 * and name is the target as written). True and |*key| unchanged for NULL. */
bool sf_filter_field(const struct sf_filter *filter, struct sf_filter_key *key);

/* The most bytes a rename adds to one key's name (0 without renames): for size bounds. */
size_t sf_filter_rename_growth(const struct sf_filter *filter);

#endif
