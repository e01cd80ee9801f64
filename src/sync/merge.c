/* merge.c: merging a verified bundle into the database, one transaction
 * per bundle, and the lists of conflicts and duplicates.  Revisions,
 * three-way merging and case keys are in merge_rev.c. */
#include "config.h"
#include "sync/merge_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlutil.h"
#include "store/store_int.h"
#include "core/i18n.h"
#include "core/util.h"

static const char *const merge_sql[MS_COUNT] = {
    [MS_BUNDLE_GET] = "SELECT sha256, merged FROM bundles WHERE uuid = ?1",
    [MS_BUNDLE_ADD] = "INSERT INTO bundles (uuid, sha256, file, device,"
        " enumerator, commune, created, merged, added, updated, unchanged,"
        " conflicts, duplicates, signer) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [MS_FORM_GET] = "SELECT sha256 FROM forms"
        " WHERE form_id = ?1 AND version = ?2",
    [MS_IV_GET] = "SELECT form_id, form_version, head FROM interviews"
        " WHERE uuid = ?1",
    [MS_IV_ADD] = "INSERT INTO interviews (uuid, form_id, form_version,"
        " status, enumerator, device_id, created, updated)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [MS_REV_HAS] = "SELECT status FROM revisions WHERE id = ?1",
    [MS_REV_ADD] = "INSERT OR IGNORE INTO revisions (id, interview, parent,"
        " parent2, status, device, enumerator, created, content, bundle)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [MS_ITEM_ADD] = "INSERT OR IGNORE INTO revision_items (revision, qid,"
        " path, value) VALUES (?1, ?2, ?3, ?4)",
    [MS_AUDIT_ADD] = "INSERT OR IGNORE INTO audit (interview, time, event,"
        " qid, path, old_value, new_value, origin, origin_seq, origin_digest)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [MS_ITEMS] = "SELECT qid, path, value FROM revision_items"
        " WHERE revision = ?1 ORDER BY qid, path",
    [MS_DEL_ANS] = "DELETE FROM answers WHERE interview = ?1",
    [MS_DEL_RC] = "DELETE FROM repeat_counts WHERE interview = ?1",
    [MS_PUT_ANS] = "INSERT INTO answers (interview, qid, path, value)"
        " SELECT ?1, qid, path, value FROM revision_items"
        " WHERE revision = ?2 AND qid <> ''",
    [MS_PUT_RC] = "INSERT INTO repeat_counts (interview, path, count)"
        " SELECT ?1, path, CAST(value AS INTEGER) FROM revision_items"
        " WHERE revision = ?2 AND qid = ''",
    [MS_SET_HEAD] = "UPDATE interviews SET head = ?2, updated = ?3,"
        " exported_at = NULL, status = (SELECT status FROM revisions"
        " WHERE id = ?2) WHERE uuid = ?1",
    [MS_CONFLICT_ADD] = "INSERT OR IGNORE INTO conflicts (interview, qid,"
        " path, base, mine, theirs, mine_rev, theirs_rev, merge_rev, found)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [MS_KEY_STALE] = "SELECT i.uuid, i.form_id, i.form_version, i.head"
        " FROM interviews i LEFT JOIN case_keys k ON k.interview = i.uuid"
        " WHERE i.head IS NOT NULL AND k.rev IS NOT i.head",
    [MS_KEY_ANSWER] = "SELECT value FROM answers"
        " WHERE interview = ?1 AND qid = ?2 AND path = ''",
    [MS_KEY_PUT] = "INSERT INTO case_keys (interview, form_id, key, rev)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (interview) DO UPDATE SET"
        " form_id = excluded.form_id, key = excluded.key, rev = excluded.rev",
    [MS_KEY_SAME] = "SELECT interview FROM case_keys"
        " WHERE form_id = ?1 AND key = ?2 AND interview <> ?3",
    [MS_DUP_ADD] = "INSERT OR IGNORE INTO duplicates (a, b, form_id, key,"
        " found) VALUES (?1, ?2, ?3, ?4, ?5)",
    /* A key is bound to the device it first brought bundles from, and a
     * device to the key that first signed for it (until that key is
     * revoked: a laptop given a new key after its old one was revoked). */
    [MS_SIGNER_DEVICE] = "SELECT device FROM bundles WHERE signer = ?1"
        " AND device <> ?2 LIMIT 1",
    [MS_DEVICE_SIGNER] = "SELECT signer FROM bundles WHERE device = ?1"
        " AND signer IS NOT NULL AND signer IS NOT ?2 AND signer NOT IN"
        " (SELECT fingerprint FROM trusted WHERE revoked IS NOT NULL)"
        " LIMIT 1",
};

static const char *const bundle_sql[BS_COUNT] = {
    [BS_FORMS] = "SELECT form_id, version, sha256, source FROM forms",
    [BS_IVS] = "SELECT uuid, form_id, form_version, status, enumerator,"
        " device, created, updated, head FROM interviews ORDER BY uuid",
    [BS_REVS] = "SELECT id, parent, parent2, status, device, enumerator,"
        " created FROM revisions WHERE interview = ?1 ORDER BY id",
    [BS_ITEMS] = "SELECT qid, path, value FROM items WHERE interview = ?1"
        " AND revision = ?2 ORDER BY qid, path",
    [BS_AUDIT] = "SELECT device, seq, time, event, qid, path, old_value,"
        " new_value FROM audit WHERE interview = ?1",
};

int merge_fail(merger *m, sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = xvasprintf(fmt, ap);
    va_end(ap);
    free(m->err);
    /* The file whose reading failed: the office's database or the
     * bundle's. */
    const char *file = db == m->db || !m->b ? store_path(m->st)
                                            : bundle_path(m->b);
    const char *reason = sqlutil_reason(db);
    m->err = reason ? xasprintf("%s: %s: %s", file, what, reason)
                    : xasprintf("%s: %s", file, what);
    if (db == m->db && sqlutil_damaged(db)) {
        char *more = xasprintf(_("%s; the database is damaged: restore it "
                                 "from a backup (khaosat restore)"), m->err);
        free(m->err);
        m->err = more;
    }
    free(what);
    return -1;
}

int merge_refuse(merger *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = xvasprintf(fmt, ap);
    va_end(ap);
    free(m->err);
    m->err = xasprintf("%s: %s", bundle_path(m->b), what);
    free(what);
    return -1;
}

sqlite3_stmt *merge_stmt(merger *m, enum merge_stmt id)
{
    if (!m->s[id] && sqlite3_prepare_v2(m->db, merge_sql[id], -1, &m->s[id],
                                        NULL) != SQLITE_OK) {
        merge_fail(m, m->db, "preparing a merge statement");
        return NULL;
    }
    return m->s[id];
}

void merge_bind(sqlite3_stmt *s, int n, const char *const *v)
{
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
}

int merge_exec(merger *m, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return merge_fail(m, m->db, "%s", what);
    return 0;
}

merger *merger_new(store *st)
{
    merger *m = xcalloc(1, sizeof *m);
    m->st = st;
    m->db = store_sqlite(st);
    /* A merge looks up every incoming interview in an office database
     * that grows to hundreds of megabytes: SQLite's default 2 MB page cache
     * would read the same index pages from the file again and again; 8 MB
     * holds them and keeps the memory of a merge small and flat. */
    sqlite3_exec(m->db, "PRAGMA cache_size = -8192", NULL, NULL, NULL);
    return m;
}

void merger_free(merger *m)
{
    if (!m)
        return;
    for (int i = 0; i < MS_COUNT; i++)
        sqlite3_finalize(m->s[i]);
    merge_keys_free(m);
    for (size_t i = 0; i < m->nchanged; i++)
        free(m->changed[i]);
    free(m->changed);
    free(m->device);
    free(m->enumerator);
    free(m->err);
    free(m);
}

/* Make revision rev the interview's content and head. */
static int apply_revision(merger *m, const char *uuid, const char *old,
                          const char *rev)
{
    static const enum merge_stmt steps[] = {MS_DEL_ANS, MS_DEL_RC,
                                            MS_PUT_ANS, MS_PUT_RC,
                                            MS_SET_HEAD};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        sqlite3_stmt *s = merge_stmt(m, steps[i]);
        if (!s)
            return -1;
        const char *v[3] = {uuid, rev, m->now};
        merge_bind(s, steps[i] == MS_SET_HEAD ? 3 : i < 2 ? 1 : 2, v);
        if (merge_exec(m, s, "applying a merged revision") != 0)
            return -1;
    }
    if (store_audit_add(m->st, uuid, m->now_ms, "merge", NULL, NULL, old,
                        rev) != SQLITE_DONE)
        return merge_fail(m, m->db, "auditing interview %s", uuid);
    if (m->nchanged == m->capchanged) {
        m->capchanged = m->capchanged ? 2 * m->capchanged : 16;
        m->changed = xrealloc(m->changed, m->capchanged * sizeof *m->changed);
    }
    m->changed[m->nchanged++] = xstrdup(uuid);
    return 0;
}

