/* The profile provider: one profile of the INI credentials file the Alibaba Cloud CLI and SDKs
 * share (credentials-go providers/profile.go and credentials/profile_provider.go,
 * credentials-python provider/profile.py). The file is $ALIBABA_CLOUD_CREDENTIALS_FILE or
 * ~/.alibabacloud/credentials, the profile $ALIBABA_CLOUD_PROFILE or "default" (both folded into
 * the config by sf_cred_new). A missing default file means "not configured". The file is read
 * again at every fetch, so an edited profile is followed at the next refresh.
 *
 *   [default]
 *   type = access_key              # access_key, sts, ecs_ram_role, ram_role_arn, oidc_role_arn
 *   access_key_id = LTAI...
 *   access_key_secret = ...
 *
 * Syntax as the two libraries' parsers (go-ini, configparser) agree on: `[name]` sections,
 * `key = value` or `key: value`, whole-line comments with # or ;, an inline comment after
 * whitespace, optional quotes around a value, case-insensitive keys. A key before any section or
 * a line that is none of these is an error naming the file and line (never the line's text: it
 * may hold a secret). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cred/cred_int.h"
#include "util/file.h"

#include "util/banned.h"

/* A credentials file with a few profiles is well under 4 KiB; more means the wrong file. */
#define MAX_PROFILE_FILE_BYTES (64 * 1024)
#define MAX_PROFILE_KEYS       32

struct profile_key {
    const char *key; /* both point into the file's text, which parse_ini edits in place */
    const char *value;
};

struct profile {
    const char *path;
    const char *name;
    bool is_found;
    size_t n_keys;
    struct profile_key keys[MAX_PROFILE_KEYS];
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r')) {
        s[--len] = '\0';
    }
    return s;
}

/* "value  # comment" -> "value"; '"v"' -> 'v'. */
static char *clean_value(char *value)
{
    for (char *p = value; *p; p++) {
        if ((*p == '#' || *p == ';') && p > value && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            break;
        }
    }
    value = trim(value);
    size_t len = strlen(value);
    if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
        value[len - 1] = '\0';
        value++;
    }
    return value;
}

static const char *profile_get(const struct profile *profile, const char *key)
{
    for (size_t i = 0; i < profile->n_keys; i++) {
        if (strcasecmp(profile->keys[i].key, key) == 0) {
            return profile->keys[i].value[0] ? profile->keys[i].value : NULL;
        }
    }
    return NULL;
}

/* One `key = value` line, |section| being the current section's name (NULL before any). */
static sf_err parse_key_line(struct profile *profile,
                             char *line,
                             int line_no,
                             const char *section,
                             char *errbuf,
                             size_t errbuf_size)
{
    char *sep = line + strcspn(line, "=:");
    if (!*sep) {
        snprintf(errbuf, errbuf_size, "%s:%d: expected [profile] or key = value", profile->path,
                 line_no);
        return SF_ERR_CONFIG;
    }
    *sep = '\0';
    char *key = trim(line);
    if (!key[0] || !section) {
        snprintf(errbuf, errbuf_size, "%s:%d: %s", profile->path, line_no,
                 key[0] ? "key before the first [profile] line" : "a key name is missing");
        return SF_ERR_CONFIG;
    }
    if (strcmp(section, profile->name) != 0) {
        return SF_OK;
    }
    for (size_t i = 0; i < profile->n_keys; i++) {
        if (strcasecmp(profile->keys[i].key, key) == 0) {
            snprintf(errbuf, errbuf_size, "%s:%d: duplicate key %.64s in profile %.64s",
                     profile->path, line_no, key, profile->name);
            return SF_ERR_CONFIG;
        }
    }
    if (profile->n_keys == MAX_PROFILE_KEYS) {
        snprintf(errbuf, errbuf_size, "%s:%d: more than %d keys in profile %.64s", profile->path,
                 line_no, MAX_PROFILE_KEYS, profile->name);
        return SF_ERR_CONFIG;
    }
    profile->keys[profile->n_keys++] = (struct profile_key){key, clean_value(sep + 1)};
    return SF_OK;
}

