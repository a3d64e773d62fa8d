#include "cred/remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cred/provider.h"

#include "util/banned.h"

static sf_err copy_field(json_t *obj,
                         const char *what,
                         const char *name,
                         char *dst,
                         size_t dst_size,
                         char *errbuf,
                         size_t errbuf_size)
{
    const char *value = json_string_value(json_object_get(obj, name));
    if (!value || !value[0]) {
        snprintf(errbuf, errbuf_size, "%s: %s missing or not a string", what, name);
        return SF_ERR_INVALID;
    }
    size_t len = strlen(value);
    if (len >= dst_size) {
        snprintf(errbuf, errbuf_size, "%s: %s longer than %zu bytes", what, name, dst_size - 1);
        return SF_ERR_INVALID;
    }
    memcpy(dst, value, len + 1);
    return SF_OK;
}

sf_err sf_cred_value_from_json(
    json_t *obj, const char *what, struct sf_cred_value *out, char *errbuf, size_t errbuf_size)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(obj)) {
        snprintf(errbuf, errbuf_size, "%s: no credentials object in the answer", what);
        return SF_ERR_INVALID;
    }
    sf_err err = copy_field(obj, what, "AccessKeyId", out->access_key_id,
                            sizeof(out->access_key_id), errbuf, errbuf_size);
    if (!err) {
        err = copy_field(obj, what, "AccessKeySecret", out->access_key_secret,
                         sizeof(out->access_key_secret), errbuf, errbuf_size);
    }
    if (!err) {
        err = copy_field(obj, what, "SecurityToken", out->security_token,
                         sizeof(out->security_token), errbuf, errbuf_size);
    }
    if (!err) {
        const char *exp = json_string_value(json_object_get(obj, "Expiration"));
        if (!exp || !sf_cred_parse_expiration(exp, &out->expiration)) {
            snprintf(errbuf, errbuf_size,
                     "%s: Expiration missing or not of the form 2026-12-06T03:00:00Z", what);
            err = SF_ERR_INVALID;
        }
    }
    if (err) {
        memset(out, 0, sizeof(*out));
    }
    return err;
}

static const char *find_icase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        if (strncasecmp(p, needle, n) == 0) {
            return p;
        }
    }
    return NULL;
}

void sf_cred_clean_message(const char *text, const char *const *secrets, char *out, size_t out_size)
{
    static const char redacted[] = "<redacted>";
    size_t limit = out_size - 1 < 200 ? out_size - 1 : 200;
    const char *cut = find_icase(text, "string to sign");
    size_t o = 0;
    for (const char *p = text; *p && (!cut || p < cut) && o < limit;) {
        size_t matched = 0;
        for (size_t i = 0; secrets && secrets[i]; i++) {
            size_t len = strlen(secrets[i]);
            if (len >= 8 && strncmp(p, secrets[i], len) == 0) {
                matched = len;
                break;
            }
        }
        if (matched) {
            size_t n = sizeof(redacted) - 1;
            n = n < limit - o ? n : limit - o;
            memcpy(out + o, redacted, n);
            o += n;
            p += matched;
            continue;
        }
        unsigned char c = (unsigned char)*p++;
        if (c >= 0x20 && c != 0x7f) {
            out[o++] = (char)c;
        }
    }
    if (cut && o + 3 <= limit) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}
