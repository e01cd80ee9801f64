/* store_merge.c: the statements of a merge on the office's database,
 * prepared once per handle (a merger merges many bundles with them). */
#include "config.h"
#include "store/store_merge.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/revision.h"
#include "store/store_int.h"

enum merge_stmt {
    SM_BUNDLE_GET, SM_BUNDLE_ADD, SM_BUNDLE_FILE, SM_FORM_GET,
    SM_IV_GET, SM_IV_ADD, SM_REV_HAS, SM_REV_ADD, SM_ITEM_ADD, SM_AUDIT_ADD,
    SM_AUDIT_MAX, SM_AUDIT_OTHER,
    SM_ITEMS, SM_DEL_ANS, SM_DEL_RC, SM_DEL_NOTES, SM_PUT_ANS,
    SM_PUT_RC, SM_PUT_NOTES, SM_SET_HEAD, SM_CONFLICT_ADD, SM_KEY_STALE, SM_KEY_ANSWER,
    SM_KEY_PUT, SM_KEY_SAME, SM_DUP_ADD, SM_DUP_DROP, SM_DUP_REKEY, SM_SIGNER_DEVICE,
    SM_DEVICE_SIGNER,
    SM_REV_CLAIM, SM_IV_COMMUNE, SM_COUNT
};

