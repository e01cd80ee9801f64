/* hostile_fixture.h: what an attacker with sqlite3 and the published
 * format does to a bundle: recompute a revision id over rows in an order
 * of its choosing, and recompute the manifest's SHA-256 over the rows in
 * whatever order SQLite returns them.  Used to build hostile bundles that
 * get past a hash check and must be refused by the other checks. */
#ifndef KHAOSAT_HOSTILE_FIXTURE_H
#define KHAOSAT_HOSTILE_FIXTURE_H

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "store/revision.h"
#include "core/util.h"
#include "sync/bundle_int.h"   /* the audit table of formats 1 and 2 */

/* A fingerprint of every row of every table of a database file. */
static inline char *hx_fingerprint(const char *path)
{
    sqlite3 *db;
    check_open(path, &db);
    sqlite3_stmt *t;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema"
        " WHERE type = 'table' ORDER BY name", -1, &t, NULL), SQLITE_OK);
    canon c;
    canon_init(&c);
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(t, 0);
        canon_str(&c, name);
        char *sql = xasprintf("SELECT * FROM \"%s\" ORDER BY 1, 2", name);
        sqlite3_stmt *s;
        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
                         SQLITE_OK);
        while (sqlite3_step(s) == SQLITE_ROW)
            for (int i = 0; i < sqlite3_column_count(s); i++)
                canon_str(&c, (const char *)sqlite3_column_text(s, i));
        sqlite3_finalize(s);
        free(sql);
    }
    sqlite3_finalize(t);
    sqlite3_close(db);
    char *out = xmalloc(65);
    canon_final(&c, out);
    return out;
}

/* Feed every row of sql (ncol columns) to c as the bundle hash does:
 * 'R', then each column as a field (integers in decimal). */
static inline void hx_hash_rows(sqlite3 *db, canon *c, const char *sql)
{
    sqlite3_stmt *s;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db));
    while (sqlite3_step(s) == SQLITE_ROW) {
        canon_mark(c, 'R');
        for (int i = 0; i < sqlite3_column_count(s); i++)
            canon_str(c, (const char *)sqlite3_column_text(s, i));
    }
    sqlite3_finalize(s);
}

/* Recompute and store the manifest's sha256 of the bundle at path, over
 * rows in SQLite's order (see khaosat-bundle(5), CONTENT HASH). */
static inline void hx_rehash(const char *path)
{
    static const char *const table[11][2] = {
        {"manifest", "SELECT key, value FROM manifest WHERE key <> 'sha256'"
         " ORDER BY key"},
        {"forms", "SELECT form_id, version, sha256, source FROM forms"
         " ORDER BY form_id, version"},
        {"interviews", "SELECT uuid, form_id, form_version, status,"
         " enumerator, device, created, updated, head FROM interviews"
         " ORDER BY uuid"},
        {"revisions", "SELECT interview, id, parent, parent2, status,"
         " device, enumerator, created FROM revisions"
         " ORDER BY interview, id"},
        {"items", "SELECT interview, revision, qid, path, value FROM items"
         " ORDER BY interview, revision, qid, path"},
        {"audit", "SELECT interview, device, seq, time, event, qid, path,"
         " old_value, new_value FROM audit ORDER BY interview, device, seq"},
        {"reviews", "SELECT interview, status, comment, reviewer, time,"
         " revision, content, commune FROM reviews ORDER BY interview"},
        {"setups", "SELECT commune, name, province, sequence FROM setups"
         " ORDER BY commune"},
        {"setup_villages", "SELECT commune, code, name, enumerator FROM"
         " setup_villages ORDER BY commune, code"},
        {"setup_households", "SELECT commune, village, number, head FROM"
         " setup_households ORDER BY commune, village, number"},
        {"decisions", "SELECT a, b, decision, keep, decided, commune FROM"
         " decisions ORDER BY a, b"},
    };
    sqlite3 *db;
    check_open(path, &db);
    /* Format 2 added the reviews table, format 5 the set-ups, format 7
     * the decisions on duplicates. */
    sqlite3_stmt *v;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &v,
                                        NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(v), SQLITE_ROW);
    int format = sqlite3_column_int(v, 0);
    int ntables = format >= 7 ? 11 : format >= 5 ? 10 : format >= 2 ? 7 : 6;
    sqlite3_finalize(v);
    /* Format 6 keys the audit by its reuse number too. */
    static const char audit6[] = "SELECT interview, device, seq, reuse,"
        " time, event, qid, path, old_value, new_value FROM audit"
        " ORDER BY interview, device, seq, reuse";
    canon all;
    canon_init(&all);
    canon_str(&all, "khaosat-bundle-1");
    for (int t = 0; t < ntables; t++) {
        canon c;
        char hex[REV_HEX + 1];
        canon_init(&c);
        hx_hash_rows(db, &c, t == 5 && format >= 6 ? audit6 : table[t][1]);
        canon_mark(&c, 'E');
        canon_final(&c, hex);
        canon_str(&all, table[t][0]);
        canon_str(&all, hex);
    }
    char hex[REV_HEX + 1];
    canon_final(&all, hex);
    sqlite3_close(db);
    char *sql = xasprintf("UPDATE manifest SET value = '%s'"
                          " WHERE key = 'sha256'", hex);
    check_sql_exec(path, sql);
    free(sql);
}

/* Turn the compact audit table of the bundle at path (format 3) back into
 * the text one of formats 1 and 2, as khaosat-bundle(5) says to read it:
 * interview numbers to UUIDs, coded times summed per interview and device
 * and written to the millisecond.  The hash is left to hx_rehash. */
