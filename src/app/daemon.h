/* `slsfwd run`: wires config → coord → transform → sinks, and stops in order; signals go
 * through app/signals.h. Main thread only. */
#ifndef SF_APP_DAEMON_H
#define SF_APP_DAEMON_H

#include "config/config.h"

/* Exit codes. */
#define SF_EXIT_OK    0
#define SF_EXIT_FATAL 1 /* configuration, credentials or a fatal server answer */
#define SF_EXIT_USAGE 2
#define SF_EXIT_SIGNALED \
    130 /* a second SIGTERM/SIGINT (1 s on): stopped at once, checkpoints lag */

/* Runs until SIGTERM/SIGINT (a clean drain → SF_EXIT_OK) or a fatal error. */
int sf_daemon_run(const struct sf_config *config);

#endif
