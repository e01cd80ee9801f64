/* store_canon.c: the schema 6 migration: answers written before values
 * had one canonical form ("08", "85,50", text typed with combining marks)
 * are rewritten in it, with an audit row each ('canonical', old -> new),
 * so that keys, duplicate detection and merges compare like with like.
 * The question types come from the form texts kept in the database. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/form.h"
#include "core/util.h"

/* The form of (form_id, version) as stored, or NULL when it cannot be
 * read (its answers are then left as they are). */
static form *canon_form(sqlite3 *db, const char *form_id, const char *version)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT source FROM forms WHERE form_id = ?1"
                           " AND version = ?2", -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(s, 1, form_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
    form *f = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        diag_list d;
        diag_init(&d);
        const char *src = (const char *)sqlite3_column_text(s, 0);
        f = form_load_string(src, (size_t)sqlite3_column_bytes(s, 0),
                             form_id, &d);
        diag_free(&d);
    }
    sqlite3_finalize(s);
    return f;
}

/* Rewrite one answer in canonical form (and audit it); SQLite's code. */
static int canon_rewrite(sqlite3 *db, sqlite3_stmt *put, sqlite3_stmt *audit,
                         const char *uuid, const char *qid, const char *path,
                         const char *old, const char *canon, const char *now)
{
    sqlite3_bind_text(put, 1, canon, -1, SQLITE_STATIC);
    sqlite3_bind_text(put, 2, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(put, 3, qid, -1, SQLITE_STATIC);
    sqlite3_bind_text(put, 4, path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(put);
    sqlite3_reset(put);
    if (rc != SQLITE_DONE)
        return rc;
    const char *v[] = {uuid, now, "canonical", qid, path, old, canon};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(audit, i + 1, v[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(audit);
    sqlite3_reset(audit);
    return rc;
}

/* One answer to rewrite: interview, qid, path, old value; and the new. */
typedef struct canon_change {
    char *col[4];
    char *canon;
} canon_change;

typedef struct canon_list {
    canon_change *v;
    size_t n, cap;
} canon_list;

/* Canonicalise the answers of every interview of one form version. */
static int canon_version(sqlite3 *db, const form *f, const char *version,
                         sqlite3_stmt *put, sqlite3_stmt *audit,
                         const char *now)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT a.interview, a.qid, a.path, a.value"
                           " FROM answers a JOIN interviews i"
                           " ON i.uuid = a.interview WHERE i.form_id = ?1"
                           " AND i.form_version = ?2", -1, &s, NULL))
        return -1;
    sqlite3_bind_text(s, 1, f->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, version, -1, SQLITE_STATIC);
    /* Collect first: the rows are rewritten once the scan is closed. */
    canon_list l = {NULL, 0, 0};
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *val = (const char *)sqlite3_column_text(s, 3);
        int q = form_find(f, (const char *)sqlite3_column_text(s, 1));
        if (q < 0 || !val)
            continue;
        char *c = canon_answer(f->q[q].type, val);
        if (strcmp(c, val) == 0) {
            free(c);
            continue;
        }
        l.v = util_grow(l.v, &l.cap, l.n + 1, sizeof *l.v);
        canon_change *ch = &l.v[l.n++];
        for (int i = 0; i < 4; i++)
            ch->col[i] = xstrdup((const char *)sqlite3_column_text(s, i));
        ch->canon = c;
    }
    sqlite3_finalize(s);
    int bad = rc != SQLITE_DONE;
    for (size_t i = 0; i < l.n; i++) {
        canon_change *ch = &l.v[i];
        if (!bad)
            bad = canon_rewrite(db, put, audit, ch->col[0], ch->col[1],
                                ch->col[2], ch->col[3], ch->canon, now)
                  != SQLITE_DONE;
        for (int k = 0; k < 4; k++)
            free(ch->col[k]);
        free(ch->canon);
    }
    free(l.v);
    return bad ? -1 : 0;
}

/* The case key of interview uuid from its (canonical) answers, as merges
 * write it: "village=01, hh_no=8"; NULL when a key answer is missing. */
