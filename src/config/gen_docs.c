/* sf-config-docs: writes the configuration reference generated from the option table.
 *   sf-config-docs markdown > CONFIGURATION.md
 *   sf-config-docs yaml > etc/slsfwd.example.yaml
 * scripts/gen_config_docs.sh runs both; the unit test config.docs_fresh compares them. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/banned.h"

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "markdown") == 0) {
        sf_config_write_reference(STDOUT_FILENO, SF_CONFIG_REFERENCE_MARKDOWN);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "yaml") == 0) {
        sf_config_write_reference(STDOUT_FILENO, SF_CONFIG_REFERENCE_YAML);
        return 0;
    }
    fprintf(stderr, "usage: %s markdown|yaml\n", argv[0]);
    return 2;
}
