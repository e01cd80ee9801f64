/* store_affected.c: how many interviews in progress on a form version hold
 * an answer a new version of the form would lose (validate --against --db). */
#include "config.h"
#include "store/store_int.h"

#include <sqlite3.h>

#include "core/util.h"

/* A select_multiple answer is its codes separated by single spaces, so a
 * code is matched as a whole word of the padded value. */
static const char affected_sql[] =
    "SELECT count(DISTINCT i.uuid) FROM interviews i"
    " JOIN answers a ON a.interview = i.uuid"
    " WHERE i.form_id = ?1 AND i.form_version = ?2 AND i.status = 'draft'"
    " AND a.qid = ?3 AND a.value <> ''"
    " AND (?4 IS NULL OR instr(' ' || a.value || ' ', ' ' || ?4 || ' ') > 0)";

int store_count_affected(store *st, const char *form_id, const char *version,
                         const char *qid, const char *code, long *out)
{
    *out = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_sqlite(st), affected_sql, -1, &s, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(s);
        return store_fail(st, "counting interviews affected");
    }
    sqlite3_bind_text(s, 1, form_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, qid, -1, SQLITE_STATIC);
    if (code)
        sqlite3_bind_text(s, 4, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "counting interviews affected");
}

int store_draft_versions(store *st, const char *form_id, const char *except,
                         char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_sqlite(st), "SELECT DISTINCT form_version"
                           " FROM interviews WHERE form_id = ?1 AND status ="
                           " 'draft' AND form_version IS NOT ?2 ORDER BY 1",
                           -1, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return store_fail(st, "reading the form versions of drafts");
    }
    sqlite3_bind_text(s, 1, form_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, except, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = util_grow(*out, &cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = store_col_dup(s, 0);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0
        : store_fail(st, "reading the form versions of drafts");
}
