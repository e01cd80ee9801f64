/* store_forms.c: the form definitions kept in the database, each version
 * once and never changed (moved from store.c). */
#include "config.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/util.h"

/* Hex SHA-256 of a text. */
static void sha256_hex(const char *text, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* store_save_form's work, inside a transaction the caller opened. */
static int save_form(store *st, const char *form_id, const char *version,
                     const char *source, size_t len, int64_t *row_id)
{
    char sha[65];
    sha256_hex(source, len, sha);
    sqlite3_stmt *s = store_stmt(st, SS_FORM_FIND);
    if (!s)
        return -1;
    store_bind(s, 1, form_id);
    store_bind(s, 2, version);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, 0);
        int same = strcmp((const char *)sqlite3_column_text(s, 1), sha) == 0;
        sqlite3_reset(s);
        if (!same)
            return store_failx(st, "form %s version %s is already stored "
                               "with a different text; give the changed "
                               "form a new version", form_id, version);
        if (row_id)
            *row_id = id;
        return 0;
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "looking up form %s version %s", form_id,
                          version);
    s = store_stmt(st, SS_FORM_ADD);
    if (!s)
        return -1;
    store_bind(s, 1, form_id);
    store_bind(s, 2, version);
    sqlite3_bind_text64(s, 3, source, len, SQLITE_STATIC, SQLITE_UTF8);
    store_bind(s, 4, sha);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "saving form %s version %s", form_id, version);
    if (row_id)
        *row_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_save_form(store *st, const char *form_id, const char *version,
                    const char *source, size_t len, int64_t *row_id)
{
    if (store_begin(st) != 0)
        return -1;
    if (save_form(st, form_id, version, source, len, row_id) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st);
}

int store_save_form_tx(store *st, const char *form_id, const char *version,
                       const char *source, size_t len)
{
    return save_form(st, form_id, version, source, len, NULL);
}

int store_form_known(store *st, const char *form_id)
{
    sqlite3_stmt *s = store_prepare(st, "looking up a form",
                                    "SELECT 1 FROM forms WHERE form_id = ?1"
                                    " LIMIT 1");
    if (!s)
        return -1;
    store_bind(s, 1, form_id);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "looking up form %s", form_id);
    return rc == SQLITE_ROW;
}

int store_load_form(store *st, const char *form_id, const char *version,
                    store_form *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_stmt(st, SS_FORM_GET);
    if (!s)
        return -1;
    store_bind(s, 1, form_id);
    store_bind(s, 2, version);
    int rc = store_step(st, s);
    if (rc == SQLITE_DONE)
        return 1;
    if (rc != SQLITE_ROW)
        return store_fail(st, "reading form %s version %s", form_id, version);
    out->id = sqlite3_column_int64(s, 0);
    out->form_id = xstrdup(form_id);
    out->version = xstrdup(version);
    out->source_len = (size_t)sqlite3_column_bytes(s, 1);
    out->source = xstrndup((const char *)sqlite3_column_text(s, 1),
                           out->source_len);
    snprintf(out->sha256, sizeof out->sha256, "%s",
             (const char *)sqlite3_column_text(s, 2));
    sqlite3_reset(s);
    return 0;
}

void store_form_clear(store_form *f)
{
    free(f->form_id);
    free(f->version);
    free(f->source);
    memset(f, 0, sizeof *f);
}
