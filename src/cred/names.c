#include <string.h>

#include "cred/cred.h"

#include "util/banned.h"

static const char *const names[] = {
    [SF_CRED_AUTO] = "auto",
    [SF_CRED_CHAIN] = "chain",
    [SF_CRED_STATIC] = "static",
    [SF_CRED_ENV] = "env",
    [SF_CRED_OIDC_ROLE_ARN] = "oidc_role_arn",
    [SF_CRED_PROFILE] = "profile",
    [SF_CRED_FILE] = "file",
    [SF_CRED_ECS_RAM_ROLE] = "ecs_ram_role",
    [SF_CRED_RAM_ROLE_ARN] = "ram_role_arn",
};

const char *sf_cred_provider_name(enum sf_cred_provider provider)
{
    if ((size_t)provider >= sizeof(names) / sizeof(names[0])) {
        return "unknown";
    }
    return names[provider];
}

bool sf_cred_provider_parse(const char *name, enum sf_cred_provider *out)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i], name) == 0) {
            *out = (enum sf_cred_provider)i;
            return true;
        }
    }
    return false;
}
