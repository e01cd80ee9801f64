/* store_dups.c: the supervisor's decisions on possible duplicates.  A pair
 * (two interviews of one form with the same case key) is open until
 * decided: the same household (one kept, the other superseded: still in
 * the data, with its history, but left out of reports and CSV) or two
 * different households.  A decision holds while both keep that key; when
 * either key changes, the pair is forgotten and judged again. */
#include "config.h"
#include "store/store_int.h"

#include <string.h>

#include "core/util.h"

/* Run s with the n strings v bound; SQLite's code (s finalised). */
static int run(sqlite3_stmt *s, const char *const *v, int n)
{
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc;
}

int store_duplicate_decide(store *st, const char *a, const char *b,
                           const char *decision, const char *keep)
{
    if (decision && strcmp(decision, "same") && strcmp(decision, "different"))
        return store_failx(st, "duplicates %s and %s: decision \"%s\" is "
                           "neither same nor different", a, b, decision);
    if (decision && !strcmp(decision, "same")
        && (!keep || (strcmp(keep, a) && strcmp(keep, b))))
        return store_failx(st, "duplicates %s and %s: the one to keep must "
                           "be one of the two", a, b);
    if (!decision || strcmp(decision, "same"))
        keep = NULL;
    int first = strcmp(a, b) < 0;
    char now[32];
    store_now(now, 0);
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "UPDATE duplicates SET decision = ?3,"
        " keep = ?4, decided = ?5 WHERE a = ?1"
        " AND b = ?2");
    if (!s)
        return -1;
    const char *v[5] = {first ? a : b, first ? b : a, decision, keep,
                        decision ? now : NULL};
    if (run(s, v, 5) != SQLITE_DONE)
        return store_fail(st, "recording the decision on %s and %s", a, b);
    if (sqlite3_changes(store_sqlite(st)) == 0)
        return store_failx(st, "%s and %s are not a pair of possible "
                           "duplicates (see khaosat duplicates)", a, b);
    return 0;
}

int store_duplicates_rekey(store *st, const char *uuid, const char *key)
{
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "DELETE FROM duplicates WHERE (a = ?1"
        " OR b = ?1) AND key IS NOT ?2");
    if (!s)
        return -1;
    const char *v[2] = {uuid, key};
    if (run(s, v, 2) != SQLITE_DONE)
        return store_fail(st, "judging the duplicates of %s again", uuid);
    return 0;
}

int store_duplicates_open(store *st, long *n)
{
    *n = 0;
    sqlite3_stmt *s = store_prepare(st, "a duplicates query",
        "SELECT count(*) FROM duplicates"
        " WHERE decision IS NULL");
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "counting duplicates");
}
