/* store.c: the store object, its statement cache and error messages,
 * transactions, the guard on the interview open here, and settings.
 * Forms are in store_forms.c, interviews in store_interview.c; answers,
 * repeats and the audit trail in store_answer.c; opening and migrating in
 * store_schema.c. */
#include "config.h"
#include "store/store_int.h"
#include "store/sqlutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/canon.h"
#include "core/clock.h"
#include "core/util.h"

#define IV_COLS "uuid, form_id, form_version, status, enumerator, device_id," \
    " created, updated, position, exported_at, name"

static const char *const stmt_sql[SS_COUNT_OF_STMTS] = {
    [SS_BEGIN] = "BEGIN IMMEDIATE",
    [SS_COMMIT] = "COMMIT",
    [SS_ROLLBACK] = "ROLLBACK",
    [SS_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [SS_SETTING_SET] = "INSERT INTO settings (key, value) VALUES (?1, ?2)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [SS_SETTING_DEL] = "DELETE FROM settings WHERE key = ?1",
    [SS_SETTING_ADD] = "INSERT OR IGNORE INTO settings (key, value)"
        " VALUES (?1, ?2)",
    [SS_FORM_FIND] = "SELECT id, sha256 FROM forms"
        " WHERE form_id = ?1 AND version = ?2",
    [SS_FORM_GET] = "SELECT id, source, sha256 FROM forms"
        " WHERE form_id = ?1 AND version = ?2",
    [SS_FORM_ADD] = "INSERT INTO forms (form_id, version, source, sha256)"
        " VALUES (?1, ?2, ?3, ?4)",
    [SS_IV_ADD] = "INSERT INTO interviews (uuid, form_id, form_version,"
        " status, created, updated, enumerator, device_id)"
        " VALUES (?1, ?2, ?3, 'draft', ?4, ?4, ?5, ?6)",
    [SS_IV_GET] = "SELECT " IV_COLS " FROM interviews WHERE uuid = ?1",
    [SS_IV_LIST] = "SELECT " IV_COLS " FROM interviews"
        " WHERE ?1 IS NULL OR form_id = ?1 ORDER BY updated DESC, uuid",
    [SS_IV_STATUS] = "SELECT status FROM interviews WHERE uuid = ?1",
    [SS_IV_TOUCH] = "UPDATE interviews SET updated = ?2, exported_at = NULL"
        " WHERE uuid = ?1",
    [SS_IV_TOUCH_DRAFT] = "UPDATE interviews SET updated = ?2,"
        " exported_at = NULL WHERE uuid = ?1 AND status = 'draft'",
    /* Comparisons, not IN (...): a list of constants makes SQLite build
     * a temporary index at every run, which was about half of the
     * instructions of an answer (two runs each). */
    [SS_IV_MARK] = "SELECT seq FROM audit WHERE interview = ?1 AND (event ="
        " 'change' OR event = 'count' OR event = 'remove-instance' OR event ="
        " 'renumber' OR event = 'status' OR event = 'merge' OR event = 'note')"
        " ORDER BY seq DESC LIMIT 1",
    [SS_IV_SET_STATUS] = "UPDATE interviews SET status = ?2, updated = ?3,"
        " exported_at = NULL WHERE uuid = ?1",
    [SS_IV_SET_POS] = "UPDATE interviews SET position = ?2 WHERE uuid = ?1",
    [SS_IV_SET_NAME] = "UPDATE interviews SET name = ?2 WHERE uuid = ?1"
        " AND name IS NOT ?2",
    [SS_IV_EXPORTED] = "UPDATE interviews SET exported_at = ?2"
        " WHERE uuid = ?1",
    [SS_IV_DELETE] = "DELETE FROM interviews"
        " WHERE uuid = ?1 AND status = 'draft'",
    [SS_COUNT] = "SELECT form_id, sum(status = 'draft'),"
        " sum(status = 'complete' AND NOT sup),"
        " sum(status = 'complete' AND exported_at IS NULL),"
        " sum(status = 'complete' AND sup) FROM (SELECT form_id, status,"
        " exported_at, " STORE_SUPERSEDED_SQL("i.uuid") " AS sup"
        " FROM interviews i WHERE ?1 IS NULL OR form_id = ?1)"
        " GROUP BY form_id ORDER BY form_id",
    [SS_ANS_GET] = "SELECT value FROM answers"
        " WHERE interview = ?1 AND qid = ?2 AND path = ?3",
    [SS_ANS_PUT] = "INSERT INTO answers (interview, qid, path, value)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (interview, qid, path)"
        " DO UPDATE SET value = excluded.value",
    [SS_ANS_DEL] = "DELETE FROM answers"
        " WHERE interview = ?1 AND qid = ?2 AND path = ?3",
    [SS_ANS_SAME] = "SELECT a.interview FROM answers a"
        " JOIN interviews i ON i.uuid = a.interview"
        " WHERE i.form_id = ?1 AND a.interview <> ?2 AND a.qid = ?3"
        " AND a.path = '' AND a.value = ?4 AND NOT EXISTS (SELECT 1 FROM"
        " settled t WHERE (t.interview = ?2 AND t.other = a.interview)"
        " OR (t.interview = a.interview AND t.other = ?2))"
        " ORDER BY i.created, i.uuid",
    [SS_ANS_LOAD] = "SELECT qid, path, value FROM answers"
        " WHERE interview = ?1 ORDER BY path, qid",
    /* In the order of the table's key: no sort. */
    [SS_ANS_LOAD_ANY] = "SELECT qid, path, value FROM answers"
        " WHERE interview = ?1",
    /* A range of the table's key: the paths from "m[3]" up to "m[3]0"
     * ('0' follows '/') hold m[3] and what is inside it, and no other. */
    [SS_ANS_UNDER] = "SELECT qid, path, value FROM answers"
        " WHERE interview = ?1 AND qid = ?2 AND path >= ?3"
        " AND path < ?3 || '0' AND (path = ?3"
        " OR substr(path, 1, length(?3) + 1) = ?3 || '/')",
    [SS_AUDIT_ADD] = "INSERT INTO audit (interview, time, event, qid, path,"
        " old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SS_AUDIT_LOAD] = "SELECT seq, time, event, qid, path, old_value,"
        " new_value FROM audit WHERE interview = ?1 ORDER BY seq",
    [SS_AUDIT_LAST] = "SELECT new_value FROM audit WHERE interview = ?1"
        " AND event = ?2 AND qid = ?3 AND path = ?4 ORDER BY seq DESC"
        " LIMIT 1",
    [SS_RC_GET] = "SELECT count FROM repeat_counts"
        " WHERE interview = ?1 AND path = ?2",
    [SS_RC_PUT] = "INSERT INTO repeat_counts (interview, path, count)"
        " VALUES (?1, ?2, ?3) ON CONFLICT (interview, path)"
        " DO UPDATE SET count = excluded.count",
    [SS_RC_LOAD] = "SELECT path, count FROM repeat_counts"
        " WHERE interview = ?1 ORDER BY path",
    /* substr/length rather than LIKE: ids may contain '_' and '%'. */
    [SS_INST_AUDIT] = "INSERT INTO audit (interview, time, event, qid, path,"
        " old_value, new_value) SELECT interview, ?2, 'change', qid, path,"
        " value, NULL FROM answers WHERE interview = ?1"
        " AND (path = ?3 OR substr(path, 1, length(?4)) = ?4)",
    /* The notes inside a removed instance go with it, audited. */
    [SS_INST_AUDIT_NOTES] = "INSERT INTO audit (interview, time, event, qid,"
        " path, old_value, new_value) SELECT interview, ?2, 'note', qid,"
        " path, note, NULL FROM notes WHERE interview = ?1"
        " AND (path = ?3 OR substr(path, 1, length(?4)) = ?4)",
    [SS_INST_NOTES] = "SELECT count(*) FROM notes WHERE interview = ?1"
        " AND (path = ?2 OR substr(path, 1, length(?3)) = ?3)",
    [SS_INST_DEL_ANS] = "DELETE FROM answers WHERE interview = ?1"
        " AND (path = ?2 OR substr(path, 1, length(?3)) = ?3)",
    [SS_INST_DEL_RC] = "DELETE FROM repeat_counts WHERE interview = ?1"
        " AND substr(path, 1, length(?2)) = ?2",
    [SS_INST_LATER_ANS] = "SELECT qid, path FROM answers WHERE interview = ?1"
        " AND substr(path, 1, length(?2)) = ?2",
    [SS_INST_MOVE_ANS] = "UPDATE answers SET path = ?4"
        " WHERE interview = ?1 AND qid = ?2 AND path = ?3",
    [SS_INST_LATER_RC] = "SELECT path FROM repeat_counts"
        " WHERE interview = ?1 AND substr(path, 1, length(?2)) = ?2",
    [SS_INST_MOVE_RC] = "UPDATE repeat_counts SET path = ?3"
        " WHERE interview = ?1 AND path = ?2",
    [SS_REV_IV] = "SELECT form_id, form_version, status, head, enumerator"
        " FROM interviews WHERE uuid = ?1",
    /* Canonical item order: BINARY collation is bytewise, prefix first. */
    [SS_REV_ITEMS] = "SELECT qid, path, value FROM answers"
        " WHERE interview = ?1 UNION ALL SELECT '', path,"
        " CAST(count AS TEXT) FROM repeat_counts WHERE interview = ?1"
        " UNION ALL SELECT '#' || qid, path, note FROM notes"
        " WHERE interview = ?1 ORDER BY 1, 2",
    [SS_REV_CONTENT] = "SELECT content FROM revisions WHERE id = ?1",
    [SS_REV_ADD] = "INSERT OR IGNORE INTO revisions (id, interview, parent,"
        " parent2, status, device, enumerator, created, content, bundle)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)",
    [SS_REV_ADD_ITEMS] = "INSERT OR IGNORE INTO revision_items (revision,"
        " qid, path, value) SELECT ?2, qid, path, value FROM answers"
        " WHERE interview = ?1 UNION ALL SELECT ?2, '', path,"
        " CAST(count AS TEXT) FROM repeat_counts WHERE interview = ?1"
        " UNION ALL SELECT ?2, '#' || qid, path, note FROM notes"
        " WHERE interview = ?1",
    [SS_REV_SET_HEAD] = "UPDATE interviews SET head = ?2 WHERE uuid = ?1",
    /* Before each snapshot (revision.c): kept prepared, it costs a read of
     * the interview's revision items and nothing more when none is. */
    [SS_REV_OVERLONG] = "SELECT 1 FROM revisions r JOIN revision_items t"
        " ON t.revision = r.id WHERE r.interview = ?1"
        " AND length(CAST(t.value AS BLOB)) > " STORE_MAX_ANSWER_SQL
        " LIMIT 1",
};

/* Build "PATH: message[: reason]" into the store.  The message is
 * translated here: xgettext takes store_fail's and store_failx's format
 * (po/Makevars). */
static void set_err(store *st, const char *reason, const char *fmt,
                    va_list ap) KS_PRINTF(3, 0);
static void set_err(store *st, const char *reason, const char *fmt,
                    va_list ap)
{
    char *msg = xvasprintf(_(fmt), ap);
    free(st->err);
    if (reason)
        st->err = xasprintf("%s: %s: %s", st->path, msg, reason);
    else
        st->err = xasprintf("%s: %s", st->path, msg);
    free(msg);
    if (reason && sqlutil_damaged(st->db)) {
        msg = xasprintf(_("%s; the database is damaged: restore it from a "
                          "backup (khaosat restore)"), st->err);
        free(st->err);
        st->err = msg;
    }
}

int store_vfail(store *st, const char *fmt, va_list ap)
{
    set_err(st, st->sqlerr ? st->sqlerr : sqlutil_reason(st->db), fmt, ap);
    free(st->sqlerr);
    st->sqlerr = NULL;
    return -1;
}

int store_fail(store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store_vfail(st, fmt, ap);
    va_end(ap);
    return -1;
}

int store_failx(store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_err(st, NULL, fmt, ap);
    va_end(ap);
    free(st->sqlerr);
    st->sqlerr = NULL;
    return -1;
}

sqlite3_stmt *store_stmt(store *st, enum store_stmt id)
{
    if (st->stmt[id])
        return st->stmt[id];
    if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &st->stmt[id], NULL) != SQLITE_OK) {
        store_fail(st, "preparing \"%s\"", stmt_sql[id]);
        return NULL;
    }
    return st->stmt[id];
}

