/* store_notes.c: a note on any question of an interview (CSPro's notes,
 * ODK's comments): what the enumerator wants the office to know about an
 * answer. Kept beside the answer and keyed the same way (interview,
 * question, repeat path); each change is audited as a 'note' event in the
 * same transaction and marks the interview changed, as an answer does. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

#include <utf8proc.h>

/* Inside a transaction: the note on (uuid, qid, path) into *out (newly
 * allocated, NULL when none); 0 or -1. */
static int note_read(store *st, const char *uuid, const char *qid,
                     const char *path, char **out)
{
    *out = NULL;
    sqlite3_stmt *s = store_prepare(st, "reading a note",
                                    "SELECT note FROM notes WHERE"
                                    " interview = ?1 AND qid = ?2"
                                    " AND path = ?3");
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, qid);
    store_bind(s, 3, path);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = store_col_dup(s, 0);
    else if (rc != SQLITE_DONE)
        store_fail(st, "reading the note on %s of interview %s", qid, uuid);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Inside a transaction: write (text) or delete (NULL) the note. */
static int note_write(store *st, const char *uuid, const char *qid,
                      const char *path, const char *text)
{
    sqlite3_stmt *s = store_prepare(st, "saving a note", text
        ? "INSERT INTO notes (interview, qid, path, note)"
          " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (interview, qid, path)"
          " DO UPDATE SET note = excluded.note"
        : "DELETE FROM notes WHERE interview = ?1 AND qid = ?2"
          " AND path = ?3");
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, qid);
    store_bind(s, 3, path);
    if (text)
        store_bind(s, 4, text);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        store_fail(st, "saving the note on %s of interview %s", qid, uuid);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

const char *store_note_problem(const char *text)
{
    size_t n = strlen(text);
    if (n > STORE_NOTE_MAX)
        return N_("longer than a note can be");
    if (!n || !util_utf8_valid(text, n))
        return N_("not a note's text");
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(
            (const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(n - i),
            &cp);
        if (len <= 0)
            return N_("not a note's text");
        /* Lines and tabs are a note's own; no other control is. */
        if (cp != '\n' && cp != '\t' && ui_text_is_control((unsigned long)cp))
            return N_("a text with a control character");
        i += (size_t)len;
    }
    return NULL;
}

int store_note_set_tx(store *st, const char *uuid, const char *qid,
                      const char *path, const char *text, const char *now,
                      const char *now_ms)
{
    char *old = NULL;
    if (note_read(st, uuid, qid, path, &old) != 0)
        return -1;
    if (old ? text && !strcmp(old, text) : !text) {
        free(old);          /* nothing changes: nothing to write */
        return 1;
    }
    int rc = store_touch(st, uuid, now);
    if (rc == 1)
        store_failx(st, "no interview %s", uuid);
    if (rc == 0 && note_write(st, uuid, qid, path, text) != 0)
        rc = -1;
    if (rc == 0 && store_audit_add(st, uuid, now_ms, "note", qid, path, old,
                                   text) != SQLITE_DONE)
        rc = store_fail(st, "auditing the note on %s of interview %s", qid,
                        uuid);
    free(old);
    return rc ? -1 : 0;
}

int store_note_set(store *st, const char *uuid, const char *qid,
                   const char *path, const char *text)
{
    if (!path)
        path = "";
    if (text && !*text)
        text = NULL;
    if (!store_path_valid(path))
        return store_failx(st, "note on %s of interview %s: bad repeat "
                           "path \"%s\"", qid, uuid, path);
    char now[32], now_ms[32];
    store_now_both(now, now_ms);
    if (store_begin(st) != 0)
        return -1;
    int rc = store_note_set_tx(st, uuid, qid, path, text, now, now_ms);
    if (rc == 0)
        return store_commit(st);
    store_rollback(st);
    return rc > 0 ? 0 : -1;
}

int store_note_get(store *st, const char *uuid, const char *qid,
                   const char *path, char **out)
{
    return note_read(st, uuid, qid, path ? path : "", out);
}

int store_notes_each(store *st, const char *uuid, store_note_fn fn,
                     void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "listing notes",
                                    "SELECT interview, qid, path, note"
                                    " FROM notes WHERE ?1 IS NULL OR"
                                    " interview = ?1"
                                    " ORDER BY interview, path, qid");
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
        stop = fn(ctx, (const char *)sqlite3_column_text(s, 0),
                  (const char *)sqlite3_column_text(s, 1),
                  (const char *)sqlite3_column_text(s, 2),
                  (const char *)sqlite3_column_text(s, 3));
    if (!stop && rc != SQLITE_DONE)
        store_fail(st, "listing the notes%s%s", uuid ? " of interview " : "",
                   uuid ? uuid : "");
    sqlite3_finalize(s);
    return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}

/* A note of a later instance and the path it moves to. */
typedef struct note_move {
    char *qid, *from, *to;
    long j;               /* the instance it is in */
} note_move;

/* Lower instances first, so that no note moves onto one still there. */
static int note_move_cmp(const void *pa, const void *pb)
{
    const note_move *a = pa, *b = pb;
    return (a->j > b->j) - (a->j < b->j);
}

int store_notes_shift_tx(store *st, const char *uuid, const char *base,
                         long k)
{
    sqlite3_stmt *s = store_prepare(st, "renumbering notes",
                                    "SELECT qid, path FROM notes WHERE"
                                    " interview = ?1 AND substr(path, 1,"
                                    " length(?2)) = ?2 ORDER BY path");
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, base);
    note_move *mv = NULL;
    size_t n = 0, cap = 0;
    size_t blen = strlen(base);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(s, 1);
        char *end;
        long j = strtol(path + blen, &end, 10);
        if (*end != ']' || j < k)
            continue;
        mv = util_grow(mv, &cap, n + 1, sizeof *mv);
        mv[n].qid = store_col_dup(s, 0);
        mv[n].from = xstrdup(path);
        mv[n].j = j;
        /* The removed instance's notes go (to: NULL) with it. */
        mv[n++].to = j == k ? NULL
                            : xasprintf("%s%ld%s", base, j - 1, end);
    }
    sqlite3_finalize(s);
    int bad = rc != SQLITE_DONE;
    if (bad)
        store_fail(st, "renumbering the notes of interview %s", uuid);
    if (n)
        qsort(mv, n, sizeof *mv, note_move_cmp);
    for (size_t i = 0; i < n; i++) {
        if (!bad) {
            sqlite3_stmt *u = store_prepare(st, "renumbering notes", mv[i].to
                ? "UPDATE notes SET path = ?4 WHERE interview = ?1"
                  " AND qid = ?2 AND path = ?3"
                : "DELETE FROM notes WHERE interview = ?1 AND qid = ?2"
                  " AND path = ?3");
            bad = !u;
            if (u) {
                store_bind(u, 1, uuid);
                store_bind(u, 2, mv[i].qid);
                store_bind(u, 3, mv[i].from);
                if (mv[i].to)
                    store_bind(u, 4, mv[i].to);
                bad = sqlite3_step(u) != SQLITE_DONE;
                if (bad)
                    store_fail(st, "renumbering the notes of interview %s",
                               uuid);
                sqlite3_finalize(u);
            }
        }
        free(mv[i].qid);
        free(mv[i].from);
        free(mv[i].to);
    }
    free(mv);
    return bad ? -1 : 0;
}
