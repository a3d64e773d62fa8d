/* docs/protocol/sls-api.md §Error reactions, row by row: each errorCode maps to the class of
 * reaction the table asks for. */
#include "sf_test.h"

#include "sls/sls_error.h"

struct row {
    long status;
    const char *code;
    const char *message;
    sf_err want;
};

static void every_documented_code_has_its_reaction(void **state)
{
    (void)state;
    static const struct row rows[] = {
        {400, "RequestTimeTooSkewed", "", SF_ERR_CLOCK},
        {400, "RequestTimeExpired", "", SF_ERR_CLOCK},
        {400, "MissingDate", "", SF_ERR_CLIENT_BUG},
        {400, "InvalidDateFormat", "", SF_ERR_CLIENT_BUG},
        {400, "MissingAPIVersion", "", SF_ERR_CLIENT_BUG},
        {400, "InvalidAPIVersion", "", SF_ERR_CLIENT_BUG},
        {400, "MissingSignatureMethod", "", SF_ERR_CLIENT_BUG},
        {400, "InvalidSignatureMethod", "", SF_ERR_CLIENT_BUG},
        {400, "MissAccessKeyId", "", SF_ERR_CLIENT_BUG},
        {400, "MissingContentType", "", SF_ERR_CLIENT_BUG},
        {400, "MissingBodyRawSize", "", SF_ERR_CLIENT_BUG},
        {400, "InvalidBodyRawSize", "", SF_ERR_CLIENT_BUG},
        {400, "InvalidCompressType", "", SF_ERR_CLIENT_BUG},
        {400, "MissingHost", "", SF_ERR_CLIENT_BUG},
        {400, "JsonInfoInvalid", "", SF_ERR_CLIENT_BUG},
        {400, "PostBodyInvalid", "", SF_ERR_CLIENT_BUG},
        {411, "MissingContentLength", "", SF_ERR_CLIENT_BUG},
        {415, "InvalidContentType", "", SF_ERR_CLIENT_BUG},
        {401, "SignatureNotMatch", "", SF_ERR_AUTH},
        {401, "Unauthorized", "The security token you provided has expired", SF_ERR_AUTH_EXPIRED},
        {401, "Unauthorized", "The security token you provided is invalid", SF_ERR_AUTH_EXPIRED},
        {401, "Unauthorized", "denied by sts or ram, action: log:GetCursorOrData", SF_ERR_AUTH},
        {401, "InvalidAccessKeyId", "", SF_ERR_AUTH},
        {403, "ReadQuotaExceed", "Read quota is exceeded", SF_ERR_THROTTLED},
        {403, "ShardReadQuotaExceed", "", SF_ERR_THROTTLED},
        {403, "ProjectForbidden", "", SF_ERR_AUTH},
        {404, "ProjectNotExist", "", SF_ERR_NOT_FOUND},
        {404, "LogStoreNotExist", "", SF_ERR_NOT_FOUND},
        {404, "ConsumerGroupNotExist", "", SF_ERR_SLS_GROUP_GONE},
        {400, "ConsumerGroupAlreadyExist", "", SF_ERR_SLS_GROUP_EXISTS},
        {400, "ConsumerGroupQuotaExceed", "", SF_ERR_SLS_GROUP_QUOTA},
        {400, "NotExistConsumerWithBody", "", SF_ERR_SLS_CONSUMER_GONE},
        {404, "ConsumerNotExist", "", SF_ERR_SLS_CONSUMER_GONE},
        {404, "ConsumerNotExsit", "", SF_ERR_SLS_CONSUMER_GONE},
        {400, "ConsumerNotMatch", "", SF_ERR_SLS_NOT_OWNER},
        {400, "ShardNotExist", "", SF_ERR_SLS_SHARD_GONE},
        {404, "ShardNotExsit", "", SF_ERR_SLS_SHARD_GONE},
        {400, "InvalidCursor", "", SF_ERR_SLS_CURSOR},
        /* Only the InvalidCursor code resets a shard's cursor: a ParameterInvalid that
         * mentions a cursor (a bad end_cursor, a client bug) must not skip data. */
        {400, "ParameterInvalid", "Invalid cursor value", SF_ERR_CLIENT_BUG},
        {400, "ParameterInvalid", "end_cursor is invalid", SF_ERR_CLIENT_BUG},
        {400, "ParameterInvalid", "count must be in 1..1000", SF_ERR_CLIENT_BUG},
        {400, "InvalidShardCheckPoint", "", SF_ERR_SLS_BAD_CHECKPOINT},
        {400, "LogStoreWithoutShard", "", SF_ERR_SLS_NO_SHARDS},
        {405, "InvalidMethod", "", SF_ERR_CONFIG},
        {500, "InternalServerError", "", SF_ERR_HTTP_RETRY},
        {503, "ServerBusy", "", SF_ERR_HTTP_RETRY},
        {502, "RequestTimeout", "", SF_ERR_HTTP_RETRY},
        {504, "", "", SF_ERR_HTTP_RETRY},
        {429, "", "", SF_ERR_HTTP_RETRY},
        {418, "SomethingNew", "", SF_ERR_HTTP_REJECT},
        /* Matching ignores case, as the SDKs do. */
        {400, "invalidcursor", "", SF_ERR_SLS_CURSOR},
        {404, "CONSUMERNOTEXSIT", "", SF_ERR_SLS_CONSUMER_GONE},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        sf_err got = sf_sls_error_classify(rows[i].status, rows[i].code, rows[i].message);
        if (got != rows[i].want) {
            fail_msg("%ld %s \"%s\": got %s, want %s", rows[i].status, rows[i].code,
                     rows[i].message, sf_err_name(got), sf_err_name(rows[i].want));
        }
    }
}

