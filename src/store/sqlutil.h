/* sqlutil.h: small helpers for modules that talk to SQLite directly,
 * outside the store's cached statements. */
#ifndef KHAOSAT_SQLUTIL_H
#define KHAOSAT_SQLUTIL_H

#include <sqlite3.h>

/* Run sql (a pragma or a count) and put the first column of its first row
 * in *out: SQLITE_OK, or SQLite's code (SQLITE_DONE: no row) with *out
 * untouched. */
int sqlutil_long(sqlite3 *db, const char *sql, long *out);

#endif
