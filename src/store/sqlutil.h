/* sqlutil.h: small helpers for modules that talk to SQLite directly,
 * outside the store's cached statements. */
#ifndef KHAOSAT_SQLUTIL_H
#define KHAOSAT_SQLUTIL_H

#include <sqlite3.h>

/* Run sql (a pragma or a count) and put the first column of its first row
 * in *out: SQLITE_OK, or SQLite's code (SQLITE_DONE: no row) with *out
 * untouched. */
int sqlutil_long(sqlite3 *db, const char *sql, long *out);

/* SQLite's message for the last call on db when that call failed; NULL
 * when it succeeded (its message would be "not an error", which must never
 * reach a user as the reason for a failure that was khaosat's own). */
const char *sqlutil_reason(sqlite3 *db);
/* Non-zero when the last failure on db says its file is damaged. */
int sqlutil_damaged(sqlite3 *db);

#endif
