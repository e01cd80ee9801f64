/* store_interview.c: interviews: made, read, listed, counted, their
 * status, position and name, and deleting a draft (moved from store.c). */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* The stored spelling of a status, and back. */
static const char *status_name(store_status s)
{
    return s == STORE_COMPLETE ? "complete" : "draft";
}

static store_status status_parse(const char *s)
{
    return s && strcmp(s, "complete") == 0 ? STORE_COMPLETE : STORE_DRAFT;
}

/* Copy column i of s, keeping NULL as NULL. */
char *store_col_dup(sqlite3_stmt *s, int i)
{
    return xstrdup((const char *)sqlite3_column_text(s, i));
}

/* Fill iv from a row of SS_IV_GET or SS_IV_LIST (IV_COLS in store.c). */
static void interview_from_row(sqlite3_stmt *s, store_interview *iv)
{
    iv->uuid = store_col_dup(s, 0);
    iv->form_id = store_col_dup(s, 1);
    iv->form_version = store_col_dup(s, 2);
    iv->status = status_parse((const char *)sqlite3_column_text(s, 3));
    iv->enumerator = store_col_dup(s, 4);
    iv->device_id = store_col_dup(s, 5);
    iv->created = store_col_dup(s, 6);
    iv->updated = store_col_dup(s, 7);
    iv->position = store_col_dup(s, 8);
    iv->exported_at = store_col_dup(s, 9);
    iv->name = store_col_dup(s, 10);
}

void store_interview_clear(store_interview *iv)
{
    free(iv->uuid);
    free(iv->form_id);
    free(iv->form_version);
    free(iv->enumerator);
    free(iv->device_id);
    free(iv->created);
    free(iv->updated);
    free(iv->position);
    free(iv->exported_at);
    free(iv->name);
    memset(iv, 0, sizeof *iv);
}

int store_interview_create(store *st, const char *form_id,
                           const char *version, const char *enumerator,
                           char out[37])
{
    char *device;
    if (store_device_id(st, &device) != 0)
        return -1;
    char uuid[37], now[32], now_ms[32];
    store_uuid_v4(uuid);
    store_now_both(now, now_ms);
    if (store_begin(st) != 0) {
        free(device);
        return -1;
    }
    sqlite3_stmt *s = store_stmt(st, SS_IV_ADD);
    int rc = SQLITE_ERROR;
    if (s) {
        store_bind(s, 1, uuid);
        store_bind(s, 2, form_id);
        store_bind(s, 3, version);
        store_bind(s, 4, now);
        store_bind(s, 5, enumerator ? enumerator : "");
        store_bind(s, 6, device);
        rc = store_step(st, s);
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            store_failx(st, "creating an interview: form %s version %s is "
                        "not stored; save the form first", form_id, version);
        else if (rc != SQLITE_DONE)
            store_fail(st, "creating an interview of form %s", form_id);
        else if ((rc = store_audit_add(st, uuid, now_ms, "create", NULL, NULL,
                                       NULL, "draft")) != SQLITE_DONE)
            store_fail(st, "auditing new interview %s", uuid);
    }
    free(device);
    if (rc != SQLITE_DONE) {
        store_rollback(st);
        return -1;
    }
    if (store_commit(st) != 0)
        return -1;
    memcpy(out, uuid, sizeof uuid);
    return 0;
}

int store_get_interview(store *st, const char *uuid, store_interview *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    int rc = store_row_by_key(st, SS_IV_GET, uuid, "interview", &s);
    if (rc != 0)
        return rc;
    interview_from_row(s, out);
    sqlite3_reset(s);
    return 0;
}

/* The status of an interview: 0, 1 when there is none, or -1. */
static int read_status(store *st, const char *uuid, store_status *out)
{
    sqlite3_stmt *s;
    int rc = store_row_by_key(st, SS_IV_STATUS, uuid, "interview", &s);
    if (rc != 0)
        return rc;
    *out = status_parse((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return 0;
}

int store_interview_set_status(store *st, const char *uuid,
                               store_status status)
{
    char now[32], now_ms[32];
    store_now_both(now, now_ms);
    if (store_begin(st) != 0)
        return -1;
    store_status old;
    int rc = store_guard_check(st, uuid) ? -1 : read_status(st, uuid, &old);
    if (rc == 1)
        store_failx(st, "no interview %s", uuid);
    if (rc != 0)
        goto fail;
    if (old == status) {
        store_rollback(st);
        return 0;
    }
    sqlite3_stmt *s = store_stmt(st, SS_IV_SET_STATUS);
    if (!s)
        goto fail;
    store_bind(s, 1, uuid);
    store_bind(s, 2, status_name(status));
    store_bind(s, 3, now);
    if (store_step(st, s) != SQLITE_DONE) {
        store_fail(st, "changing the status of interview %s", uuid);
        goto fail;
    }
    if (store_audit_add(st, uuid, now_ms, "status", NULL, NULL,
                        status_name(old), status_name(status))
        != SQLITE_DONE) {
        store_fail(st, "auditing interview %s", uuid);
        goto fail;
    }
    /* Finalising, or reopening a complete interview, makes a revision. */
    if ((old == STORE_COMPLETE || status == STORE_COMPLETE)
        && store_rev_snapshot_tx(st, uuid, 0, NULL) != 0)
        goto fail;
    store_figures_changed(st, uuid);
    return store_commit(st);
fail:
    store_rollback(st);
    return -1;
}

int store_interview_set_position(store *st, const char *uuid,
                                 const char *position)
{
    sqlite3_stmt *s = store_stmt(st, SS_IV_SET_POS);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, position);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "saving the position in interview %s", uuid);
    if (sqlite3_changes(st->db) == 0)
        return store_failx(st, "no interview %s", uuid);
    return 0;
}

