/* SPL subset evaluator: runs a parsed statement over one log. SQL three-valued logic (a
 * missing field is null; a comparison with null is null; `where` keeps only true). Content
 * fields are varchar; comparing one with a number converts the text to that number, and text
 * that is not a number makes the comparison null. Instruction semantics follow the SPL
 * field-operation page: project keeps the named fields, project-away drops them,
 * project-rename renames all pairs at once (a rename overwrites a field of the new name),
 * extend sets fields from the input row (a copy of a missing field removes the target). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spl_int.h"

#include "util/banned.h"

enum val_kind {
    V_NULL,
    V_STR,
    V_INT,
    V_DBL,
    V_TRUE,
    V_FALSE,
};

struct val {
    enum val_kind k;
    const uint8_t *s;
    size_t len;
    int64_t i;
    double d;
};

static const struct val null_val = {.k = V_NULL};

static struct val bool_val(bool b)
{
    return (struct val){.k = b ? V_TRUE : V_FALSE};
}

static struct val str_val(const void *s, size_t len)
{
    return (struct val){.k = V_STR, .s = s, .len = len};
}

static bool key_is(const uint8_t *key, size_t key_len, const char *name, size_t len)
{
    return key_len == len && (len == 0 || memcmp(key, name, len) == 0);
}

static const struct emu_spl_kv *
find(const struct emu_spl_kv *kvs, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (key_is(kvs[i].key, kvs[i].key_len, name, len)) {
            return &kvs[i];
        }
    }
    return NULL;
}

/* [+-]?[0-9]+ within int64; no spaces (cast('1.5' as bigint) fails in SPL's SQL engine). */
static bool parse_int(const uint8_t *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool is_negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        is_negative = s[i++] == '-';
    }
    if (i == len) {
        return false;
    }
    uint64_t v = 0;
    uint64_t limit = is_negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (limit - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    *out = is_negative ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? */
static bool parse_double(const uint8_t *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-') {
        i++;
    }
    size_t digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        digits++;
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        size_t exp_digits = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            exp_digits++;
        }
        if (exp_digits == 0) {
            return false;
        }
    }
    if (i != len) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
    return isfinite(*out);
}

/* Text as a number for comparing with |like|: bigint when it is an integer, else double. */
static struct val to_number(struct val v)
{
    int64_t i;
    double d;
    if (parse_int(v.s, v.len, &i)) {
        return (struct val){.k = V_INT, .i = i};
    }
    if (parse_double(v.s, v.len, &d)) {
        return (struct val){.k = V_DBL, .d = d};
    }
    return null_val;
}

static struct val cast_val(struct val v, enum spl_type type, struct sf_arena *arena)
{
    if (v.k == V_NULL) {
        return v;
    }
    switch (type) {
    case SPL_BIGINT:
        if (v.k == V_STR) {
            int64_t i;
            return parse_int(v.s, v.len, &i) ? (struct val){.k = V_INT, .i = i} : null_val;
        }
        if (v.k == V_DBL) {
            /* rounds half away from zero, as SQL's cast does */
            double r = v.d + (v.d < 0 ? -0.5 : 0.5);
            if (!(r > -9.2233720368547758e18 && r < 9.2233720368547758e18)) {
                return null_val;
            }
            return (struct val){.k = V_INT, .i = (int64_t)r};
        }
        return v;
    case SPL_DOUBLE:
        if (v.k == V_STR) {
            double d;
            return parse_double(v.s, v.len, &d) ? (struct val){.k = V_DBL, .d = d} : null_val;
        }
        if (v.k == V_INT) {
            return (struct val){.k = V_DBL, .d = (double)v.i};
        }
        return v;
    case SPL_VARCHAR: {
        if (v.k == V_STR) {
            return v;
        }
        char *text = sf_arena_alloc(arena, 32);
        int n = v.k == V_INT ? snprintf(text, 32, "%lld", (long long)v.i)
                             : snprintf(text, 32, "%.17g", v.d);
        return str_val(text, (size_t)n);
    }
    default:
        return null_val;
    }
}

