#include "wire.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static size_t on_data(char *data, size_t size, size_t n, void *cls)
{
    sf_buf_append(cls, data, size * n);
    return size * n;
}

void wire_prepare(CURL *curl,
                  const char *method,
                  const char *url,
                  struct curl_slist *headers,
                  long timeout_s,
                  size_t body_max,
                  struct sf_buf *body,
                  struct sf_buf *head)
{
    sf_buf_init(body, body_max);
    sf_buf_init(head, 1 << 20);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, head);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
}

CURLcode
wire_perform(CURL *curl, long *status, double *seconds, struct sf_buf *body, struct sf_buf *head)
{
    CURLcode rc = curl_easy_perform(curl);
    *status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    if (seconds) {
        curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, seconds);
    }
    sf_buf_terminate(body);
    sf_buf_terminate(head);
    return rc;
}

bool wire_header(const struct sf_buf *head, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    const char *p = (const char *)head->ptr;
    size_t len = strlen(name);
    while (p && *p) {
        if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
            p += len + 1;
            p += strspn(p, " ");
            snprintf(out, size, "%.*s", (int)strcspn(p, "\r\n"), p);
            return true;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return false;
}
