/* revision.c: the canonical serialisation of interview content, the
 * revision history kept in the store (see revision.h), and recording
 * exports. */
#include "config.h"
#include "store/revision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "core/form.h"
#include "core/util.h"

void canon_init(canon *c)
{
    crypto_hash_sha256_init(&c->h);
}

void canon_field(canon *c, const char *s, size_t n)
{
    unsigned char head[9];
    if (!s) {
        head[0] = 0;
        crypto_hash_sha256_update(&c->h, head, 1);
        return;
    }
    head[0] = 1;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
    crypto_hash_sha256_update(&c->h, head, sizeof head);
    crypto_hash_sha256_update(&c->h, (const unsigned char *)s, n);
}

void canon_str(canon *c, const char *s)
{
    canon_field(c, s, s ? strlen(s) : 0);
}

void canon_mark(canon *c, char m)
{
    unsigned char b = (unsigned char)m;
    crypto_hash_sha256_update(&c->h, &b, 1);
}

void canon_final(canon *c, char out[REV_HEX + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&c->h, h);
    sodium_bin2hex(out, REV_HEX + 1, h, sizeof h);
}

/* The fields every revision hash starts with. */
static void rev_head(canon *c, const rev_meta *m, const char *p1,
                     const char *p2)
{
    canon_init(c);
    canon_str(c, "khaosat-revision-1");
    canon_str(c, m->interview);
    canon_str(c, m->form_id);
    canon_str(c, m->form_version);
    canon_str(c, m->status);
    canon_str(c, p1);
    canon_str(c, p2);
}

void rev_hash_begin(rev_hasher *h, const rev_meta *m)
{
    rev_head(&h->id, m, m->parent, m->parent2);
    rev_head(&h->content, m, NULL, NULL);
}

void rev_hash_item(rev_hasher *h, const char *qid, const char *path,
                   const char *value)
{
    canon *both[2] = {&h->id, &h->content};
    for (int i = 0; i < 2; i++) {
        canon_mark(both[i], 'R');
        canon_str(both[i], qid);
        canon_str(both[i], path);
        canon_str(both[i], value);
    }
}

void rev_hash_end(rev_hasher *h, char id[REV_HEX + 1],
                  char content[REV_HEX + 1])
{
    char scratch[REV_HEX + 1];
    canon_mark(&h->id, 'E');
    canon_mark(&h->content, 'E');
    canon_final(&h->id, id ? id : scratch);
    canon_final(&h->content, content ? content : scratch);
}

/* Bytewise order with a prefix first, as SQLite's BINARY collation. */
static int bytes_cmp(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c)
        return c;
    return (na > nb) - (na < nb);
}

int rev_item_cmp(const char *qid_a, const char *path_a, const char *qid_b,
                 const char *path_b)
{
    int c = bytes_cmp(qid_a, qid_b);
    return c ? c : bytes_cmp(path_a, path_b);
}

/* What a snapshot needs to know about the interview. */
typedef struct snap_iv {
    char *form_id, *form_version, *status, *head, *enumerator;
} snap_iv;

static void snap_iv_clear(snap_iv *v)
{
    free(v->form_id);
    free(v->form_version);
    free(v->status);
    free(v->head);
    free(v->enumerator);
}

/* Read the interview's form, status and head; 1 when there is none. */
static int snap_read_iv(store *st, const char *uuid, snap_iv *v)
{
    memset(v, 0, sizeof *v);
    sqlite3_stmt *s;
    int rc = store_row_by_key(st, SS_REV_IV, uuid, "interview", &s);
    if (rc != 0)
        return rc;
    v->form_id = xstrdup((const char *)sqlite3_column_text(s, 0));
    v->form_version = xstrdup((const char *)sqlite3_column_text(s, 1));
    v->status = xstrdup((const char *)sqlite3_column_text(s, 2));
    v->head = xstrdup((const char *)sqlite3_column_text(s, 3));
    v->enumerator = xstrdup((const char *)sqlite3_column_text(s, 4));
    sqlite3_reset(s);
    return 0;
}

