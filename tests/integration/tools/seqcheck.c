/* seqcheck: reads NDJSON files of HEC events and checks the set of `seq` values that the SLS
 * emulator's generator puts in every log (event.seq, or inside a string-form event).
 *   seqcheck [--expect N] [--max-dup D] FILE...
 * Prints "events=… distinct=… duplicates=… min=… max=…" and fails when fewer than N distinct
 * values arrived, when more than D duplicates did, or when a line is not a valid event. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seen {
    unsigned char *bits;
    size_t size; /* values */
};

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

int main(int argc, char **argv)
{
    long long expect = -1;
    long long max_dup = -1;
    struct seen seen = {0};
    unsigned long long events = 0, dups = 0, distinct = 0, min = ~0ULL, max = 0;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc) {
            expect = atoll(argv[++i]);
            continue;
        }
        if (strcmp(argv[i], "--max-dup") == 0 && i + 1 < argc) {
            max_dup = atoll(argv[++i]);
            continue;
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
            json_error_t jerr;
            json_t *root = json_loadb(line, (size_t)len, 0, &jerr);
            json_t *owned = NULL;
            json_t *event = root ? event_object(root, &owned) : NULL;
            const char *seq = event ? json_string_value(json_object_get(event, "seq")) : NULL;
            if (!seq) {
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
    printf("events=%llu distinct=%llu duplicates=%llu min=%llu max=%llu bad_lines=%d\n", events,
           distinct, dups, events ? min : 0, max, bad);
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
    free(seen.bits);
    return rc;
}
