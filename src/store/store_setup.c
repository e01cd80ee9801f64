/* store_setup.c: the commune's set-up kept by the office: its villages
 * (code, name, the enumerator covering each) and the household list of
 * each village.  Replacing a list happens in one transaction, so a list
 * refused half-way leaves the old one whole. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/i18n.h"
#include "core/util.h"

int store_villages_replace(store *st, const store_village *v, size_t n)
{
    if (store_begin(st) != 0)
        return -1;
    /* Villages that stay keep their households and enumerator. */
    int rc = store_run_by_key(st, "CREATE TEMP TABLE IF NOT EXISTS"
                              " new_villages (code TEXT PRIMARY KEY)", NULL,
                              "making the list of new villages");
    if (rc == 0)
        rc = store_run_by_key(st, "DELETE FROM new_villages", NULL,
                              "emptying the list of new villages");
    sqlite3_stmt *put = rc ? NULL : store_prepare(st, "a set-up query",
        "INSERT INTO villages (code, name, enumerator) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
        " enumerator = coalesce(excluded.enumerator, villages.enumerator)");
    sqlite3_stmt *mark = rc ? NULL : store_prepare(st, "a set-up query",
        "INSERT INTO new_villages (code) VALUES (?1)");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *row[3] = {v[i].code, v[i].name, v[i].enumerator};
        store_bind_all(mark, row, 1);
        if (sqlite3_step(mark) != SQLITE_DONE) {
            rc = store_failx(st, _("village code %s appears twice"), v[i].code);
            break;
        }
        sqlite3_reset(mark);
        store_bind_all(put, row, 3);
        if (sqlite3_step(put) != SQLITE_DONE)
            rc = store_fail(st, "saving village %s", v[i].code);
        sqlite3_reset(put);
    }
    sqlite3_finalize(put);
    sqlite3_finalize(mark);
    sqlite3_stmt *gone = rc ? NULL : store_prepare(st, "a set-up query",
        "DELETE FROM villages WHERE"
        " code NOT IN (SELECT code FROM new_villages)");
    if (rc == 0 && (!gone || sqlite3_step(gone) != SQLITE_DONE))
        rc = store_fail(st, "removing villages no longer listed");
    sqlite3_finalize(gone);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st);
}

int store_households_replace(store *st, const store_household *h, size_t n,
                             size_t *bad)
{
    *bad = n;
    if (store_begin(st) != 0)
        return -1;
    int rc = store_run_by_key(st, "DELETE FROM households", NULL,
                              "removing the household lists");
    sqlite3_stmt *known = rc ? NULL : store_prepare(st, "a set-up query",
        "SELECT 1 FROM villages WHERE code = ?1");
    sqlite3_stmt *put = rc ? NULL : store_prepare(st, "a set-up query",
        "INSERT INTO households (village, number, head) VALUES (?1, ?2, ?3)");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *row[3] = {h[i].village, h[i].number, h[i].head};
        store_bind_all(known, row, 1);
        int found = sqlite3_step(known) == SQLITE_ROW;
        sqlite3_reset(known);
        if (!found) {
            rc = store_failx(st, _("household %s of village %s: no such "
                               "village in the set-up"), h[i].number,
                             h[i].village);
            *bad = i;
            break;
        }
        store_bind_all(put, row, 3);
        if (sqlite3_step(put) != SQLITE_DONE) {
            rc = store_failx(st, _("household %s of village %s appears twice"),
                             h[i].number, h[i].village);
            *bad = i;
        }
        sqlite3_reset(put);
    }
    sqlite3_finalize(known);
    sqlite3_finalize(put);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st);
}

int store_village_assign(store *st, const char *code, const char *enumerator)
{
    sqlite3_stmt *s = store_prepare(st, "a set-up query",
        "UPDATE villages SET enumerator = ?2 WHERE code = ?1");
    if (!s)
        return -1;
    const char *v[2] = {code, enumerator && *enumerator ? enumerator : NULL};
    store_bind_all(s, v, 2);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, "assigning village %s", code);
    if (sqlite3_changes(store_sqlite(st)) == 0)
        return store_failx(st, _("no village %s in the set-up"), code);
    return 0;
}