/* Forget the interviews of the last run. */
static void forget_changed(merger *m)
{
    for (size_t i = 0; i < m->nchanged; i++)
        free(m->changed[i]);
    m->nchanged = 0;
}

size_t merger_changed(const merger *m, char *const **out)
{
    *out = m->changed;
    return m->nchanged;
}

/* The local interview: 0 with its form and head (NULL when it has no
 * revision yet), 1 when it is not here. */
static int local_interview(merger *m, const char *uuid, char **form_id,
                           char **version, char **head)
{
    sqlite3_stmt *s = merge_stmt(m, MS_IV_GET);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *form_id = xstrdup((const char *)sqlite3_column_text(s, 0));
        *version = xstrdup((const char *)sqlite3_column_text(s, 1));
        *head = xstrdup((const char *)sqlite3_column_text(s, 2));
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 1;
    return rc == SQLITE_ROW ? 0 : merge_fail(m, m->db, "reading interview %s",
                                             uuid);
}

/* Insert the interview row of a new interview (content comes after). */
static int add_interview(merger *m, sqlite3_stmt *iv)
{
    sqlite3_stmt *s = merge_stmt(m, MS_IV_ADD);
    if (!s)
        return -1;
    for (int i = 0; i < 8; i++)
        sqlite3_bind_text(s, i + 1, (const char *)sqlite3_column_text(iv, i),
                          -1, SQLITE_STATIC);
    return merge_exec(m, s, "adding an interview");
}

