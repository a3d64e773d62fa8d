/* transform: resolves a parsed routing template (util/template.h) against one log, without
 * allocating: each part's value becomes a view into the decoded log, the template or the
 * source's names, in a table the caller keeps on its stack. The mapping pass then writes
 * those views escaped for where they go (JSON for HEC, sanitised for a syslog header). */
#ifndef SF_TRANSFORM_TEMPLATE_H
#define SF_TRANSFORM_TEMPLATE_H

#include <stddef.h>

#include "codec/loggroup.h"
#include "util/str.h"
#include "util/template.h"

/* What a template can name besides the log: the source it was read from. */
struct sf_template_source {
    struct sf_str project;
    struct sf_str logstore;
};

/* The value of the field |name| in |log| of |group|, as the event object holds it:
 * "__topic__", "__source__", "__tag__:<key>" (the group's tag, or a content of that name),
 * else the content |name| (the last one when the key repeats, as the event keeps the last
 * value). Empty (ptr "", len 0) when there is no such field. */
struct sf_str
sf_template_field(const struct sf_loggroup *group, const struct sf_log *log, struct sf_str name);

/* Fills |vals| (t->n_parts entries) with the value of each part: literal text, the field's
 * value, or the fallback when the field is missing or empty. Returns the sum of their lengths:
 * 0 means the template renders empty. |src| may be NULL (project and logstore then read as
 * missing). */
size_t sf_template_resolve(const struct sf_template *t,
                           const struct sf_template_source *src,
                           const struct sf_loggroup *group,
                           const struct sf_log *log,
                           struct sf_str *vals);

#endif
