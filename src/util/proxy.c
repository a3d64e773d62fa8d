#include "util/proxy.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/url.h"

#include "util/banned.h"

#define CURL_DEFAULT_PROXY_PORT 1080 /* what curl assumes for a proxy URL without a port */

struct parsed_url {
    char scheme[16];
    char userinfo[200]; /* "" when none */
    char host[254];     /* an IPv6 address without its brackets */
    bool is_ipv6;
    int port; /* 0: none given */
};

/* Splits "[scheme://][userinfo@]host[:port][/]"; |rest_ok| allows a path after the host
 * (a target URL). False with |why| on anything else. */
static bool parse_url(
    const char *url, bool needs_scheme, bool rest_ok, struct parsed_url *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    const char *p = url;
    const char *sep = strstr(url, "://");
    if (sep) {
        size_t len = (size_t)(sep - url);
        if (len == 0 || len >= sizeof(out->scheme)) {
            *why = "expected http://host:port";
            return false;
        }
        for (size_t i = 0; i < len; i++) {
            char c = url[i];
            out->scheme[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        p = sep + 3;
    } else if (needs_scheme) {
        *why = "expected http://host:port";
        return false;
    } else {
        snprintf(out->scheme, sizeof(out->scheme), "http"); /* curl's default for a proxy */
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *end = p + auth_len;
    const char *at = NULL;
    for (const char *q = p; q < end; q++) {
        at = *q == '@' ? q : at; /* the last @: a password may hold one */
    }
    if (at) {
        size_t ui_len = (size_t)(at - p);
        if (ui_len == 0 || ui_len >= sizeof(out->userinfo)) {
            *why = "expected http://host:port";
            return false;
        }
        memcpy(out->userinfo, p, ui_len);
        p = at + 1;
    }
    const char *host_end;
    if (*p == '[') {
        host_end = memchr(p, ']', (size_t)(end - p));
        if (!host_end) {
            *why = "expected http://[ipv6]:port";
            return false;
        }
        size_t len = (size_t)(host_end - p - 1);
        if (len == 0 || len >= sizeof(out->host)) {
            *why = "expected http://host:port";
            return false;
        }
        memcpy(out->host, p + 1, len);
        out->is_ipv6 = true;
        host_end++;
    } else {
        host_end = p;
        while (host_end < end && *host_end != ':') {
            host_end++;
        }
        size_t len = (size_t)(host_end - p);
        if (len == 0 || len >= sizeof(out->host)) {
            *why = "expected http://host:port";
            return false;
        }
        memcpy(out->host, p, len);
    }
    if (host_end < end) {
        if (*host_end != ':') {
            *why = "expected http://host:port";
            return false;
        }
        long long port = 0;
        struct sf_str digits = {host_end + 1, (size_t)(end - host_end - 1)};
        if (!sf_str_to_i64(digits, 1, 65535, &port)) {
            *why = "expected a port of 1-65535 after the host";
            return false;
        }
        out->port = (int)port;
    }
    if (!rest_ok && *end && strcmp(end, "/") != 0) {
        *why = "expected http://host:port without a path or query";
        return false;
    }
    for (const char *c = out->host; *c; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n') {
            *why = "expected http://host:port";
            return false;
        }
    }
    return true;
}

static bool is_none(const char *value)
{
    return value[0] == '\0' || strcasecmp(value, "none") == 0;
}

bool sf_proxy_check_url(const char *value, const char *credentials_key, char *why, size_t why_size)
{
    if (is_none(value)) {
        return true;
    }
    struct parsed_url u;
    const char *problem = NULL;
    if (!parse_url(value, true, false, &u, &problem)) {
        snprintf(why, why_size, "%s (or none)", problem);
        return false;
    }
    if (strcmp(u.scheme, "http") != 0) {
        snprintf(why, why_size,
                 "%s:// proxies are not supported: use http://host:port (HTTPS to the target "
                 "stays TLS from end to end, tunnelled by CONNECT)",
                 u.scheme);
        return false;
    }
    if (u.userinfo[0]) {
        snprintf(why, why_size,
                 "credentials do not belong in the proxy URL (it is logged): put user:password "
                 "in %s (or %s_file)",
                 credentials_key, credentials_key);
        return false;
    }
    if (!u.port) {
        snprintf(why, why_size, "expected http://host:port: the port is missing");
        return false;
    }
    return true;
}

static const char *env_get(char *const *env, const char *name)
{
    size_t len = strlen(name);
    for (char *const *e = env; e && *e; e++) {
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') {
            return *e + len + 1;
        }
    }
    return NULL;
}

/* The first of |names| set in |env| (even empty); NULL when none is. */
static const char *
env_first(char *const *env, const char *const *names, size_t n, const char **name_out)
{
    for (size_t i = 0; i < n; i++) {
        if (!names[i]) {
            continue;
        }
        const char *value = env_get(env, names[i]);
        if (value) {
            *name_out = names[i];
            return value;
        }
    }
    return NULL;
}

static void set_origin(struct sf_proxy *out, const char *origin)
{
    snprintf(out->origin, sizeof(out->origin), "%s", origin ? origin : "");
}

static void format_url(const struct parsed_url *u, int port, struct sf_proxy *out)
{
    snprintf(out->url, sizeof(out->url), "http://%s%s%s%s%s:%d", u->userinfo,
             u->userinfo[0] ? "@" : "", u->is_ipv6 ? "[" : "", u->host, u->is_ipv6 ? "]" : "",
             port);
}

sf_err sf_proxy_resolve(const char *target_url,
                        const char *configured,
                        const char *key,
                        char *const *env,
                        struct sf_proxy *out,
                        char *errbuf,
                        size_t errbuf_size)
{
    memset(out, 0, sizeof(*out));
    struct parsed_url u;
    const char *problem = NULL;
    if (configured) {
        set_origin(out, key);
        if (is_none(configured)) {
            return SF_OK;
        }
        char why[256], credentials_key[64];
        snprintf(credentials_key, sizeof(credentials_key), "%s_credentials", key);
        if (!sf_proxy_check_url(configured, credentials_key, why, sizeof(why))) {
            char *shown = sf_url_redact_dup(configured);
            snprintf(errbuf, errbuf_size, "%s: %s, got \"%.200s\"", key, why, shown);
            free(shown);
            return SF_ERR_CONFIG;
        }
        parse_url(configured, true, false, &u, &problem);
        format_url(&u, u.port, out);
        return SF_OK;
    }
    struct parsed_url target;
    if (!parse_url(target_url, true, true, &target, &problem) ||
        (strcmp(target.scheme, "https") != 0 && strcmp(target.scheme, "http") != 0)) {
        snprintf(errbuf, errbuf_size, "cannot tell which proxy to use for %.200s: %s", target_url,
                 problem ? problem : "expected http:// or https://");
        return SF_ERR_CONFIG;
    }
    bool is_https = strcmp(target.scheme, "https") == 0;
    bool is_cgi = env_get(env, "REQUEST_METHOD") != NULL;
    const char *names[] = {
        is_https ? "https_proxy" : "http_proxy",
        is_https ? "HTTPS_PROXY" : (is_cgi ? NULL : "HTTP_PROXY"),
        "all_proxy",
        "ALL_PROXY",
    };
    const char *name = NULL;
    const char *value = env_first(env, names, sizeof(names) / sizeof(names[0]), &name);
    if (!value) {
        return SF_OK; /* nothing set: direct */
    }
    set_origin(out, name);
    if (value[0] == '\0') {
        return SF_OK; /* set but empty: direct, as curl does */
    }
    static const char *const no_names[] = {"no_proxy", "NO_PROXY"};
    const char *no_name = NULL;
    const char *no_proxy = env_first(env, no_names, 2, &no_name);
    int port = target.port ? target.port : (is_https ? 443 : 80);
    if (no_proxy && sf_proxy_no_proxy_matches(no_proxy, target.host, port)) {
        set_origin(out, no_name);
        return SF_OK;
    }
    char *shown = sf_url_redact_dup(value);
    sf_err err = SF_OK;
    if (!parse_url(value, false, false, &u, &problem)) {
        snprintf(errbuf, errbuf_size,
                 "environment variable %s: %s, got \"%.200s\"; set %s to override it", name,
                 problem, shown, key);
        err = SF_ERR_CONFIG;
    } else if (strcmp(u.scheme, "http") != 0) {
        snprintf(errbuf, errbuf_size,
                 "environment variable %s is \"%.200s\": %s:// proxies are not supported, only "
                 "http://; set %s (a URL, or none) to override it",
                 name, shown, u.scheme, key);
        err = SF_ERR_CONFIG;
    } else {
        format_url(&u, u.port ? u.port : CURL_DEFAULT_PROXY_PORT, out);
    }
    free(shown);
    if (err) {
        memset(out, 0, sizeof(*out));
    }
    return err;
}

/* |host| is within |bits| of |network|; bits 0 means the whole address. */
static bool cidr_matches(int family, const char *host, const char *network, long bits)
{
    uint8_t a[16], b[16];
    int size = family == AF_INET ? 4 : 16;
    if (inet_pton(family, host, a) != 1 || inet_pton(family, network, b) != 1) {
        return false;
    }
    if (bits < 0 || bits > size * 8) {
        return false;
    }
    if (bits == 0) {
        bits = size * 8;
    }
    long full = bits / 8;
    if (memcmp(a, b, (size_t)full) != 0) {
        return false;
    }
    int rest = (int)(bits % 8);
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        return ((a[full] ^ b[full]) & mask) == 0;
    }
    return true;
}