int store_step(store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return rc;
    if (rc != SQLITE_DONE) {
        free(st->sqlerr);
        st->sqlerr = xstrdup(sqlite3_errmsg(st->db));
    }
    sqlite3_reset(s);
    return rc;
}

sqlite3_stmt *store_stmt_key(store *st, enum store_stmt id, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, id);
    if (s)
        store_bind(s, 1, key);
    return s;
}

int store_row_by_key(store *st, enum store_stmt id, const char *key,
                     const char *what, sqlite3_stmt **out)
{
    sqlite3_stmt *s = store_stmt_key(st, id, key);
    if (!s)
        return -1;
    int rc = store_step(st, s);
    if (rc == SQLITE_DONE)
        return 1;
    if (rc != SQLITE_ROW)
        return store_fail(st, "reading %s %s", what, key);
    *out = s;
    return 0;
}

/* Run one of the transaction-control statements. */
static int run_control(store *st, enum store_stmt id)
{
    sqlite3_stmt *s = store_stmt(st, id);
    if (!s)
        return -1;
    return store_step(st, s) == SQLITE_DONE ? 0 : -1;
}

int store_begin(store *st)
{
    if (st->read_only) {
        /* Said before SQLite is asked, in the words of the screens. */
        free(st->err);
        st->err = xstrdup(store_read_only(st));
        return -1;
    }
    if (run_control(st, SS_BEGIN) != 0)
        return store_fail(st, "starting a transaction");
    return 0;
}

