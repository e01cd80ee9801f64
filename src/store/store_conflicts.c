/* store_conflicts.c: listing the conflicts and possible duplicates that
 * merging found, and recording how a conflict was resolved. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Column i as text. */
static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

int store_conflicts_each(store *st, int all, store_conflict_fn fn,
                         void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a query",
        "SELECT c.interview, c.qid, c.path,"
        " c.base, c.mine, c.theirs, a.enumerator, a.device, a.created,"
        " b.enumerator, b.device, b.created, c.resolved_rev"
        " FROM conflicts c LEFT JOIN revisions a ON a.id = c.mine_rev"
        " LEFT JOIN revisions b ON b.id = c.theirs_rev"
        " WHERE ?1 OR c.resolved_rev IS NULL"
        " ORDER BY c.interview, c.qid, c.path, c.found");
    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, all);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_conflict c = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                            col(s, 4), col(s, 5), col(s, 6), col(s, 7),
                            col(s, 8), col(s, 9), col(s, 10), col(s, 11),
                            col(s, 12)};
        ret = fn(ctx, &c);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing conflicts");
    sqlite3_finalize(s);
    return ret;
}

int store_duplicates_each(store *st, store_duplicate_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a query",
        "SELECT d.a, d.b, d.form_id, d.key,"
        " ia.enumerator, ia.device_id, ib.enumerator, ib.device_id, "
        STORE_ORIGIN_RAW_SQL("d.a") ", " STORE_ORIGIN_RAW_SQL("d.b") ","
        " d.decision, d.keep"
        " FROM duplicates d JOIN interviews ia ON ia.uuid = d.a"
        " JOIN interviews ib ON ib.uuid = d.b ORDER BY d.form_id, d.key,"
        " d.a, d.b");
    if (!s)
        return -1;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_duplicate d = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                             col(s, 4), col(s, 5), col(s, 6), col(s, 7),
                             col(s, 8), col(s, 9), col(s, 10), col(s, 11)};
        ret = fn(ctx, &d);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing duplicates");
    sqlite3_finalize(s);
    return ret;
}

int store_conflict_values(store *st, const char *uuid, const char *qid,
                          const char *path, char **mine, char **theirs)
{
    *mine = *theirs = NULL;
    sqlite3_stmt *s = store_prepare(st, "a query",
        "SELECT mine, theirs FROM conflicts"
        " WHERE interview = ?1 AND qid = ?2 AND path = ?3"
        " AND resolved_rev IS NULL ORDER BY found DESC LIMIT 1");
    if (!s)
        return -1;
    const char *v[3] = {uuid, qid, path};
    store_bind_all(s, v, 3);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *mine = xstrdup(col(s, 0));
        *theirs = xstrdup(col(s, 1));
    } else if (rc != SQLITE_DONE) {
        store_fail(st, "reading the conflicts of interview %s", uuid);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int store_conflict_resolve(store *st, const char *uuid, const char *qid,
                        const char *path, const char *rev)
{
    sqlite3_stmt *s = store_prepare(st, "a query",
        "UPDATE conflicts SET resolved_rev = ?4"
        " WHERE interview = ?1 AND qid = ?2 AND path = ?3"
        " AND resolved_rev IS NULL");
    if (!s)
        return -1;
    const char *v[4] = {uuid, qid, path, rev};
    store_bind_all(s, v, 4);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "resolving a conflict of interview %s", uuid);
    return 0;
}