static int cmp_bytes(struct val a, struct val b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.s, b.s, n) : 0;
    if (c != 0) {
        return c;
    }
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

static struct val compare(enum spl_cmp op, struct val a, struct val b)
{
    if (a.k == V_NULL || b.k == V_NULL) {
        return null_val;
    }
    if (a.k == V_STR && b.k != V_STR) {
        a = to_number(a);
    } else if (b.k == V_STR && a.k != V_STR) {
        b = to_number(b);
    }
    if (a.k == V_NULL || b.k == V_NULL) {
        return null_val; /* text that is not a number */
    }
    int c;
    if (a.k == V_STR) {
        c = cmp_bytes(a, b);
    } else if (a.k == V_INT && b.k == V_INT) {
        c = a.i < b.i ? -1 : a.i > b.i;
    } else {
        double x = a.k == V_INT ? (double)a.i : a.d;
        double y = b.k == V_INT ? (double)b.i : b.d;
        c = x < y ? -1 : x > y;
    }
    switch (op) {
    case SPL_CMP_EQ:
        return bool_val(c == 0);
    case SPL_CMP_NE:
        return bool_val(c != 0);
    case SPL_CMP_LT:
        return bool_val(c < 0);
    case SPL_CMP_LE:
        return bool_val(c <= 0);
    case SPL_CMP_GT:
        return bool_val(c > 0);
    default:
        return bool_val(c >= 0);
    }
}

/* Bytes of one character at |s| for `_`: a whole UTF-8 sequence, else one byte. */
static size_t char_len(const uint8_t *s, size_t n)
{
    size_t want = s[0] < 0x80             ? 1
                  : (s[0] & 0xE0) == 0xC0 ? 2
                  : (s[0] & 0xF0) == 0xE0 ? 3
                  : (s[0] & 0xF8) == 0xF0 ? 4
                                          : 1;
    if (want > n) {
        return 1;
    }
    for (size_t i = 1; i < want; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 1;
        }
    }
    return want;
}

/* SQL LIKE: % any run, _ one character, everything else itself (case-sensitive). */
static bool like_match(const uint8_t *s, size_t n, const uint8_t *p, size_t m)
{
    size_t si = 0, pi = 0, star_p = SIZE_MAX, star_s = 0;
    while (si < n) {
        if (pi < m && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
        } else if (pi < m && p[pi] == '_') {
            si += char_len(s + si, n - si);
            pi++;
        } else if (pi < m && p[pi] == s[si]) {
            si++;
            pi++;
        } else if (star_p != SIZE_MAX) {
            star_s += char_len(s + star_s, n - star_s);
            si = star_s;
            pi = star_p;
        } else {
            return false;
        }
    }
    while (pi < m && p[pi] == '%') {
        pi++;
    }
    return pi == m;
}

static struct val tag_val(const struct emu_spl_group *g, const char *name, size_t len)
{
    const struct emu_spl_kv *kv = g ? find(g->tags, g->n_tags, name, len) : NULL;
    return kv ? str_val(kv->value, kv->value_len) : null_val;
}

