/* sf_loggroup_list_assert_within: the fuzzers' and tests' proof that the decoder hands out
 * views of its input only. Kept apart from the decoder: it is test support, not hot path. */
#include <stdio.h>
#include <stdlib.h>

#include "codec/loggroup.h"

#include "util/banned.h" /* last: poisons what the project does not use */

struct bounds {
    const char *lo;
    const char *hi;
};

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "sf_loggroup_list_assert_within: %s\n", what);
        abort();
    }
}

/* Empty views may point anywhere valid (absent strings are a static ""). Compared as integers
 * so that a wild pointer is reported rather than being undefined behaviour to compare. */
static void check_str(struct sf_str s, const struct bounds *b)
{
    if (s.len == 0) {
        check(s.ptr != NULL, "empty string with a NULL pointer");
        return;
    }
    uintptr_t p = (uintptr_t)s.ptr;
    check(p >= (uintptr_t)b->lo && p <= (uintptr_t)b->hi && s.len <= (uintptr_t)b->hi - p,
          "string outside the input");
}

static void check_kvs(const struct sf_log_kv *kvs, size_t n, const struct bounds *b)
{
    check(n == 0 || kvs != NULL, "NULL array with a non-zero count");
    for (size_t i = 0; i < n; i++) {
        check_str(kvs[i].key, b);
        check_str(kvs[i].value, b);
    }
}

static void check_group(const struct sf_loggroup *group, const struct bounds *b)
{
    check_str(group->topic, b);
    check_str(group->source, b);
    check_str(group->machine_uuid, b);
    check_kvs(group->tags, group->n_tags, b);
    check(group->n_logs == 0 || group->logs != NULL, "NULL logs with a non-zero count");
    for (size_t i = 0; i < group->n_logs; i++) {
        check(group->logs[i].time_ns == 0 || group->logs[i].has_time_ns, "stray time_ns");
        check_kvs(group->logs[i].contents, group->logs[i].n_contents, b);
    }
}

void sf_loggroup_list_assert_within(const struct sf_loggroup_list *list,
                                    const uint8_t *data,
                                    size_t len)
{
    /* |data| may be NULL when |len| is 0, and NULL + 0 is undefined behaviour in C. */
    struct bounds b = {.lo = (const char *)data, .hi = (const char *)data};
    if (len) {
        b.hi += len;
    }
    size_t n_logs = 0;
    check(list->n_groups == 0 || list->groups != NULL, "NULL groups with a non-zero count");
    for (size_t i = 0; i < list->n_groups; i++) {
        check_group(&list->groups[i], &b);
        n_logs += list->groups[i].n_logs;
    }
    check(n_logs == list->n_logs_total, "n_logs_total does not add up");
}
