/* Deterministic log generator: nginx access logs (~570 raw bytes each, ~17 fields, LogGroup
 * tags as Logtail sets them) and ActionTrail audit events (topic actiontrail_audit_event, a
 * ~1 KB JSON `event`). Every log carries a content key `seq`, a decimal number unique in the
 * emulator, so tests can compare delivered sets. Values include non-ASCII text and, in about
 * 2% of logs, invalid UTF-8. Content depends only on --seed, the logstore, and the order and
 * sizes of generate calls; receive times come from the clock. Thread-safe (takes srv->lock). */
#ifndef EMU_GENERATE_H
#define EMU_GENERATE_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

enum emu_gen_kind {
    EMU_GEN_NGINX,
    EMU_GEN_ACTIONTRAIL,
};

bool emu_gen_kind_parse(const char *name, enum emu_gen_kind *out);
const char *emu_gen_kind_name(enum emu_gen_kind kind);

/* Appends |n_logs| logs to |ls| in LogGroups of realistic size, round-robin over its
 * read-write shards (only |shard_id| when >= 0 and read-write). Receive times are spread
 * evenly over the last |spread_s| seconds. Returns the number of logs written (0 when no
 * read-write shard qualifies). Call without srv->lock. */
uint64_t emu_generate(struct emu_server *srv,
                      struct emu_logstore *ls,
                      enum emu_gen_kind kind,
                      uint64_t n_logs,
                      int64_t spread_s,
                      int shard_id);

#endif