/* Hash the interview's current items into h. */
static int snap_hash_items(store *st, const char *uuid, rev_hasher *h)
{
    sqlite3_stmt *s = store_stmt_key(st, SS_REV_ITEMS, uuid);
    if (!s)
        return -1;
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW)
        rev_hash_item(h, (const char *)sqlite3_column_text(s, 0),
                      (const char *)sqlite3_column_text(s, 1),
                      (const char *)sqlite3_column_text(s, 2));
    if (rc != SQLITE_DONE)
        return store_fail(st, "reading the answers of interview %s", uuid);
    return 0;
}

/* Non-zero when revision id holds exactly content; -1 on failure. */
static int snap_same_content(store *st, const char *id, const char *content)
{
    sqlite3_stmt *s;
    int rc = store_row_by_key(st, SS_REV_CONTENT, id, "revision", &s);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    int same = strcmp((const char *)sqlite3_column_text(s, 0), content) == 0;
    sqlite3_reset(s);
    return same;
}

/* Insert the revision row, copy its items and make it the head. */
static int snap_write(store *st, const char *uuid, const snap_iv *v,
                      const char *id, const char *content)
{
    char *device = NULL, *who = NULL;
    char now[32];
    store_now(now, 1);
    if (store_device_id(st, &device) != 0
        || store_setting_get(st, STORE_SET_ENUMERATOR, &who) != 0)
        goto fail;
    sqlite3_stmt *s = store_stmt(st, SS_REV_ADD);
    if (!s)
        goto fail;
    const char *vals[9] = {id, uuid, v->head, NULL, v->status, device,
                           who ? who : v->enumerator ? v->enumerator : "",
                           now, content};
    for (int i = 0; i < 9; i++)
        store_bind(s, i + 1, vals[i]);
    if (store_step(st, s) != SQLITE_DONE) {
        store_fail(st, "saving revision %s of interview %s", id, uuid);
        goto fail;
    }
    enum store_stmt next[2] = {SS_REV_ADD_ITEMS, SS_REV_SET_HEAD};
    for (int i = 0; i < 2; i++) {
        if (!(s = store_stmt(st, next[i])))
            goto fail;
        store_bind(s, 1, uuid);
        store_bind(s, 2, id);
        if (store_step(st, s) != SQLITE_DONE) {
            store_fail(st, "saving revision %s of interview %s", id, uuid);
            goto fail;
        }
    }
    free(device);
    free(who);
    return 0;
fail:
    free(device);
    free(who);
    return -1;
}

/* The revisions of interview ?1 that hold an answer longer than an office
 * takes (FORM_MAX_ANSWER bytes; an older khaosat let one be typed), and
 * every revision made from them. */
#define REV_OVERLONG_SQL "WITH RECURSIVE bad(id) AS (SELECT r.id FROM" \
    " revisions r WHERE r.interview = ?1 AND EXISTS (SELECT 1 FROM" \
    " revision_items t WHERE t.revision = r.id AND length(CAST(t.value" \
    " AS BLOB)) > " STORE_MAX_ANSWER_SQL ") UNION SELECT r.id FROM" \
    " revisions r JOIN bad ON r.parent = bad.id OR r.parent2 = bad.id) "

/* Before a snapshot: when the interview's history holds an answer longer
 * than an office takes and its answers now do not (corrected after
 * reopening), forget the revisions that hold it and those made from them,
 * so that the corrected one is made from the last good revision.  Every
 * merge refuses a bundle that carries such a revision, so without this
 * the interview could never leave the laptop, however it was corrected.
 * Only revisions made here: one an office sent is never forgotten.
 * 1 when revisions were forgotten, 0 when none were, -1 on failure. */
