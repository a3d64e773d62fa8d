/* "did you mean": the known key nearest to a misspelt one. */
#include <ctype.h>
#include <string.h>

#include "config/config_int.h"
#include "util/banned.h"

#define MAX_KEY 64

/* Lower case without '-' and '_': "Heartbeat-Interval" and "heartbeat_interval" meet. */
static size_t fold(const char *key, char *out)
{
    size_t n = 0;
    for (const char *p = key; *p && n < MAX_KEY; p++) {
        if (*p != '-' && *p != '_') {
            out[n++] = (char)tolower((unsigned char)*p);
        }
    }
    return n;
}

/* Levenshtein distance (insert, delete, substitute; an adjacent swap counts 2). */
static size_t distance(const char *a, size_t a_len, const char *b, size_t b_len)
{
    size_t row[MAX_KEY + 1];
    for (size_t j = 0; j <= b_len; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= a_len; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b_len; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best) {
                best = above + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diagonal = above;
        }
    }
    return row[b_len];
}

const char *sf_config_suggest(const char *key, const char *const *candidates, size_t n)
{
    if (strlen(key) > MAX_KEY) {
        return NULL;
    }
    char folded_key[MAX_KEY];
    size_t key_len = fold(key, folded_key);
    const char *best = NULL;
    size_t best_distance = 3; /* suggest only within 2 edits */
    for (size_t i = 0; i < n; i++) {
        char folded[MAX_KEY];
        size_t len = fold(candidates[i], folded);
        /* Compare the folded forms, but count case and separator changes as one edit, so
         * an exact match is never "suggested". */
        size_t d = distance(folded_key, key_len, folded, len);
        if (d == 0 && strcmp(key, candidates[i]) != 0) {
            d = 1;
        }
        if (d < best_distance && d < key_len) { /* "ox" is not a typo of "log" */
            best = candidates[i];
            best_distance = d;
        }
    }
    return best;
}
