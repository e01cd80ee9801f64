/* store_int.h: what the store's source files share and nobody else needs. */
#ifndef KHAOSAT_STORE_INT_H
#define KHAOSAT_STORE_INT_H

#include <sqlite3.h>

#include "store/revision.h"
#include "store/figures.h"
#include "store/store.h"
#include "core/util.h"

/* PRAGMA application_id of a khaosat database: "KHAO". */
#define STORE_APP_ID 0x4B48414F

/* FORM_MAX_ANSWER (core/form.h) as SQL text: a static assertion in
 * revision.c keeps the two the same. */
#define STORE_MAX_ANSWER_SQL "65536"

/* Every SQL statement the store runs more than once; prepared on first use
 * and kept for the life of the store. */
enum store_stmt {
    SS_BEGIN, SS_COMMIT, SS_ROLLBACK,
    SS_SETTING_GET, SS_SETTING_SET, SS_SETTING_DEL, SS_SETTING_ADD,
    SS_FORM_FIND, SS_FORM_GET, SS_FORM_ADD,
    SS_IV_ADD, SS_IV_GET, SS_IV_LIST, SS_IV_STATUS, SS_IV_TOUCH,
    SS_IV_TOUCH_DRAFT, SS_ANS_LOAD_ANY, SS_ANS_UNDER,
    SS_IV_MARK,
    SS_IV_SET_STATUS, SS_IV_SET_POS, SS_IV_SET_NAME, SS_IV_EXPORTED, SS_IV_DELETE, SS_COUNT,
    SS_ANS_GET, SS_ANS_PUT, SS_ANS_DEL, SS_ANS_LOAD, SS_ANS_SAME,
    SS_AUDIT_ADD, SS_AUDIT_LOAD, SS_AUDIT_LAST,
    SS_RC_GET, SS_RC_PUT, SS_RC_LOAD,
    SS_INST_AUDIT, SS_INST_AUDIT_NOTES, SS_INST_NOTES, SS_INST_DEL_ANS, SS_INST_DEL_RC,
    SS_INST_LATER_ANS, SS_INST_MOVE_ANS, SS_INST_LATER_RC, SS_INST_MOVE_RC,
    SS_REV_IV, SS_REV_ITEMS, SS_REV_CONTENT, SS_REV_ADD, SS_REV_ADD_ITEMS,
    SS_REV_SET_HEAD, SS_REV_OVERLONG,
    SS_COUNT_OF_STMTS
};

/* The statements of store_figures.c. */
enum store_fig_stmt {
    SF_CLEAR, SF_CLEAR_FIGURES, SF_CLEAR_TALLIES, SF_ANY, SF_UNIT, SF_FIGURE, SF_TALLY, SF_STALE,
    SF_COUNT
};

struct store {
    sqlite3 *db;
    char *path;
    char *err;
    char *device_id;      /* cached once known */
    char *sqlerr;         /* SQLite's message for the last failed step */
    sqlite3_stmt *stmt[SS_COUNT_OF_STMTS];
    /* store_guard: the interview open here and the last change to it
     * that this connection has seen (guard_uuid empty: none). */
    char guard_uuid[37];
    long long guard_mark;
    int guard_passed;     /* this transaction changed it after checking */
    long guard_changes;   /* transactions that changed it since the guard */
    /* The database as this connection saw it when guard_mark was read:
     * SQLite's data version (moved by every commit or rollback, of any
     * connection) and this connection's total changes (moved by every
     * row it writes).  Both the same again: nothing was written since,
     * so the mark cannot have moved and need not be read again. */
    int guard_seen;
    unsigned guard_dv;
    sqlite3_int64 guard_tc;
    sqlite3_stmt *fig[SF_COUNT];  /* store_figures.c's */
    store_settle_fn settle;       /* store_set_settle_hook */
    void *settle_ctx;
    /* Why nothing may be written here (0: it may): an STORE_RO_ kind,
     * worded by store_read_only in the interface's language of the
     * moment; the wordings made so far are kept until store_close, so
     * that one handed out stays valid when the language changes. */
    int read_only;
    char **ro_msgs;
    size_t ro_n, ro_cap;
};

