/* Secrets: `<key>_file` contents, credentials files (read at start and again on STS expiry),
 * which of several credential settings wins, and the warning for a config file that holds a
 * secret where other users can read it. No function here ever prints a secret's value. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_int.h"
#include "config/yaml_doc.h"
#include "util/alloc.h"
#include "util/file.h"
#include "util/log.h"

#include "util/banned.h"

#define SF_LOG_MODULE "config"

/* A secret or a credentials file is a few hundred bytes; more means the wrong file. */
#define MAX_SECRET_FILE_BYTES (64 * 1024)

bool sf_config_read_secret_file(const char *path, char **out, char *why, size_t why_size)
{
    char *text;
    size_t len;
    *out = NULL;
    if (!sf_file_read_small(path, MAX_SECRET_FILE_BYTES, &text, &len, why, why_size)) {
        return false;
    }
    /* `echo secret > file` adds a newline that is not part of the secret. */
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) {
        text[--len] = '\0';
    }
    if (len == 0 || strlen(text) != len) {
        snprintf(why, why_size, "%s: expected the secret, found %s", path,
                 len ? "a NUL byte" : "an empty file");
        free(text);
        return false;
    }
    *out = text;
    return true;
}

/* Field names of our YAML form and of the JSON that STS and ECS metadata return. */
static char **credential_field(struct sf_config_credentials *creds, const char *key)
{
    static const struct {
        const char *ours;
        const char *theirs;
        size_t offset;
    } fields[] = {
        {"access_key_id", "AccessKeyId", offsetof(struct sf_config_credentials, access_key_id)},
        {"access_key_secret", "AccessKeySecret",
         offsetof(struct sf_config_credentials, access_key_secret)},
        {"security_token", "SecurityToken", offsetof(struct sf_config_credentials, security_token)},
        {"expiration", "Expiration", offsetof(struct sf_config_credentials, expiration)},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(key, fields[i].ours) == 0 || strcmp(key, fields[i].theirs) == 0) {
            return (char **)((char *)creds + fields[i].offset);
        }
    }
    return NULL;
}

static bool is_ignored_credential_key(const char *key)
{
    return strcmp(key, "LastUpdated") == 0 || strcmp(key, "Code") == 0;
}

static sf_err apply_credentials(const char *path,
                                const struct sf_yaml_node *root,
                                struct sf_config_credentials *out,
                                char *errbuf,
                                size_t errbuf_size)
{
    if (!root || root->kind != SF_YAML_MAP) {
        snprintf(errbuf, errbuf_size,
                 "%s: expected access_key_id, access_key_secret and "
                 "security_token keys",
                 path);
        return SF_ERR_CONFIG;
    }
    for (const struct sf_yaml_node *child = root->first; child; child = child->next) {
        char **field = credential_field(out, child->key);
        if (!field && is_ignored_credential_key(child->key)) {
            continue;
        }
        if (!field || *field) {
            snprintf(errbuf, errbuf_size,
                     "%s:%d: %s key %.64s; expected access_key_id, "
                     "access_key_secret, security_token",
                     path, child->key_line, field ? "duplicate" : "unknown", child->key);
            return SF_ERR_CONFIG;
        }
        if (child->kind != SF_YAML_SCALAR || child->is_null || !child->text[0]) {
            snprintf(errbuf, errbuf_size, "%s:%d: %.64s: expected a string", path, child->line,
                     child->key);
            return SF_ERR_CONFIG;
        }
        *field = sf_xstrdup(child->text);
    }
    if (!out->access_key_id || !out->access_key_secret) {
        snprintf(errbuf, errbuf_size, "%s: %s is missing", path,
                 out->access_key_id ? "access_key_secret" : "access_key_id");
        return SF_ERR_CONFIG;
    }
    return SF_OK;
}

sf_err sf_config_credentials_read(const char *path,
                                  struct sf_config_credentials *out,
                                  char *errbuf,
                                  size_t errbuf_size)
{
    struct sf_yaml_doc doc;
    char *text = NULL;
    size_t len;
    int line;
    int column;
    char why[256];
    memset(out, 0, sizeof(*out));
    if (!sf_file_read_small(path, MAX_SECRET_FILE_BYTES, &text, &len, errbuf, errbuf_size)) {
        return SF_ERR_CONFIG;
    }
    sf_err err = sf_yaml_doc_parse(&doc, text, len, &line, &column, why, sizeof(why));
    if (err) {
        snprintf(errbuf, errbuf_size, "%s:%d: %s", path, line, why);
    } else {
        err = apply_credentials(path, doc.root, out, errbuf, errbuf_size);
    }
    sf_yaml_doc_cleanup(&doc);
    free(text);
    return err;
}