static inline void hx_audit_as_text(const char *path)
{
    char *sql = xasprintf(
        "CREATE TEMP TABLE a1 AS SELECT i.uuid, a.device, a.seq,"
        " CASE WHEN typeof(a.time) = 'integer' THEN"
        " strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', (sum(CASE WHEN"
        " typeof(a.time) = 'integer' THEN a.time ELSE 0 END) OVER w)"
        " / 1000.0, 'unixepoch') ELSE a.time END, a.event, a.qid, a.path,"
        " a.old_value, a.new_value FROM audit a JOIN (SELECT uuid,"
        " row_number() OVER (ORDER BY uuid) AS n FROM interviews) i"
        " ON i.n = a.interview"
        " WINDOW w AS (PARTITION BY a.interview, a.device ORDER BY a.seq);"
        "DROP TABLE audit; %s;"
        "INSERT INTO audit SELECT * FROM temp.a1 ORDER BY 1, 2, 3;",
        bundle_audit_v1_sql);
    check_sql_exec(path, sql);
    free(sql);
}

/* Turn the audit table of the bundle at path (format 6) into the one of
 * formats 3 to 5, without the reuse number (every row's is 0 in a bundle
 * of a laptop that never numbered again).  The hash is left to
 * hx_rehash. */
static inline void hx_audit_as_v3(const char *path)
{
    char *sql = xasprintf(
        "CREATE TEMP TABLE a3 AS SELECT interview, device, seq, time, event,"
        " qid, path, old_value, new_value FROM audit WHERE reuse = 0;"
        "DROP TABLE audit; %s;"
        "INSERT INTO audit SELECT * FROM temp.a3 ORDER BY 1, 2, 3;",
        bundle_audit_v3_sql);
    check_sql_exec(path, sql);
    free(sql);
}

/* The id of revision rev of interview uuid in the bundle at path, hashed
 * over its items in the order of items_sql (bound ?1 uuid, ?2 rev). */
static inline void hx_rev_id(const char *path, const char *uuid,
                             const char *rev, const char *items_sql,
                             char out[REV_HEX + 1])
{
    sqlite3 *db;
    check_open(path, &db);
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT i.form_id,"
        " i.form_version, r.status, r.parent, r.parent2 FROM revisions r"
        " JOIN interviews i ON i.uuid = r.interview"
        " WHERE r.interview = ?1 AND r.id = ?2", -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, rev, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    rev_meta m = {uuid, (const char *)sqlite3_column_text(s, 0),
                  (const char *)sqlite3_column_text(s, 1),
                  (const char *)sqlite3_column_text(s, 2),
                  (const char *)sqlite3_column_text(s, 3),
                  (const char *)sqlite3_column_text(s, 4)};
    rev_hasher h;
    rev_hash_begin(&h, &m);
    sqlite3_stmt *it;
    ck_assert_int_eq(sqlite3_prepare_v2(db, items_sql, -1, &it, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(it, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(it, 2, rev, -1, SQLITE_STATIC);
    while (sqlite3_step(it) == SQLITE_ROW)
        rev_hash_item(&h, (const char *)sqlite3_column_text(it, 0),
                      (const char *)sqlite3_column_text(it, 1),
                      (const char *)sqlite3_column_text(it, 2));
    rev_hash_end(&h, out, NULL);
    sqlite3_finalize(it);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* Rename revision old to new everywhere in the bundle at path. */
static inline void hx_rename_rev(const char *path, const char *old,
                                 const char *new_id)
{
    char *sql = xasprintf(
        "UPDATE items SET revision = '%2$s' WHERE revision = '%1$s';"
        "UPDATE revisions SET id = '%2$s' WHERE id = '%1$s';"
        "UPDATE revisions SET parent = '%2$s' WHERE parent = '%1$s';"
        "UPDATE revisions SET parent2 = '%2$s' WHERE parent2 = '%1$s';"
        "UPDATE interviews SET head = '%2$s' WHERE head = '%1$s';",
        old, new_id);
    check_sql_exec(path, sql);
    free(sql);
}

/* The first value of a one-column query on path, newly allocated. */
static inline char *hx_text(const char *path, const char *sql)
{
    sqlite3 *db;
    check_open(path, &db);
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* Make the bundle at path hold its items in an order other than its
 * schema says (question ids descending), with revision ids and the
 * manifest hash computed over that order, as quick_check lets through. */
static inline void hx_disorder_items(const char *path)
{
    char *uuid = hx_text(path, "SELECT uuid FROM interviews");
    char *rev = hx_text(path, "SELECT head FROM interviews");
    char id[REV_HEX + 1];
    hx_rev_id(path, uuid, rev, "SELECT qid, path, value FROM items"
              " WHERE interview = ?1 AND revision = ?2"
              " ORDER BY qid DESC, path", id);
    hx_rename_rev(path, rev, id);
    check_sql_exec(path,
        "CREATE TABLE items_x (interview TEXT NOT NULL, revision TEXT NOT"
        " NULL, qid TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY (interview, revision, qid DESC, path)) WITHOUT ROWID;"
        "INSERT INTO items_x SELECT * FROM items;"
        "DROP TABLE items;"
        "ALTER TABLE items_x RENAME TO items;"
        "PRAGMA writable_schema = ON;"
        "UPDATE sqlite_schema SET sql = 'CREATE TABLE items (interview TEXT"
        " NOT NULL, revision TEXT NOT NULL, qid TEXT NOT NULL, path TEXT NOT"
        " NULL, value TEXT NOT NULL, PRIMARY KEY (interview, revision, qid,"
        " path)) WITHOUT ROWID' WHERE name = 'items';"
        "PRAGMA writable_schema = OFF;");
    hx_rehash(path);
    free(uuid);
    free(rev);
}

#endif
