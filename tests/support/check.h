/* CHECK for test programs that go on after a failure and report a count at the end (the
 * tools' wire clients): each CHECK counts a pass in n_passed, or prints "FAIL file:line:
 * message" on stderr and counts a failure in n_failed. One translation unit per program. */
#ifndef SF_TEST_CHECK_H
#define SF_TEST_CHECK_H

#include <stdio.h>

static int n_passed, n_failed;

#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (cond) {                                              \
            n_passed++;                                          \
        } else {                                                 \
            n_failed++;                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
        }                                                        \
    } while (0)

#endif