void sf_config_credentials_cleanup(struct sf_config_credentials *creds)
{
    free(creds->access_key_id);
    free(creds->access_key_secret);
    free(creds->security_token);
    free(creds->expiration);
    memset(creds, 0, sizeof(*creds));
}

/* How specific a setting is for one source: its own entry beats the environment, which
 * beats `sls:` in the file, which beats nothing. */
static int
specificity(struct sf_config_loader *loader, int source_index, const struct sf_origin *origin)
{
    bool is_list_entry = loader->config->provenance->source_lines[source_index] > 0;
    switch (origin->kind) {
    case SF_ORIGIN_FILE:
        return is_list_entry && !origin->is_inherited ? 3 : 1;
    case SF_ORIGIN_ENV:
    case SF_ORIGIN_ALIAS:
        return 2;
    default:
        return 0;
    }
}

/* The most specific of the inline credential keys that are set; -1 when none is. */
static int inline_keys_specificity(struct sf_config_loader *loader,
                                   int source_index,
                                   const struct sf_option **which)
{
    static const char *const keys[] = {"sls.access_key_id", "sls.access_key_secret",
                                       "sls.security_token"};
    const struct sf_config_source *source = &loader->config->sources[source_index];
    int best = -1;
    for (size_t i = 0; i < 3; i++) {
        const struct sf_option *opt = sf_option_find(keys[i]);
        if (!sf_option_is_set(opt, source)) {
            continue;
        }
        int rank = specificity(loader, source_index, sf_config_origin(loader, source_index, opt));
        if (rank > best) {
            best = rank;
            *which = opt;
        }
    }
    return best;
}

static void take_credentials(struct sf_config_loader *loader,
                             int source_index,
                             struct sf_config_credentials *creds)
{
    struct sf_config_source *source = &loader->config->sources[source_index];
    const char *keys[] = {"sls.access_key_id", "sls.access_key_secret", "sls.security_token"};
    char **values[] = {&creds->access_key_id, &creds->access_key_secret, &creds->security_token};
    for (size_t i = 0; i < 3; i++) {
        const struct sf_option *opt = sf_option_find(keys[i]);
        sf_option_clear(opt, source);
        *(char **)sf_option_field(opt, source) = *values[i];
        *values[i] = NULL;
        *sf_config_origin(loader, source_index, opt) =
            (struct sf_origin){.kind = SF_ORIGIN_DERIVED};
    }
}

sf_err sf_config_resolve_credentials(struct sf_config_loader *loader, int source_index)
{
    struct sf_config_source *source = &loader->config->sources[source_index];
    const struct sf_option *file_opt = sf_option_find("sls.credentials_file");
    const struct sf_option *key_opt = NULL;
    char file_key[96];
    char key[96];
    int file_line;
    int key_line;
    if (!source->credentials_file) {
        return SF_OK;
    }
    int file_rank =
        specificity(loader, source_index, sf_config_origin(loader, source_index, file_opt));
    int key_rank = inline_keys_specificity(loader, source_index, &key_opt);
    sf_config_locate(loader, source_index, file_opt, &file_line, file_key, sizeof(file_key));
    if (key_rank == file_rank) {
        sf_config_locate(loader, source_index, key_opt, &key_line, key, sizeof(key));
        return sf_config_fail(loader, file_line, file_key,
                              "set credentials_file or inline keys, not both (%s is set too)", key);
    }
    if (key_rank > file_rank) { /* the source's own keys beat an inherited file */
        sf_option_clear(file_opt, source);
        return SF_OK;
    }
    struct sf_config_credentials creds;
    char why[512];
    sf_err err = sf_config_credentials_read(source->credentials_file, &creds, why, sizeof(why));
    if (err) {
        err = sf_config_fail(loader, file_line, file_key, "%s", why);
    } else {
        take_credentials(loader, source_index, &creds);
    }
    sf_config_credentials_cleanup(&creds);
    return err;
}

void sf_config_warn_if_exposed(struct sf_config_loader *loader)
{
    struct stat st;
    if (!loader->is_file_on_disk || !loader->inline_secret_key ||
        stat(loader->file_name, &st) != 0 || (st.st_mode & 077) == 0) {
        return;
    }
    SF_LOG_WARN("msg=\"config file holds a secret and other users can read it; run chmod 600 "
                "on it, or move the secret to %s_file\" file=\"%s\" line=%d key=%s mode=%04o",
                loader->inline_secret_key, loader->file_name, loader->inline_secret_line,
                loader->inline_secret_key, (unsigned)(st.st_mode & 07777));
}
