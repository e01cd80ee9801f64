/* diamond.h: a bundle holding one interview with a long history of
 * uneven diamonds (a revision edited on two sides, one side twice, then
 * merged), the shape whose ancestor search once cost the square of its
 * length.  Shared by tests/check_hostile.c and bench/bench_merge.c. */
#ifndef KHAOSAT_DIAMOND_H
#define KHAOSAT_DIAMOND_H

#include <stdio.h>
#include <string.h>

#include "sync/bundle.h"
#include "store/revision.h"
#include "core/util.h"

#define DIAMOND_UUID "d1a30000-0000-4000-8000-000000000001"
#define DIAMOND_TIME "2026-05-01T08:00:00Z"

/* Write one revision (items hh_no and name: canonical order) with
 * the given parents and name; its id into id. */
static inline int diamond_rev(bundle_writer *w, const char *form_id,
                              const char *version, const char *device,
                              const char *p1, const char *p2,
                              const char *name, char id[REV_HEX + 1])
{
    static const char *const qid[2] = {"hh_no", "name"};
    const char *val[2] = {"1", name};
    rev_meta m = {DIAMOND_UUID, form_id, version, "complete", p1, p2};
    rev_hasher h;
    rev_hash_begin(&h, &m);
    for (int i = 0; i < 2; i++)
        rev_hash_item(&h, qid[i], "", val[i]);
    rev_hash_end(&h, id, NULL);
    bundle_rev r = {DIAMOND_UUID, id, p1, p2, "complete", device, "diamond",
                    DIAMOND_TIME};
    if (bundle_writer_revision(w, &r) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        if (bundle_writer_item(w, DIAMOND_UUID, id, qid[i], "", val[i]) != 0)
            return -1;
    return 0;
}

/* Write into dir a bundle of device whose interview has a history of
 * about revs revisions (4 per diamond) ending in a tip named tip; *path
 * names it (newly allocated).  0, or -1 with *err. */
static inline int diamond_bundle(const char *dir, const char *source,
                                 size_t len, const char *form_id,
                                 const char *version, const char *device,
                                 long revs, const char *tip, char **path,
                                 char **err)
{
    bundle_writer *w;
    if (bundle_writer_open(dir, &w, err) != 0)
        return -1;
    char prev[REV_HEX + 1], left[REV_HEX + 1], r1[REV_HEX + 1];
    char r2[REV_HEX + 1], name[32];
    int rc = bundle_writer_form(w, form_id, version, source, len);
    if (rc == 0)
        rc = diamond_rev(w, form_id, version, device, NULL, NULL, "root",
                         prev);
    for (long d = 0; rc == 0 && 4 * d + 2 < revs; d++) {
        snprintf(name, sizeof name, "left %ld", d);
        rc = diamond_rev(w, form_id, version, device, prev, NULL, name, left);
        snprintf(name, sizeof name, "right %ld", d);
        if (rc == 0)
            rc = diamond_rev(w, form_id, version, device, prev, NULL, name,
                             r1);
        snprintf(name, sizeof name, "right again %ld", d);
        if (rc == 0)
            rc = diamond_rev(w, form_id, version, device, r1, NULL, name, r2);
        snprintf(name, sizeof name, "merged %ld", d);
        const char *a = strcmp(left, r2) < 0 ? left : r2;
        const char *b = a == left ? r2 : left;
        if (rc == 0)
            rc = diamond_rev(w, form_id, version, device, a, b, name, prev);
    }
    char head[REV_HEX + 1];
    if (rc == 0)
        rc = diamond_rev(w, form_id, version, device, prev, NULL, tip, head);
    bundle_iv iv = {DIAMOND_UUID, form_id, version, "complete", "diamond",
                    device, DIAMOND_TIME, DIAMOND_TIME, head};
    if (rc == 0)
        rc = bundle_writer_interview(w, &iv);
    if (rc != 0) {
        *err = xstrdup(bundle_writer_errmsg(w));
        bundle_writer_abort(w);
        return -1;
    }
    bundle_manifest m = {0};
    m.device = xstrdup(device);
    m.enumerator = xstrdup("diamond");
    m.commune = xstrdup("Xa A");
    rc = bundle_writer_commit(w, &m, path, err);
    bundle_manifest_clear(&m);
    return rc;
}

#endif
