/* store_setup_up.c: the commune's set-up on its way up.  The office
 * sends its own set-up (commune, villages, household lists) in every
 * upstream bundle with a sequence number that grows each time the set-up
 * changed since the last bundle; the level above keeps one set-up per
 * commune, replaced only by one with a greater sequence number, and
 * checks each interview's village against the set-up of the commune the
 * interview came from. */
#include "config.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/form.h"
#include "core/util.h"

/* Settings of the office: the digest of its set-up as last sent upstream
 * and the sequence number it went with. */
#define SET_UP_DIGEST "setup_up_digest"
#define SET_UP_SEQUENCE "setup_up_sequence"

/* The rows of each set, own set-up first (when it has a commune code),
 * then those kept from below for other communes, in key order. */
static const char *const rows_sql[3] = {
    [STORE_SU_COMMUNES] =
        "SELECT code, name, province, seq FROM ("
        " SELECT s.value AS code, coalesce((SELECT value FROM settings"
        " WHERE key = '" STORE_SET_SETUP_NAME "'), '') AS name,"
        " coalesce((SELECT value FROM settings WHERE key = '"
        STORE_SET_SETUP_PROVINCE "'), '') AS province, ?1 AS seq"
        " FROM settings s WHERE s.key = '" STORE_SET_SETUP_CODE "'"
        " AND s.value <> ''"
        " UNION ALL SELECT code, name, province, sequence FROM commune_setups"
        " WHERE code IS NOT (SELECT nullif(value, '') FROM settings"
        " WHERE key = '" STORE_SET_SETUP_CODE "')) ORDER BY code",
    [STORE_SU_VILLAGES] =
        "SELECT commune, code, name, enumerator FROM ("
        " SELECT s.value AS commune, v.code, v.name,"
        " coalesce(v.enumerator, '') AS enumerator FROM villages v"
        " JOIN settings s ON s.key = '" STORE_SET_SETUP_CODE "'"
        " AND s.value <> ''"
        " UNION ALL SELECT commune, code, name, coalesce(enumerator, '')"
        " FROM commune_villages WHERE commune IS NOT (SELECT nullif(value,"
        " '') FROM settings WHERE key = '" STORE_SET_SETUP_CODE "'))"
        " ORDER BY commune, code",
    [STORE_SU_HOUSEHOLDS] =
        "SELECT commune, village, number, head FROM ("
        " SELECT s.value AS commune, h.village, h.number,"
        " coalesce(h.head, '') AS head FROM households h"
        " JOIN settings s ON s.key = '" STORE_SET_SETUP_CODE "'"
        " AND s.value <> ''"
        " UNION ALL SELECT commune, village, number, coalesce(head, '')"
        " FROM commune_households WHERE commune IS NOT (SELECT"
        " nullif(value, '') FROM settings WHERE key = '"
        STORE_SET_SETUP_CODE "')) ORDER BY commune, village, number",
};

int store_setups_up_rows(store *st, enum store_setup_rows q,
                         long long own_seq, store_setup_row_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "the set-ups to send upstream",
                                    rows_sql[q]);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, own_seq);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *col[4];
        for (int i = 0; i < 4; i++)
            col[i] = (const char *)sqlite3_column_text(s, i);
        ret = fn(ctx, col);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "reading the set-ups to send upstream");
    sqlite3_finalize(s);
    return ret;
}

/* store_setup_row_fn: feed one row of the own set-up to a digest. */
static int digest_row(void *ctx, const char *const *col)
{
    canon *c = ctx;
    canon_mark(c, 'R');
    for (int i = 0; i < 4; i++)
        canon_str(c, col[i] ? col[i] : "");
    return 0;
}

