/* Shared includes and helpers for the cmocka unit tests. */
#ifndef SF_TEST_H
#define SF_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Asserts an sf_err equals the expected one, printing both names when not. */
#define SF_CHECK_ERR(expr, expected)                                                          \
    do {                                                                                      \
        sf_err got_ = (expr);                                                                 \
        if (got_ != (expected)) {                                                             \
            fail_msg("%s: got %s, want %s", #expr, sf_err_name(got_), sf_err_name(expected)); \
        }                                                                                     \
    } while (0)

/* Decodes a hex string (whitespace ignored) into a heap buffer; *len gets its size. */
static inline uint8_t *sf_test_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    uint8_t *out = test_malloc(n / 2 + 1);
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        char c = hex[i];
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            out[o++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    *len = o;
    return out;
}

/* Reads a whole file into a heap buffer (test_free it); fails the test when unreadable. */
static inline uint8_t *sf_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open %s", path);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = test_malloc((size_t)size + 1);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) {
        fail_msg("short read on %s", path);
    }
    fclose(f);
    data[size] = 0;
    *len = (size_t)size;
    return data;
}

#endif
