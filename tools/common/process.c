#include "common/process.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/file.h"

#include "util/banned.h"

void tc_block_stop_signals(sigset_t *stop)
{
    sigemptyset(stop);
    sigaddset(stop, SIGTERM);
    sigaddset(stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, stop, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int tc_wait_signal(const sigset_t *stop, void (*tick)(void *cls), void *cls)
{
    struct timespec second = {.tv_sec = 1, .tv_nsec = 0};
    for (;;) {
        int sig = sigtimedwait(stop, NULL, &second);
        if (sig == SIGTERM || sig == SIGINT) {
            return sig;
        }
        if (tick) {
            tick(cls);
        }
    }
}

bool tc_read_pem_pair(const char *cert_path,
                      const char *key_path,
                      size_t max,
                      char **cert,
                      char **key,
                      char *errbuf,
                      size_t errbuf_size)
{
    size_t len;
    *cert = NULL;
    *key = NULL;
    if (!sf_file_read_small(cert_path, max, cert, &len, errbuf, errbuf_size) ||
        !sf_file_read_small(key_path, max, key, &len, errbuf, errbuf_size)) {
        free(*cert);
        *cert = NULL;
        return false;
    }
    return true;
}
