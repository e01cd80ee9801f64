/* sqlutil.c: small helpers for modules that talk to SQLite directly. */
#include "config.h"
#include "store/sqlutil.h"

#include <stddef.h>

int sqlutil_long(sqlite3 *db, const char *sql, long *out)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = (long)sqlite3_column_int64(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}
