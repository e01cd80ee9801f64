/* store_review.c: the supervisor's review of each interview (approved or
 * returned to the enumerator with a comment).  Reviews live beside the
 * interview, not in its answers: reviewing is not a change to the data, so
 * it makes no revision and never reaches a bundle. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Prepare a one-off statement (reviews are set by hand, rarely). */
static sqlite3_stmt *prepare(store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK) {
        store_fail(st, "preparing \"%s\"", sql);
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

/* Whether the interview exists: 1, 0, or -1 on failure. */
static int interview_exists(store *st, const char *uuid)
{
    sqlite3_stmt *s = prepare(st, "SELECT 1 FROM interviews WHERE uuid = ?1");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        store_fail(st, "looking up interview %s", uuid);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_review_set(store *st, const char *uuid, const char *status,
                     const char *comment, const char *reviewer)
{
    if (status && strcmp(status, "approved") != 0
        && strcmp(status, "returned") != 0)
        return store_failx(st, "review of %s: status \"%s\" is neither "
                           "approved nor returned", uuid, status);
    int found = interview_exists(st, uuid);
    if (found < 0)
        return -1;
    if (!found)
        return store_failx(st, "review: no interview %s", uuid);
    sqlite3_stmt *s = prepare(st, status
        ? "INSERT INTO reviews (interview, status, comment, reviewer, time)"
          " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (interview) DO UPDATE"
          " SET status = excluded.status, comment = excluded.comment,"
          " reviewer = excluded.reviewer, time = excluded.time"
        : "DELETE FROM reviews WHERE interview = ?1");
    if (!s)
        return -1;
    char now[32];
    store_now(now, 0);
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    if (status) {
        sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, comment, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, reviewer, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
    }
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        store_fail(st, "saving the review of %s", uuid);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_review_get(store *st, const char *uuid, char **status,
                     char **comment)
{
    *status = NULL;
    *comment = NULL;
    sqlite3_stmt *s = prepare(st, "SELECT status, comment FROM reviews"
                              " WHERE interview = ?1");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *status = xstrdup((const char *)sqlite3_column_text(s, 0));
        *comment = xstrdup((const char *)sqlite3_column_text(s, 1));
        rc = SQLITE_DONE;
    }
    if (rc != SQLITE_DONE)
        store_fail(st, "reading the review of %s", uuid);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}