static struct val
eval(const struct spl_node *n, const struct emu_spl_row *row, struct sf_arena *arena)
{
    const struct emu_spl_group *g = row->group;
    switch (n->kind) {
    case SPL_N_FIELD: {
        const struct emu_spl_kv *kv = find(row->fields, row->n_fields, n->str, n->len);
        return kv ? str_val(kv->value, kv->value_len) : null_val;
    }
    case SPL_N_TIME:
        return (struct val){.k = V_INT, .i = row->time};
    case SPL_N_TIME_NS:
        return row->has_time_ns ? (struct val){.k = V_INT, .i = row->time_ns} : null_val;
    case SPL_N_TOPIC:
        return g && g->topic ? str_val(g->topic, g->topic_len) : null_val;
    case SPL_N_SOURCE:
        return g && g->source ? str_val(g->source, g->source_len) : null_val;
    case SPL_N_TAG:
        return tag_val(g, n->str, n->len);
    case SPL_N_STRING:
        return str_val(n->str, n->len);
    case SPL_N_INT:
        return (struct val){.k = V_INT, .i = n->i};
    case SPL_N_DOUBLE:
        return (struct val){.k = V_DBL, .d = n->d};
    case SPL_N_CAST:
        return cast_val(eval(n->l, row, arena), n->type, arena);
    case SPL_N_CMP:
        return compare(n->cmp, eval(n->l, row, arena), eval(n->r, row, arena));
    case SPL_N_AND: {
        struct val a = eval(n->l, row, arena);
        if (a.k == V_FALSE) {
            return a;
        }
        struct val b = eval(n->r, row, arena);
        return b.k == V_FALSE ? b : a.k == V_NULL || b.k == V_NULL ? null_val : b;
    }
    case SPL_N_OR: {
        struct val a = eval(n->l, row, arena);
        if (a.k == V_TRUE) {
            return a;
        }
        struct val b = eval(n->r, row, arena);
        return b.k == V_TRUE ? b : a.k == V_NULL || b.k == V_NULL ? null_val : b;
    }
    case SPL_N_NOT: {
        struct val a = eval(n->l, row, arena);
        return a.k == V_NULL ? a : bool_val(a.k == V_FALSE);
    }
    case SPL_N_LIKE: {
        struct val a = eval(n->l, row, arena);
        if (a.k == V_NULL) {
            return a;
        }
        bool is_match = like_match(a.s, a.len, (const uint8_t *)n->str, n->len);
        return bool_val(is_match != n->is_negated);
    }
    case SPL_N_REGEXP: {
        struct val a = eval(n->l, row, arena);
        if (a.k == V_NULL) {
            return a;
        }
        /* A NUL-terminated copy rather than REG_STARTEND on the value where it lies:
         * sanitizers' regexec interceptors read the string up to its NUL whatever the flags
         * say, and values are not NUL-terminated. The arena is reset per log. */
        char *s = sf_arena_alloc(arena, a.len + 1);
        memcpy(s, a.s, a.len);
        s[a.len] = '\0';
        return bool_val(regexec(n->re, s, 0, NULL, 0) == 0);
    }
    case SPL_N_ISNULL:
        return bool_val((eval(n->l, row, arena).k == V_NULL) != n->is_negated);
    default:
        return null_val;
    }
}

static struct emu_spl_kv *kv_alloc(struct sf_arena *arena, size_t n)
{
    return sf_arena_alloc(arena, (n ? n : 1) * sizeof(struct emu_spl_kv));
}

static void project(const struct spl_cmd *cmd, struct emu_spl_row *row, struct sf_arena *arena)
{
    struct emu_spl_kv *out = kv_alloc(arena, cmd->n_items);
    size_t n = 0;
    for (size_t i = 0; i < cmd->n_items; i++) {
        const struct spl_item *item = &cmd->items[i];
        const struct emu_spl_kv *kv = find(row->fields, row->n_fields, item->name, item->name_len);
        if (kv && !find(out, n, item->name, item->name_len)) {
            out[n++] = *kv;
        }
    }
    row->fields = out;
    row->n_fields = n;
}

static bool named_in(const struct spl_cmd *cmd, const uint8_t *key, size_t key_len, bool is_from)
{
    for (size_t i = 0; i < cmd->n_items; i++) {
        const struct spl_item *item = &cmd->items[i];
        if (is_from ? key_is(key, key_len, item->from, item->from_len)
                    : key_is(key, key_len, item->name, item->name_len)) {
            return true;
        }
    }
    return false;
}

static void project_away(const struct spl_cmd *cmd, struct emu_spl_row *row, struct sf_arena *arena)
{
    struct emu_spl_kv *out = kv_alloc(arena, row->n_fields);
    size_t n = 0;
    for (size_t i = 0; i < row->n_fields; i++) {
        if (!named_in(cmd, row->fields[i].key, row->fields[i].key_len, false)) {
            out[n++] = row->fields[i];
        }
    }
    row->fields = out;
    row->n_fields = n;
}