static long long guard_read(store *st, const char *uuid);

/* SQLite's data version of the main database: it moves with every commit
 * or rollback of any connection once this one begins a transaction. */
static unsigned data_version(store *st)
{
    unsigned v = 0;
    if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &v)
        != SQLITE_OK)
        return 0;
    return v;
}

/* Remember the database as it is now, when guard_mark was just read from
 * it (see guard_seen). */
static void guard_note_seen(store *st)
{
    st->guard_dv = data_version(st);
    st->guard_tc = sqlite3_total_changes64(st->db);
    st->guard_seen = st->guard_dv != 0;
}

int store_commit(store *st)
{
    /* What this connection wrote is seen: the guard moves past it. */
    int passed = st->guard_passed;
    st->guard_passed = 0;
    st->guard_seen = 0;
    long long mark = passed ? guard_read(st, st->guard_uuid) : 0;
    if (mark < 0) {
        store_rollback(st);
        return -1;
    }
    if (passed)
        st->guard_mark = mark;
    if (run_control(st, SS_COMMIT) != 0) {
        store_fail(st, "committing");
        store_rollback(st);
        return -1;
    }
    if (passed)
        guard_note_seen(st);
    st->guard_changes += passed;
    return 0;
}

void store_rollback(store *st)
{
    st->guard_passed = 0;
    if (sqlite3_get_autocommit(st->db))
        return;
    char *keep = st->sqlerr;
    st->sqlerr = NULL;
    run_control(st, SS_ROLLBACK);
    free(st->sqlerr);
    st->sqlerr = keep;
}