static const char *const merge_sql[SM_COUNT] = {
    [SM_BUNDLE_GET] = "SELECT sha256, merged FROM bundles WHERE uuid = ?1",
    [SM_BUNDLE_ADD] = "INSERT INTO bundles (uuid, sha256, file, device,"
        " enumerator, commune, created, merged, added, updated, unchanged,"
        " conflicts, duplicates, signer, file_hash) VALUES (?1, ?2, ?3, ?4,"
        " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        " ON CONFLICT (uuid) DO UPDATE"
        " SET added = excluded.added, updated = excluded.updated,"
        " unchanged = excluded.unchanged, conflicts = excluded.conflicts,"
        " duplicates = excluded.duplicates",
    [SM_BUNDLE_FILE] = "SELECT uuid, merged FROM bundles"
        " WHERE file_hash = ?1 LIMIT 1",
    [SM_FORM_GET] = "SELECT sha256 FROM forms"
        " WHERE form_id = ?1 AND version = ?2",
    [SM_IV_GET] = "SELECT form_id, form_version, head FROM interviews"
        " WHERE uuid = ?1",
    [SM_IV_ADD] = "INSERT INTO interviews (uuid, form_id, form_version,"
        " status, enumerator, device_id, created, updated)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [SM_REV_HAS] = "SELECT status FROM revisions WHERE id = ?1",
    [SM_REV_ADD] = "INSERT OR IGNORE INTO revisions (id, interview, parent,"
        " parent2, status, device, enumerator, created, content, bundle)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [SM_ITEM_ADD] = "INSERT OR IGNORE INTO revision_items (revision, qid,"
        " path, value) VALUES (?1, ?2, ?3, ?4)",
    [SM_AUDIT_ADD] = "INSERT OR IGNORE INTO audit (interview, time, event,"
        " qid, path, old_value, new_value, origin, origin_seq, origin_digest)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [SM_AUDIT_MAX] = "SELECT max(origin_seq) FROM audit WHERE origin = ?1",
    [SM_AUDIT_OTHER] = "SELECT 1 FROM audit WHERE origin = ?1"
        " AND origin_seq = ?2 AND origin_digest <> ?3",
    [SM_ITEMS] = "SELECT qid, path, value FROM revision_items"
        " WHERE revision = ?1 ORDER BY qid, path",
    [SM_DEL_ANS] = "DELETE FROM answers WHERE interview = ?1",
    [SM_DEL_RC] = "DELETE FROM repeat_counts WHERE interview = ?1",
    [SM_PUT_ANS] = "INSERT INTO answers (interview, qid, path, value)"
        " SELECT ?1, qid, path, value FROM revision_items"
        " WHERE revision = ?2 AND qid <> '' AND substr(qid, 1, 1) <> '#'",
    [SM_PUT_RC] = "INSERT INTO repeat_counts (interview, path, count)"
        " SELECT ?1, path, CAST(value AS INTEGER) FROM revision_items"
        " WHERE revision = ?2 AND qid = ''",
    /* A revision's notes are its items "#QID" (STORE_NOTE_MARK). */
    [SM_DEL_NOTES] = "DELETE FROM notes WHERE interview = ?1",
    [SM_PUT_NOTES] = "INSERT INTO notes (interview, qid, path, note)"
        " SELECT ?1, substr(qid, 2), path, value FROM revision_items"
        " WHERE revision = ?2 AND substr(qid, 1, 1) = '#'",
    [SM_SET_HEAD] = "UPDATE interviews SET head = ?2, updated = ?3,"
        " exported_at = NULL, status = (SELECT status FROM revisions"
        " WHERE id = ?2) WHERE uuid = ?1",
    [SM_CONFLICT_ADD] = "INSERT OR IGNORE INTO conflicts (interview, qid,"
        " path, base, mine, theirs, mine_rev, theirs_rev, merge_rev, found)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [SM_KEY_STALE] = "SELECT i.uuid, i.form_id, i.form_version, i.head"
        " FROM interviews i LEFT JOIN case_keys k ON k.interview = i.uuid"
        " WHERE i.head IS NOT NULL AND k.rev IS NOT i.head",
    [SM_KEY_ANSWER] = "SELECT value FROM answers"
        " WHERE interview = ?1 AND qid = ?2 AND path = ''",
    [SM_KEY_PUT] = "INSERT INTO case_keys (interview, form_id, key, rev)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (interview) DO UPDATE SET"
        " form_id = excluded.form_id, key = excluded.key, rev = excluded.rev",
    /* Only of the same commune: numbers are per commune. */
    [SM_KEY_SAME] = "SELECT k.interview FROM case_keys k"
        " WHERE k.form_id = ?1 AND k.key = ?2 AND k.interview <> ?3"
        " AND " STORE_ORIGIN_KEY_SQL("k.interview") " IS "
        STORE_ORIGIN_KEY_SQL("?3"),
    /* A pair the office already settled (on a laptop) comes decided. */
    [SM_DUP_ADD] = "INSERT OR IGNORE INTO duplicates (a, b, form_id, key,"
        " found, decision, keep, decided) SELECT ?1, ?2, ?3, ?4, ?5,"
        " t.decision, t.keep, t.decided FROM (SELECT 1) LEFT JOIN settled t"
        " ON t.interview = ?1 AND t.other = ?2",
    [SM_DUP_DROP] = STORE_DUP_DROP_SQL,
    [SM_DUP_REKEY] = "DELETE FROM duplicates WHERE (a = ?1 OR b = ?1)"
        " AND key IS NOT ?2",
    /* A key is bound to the device it first brought bundles from, and a
     * device to the key that first signed for it (until that key is
     * revoked: a laptop given a new key after its old one was revoked). */
    [SM_SIGNER_DEVICE] = "SELECT device FROM bundles WHERE signer = ?1"
        " AND device <> ?2 LIMIT 1",
    [SM_DEVICE_SIGNER] = "SELECT signer FROM bundles WHERE device = ?1"
        " AND signer IS NOT NULL AND signer IS NOT ?2 AND signer NOT IN"
        " (SELECT fingerprint FROM trusted WHERE revoked IS NOT NULL)"
        " LIMIT 1",
    /* The revisions an interview's own device made count as brought by
     * its latest bundle that names a commune; the bundle that first
     * brought them stays theirs while the commune is the same. */
    [SM_REV_CLAIM] = "UPDATE revisions SET bundle = ?2"
        " WHERE interview = ?1 AND device = ?3 AND coalesce((SELECT"
        " commune FROM bundles b WHERE b.uuid = revisions.bundle), '')"
        " <> ?4",
    /* The commune interview ?1 is of here when it is not commune ?2. */
    [SM_IV_COMMUNE] = "SELECT " STORE_ORIGIN_RAW_SQL("?1") " WHERE "
        STORE_ORIGIN_KEY_SQL("?1") " IS NOT khaosat_commune_key(?2)",
};

struct store_merge {
    store *st;
    sqlite3_stmt *s[SM_COUNT];
};

store_merge *store_merge_new(store *st)
{
    store_merge *sm = xcalloc(1, sizeof *sm);
    sm->st = st;
    /* A merge looks up every incoming interview and inserts answers under
     * revision ids (hashes: random places) into an office database that
     * grows to gigabytes: with SQLite's default 2 MB page cache the inner
     * pages of those indexes are read from the file again and again.
     * 64 MB holds them (bench_province_merge: 8% less CPU than 8 MB at 4 x
     * 1,000 households), and the memory of a merge stays bounded and flat
     * however many bundles it takes. */
    sqlite3_exec(st->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
    return sm;
}

void store_merge_free(store_merge *sm)
{
    if (!sm)
        return;
    for (int i = 0; i < SM_COUNT; i++)
        sqlite3_finalize(sm->s[i]);
    free(sm);
}

int store_merge_vfail(store_merge *sm, const char *fmt, va_list ap)
{
    return store_vfail(sm->st, fmt, ap);
}

/* Statement id with strings ?1..?n bound from v (NULL binds NULL); NULL
 * when it cannot be prepared. */
static sqlite3_stmt *stmt(store_merge *sm, enum merge_stmt id, int n,
                          const char *const *v)
{
    if (!sm->s[id] && sqlite3_prepare_v2(sm->st->db, merge_sql[id], -1,
                                         &sm->s[id], NULL) != SQLITE_OK)
        return NULL;
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(sm->s[id], i + 1, v[i], -1, SQLITE_STATIC);
    return sm->s[id];
}

/* Run statement id (no rows wanted) with strings v; 0 or -1. */
static int run(store_merge *sm, enum merge_stmt id, int n,
               const char *const *v)
{
    sqlite3_stmt *s = stmt(sm, id, n, v);
    if (!s)
        return -1;
    int rc = store_step(sm->st, s);
    if (rc == SQLITE_ROW)
        sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The first ncol columns of the first row of statement id with strings
 * v, in out[] (newly allocated, NULL when the column is; all NULL when
 * there is no row): 0, 1 when there is no row, -1. */
static int row(store_merge *sm, enum merge_stmt id, int n,
               const char *const *v, char **out, int ncol)
{
    for (int i = 0; i < ncol; i++)
        out[i] = NULL;
    sqlite3_stmt *s = stmt(sm, id, n, v);
    if (!s)
        return -1;
    int rc = store_step(sm->st, s);
    if (rc == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++)
            out[i] = store_col_dup(s, i);
        sqlite3_reset(s);
    }
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* The first column of the first row of statement id with strings v. */
static int first(store_merge *sm, enum merge_stmt id, int n,
                 const char *const *v, char **out)
{
    return row(sm, id, n, v, out, 1);
}

/* Each row of statement id with strings v to fn. */
static int each(store_merge *sm, enum merge_stmt id, int n,
                const char *const *v, store_merge_row_fn fn, void *ctx)
{
    sqlite3_stmt *s = stmt(sm, id, n, v);
    if (!s)
        return -1;
    int ncol = sqlite3_column_count(s), rc;
    const char *col[8];
    while ((rc = store_step(sm->st, s)) == SQLITE_ROW) {
        for (int i = 0; i < ncol && i < 8; i++)
            col[i] = (const char *)sqlite3_column_text(s, i);
        if (fn(ctx, col) != 0) {
            sqlite3_reset(s);
            return -1;
        }
    }
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_merge_bundle_seen(store_merge *sm, const char *uuid,
                            const char *sha256, char **merged)
{
    char *v[2];
    int rc = row(sm, SM_BUNDLE_GET, 1, &uuid, v, 2);
    if (rc == 0)
        rc = v[0] && strcmp(v[0], sha256) == 0 ? 1 : 2;
    else if (rc == 1)
        rc = 0;
    free(v[0]);
    *merged = rc == 1 ? v[1] : NULL;
    if (rc != 1)
        free(v[1]);
    return rc;
}

int store_merge_bundle_add(store_merge *sm, const store_merge_bundle *r)
{
    const char *v[8] = {r->uuid, r->sha256, r->file, r->device,
                        r->enumerator, r->commune, r->created, r->merged};
    sqlite3_stmt *s = stmt(sm, SM_BUNDLE_ADD, 8, v);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 14, r->signer, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 15, r->file_hash, -1, SQLITE_STATIC);
    long n[5] = {r->added, r->updated, r->unchanged, r->conflicts,
                 r->duplicates};
    for (int i = 0; i < 5; i++)
        sqlite3_bind_int64(s, 9 + i, n[i]);
    return run(sm, SM_BUNDLE_ADD, 0, NULL);
}

int store_merge_bundle_file(store_merge *sm, const char *file_hash,
                            char **uuid, char **merged)
{
    char *v[2];
    int rc = row(sm, SM_BUNDLE_FILE, 1, &file_hash, v, 2);
    *uuid = v[0];
    *merged = v[1];
    return rc;
}

int store_merge_dup_rekey(store_merge *sm, const char *uuid,
                          const char *key)
{
    char now[32];
    store_now(now, 1);
    const char *v[3] = {uuid, key, now};
    if (run(sm, SM_DUP_DROP, 3, v) != 0)
        return -1;
    return run(sm, SM_DUP_REKEY, 2, v);
}

int store_merge_signer_device(store_merge *sm, const char *fpr,
                              const char *device, char **out)
{
    const char *v[2] = {fpr, device};
    return first(sm, SM_SIGNER_DEVICE, 2, v, out) < 0 ? -1 : 0;
}

int store_merge_device_signer(store_merge *sm, const char *device,
                              const char *fpr, char **out)
{
    const char *v[2] = {device, fpr};
    return first(sm, SM_DEVICE_SIGNER, 2, v, out) < 0 ? -1 : 0;
}

int store_merge_form_sha(store_merge *sm, const char *form_id,
                         const char *version, char **out)
{
    const char *v[2] = {form_id, version};
    return first(sm, SM_FORM_GET, 2, v, out);
}

int store_merge_interview(store_merge *sm, const char *uuid, char **form_id,
                          char **version, char **head)
{
    char *c[3];
    int rc = row(sm, SM_IV_GET, 1, &uuid, c, 3);
    if (rc == 0) {
        *form_id = c[0];
        *version = c[1];
        *head = c[2];
    }
    return rc;
}

int store_merge_interview_add(store_merge *sm, const char *const v[8])
{
    return run(sm, SM_IV_ADD, 8, v);
}

int store_merge_apply(store_merge *sm, const char *uuid, const char *old,
                      const char *rev, const char *now, const char *now_ms)
{
    /* Each step and how many of (uuid, rev, now) it binds. */
    static const struct {
        enum merge_stmt id;
        int n;
    } steps[] = {{SM_DEL_ANS, 1}, {SM_DEL_RC, 1}, {SM_DEL_NOTES, 1},
                 {SM_PUT_ANS, 2}, {SM_PUT_RC, 2}, {SM_PUT_NOTES, 2},
                 {SM_SET_HEAD, 3}};
    const char *v[3] = {uuid, rev, now};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (run(sm, steps[i].id, steps[i].n, v) != 0)
            return -1;
    if (store_audit_add(sm->st, uuid, now_ms, "merge", NULL, NULL, old, rev)
        != SQLITE_DONE)
        return -2;
    store_figures_changed(sm->st, uuid);
    return 0;
}

int store_merge_rev_has(store_merge *sm, const char *id)
{
    char *status;
    int rc = first(sm, SM_REV_HAS, 1, &id, &status);
    free(status);
    return rc < 0 ? -1 : rc == 0;
}

int store_merge_rev_status(store_merge *sm, const char *id, char **out)
{
    int rc = first(sm, SM_REV_HAS, 1, &id, out);
    return rc == 0 && *out ? 0 : -1;
}

int store_merge_rev_add(store_merge *sm, const char *const v[10])
{
    return run(sm, SM_REV_ADD, 10, v);
}

int store_merge_item_add(store_merge *sm, const char *rev, const char *qid,
                         const char *path, const char *value)
{
    const char *v[4] = {rev, qid, path, value};
    return run(sm, SM_ITEM_ADD, 4, v);
}

int store_merge_items(store_merge *sm, const char *rev, store_merge_row_fn fn,
                      void *ctx)
{
    return each(sm, SM_ITEMS, 1, &rev, fn, ctx);
}

int store_merge_audit_max(store_merge *sm, const char *device,
                          long long *max)
{
    sqlite3_stmt *s = stmt(sm, SM_AUDIT_MAX, 1, &device);
    int rc = s ? store_step(sm->st, s) : SQLITE_ERROR;
    *max = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (s)
        sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* Non-zero when another row of the device and number is here (its digest
 * differs); -1 on failure. */
static int audit_other(store_merge *sm, const store_merge_audit *a,
                       const char *digest)
{
    sqlite3_stmt *s = stmt(sm, SM_AUDIT_OTHER, 1, &a->device);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 2, a->seq);
    sqlite3_bind_text(s, 3, digest, -1, SQLITE_STATIC);
    int rc = store_step(sm->st, s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_merge_audit_add(store_merge *sm, const store_merge_audit *a,
                          int *added, int *reused)
{
    char digest[65];
    store_audit_digest(a->interview, a->device, a->seq, a->time, a->event,
                       a->qid, a->path, a->old_value, a->new_value, digest);
    const char *v[8] = {a->interview, a->time, a->event, a->qid, a->path,
                        a->old_value, a->new_value, a->device};
    sqlite3_stmt *s = stmt(sm, SM_AUDIT_ADD, 8, v);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 9, a->seq);
    sqlite3_bind_text(s, 10, digest, -1, SQLITE_STATIC);
    if (run(sm, SM_AUDIT_ADD, 0, NULL) != 0)
        return -1;
    *added = sqlite3_changes(sm->st->db) > 0;
    if (reused)
        *reused = *added ? audit_other(sm, a, digest) : 0;
    return reused && *reused < 0 ? -1 : 0;
}

int store_merge_conflict_add(store_merge *sm, const char *const v[10])
{
    return run(sm, SM_CONFLICT_ADD, 10, v);
}

int store_merge_stale_keys(store_merge *sm, store_merge_row_fn fn,
                           void *ctx)
{
    return each(sm, SM_KEY_STALE, 0, NULL, fn, ctx);
}

int store_merge_key_answer(store_merge *sm, const char *uuid,
                           const char *qid, char **out)
{
    const char *v[2] = {uuid, qid};
    int rc = first(sm, SM_KEY_ANSWER, 2, v, out);
    if (rc == 0 && (!*out || !**out)) {
        free(*out);
        *out = NULL;
        rc = 1;
    }
    return rc;
}

int store_merge_key_put(store_merge *sm, const char *uuid,
                        const char *form_id, const char *key,
                        const char *head)
{
    const char *v[4] = {uuid, form_id, key, head};
    return run(sm, SM_KEY_PUT, 4, v);
}

int store_merge_rev_claim(store_merge *sm, const char *uuid,
                          const char *bundle, const char *device,
                          const char *commune)
{
    const char *v[4] = {uuid, bundle, device, commune};
    return run(sm, SM_REV_CLAIM, 4, v);
}

int store_merge_other_commune(store_merge *sm, const char *uuid,
                              const char *commune, char **held)
{
    const char *v[2] = {uuid, commune};
    int rc = first(sm, SM_IV_COMMUNE, 2, v, held);
    if (rc == 0 && (!*held || !**held)) {
        free(*held);
        *held = NULL;
        return 0;
    }
    return rc == 0 ? 1 : rc == 1 ? 0 : -1;
}

int store_merge_same_key(store_merge *sm, const char *form_id,
                         const char *key, const char *uuid,
                         store_merge_row_fn fn, void *ctx)
{
    const char *v[3] = {form_id, key, uuid};
    return each(sm, SM_KEY_SAME, 3, v, fn, ctx);
}

int store_merge_dup_add(store_merge *sm, const char *a, const char *b,
                        const char *form_id, const char *key,
                        const char *found, int *added)
{
    const char *v[5] = {a, b, form_id, key, found};
    if (run(sm, SM_DUP_ADD, 5, v) != 0)
        return -1;
    *added = sqlite3_changes(sm->st->db) > 0;
    return 0;
}
