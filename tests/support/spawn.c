#define _GNU_SOURCE
#include "spawn.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 120000
#define STOP_TIMEOUT_MS  30000

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads lines from |fd| until one starts with |prefix|; its port (after the last ':') goes to
 * |*port|. */
static bool read_port(int fd, const char *prefix, int *port, char *last, size_t last_size)
{
    char buf[1024];
    size_t len = 0;
    long long deadline = now_ms() + START_TIMEOUT_MS;
    for (;;) {
        char *nl;
        while ((nl = memchr(buf, '\n', len)) != NULL) {
            *nl = '\0';
            snprintf(last, last_size, "%.200s", buf);
            const char *colon = strrchr(buf, ':');
            if (strncmp(buf, prefix, strlen(prefix)) == 0 && colon) {
                *port = atoi(colon + 1);
                return *port > 0;
            }
            len -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, len);
        }
        long long left = deadline - now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (len == sizeof(buf) || left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
            return false;
        }
        ssize_t got = read(fd, buf + len, sizeof(buf) - len);
        if (got <= 0) {
            return false; /* the tool exited */
        }
        len += (size_t)got;
    }
}

bool tool_spawn(const char *const *argv, const char *name, int pin_cpu, struct tool_proc *proc)
{
    int fds[2];
    proc->pid = -1;
    proc->port = 0;
    if (pipe(fds) != 0) {
        perror("tool_spawn: pipe");
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        if (pin_cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(pin_cpu, &set);
            sched_setaffinity(0, sizeof(set), &set);
        }
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        perror("tool_spawn: fork");
        close(fds[0]);
        return false;
    }
    char prefix[128], last[256] = "";
    snprintf(prefix, sizeof(prefix), "%s listening on ", name);
    bool is_up = read_port(fds[0], prefix, &proc->port, last, sizeof(last));
    close(fds[0]);
    if (!is_up) {
        fprintf(stderr, "tool_spawn: %s did not start (last line: '%s')\n", argv[0], last);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return false;
    }
    proc->pid = pid;
    return true;
}

int tool_stop(struct tool_proc *proc)
{
    if (proc->pid <= 0) {
        return -1;
    }
    kill(proc->pid, SIGTERM);
    int status = 0;
    long long deadline = now_ms() + STOP_TIMEOUT_MS;
    int rc = -1;
    for (;;) {
        pid_t got = waitpid(proc->pid, &status, WNOHANG);
        if (got == proc->pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        if (got < 0 || now_ms() > deadline) {
            kill(proc->pid, SIGKILL);
            waitpid(proc->pid, NULL, 0);
            break;
        }
        struct timespec step = {0, 20 * 1000000};
        nanosleep(&step, NULL);
    }
    proc->pid = -1;
    return rc;
}
