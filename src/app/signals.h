/* Signals for `slsfwd run`, handled on a thread of their own with sigwaitinfo(2), so no
 * handler ever interrupts a system call (no EINTR, nothing resent) and the reaction may log
 * and take locks:
 * - SIGTERM/SIGINT: stop request. One that arrives before the coord exists (during start-up,
 *   e.g. the HEC health probe) is remembered and passed on by sf_signals_attach. A repeat
 *   within 1 s is the same request delivered twice (GNU timeout and `kill -TERM -PGID` signal
 *   the process and its group) and is ignored; a repeat after that exits at once with
 *   SF_EXIT_SIGNALED.
 * - SIGHUP: reopen log.file (logrotate's convention).
 * - SIGPIPE: ignored (a closed stdout is an EPIPE error, not death).
 * Main thread only. */
#ifndef SF_APP_SIGNALS_H
#define SF_APP_SIGNALS_H

#include "util/err.h"

/* Asks the coord to stop; async-safe with respect to the coord (sf_coord_request_stop). */
typedef void (*sf_signals_stop_fn)(void *ctx);

/* Blocks the signals above in the calling thread and starts the signal thread. Call before
 * any other thread exists: threads inherit the mask, so the signals reach only that thread. */
sf_err sf_signals_start(void);
/* Where stop requests go from now on (|stop| NULL: nowhere, e.g. before the coord is freed).
 * A stop requested while there was none is passed on now, on the calling thread. */
void sf_signals_attach(sf_signals_stop_fn stop, void *ctx);
/* Ends the signal thread; the signals stay blocked (the process is about to exit). */
void sf_signals_stop(void);

#endif
