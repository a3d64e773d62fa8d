/* Shared by config.c (flags) and config_json.c (the file): the JSON keys are applied as the
 * equivalent flags, so both go through one validation path. */
#ifndef EMU_CONFIG_INT_H
#define EMU_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Applies "--flag value"; false with a message in |errbuf|. */
bool emu_cfg_apply_flag(
    struct emu_config *cfg, const char *flag, const char *value, char *errbuf, size_t size);
/* Reads a JSON config file (format in README.md). */
bool emu_cfg_load_json(struct emu_config *cfg, const char *path, char *errbuf, size_t size);

#endif