/* Decide and apply, given local head L (may be NULL) and bundle head B,
 * with the interview's history loaded once. */
static int settle(merger *m, const char *uuid, const char *form_id,
                  const char *version, const char *L, const char *B)
{
    if (L && strcmp(L, B) == 0) {
        m->c.unchanged++;
        return 0;
    }
    merge_graph g;
    if (merge_graph_load(m, uuid, &g) != 0)
        return -1;
    int rc = 0;
    char merged[65], *base = NULL;
    const char *to = B;
    if (L && merge_graph_is_ancestor(&g, B, L)) {
        m->c.unchanged++;           /* an older state: nothing to do */
        merge_graph_free(&g);
        return 0;
    }
    if (L && !merge_graph_is_ancestor(&g, L, B)) {
        base = merge_graph_base(&g, L, B);
        if (!base) {
            /* Unrelated histories under one UUID: never an update. */
            merge_graph_free(&g);
            return merge_unrelated(m, uuid, L, B);
        }
        rc = merge_three_way(m, uuid, form_id, version, base, L, B, merged);
        to = merged;
    }
    merge_graph_free(&g);
    free(base);
    if (rc != 0)
        return -1;
    m->c.updated++;
    if (apply_revision(m, uuid, L, to) != 0)
        return -1;
    return merge_case_key(m, uuid, form_id, version, to);
}

