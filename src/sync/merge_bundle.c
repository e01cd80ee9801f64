/* merge_bundle.c: the statements a merge reads the bundle with.
 * layers: bundle-sql -- they run on the bundle's own database, never on
 * the office's, whose tables are reached through store/store_merge.h. */
#include "config.h"
#include "sync/merge_int.h"

#include <stdlib.h>

#include "core/i18n.h"
#include "core/util.h"

static const char *const bundle_sql[BS_COUNT] = {
    [BS_FORMS] = "SELECT form_id, version, sha256, source FROM forms",
    [BS_IVS] = "SELECT uuid, form_id, form_version, status, enumerator,"
        " device, created, updated, head FROM interviews ORDER BY uuid",
    [BS_REVS] = "SELECT id, parent, parent2, status, device, enumerator,"
        " created FROM revisions WHERE interview = ?1 ORDER BY id",
    [BS_ITEMS] = "SELECT qid, path, value FROM items WHERE interview = ?1"
        " AND revision = ?2 ORDER BY qid, path",
    [BS_AUDIT] = "SELECT device, seq, time, event, qid, path, old_value,"
        " new_value FROM audit WHERE interview = ?1",
    [BS_REVIEWS] = "SELECT interview, status, comment, reviewer, time,"
        " revision, content, commune FROM reviews ORDER BY interview",
    [BS_SETUPS] = "SELECT commune, name, province, sequence FROM setups"
        " ORDER BY commune",
    [BS_SETUP_VILLAGES] = "SELECT code, name, enumerator FROM setup_villages"
        " WHERE commune = ?1 ORDER BY code",
    [BS_SETUP_HOUSEHOLDS] = "SELECT village, number, head FROM"
        " setup_households WHERE commune = ?1 ORDER BY village, number",
    [BS_REVIEW_COMMUNE] = "SELECT commune FROM reviews WHERE interview = ?1"
        " AND commune <> ''",
    [BS_DECISIONS] = "SELECT a, b, decision, keep, decided, commune FROM"
        " decisions ORDER BY a, b",
};

/* Format 3 numbers the audit's interviews (their place in UUID order, as
 * BS_IVS reads them) and codes its times (bundle_audit.c): in key order,
 * so that each device's times follow one another. */
static const char audit_v3_sql[] = "SELECT device, seq, time, event, qid,"
    " path, old_value, new_value FROM audit WHERE interview = ?1"
    " ORDER BY device, seq";
/* Format 6 keeps each row of a device that numbered again (a laptop
 * restored from a backup) by its reuse number. */
static const char audit_v6_sql[] = "SELECT device, seq, time, event, qid,"
    " path, old_value, new_value FROM audit WHERE interview = ?1"
    " ORDER BY device, seq, reuse";

int merge_bundle_prepare(merger *m)
{
    sqlite3 *bdb = bundle_sqlite(m->b);
    int format = (int)bundle_get_manifest(m->b)->format;
    for (int i = 0; i < BS_COUNT; i++)
        if ((i != BS_REVIEWS || format >= 2)
            && (i < BS_SETUPS || format >= 5)
            && (i < BS_DECISIONS || format >= 7)
            && sqlite3_prepare_v2(bdb, i != BS_AUDIT || format < 3
                                  ? bundle_sql[i] : format < 6
                                  ? audit_v3_sql : audit_v6_sql, -1,
                                  &m->bs[i], NULL))
            return merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    return 0;
}

void merge_bundle_finish(merger *m)
{
    for (int i = 0; i < BS_COUNT; i++) {
        sqlite3_finalize(m->bs[i]);
        m->bs[i] = NULL;
    }
}
