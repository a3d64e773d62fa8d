/* The HTTP front (common/http.h), one thread per connection (keep-alive clients, injected
 * latency that must not stall other connections). Turns each exchange into an emu_request,
 * calls the listener's handler, and sends the answer, carrying out drop/truncate/latency
 * faults. Call start/stop from one thread. */
#ifndef EMU_HTTP_H
#define EMU_HTTP_H

#include <stddef.h>

#include "emu.h"

struct emu_http;

/* What answers the requests of one listener: emu_handle (SLS and the control plane),
 * emu_sts_handle or emu_metadata_handle. */
typedef void (*emu_http_handler)(struct emu_server *srv,
                                 const struct tc_request *req,
                                 struct emu_response *resp);

/* Listens on |host| (IPv4 literal or "localhost") and |port| (0 = any free port, reported in
 * |*bound_port|) and serves every request with |handler|; with |cert_pem| and |key_pem| (PEM
 * text, kept alive until emu_http_stop) over HTTPS. NULL with a reason in |errbuf| on
 * failure. */
struct emu_http *emu_http_start(emu_http_handler handler,
                                struct emu_server *srv,
                                const char *host,
                                int port,
                                const char *cert_pem,
                                const char *key_pem,
                                int *bound_port,
                                char *errbuf,
                                size_t errbuf_size);
/* Stops accepting, waits for connection threads, frees. NULL is fine. */
void emu_http_stop(struct emu_http *http);

#endif
