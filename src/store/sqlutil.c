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

const char *sqlutil_reason(sqlite3 *db)
{
    int rc = db ? sqlite3_errcode(db) : SQLITE_NOMEM;
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
        return NULL;
    return db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
}

int sqlutil_damaged(sqlite3 *db)
{
    int rc = db ? sqlite3_errcode(db) : SQLITE_OK;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}