/* Why a store is read-only (store->read_only). */
enum { STORE_RO_FOLDER = 1, STORE_RO_DISK, STORE_RO_FILE };

/* Make the database at path and its -wal/-shm, when this user's, its
 * owner's alone: an older khaosat left them world-readable. */
void store_tighten_files(const char *path);
/* Open path and bring its schema to STORE_SCHEMA_VERSION (store_schema.c).
 * On failure returns -1 with *err newly allocated and *out NULL. */
/* 0 when every object in copy's schema (a database at schema version
 * version) is one khaosat creates at that version, word for word; else -1
 * with *why (newly allocated) naming the first other one: a trigger, view,
 * table or index planted in a copy would run or be kept once restored. */
int store_schema_check(sqlite3 *copy, long version, char **why);
/* Open the existing database at path read-only (a file this user may
 * only read): no journal mode change, no upgrade.  *out or *err. */
int store_schema_open_ro(const char *path, sqlite3 **out, char **err);
int store_schema_open(const char *path, int create, sqlite3 **out,
                      char **err);
/* store_open, creating the file only when create is non-zero. */
int store_open_mode(const char *path, int create, store **out, char **errmsg);

/* Register khaosat_commune_key(x) on db (origin.c): a commune as compared
 * (case, spacing and Unicode normalisation set aside), and the collation
 * khaosat_natural (codes in natural order: K2 before K10).  SQLite's
 * code. */
int store_origin_register(sqlite3 *db);
/* SQL: the commune interview U (an SQL expression) came from, as compared
 * by khaosat_commune_key: that of the bundle its first revision came in,
 * else this database's set-up code, else its commune setting, else "".
 * Household and official numbers are per commune, so two interviews are
 * a pair of possible duplicates only when this is the same for both. */
#define STORE_ORIGIN_RAW_SQL(U) "coalesce((SELECT b.commune FROM" \
    " revisions r JOIN bundles b ON b.uuid = r.bundle WHERE r.interview = " \
    U " ORDER BY r.created, r.id LIMIT 1), (SELECT nullif(value, '') FROM" \
    " settings WHERE key = '" STORE_SET_SETUP_CODE "'), (SELECT value FROM" \
    " settings WHERE key = 'commune'), '')"
#define STORE_ORIGIN_KEY_SQL(U) "khaosat_commune_key(" \
    STORE_ORIGIN_RAW_SQL(U) ")"

/* SQL: non-zero when interview U (an SQL expression) is the one not kept
 * of a pair of duplicates decided the same household here.  The pairs are
 * keyed on a alone, so "a = U OR b = U" would read every pair for every
 * interview; this list does not depend on U: SQLite reads the pairs once
 * a statement into a temporary index and looks each U up in it. */
#define STORE_DUP_DROPPED_SQL(U) "(" U " IN (SELECT a FROM duplicates" \
    " WHERE decision = 'same' AND keep IS NOT NULL AND keep <> a" \
    " UNION ALL SELECT b FROM duplicates WHERE decision = 'same'" \
    " AND keep IS NOT NULL AND keep <> b))"

/* SQL: non-zero when the head H (an SQL expression) of interview U was
 * made after the return of revision R reached the one who made it: made
 * here, where the return was made or received, or made by a laptop after
 * it received the return (a laptop audits a return as it arrives with the
 * head it found: "return", old value R, new value that head, so any other
 * head came after).  A head a laptop made before the return reached it is
 * no correction: the return still stands. */
#define STORE_RETURN_SEEN_SQL(U, R, H) "(EXISTS (SELECT 1 FROM audit ra" \
    " WHERE ra.interview = " U " AND ra.event = 'return'" \
    " AND ra.old_value = " R " AND ra.new_value IS NOT " H ")" \
    " OR (SELECT device FROM revisions WHERE id = " H ") IS (SELECT value" \
    " FROM settings WHERE key = 'device_id'))"

/* SQL: non-zero when interview U (an SQL expression) is superseded: the
 * office found it the same household as another interview, which it kept
 * (a pair decided here, or a decision that came down to this laptop).
 * The test of store_interview_superseded (the lists), for the counts. */
