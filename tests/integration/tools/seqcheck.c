/* seqcheck: reads NDJSON files of HEC events and checks the set of `seq` values that the SLS
 * emulator's generator puts in every log (event.seq, or inside a string-form event).
 *   seqcheck [--expect N] [--max-dup D] [--missing] [--ref FILE] [--crashed FILE] FILE...
 * Prints "events=… distinct=… duplicates=… min=… max=…" and fails when fewer than N distinct
 * values arrived, when more than D duplicates did, or when a line is not a valid event.
 * --crashed FILE is counted like FILE, but was written by a process killed with -9: the kernel
 * may have stopped its last write inside a line, so a last line without its '\n' is reported
 * (torn_tails=) and skipped rather than bad.
 * --missing (with --expect N) lists the values of 1..N that did not arrive, as ranges, with the
 * logstore/shard they came from when a line carrying that seq also has a top-level "source"
 * (as syslog-recorder writes); --ref FILE is read only for that seq -> source map, not counted. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RANGES_SHOWN 40
#define MAX_SOURCES      1024

struct seen {
    unsigned char *bits;
    size_t size; /* values */
};

/* seq -> where it came from (index + 1 into |names|; 0: unknown), for the --missing report. */
struct source_map {
    unsigned short *of;
    size_t size;
    char *names[MAX_SOURCES];
    int n_names;
};

static int source_index(struct source_map *map, const char *name)
{
    for (int i = 0; i < map->n_names; i++) {
        if (strcmp(map->names[i], name) == 0) {
            return i;
        }
    }
    if (map->n_names == MAX_SOURCES) {
        return -1;
    }
    map->names[map->n_names] = strdup(name);
    return map->n_names++;
}

static void note_source(struct source_map *map, unsigned long long v, const char *name)
{
    int i = source_index(map, name);
    if (i < 0) {
        return;
    }
    if (v >= map->size) {
        size_t size = map->size ? map->size : 1 << 20;
        while (size <= v) {
            size *= 2;
        }
        map->of = realloc(map->of, size * sizeof(*map->of));
        memset(map->of + map->size, 0, (size - map->size) * sizeof(*map->of));
        map->size = size;
    }
    map->of[v] = (unsigned short)(i + 1);
}

/* -1 when unknown */
static int source_of(const struct source_map *map, unsigned long long v)
{
    return v < map->size ? (int)map->of[v] - 1 : -1;
}

static bool is_marked(const struct seen *seen, unsigned long long v)
{
    return v < seen->size && (seen->bits[v / 8] >> (v % 8) & 1);
}

static int mark(struct seen *seen, unsigned long long v)
{
    if (v >= seen->size) {
        size_t size = seen->size ? seen->size : 1 << 20;
        while (size <= v) {
            size *= 2;
        }
        seen->bits = realloc(seen->bits, size / 8);
        memset(seen->bits + seen->size / 8, 0, (size - seen->size) / 8);
        seen->size = size;
    }
    int was = seen->bits[v / 8] >> (v % 8) & 1;
    seen->bits[v / 8] |= (unsigned char)(1u << (v % 8));
    return was;
}

static json_t *event_object(json_t *line, json_t **owned)
{
    json_t *event = json_object_get(line, "event");
    *owned = NULL;
    if (json_is_string(event)) {
        *owned = json_loads(json_string_value(event), 0, NULL);
        return *owned;
    }
    return event;
}

