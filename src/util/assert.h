/* SF_ASSERT: for bugs, not errors. Stays on in every build (docs/CODE_STYLE.md §Errors). */
#ifndef SF_UTIL_ASSERT_H
#define SF_UTIL_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define SF_ASSERT(cond)                                                                           \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "level=fatal msg=\"assertion failed\" cond=\"%s\" at=%s:%d\n", #cond, \
                    __FILE__, __LINE__);                                                          \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

#endif