/* All pairs at once on the input row: a field named by an `old` takes its `new` name; a
 * field already called `new` is dropped when a rename to it happens. */
static void
project_rename(const struct spl_cmd *cmd, struct emu_spl_row *row, struct sf_arena *arena)
{
    struct emu_spl_kv *out = kv_alloc(arena, row->n_fields);
    size_t n = 0;
    for (size_t i = 0; i < row->n_fields; i++) {
        struct emu_spl_kv kv = row->fields[i];
        const struct spl_item *rename = NULL;
        bool is_overwritten = false;
        for (size_t k = 0; k < cmd->n_items; k++) {
            const struct spl_item *item = &cmd->items[k];
            bool is_source = find(row->fields, row->n_fields, item->from, item->from_len);
            if (!rename && key_is(kv.key, kv.key_len, item->from, item->from_len)) {
                rename = item;
            } else if (is_source && key_is(kv.key, kv.key_len, item->name, item->name_len)) {
                is_overwritten = true;
            }
        }
        if (rename) {
            kv.key = (const uint8_t *)rename->name;
            kv.key_len = rename->name_len;
        } else if (is_overwritten) {
            continue;
        }
        out[n++] = kv;
    }
    row->fields = out;
    row->n_fields = n;
}

static void extend(const struct spl_cmd *cmd, struct emu_spl_row *row, struct sf_arena *arena)
{
    /* Values first, from the input row, so `extend a = b, b = a` swaps. */
    struct emu_spl_kv *values = kv_alloc(arena, cmd->n_items);
    bool *is_set = sf_arena_alloc(arena, cmd->n_items ? cmd->n_items : 1);
    for (size_t i = 0; i < cmd->n_items; i++) {
        const struct spl_item *item = &cmd->items[i];
        const struct emu_spl_kv *src =
            item->is_const ? NULL : find(row->fields, row->n_fields, item->from, item->from_len);
        is_set[i] = item->is_const || src;
        values[i].key = (const uint8_t *)item->name;
        values[i].key_len = item->name_len;
        values[i].value = item->is_const ? (const uint8_t *)item->value : src ? src->value : NULL;
        values[i].value_len = item->is_const ? item->value_len : src ? src->value_len : 0;
    }
    struct emu_spl_kv *out = kv_alloc(arena, row->n_fields + cmd->n_items);
    size_t n = 0;
    for (size_t i = 0; i < row->n_fields; i++) {
        if (!named_in(cmd, row->fields[i].key, row->fields[i].key_len, false)) {
            out[n++] = row->fields[i];
        }
    }
    for (size_t i = 0; i < cmd->n_items; i++) {
        /* the last assignment to a name wins; a null one removes the field */
        bool is_last = true;
        for (size_t k = i + 1; k < cmd->n_items; k++) {
            is_last = is_last && !key_is(values[k].key, values[k].key_len, cmd->items[i].name,
                                         cmd->items[i].name_len);
        }
        if (is_last && is_set[i]) {
            out[n++] = values[i];
        }
    }
    row->fields = out;
    row->n_fields = n;
}

bool emu_spl_run(const struct emu_spl *spl, struct emu_spl_row *row, struct sf_arena *arena)
{
    for (size_t i = 0; i < spl->n_cmds; i++) {
        const struct spl_cmd *cmd = &spl->cmds[i];
        switch (cmd->kind) {
        case SPL_C_WHERE:
            if (eval(cmd->cond, row, arena).k != V_TRUE) {
                return false;
            }
            break;
        case SPL_C_PROJECT:
            project(cmd, row, arena);
            break;
        case SPL_C_PROJECT_AWAY:
            project_away(cmd, row, arena);
            break;
        case SPL_C_PROJECT_RENAME:
            project_rename(cmd, row, arena);
            break;
        case SPL_C_EXTEND:
            extend(cmd, row, arena);
            break;
        }
    }
    return true;
}
