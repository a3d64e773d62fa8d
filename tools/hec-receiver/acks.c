/* Channels live in a chained hash table that doubles when full. Each keeps its pending ids
 * in issue order (so ascending): a query is a binary search, and ids reported true are
 * marked done and trimmed from the front. */
#include "acks.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

struct ack_entry {
    uint64_t id;
    int64_t ready_at_ms;
    bool is_lost;
    bool is_done;
};

struct ack_channel {
    struct ack_channel *next; /* hash chain */
    char name[HEC_CHANNEL_MAX + 1];
    uint64_t next_id;
    struct ack_entry *entries; /* [head, n) may hold pending ids */
    size_t head;
    size_t n;
    size_t cap;
    size_t n_pending;
    int64_t last_used_ms;
};

struct hec_acks {
    struct ack_channel **buckets;
    size_t n_buckets; /* a power of two */
    size_t n_channels;
    size_t n_pending;
    size_t max_channels;
    size_t max_pending;
    int64_t idle_ms;
    uint64_t n_expired;
};

struct hec_acks *hec_acks_new(size_t max_channels, size_t max_pending, int64_t idle_ms)
{
    struct hec_acks *acks = sf_xcalloc(1, sizeof(*acks));
    acks->n_buckets = 256;
    acks->buckets = sf_xcalloc(acks->n_buckets, sizeof(*acks->buckets));
    acks->max_channels = max_channels ? max_channels : HEC_DEFAULT_ACK_MAX_CHANNEL;
    acks->max_pending = max_pending ? max_pending : HEC_DEFAULT_ACK_MAX_PENDING;
    acks->idle_ms = idle_ms;
    return acks;
}

static void channel_free(struct ack_channel *ch)
{
    free(ch->entries);
    free(ch);
}

void hec_acks_clear(struct hec_acks *acks)
{
    for (size_t b = 0; b < acks->n_buckets; b++) {
        struct ack_channel *ch = acks->buckets[b];
        while (ch) {
            struct ack_channel *next = ch->next;
            channel_free(ch);
            ch = next;
        }
        acks->buckets[b] = NULL;
    }
    acks->n_channels = 0;
    acks->n_pending = 0;
}

void hec_acks_free(struct hec_acks *acks)
{
    if (acks) {
        hec_acks_clear(acks);
        free(acks->buckets);
        free(acks);
    }
}

bool hec_channel_is_guid(const char *s)
{
    static const int group_len[] = {8, 4, 4, 4, 12};
    for (size_t g = 0; g < 5; g++) {
        for (int i = 0; i < group_len[g]; i++, s++) {
            char c = *s;
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        if (*s != (g < 4 ? '-' : '\0')) {
            return false;
        }
        s++;
    }
    return true;
}

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    }
    return (size_t)h;
}

static struct ack_channel **slot_of(struct hec_acks *acks, const char *name)
{
    struct ack_channel **slot = &acks->buckets[hash(name) & (acks->n_buckets - 1)];
    while (*slot && strcmp((*slot)->name, name) != 0) {
        slot = &(*slot)->next;
    }
    return slot;
}

static void unlink_channel(struct hec_acks *acks, struct ack_channel **slot)
{
    struct ack_channel *ch = *slot;
    *slot = ch->next;
    acks->n_channels--;
    acks->n_pending -= ch->n_pending;
    channel_free(ch);
}

/* The channel named |name|, NULL when absent or idle too long (then dropped: its ids read
 * false from now on and a new POST starts again at ackId 0, as after Splunk's cleanup). */
static struct ack_channel *find(struct hec_acks *acks, const char *name, int64_t now_ms)
{
    struct ack_channel **slot = slot_of(acks, name);
    if (*slot && acks->idle_ms > 0 && now_ms - (*slot)->last_used_ms > acks->idle_ms) {
        unlink_channel(acks, slot);
        acks->n_expired++;
    }
    return *slot;
}