/* Prints the values of 1..expect not in |seen|, as ranges of one source each. */
static void
report_missing(const struct seen *seen, const struct source_map *map, unsigned long long expect)
{
    unsigned long long ranges = 0, total = 0;
    unsigned long long by_source[MAX_SOURCES + 1] = {0}; /* [MAX_SOURCES]: unknown */
    unsigned long long v = 1;
    while (v <= expect) {
        if (is_marked(seen, v)) {
            v++;
            continue;
        }
        unsigned long long first = v;
        int source = source_of(map, v);
        while (v <= expect && !is_marked(seen, v) && source_of(map, v) == source) {
            v++;
        }
        unsigned long long count = v - first;
        total += count;
        by_source[source >= 0 ? source : MAX_SOURCES] += count;
        if (ranges++ < MAX_RANGES_SHOWN) {
            printf("missing seq=%llu-%llu count=%llu shard=%s\n", first, v - 1, count,
                   source >= 0 ? map->names[source] : "?");
        }
    }
    if (ranges > MAX_RANGES_SHOWN) {
        printf("missing: %llu more ranges not shown\n", ranges - MAX_RANGES_SHOWN);
    }
    for (int s = 0; s <= MAX_SOURCES; s++) {
        if (by_source[s]) {
            printf("missing_by_shard shard=%s count=%llu\n", s < MAX_SOURCES ? map->names[s] : "?",
                   by_source[s]);
        }
    }
    printf("missing_total=%llu ranges=%llu\n", total, ranges);
}

int main(int argc, char **argv)
{
    long long expect = -1;
    long long max_dup = -1;
    bool want_missing = false;
    struct seen seen = {0};
    struct source_map map = {0};
    unsigned long long events = 0, dups = 0, distinct = 0, min = ~0ULL, max = 0;
    int bad = 0, torn_tails = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            expect = atoll(argv[++i]);
            continue;
        }
        if (strcmp(argv[i], "--max-dup") == 0 && i + 1 < argc) {
            max_dup = atoll(argv[++i]);
            continue;
        }
        if (strcmp(argv[i], "--missing") == 0) {
            want_missing = true;
            continue;
        }
        bool is_ref = false, is_crashed = false;
        if (strcmp(argv[i], "--ref") == 0 && i + 1 < argc) {
            is_ref = true;
            i++;
        } else if (strcmp(argv[i], "--crashed") == 0 && i + 1 < argc) {
            is_crashed = true;
            i++;
        }
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            fprintf(stderr, "seqcheck: cannot open %s\n", argv[i]);
            return 2;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            if (is_crashed && line[len - 1] != '\n') {
                torn_tails++; /* the last line: getline stops only at '\n' or the end */
                break;
            }
            json_error_t jerr;
            json_t *root = json_loadb(line, (size_t)len, 0, &jerr);
            json_t *owned = NULL;
            json_t *event = root ? event_object(root, &owned) : NULL;
            const char *seq = event ? json_string_value(json_object_get(event, "seq")) : NULL;
            const char *source = root ? json_string_value(json_object_get(root, "source")) : NULL;
            if (seq && source) {
                note_source(&map, strtoull(seq, NULL, 10), source);
            }
            if (is_ref) {
                /* only the shard map */
            } else if (!seq) {
                if (bad++ < 5) {
                    fprintf(stderr, "seqcheck: %s: line without event.seq: %.200s\n", argv[i],
                            line);
                }
            } else {
                unsigned long long v = strtoull(seq, NULL, 10);
                events++;
                if (mark(&seen, v)) {
                    dups++;
                } else {
                    distinct++;
                }
                min = v < min ? v : min;
                max = v > max ? v : max;
            }
            json_decref(owned);
            json_decref(root);
        }
        free(line);
        fclose(f);
    }
    printf("events=%llu distinct=%llu duplicates=%llu min=%llu max=%llu bad_lines=%d "
           "torn_tails=%d\n",
           events, distinct, dups, events ? min : 0, max, bad, torn_tails);
    int rc = 0;
    if (bad) {
        rc = 1;
    }
    if (expect >= 0 && (long long)distinct != expect) {
        fprintf(stderr, "seqcheck: expected %lld distinct logs, got %llu\n", expect, distinct);
        rc = 1;
    }
    if (max_dup >= 0 && (long long)dups > max_dup) {
        fprintf(stderr, "seqcheck: %llu duplicates, at most %lld allowed\n", dups, max_dup);
        rc = 1;
    }
    if (want_missing && expect > 0) {
        report_missing(&seen, &map, (unsigned long long)expect);
    }
    free(seen.bits);
    free(map.of);
    for (int i = 0; i < map.n_names; i++) {
        free(map.names[i]);
    }
    return rc;
}
