/* The STS endpoint (its own port, --sts-port): RPC-style Action=AssumeRole, signed with HMAC-SHA1
 * by a RAM user's keys (the emulator's --access-key pairs, or credentials it issued itself), and
 * the anonymous Action=AssumeRoleWithOIDC. Parameters come from the query and/or an
 * application/x-www-form-urlencoded body, with GET or POST, as the service takes them. Answers and
 * error codes are the service's (README.md, "STS endpoint"). Thread-safe. */
#ifndef EMU_STS_H
#define EMU_STS_H

#include <stddef.h>

#include "emu.h"
#include "util/buf.h"

struct emu_sts_param {
    const char *key;   /* percent-decoded */
    const char *value; /* percent-decoded */
};

/* The RPC signature's StringToSign: METHOD "&" enc("/") "&" enc(canonical query), where the
 * canonical query is every parameter but Signature, sorted by key, as enc(key)=enc(value) joined
 * by '&', and enc() is RFC 3986 percent-encoding (unreserved A-Z a-z 0-9 - _ . ~ kept, the rest
 * %XX upper-case). The signature is base64(HMAC-SHA1(secret + "&", StringToSign)). */
sf_err emu_sts_string_to_sign(const char *method,
                              const struct emu_sts_param *params,
                              size_t n_params,
                              struct sf_buf *out);

/* Serves one request on the STS port. Never fails. */
void emu_sts_handle(struct emu_server *srv,
                    const struct tc_request *req,
                    struct emu_response *resp);

#endif