/* Checks the whole file's syntax and collects the keys of profile->name. Edits |text|. */
static sf_err parse_ini(struct profile *profile, char *text, char *errbuf, size_t errbuf_size)
{
    const char *section = NULL;
    int line_no = 0;
    if (strncmp(text, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 BOM from a Windows editor */
        text += 3;
    }
    for (char *next = text; next;) {
        char *line = next;
        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        line_no++;
        line = trim(line);
        if (!line[0] || line[0] == '#' || line[0] == ';') {
            continue;
        }
        if (line[0] != '[') {
            sf_err err = parse_key_line(profile, line, line_no, section, errbuf, errbuf_size);
            if (err) {
                return err;
            }
            continue;
        }
        char *end = strchr(line, ']');
        if (!end || *trim(end + 1)) {
            snprintf(errbuf, errbuf_size, "%s:%d: a [profile] line must end with ]", profile->path,
                     line_no);
            return SF_ERR_CONFIG;
        }
        *end = '\0';
        section = trim(line + 1);
        if (strcmp(section, profile->name) == 0) {
            if (profile->is_found) {
                snprintf(errbuf, errbuf_size, "%s:%d: profile [%.64s] appears twice", profile->path,
                         line_no, profile->name);
                return SF_ERR_CONFIG;
            }
            profile->is_found = true;
        }
    }
    return SF_OK;
}

/* "~/x" -> "$HOME/x"; the default path when |file| is NULL. False when no home is known. */
static bool
profile_path(const struct sf_cred_config *config, const char *file, char *path, size_t path_size)
{
    if (file && file[0] != '~') {
        snprintf(path, path_size, "%s", file);
        return true;
    }
    const char *home = sf_cred_getenv(config, "HOME");
    struct passwd pw;
    struct passwd *found = NULL;
    char pwbuf[1024];
    if (!home && getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &found) == 0 && found) {
        home = found->pw_dir; /* a system service started without HOME */
    }
    if (!home) {
        return false;
    }
    snprintf(path, path_size, "%s%s", home, file ? file + 1 : "/.alibabacloud/credentials");
    return true;
}

static sf_err require(const struct profile *profile,
                      const char *type,
                      const char *key,
                      const char **out,
                      char *errbuf,
                      size_t errbuf_size)
{
    *out = profile_get(profile, key);
    if (*out) {
        return SF_OK;
    }
    snprintf(errbuf, errbuf_size, "%s: profile [%.64s] of type %s needs %s", profile->path,
             profile->name, type, key);
    return SF_ERR_CONFIG;
}

/* Calls a remote provider with |sub|; its error text gets the file and profile in front. */
static sf_err fetch_remote(const struct profile *profile,
                           sf_cred_fetch_fn fetch,
                           const struct sf_cred_config *sub,
                           struct sf_cred_value *out,
                           char *errbuf,
                           size_t errbuf_size)
{
    char why[512];
    why[0] = '\0';
    sf_err err = fetch(sub, out, why, sizeof(why));
    if (err) {
        snprintf(errbuf, errbuf_size, "%s: profile [%.64s]: %s", profile->path, profile->name, why);
    }
    /* The profile is configured, whatever the remote side says: never "not configured". */
    return err == SF_ERR_NOT_FOUND ? SF_ERR_CONFIG : err;
}

/* ram_role_arn: Go's providers/profile.go needs all four keys; policy is optional. */
static sf_err fetch_ram_role_arn(const struct profile *profile,
                                 struct sf_cred_config *sub,
                                 struct sf_cred_value *out,
                                 char *errbuf,
                                 size_t errbuf_size)
{
    static const char type[] = "ram_role_arn";
    sf_err err = require(profile, type, "access_key_id", &sub->access_key_id, errbuf, errbuf_size);
    if (!err) {
        err = require(profile, type, "access_key_secret", &sub->access_key_secret, errbuf,
                      errbuf_size);
    }
    if (!err) {
        err = require(profile, type, "role_arn", &sub->role_arn, errbuf, errbuf_size);
    }
    if (!err) {
        err = require(profile, type, "role_session_name", &sub->role_session_name, errbuf,
                      errbuf_size);
    }
    if (err) {
        return err;
    }
    sub->security_token = NULL;
    sub->policy = profile_get(profile, "policy");
    return fetch_remote(profile, sf_cred_fetch_ram_role_arn, sub, out, errbuf, errbuf_size);
}

/* oidc_role_arn: credentials-python's profile.py keys; the session name may come from the
 * environment as for the oidc_role_arn provider itself. */
static sf_err fetch_oidc(const struct profile *profile,
                         struct sf_cred_config *sub,
                         struct sf_cred_value *out,
                         char *errbuf,
                         size_t errbuf_size)
{
    static const char type[] = "oidc_role_arn";
    sf_err err = require(profile, type, "role_arn", &sub->role_arn, errbuf, errbuf_size);
    if (!err) {
        err = require(profile, type, "oidc_provider_arn", &sub->oidc_provider_arn, errbuf,
                      errbuf_size);
    }
    if (!err) {
        err = require(profile, type, "oidc_token_file_path", &sub->oidc_token_file, errbuf,
                      errbuf_size);
    }
    if (err) {
        return err;
    }
    const char *session = profile_get(profile, "role_session_name");
    sub->role_session_name = session ? session : sub->role_session_name;
    sub->policy = profile_get(profile, "policy");
    return fetch_remote(profile, sf_cred_fetch_oidc, sub, out, errbuf, errbuf_size);
}