int store_interview_set_name(store *st, const char *uuid, const char *name)
{
    sqlite3_stmt *s = store_stmt(st, SS_IV_SET_NAME);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, name);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "saving the name of interview %s", uuid);
    return 0;
}

int store_interview_deletable(store *st, const char *uuid)
{
    store_status status;
    int rc = read_status(st, uuid, &status);
    if (rc == 1)
        return store_failx(st, "no interview %s", uuid);
    if (rc == 0 && status != STORE_DRAFT)
        return store_failx(st, "interview %s is complete; only drafts can be "
                           "deleted", uuid);
    if (rc != 0)
        return -1;
    /* A return is the office waiting for corrections: deleted, it would
     * never hear of the interview again. */
    char *returned = NULL;
    rc = store_text_by_key(st, "SELECT status FROM reviews WHERE"
                           " interview = ?1 AND status = 'returned'", uuid,
                           "looking up the review of", &returned);
    free(returned);
    if (rc == 0) {
        store_failx(st, "interview %s was returned by the office for "
                    "corrections and cannot be deleted: correct it and "
                    "finish it again, or ask the office to withdraw the "
                    "return", uuid);
        return 1;
    }
    return rc < 0 ? -1 : 0;
}

int store_interview_delete(store *st, const char *uuid)
{
    if (store_begin(st) != 0)
        return -1;
    if (store_interview_deletable(st, uuid) != 0)
        goto fail;      /* its message says why */
    /* Answers, repeat counts and audit rows go by ON DELETE CASCADE. */
    sqlite3_stmt *s = store_stmt_key(st, SS_IV_DELETE, uuid);
    if (!s)
        goto fail;
    if (store_step(st, s) != SQLITE_DONE) {
        store_fail(st, "deleting interview %s", uuid);
        goto fail;
    }
    return store_commit(st);
fail:
    store_rollback(st);
    return -1;
}

int store_list_interviews(store *st, const char *form_id,
                          store_interview_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_stmt_key(st, SS_IV_LIST, form_id);
    if (!s)
        return -1;
    /* Read everything first, so the callback may use the store freely. */
    store_interview *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        v = util_grow(v, &cap, n + 1, sizeof *v);
        interview_from_row(s, &v[n++]);
    }
    int ret = 0;
    if (rc != SQLITE_DONE)
        ret = store_fail(st, "listing interviews");
    for (size_t i = 0; i < n; i++) {
        if (ret == 0)
            ret = fn(ctx, &v[i]);
        store_interview_clear(&v[i]);
    }
    free(v);
    return ret;
}

/* Iterate the per-form counts of form_id (NULL: all forms). */
static int each_count(store *st, const char *form_id, store_count_fn fn,
                      void *ctx)
{
    sqlite3_stmt *s = store_stmt_key(st, SS_COUNT, form_id);
    if (!s)
        return -1;
    int rc, ret = 0;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        store_counts c = {
            .drafts = (long)sqlite3_column_int64(s, 1),
            .complete = (long)sqlite3_column_int64(s, 2),
            .not_exported = (long)sqlite3_column_int64(s, 3),
            .superseded = (long)sqlite3_column_int64(s, 4),
        };
        ret = fn(ctx, (const char *)sqlite3_column_text(s, 0), &c);
        if (ret != 0) {
            sqlite3_reset(s);
            return ret;
        }
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "counting interviews");
    return 0;
}

/* Add one form's counts to a running total. */
static int add_counts(void *ctx, const char *form_id, const store_counts *c)
{
    (void)form_id;
    store_counts *t = ctx;
    t->drafts += c->drafts;
    t->complete += c->complete;
    t->not_exported += c->not_exported;
    t->superseded += c->superseded;
    return 0;
}

int store_count(store *st, const char *form_id, store_counts *out)
{
    memset(out, 0, sizeof *out);
    return each_count(st, form_id, add_counts, out);
}

int store_count_by_form(store *st, store_count_fn fn, void *ctx)
{
    return each_count(st, NULL, fn, ctx);
}