void store_now(char buf[32], int ms)
{
    struct timespec ts;
    clock_now(&ts);
    if (ms) {
        clock_stamp_format(&ts, buf);
        return;
    }
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Non-zero when a is later than b (to the millisecond). */
static int stamp_later(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec
                                  : a->tv_nsec / 1000000 > b->tv_nsec / 1000000;
}

int store_now_after(store *st, const char *sql, const char *const *v, int n,
                    const char *what, char out[32])
{
    sqlite3_stmt *s = store_prepare(st, what, sql);
    if (!s)
        return -1;
    store_bind_all(s, v, n);
    struct timespec now, t, latest = {0, 0};
    clock_now(&now);
    now.tv_nsec = now.tv_nsec / 1000000 * 1000000;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *prev = (const char *)sqlite3_column_text(s, 0);
        if (prev && clock_stamp_parse(prev, &t) == 0 && stamp_later(&t, &latest))
            latest = t;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "%s", what);
    if (!stamp_later(&now, &latest)) {
        now = latest;
        now.tv_nsec += 1000000;
        if (now.tv_nsec >= 1000000000L) {
            now.tv_sec++;
            now.tv_nsec -= 1000000000L;
        }
    }
    clock_stamp_format(&now, out);
    return 0;
}

void store_now_both(char sec[32], char ms[32])
{
    store_now(ms, 1);
    memcpy(sec, ms, 19);
    sec[19] = 'Z';
    sec[20] = '\0';
}

