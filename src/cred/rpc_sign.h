/* Alibaba Cloud RPC-style request signature v1.0 (HMAC-SHA1), as STS AssumeRole requires:
 * sort every parameter but Signature by name, percent-encode names and values (RFC 3986
 * unreserved kept, everything else %XX upper-case, so space -> %20, * -> %2A, ~ kept), join
 * as k=v&k=v, StringToSign = METHOD "&%2F&" percentencode(joined), Signature =
 * base64(HMAC-SHA1(secret "&", StringToSign)). Source: the RPC signature document's
 * DescribeRegions example, and aliyun/credentials-go credentials/providers/ram_role_arn.go.
 * Pure; thread-safe. */
#ifndef SF_CRED_RPC_SIGN_H
#define SF_CRED_RPC_SIGN_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

struct sf_cred_param {
    const char *name;
    const char *value;
};

/* Appends percentencode(|s|) to |out|. */
sf_err sf_cred_percent_encode(struct sf_buf *out, const char *s);
/* Appends name=value&... of |params| in their given order, each percent-encoded. */
sf_err sf_cred_form_encode(struct sf_buf *out, const struct sf_cred_param *params, size_t n);
/* The StringToSign of |params| (any order; sorted here) for |method|; |out| is reset. */
sf_err sf_cred_rpc_string_to_sign(struct sf_buf *out,
                                  const char *method,
                                  const struct sf_cred_param *params,
                                  size_t n);
/* The base64 Signature (29 bytes with its NUL) of |params| signed with |secret|. */
sf_err sf_cred_rpc_sign(const char *method,
                        const struct sf_cred_param *params,
                        size_t n,
                        const char *secret,
                        char out[32]);

#endif
