/* Which HTTP proxy a request goes through, decided here once per target, so what the start-up
 * log says is what happens: libcurl is then given exactly this proxy (or "" for none) and an
 * empty no-proxy list, and reads no environment of its own.
 *
 * Precedence, first match wins:
 *  1. The configured value (`sls.proxy`, `output.hec.proxy`): a URL is used for every request
 *     of that source or sink; "" or "none" means direct whatever the environment says.
 *     NO_PROXY does not apply to a configured proxy (set the key to none instead).
 *  2. The environment, as curl reads it: for an https target `https_proxy`, else
 *     `HTTPS_PROXY`; for an http target `http_proxy`, else `HTTP_PROXY` (which curl never
 *     reads; see below); then `all_proxy`, else `ALL_PROXY`. The first variable that is set
 *     wins even when empty (empty: direct), as in curl. `no_proxy`, else `NO_PROXY`, exempts a
 *     target with curl's rules: `*` alone matches every host; an entry matches the host itself
 *     or, as a domain, any name under it (a leading `.` or `*.` is ignored: `example.com`
 *     matches `a.example.com`, never `notexample.com`); an IP entry may be a CIDR range
 *     (`10.0.0.0/8`, `fd00::/8`). Two additions to curl: an entry with `:port` matches only
 *     that port (curl never matches such an entry), and a `*` entry inside a list matches all.
 *  3. Direct.
 *
 * HTTP_PROXY: curl ignores the upper-case name because under CGI a request's `Proxy:` header
 * becomes HTTP_PROXY ("httpoxy"). slsfwd is no CGI program and operators usually set upper-case
 * names only, so it is read as Go's net/http does: only when `http_proxy` is unset and
 * REQUEST_METHOD is not (a CGI environment).
 *
 * Only http:// proxies: the target's own TLS runs end to end through CONNECT either way, and a
 * TLS connection to the proxy would need its own CA and certificate options that nobody has
 * asked for. Pure functions of their arguments; thread-safe. */
#ifndef SF_UTIL_PROXY_H
#define SF_UTIL_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define SF_PROXY_URL_MAX 512

struct sf_proxy {
    /* "http://[user:password@]host:port": what to give CURLOPT_PROXY; "" means direct. The
     * password, if any (only from an environment variable), must be redacted in messages:
     * sf_proxy_describe does it. */
    char url[SF_PROXY_URL_MAX];
    /* Why: the config key ("sls.proxy"), the variable used ("HTTPS_PROXY"), the no-proxy
     * variable that exempted the target ("NO_PROXY"), or "" (nothing set). */
    char origin[48];
};

/* Checks a proxy URL for a configuration key: http://host:port (a trailing '/' allowed); no
 * credentials inside it (they belong in |credentials_key|, a secret). On false |why| says what
 * is wrong, starting with "expected" when a value form is wanted. "" and "none" pass. */
bool sf_proxy_check_url(const char *value, const char *credentials_key, char *why, size_t why_size);

/* Decides the proxy for |target_url| ("https://host[:port]/…" or "http://…"). |configured| is
 * the value of |key| (NULL: not set); |env| is an environ-style array (NULL: empty). On
 * SF_ERR_CONFIG |errbuf| names the key or the variable at fault (an https:// or socks proxy in
 * the environment, a value that is no URL), never a password. */
sf_err sf_proxy_resolve(const char *target_url,
                        const char *configured,
                        const char *key,
                        char *const *env,
                        struct sf_proxy *out,
                        char *errbuf,
                        size_t errbuf_size);

/* True when |no_proxy| (a NO_PROXY value) exempts |host| (a name, an IPv4 address, or an IPv6
 * address with or without brackets) at |port|. */
bool sf_proxy_no_proxy_matches(const char *no_proxy, const char *host, int port);

/* "http://proxy:3128 (from HTTPS_PROXY)", "none (from sls.proxy)", "none (NO_PROXY)" or
 * "none": for start-up logs and `slsfwd check`; a password is "<redacted>". */
void sf_proxy_describe(const struct sf_proxy *proxy, char *out, size_t out_size);

/* The proxy's URL without credentials, "" when direct: for error messages. */
void sf_proxy_display_url(const struct sf_proxy *proxy, char *out, size_t out_size);

/* The error text for a CONNECT that |proxy_display| answered with |status| (not 2xx):
 * "proxy http://127.0.0.1:8888 refused CONNECT to 127.0.0.1:8088: 407 Proxy Authentication
 * Required". |target| is "host:port". */
void sf_proxy_refusal_text(
    const char *proxy_display, const char *target, long status, char *out, size_t out_size);

#endif