sqlite3_stmt *store_prepare(store *st, const char *what, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) == SQLITE_OK)
        return s;
    if (what)
        store_fail(st, "preparing %s", what);
    else
        store_fail(st, "preparing \"%.40s...\"", sql);
    sqlite3_finalize(s);
    return NULL;
}

int store_text_by_key(store *st, const char *sql, const char *key,
                      const char *what, char **out)
{
    *out = NULL;
    sqlite3_stmt *s = store_prepare(st, NULL, sql);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = store_col_dup(s, 0);
    else if (rc != SQLITE_DONE)
        store_fail(st, "%s %s", what, key);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int store_run_by_key(store *st, const char *sql, const char *key,
                     const char *what)
{
    sqlite3_stmt *s = store_prepare(st, NULL, sql);
    if (!s)
        return -1;
    if (key)
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return 0;
    return key ? store_fail(st, "%s %s", what, key) : store_fail(st, "%s", what);
}

int store_count_sql(store *st, const char *sql, const char *what, long *n)
{
    *n = 0;
    sqlite3_stmt *s = store_prepare(st, NULL, sql);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "%s", what);
}

void store_bind_all(sqlite3_stmt *s, const char *const *v, int n)
{
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
}

void store_bind(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

int store_audit_add(store *st, const char *uuid, const char *time,
                    const char *event, const char *qid, const char *path,
                    const char *old_value, const char *new_value)
{
    sqlite3_stmt *s = store_stmt(st, SS_AUDIT_ADD);
    if (!s)
        return SQLITE_ERROR;
    store_bind(s, 1, uuid);
    store_bind(s, 2, time);
    store_bind(s, 3, event);
    store_bind(s, 4, qid);
    store_bind(s, 5, path);
    store_bind(s, 6, old_value);
    store_bind(s, 7, new_value);
    return store_step(st, s);
}

/* The last content change of interview uuid (its audit sequence, 0 when
 * none); -1 on failure. */
static long long guard_read(store *st, const char *uuid)
{
    sqlite3_stmt *s = store_stmt_key(st, SS_IV_MARK, uuid);
    if (!s)
        return -1;
    int rc = store_step(st, s);
    long long mark = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "reading interview %s", uuid);
    return mark;
}

int store_guard(store *st, const char *uuid)
{
    st->guard_uuid[0] = '\0';
    if (!uuid)
        return 0;
    st->guard_seen = 0;
    long long mark = guard_read(st, uuid);
    if (mark < 0)
        return -1;
    snprintf(st->guard_uuid, sizeof st->guard_uuid, "%s", uuid);
    st->guard_mark = mark;
    st->guard_changes = 0;
    guard_note_seen(st);
    return 0;
}

long store_guard_changes(const store *st, const char *uuid)
{
    return strcmp(st->guard_uuid, uuid) ? -1 : st->guard_changes;
}

int store_guard_moved(store *st)
{
    if (!st->guard_uuid[0])
        return 0;
    long long mark = guard_read(st, st->guard_uuid);
    return mark >= 0 && mark != st->guard_mark;
}

void store_unguard(store *st, const char *uuid)
{
    if (!strcmp(st->guard_uuid, uuid))
        st->guard_uuid[0] = '\0';
}

int store_guard_check(store *st, const char *uuid)
{
    if (!st->guard_uuid[0] || strcmp(st->guard_uuid, uuid) != 0)
        return 0;
    /* Passed already in this transaction, which holds the write lock:
     * what moved the mark since is this connection's own write. */
    if (st->guard_passed)
        return 0;
    /* Nothing written by anyone since the mark was read (the common case:
     * the answer before was this connection's): the mark is where it was,
     * without reading it again. */
    if (st->guard_seen && !sqlite3_get_autocommit(st->db)
        && data_version(st) == st->guard_dv
        && sqlite3_total_changes64(st->db) == st->guard_tc) {
        st->guard_passed = 1;
        return 0;
    }
    long long mark = guard_read(st, uuid);
    if (mark < 0)
        return -1;
    st->guard_passed = mark == st->guard_mark;
    if (mark != st->guard_mark)
        return store_failx(st, "interview %s was changed by another program "
                           "while it was open here; nothing was saved: "
                           "leave it and open it again", uuid);
    return 0;
}

/* Run touch statement id on uuid: the rows it changed, or -1. */
static int touch_run(store *st, enum store_stmt id, const char *uuid,
                     const char *time)
{
    sqlite3_stmt *s = store_stmt(st, id);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, time);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "updating interview %s", uuid);
    return sqlite3_changes(st->db) > 0;
}

