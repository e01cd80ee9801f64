/* cmd_common.h: what the subcommands share: opening the database chosen by
 * --db / KHAOSAT_DB and reading the forms chosen by --forms / KHAOSAT_FORMS,
 * with messages that say what to do. */
#ifndef KHAOSAT_CMD_COMMON_H
#define KHAOSAT_CMD_COMMON_H

#include <stddef.h>
#include <stdio.h>

#include "core/util.h"

#include "core/catalog.h"
#include "store/store.h"

/* Open the database db_opt, or the default one (store_open_at); how says
 * whether a missing one is created, which is then said in one line on
 * stderr.  Prints the reason and returns NULL on failure. */
store *cmd_open_store(const char *prog, const char *db_opt,
                      enum store_missing how);
/* The same, *created set when the database was made now. */
store *cmd_open_store_new(const char *prog, const char *db_opt,
                          enum store_missing how, int *created);
/* Non-zero when at least one of the n paths (bundles or folders) can be
 * read; when none can, each is named on stderr with why, so that a
 * mistyped bundle is blamed (not --db) before any database or folder is
 * made for it. */
int cmd_any_readable(const char *prog, char *const *paths, int n);
/* Close st; a database created by this command (created) that it put
 * nothing into (!used) is removed again, and that is said. */
void cmd_close_store(store *st, const char *prog, int created, int used);
/* Load the forms directory forms_opt, or the default one. Forms with
 * errors are reported and left out. Returns NULL when none can be read. */
catalog *cmd_load_catalog(const char *prog, const char *forms_opt);
/* Print each line of notes (NULL is fine) on stderr as "PROG: line",
 * made safe for the terminal. */
void cmd_print_notes(const char *prog, const char *notes);
/* Read a passphrase: $KHAOSAT_PASSPHRASE, else from the terminal without
 * echo.  NULL when there is neither.  Newly allocated; free it with
 * cmd_drop_passphrase. */
char *cmd_read_passphrase(const char *prompt);
/* A new passphrase for a backup: asked twice on a terminal, at least 8
 * characters.  NULL after printing why not (prog first). */
char *cmd_new_passphrase(const char *prog);
/* Wipe and free a passphrase (NULL is fine). */
void cmd_drop_passphrase(char *p);
/* Parse a non-negative decimal number; -1 when s is not one. */
long cmd_parse_count(const char *s);

/* One long option of a command: --NAME sets *flag to 1 when flag is given;
 * otherwise it sets *str to value when value is given, or else to the
 * option's argument. */
typedef struct cmd_option {
    const char *name;
    const char **str;
    const char *value;
    int *flag;
} cmd_option;

/* Parse argv's long options by the n entries of opts plus --help: 1 after
 * --help (usage printed on stdout), -1 after an unknown option or a missing
 * argument (usage printed on stderr), 0 otherwise with optind at the first
 * operand. */
int cmd_parse_options(int argc, char **argv, const cmd_option *opts, size_t n,
                      const char *usage);
/* cmd_parse_options, stopping at the first operand: what follows it is
 * data, even when it starts with '-' (an answer "-2+3"). */
int cmd_parse_leading_options(int argc, char **argv, const cmd_option *opts,
                              size_t n, const char *usage);

/* Split "QID[@PATH]" into *qid and *path, both newly allocated. */
void cmd_split_answer(const char *arg, char **qid, char **path);
/* cmd_set_answer's flags. */
#define CMD_KEEP_COMPLETE 1   /* finalise a complete interview again */
#define CMD_REMOVE 2          /* remove the members a lower count drops */
#define CMD_NOT_ON_LIST 4     /* a household number not on its village's
                                 list: the enumerator says it is new or
                                 missing from the list */
/* Set one answer of interview uuid through the session, as the interview
 * screen does. A complete interview is returned to draft (audited) and,
 * with CMD_KEEP_COMPLETE, finalised again when every check passes.
 * Messages go to stderr after prog; returns the exit status. */
int cmd_set_answer(store *st, const char *prog, const char *uuid,
                   const char *qid, const char *path, const char *value,
                   int flags);
/* printf to stdout (cmd_printf) or stderr (cmd_eprintf) through
 * ui_text_safe: text from databases, bundles and file names never reaches
 * the terminal as control sequences.  Lines stay lines. */
void cmd_printf(const char *fmt, ...) KS_PRINTF(1, 2);
void cmd_eprintf(const char *fmt, ...) KS_PRINTF(1, 2);
/* fputs(text, f) through ui_text_safe (a report, a listing). */
void cmd_puts_safe(const char *text, FILE *f);

#endif
