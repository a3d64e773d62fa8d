/* Functions the project does not use, enforced by the compiler (curl's banned list).
 * Include this header last in every .c file; util/alloc.c is the one exemption.
 * Use sf_xmalloc & co, snprintf, sf_str views, strtoll/strtoull, gmtime_r. */
#ifndef SF_UTIL_BANNED_H
#define SF_UTIL_BANNED_H

#pragma GCC poison malloc calloc realloc strdup sprintf vsprintf strcpy strcat strtok atoi atol \
    gmtime localtime

#endif
