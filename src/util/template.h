/* Routing templates: the text of `mapping.index: "sls-{__topic__|other}"` and friends, parsed
 * once at start into literal parts and field references. Only the grammar lives here, so that
 * the config module can refuse a bad template with its file and line and the transform module
 * can render it from a log; neither knows the other (scripts/check_deps.sh). Resolving a field
 * against a log is transform/template.h.
 *
 * Grammar: literal text with references `{name}` or `{name|fallback}`; `{{` and `}}` stand for
 * a literal brace. `name` is a log field (`__topic__`, `__source__`, `__tag__:<key>`, any
 * content key) or one of the source's own `project` and `logstore`; the fallback (any text
 * without braces, possibly empty) is used when the field is missing or empty. */
#ifndef SF_UTIL_TEMPLATE_H
#define SF_UTIL_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/str.h"

/* Parts of one template at most: enough for "a{x}b{y}c…" of real routing keys, and small
 * enough for the renderer to resolve into a fixed table on the stack. */
#define SF_TEMPLATE_MAX_PARTS 16

enum sf_template_kind {
    SF_TEMPLATE_LITERAL,  /* |text| as is */
    SF_TEMPLATE_FIELD,    /* the log's field named |text| */
    SF_TEMPLATE_PROJECT,  /* the source's project */
    SF_TEMPLATE_LOGSTORE, /* the source's logstore */
};

struct sf_template_part {
    enum sf_template_kind kind;
    struct sf_str text;     /* literal bytes, or the field's name; points into the template */
    struct sf_str fallback; /* with |has_fallback| */
    bool has_fallback;
};

struct sf_template {
    struct sf_template_part parts[SF_TEMPLATE_MAX_PARTS];
    size_t n_parts;
    bool is_literal; /* no reference: the text (braces unescaped) is the value of every event */
    char *text;      /* owned: the parts' bytes ("{{" already reduced to "{") */
};

/* Parses |text| into |out| (its own copy of the bytes; release with sf_template_cleanup, also
 * after a failure). SF_ERR_CONFIG, with a sentence naming the fault and its column in |errbuf|,
 * for an unclosed `{`, a stray `}`, an empty field name, a brace inside a reference, a
 * `{project…}`/`{logstore…}` variant that is not exactly `project`/`logstore`, or more than
 * SF_TEMPLATE_MAX_PARTS parts. */
sf_err
sf_template_parse(const char *text, struct sf_template *out, char *errbuf, size_t errbuf_size);
void sf_template_cleanup(struct sf_template *t);

/* True when |text| holds no reference (a plain value): cheap, for config checks. */
bool sf_template_is_plain(const char *text);

#endif