int store_villages_each(store *st, store_village_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a set-up query",
        "SELECT v.code, v.name, v.enumerator,"
        " (SELECT count(*) FROM households h WHERE h.village = v.code)"
        " FROM villages v ORDER BY v.code COLLATE khaosat_natural, v.code");
    if (!s)
        return -1;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_village v = {(const char *)sqlite3_column_text(s, 0),
                           (const char *)sqlite3_column_text(s, 1),
                           (const char *)sqlite3_column_text(s, 2),
                           sqlite3_column_int64(s, 3)};
        ret = fn(ctx, &v);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the villages");
    sqlite3_finalize(s);
    return ret;
}

int store_enumerators_each(store *st, store_name_fn fn, void *ctx)
{
    sqlite3_stmt *s = store_prepare(st, "a set-up query",
        "SELECT enumerator FROM bundles WHERE enumerator <> ''"
        " UNION SELECT enumerator FROM villages WHERE enumerator <> ''"
        " ORDER BY 1");
    if (!s)
        return -1;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        ret = fn(ctx, (const char *)sqlite3_column_text(s, 0));
    if (ret == 0 && rc != SQLITE_DONE)
        ret = store_fail(st, "listing the enumerators");
    sqlite3_finalize(s);
    return ret;
}

void store_setup_list_add_row(store_setup_list *r, const char *code,
                             const char *name)
{
    r->code = xrealloc(r->code, (r->n + 1) * sizeof *r->code);
    r->name = xrealloc(r->name, (r->n + 1) * sizeof *r->name);
    r->code[r->n] = xstrdup(code);
    r->name[r->n] = xstrdup(name);
    r->n++;
}

int store_setup_list_add(void *ctx, const store_village *v)
{
    store_setup_list_add_row(ctx, v->code, v->name);
    return 0;
}

void store_setup_list_free(store_setup_list *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->code[i]);
        free(r->name[i]);
    }
    free(r->code);
    free(r->name);
}

int store_setup_bind(store *st, form *f)
{
    store_setup_list r = {NULL, NULL, 0};
    int rc = store_villages_each(st, store_setup_list_add, &r);
    if (rc == 0)
        form_bind_list(f, FORM_SETUP_VILLAGES, r.code, r.name, r.n);
    store_setup_list_free(&r);
    return rc ? -1 : 0;
}

int store_setup_from_office(store *st, int *yes)
{
    *yes = 0;
    char *role = NULL, *from = NULL;
    if (store_setting_get(st, STORE_SET_ROLE, &role) != 0
        || store_setting_get(st, STORE_SET_SETUP_FROM, &from) != 0) {
        free(role);
        return -1;
    }
    int office = role && !strcmp(role, "office");
    *yes = !office && ((from && !strcmp(from, "office"))
                       || (role && !strcmp(role, "laptop")));
    free(role);
    free(from);
    if (*yes || office)
        return 0;
    store_trusted up;
    memset(&up, 0, sizeof up);
    int rc = store_trusted_upstream(st, &up);
    *yes = rc == 0;
    store_trusted_clear(&up);
    return rc < 0 ? -1 : 0;
}

int store_household_number_valid(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 4 && s[0] != '0' && strspn(s, "0123456789") == n;
}

int store_setup_code_moved_tx(store *st, const char *old, const char *code)
{
    if (!old || !*old || !strcmp(old, code))
        return 0;
    /* The bundles that named the old code came from this commune's
     * laptops (they had it from this office); their interviews' case
     * keys are judged again at the next merge, to pair them with those
     * named by the new code. */
    static const char *const sql[2] = {
        "UPDATE case_keys SET rev = '' WHERE interview IN (SELECT"
        " r.interview FROM revisions r JOIN bundles b ON b.uuid = r.bundle"
        " WHERE b.commune = ?1)",
        "UPDATE bundles SET commune = ?2 WHERE commune = ?1"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *s = store_prepare(st, "a set-up query", sql[i]);
        if (!s)
            return -1;
        const char *v[2] = {old, code};
        store_bind_all(s, v, 2);
        int rc = sqlite3_step(s);
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return store_fail(st, "moving the interviews of commune %s to %s",
                              old, code);
    }
    return 0;
}

int store_village_code_valid(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 10
           && strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == n;
}