/* One NO_PROXY entry (|len| bytes at |tok|) against the host. */
static bool entry_matches(const char *tok, size_t len, const char *host, int family, int port)
{
    char entry[300];
    if (len == 0 || len >= sizeof(entry)) {
        return false;
    }
    memcpy(entry, tok, len);
    entry[len] = '\0';
    if (strcmp(entry, "*") == 0) {
        return true;
    }
    /* An optional ":port" (ours; curl has none): "[v6]:443", "host:8088", "1.2.3.4:80". */
    char *name = entry;
    char *colon = NULL;
    if (name[0] == '[') {
        char *close = strchr(name, ']');
        if (!close) {
            return false;
        }
        *close = '\0';
        name++;
        colon = close[1] == ':' ? close + 1 : NULL;
        if (!colon && close[1]) {
            return false;
        }
    } else if (strchr(name, ':') == strrchr(name, ':')) {
        colon = strchr(name, ':'); /* one colon: a port; several: a bare IPv6 address */
    }
    if (colon) {
        *colon = '\0';
        long long want = 0;
        if (!sf_str_to_i64(sf_str_from(colon + 1), 1, 65535, &want) || want != port) {
            return false;
        }
    }
    if (family != 0) {
        char *slash = strchr(name, '/');
        long bits = 0;
        if (slash) {
            long long b = 0;
            if (!sf_str_to_i64(sf_str_from(slash + 1), 0, 128, &b)) {
                return false;
            }
            bits = (long)b;
            *slash = '\0';
        }
        return cidr_matches(family, host, name, bits);
    }
    size_t nlen = strlen(name);
    if (nlen && name[nlen - 1] == '.') {
        name[--nlen] = '\0';
    }
    if (strncmp(name, "*.", 2) == 0) {
        name += 1; /* "*.example.com" as ".example.com" (ours; curl never matches it) */
        nlen -= 1;
    }
    if (nlen && name[0] == '.') {
        name++;
        nlen--;
    }
    size_t hlen = strlen(host);
    if (hlen && host[hlen - 1] == '.') {
        hlen--;
    }
    if (nlen == 0 || nlen > hlen) {
        return false;
    }
    if (nlen == hlen) {
        return strncasecmp(name, host, hlen) == 0;
    }
    return host[hlen - nlen - 1] == '.' && strncasecmp(name, host + hlen - nlen, nlen) == 0;
}

