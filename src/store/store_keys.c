/* store_keys.c: the identity and trusted tables.  The keys module
 * (src/sync/keys*.c) gives them meaning (fingerprints, cards, trust); this
 * file only keeps their rows. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define TRUSTED_COLS "fingerprint, sign_pk, box_pk, role, commune, name," \
    " purpose, trusted, revoked, device"

/* Copy a blob column of exactly n bytes; -1 when it has another size. */
static int blob_col(sqlite3_stmt *s, int i, unsigned char *out, size_t n)
{
    const void *p = sqlite3_column_blob(s, i);
    if (!p || (size_t)sqlite3_column_bytes(s, i) != n)
        return -1;
    memcpy(out, p, n);
    return 0;
}

int store_identity_get(store *st, store_identity *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_prepare(st, "a query of the keys",
        "SELECT sign_pk, sign_sk, box_pk, box_sk FROM identity WHERE id = 1");
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        rc = blob_col(s, 0, out->sign_pk, sizeof out->sign_pk)
            || blob_col(s, 1, out->sign_sk, sizeof out->sign_sk)
            || blob_col(s, 2, out->box_pk, sizeof out->box_pk)
            || blob_col(s, 3, out->box_sk, sizeof out->box_sk)
            ? store_failx(st, "the identity of this database is damaged")
            : 0;
    } else {
        rc = rc == SQLITE_DONE ? 1 : store_fail(st, "reading the identity");
    }
    sqlite3_finalize(s);
    return rc;
}

int store_identity_put(store *st, const store_identity *id, int replace)
{
    char now[32];
    store_now(now, 0);
    sqlite3_stmt *s = store_prepare(st, "a query of the keys", replace
        ? "INSERT OR REPLACE INTO identity VALUES (1, ?1, ?2, ?3, ?4, ?5)"
        : "INSERT OR IGNORE INTO identity VALUES (1, ?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return -1;
    sqlite3_bind_blob(s, 1, id->sign_pk, sizeof id->sign_pk, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, id->sign_sk, sizeof id->sign_sk, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, id->box_pk, sizeof id->box_pk, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, id->box_sk, sizeof id->box_sk, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0
        : store_fail(st, "saving the identity");
    sqlite3_finalize(s);
    return rc;
}

void store_trusted_clear(store_trusted *t)
{
    free(t->fingerprint);
    free(t->role);
    free(t->commune);
    free(t->name);
    free(t->purpose);
    free(t->trusted);
    free(t->revoked);
    free(t->device);
    memset(t, 0, sizeof *t);
}

/* Run sql with the fingerprint (and time) bound; 0 or -1. */
static int exec_fpr(store *st, const char *sql, const char *fpr,
                    const char *now)
{
    sqlite3_stmt *s = store_prepare(st, "a query of the keys", sql);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, fpr, -1, SQLITE_STATIC);
    if (now)
        sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0
        : store_fail(st, "changing the trusted keys");
    sqlite3_finalize(s);
    return rc;
}

/* Remember, for good, that this database has trusted a card to send it
 * bundles (sealed_in) or an office to seal for (sealed_out): a setting,
 * not a count of rows, since a card trusted again under the other purpose
 * changes its row, and revoking must never reopen the plain path. */
static int mark_sealed(store *st)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO settings (key, value)"
        " SELECT CASE purpose WHEN 'accept' THEN '" STORE_SET_SEALED_IN "'"
        " ELSE '" STORE_SET_SEALED_OUT "' END, '1'"
        " FROM trusted GROUP BY purpose";
    return sqlite3_exec(store_sqlite(st), sql, NULL, NULL, NULL) == SQLITE_OK
        ? 0 : store_fail(st, "saving that bundles are sealed");
}

/* Insert or update one trusted row, inside or outside a transaction. */
static int trusted_put(store *st, const store_trusted *t, int keep)
{
    /* Before the row changes: its purpose until now counts too. */
    if (mark_sealed(st) != 0)
        return -1;
    /* A card without a device (made before cards named theirs) keeps the
     * device an earlier card of the same keys gave. */
    sqlite3_stmt *s = store_prepare(st, "a query of the keys", keep
        ? "INSERT OR IGNORE INTO trusted (" TRUSTED_COLS ") VALUES"
          " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        : "INSERT INTO trusted (" TRUSTED_COLS ") VALUES"
          " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
          " ON CONFLICT (fingerprint) DO UPDATE SET role = excluded.role,"
          " commune = excluded.commune, name = excluded.name,"
          " purpose = excluded.purpose, trusted = excluded.trusted,"
          " revoked = NULL, device = coalesce(excluded.device, device)");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, t->fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, t->sign_pk, sizeof t->sign_pk, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, t->box_pk, sizeof t->box_pk, SQLITE_STATIC);
    const char *v[6] = {t->role, t->commune, t->name, t->purpose,
                        t->trusted, t->revoked};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(s, 4 + i, v[i], -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 10, t->device, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0
        : store_fail(st, "saving a trusted card");
    sqlite3_finalize(s);
    return rc == 0 ? mark_sealed(st) : rc;
}

int store_trusted_put(store *st, const store_trusted *t, int keep)
{
    return trusted_put(st, t, keep);
}

