/* store_export.h: the rows a bundle export takes from the laptop's or
 * office's database.  The bundle code (src/sync/bundle_export.c) writes
 * them into the bundle; the queries and the choice of interviews live
 * here, with the tables they read. */
#ifndef KHAOSAT_STORE_EXPORT_H
#define KHAOSAT_STORE_EXPORT_H

#include <stddef.h>

#include "store/store.h"

/* What to read, in the order a bundle is written.  Each set covers the
 * interviews an export takes (complete ones not yet exported, see the
 * flags of store_export_rows). */
enum store_export_set {
    STORE_EX_UUIDS,   /* uuid */
    STORE_EX_FORMS,   /* form_id, version, source */
    STORE_EX_IVS,     /* uuid, form_id, form_version, status, enumerator,
                       * device_id, created, updated, head */
    STORE_EX_REVS,    /* interview, id, parent, parent2, status, device,
                       * enumerator, created */
    STORE_EX_ITEMS,   /* interview, revision, qid, path, value */
    STORE_EX_AUDIT,   /* interview, device (its origin, or this device),
                       * seq, time, event, qid, path, old_value,
                       * new_value */
    STORE_EX_COUNT
};

/* One row: the text of each column (NULL stays NULL) and its length in
 * bytes, borrowed until the callback returns. */
typedef struct store_export_row {
    const char *col[9];
    size_t len[9];
} store_export_row;

/* Called with each row; non-zero stops the query. */
typedef int (*store_export_fn)(void *ctx, const store_export_row *r);

/* Hand each row of set to fn: the interviews exported before too when
 * all is non-zero, drafts too when drafts is; device names this
 * database's own audit rows.  0, 1 when fn stopped it, -1 on failure
 * (store_errmsg). */
int store_export_rows(store *st, enum store_export_set set, int all,
                      int drafts, const char *device, store_export_fn fn,
                      void *ctx);

#endif
