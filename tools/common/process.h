/* Process plumbing both tools' main() share: stop signals, the once-a-second housekeeping
 * loop, and reading a TLS certificate/key pair. */
#ifndef TC_PROCESS_H
#define TC_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Blocks SIGTERM and SIGINT (call before any thread exists, so only tc_wait_signal sees
 * them) and ignores SIGPIPE. |*stop| is the set to wait on. */
void tc_block_stop_signals(sigset_t *stop);

/* Waits for a signal of |stop|, calling |tick|(|cls|) once a second meanwhile (NULL: none).
 * Returns the signal. */
int tc_wait_signal(const sigset_t *stop, void (*tick)(void *cls), void *cls);

/* Reads the PEM files |cert_path| and |key_path| (at most |max| bytes each) into heap
 * strings the caller frees. False with a reason naming the file in |errbuf|; then nothing is
 * left allocated. */
bool tc_read_pem_pair(const char *cert_path,
                      const char *key_path,
                      size_t max,
                      char **cert,
                      char **key,
                      char *errbuf,
                      size_t errbuf_size);

#endif
