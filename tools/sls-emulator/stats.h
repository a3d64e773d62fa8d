/* The stats document served at GET /_emulator/stats (format in README.md). */
#ifndef EMU_STATS_H
#define EMU_STATS_H

#include <jansson.h>

#include "emu.h"

/* A new JSON object; takes srv->lock itself. */
json_t *emu_stats_json(struct emu_server *srv);

#endif
