/* The ECS instance metadata endpoint (its own port, --metadata-port), the part the credential
 * libraries use: PUT /latest/api/token (hardened mode session token), GET
 * /latest/meta-data/ram/security-credentials/ (the role name) and .../<role> (the role's
 * temporary credentials). Modes and faults: creds.h; answers: README.md. Thread-safe. */
#ifndef EMU_METADATA_H
#define EMU_METADATA_H

#include "emu.h"

/* Serves one request on the metadata port. Never fails. */
void emu_metadata_handle(struct emu_server *srv,
                         const struct tc_request *req,
                         struct emu_response *resp);

#endif
