/* One envelope, checked with jansson. The order of the checks (event, time, metadata, index,
 * fields) only matters for an envelope with several faults; Splunk's order is not
 * documented. */
#include "envelope.h"

#include <jansson.h>
#include <string.h>

#include "util/banned.h"

bool hec_index_allowed(const char *allow, const char *index, size_t len)
{
    if (!allow[0]) {
        return true;
    }
    if (len == 0 || memchr(index, ',', len)) {
        return false;
    }
    size_t allow_len = strlen(allow);
    for (size_t i = 0; i + len + 2 <= allow_len; i++) {
        if (allow[i] == ',' && allow[i + len + 1] == ',' &&
            memcmp(allow + i + 1, index, len) == 0) {
            return true;
        }
    }
    return false;
}

bool hec_envelope_parse_time_string(const char *s, size_t len, double *out)
{
    /* Digits, optionally '.' and more digits: what senders that quote `time` produce
     * (splunk/fluentd-hec PR#6, the Alibaba sample's str(__time__)). */
    size_t i = 0;
    double v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0 || i > 20) {
        return false;
    }
    if (i < len && s[i] == '.') {
        size_t frac_start = ++i;
        double scale = 0.1;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == frac_start) {
            return false;
        }
    }
    if (i != len) {
        return false;
    }
    *out = v;
    return true;
}

static int check_time(json_t *time, const struct hec_envelope_rules *rules)
{
    double t;
    if (json_is_number(time)) {
        t = json_number_value(time);
    } else if (json_is_string(time)) {
        if (!hec_envelope_parse_time_string(json_string_value(time), json_string_length(time),
                                            &t)) {
            return 6;
        }
    } else {
        return 6; /* null, true, an object: not a time */
    }
    if (t < 0 || (!rules->is_lenient_time && t >= HEC_MAX_TIME_S)) {
        return 6;
    }
    return 0;
}

/* Indexed fields (docs/protocol/hec.md §Event envelope): a flat object whose values are strings,
 * numbers, or arrays of strings (multi-value). Anything nested is code 15. */
static int check_fields(json_t *fields)
{
    if (!json_is_object(fields)) {
        return 15;
    }
    const char *key;
    json_t *value;
    json_object_foreach(fields, key, value)
    {
        if (json_is_string(value) || json_is_number(value)) {
            continue;
        }
        if (!json_is_array(value)) {
            return 15;
        }
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
        {
            if (!json_is_string(item)) {
                return 15;
            }
        }
    }
    return 0;
}

static int check_parsed(json_t *root, const struct hec_envelope_rules *rules)
{
    if (!json_is_object(root)) {
        return 6;
    }
    json_t *event = json_object_get(root, "event");
    if (!event || json_is_null(event)) {
        return 12;
    }
    if ((json_is_string(event) && json_string_length(event) == 0) ||
        (json_is_object(event) && json_object_size(event) == 0)) {
        return 13;
    }
    json_t *time = json_object_get(root, "time");
    int code = time ? check_time(time, rules) : 0;
    if (code) {
        return code;
    }
    static const char *const meta[] = {"host", "source", "sourcetype", "index"};
    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
        json_t *value = json_object_get(root, meta[i]);
        if (value && !json_is_string(value)) {
            return 6;
        }
    }
    json_t *index = json_object_get(root, "index");
    if (index &&
        !hec_index_allowed(rules->indexes, json_string_value(index), json_string_length(index))) {
        return 7;
    }
    json_t *fields = json_object_get(root, "fields");
    return fields ? check_fields(fields) : 0;
}

int hec_envelope_check(const uint8_t *p, size_t len, const struct hec_envelope_rules *rules)
{
    json_error_t error;
    /* JSON allows \u0000 in strings; jansson needs the flag to take it. Invalid UTF-8 is
     * refused (code 6): a sender must never produce it. */
    json_t *root = json_loadb((const char *)p, len, JSON_ALLOW_NUL, &error);
    if (!root) {
        return 6;
    }
    int code = check_parsed(root, rules);
    json_decref(root);
    return code;
}