int store_trusted_trust(store *st, const store_trusted *t)
{
    if (store_begin(st) != 0)
        return -1;
    int rc = 0;
    if (strcmp(t->purpose, "upstream") == 0)
        rc = exec_fpr(st, "UPDATE trusted SET revoked = ?2"
                      " WHERE purpose = 'upstream' AND revoked IS NULL"
                      " AND fingerprint <> ?1", t->fingerprint, t->trusted);
    if (rc == 0)
        rc = trusted_put(st, t, 0);
    if (rc == 0 && store_commit(st) != 0)
        rc = -1;
    if (rc != 0)
        store_rollback(st);
    return rc;
}

/* One trusted row into out; -1 when its keys are damaged. */
static int trusted_row(store *st, sqlite3_stmt *s, store_trusted *out)
{
    memset(out, 0, sizeof *out);
    if (blob_col(s, 1, out->sign_pk, sizeof out->sign_pk)
        || blob_col(s, 2, out->box_pk, sizeof out->box_pk))
        return store_failx(st, "the trusted card %s is damaged",
                           (const char *)sqlite3_column_text(s, 0));
    out->fingerprint = store_col_dup(s, 0);
    out->role = store_col_dup(s, 3);
    out->commune = store_col_dup(s, 4);
    out->name = store_col_dup(s, 5);
    out->purpose = store_col_dup(s, 6);
    out->trusted = store_col_dup(s, 7);
    out->revoked = store_col_dup(s, 8);
    out->device = store_col_dup(s, 9);
    return 0;
}

/* The first row of a query with ?1 bound to arg and ?2 to arg2 (each
 * when not NULL): 0, 1 none, -1. */
static int trusted_one(store *st, const char *sql, const char *arg,
                       const char *arg2, store_trusted *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_prepare(st, "a query of the keys", sql);
    if (!s)
        return -1;
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    if (arg2)
        sqlite3_bind_text(s, 2, arg2, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        rc = trusted_row(st, s, out);
    else
        rc = rc == SQLITE_DONE ? 1
                               : store_fail(st, "reading the trusted keys");
    sqlite3_finalize(s);
    return rc;
}

int store_trusted_get(store *st, const char *fpr, store_trusted *out)
{
    return trusted_one(st, "SELECT " TRUSTED_COLS " FROM trusted"
                       " WHERE fingerprint = ?1", fpr, NULL, out);
}

int store_trusted_device_card(store *st, const char *device,
                              const char *fpr, store_trusted *out)
{
    return trusted_one(st, "SELECT " TRUSTED_COLS " FROM trusted"
                       " WHERE revoked IS NULL"
                       " AND fingerprint IS NOT ?2 AND (device = ?1"
                       " OR fingerprint IN (SELECT signer FROM"
                       " bundles WHERE device = ?1))"
                       " ORDER BY device = ?1 DESC, trusted LIMIT 1",
                       device, fpr, out);
}

int store_trusted_upstream(store *st, store_trusted *out)
{
    return trusted_one(st, "SELECT " TRUSTED_COLS " FROM trusted"
                       " WHERE purpose = 'upstream' AND revoked IS NULL"
                       " ORDER BY trusted DESC LIMIT 1", NULL, NULL, out);
}

/* The one number that sql counts. */
static int trusted_count(store *st, const char *sql, long *n)
{
    return store_count_sql(st, sql, "counting the trusted keys", n);
}

int store_trusted_accepting(store *st, long *n)
{
    return trusted_count(st, "SELECT count(*) FROM trusted WHERE purpose ="
                         " 'accept' AND revoked IS NULL", n);
}

int store_trusted_accepted_ever(store *st, long *n)
{
    return trusted_count(st, "SELECT (SELECT count(*) FROM trusted"
                         " WHERE purpose = 'accept') + (SELECT count(*)"
                         " FROM settings WHERE key = '" STORE_SET_SEALED_IN
                         "')", n);
}

int store_trusted_sealed_out(store *st, int *yes, store_trusted *last)
{
    long n = 0;
    *yes = 0;
    memset(last, 0, sizeof *last);
    if (trusted_count(st, "SELECT (SELECT count(*) FROM trusted"
                      " WHERE purpose = 'upstream') + (SELECT count(*)"
                      " FROM settings WHERE key = '" STORE_SET_SEALED_OUT
                      "')", &n) != 0)
        return -1;
    *yes = n > 0;
    if (!*yes)
        return 1;
    return trusted_one(st, "SELECT " TRUSTED_COLS " FROM trusted"
                       " WHERE purpose = 'upstream'"
                       " ORDER BY trusted DESC LIMIT 1", NULL, NULL,
                       last);
}

int store_trusted_revoke(store *st, const char *fpr, const char *when)
{
    return exec_fpr(st, "UPDATE trusted SET revoked = ?2"
                    " WHERE fingerprint = ?1", fpr, when);
}

int store_trusted_each(store *st, store_trusted_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a query of the keys",
        "SELECT " TRUSTED_COLS " FROM trusted"
        " ORDER BY purpose = 'upstream' DESC,"
        " revoked IS NOT NULL, trusted, fingerprint");
    if (!s)
        return -1;
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_trusted t;
        if (trusted_row(st, s, &t) != 0) {
            stop = -1;
            break;
        }
        stop = fn(ctx, &t);
        store_trusted_clear(&t);
    }
    if (!stop && rc != SQLITE_DONE)
        stop = store_fail(st, "listing the trusted keys");
    sqlite3_finalize(s);
    return stop;
}