/* The digest of this office's own set-up (hex), whatever the sequence. */
static int own_digest(store *st, const char *code, char out[65])
{
    canon c;
    canon_init(&c);
    for (int q = STORE_SU_COMMUNES; q <= STORE_SU_HOUSEHOLDS; q++) {
        canon_mark(&c, 'T');
        sqlite3_stmt *s = store_prepare(st, "the set-up", rows_sql[q]);
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, 0);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *col[4];
            for (int i = 0; i < 4; i++)
                col[i] = (const char *)sqlite3_column_text(s, i);
            if (strcmp(col[0], code) == 0)
                digest_row(&c, col);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return store_fail(st, "reading the set-up");
    }
    canon_final(&c, out);
    return 0;
}

int store_setup_up_pending(store *st, long long *seq, int *changed)
{
    *seq = 0;
    *changed = 0;
    char *code = NULL, *sent = NULL, *num = NULL;
    int rc = store_setting_get(st, STORE_SET_SETUP_CODE, &code);
    if (rc != 0 || !code || !*code) {
        free(code);
        return rc;
    }
    char digest[65];
    rc = own_digest(st, code, digest);
    if (rc == 0)
        rc = store_setting_get(st, SET_UP_DIGEST, &sent);
    if (rc == 0)
        rc = store_setting_get(st, SET_UP_SEQUENCE, &num);
    if (rc == 0) {
        *seq = num ? strtoll(num, NULL, 10) : 0;
        *changed = !sent || strcmp(sent, digest) != 0;
        if (*changed || *seq < 1)
            (*seq)++;
    }
    free(code);
    free(sent);
    free(num);
    return rc;
}

int store_setup_up_sent_tx(store *st, long long seq)
{
    char *code = NULL;
    if (store_setting_get(st, STORE_SET_SETUP_CODE, &code) != 0)
        return -1;
    char digest[65], num[24];
    int rc = code && *code ? own_digest(st, code, digest) : 1;
    free(code);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    snprintf(num, sizeof num, "%lld", seq);
    if (store_setting_set(st, SET_UP_DIGEST, digest) != 0
        || store_setting_set(st, SET_UP_SEQUENCE, num) != 0)
        return -1;
    return 0;
}

/* Insert the n rows of ncol strings each (row i at v + i * ncol) with
 * statement sql, commune bound first. */