static void grow(struct hec_acks *acks)
{
    size_t n = acks->n_buckets * 2;
    struct ack_channel **buckets = sf_xcalloc(n, sizeof(*buckets));
    for (size_t b = 0; b < acks->n_buckets; b++) {
        struct ack_channel *ch = acks->buckets[b];
        while (ch) {
            struct ack_channel *next = ch->next;
            size_t i = hash(ch->name) & (n - 1);
            ch->next = buckets[i];
            buckets[i] = ch;
            ch = next;
        }
    }
    free(acks->buckets);
    acks->buckets = buckets;
    acks->n_buckets = n;
}

bool hec_acks_has_room(struct hec_acks *acks, const char *channel, int64_t now_ms)
{
    struct ack_channel *ch = find(acks, channel, now_ms);
    if (!ch) {
        return acks->n_channels < acks->max_channels;
    }
    return ch->n_pending < acks->max_pending;
}

uint64_t hec_acks_issue(
    struct hec_acks *acks, const char *channel, int64_t now_ms, int64_t ready_at_ms, bool is_lost)
{
    struct ack_channel *ch = find(acks, channel, now_ms);
    if (!ch) {
        if (acks->n_channels >= acks->n_buckets) {
            grow(acks);
        }
        struct ack_channel **slot = slot_of(acks, channel);
        ch = sf_xcalloc(1, sizeof(*ch));
        strncpy(ch->name, channel, HEC_CHANNEL_MAX);
        ch->next = *slot;
        *slot = ch;
        acks->n_channels++;
    }
    ch->last_used_ms = now_ms;
    if (ch->head > 0 && ch->head * 2 >= ch->n) { /* trim ids already reported */
        memmove(ch->entries, ch->entries + ch->head, (ch->n - ch->head) * sizeof(*ch->entries));
        ch->n -= ch->head;
        ch->head = 0;
    }
    if (ch->n == ch->cap) {
        ch->cap = ch->cap ? ch->cap * 2 : 16;
        ch->entries = sf_xrealloc(ch->entries, ch->cap * sizeof(*ch->entries));
    }
    uint64_t id = ch->next_id++;
    ch->entries[ch->n++] = (struct ack_entry){
        .id = id, .ready_at_ms = ready_at_ms, .is_lost = is_lost, .is_done = false};
    ch->n_pending++;
    acks->n_pending++;
    return id;
}

bool hec_acks_query(struct hec_acks *acks, const char *channel, uint64_t ack_id, int64_t now_ms)
{
    struct ack_channel *ch = find(acks, channel, now_ms);
    if (!ch) {
        return false;
    }
    ch->last_used_ms = now_ms;
    size_t lo = ch->head, hi = ch->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ch->entries[mid].id < ack_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == ch->n) {
        return false;
    }
    struct ack_entry *e = &ch->entries[lo];
    if (e->id != ack_id || e->is_done || e->is_lost || now_ms < e->ready_at_ms) {
        return false;
    }
    e->is_done = true; /* hec.md §Indexer acknowledgement, item 5: forgotten once reported true */
    ch->n_pending--;
    acks->n_pending--;
    while (ch->head < ch->n && ch->entries[ch->head].is_done) {
        ch->head++;
    }
    return true;
}

size_t hec_acks_expire(struct hec_acks *acks, int64_t now_ms)
{
    size_t n = 0;
    if (acks->idle_ms <= 0) {
        return 0;
    }
    for (size_t b = 0; b < acks->n_buckets; b++) {
        struct ack_channel **slot = &acks->buckets[b];
        while (*slot) {
            if (now_ms - (*slot)->last_used_ms > acks->idle_ms) {
                unlink_channel(acks, slot);
                n++;
            } else {
                slot = &(*slot)->next;
            }
        }
    }
    acks->n_expired += n;
    return n;
}

json_t *hec_acks_to_json(const struct hec_acks *acks)
{
    return json_pack("{s:I, s:I, s:I}", "channels", (json_int_t)acks->n_channels, "pending",
                     (json_int_t)acks->n_pending, "expired_channels", (json_int_t)acks->n_expired);
}
