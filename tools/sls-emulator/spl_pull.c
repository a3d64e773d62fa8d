/* Applies an SPL statement to pulled LogGroups: decode each stored LogGroup, run the
 * statement per log, re-encode the survivors with the LogGroup's own topic, source and tags.
 * Values are never copied: output contents point into the decoded input or the statement. */
#include <stdlib.h>
#include <string.h>

#include "emu_logs.pb-c.h"
#include "spl_pull.h"

#include "util/banned.h"

/* The stored frame is tag 0x0A, a varint length, then the LogGroup. */
static bool unframe(const struct emu_lg *lg, const uint8_t **payload, size_t *len)
{
    size_t i = 1;
    uint64_t n = 0;
    for (unsigned shift = 0; i < lg->len && shift < 35; shift += 7) {
        uint8_t b = lg->data[i++];
        n |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *payload = lg->data + i;
            *len = (size_t)n;
            return lg->data[0] == 0x0A && n == lg->len - i;
        }
    }
    return false;
}

static bool append_framed(struct sf_buf *out, const Emu__LogGroup *group)
{
    size_t size = emu__log_group__get_packed_size(group);
    uint8_t head[11] = {0x0A};
    size_t n = 1;
    for (size_t v = size;; v >>= 7) {
        head[n++] = (uint8_t)((v & 0x7F) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80) {
            break;
        }
    }
    if (sf_buf_append(out, head, n) != SF_OK || sf_buf_reserve(out, size) != SF_OK) {
        return false;
    }
    out->len += emu__log_group__pack(group, out->ptr + out->len);
    return true;
}

/* The statement's view of |in|'s LogGroup-level fields. */
static void group_view(const Emu__LogGroup *in, struct emu_spl_group *g, struct sf_arena *arena)
{
    memset(g, 0, sizeof(*g));
    if (in->has_topic) {
        g->topic = in->topic.data ? in->topic.data : (const uint8_t *)"";
        g->topic_len = in->topic.len;
    }
    if (in->has_source) {
        g->source = in->source.data ? in->source.data : (const uint8_t *)"";
        g->source_len = in->source.len;
    }
    struct emu_spl_kv *tags = sf_arena_alloc(arena, (in->n_logtags + 1) * sizeof(*tags));
    for (size_t i = 0; i < in->n_logtags; i++) {
        tags[i] = (struct emu_spl_kv){in->logtags[i]->key.data, in->logtags[i]->key.len,
                                      in->logtags[i]->value.data, in->logtags[i]->value.len};
    }
    g->tags = tags;
    g->n_tags = in->n_logtags;
}

/* Runs |spl| over one log; NULL when dropped, else the output log (arena). */
static Emu__Log *run_log(const struct emu_spl *spl,
                         const Emu__Log *in,
                         const struct emu_spl_group *g,
                         struct sf_arena *arena)
{
    struct emu_spl_row row = {
        .fields = sf_arena_alloc(arena, (in->n_contents + 1) * sizeof(struct emu_spl_kv)),
        .n_fields = in->n_contents,
        .time = in->time,
        .time_ns = in->time_ns,
        .has_time_ns = in->has_time_ns,
        .group = g,
    };
    for (size_t i = 0; i < in->n_contents; i++) {
        row.fields[i] =
            (struct emu_spl_kv){in->contents[i]->key.data, in->contents[i]->key.len,
                                in->contents[i]->value.data, in->contents[i]->value.len};
    }
    if (!emu_spl_run(spl, &row, arena)) {
        return NULL;
    }
    Emu__Log *out = sf_arena_alloc(arena, sizeof(*out));
    *out = (Emu__Log)EMU__LOG__INIT;
    out->time = in->time;
    out->has_time_ns = in->has_time_ns;
    out->time_ns = in->time_ns;
    out->n_contents = row.n_fields;
    out->contents = sf_arena_alloc(arena, (row.n_fields + 1) * sizeof(*out->contents));
    for (size_t i = 0; i < row.n_fields; i++) {
        Emu__Log__Content *c = sf_arena_alloc(arena, sizeof(*c));
        *c = (Emu__Log__Content)EMU__LOG__CONTENT__INIT;
        c->key = (ProtobufCBinaryData){row.fields[i].key_len, (uint8_t *)row.fields[i].key};
        c->value = (ProtobufCBinaryData){row.fields[i].value_len, (uint8_t *)row.fields[i].value};
        out->contents[i] = c;
    }
    return out;
}

bool emu_spl_pull(const struct emu_spl *spl,
                  struct emu_lg *const *groups,
                  size_t n_groups,
                  size_t max_bytes,
                  struct emu_spl_pull *out)
{
    memset(out, 0, sizeof(*out));
    sf_buf_init(&out->raw, max_bytes);
    struct sf_arena arena;
    sf_arena_init(&arena, 64 << 10);
    bool is_ok = true;
    for (size_t gi = 0; gi < n_groups && is_ok; gi++) {
        const uint8_t *payload;
        size_t len;
        Emu__LogGroup *in =
            unframe(groups[gi], &payload, &len) ? emu__log_group__unpack(NULL, len, payload) : NULL;
        if (!in) {
            is_ok = false;
            break;
        }
        sf_arena_reset(&arena);
        struct emu_spl_group g;
        group_view(in, &g, &arena);
        Emu__Log **logs = sf_arena_alloc(&arena, (in->n_logs + 1) * sizeof(*logs));
        size_t n_logs = 0;
        for (size_t li = 0; li < in->n_logs; li++) {
            Emu__Log *log = run_log(spl, in->logs[li], &g, &arena);
            if (log) {
                logs[n_logs++] = log;
            }
        }
        out->n_logs_in += in->n_logs;
        if (n_logs) {
            Emu__LogGroup kept = *in;
            kept.logs = logs;
            kept.n_logs = n_logs;
            is_ok = append_framed(&out->raw, &kept);
            out->n_groups++;
            out->n_logs_out += n_logs;
        }
        emu__log_group__free_unpacked(in, NULL);
    }
    sf_arena_cleanup(&arena);
    return is_ok;
}