static int insert_rows(store *st, const char *sql, const char *commune,
                       const char *const *v, size_t n, int ncol)
{
    sqlite3_stmt *s = store_prepare(st, NULL, sql);
    if (!s)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_text(s, 1, commune, -1, SQLITE_STATIC);
        for (int c = 0; c < ncol; c++)
            sqlite3_bind_text(s, c + 2, v[i * (size_t)ncol + (size_t)c], -1,
                              SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "keeping the set-up of commune %s", commune);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

/* The digest of a commune's set-up as it comes (hex): its name,
 * province, villages and households. */
static void take_digest(const store_commune_setup *c, const store_village *v,
                        size_t nv, const store_household *h, size_t nh,
                        char out[65])
{
    canon d;
    canon_init(&d);
    canon_str(&d, c->name);
    canon_str(&d, c->province);
    for (size_t i = 0; i < nv; i++) {
        canon_mark(&d, 'V');
        canon_str(&d, v[i].code);
        canon_str(&d, v[i].name);
        canon_str(&d, v[i].enumerator ? v[i].enumerator : "");
    }
    for (size_t i = 0; i < nh; i++) {
        canon_mark(&d, 'H');
        canon_str(&d, h[i].village);
        canon_str(&d, h[i].number);
        canon_str(&d, h[i].head ? h[i].head : "");
    }
    canon_final(&d, out);
}

/* Forget the set-up kept for commune code (villages and households). */
static int clear_setup(store *st, const char *code)
{
    static const char *const clear[3] = {
        "DELETE FROM commune_households WHERE commune = ?1",
        "DELETE FROM commune_villages WHERE commune = ?1",
        "DELETE FROM commune_setups WHERE code = ?1"};
    for (int i = 0; i < 3; i++)
        if (store_run_by_key(st, clear[i], code,
                             "replacing the set-up of commune") != 0)
            return -1;
    return 0;
}

/* What the bundles of the office with key sender brought counts as of
 * commune code (their manifests, the reviews made there); their case keys
 * are judged again at the merge.  old names the former code in the
 * error. */
static int setup_bind_sender_tx(store *st, const char *sender,
                                const char *code, const char *old)
{
    static const char *const move[3] = {
        "UPDATE reviews SET commune = ?2 WHERE commune IN (SELECT b.commune"
        " FROM bundles b WHERE b.signer = ?1) AND commune IS NOT ?2",
        "UPDATE bundles SET commune = ?2 WHERE signer = ?1"
        " AND commune IS NOT ?2",
        "UPDATE case_keys SET rev = '' WHERE interview IN (SELECT"
        " r.interview FROM revisions r JOIN bundles b ON b.uuid = r.bundle"
        " WHERE b.signer = ?1)"};
    const char *v[2] = {sender, code};
    for (int i = 0; i < 3; i++) {
        sqlite3_stmt *s = store_prepare(st, NULL, move[i]);
        if (!s)
            return -1;
        store_bind_all(s, v, 2);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return store_fail(st, "moving the interviews of commune %s to "
                              "%s", old, code);
    }
    return 0;
}

/* A commune office's own set-up c whose key sent the set-up of another
 * commune code before: the office corrected its code.  That set-up goes,
 * and what the key's bundles brought counts as of c's commune, so that
 * the interviews merged before are checked against, paired and reported
 * under the current set-up.  0 none, 1 moved with *old (newly allocated:
 * the former code), -1. */
static int setup_move_tx(store *st, const store_commune_setup *c, char **old)
{
    const char *v[2] = {c->sender, c->code};
    for (;;) {
        sqlite3_stmt *s = store_prepare(st, NULL, "SELECT min(code) FROM"
                                        " commune_setups WHERE sender = ?1"
                                        " AND code <> ?2");
        if (!s)
            return -1;
        store_bind_all(s, v, 2);
        int rc = sqlite3_step(s);
        char *was = rc == SQLITE_ROW ? store_col_dup(s, 0) : NULL;
        sqlite3_finalize(s);
        if (rc != SQLITE_ROW)
            return store_fail(st, "reading the set-ups sent by %s",
                              c->sender);
        if (!was)
            break;
        rc = clear_setup(st, was);
        if (!*old)
            *old = was;
        else
            free(was);
        if (rc != 0)
            return -1;
    }
    if (!*old)
        return 0;
    return setup_bind_sender_tx(st, c->sender, c->code, *old) ? -1 : 1;
}

/* A commune office's own set-up c older than the set-up of another code
 * its key sent (its sequence as great): the office corrected its code
 * since, whatever order its bundles come in.  The newer set-up stays, and
 * what the key's bundles brought (this one's too) counts as of its
 * commune.  0 not older, 1 older with *newer (newly allocated: the code
 * kept), -1. */
static int setup_older_tx(store *st, const store_commune_setup *c,
                          char **newer)
{
    *newer = NULL;
    sqlite3_stmt *s = store_prepare(st, NULL, "SELECT min(code) FROM"
                                    " commune_setups WHERE sender = ?1"
                                    " AND code <> ?2 AND sequence >= ?3");
    if (!s)
        return -1;
    const char *v[2] = {c->sender, c->code};
    store_bind_all(s, v, 2);
    sqlite3_bind_int64(s, 3, c->sequence);
    int rc = sqlite3_step(s);
    *newer = rc == SQLITE_ROW ? store_col_dup(s, 0) : NULL;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return store_fail(st, "reading the set-ups sent by %s", c->sender);
    if (!*newer)
        return 0;
    return setup_bind_sender_tx(st, c->sender, *newer, c->code) ? -1 : 1;
}

int store_setup_take_tx(store *st, const store_commune_setup *c,
                        const store_village *v, size_t nv,
                        const store_household *h, size_t nh, char **bound)
{
    *bound = NULL;
    if (c->alias && c->sender) {
        int older = setup_older_tx(st, c, bound);
        if (older != 0) {
            if (older < 0) {
                free(*bound);
                *bound = NULL;
            }
            return older < 0 ? -1 : STORE_SETUP_OLDER;
        }
    }
    char *sender = NULL;
    if (store_setup_sender(st, c->code, &sender) != 0)
        return -1;
    sqlite3_stmt *s = store_prepare(st, NULL, "SELECT sequence, digest"
                                    " FROM commune_setups WHERE code = ?1");
    if (!s) {
        free(sender);
        return -1;
    }
    sqlite3_bind_text(s, 1, c->code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    long long had = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    char *was = rc == SQLITE_ROW ? store_col_dup(s, 1) : NULL;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        free(sender);
        free(was);
        return store_fail(st, "reading the set-up of commune %s", c->code);
    }
    char digest[65];
    take_digest(c, v, nv, h, nh, digest);
    int verdict = 0;
    if (sender && c->sender && strcmp(sender, c->sender) != 0)
        verdict = STORE_SETUP_BOUND;
    else if (had == c->sequence && was && strcmp(was, digest) != 0)
        verdict = STORE_SETUP_OTHER;
    else if (had >= c->sequence)
        verdict = STORE_SETUP_OLD;
    free(was);
    if (verdict == STORE_SETUP_BOUND)
        *bound = sender;
    else
        free(sender);
    if (verdict)
        return verdict;
    int moved = c->alias && c->sender ? setup_move_tx(st, c, bound) : 0;
    if (moved < 0 || clear_setup(st, c->code) != 0)
        return -1;
    char num[24];
    snprintf(num, sizeof num, "%lld", c->sequence);
    const char *row[6] = {c->name, c->province, num,
                          c->alias && *c->alias ? c->alias : NULL,
                          c->sender, digest};
    const char **vr = xcalloc(nv * 3 + 1, sizeof *vr);
    const char **hr = xcalloc(nh * 3 + 1, sizeof *hr);
    for (size_t i = 0; i < nv; i++) {
        vr[i * 3] = v[i].code;
        vr[i * 3 + 1] = v[i].name;
        vr[i * 3 + 2] = v[i].enumerator && *v[i].enumerator
            ? v[i].enumerator : NULL;
    }
    for (size_t i = 0; i < nh; i++) {
        hr[i * 3] = h[i].village;
        hr[i * 3 + 1] = h[i].number;
        hr[i * 3 + 2] = h[i].head && *h[i].head ? h[i].head : NULL;
    }
    rc = insert_rows(st, "INSERT INTO commune_setups (code, name, province,"
                     " sequence, alias, sender, digest) VALUES (?1, ?2, ?3,"
                     " ?4, ?5, ?6, ?7)", c->code, row, 1, 6);
    if (rc == 0)
        rc = insert_rows(st, "INSERT INTO commune_villages (commune, code,"
                         " name, enumerator) VALUES (?1, ?2, ?3, ?4)",
                         c->code, vr, nv, 3);
    if (rc == 0)
        rc = insert_rows(st, "INSERT INTO commune_households (commune,"
                         " village, number, head) VALUES (?1, ?2, ?3, ?4)",
                         c->code, hr, nh, 3);
    free(vr);
    free(hr);
    return rc == 0 && moved ? STORE_SETUP_MOVED : rc;
}

int store_setup_sender(store *st, const char *code, char **sender)
{
    int rc = store_text_by_key(st, "SELECT sender FROM commune_setups"
                               " WHERE code = ?1", code,
                               "reading the set-up of commune", sender);
    return rc < 0 ? -1 : 0;
}

int store_setup_commune_find(store *st, const char *commune, char **code)
{
    *code = NULL;
    if (!commune || !*commune)
        return 1;
    /* By its code; else by the commune text an office's older bundles
     * named (alias) when one set-up alone has it: never by its name,
     * which two communes may share. */
    return store_text_by_key(st, "SELECT code FROM commune_setups"
        " WHERE code = ?1 UNION ALL SELECT min(code) FROM commune_setups"
        " WHERE NOT EXISTS (SELECT 1 FROM commune_setups WHERE code = ?1)"
        " AND khaosat_commune_key(alias) = khaosat_commune_key(?1)"
        " HAVING count(*) = 1", commune, "finding the set-up of commune",
        code);
}

int store_interview_setup(store *st, const char *uuid, const char *incoming,
                          char **code)
{
    *code = NULL;
    char *commune = NULL;
    /* The commune of the bundle that first brought it. */
    int rc = store_text_by_key(st, "SELECT b.commune FROM revisions r"
        " JOIN bundles b ON b.uuid = r.bundle WHERE r.interview = ?1"
        " ORDER BY r.created, r.id LIMIT 1", uuid,
        "finding the commune of interview", &commune);
    if (rc == 1 && incoming)
        commune = xstrdup(incoming);
    if (rc >= 0)
        rc = store_setup_commune_find(st, commune, code);
    free(commune);
    commune = NULL;
    /* Forwarded from a level above the communes (province to nation):
     * the commune whose office reviewed it names its set-up. */
    if (rc == 1 && store_text_by_key(st, "SELECT commune FROM reviews"
            " WHERE interview = ?1 AND commune <> ''", uuid,
            "finding the commune of interview", &commune) == 0)
        rc = store_setup_commune_find(st, commune, code);
    free(commune);
    return rc < 0 ? -1 : 0;
}

int store_setup_bind_interview(store *st, struct form *f, const char *uuid)
{
    char *code = NULL;
    if (store_interview_setup(st, uuid, NULL, &code) != 0)
        return -1;
    int rc = code ? store_setup_bind_commune(st, f, code)
                  : store_setup_bind(st, f);
    free(code);
    return rc;
}

int store_review_from_below(store *st, const char *uuid, int *yes)
{
    char *commune = NULL;
    int rc = store_text_by_key(st, "SELECT commune FROM reviews"
        " WHERE interview = ?1 AND commune <> ''", uuid,
        "reading the review of interview", &commune);
    *yes = rc == 0;
    free(commune);
    return rc < 0 ? -1 : 0;
}

int store_commune_setups_each(store *st, const char *code,
                              store_commune_setup_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT c.code, c.name, c.province, c.sequence,"
        " (SELECT count(*) FROM commune_villages v WHERE v.commune = c.code),"
        " (SELECT count(*) FROM commune_households h"
        " WHERE h.commune = c.code), c.alias, c.sender"
        " FROM commune_setups c WHERE ?1 IS NULL OR c.code = ?1"
        " ORDER BY c.code");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_commune_setup c = {
            (const char *)sqlite3_column_text(s, 0),
            (const char *)sqlite3_column_text(s, 1),
            (const char *)sqlite3_column_text(s, 2),
            sqlite3_column_int64(s, 3), (long)sqlite3_column_int64(s, 4),
            (long)sqlite3_column_int64(s, 5),
            (const char *)sqlite3_column_text(s, 6),
            (const char *)sqlite3_column_text(s, 7)};
        ret = fn(ctx, &c);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the communes' set-ups");
    sqlite3_finalize(s);
    return ret;
}

int store_commune_villages_each(store *st, const char *code,
                                store_village_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, NULL,
        "SELECT v.code, v.name, v.enumerator, (SELECT count(*) FROM"
        " commune_households h WHERE h.commune = v.commune"
        " AND h.village = v.code) FROM commune_villages v"
        " WHERE v.commune = ?1 ORDER BY v.code");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_village v = {(const char *)sqlite3_column_text(s, 0),
                           (const char *)sqlite3_column_text(s, 1),
                           (const char *)sqlite3_column_text(s, 2),
                           (long)sqlite3_column_int64(s, 3)};
        ret = fn(ctx, &v);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the villages of commune %s", code);
    sqlite3_finalize(s);
    return ret;
}

int store_setup_bind_commune(store *st, form *f, const char *code)
{
    store_setup_list l = {NULL, NULL, 0};
    int rc = store_commune_villages_each(st, code, store_setup_list_add, &l);
    if (rc == 0)
        form_bind_list(f, FORM_SETUP_VILLAGES, l.code, l.name, l.n);
    store_setup_list_free(&l);
    return rc ? -1 : 0;
}