/* Merge the interview at the current row of BS_IVS. */
static int merge_interview(merger *m, sqlite3_stmt *iv)
{
    const char *uuid = (const char *)sqlite3_column_text(iv, 0);
    const char *form_id = (const char *)sqlite3_column_text(iv, 1);
    const char *version = (const char *)sqlite3_column_text(iv, 2);
    const char *B = (const char *)sqlite3_column_text(iv, 8);
    char *lform = NULL, *lversion = NULL, *L = NULL;
    int here = local_interview(m, uuid, &lform, &lversion, &L);
    int rc = here < 0 ? -1 : 0;
    if (here == 0 && (strcmp(lform, form_id) || strcmp(lversion, version)))
        rc = merge_refuse(m, "interview %s is of form %s version %s in "
                          "this bundle but of %s version %s in %s", uuid,
                          form_id, version, lform, lversion,
                          store_path(m->st));
    if (rc == 0 && here == 1)
        rc = add_interview(m, iv);
    if (rc == 0 && here == 0 && !L) {
        /* Stored before revisions existed: give it one to merge with. */
        char head[65];
        rc = store_rev_snapshot_tx(m->st, uuid, 0, head);
        if (rc != 0) {
            free(m->err);
            m->err = xstrdup(store_errmsg(m->st));
        }
        else
            L = xstrdup(head);
    }
    if (rc == 0)
        rc = merge_import_revisions(m, uuid, form_id, version);
    if (rc == 0)
        rc = merge_import_audit(m, uuid);
    if (rc == 0 && here == 1) {
        m->c.added++;
        rc = apply_revision(m, uuid, NULL, B);
        if (rc == 0)
            rc = merge_case_key(m, uuid, form_id, version, B);
    } else if (rc == 0) {
        rc = settle(m, uuid, form_id, version, L, B);
    }
    free(lform);
    free(lversion);
    free(L);
    return rc;
}

/* 1 when this bundle was merged here before, 0 when not, -1 when a
 * different bundle claims its UUID. */
static int merged_before(merger *m, const bundle_manifest *man)
{
    sqlite3_stmt *s = merge_stmt(m, MS_BUNDLE_GET);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, man->uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int same = rc == SQLITE_ROW
        && strcmp((const char *)sqlite3_column_text(s, 0), man->sha256) == 0;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return merge_fail(m, m->db, "reading the merged bundles");
    if (same)
        return 1;
    free(m->err);
    m->err = xasprintf("%s: a different bundle with the same UUID %s was "
                       "merged before; refusing it", bundle_path(m->b),
                       man->uuid);
    return -1;
}

/* The first column of the first row of statement id run with a and b,
 * newly allocated; NULL when there is none (*failed set on failure). */
static char *lookup(merger *m, enum merge_stmt id, const char *a,
                    const char *b, int *failed)
{
    sqlite3_stmt *s = merge_stmt(m, id);
    *failed = !s;
    if (!s)
        return NULL;
    const char *v[2] = {a, b};
    merge_bind(s, 2, v);
    int rc = sqlite3_step(s);
    char *out = rc == SQLITE_ROW && sqlite3_column_text(s, 0)
        ? xstrdup((const char *)sqlite3_column_text(s, 0)) : NULL;
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        *failed = 1;
        merge_fail(m, m->db, "reading the merged bundles");
    }
    return out;
}

/* A signing key speaks for one device, and a device's bundles come from
 * one key: refuse a bundle that breaks what earlier ones established. */
static int check_signer(merger *m, const bundle_manifest *man)
{
    const char *fpr = bundle_signer(m->b);
    int failed = 0;
    char *other = fpr ? lookup(m, MS_SIGNER_DEVICE, fpr, man->device,
                               &failed) : NULL;
    if (other) {
        free(m->err);
        m->err = xasprintf("%s: signed by %s, whose earlier bundles came "
                           "from device %s, but this one says device %s; "
                           "refusing it", bundle_path(m->b), fpr, other,
                           man->device);
        free(other);
        return -1;
    }
    if (!failed)
        other = lookup(m, MS_DEVICE_SIGNER, man->device, fpr, &failed);
    if (other) {
        free(m->err);
        m->err = xasprintf("%s: says it comes from device %s, whose bundles "
                           "are signed by %s, but it is %s; refusing it",
                           bundle_path(m->b), man->device, other,
                           fpr ? "signed by another key" : "not signed");
        free(other);
        return -1;
    }
    return failed ? -1 : 0;
}

int merge_own_device_only(const merger *m)
{
    const char *role = bundle_signer_role(m->b);
    return role && strcmp(role, "laptop") == 0;
}

int merge_check_device(merger *m, const char *what, const char *uuid,
                       const char *dev)
{
    const bundle_manifest *man = bundle_get_manifest(m->b);
    if (!merge_own_device_only(m) || strcmp(dev, man->device) == 0)
        return 0;
    free(m->err);
    m->err = xasprintf("%s: carries %s of interview %s made on device %s, "
                       "but it is signed by the laptop %s of device %s; a "
                       "laptop's bundle carries only its own work",
                       bundle_path(m->b), what, uuid, dev,
                       bundle_signer(m->b), man->device);
    return -1;
}

