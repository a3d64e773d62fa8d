/* systemd readiness without libsystemd: the sd_notify protocol is one datagram ("READY=1",
 * "STOPPING=1", "STATUS=…") to the AF_UNIX socket named by $NOTIFY_SOCKET. Does nothing
 * when the variable is unset (not under systemd, or Type=simple). Main thread. */
#ifndef SF_APP_NOTIFY_H
#define SF_APP_NOTIFY_H

#include <stdbool.h>

/* Sends |state| (e.g. "READY=1\nSTATUS=delivering"); false when it could not be sent. */
bool sf_notify(const char *state);

#endif
