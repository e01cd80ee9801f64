/* merge_setups.c: the communes' set-ups an office's bundle carries up
 * (format 5).  Each is kept in place of the one kept here for its commune
 * when its sequence number is greater: merging the same bundle again, or
 * an older one after a newer, changes nothing.  Taken before the
 * interviews, so that the bundle's answers are checked against the
 * villages of their own commune. */
#include "config.h"
#include "sync/merge_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"

/* The rows of one commune's villages or households, owned. */
typedef struct setup_rows {
    char **v;                 /* three strings per row */
    size_t n, cap;
} setup_rows;

static void rows_free(setup_rows *r)
{
    for (size_t i = 0; i < r->n * 3; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* Read every row of statement s (three columns) with commune bound. */
static int rows_read(merger *m, sqlite3_stmt *s, const char *commune,
                     setup_rows *r)
{
    sqlite3_bind_text(s, 1, commune, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        r->v = util_grow(r->v, &r->cap, (r->n + 1) * 3, sizeof *r->v);
        for (int i = 0; i < 3; i++)
            r->v[r->n * 3 + (size_t)i] =
                xstrdup((const char *)sqlite3_column_text(s, i));
        r->n++;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0
        : merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
}

/* Refuse a set-up whose province code is not on the province list the
 * office's own set-up is checked against (khaosat setup commune). */
static int check_province(merger *m, const store_commune_setup *c)
{
    char *why = NULL;
    if (!m->province_ok || m->province_ok(m->cat, c->province, &why) == 0)
        return 0;
    char *name = merge_escaped(c->name);
    merge_refuse(m, _("carries the set-up of commune %s (%s) with an "
                      "unknown province: %s; that office sets its "
                      "province right (khaosat setup commune --code CODE "
                      "--name NAME --province CODE) and exports again"),
                 c->code, name, why);
    free(name);
    free(why);
    return -1;
}

void merger_set_provinces(merger *m, merge_province_fn fn)
{
    m->province_ok = fn;
}

/* Keep the set-up of the commune at the current row of BS_SETUPS; alias
 * is the commune the bundle names when it carries only that set-up (its
 * office's own), else NULL. */
static int take_one(merger *m, sqlite3_stmt *s, const char *alias,
                    int *moved)
{
    store_commune_setup c = {
        (const char *)sqlite3_column_text(s, 0),
        (const char *)sqlite3_column_text(s, 1),
        (const char *)sqlite3_column_text(s, 2),
        sqlite3_column_int64(s, 3), 0, 0, alias, bundle_signer(m->b)};
    setup_rows vr = {0}, hr = {0};
    int rc = rows_read(m, m->bs[BS_SETUP_VILLAGES], c.code, &vr);
    if (rc == 0)
        rc = rows_read(m, m->bs[BS_SETUP_HOUSEHOLDS], c.code, &hr);
    store_village *v = xcalloc(vr.n + 1, sizeof *v);
    store_household *h = xcalloc(hr.n + 1, sizeof *h);
    for (size_t i = 0; i < vr.n; i++)
        v[i] = (store_village){vr.v[i * 3], vr.v[i * 3 + 1],
                               vr.v[i * 3 + 2], 0};
    for (size_t i = 0; i < hr.n; i++)
        h[i] = (store_household){hr.v[i * 3], hr.v[i * 3 + 1],
                                 hr.v[i * 3 + 2]};
    if (rc == 0)
        rc = check_province(m, &c);
    char *bound = NULL;
    int took = rc == 0 ? store_setup_take_tx(m->st, &c, v, vr.n, h, hr.n,
                                             &bound) : -1;
    if (rc == 0 && took < 0)
        rc = merge_store_err(m);
    else if (rc == 0 && took == 0)
        m->c.setups++;
    else if (rc == 0 && took == STORE_SETUP_MOVED) {
        m->c.setups++;
        *moved = 1;
        merge_note(m, _("%s: the set-up of commune %s kept in place of that "
                        "of commune %s, which the same office sent before "
                        "(it corrected its commune code): the interviews "
                        "it sent count now as of commune %s, checked "
                        "against its set-up"), bundle_path(m->b), c.code,
                   bound, c.code);
    }
    else if (rc == 0 && took == STORE_SETUP_OLDER) {
        /* Its office corrected its code after writing it: what it brings
         * goes with the newer set-up. */
        *moved = 1;
        free(m->speaks_for);
        m->speaks_for = xstrdup(bound);
        merge_note(m, _("%s: the set-up of commune %s (sequence %lld) is "
                        "older than the set-up of commune %s that the same "
                        "office sent in a later bundle, merged here already "
                        "(it corrected its commune code): that set-up "
                        "stays as it is, and the interviews of this bundle "
                        "count as of commune %s"),
                   bundle_path(m->b), c.code, c.sequence, bound, bound);
    }
    else if (rc == 0 && took == STORE_SETUP_OTHER)
        m->c.setups_other++;
    else if (rc == 0 && took == STORE_SETUP_BOUND)
        rc = merge_refuse(m, _("carries the set-up of commune %s, but that "
                               "commune's set-up is sent here by the office "
                               "%s and this bundle is signed by %s; an "
                               "office speaks only for its own commune (if "
                               "commune %s is this bundle's office's, the "
                               "office %s has set up a wrong code: it "
                               "corrects it with khaosat setup commune "
                               "--code and sends a bundle, then this one "
                               "is merged again)"),
                          c.code, bound, bundle_signer(m->b), c.code, bound);
    free(bound);
    free(v);
    free(h);
    rows_free(&vr);
    rows_free(&hr);
    return rc;
}

int merge_setups(merger *m)
{
    sqlite3_stmt *s = m->bs[BS_SETUPS];
    if (!s)
        return 0;
    /* A commune office's bundle carries its own set-up alone: the commune
     * it names is that set-up's, whatever its spelling. */
    long n = 0;
    while (sqlite3_step(s) == SQLITE_ROW)
        n++;
    sqlite3_reset(s);
    const char *alias = n == 1 ? bundle_get_manifest(m->b)->commune : NULL;
    int rc, ret = 0, moved = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (merge_own_device_only(m)) {
            ret = merge_refuse(m, _("carries a commune's set-up, but it is "
                                    "signed by the laptop %s; only an office "
                                    "sends its set-up upstream"),
                               bundle_signer(m->b));
            break;
        }
        if (!bundle_signer_role(m->b)) {
            ret = merge_refuse(m, _("carries a commune's set-up, but it is "
                                    "not signed; only an office's signed "
                                    "bundle carries set-ups (the office "
                                    "makes its card with khaosat keys "
                                    "export --role office, and this "
                                    "database accepts it with khaosat keys "
                                    "trust --accept)"));
            break;
        }
        ret = take_one(m, s, alias, &moved);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    sqlite3_reset(s);
    /* The forms bound to the villages kept before are out of date. */
    if (ret == 0 && m->c.setups)
        merge_keys_free(m);
    /* Interviews of a commune whose code was corrected: paired again
     * with those of the same commune under its current code. */
    if (ret == 0 && moved)
        ret = merge_refresh_keys(m);
    return ret;
}
