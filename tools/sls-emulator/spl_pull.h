/* PullLogs with `query`: runs a parsed SPL statement over every log of the pulled LogGroups
 * and builds the answer's LogGroupList. LogGroups left without logs are omitted (the Go SDK
 * stops numbering LogGroups from x-log-read-last-cursor when a query is set, and the Java
 * SDK requires x-log-count to equal the LogGroups in the body). */
#ifndef EMU_SPL_PULL_H
#define EMU_SPL_PULL_H

#include "emu.h"
#include "spl.h"
#include "util/buf.h"

struct emu_spl_pull {
    struct sf_buf raw;   /* the answer's uncompressed LogGroupList; sf_buf_cleanup it */
    size_t n_groups;     /* LogGroups in |raw| */
    uint64_t n_logs_in;  /* logs scanned */
    uint64_t n_logs_out; /* logs in |raw| */
};

/* Fills |out| from |groups| (stored, framed LogGroups). False only when a stored LogGroup
 * does not decode or the answer outgrows |max_bytes| (the caller answers 500). */
bool emu_spl_pull(const struct emu_spl *spl,
                  struct emu_lg *const *groups,
                  size_t n_groups,
                  size_t max_bytes,
                  struct emu_spl_pull *out);

#endif