static int rev_forget_overlong(store *st, const char *uuid)
{
    _Static_assert(FORM_MAX_ANSWER == 65536, "STORE_MAX_ANSWER_SQL");
    sqlite3_stmt *s = store_stmt_key(st, SS_REV_OVERLONG, uuid);
    if (!s)
        return -1;
    int found = store_step(st, s);
    sqlite3_reset(s);
    if (found != SQLITE_ROW)
        return found == SQLITE_DONE ? 0
               : store_fail(st, "reading the revisions of %s", uuid);
    char *n = NULL;
    int rc = store_text_by_key(st, "SELECT count(*) || ' ' || coalesce(sum("
                               "bundle IS NOT NULL), 0) FROM revisions WHERE"
                               " id IN (" REV_OVERLONG_SQL "SELECT id FROM"
                               " bad)", uuid, "reading the revisions of", &n);
    int keep = rc != 0 || !strcmp(n, "0 0") || strcmp(strchr(n, ' '), " 0");
    free(n);
    if (rc < 0)
        return -1;
    if (keep)
        return 0;
    char *now_long = NULL;
    rc = store_text_by_key(st, "SELECT qid FROM answers WHERE interview = ?1"
                           " AND length(CAST(value AS BLOB)) > "
                           STORE_MAX_ANSWER_SQL " LIMIT 1", uuid,
                           "reading the answers of", &now_long);
    free(now_long);
    if (rc != 1)
        return rc < 0 ? -1 : 0;     /* still too long: nothing to gain */
    /* Listed first: once their items go, they are no longer found.  The
     * head becomes the last good revision (none: the new one is the
     * first), then the bad ones go. */
    if (store_run_by_key(st, "CREATE TEMP TABLE IF NOT EXISTS rev_forget"
                         " (id TEXT PRIMARY KEY)", NULL, "listing revisions")
        != 0
        || store_run_by_key(st, "DELETE FROM temp.rev_forget", NULL,
                            "listing revisions") != 0
        || store_run_by_key(st, "INSERT INTO temp.rev_forget "
                            REV_OVERLONG_SQL "SELECT id FROM bad", uuid,
                            "listing the revisions of") != 0
        || store_run_by_key(st, "UPDATE interviews SET head = (SELECT"
                            " r.parent FROM revisions r JOIN temp.rev_forget"
                            " f ON f.id = r.id WHERE r.parent IS NULL OR"
                            " r.parent NOT IN temp.rev_forget ORDER BY"
                            " r.created, r.id LIMIT 1) WHERE uuid = ?1",
                            uuid, "updating interview") != 0
        || store_run_by_key(st, "DELETE FROM revision_items WHERE revision"
                            " IN temp.rev_forget", NULL,
                            "forgetting revisions") != 0
        || store_run_by_key(st, "DELETE FROM revisions WHERE id IN"
                            " temp.rev_forget", NULL,
                            "forgetting revisions") != 0)
        return -1;
    return 1;
}

int store_rev_snapshot_tx(store *st, const char *uuid, int force,
                          char out[65])
{
    snap_iv v;
    int rc = snap_read_iv(st, uuid, &v);
    if (rc == 1)
        return store_failx(st, "no interview %s", uuid);
    if (rc != 0)
        return -1;
    int forgot = rev_forget_overlong(st, uuid);
    if (forgot != 0) {
        snap_iv_clear(&v);
        if (forgot < 0 || snap_read_iv(st, uuid, &v) != 0)
            return -1;
    }
    rev_meta m = {uuid, v.form_id, v.form_version, v.status, v.head, NULL};
    rev_hasher h;
    rev_hash_begin(&h, &m);
    char id[REV_HEX + 1], content[REV_HEX + 1];
    rc = snap_hash_items(st, uuid, &h);
    rev_hash_end(&h, id, content);
    int same = 0;
    if (rc == 0 && v.head && !force)
        same = snap_same_content(st, v.head, content);
    if (rc == 0 && same < 0)
        rc = -1;
    if (rc == 0 && !same)
        rc = snap_write(st, uuid, &v, id, content);
    if (rc == 0 && out)
        memcpy(out, same ? v.head : id, REV_HEX + 1);
    snap_iv_clear(&v);
    return rc;
}

