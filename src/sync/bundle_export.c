/* bundle_export.c: writing the store's interviews to a new bundle, the
 * whole export in one store transaction that commits only once the bundle
 * (plain or sealed) has been written, synced, renamed, its directory
 * synced, and verified: a power cut after "exported" cannot take the file
 * back. */
#include "config.h"
#include "sync/bundle_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/revision.h"
#include "store/store_int.h"
#include "core/util.h"

/* The interviews an export takes: ?1 all, ?2 drafts too. */
#define EXPORT_WHERE " (i.status = 'complete' OR ?2)" \
    " AND (?1 OR i.exported_at IS NULL)"

static const char *const export_sql[] = {
    "SELECT i.uuid FROM interviews i WHERE" EXPORT_WHERE " ORDER BY i.uuid",
    "SELECT form_id, version, source FROM forms WHERE (form_id, version) IN"
    " (SELECT i.form_id, i.form_version FROM interviews i WHERE"
    EXPORT_WHERE ") ORDER BY form_id, version",
    "SELECT uuid, form_id, form_version, status, enumerator, device_id,"
    " created, updated, head FROM interviews i WHERE" EXPORT_WHERE
    " ORDER BY uuid",
    "SELECT r.interview, r.id, r.parent, r.parent2, r.status, r.device,"
    " r.enumerator, r.created FROM interviews i JOIN revisions r"
    " ON r.interview = i.uuid WHERE" EXPORT_WHERE
    " ORDER BY r.interview, r.id",
    "SELECT r.interview, t.revision, t.qid, t.path, t.value FROM interviews i"
    " JOIN revisions r ON r.interview = i.uuid JOIN revision_items t"
    " ON t.revision = r.id WHERE" EXPORT_WHERE
    " ORDER BY r.interview, t.revision, t.qid, t.path",
    "SELECT a.interview, coalesce(a.origin, ?3),"
    " coalesce(a.origin_seq, a.seq), a.time, a.event, a.qid, a.path,"
    " a.old_value, a.new_value FROM interviews i JOIN audit a"
    " ON a.interview = i.uuid WHERE" EXPORT_WHERE
    " ORDER BY a.interview, 2, 3",
};

enum { EX_UUIDS, EX_FORMS, EX_IVS, EX_REVS, EX_ITEMS, EX_AUDIT, EX_COUNT };

/* One export in progress. */
typedef struct exporter {
    store *st;
    unsigned flags;
    bundle_seal_fn seal;        /* NULL: the plain bundle goes to dir */
    void *seal_ctx;
    char *device;
    bundle_writer *w;
    char **uuids;
    size_t n, cap;
    char *err;
} exporter;

/* Column i of s as text (NULL stays NULL). */
static const char *col(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Add one row of query q to the bundle (or to the list of UUIDs). */
static int ex_row(exporter *x, int q, sqlite3_stmt *s)
{
    bundle_writer *w = x->w;
    switch (q) {
    case EX_UUIDS:
        if (x->n == x->cap) {
            x->cap = x->cap ? 2 * x->cap : 64;
            x->uuids = xrealloc(x->uuids, x->cap * sizeof *x->uuids);
        }
        x->uuids[x->n++] = xstrdup(col(s, 0));
        return 0;
    case EX_FORMS:
        return bundle_writer_form(w, col(s, 0), col(s, 1), col(s, 2),
                                  (size_t)sqlite3_column_bytes(s, 2));
    case EX_IVS: {
        bundle_iv iv = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                        col(s, 4), col(s, 5), col(s, 6), col(s, 7),
                        col(s, 8)};
        return bundle_writer_interview(w, &iv);
    }
    case EX_REVS: {
        bundle_rev r = {col(s, 0), col(s, 1), col(s, 2), col(s, 3),
                        col(s, 4), col(s, 5), col(s, 6), col(s, 7)};
        return bundle_writer_revision(w, &r);
    }
    case EX_ITEMS:
        return bundle_writer_item(w, col(s, 0), col(s, 1), col(s, 2),
                                  col(s, 3), col(s, 4));
    default: {
        bundle_audit a = {col(s, 0), col(s, 1), sqlite3_column_int64(s, 2),
                          col(s, 3), col(s, 4), col(s, 5), col(s, 6),
                          col(s, 7), col(s, 8)};
        return bundle_writer_audit(w, &a);
    }
    }
}

