/* Cursors: standard base64 of the decimal sequence number of a LogGroup in its shard
 * (docs/protocol/sls-api.md §Cursors). Opaque to clients; strictly parsed here so malformed ones
 * get InvalidCursor. Pure functions. */
#ifndef EMU_CURSOR_H
#define EMU_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

/* |out| holds EMU_CURSOR_MAX + 1 bytes. */
void emu_cursor_encode(int64_t seq, char *out);
/* True for base64 (padded) of 1..19 decimal digits, no sign, no leading zero, fitting int64. */
bool emu_cursor_decode(const char *cursor, int64_t *seq);

#endif