int store_rev_after_change(store *st, const char *uuid)
{
    snap_iv v;
    int rc = snap_read_iv(st, uuid, &v);
    int complete = rc == 0 && strcmp(v.status, "complete") == 0;
    if (rc == 0)
        snap_iv_clear(&v);
    if (rc < 0)
        return -1;
    return complete ? store_rev_snapshot_tx(st, uuid, 0, NULL) : 0;
}

int store_rev_after_touch(store *st, const char *uuid, int complete)
{
    return complete ? store_rev_snapshot_tx(st, uuid, 0, NULL) : 0;
}

int store_rev_snapshot(store *st, const char *uuid, int force,
                       char out[REV_HEX + 1])
{
    if (store_begin(st) != 0)
        return -1;
    if (store_rev_snapshot_tx(st, uuid, force, out) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st);
}

int store_rev_head(store *st, const char *uuid, char **out)
{
    *out = NULL;
    snap_iv v;
    int rc = snap_read_iv(st, uuid, &v);
    if (rc != 0)
        return rc;
    *out = v.head;
    v.head = NULL;
    snap_iv_clear(&v);
    return 0;
}

int store_mark_exported_tx(store *st, const char *uuid, const char *time,
                           const char *time_ms, const char *bundle)
{
    sqlite3_stmt *s = store_stmt(st, SS_IV_EXPORTED);
    if (!s)
        return -1;
    store_bind(s, 1, uuid);
    store_bind(s, 2, time);
    if (store_step(st, s) != SQLITE_DONE)
        return store_fail(st, "marking interview %s exported", uuid);
    if (sqlite3_changes(st->db) == 0)
        return 1;
    if (store_audit_add(st, uuid, time_ms, "export", NULL, NULL, NULL, bundle)
        != SQLITE_DONE)
        return store_fail(st, "auditing interview %s", uuid);
    return 0;
}

int store_interview_mark_exported(store *st, const char *uuid)
{
    char now[32], now_ms[32];
    store_now_both(now, now_ms);
    if (store_begin(st) != 0)
        return -1;
    int rc = store_mark_exported_tx(st, uuid, now, now_ms, NULL);
    if (rc == 1)
        store_failx(st, "no interview %s", uuid);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st);
}

void store_audit_digest(const char *interview, const char *device,
                        long long seq, const char *time, const char *event,
                        const char *qid, const char *path,
                        const char *old_value, const char *new_value,
                        char out[REV_HEX + 1])
{
    char num[24];
    snprintf(num, sizeof num, "%lld", seq);
    const char *f[9] = {interview, device, num, time, event, qid, path,
                        old_value, new_value};
    canon c;
    canon_init(&c);
    canon_str(&c, "khaosat-audit-1");
    for (int i = 0; i < 9; i++)
        canon_str(&c, f[i]);
    canon_final(&c, out);
}

/* Copy a revision id column (NULL or malformed: ""). */
static void copy_id(char out[REV_HEX + 1], sqlite3_stmt *s, int col)
{
    const char *v = (const char *)sqlite3_column_text(s, col);
    if (v && strlen(v) == REV_HEX)
        memcpy(out, v, REV_HEX + 1);
    else
        out[0] = '\0';
}

int store_rev_graph(store *st, const char *uuid, size_t max, rev_node **out,
                    size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(store_sqlite(st), "SELECT id, parent, parent2"
                           " FROM revisions WHERE interview = ?1"
                           " ORDER BY id", -1, &s, NULL) != SQLITE_OK)
        return store_fail(st, "reading the history of interview %s", uuid);
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == max) {
            rc = SQLITE_FULL;
            break;
        }
        *out = util_grow(*out, &cap, *n + 1, sizeof **out);
        rev_node *v = &(*out)[(*n)++];
        copy_id(v->id, s, 0);
        copy_id(v->parent, s, 1);
        copy_id(v->parent2, s, 2);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_FULL)
        store_fail(st, "reading the history of interview %s", uuid);
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE)
        return 0;
    free(*out);
    *out = NULL;
    *n = 0;
    return rc == SQLITE_FULL ? 1 : -1;
}
