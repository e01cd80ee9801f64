/* store_export.c: the queries of a bundle export. */
#include "config.h"
#include "store/store_export.h"

#include "store/store_int.h"

/* The interviews an export takes: ?1 all, ?2 drafts too. */
#define EXPORT_WHERE " (i.status = 'complete' OR ?2)" \
    " AND (?1 OR i.exported_at IS NULL)"

static const char *const export_sql[STORE_EX_COUNT] = {
    [STORE_EX_UUIDS] = "SELECT i.uuid FROM interviews i WHERE" EXPORT_WHERE
    " ORDER BY i.uuid",
    [STORE_EX_FORMS] = "SELECT form_id, version, source FROM forms"
    " WHERE (form_id, version) IN"
    " (SELECT i.form_id, i.form_version FROM interviews i WHERE"
    EXPORT_WHERE ") ORDER BY form_id, version",
    [STORE_EX_IVS] = "SELECT uuid, form_id, form_version, status,"
    " enumerator, device_id, created, updated, head FROM interviews i WHERE"
    EXPORT_WHERE " ORDER BY uuid",
    [STORE_EX_REVS] = "SELECT r.interview, r.id, r.parent, r.parent2,"
    " r.status, r.device, r.enumerator, r.created FROM interviews i"
    " JOIN revisions r ON r.interview = i.uuid WHERE" EXPORT_WHERE
    " ORDER BY r.interview, r.id",
    [STORE_EX_ITEMS] = "SELECT r.interview, t.revision, t.qid, t.path,"
    " t.value FROM interviews i"
    " JOIN revisions r ON r.interview = i.uuid JOIN revision_items t"
    " ON t.revision = r.id WHERE" EXPORT_WHERE
    " ORDER BY r.interview, t.revision, t.qid, t.path",
    [STORE_EX_AUDIT] = "SELECT a.interview, coalesce(a.origin, ?3),"
    " coalesce(a.origin_seq, a.seq), a.time, a.event, a.qid, a.path,"
    " a.old_value, a.new_value FROM interviews i JOIN audit a"
    " ON a.interview = i.uuid WHERE" EXPORT_WHERE
    " ORDER BY a.interview, 2, 3",
};

int store_export_rows(store *st, enum store_export_set set, int all,
                      int drafts, const char *device, store_export_fn fn,
                      void *ctx)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, export_sql[set], -1, &s, NULL)
        != SQLITE_OK)
        return store_failx(st, "preparing the export: %s",
                           sqlite3_errmsg(st->db));
    sqlite3_bind_int(s, 1, all != 0);
    sqlite3_bind_int(s, 2, drafts != 0);
    if (set == STORE_EX_AUDIT)
        sqlite3_bind_text(s, 3, device, -1, SQLITE_STATIC);
    int n = sqlite3_column_count(s), rc;
    store_export_row r = {{0}, {0}};
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < n && i < 9; i++) {
            r.col[i] = (const char *)sqlite3_column_text(s, i);
            r.len[i] = (size_t)sqlite3_column_bytes(s, i);
        }
        if (fn(ctx, &r) != 0) {
            sqlite3_finalize(s);
            return 1;
        }
    }
    if (rc != SQLITE_DONE)
        store_failx(st, "reading interviews to export: %s",
                    sqlite3_errmsg(st->db));
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}
