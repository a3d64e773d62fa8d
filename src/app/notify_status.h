/* Per-source progress for systemd while the coord runs: once a second, `STATUS=` says how
 * many sources have joined their consumer group and names those still waiting, so
 * `systemctl status` shows why a forwarder that is READY delivers only part of its sources.
 * Sends only when the text changed; does nothing without $NOTIFY_SOCKET. */
#ifndef SF_APP_NOTIFY_STATUS_H
#define SF_APP_NOTIFY_STATUS_H

#include <stddef.h>

#include "coord/coord.h"

struct sf_notify_status;

/* Folds one source into |text| ("STATUS=joined 1 of 2 sources; waiting for: b"), for tests
 * and the reporter: call with |*n_sources| = |*n_joined| = 0 and text[0] = '\0' first. */
void sf_notify_status_add(const struct sf_coord_source_view *source,
                          size_t *n_sources,
                          size_t *n_joined,
                          char *waiting,
                          size_t waiting_size);
void sf_notify_status_format(
    size_t n_sources, size_t n_joined, const char *waiting, char *text, size_t text_size);

/* Starts the reporter thread for |coord|; NULL when not under systemd (or no thread). */
struct sf_notify_status *sf_notify_status_start(struct sf_coord *coord);
/* Stops and frees it; NULL is fine. Call before the coord is freed. */
void sf_notify_status_stop(struct sf_notify_status *status);

#endif
