/* ECS metadata: header names and shapes as aliyun/credentials-go (providers/ecs_ram_role.go) and
 * credentials-python (provider/ecs_ram_role.py) use them. The hardened ("required") mode refuses
 * a GET without a valid X-aliyun-ecs-metadata-token with 403; in both modes a token that is
 * present but unknown or expired gets 401, so a client that falls back to a plain GET (the
 * libraries' IMDSv1 fallback) is seen doing so. Bodies are text/plain, as the service sends. */
#include "metadata.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"
#include "handler.h"
#include "util/str.h"

#include "util/banned.h"

#define CREDS_PATH "/latest/meta-data/ram/security-credentials/"
#define TOKEN_PATH "/latest/api/token"
#define MAX_TTL_S  21600 /* 6 hours: what the libraries ask for, and the ceiling */

static void reply_text(struct emu_response *resp, int status, const char *text)
{
    emu_body_unref(resp->body);
    resp->status = status;
    resp->body = emu_body_from(text, strlen(text));
    resp->content_type = "text/plain";
}

/* A status from the fault switches: -1 drops the connection, else that status. */
static void reply_fault(struct emu_response *resp, int status)
{
    if (status < 0) {
        resp->action = EMU_ACTION_DROP;
        reply_text(resp, 500, "");
        return;
    }
    reply_text(resp, status, status == 404 ? "Not Found" : "Error");
}

static void put_token(struct emu_server *srv,
                      const struct tc_request *req,
                      struct emu_response *resp,
                      const struct emu_cred_faults *faults)
{
    const char *ttl_text = emu_request_header(req, "X-aliyun-ecs-metadata-token-ttl-seconds");
    long long ttl;
    if (faults->metadata_token_status) {
        reply_fault(resp, faults->metadata_token_status);
    } else if (!ttl_text) {
        reply_text(resp, 400, "X-aliyun-ecs-metadata-token-ttl-seconds is required");
    } else if (!sf_str_to_i64(sf_str_from(ttl_text), 1, MAX_TTL_S, &ttl)) {
        reply_text(resp, 400, "X-aliyun-ecs-metadata-token-ttl-seconds must be 1..21600");
    } else {
        char token[48];
        emu_creds_metadata_token(srv->creds, ttl, emu_now_s(), token);
        reply_text(resp, 200, token);
        OPENSSL_cleanse(token, sizeof(token));
    }
}

/* The token rule of the mode; true when the GET may proceed. */
static bool token_allows(struct emu_server *srv,
                         const struct tc_request *req,
                         struct emu_response *resp,
                         enum emu_metadata_mode mode)
{
    const char *token = emu_request_header(req, "X-aliyun-ecs-metadata-token");
    if (token && !emu_creds_metadata_token_valid(srv->creds, token, emu_now_s())) {
        reply_text(resp, 401, "Unauthorized");
        return false;
    }
    if (!token && mode == EMU_METADATA_HARDENED) {
        reply_text(resp, 403, "Forbidden");
        return false;
    }
    return true;
}

static void get_credentials(struct emu_server *srv,
                            struct emu_response *resp,
                            const char *role,
                            const struct emu_cred_faults *faults)
{
    if (strcmp(role, emu_creds_metadata_role(srv->creds)) != 0) {
        reply_text(resp, 404, "Not Found");
        return;
    }
    if (faults->metadata_creds_status) {
        reply_fault(resp, faults->metadata_creds_status);
        return;
    }
    struct emu_issued cred;
    int64_t now = emu_now_s();
    emu_creds_ecs_current(srv->creds, now, &cred);
    char expiration[24], updated[24];
    emu_creds_fmt_time(cred.expires_s, expiration);
    emu_creds_fmt_time(cred.issued_s, updated);
    json_t *root =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "AccessKeyId", cred.id, "AccessKeySecret",
                  cred.secret, "Expiration", expiration, "SecurityToken", cred.token, "LastUpdated",
                  updated, "Code", "Success");
    OPENSSL_cleanse(&cred, sizeof(cred));
    char *text = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    reply_text(resp, 200, text ? text : "");
    if (text) {
        OPENSSL_cleanse(text, strlen(text));
    }
    free(text);
}

void emu_metadata_handle(struct emu_server *srv,
                         const struct tc_request *req,
                         struct emu_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->api = EMU_API_UNKNOWN;
    const char *method = req->method ? req->method : "";
    const char *target = req->target ? req->target : "";
    size_t path_len = strcspn(target, "?");
    char path[512];
    snprintf(path, sizeof(path), "%.*s", (int)(path_len < sizeof(path) ? path_len : 0), target);
    enum emu_metadata_mode mode;
    struct emu_cred_faults faults;
    emu_creds_get_switches(srv->creds, &mode, &faults);
    bool is_token = strcmp(path, TOKEN_PATH) == 0;
    if (is_token) {
        if (strcmp(method, "PUT") == 0) {
            put_token(srv, req, resp, &faults);
        } else {
            reply_text(resp, 405, "Method Not Allowed");
        }
    } else if (strncmp(path, CREDS_PATH, strlen(CREDS_PATH)) != 0) {
        reply_text(resp, 404, "Not Found");
    } else if (strcmp(method, "GET") != 0) {
        reply_text(resp, 405, "Method Not Allowed");
    } else if (token_allows(srv, req, resp, mode)) {
        const char *role = path + strlen(CREDS_PATH);
        if (!role[0]) {
            reply_text(resp, 200, emu_creds_metadata_role(srv->creds));
        } else {
            get_credentials(srv, resp, role, &faults);
        }
    }
    emu_creds_count_metadata(srv->creds, is_token, resp->status != 200);
}