static sf_err fetch_ecs(const struct profile *profile,
                        struct sf_cred_config *sub,
                        struct sf_cred_value *out,
                        char *errbuf,
                        size_t errbuf_size)
{
    const char *disabled = sf_cred_getenv(sub, "ALIBABA_CLOUD_ECS_METADATA_DISABLED");
    if (disabled && strcasecmp(disabled, "true") == 0) { /* as the library's builder refuses */
        snprintf(errbuf, errbuf_size,
                 "%s: profile [%.64s] of type ecs_ram_role, but "
                 "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
                 profile->path, profile->name);
        return SF_ERR_CONFIG;
    }
    const char *role = profile_get(profile, "role_name");
    sub->ecs_role_name = role ? role : sub->ecs_role_name; /* else $ALIBABA_CLOUD_ECS_METADATA */
    return fetch_remote(profile, sf_cred_fetch_ecs, sub, out, errbuf, errbuf_size);
}

static sf_err fetch_typed(const struct profile *profile,
                          const struct sf_cred_config *config,
                          struct sf_cred_value *out,
                          char *errbuf,
                          size_t errbuf_size)
{
    const char *type = profile_get(profile, "type");
    struct sf_cred_config sub = *config; /* endpoints, proxy, CA, timeouts, environment seam */
    const char *id = NULL;
    const char *secret = NULL;
    const char *token = NULL;
    if (!type) {
        snprintf(errbuf, errbuf_size, "%s: profile [%.64s] has no type", profile->path,
                 profile->name);
        return SF_ERR_CONFIG;
    }
    bool is_sts = strcmp(type, "sts") == 0;
    if (strcmp(type, "access_key") == 0 || is_sts) {
        sf_err err = require(profile, type, "access_key_id", &id, errbuf, errbuf_size);
        if (!err) {
            err = require(profile, type, "access_key_secret", &secret, errbuf, errbuf_size);
        }
        if (!err && is_sts) {
            err = require(profile, type, "security_token", &token, errbuf, errbuf_size);
        }
        return err ? err
                   : sf_cred_value_fill(out, id, secret, token, profile->path, errbuf, errbuf_size);
    }
    if (strcmp(type, "ram_role_arn") == 0) {
        return fetch_ram_role_arn(profile, &sub, out, errbuf, errbuf_size);
    }
    if (strcmp(type, "oidc_role_arn") == 0) {
        return fetch_oidc(profile, &sub, out, errbuf, errbuf_size);
    }
    if (strcmp(type, "ecs_ram_role") == 0) {
        return fetch_ecs(profile, &sub, out, errbuf, errbuf_size);
    }
    snprintf(errbuf, errbuf_size,
             "%s: profile [%.64s]: type %.32s is not supported (access_key, sts, ecs_ram_role, "
             "ram_role_arn, oidc_role_arn)",
             profile->path, profile->name, type);
    return SF_ERR_CONFIG;
}

sf_err sf_cred_fetch_profile(const struct sf_cred_config *config,
                             struct sf_cred_value *out,
                             char *errbuf,
                             size_t errbuf_size)
{
    char path[4096];
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    struct profile profile = {.path = path, .name = config->profile_name};
    sf_err err = SF_ERR_CONFIG;
    memset(out, 0, sizeof(*out));
    if (!profile.name) {
        profile.name = "default";
    }
    if (!profile_path(config, config->profile_file, path, sizeof(path))) {
        snprintf(errbuf, errbuf_size, "no home directory for ~/.alibabacloud/credentials");
        err = config->profile_file ? SF_ERR_CONFIG : SF_ERR_NOT_FOUND;
        goto out;
    }
    if (!config->profile_file && stat(path, &st) != 0 && errno == ENOENT) {
        snprintf(errbuf, errbuf_size, "%s does not exist", path);
        err = SF_ERR_NOT_FOUND;
        goto out;
    }
    if (!sf_file_read_small(path, MAX_PROFILE_FILE_BYTES, &text, &len, errbuf, errbuf_size)) {
        goto out;
    }
    err = parse_ini(&profile, text, errbuf, errbuf_size);
    if (err) {
        goto out;
    }
    if (!profile.is_found) {
        snprintf(errbuf, errbuf_size, "%s: no profile [%.64s]", path, profile.name);
        err = SF_ERR_CONFIG;
        goto out;
    }
    err = fetch_typed(&profile, config, out, errbuf, errbuf_size);
out:
    if (text) {
        OPENSSL_cleanse(text, len);
        free(text);
    }
    return err;
}
