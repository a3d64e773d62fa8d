#include "app/signals.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "app/daemon.h"
#include "util/clock.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "app"

/* A stop signal this soon after the first is the same request delivered twice (to the process
 * and to its group), not an operator insisting. */
#define REPEAT_MS 1000

static pthread_t thread;
static bool is_started;
static atomic_bool is_closing;

/* Guarded by |lock|: where a stop goes, and a stop that arrived before there was a place. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sf_signals_stop_fn target;
static void *target_ctx;
static bool is_stop_pending;

static void waited_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

static const char *name_of(int signo)
{
    return signo == SIGTERM ? "TERM" : signo == SIGINT ? "INT" : "HUP";
}

static void reopen_log(const siginfo_t *info)
{
    if (!sf_log_has_file()) {
        SF_LOG_INFO("msg=\"SIGHUP: no log.file to reopen; nothing to do\" sender_pid=%d",
                    (int)info->si_pid);
        return;
    }
    if (!sf_log_reopen()) {
        SF_LOG_ERROR("msg=\"SIGHUP: cannot reopen log.file; lines keep going to the old file\" "
                     "error=\"%s\"",
                     strerror(errno));
        return;
    }
    SF_LOG_INFO("msg=\"log file reopened (SIGHUP)\" sender_pid=%d", (int)info->si_pid);
}

/* The first stop signal starts the drain; a repeat within REPEAT_MS is ignored; a later one
 * leaves at once. */
static void on_stop_signal(const siginfo_t *info, int64_t *first_ms)
{
    int64_t now = sf_now_ms();
    if (*first_ms >= 0 && now - *first_ms >= REPEAT_MS) {
        /* Checkpoints lag what was delivered, so the next owner reads some logs again;
         * nothing is lost. */
        SF_LOG_WARN("msg=\"second signal: exiting at once\" signal=%s sender_pid=%d",
                    name_of(info->si_signo), (int)info->si_pid);
        _exit(SF_EXIT_SIGNALED);
    }
    if (*first_ms >= 0) {
        SF_LOG_INFO("msg=\"same stop signal again within 1 s: one request (a supervisor "
                    "signalled the process and its group); send it again later to exit at "
                    "once\" signal=%s sender_pid=%d",
                    name_of(info->si_signo), (int)info->si_pid);
        return;
    }
    *first_ms = now;
    pthread_mutex_lock(&lock);
    bool has_coord = target != NULL;
    if (has_coord) {
        target(target_ctx);
    } else {
        is_stop_pending = true;
    }
    pthread_mutex_unlock(&lock);
    SF_LOG_INFO("msg=\"stop requested: %s (a second signal 1 s or more later exits at once)\" "
                "signal=%s sender_pid=%d",
                has_coord ? "draining" : "during start-up; the coord stops as soon as it exists",
                name_of(info->si_signo), (int)info->si_pid);
}

static void *signal_main(void *arg)
{
    (void)arg;
    sigset_t set;
    waited_set(&set);
    int64_t first_ms = -1;
    for (;;) {
        siginfo_t info;
        int signo = sigwaitinfo(&set, &info);
        if (atomic_load(&is_closing)) {
            return NULL; /* sf_signals_stop's wake-up, or a signal racing the exit */
        }
        if (signo < 0) {
            continue; /* EINTR: a signal outside the set (e.g. SIGPROF) */
        }
        if (signo == SIGHUP) {
            reopen_log(&info);
        } else {
            on_stop_signal(&info, &first_ms);
        }
    }
}

sf_err sf_signals_start(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL); /* a closed stdout is an EPIPE error, not death */
    sigset_t set;
    waited_set(&set);
    atomic_store(&is_closing, false); /* a start after a stop (tests) */
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc == 0) {
        rc = pthread_create(&thread, NULL, signal_main, NULL);
    }
    if (rc != 0) {
        SF_LOG_ERROR("msg=\"cannot start the signal thread\" error=\"%s\"", strerror(rc));
        return SF_ERR_IO;
    }
    is_started = true;
    return SF_OK;
}

void sf_signals_attach(sf_signals_stop_fn stop, void *ctx)
{
    pthread_mutex_lock(&lock);
    target = stop;
    target_ctx = ctx;
    if (stop && is_stop_pending) {
        is_stop_pending = false;
        stop(ctx);
        SF_LOG_INFO("msg=\"coord ready: honouring the stop requested during start-up\"");
    }
    pthread_mutex_unlock(&lock);
}

void sf_signals_stop(void)
{
    if (!is_started) {
        return;
    }
    atomic_store(&is_closing, true);
    pthread_kill(thread, SIGHUP); /* wakes sigwaitinfo; the flag says why */
    pthread_join(thread, NULL);
    is_started = false;
}