/* Run query q over the store and hand each row to ex_row. */
static int ex_query(exporter *x, int q)
{
    sqlite3 *db = store_sqlite(x->st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, export_sql[q], -1, &s, NULL) != SQLITE_OK) {
        x->err = xasprintf("%s: preparing the export: %s",
                           store_path(x->st), sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int(s, 1, (x->flags & BUNDLE_EXPORT_ALL) != 0);
    sqlite3_bind_int(s, 2, (x->flags & BUNDLE_EXPORT_DRAFTS) != 0);
    if (q == EX_AUDIT)
        sqlite3_bind_text(s, 3, x->device, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (ex_row(x, q, s) != 0) {
            x->err = xstrdup(bundle_writer_errmsg(x->w));
            sqlite3_finalize(s);
            return -1;
        }
    if (rc != SQLITE_DONE)
        x->err = xasprintf("%s: reading interviews to export: %s",
                           store_path(x->st), sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Make sure every interview to export has a revision of its content. */
static int ex_snapshots(exporter *x)
{
    for (size_t i = 0; i < x->n; i++)
        if (store_rev_snapshot_tx(x->st, x->uuids[i], 0, NULL) != 0) {
            x->err = xstrdup(store_errmsg(x->st));
            return -1;
        }
    return 0;
}

/* Finish the bundle in memory and seal it into dir; the plain image is
 * wiped whatever happens. */
static int ex_seal(exporter *x, bundle_writer *w, bundle_manifest *m,
                   const char *dir, char **path)
{
    unsigned char *d;
    size_t len;
    if (bundle_writer_finish(w, m, &d, &len, &x->err) != 0)
        return -1;
    int rc = x->seal(x->seal_ctx, d, len, m, dir, path, &x->err);
    bundle_image_free(d, len);
    return rc;
}

/* Write the bundle's tables and commit the file into dir (sealed when
 * the export seals); then mark the interviews exported. */
static int ex_write(exporter *x, const char *dir, char **path)
{
    if (bundle_writer_open(dir, &x->w, &x->err) != 0)
        return -1;
    for (int q = EX_FORMS; q < EX_COUNT; q++)
        if (ex_query(x, q) != 0)
            return -1;
    bundle_manifest m = {0};
    m.device = xstrdup(x->device);
    if (store_setting_get(x->st, STORE_SET_ENUMERATOR, &m.enumerator) != 0
        || store_setting_get(x->st, STORE_SET_COMMUNE, &m.commune) != 0) {
        x->err = xstrdup(store_errmsg(x->st));
        bundle_manifest_clear(&m);
        return -1;
    }
    if (!m.enumerator)
        m.enumerator = xstrdup("");
    if (!m.commune)
        m.commune = xstrdup("");
    bundle_writer *w = x->w;
    x->w = NULL;
    int rc = x->seal ? ex_seal(x, w, &m, dir, path)
                     : bundle_writer_commit(w, &m, path, &x->err);
    if (rc == 0) {
        char now[32], now_ms[32];
        store_now_both(now, now_ms);
        for (size_t i = 0; rc == 0 && i < x->n; i++)
            if (store_mark_exported_tx(x->st, x->uuids[i], now, now_ms,
                                       m.uuid) < 0) {
                x->err = xstrdup(store_errmsg(x->st));
                rc = -1;
            }
    }
    bundle_manifest_clear(&m);
    return rc;
}

static void ex_free(exporter *x)
{
    bundle_writer_abort(x->w);
    for (size_t i = 0; i < x->n; i++)
        free(x->uuids[i]);
    free(x->uuids);
    free(x->device);
}

int bundle_export(store *st, const char *dir, unsigned flags, char **path,
                  long *count, char **err)
{
    return bundle_export_sealed(st, dir, flags, NULL, NULL, path, count, err);
}

int bundle_export_sealed(store *st, const char *dir, unsigned flags,
                         bundle_seal_fn seal, void *ctx, char **path,
                         long *count, char **err)
{
    *path = NULL;
    *count = 0;
    exporter x = {.st = st, .flags = flags, .seal = seal, .seal_ctx = ctx};
    if (store_device_id(st, &x.device) != 0 || store_begin(st) != 0) {
        *err = xstrdup(store_errmsg(st));
        ex_free(&x);
        return -1;
    }
    int rc = ex_query(&x, EX_UUIDS);
    if (rc == 0 && x.n > 0)
        rc = ex_snapshots(&x);
    if (rc == 0 && x.n > 0)
        rc = ex_write(&x, dir, path);
    if (rc == 0 && x.n > 0 && store_commit(st) != 0) {
        x.err = xstrdup(store_errmsg(st));
        rc = -1;
    }
    if (rc != 0 || x.n == 0)
        store_rollback(st);
    if (rc != 0 && *path) {
        unlink(*path);
        free(*path);
        *path = NULL;
    }
    *count = rc == 0 ? (long)x.n : 0;
    if (rc != 0)
        *err = x.err;
    else
        free(x.err);
    ex_free(&x);
    return rc;
}
