/* slsfwd: argv, then hand over to src/app. No logic here. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "app/daemon.h"
#include "app/inspect.h"
#include "util/log.h"

#include "util/banned.h"

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: slsfwd run [-c FILE] [--output file:PATH|file:-|hec:URL] [--log-level LEVEL]\n"
            "       slsfwd check [-c FILE]\n"
            "       slsfwd status [-c FILE]\n"
            "       slsfwd config [-c FILE] | slsfwd config --help\n"
            "       slsfwd version\n"
            "\n"
            "run      join the configured SLS consumer groups and deliver every log to the\n"
            "         configured sink until SIGTERM/SIGINT (drains; a second one 1 s or more\n"
            "         later exits at once; SIGHUP reopens log.file).\n"
            "         Without -c, the SLS_* environment variables of the reference program\n"
            "         (SLS_ENDPOINT, SLS_AK_ID, SLS_AK_KEY, SLS_PROJECT, SLS_LOGSTORE, SLS_CG,\n"
            "         SLS_CURSOR_START) describe one source.\n"
            "  -c, --config FILE      YAML configuration (see CONFIGURATION.md)\n"
            "  --output file:PATH     write NDJSON events to PATH instead of the configured\n"
            "                         sink; file:- writes to stdout; hec:URL sends them to\n"
            "                         Splunk HEC at URL (token from SPLUNK_HEC_TOKEN or config)\n"
            "  --log-level LEVEL      error, warn, info or debug\n"
            "check    one line per check: configuration, each source's endpoint, credentials\n"
            "         and consumer group (exit 0 when all pass, 1 otherwise)\n"
            "status   per source and shard: checkpoint time, newest data time, lag\n"
            "config   print the effective configuration (secrets redacted, each value's origin);\n"
            "         config --help prints the reference of every key\n"
            "version  print the version\n");
}

/* Parses the options every command shares; -1 when they are fine, else an exit code. */
static int parse_options(const char *cmd, int argc, char **argv, struct sf_config_cli *cli)
{
    for (int i = 0; i < argc; i += 2) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return SF_EXIT_OK;
        }
        if ((strcmp(arg, "-c") == 0 || strcmp(arg, "--config") == 0) && value) {
            cli->config_path = value;
        } else if (strcmp(arg, "--output") == 0 && value) {
            cli->output = value;
        } else if (strcmp(arg, "--log-level") == 0 && value) {
            cli->log_level = value;
        } else {
            fprintf(stderr, "slsfwd %s: unknown or incomplete option \"%s\"\n", cmd, arg);
            usage(stderr);
            return SF_EXIT_USAGE;
        }
    }
    return -1;
}

static enum sf_log_level level_of(const char *name)
{
    return strcmp(name, "error") == 0   ? SF_LOG_LEVEL_ERROR
           : strcmp(name, "warn") == 0  ? SF_LOG_LEVEL_WARN
           : strcmp(name, "debug") == 0 ? SF_LOG_LEVEL_DEBUG
                                        : SF_LOG_LEVEL_INFO;
}

/* run, check and status: load the configuration, then hand over to src/app. */
static int cmd_with_config(const char *cmd, int argc, char **argv)
{
    struct sf_config_cli cli = {0};
    int rc = parse_options(cmd, argc, argv, &cli);
    if (rc >= 0) {
        return rc;
    }
    struct sf_config *config = NULL;
    char errbuf[1024];
    if (sf_config_load(&cli, environ, &config, errbuf, sizeof(errbuf)) != SF_OK) {
        fprintf(stderr, "slsfwd: %s\n", errbuf);
        return SF_EXIT_FATAL;
    }
    sf_log_set_level(level_of(config->log_level));
    sf_log_set_debug_modules(config->log_debug);
    if (config->log_file &&
        !sf_log_set_file(config->log_file, config->log_file_max_bytes, config->log_file_keep)) {
        fprintf(stderr, "slsfwd: log.file: cannot open %s: %s\n", config->log_file,
                strerror(errno));
        sf_config_free(config);
        return SF_EXIT_FATAL;
    }
    if (strcmp(cmd, "config") == 0) {
        sf_config_dump(config, STDOUT_FILENO);
        rc = SF_EXIT_OK;
    } else if (strcmp(cmd, "check") == 0) {
        rc = sf_inspect_check(config);
    } else if (strcmp(cmd, "status") == 0) {
        rc = sf_inspect_status(config);
    } else {
        rc = sf_daemon_run(config);
    }
    sf_config_free(config);
    return rc;
}

int main(int argc, char **argv)
{
    /* Memory holds the AccessKey secret and the HEC token: no core file of it, no ptrace or
     * /proc/<pid>/mem, environ by other processes of the same user (they become root's). */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? SF_EXIT_USAGE : SF_EXIT_OK;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("slsfwd %s\n", SLSFWD_VERSION);
        return SF_EXIT_OK;
    }
    if (strcmp(argv[1], "config") == 0 && argc == 3 && strcmp(argv[2], "--help") == 0) {
        sf_config_write_reference(STDOUT_FILENO, SF_CONFIG_REFERENCE_MARKDOWN);
        return SF_EXIT_OK;
    }
    if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "check") == 0 ||
        strcmp(argv[1], "status") == 0 || strcmp(argv[1], "config") == 0) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        int rc = cmd_with_config(argv[1], argc - 2, argv + 2);
        curl_global_cleanup();
        return rc;
    }
    fprintf(stderr, "slsfwd: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return SF_EXIT_USAGE;
}
