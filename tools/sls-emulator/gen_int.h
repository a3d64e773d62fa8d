/* Internals shared by generate.c (LogGroup assembly) and gen_content.c (what the logs say).
 * One struct gen per generate call; single-threaded. */
#ifndef EMU_GEN_INT_H
#define EMU_GEN_INT_H

#include <stdint.h>

#include "emu_logs.pb-c.h"
#include "util/arena.h"

struct gen {
    uint64_t rng;
    struct sf_arena arena; /* one LogGroup's protobuf structs and values; reset per group */
    uint64_t seq;          /* next `seq` content value */
    int64_t recv_s;        /* receive time of the group being built */
};

uint64_t gen_u64(struct gen *g);
/* Uniform in [0, n). */
unsigned gen_pick(struct gen *g, unsigned n);
/* printf into the arena. */
ProtobufCBinaryData gen_fmt(struct gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ProtobufCBinaryData gen_lit(const char *s);
/* Appends Key=Value to |log| (room for |max| contents was made by gen_log_new). */
void gen_add(Emu__Log *log, const char *key, ProtobufCBinaryData value);
Emu__Log *gen_log_new(struct gen *g, uint32_t time_s, size_t max_contents);

/* Fill one log of each kind; gen_content.c. */
void gen_nginx_log(struct gen *g, Emu__Log *log);
void gen_actiontrail_log(struct gen *g, Emu__Log *log);

#endif