int store_touch_status(store *st, const char *uuid, const char *time,
                       int *complete)
{
    *complete = 0;
    if (store_guard_check(st, uuid) != 0)
        return -1;
    int rc = touch_run(st, SS_IV_TOUCH_DRAFT, uuid, time);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    /* Not a draft: complete (the only other status), or no interview. */
    rc = touch_run(st, SS_IV_TOUCH, uuid, time);
    *complete = rc > 0;
    return rc < 0 ? -1 : rc ? 0 : 1;
}

int store_touch(store *st, const char *uuid, const char *time)
{
    if (store_guard_check(st, uuid) != 0)
        return -1;
    int rc = touch_run(st, SS_IV_TOUCH, uuid, time);
    return rc < 0 ? -1 : rc ? 0 : 1;
}

int store_open(const char *path, store **out, char **errmsg)
{
    return store_open_mode(path, 1, out, errmsg);
}

int store_open_mode(const char *path, int create, store **out, char **errmsg)
{
    sqlite3 *db;
    char *err = NULL;
    *out = NULL;
    if (store_schema_open(path, create, &db, &err) != 0) {
        if (errmsg)
            *errmsg = err;
        else
            free(err);
        return -1;
    }
    store *st = xcalloc(1, sizeof *st);
    st->db = db;
    st->path = xstrdup(path);
    *out = st;
    return 0;
}

void store_close(store *st)
{
    if (!st)
        return;
    for (int i = 0; i < SS_COUNT_OF_STMTS; i++)
        sqlite3_finalize(st->stmt[i]);
    store_figures_close(st);
    sqlite3_close(st->db);
    free(st->path);
    free(st->err);
    free(st->sqlerr);
    free(st->device_id);
    for (size_t i = 0; i < st->ro_n; i++)
        free(st->ro_msgs[i]);
    free(st->ro_msgs);
    free(st);
}

const char *store_errmsg(const store *st)
{
    return st->err ? st->err : "no error";
}

sqlite3 *store_sqlite(store *st)
{
    return st->db;
}

const char *store_path(const store *st)
{
    return st->path;
}

int store_setting_get(store *st, const char *key, char **out)
{
    *out = NULL;
    sqlite3_stmt *s;
    int rc = store_row_by_key(st, SS_SETTING_GET, key, "setting", &s);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    *out = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return 0;
}

int store_setting_set(store *st, const char *key, const char *value)
{
    sqlite3_stmt *s = store_stmt(st, value ? SS_SETTING_SET : SS_SETTING_DEL);
    if (!s)
        return -1;
    store_bind(s, 1, key);
    /* Names (enumerator, commune, card) in NFC, trimmed: the same name
     * typed with two input methods is one name. */
    char *canon = value ? canon_text(value) : NULL;
    if (canon)
        store_bind(s, 2, canon);
    int rc = store_step(st, s);
    free(canon);
    if (rc != SQLITE_DONE)
        return store_fail(st, "saving setting %s", key);
    if (strcmp(key, STORE_SET_DEVICE_ID) == 0) {
        free(st->device_id);
        st->device_id = NULL;
    }
    return 0;
}

void store_uuid_v4(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    clock_id_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}

int store_device_id(store *st, char **out)
{
    *out = NULL;
    /* Read first: a database opened read-only already has its id. */
    if (!st->device_id
        && store_setting_get(st, STORE_SET_DEVICE_ID, &st->device_id) != 0)
        return -1;
    if (!st->device_id) {
        char fresh[37];
        store_uuid_v4(fresh);
        /* INSERT OR IGNORE: a second khaosat racing us keeps its own id. */
        sqlite3_stmt *s = store_stmt(st, SS_SETTING_ADD);
        if (!s)
            return -1;
        store_bind(s, 1, STORE_SET_DEVICE_ID);
        store_bind(s, 2, fresh);
        if (store_step(st, s) != SQLITE_DONE)
            return store_fail(st, "saving the device id");
        if (store_setting_get(st, STORE_SET_DEVICE_ID, &st->device_id) != 0)
            return -1;
        if (!st->device_id)
            return store_failx(st, "the device id vanished after saving");
    }
    *out = xstrdup(st->device_id);
    return 0;
}