#define STORE_SUPERSEDED_SQL(U) "(EXISTS (SELECT 1 FROM settled t WHERE" \
    " t.interview = " U " AND t.decision = 'same' AND t.keep IS NOT NULL" \
    " AND t.keep <> " U ") OR " STORE_DUP_DROPPED_SQL(U) ")"

/* Count one change of a review or of a decision on duplicates here,
 * inside a transaction (store_review.c): an upstream bundle is due while
 * the count is ahead of the one last sent. */
int store_review_count_change_tx(store *st);

/* Villages collected for binding to a form (store_setup.c): codes and
 * names, owned. */
typedef struct store_setup_list {
    char **code, **name;
    size_t n;
} store_setup_list;
/* Append one village. */
void store_setup_list_add_row(store_setup_list *r, const char *code,
                              const char *name);
/* store_village_fn: append v to the list ctx. */
int store_setup_list_add(void *ctx, const store_village *v);
/* Free the list's strings. */
void store_setup_list_free(store_setup_list *r);

/* The schema 6 migration: rewrite stored answers in canonical form (see
 * core/canon.h) with an audit row each; inside the migration's
 * transaction. 0, or -1 with SQLite's message on db. */
int store_canon_migrate(sqlite3 *db);

/* The prepared statement id, preparing it on first use; NULL on failure
 * (with the store's message set). */
sqlite3_stmt *store_stmt(store *st, enum store_stmt id);
/* store_stmt with key bound to its first parameter; NULL on failure. */
sqlite3_stmt *store_stmt_key(store *st, enum store_stmt id, const char *key);
/* Step statement id, with key bound to its first parameter, to its first
 * row: 0 with *out on the row (read it, then sqlite3_reset it), 1 when
 * there is none, -1 with the message "reading WHAT KEY". */
int store_row_by_key(store *st, enum store_stmt id, const char *key,
                     const char *what, sqlite3_stmt **out);
/* Inside a change of uuid: refuse it when the interview guarded here was
 * changed through another connection since this one last saw it (store.c);
 * 0, or -1 with the store's message. */
int store_guard_check(store *st, const char *uuid);
/* Prepare a one-off statement sql (rarely run: not kept): NULL on failure
 * with the message "preparing WHAT", or with the start of the SQL when
 * what is NULL. */
sqlite3_stmt *store_prepare(store *st, const char *what, const char *sql);
/* The text in the first column of sql's first row, with key bound to ?1:
 * 0 with *out (newly allocated), 1 when there is no row (*out NULL), -1
 * with the message "WHAT KEY". */
int store_text_by_key(store *st, const char *sql, const char *key,
                      const char *what, char **out);
/* Run sql, which changes rows, with key bound to ?1 (none when NULL): 0,
 * or -1 with the message "WHAT KEY" ("WHAT" without a key). */
int store_run_by_key(store *st, const char *sql, const char *key,
                     const char *what);
/* The one number sql (no parameters) counts into *n: 0, or -1 with the
 * message "WHAT". */
int store_count_sql(store *st, const char *sql, const char *what, long *n);
/* The time to stamp on a new decision or review (to the millisecond):
 * now, or just after the latest of the earlier times that sql (the n
 * strings v bound) gives in its first column when that one is not before
 * now (a clock once set ahead, then corrected), so that the newer always
 * wins upstream.  A time that is not a stamp (clock_stamp_parse) is
 * passed over.  0, or -1 with the message "WHAT". */
int store_now_after(store *st, const char *sql, const char *const *v, int n,
                    const char *what, char out[32]);
/* Bind the n strings v (borrowed, NULL as NULL) to ?1..?n of s. */
void store_bind_all(sqlite3_stmt *s, const char *const *v, int n);
/* Step s once.  Returns SQLite's code; resets s unless a row came back, and
 * on failure keeps SQLite's message for store_fail. */