static void classes_drive_the_reaction(void **state)
{
    (void)state;
    assert_int_equal(sf_err_class(SF_ERR_THROTTLED), SF_ERRCLASS_RETRY);
    assert_int_equal(sf_err_class(SF_ERR_HTTP_RETRY), SF_ERRCLASS_RETRY);
    assert_int_equal(sf_err_class(SF_ERR_CLOCK), SF_ERRCLASS_RETRY);
    assert_int_equal(sf_err_class(SF_ERR_SLS_CURSOR), SF_ERRCLASS_PERMANENT);
    assert_int_equal(sf_err_class(SF_ERR_SLS_NOT_OWNER), SF_ERRCLASS_PERMANENT);
    assert_int_equal(sf_err_class(SF_ERR_SLS_GROUP_QUOTA), SF_ERRCLASS_FATAL);
    assert_int_equal(sf_err_class(SF_ERR_NOT_FOUND), SF_ERRCLASS_FATAL);
    assert_int_equal(sf_err_class(SF_ERR_CLIENT_BUG), SF_ERRCLASS_FATAL);
}

static void json_body_gives_code_message_and_readable_text(void **state)
{
    (void)state;
    struct sf_sls_error detail = {.api = "PullLogs", .shard = 3};
    snprintf(detail.project, sizeof(detail.project), "my-project");
    snprintf(detail.logstore, sizeof(detail.logstore), "app-logs");
    snprintf(detail.request_id, sizeof(detail.request_id), "5F1A2B");
    const char body[] =
        "{\"errorCode\":\"InvalidCursor\",\"errorMessage\":\"cursor \\\"x\\\" expired\"}";
    sf_err err = sf_sls_error_parse(400, (const uint8_t *)body, strlen(body), &detail);
    SF_CHECK_ERR(err, SF_ERR_SLS_CURSOR);
    assert_string_equal(detail.code, "InvalidCursor");
    char text[512];
    sf_sls_error_format(&detail, err, text, sizeof(text));
    assert_string_equal(text, "api=PullLogs project=my-project logstore=app-logs shard=3 "
                              "status=400 code=InvalidCursor request_id=5F1A2B class=permanent "
                              "error=\"cursor invalid or expired\" message=\"cursor 'x' expired\"");
}

static void non_json_body_is_judged_by_status(void **state)
{
    (void)state;
    struct sf_sls_error detail = {.api = "PullLogs", .shard = -1};
    const char html[] = "<html>\n<h1>502 Bad Gateway</h1></html>";
    SF_CHECK_ERR(sf_sls_error_parse(502, (const uint8_t *)html, strlen(html), &detail),
                 SF_ERR_HTTP_RETRY);
    assert_string_equal(detail.code, "");
    assert_non_null(strstr(detail.message, "502 Bad Gateway"));
    assert_null(strchr(detail.message, '\n'));
    SF_CHECK_ERR(sf_sls_error_parse(403, (const uint8_t *)"denied", 6, &detail), SF_ERR_AUTH);
    SF_CHECK_ERR(sf_sls_error_parse(400, NULL, 0, &detail), SF_ERR_HTTP_REJECT);
    const char no_code[] = "{\"errorMessage\":\"x\"}";
    SF_CHECK_ERR(sf_sls_error_parse(500, (const uint8_t *)no_code, strlen(no_code), &detail),
                 SF_ERR_HTTP_RETRY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_documented_code_has_its_reaction),
        cmocka_unit_test(classes_drive_the_reaction),
        cmocka_unit_test(json_body_gives_code_message_and_readable_text),
        cmocka_unit_test(non_json_body_is_judged_by_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