/* Record the bundle as merged, with what it did. */
static int record_bundle(merger *m, const bundle_manifest *man)
{
    sqlite3_stmt *s = merge_stmt(m, MS_BUNDLE_ADD);
    if (!s)
        return -1;
    const char *v[8] = {man->uuid, man->sha256, bundle_path(m->b),
                        man->device, man->enumerator, man->commune,
                        man->created, m->now};
    merge_bind(s, 8, v);
    sqlite3_bind_text(s, 14, bundle_signer(m->b), -1, SQLITE_STATIC);
    long n[5] = {m->c.added, m->c.updated, m->c.unchanged, m->c.conflicts,
                 m->c.duplicates};
    for (int i = 0; i < 5; i++)
        sqlite3_bind_int64(s, 9 + i, n[i]);
    return merge_exec(m, s, "recording the bundle");
}

/* Everything inside the bundle's transaction. */
static int merge_body(merger *m, merge_progress_fn progress, void *ctx)
{
    const bundle_manifest *man = bundle_get_manifest(m->b);
    int before = merged_before(m, man);
    if (before != 0)
        return before;
    if (check_signer(m, man) != 0)
        return -1;
    if (merge_check_forms(m) != 0 || merge_refresh_keys(m) != 0)
        return -1;
    sqlite3_stmt *iv = m->bs[BS_IVS];
    int rc;
    long done = 0;
    while ((rc = sqlite3_step(iv)) == SQLITE_ROW) {
        if (merge_interview(m, iv) != 0) {
            sqlite3_reset(iv);
            return -1;
        }
        if (progress && progress(ctx, ++done) != 0) {
            sqlite3_reset(iv);
            free(m->err);
            m->err = xasprintf("%s: merge interrupted", bundle_path(m->b));
            return -1;
        }
    }
    sqlite3_reset(iv);
    if (rc != SQLITE_DONE)
        return merge_fail(m, bundle_sqlite(m->b), "reading %s",
                          bundle_path(m->b));
    return record_bundle(m, man);
}

/* Learn this database's device and enumerator, once. */
static int merge_identity(merger *m)
{
    if (m->device)
        return 0;
    char *who = NULL;
    if (store_device_id(m->st, &m->device) != 0
        || store_setting_get(m->st, STORE_SET_ENUMERATOR, &who) != 0) {
        free(m->err);
        m->err = xstrdup(store_errmsg(m->st));
        return -1;
    }
    m->enumerator = who ? who : xstrdup("");
    return 0;
}

int merger_run(merger *m, bundle *b, merge_progress_fn progress, void *ctx,
               merge_counts *out, char **err)
{
    memset(&m->c, 0, sizeof m->c);
    m->forms_held = 0;
    forget_changed(m);
    m->b = b;
    store_now_both(m->now, m->now_ms);
    sqlite3 *bdb = bundle_sqlite(b);
    int rc = merge_identity(m);
    for (int i = 0; rc == 0 && i < BS_COUNT; i++)
        if (sqlite3_prepare_v2(bdb, bundle_sql[i], -1, &m->bs[i], NULL))
            rc = merge_fail(m, bdb, "reading %s", bundle_path(b));
    if (rc == 0 && store_begin(m->st) != 0) {
        free(m->err);
        m->err = xstrdup(store_errmsg(m->st));
        rc = -1;
    }
    if (rc == 0) {
        rc = merge_body(m, progress, ctx);
        if (rc == 0 && store_commit(m->st) != 0) {
            free(m->err);
            m->err = xstrdup(store_errmsg(m->st));
            rc = -1;
        }
        if (rc != 0)
            store_rollback(m->st);
        if (rc != 0)
            forget_changed(m);
    }
    for (int i = 0; i < BS_COUNT; i++) {
        sqlite3_finalize(m->bs[i]);
        m->bs[i] = NULL;
    }
    m->b = NULL;
    *out = m->c;
    if (rc < 0) {
        *err = m->err;
        m->err = NULL;
    }
    return rc;
}
