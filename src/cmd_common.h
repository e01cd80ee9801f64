/* cmd_common.h: what the subcommands share: opening the database chosen by
 * --db / KHAOSAT_DB and reading the forms chosen by --forms / KHAOSAT_FORMS,
 * with messages that say what to do. */
#ifndef KHAOSAT_CMD_COMMON_H
#define KHAOSAT_CMD_COMMON_H

#include "catalog.h"
#include "store.h"

/* Open (creating it and its directory if needed) the database db_opt, or
 * the default one. Prints the reason and returns NULL on failure. */
store *cmd_open_store(const char *prog, const char *db_opt);
/* Load the forms directory forms_opt, or the default one. Forms with
 * errors are reported and left out. Returns NULL when none can be read. */
catalog *cmd_load_catalog(const char *prog, const char *forms_opt);
/* Parse a non-negative decimal number; -1 when s is not one. */
long cmd_parse_count(const char *s);

#endif