static char *canon_key(sqlite3 *db, sqlite3_stmt *ans, const form *f,
                       const char *uuid)
{
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < f->nkey; i++) {
        const char *qid = f->q[f->key[i]].id;
        sqlite3_bind_text(ans, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(ans, 2, qid, -1, SQLITE_STATIC);
        int have = sqlite3_step(ans) == SQLITE_ROW &&
                   sqlite3_column_bytes(ans, 0) > 0;
        if (have)
            sbuf_addf(&b, "%s%s=%s", i ? ", " : "", qid,
                      (const char *)sqlite3_column_text(ans, 0));
        sqlite3_reset(ans);
        if (!have) {
            sbuf_free(&b);
            return NULL;
        }
    }
    return sbuf_detach(&b);
}

/* The case keys recorded by merges, made again from the canonical answers
 * so that later merges (which compare canonical keys) find duplicates. */
static int canon_case_keys(sqlite3 *db, const form *f, const char *version)
{
    if (f->nkey == 0)
        return 0;
    sqlite3_stmt *sel = NULL, *ans = NULL, *put = NULL;
    int bad = sqlite3_prepare_v2(db, "SELECT c.interview FROM case_keys c"
                                 " JOIN interviews i ON i.uuid = c.interview"
                                 " WHERE i.form_id = ?1 AND i.form_version = ?2"
                                 " AND c.key IS NOT NULL", -1, &sel, NULL)
        || sqlite3_prepare_v2(db, "SELECT value FROM answers WHERE"
                              " interview = ?1 AND qid = ?2 AND path = ''",
                              -1, &ans, NULL)
        || sqlite3_prepare_v2(db, "UPDATE case_keys SET key = ?1 WHERE"
                              " interview = ?2", -1, &put, NULL);
    char **uuids = NULL;
    size_t n = 0;
    if (!bad) {
        sqlite3_bind_text(sel, 1, f->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(sel, 2, version, -1, SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
            uuids = xrealloc(uuids, (n + 1) * sizeof *uuids);
            uuids[n++] = xstrdup((const char *)sqlite3_column_text(sel, 0));
        }
        bad = rc != SQLITE_DONE;
    }
    for (size_t i = 0; i < n; i++) {
        char *key = bad ? NULL : canon_key(db, ans, f, uuids[i]);
        if (key) {
            sqlite3_bind_text(put, 1, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(put, 2, uuids[i], -1, SQLITE_STATIC);
            bad = sqlite3_step(put) != SQLITE_DONE;
            sqlite3_reset(put);
        }
        free(key);
        free(uuids[i]);
    }
    free(uuids);
    sqlite3_finalize(sel);
    sqlite3_finalize(ans);
    sqlite3_finalize(put);
    return bad ? -1 : 0;
}

int store_canon_migrate(sqlite3 *db)
{
    sqlite3_stmt *forms = NULL, *put = NULL, *audit = NULL;
    int bad = sqlite3_prepare_v2(db, "SELECT DISTINCT form_id, form_version"
                                 " FROM interviews", -1, &forms, NULL)
        || sqlite3_prepare_v2(db, "UPDATE answers SET value = ?1 WHERE"
                              " interview = ?2 AND qid = ?3 AND path = ?4",
                              -1, &put, NULL)
        || sqlite3_prepare_v2(db, "INSERT INTO audit (interview, time, event,"
                              " qid, path, old_value, new_value) VALUES"
                              " (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &audit,
                              NULL);
    char now[32];
    store_now(now, 1);
    while (!bad && sqlite3_step(forms) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(forms, 0);
        const char *version = (const char *)sqlite3_column_text(forms, 1);
        form *f = canon_form(db, id, version);
        if (f)
            bad = canon_version(db, f, version, put, audit, now) != 0
                  || canon_case_keys(db, f, version) != 0;
        form_free(f);
    }
    /* A rewritten interview goes out again with the next export. */
    if (!bad)
        bad = sqlite3_exec(db, "UPDATE interviews SET exported_at = NULL"
                           " WHERE uuid IN (SELECT interview FROM audit"
                           " WHERE event = 'canonical')", NULL, NULL,
                           NULL) != SQLITE_OK;
    sqlite3_finalize(forms);
    sqlite3_finalize(put);
    sqlite3_finalize(audit);
    return bad ? -1 : 0;
}