bool sf_proxy_no_proxy_matches(const char *no_proxy, const char *host, int port)
{
    if (!no_proxy || !no_proxy[0] || !host || !host[0]) {
        return false;
    }
    char bare[256];
    size_t hlen = strlen(host);
    if (host[0] == '[' && hlen >= 2 && host[hlen - 1] == ']') {
        host++;
        hlen -= 2;
    }
    if (hlen >= sizeof(bare)) {
        return false;
    }
    memcpy(bare, host, hlen);
    bare[hlen] = '\0';
    uint8_t addr[16];
    int family = inet_pton(AF_INET, bare, addr) == 1    ? AF_INET
                 : inet_pton(AF_INET6, bare, addr) == 1 ? AF_INET6
                                                        : 0;
    const char *p = no_proxy;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        size_t len = strcspn(p, " \t,");
        if (len && entry_matches(p, len, bare, family, port)) {
            return true;
        }
        p += len;
    }
    return false;
}

static bool is_no_proxy_name(const char *origin)
{
    return strcasecmp(origin, "no_proxy") == 0;
}

void sf_proxy_describe(const struct sf_proxy *proxy, char *out, size_t out_size)
{
    if (proxy->url[0]) {
        char *shown = sf_url_redact_dup(proxy->url);
        snprintf(out, out_size, "%s (from %s)", shown, proxy->origin);
        free(shown);
    } else if (proxy->origin[0] && is_no_proxy_name(proxy->origin)) {
        snprintf(out, out_size, "none (the target is in %s)", proxy->origin);
    } else if (proxy->origin[0]) {
        snprintf(out, out_size, "none (from %s)", proxy->origin);
    } else {
        snprintf(out, out_size, "none");
    }
}

void sf_proxy_display_url(const struct sf_proxy *proxy, char *out, size_t out_size)
{
    const char *p = proxy->url;
    const char *sep = strstr(p, "://");
    const char *host = sep ? sep + 3 : p;
    const char *at = strrchr(host, '@');
    if (at) {
        snprintf(out, out_size, "%.*s%s", (int)(host - p), p, at + 1);
    } else {
        snprintf(out, out_size, "%s", p);
    }
}

static const char *reason_phrase(long status)
{
    static const struct {
        long status;
        const char *text;
    } phrases[] = {
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {407, "Proxy Authentication Required"},
        {408, "Request Timeout"},
        {429, "Too Many Requests"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
        if (phrases[i].status == status) {
            return phrases[i].text;
        }
    }
    return "";
}

void sf_proxy_refusal_text(
    const char *proxy_display, const char *target, long status, char *out, size_t out_size)
{
    const char *phrase = reason_phrase(status);
    snprintf(out, out_size, "proxy %s refused CONNECT to %s: %ld%s%s", proxy_display, target,
             status, phrase[0] ? " " : "", phrase);
}
