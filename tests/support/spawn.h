/* Starts a tool (sls-emulator, hec-receiver, or any program that prints one
 * "<name> listening on HOST:PORT" line on stdout when ready) on port 0 and reads the port it
 * got; stops it with SIGTERM. For tests and benchmarks written in C; shell tests have
 * tests/support/tool.sh. */
#ifndef SF_TEST_SPAWN_H
#define SF_TEST_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct tool_proc {
    pid_t pid;
    int port;
};

/* Runs |argv| (argv[0] is the path; NULL-terminated) with stdout to a pipe, pinned to CPU
 * |pin_cpu| unless it is negative, and waits up to 120 s for the line that starts with
 * "|name| listening on " (other lines before it, such as the emulator's "sls-emulator sts
 * listening on ...", are skipped). False, with a line on stderr and the child killed and
 * reaped, when the tool exits or stays silent instead. */
bool tool_spawn(const char *const *argv, const char *name, int pin_cpu, struct tool_proc *proc);

/* SIGTERM, then waits up to 30 s; after that SIGKILL. Returns the exit status, or -1 when it
 * was killed or did not exit by itself. */
int tool_stop(struct tool_proc *proc);

#endif
