/* The file sink: NDJSON, one line per event, appended to a file or written to stdout ("-").
 * A batch counts as delivered only after write(2) and fsync(2) succeeded (fdatasync where the
 * target cannot sync, such as a pipe, is skipped: a pipe's reader is the confirmation).
 * A failed write (disk full, file size limit) never leaves a torn line: the partly written
 * line is cut off again and writing resumes at its start. For debugging, tests and the demo. */
#ifndef SF_SINK_FILE_SINK_H
#define SF_SINK_FILE_SINK_H

#include <stddef.h>

#include "sink/sink.h"

/* Creates a stopped file sink; sf_sink_start opens |path| (created 0640, appended) and starts
 * its thread. */
sf_err sf_file_sink_new(const char *path, struct sf_sink **out);

#endif