int store_step(store *st, sqlite3_stmt *s);
/* Set the store's message to "PATH: what: SQLite's reason"; returns -1. */
int store_fail(store *st, const char *fmt, ...) KS_PRINTF(2, 3);
/* store_fail with a va_list. */
int store_vfail(store *st, const char *fmt, va_list ap) KS_PRINTF(2, 0);
/* Same without a SQLite reason (the failure is khaosat's own rule). */
int store_failx(store *st, const char *fmt, ...) KS_PRINTF(2, 3);
/* Column i of the current row as a new string (NULL stays NULL). */
char *store_col_dup(sqlite3_stmt *s, int i);
/* Bind a string parameter that outlives the statement's next step. */
void store_bind(sqlite3_stmt *s, int i, const char *v);
/* Append an audit row; SQLite's code. */
int store_audit_add(store *st, const char *uuid, const char *time,
                    const char *event, const char *qid, const char *path,
                    const char *old_value, const char *new_value);
/* After a change inside a transaction: snapshot when the interview is
 * complete (a change after completion makes a revision). */
int store_rev_after_change(store *st, const char *uuid);
/* The same when the change's touch told whether the interview is complete
 * (store_touch_status): no second read of it. */
int store_rev_after_touch(store *st, const char *uuid, int complete);
/* Interview uuid was just finalised, reopened or merged, inside the
 * transaction: its stored figures are cleared and, when a settle hook is
 * installed, computed again (figures.h). */
void store_figures_changed(store *st, const char *uuid);
/* Finalise store_figures.c's statements (at store_close). */
void store_figures_close(store *st);
/* The SQLite handle, for the modules that extend the store (bundles,
 * merging). */
sqlite3 *store_sqlite(store *st);

/* Inside a transaction, after instance k of a repeat (paths starting with
 * base, ".../members[") was removed: delete the notes inside it and
 * renumber those of the later instances down by one (store_notes.c). */
int store_notes_shift_tx(store *st, const char *uuid, const char *base,
                         long k);

/* Mark the interview changed now (clearing exported_at); 0, 1 when there
 * is no such interview, or -1. */
int store_touch(store *st, const char *uuid, const char *time);
/* store_touch that also tells whether the interview is complete (*complete
 * 1) or a draft (0): a draft, the common case, in one statement. */
int store_touch_status(store *st, const char *uuid, const char *time,
                       int *complete);

/* Why the folder of the database at path stops SQLite from keeping its
 * -wal and -shm beside it (read-only), newly allocated; NULL when it does
 * not. */
char *store_why_dir_readonly(const char *path);
/* Why the database at path (which this user may read) cannot be written:
 * the file or its folder read-only; newly allocated, or NULL. */
char *store_why_read_only(const char *path);
/* Open the database at path for reading without writing anything beside
 * it when this user may not write it or its folder: read as immutable
 * when no -wal holds something, through the -wal and -shm when both are
 * there, refused in words when only the -wal is or it cannot be read.  A
 * database this user may write is opened read-only as SQLite does (beside
 * a writer).  *out (caller closes), or -1 with *err (caller frees). */
int store_sqlite_open_ro(const char *path, sqlite3 **out, char **err);
/* "file:PATH?immutable=1" for sqlite3_open_v2 with SQLITE_OPEN_URI, PATH's
 * '%', '?' and '#' written as %XX (SQLite reads them back).  Caller frees. */
char *store_immutable_uri(const char *path);

/* Inside a transaction: set (text) or remove (NULL) the note on (uuid,
 * qid, path) with its 'note' audit row, at now (now_ms for the audit):
 * 0 when written, 1 when it was already so, -1 (store_notes.c). */
int store_note_set_tx(store *st, const char *uuid, const char *qid,
                      const char *path, const char *text, const char *now,
                      const char *now_ms);

/* Before a key change forgets interview ?1's pairs made under another key
 * than ?2: remember the decided ones as taken back at time ?3
 * (store_duplicates_rekey, store_merge_dup_rekey). */
#define STORE_DUP_DROP_SQL \
    "INSERT OR REPLACE INTO decisions_dropped (a, b, dropped) SELECT a, b," \
    " ?3 FROM duplicates WHERE (a = ?1 OR b = ?1) AND key IS NOT ?2" \
    " AND decided IS NOT NULL"

#endif
