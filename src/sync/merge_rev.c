/* merge_rev.c: copying revisions and audit rows from a bundle, the
 * three-way merge of two revisions, and the case keys that reveal
 * possible duplicates. */
#include "config.h"
#include "sync/merge_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/i18n.h"
#include "core/util.h"
#include "sync/bundle_int.h"

void merge_items_add(merge_items *l, const char *qid, const char *path,
                     const char *value)
{
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    merge_item *it = &l->v[l->n++];
    it->qid = xstrdup(qid);
    it->path = xstrdup(path);
    it->value = xstrdup(value);
}

void merge_items_free(merge_items *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].qid);
        free(l->v[i].path);
        free(l->v[i].value);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Append an item to out, which must come in strictly increasing
 * canonical order (revision ids are hashed over it); -1 when it does not
 * (or a key is missing). */
static int add_in_order(merge_items *out, const char *qid, const char *path,
                        const char *value)
{
    if (!qid || !path || (out->n > 0 && rev_item_cmp(
            out->v[out->n - 1].qid, out->v[out->n - 1].path, qid, path) >= 0))
        return -1;
    merge_items_add(out, qid, path, value);
    return 0;
}

/* store_merge_row_fn: one item of a stored revision. */
static int add_stored_item(void *ctx, const char *const *col)
{
    return add_in_order(ctx, col[0], col[1], col[2]);
}

int merge_load_items(merger *m, const char *rev, merge_items *out)
{
    if (!rev)
        return 0;
    if (store_merge_items(m->sm, rev, add_stored_item, out) != 0)
        return merge_store_fail(m, _("reading revision %s"), rev);
    return 0;
}

/* Read the items of the bundle's revision rev of interview uuid into
 * out; -1 (with no message) on failure. */
static int read_bundle_items(merger *m, const char *uuid, const char *rev,
                             merge_items *out)
{
    sqlite3_stmt *s = m->bs[BS_ITEMS];
    sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, rev, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (add_in_order(out, (const char *)sqlite3_column_text(s, 0),
                         (const char *)sqlite3_column_text(s, 1),
                         (const char *)sqlite3_column_text(s, 2)) != 0) {
            rc = SQLITE_CORRUPT;
            break;
        }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Non-zero when revision id is stored here; -1 on failure. */
static int have_revision(merger *m, const char *id)
{
    int rc = store_merge_rev_has(m->sm, id);
    return rc >= 0 ? rc : merge_store_fail(m, _("reading revision %s"), id);
}

/* Write one revision row and its items; meta values in rev-table order:
 * id, interview, parent, parent2, status, device, enumerator, created,
 * and the bundle it came from (NULL: made here). */
static int write_revision(merger *m, const char *const meta[9],
                          const merge_items *items, const char *content)
{
    const char *v[10] = {meta[0], meta[1], meta[2], meta[3], meta[4],
                         meta[5], meta[6], meta[7], content, meta[8]};
    if (store_merge_rev_add(m->sm, v) != 0)
        return merge_store_fail(m, _("storing a revision"));
    for (size_t i = 0; i < items->n; i++)
        if (store_merge_item_add(m->sm, meta[0], items->v[i].qid,
                                 items->v[i].path, items->v[i].value) != 0)
            return merge_store_fail(m, _("storing a revision's answers"));
    return 0;
}

/* Copy the bundle revision at the current row of BS_REVS. */
static int import_one(merger *m, sqlite3_stmt *r, const char *uuid,
                      const char *form_id, const char *version)
{
    const char *c[7];
    for (int i = 0; i < 7; i++)
        c[i] = (const char *)sqlite3_column_text(r, i);
    int have = have_revision(m, c[0]);
    if (have != 0)
        return have < 0 ? -1 : 0;
    if (merge_check_device(m, _("a revision"), uuid, c[4]) != 0)
        return -1;
    merge_items items = {0};
    if (read_bundle_items(m, uuid, c[0], &items) != 0) {
        merge_items_free(&items);
        return merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    }
    rev_meta rm = {uuid, form_id, version, c[3], c[1], c[2]};
    rev_hasher h;
    rev_hash_begin(&h, &rm);
    for (size_t i = 0; i < items.n; i++)
        rev_hash_item(&h, items.v[i].qid, items.v[i].path, items.v[i].value);
    char id[65], content[65];
    rev_hash_end(&h, id, content);
    if (strcmp(id, c[0]) != 0) {
        /* Verified when the bundle was opened: a difference now means the
         * bundle changed under us or its rows came in another order. */
        merge_items_free(&items);
        free(m->err);
        m->err = xasprintf(_("%s: revision %s of interview %s does not match "
                           "its content"), bundle_path(m->b), c[0], uuid);
        return -1;
    }
    if (merge_check_values(m, uuid, form_id, version, &items) != 0) {
        merge_items_free(&items);
        return -1;
    }
    const char *meta[9] = {c[0], uuid, c[1], c[2], c[3], c[4], c[5], c[6],
                           bundle_get_manifest(m->b)->uuid};
    int rc = write_revision(m, meta, &items, content);
    merge_items_free(&items);
    return rc;
}

int merge_import_revisions(merger *m, const char *uuid, const char *form_id,
                           const char *version)
{
    sqlite3_stmt *r = m->bs[BS_REVS];
    sqlite3_bind_text(r, 1, uuid, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(r)) == SQLITE_ROW)
        if (import_one(m, r, uuid, form_id, version) != 0) {
            sqlite3_reset(r);
            return -1;
        }
    sqlite3_reset(r);
    if (rc != SQLITE_DONE)
        return merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    return 0;
}

/* The time of the current audit row: stored as text (format 1, or a
 * time not written to the millisecond), or coded (see bundle_audit.c) on
 * the clock of its device's run of rows. */
static int audit_time(merger *m, sqlite3_stmt *a, bundle_clock *clock,
                      char **prev_dev, char out[BUNDLE_TIME_LEN + 1],
                      const char **time)
{
    const char *dev = (const char *)sqlite3_column_text(a, 0);
    if (!*prev_dev || !dev || strcmp(dev, *prev_dev) != 0) {
        free(*prev_dev);
        *prev_dev = xstrdup(dev ? dev : "");
        bundle_clock_reset(clock);
    }
    if (bundle_clock_read(clock, a, 2, out, time) != 0)
        return merge_bundle_fail(m, _("reading the audit times of %s"),
                                 bundle_path(m->b));
    return 0;
}

void merge_audit_forget(merger *m)
{
    for (size_t i = 0; i < m->naudit_dev; i++)
        free(m->audit_dev[i]);
    free(m->audit_dev);
    free(m->audit_max);
    free(m->reused_device);
    m->audit_dev = NULL;
    m->audit_max = NULL;
    m->naudit_dev = 0;
    m->reused_device = NULL;
}

/* The highest audit number of device here before this run (looked up
 * once per device and run); 0 or -1. */
static int audit_max_before(merger *m, const char *device, long long *max)
{
    for (size_t i = 0; i < m->naudit_dev; i++)
        if (strcmp(m->audit_dev[i], device) == 0) {
            *max = m->audit_max[i];
            return 0;
        }
    if (store_merge_audit_max(m->sm, device, max) != 0)
        return -1;
    size_t n = m->naudit_dev + 1;
    m->audit_dev = xrealloc(m->audit_dev, n * sizeof *m->audit_dev);
    m->audit_max = xrealloc(m->audit_max, n * sizeof *m->audit_max);
    m->audit_dev[m->naudit_dev] = xstrdup(device);
    m->audit_max[m->naudit_dev++] = *max;
    return 0;
}

/* Count a kept audit row of device whose number seq another row here
 * has. */
static void audit_reused(merger *m, const char *device, long long seq)
{
    if (!m->c.reused++) {
        m->c.reused_lo = m->c.reused_hi = seq;
        m->reused_device = xstrdup(device);
    }
    if (seq < m->c.reused_lo)
        m->c.reused_lo = seq;
    if (seq > m->c.reused_hi)
        m->c.reused_hi = seq;
}

/* Copy one audit row of the bundle; prev_seq is the number of the
 * previous row of the same device (-1 for none).  0 or -1. */
static int audit_copy(merger *m, const store_merge_audit *row,
                      long long prev_seq)
{
    long long max = 0;
    if (audit_max_before(m, row->device, &max) != 0)
        return merge_store_fail(m, _("copying the audit trail"));
    /* Only a number not above what was here, or the same number twice in
     * the bundle, can be a reuse: new rows cost no look-up. */
    int check = row->seq <= max || row->seq == prev_seq;
    int added = 0, reused = 0;
    if (store_merge_audit_add(m->sm, row, &added, check ? &reused : NULL)
        != 0)
        return merge_store_fail(m, _("copying the audit trail"));
    /* A row new here must be the sending laptop's own. */
    if (added && merge_check_device(m, _("an audit row"), row->interview,
                                    row->device))
        return -1;
    if (reused)
        audit_reused(m, row->device, row->seq);
    return 0;
}

int merge_import_audit(merger *m, const char *uuid)
{
    sqlite3_stmt *a = m->bs[BS_AUDIT];
    if (bundle_get_manifest(m->b)->format >= 3)
        sqlite3_bind_int64(a, 1, m->iv_number);
    else
        sqlite3_bind_text(a, 1, uuid, -1, SQLITE_STATIC);
    bundle_clock clock = {0};
    char *dev = NULL, tbuf[BUNDLE_TIME_LEN + 1];
    long long prev_seq = -1;
    int rc;
    while ((rc = sqlite3_step(a)) == SQLITE_ROW) {
        /* audit_time notes a new device by resetting the clock. */
        char *was = dev ? xstrdup(dev) : NULL;
        const char *c[8];
        int fail = audit_time(m, a, &clock, &dev, tbuf, &c[2]);
        if (!was || strcmp(was, dev) != 0)
            prev_seq = -1;
        free(was);
        for (int i = 0; !fail && i < 8; i++)
            if (i != 2)
                c[i] = (const char *)sqlite3_column_text(a, i);
        long long seq = sqlite3_column_int64(a, 1);
        /* Our own rows, back from another database, are skipped. */
        if (!fail && strcmp(c[0], m->device) != 0) {
            store_merge_audit row = {uuid, c[0], seq, c[2], c[3], c[4],
                                     c[5], c[6], c[7]};
            fail = audit_copy(m, &row, prev_seq);
        }
        if (fail) {
            free(dev);
            sqlite3_reset(a);
            return -1;
        }
        prev_seq = seq;
    }
    free(dev);
    sqlite3_reset(a);
    if (rc != SQLITE_DONE)
        return merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    return 0;
}

/* Equal values, NULL meaning no answer. */
static int same(const char *a, const char *b)
{
    return a ? b && strcmp(a, b) == 0 : !b;
}

/* The item of l at *i when its key is (qid, path), advancing *i. */
static const char *take(const merge_items *l, size_t *i, const char *qid,
                        const char *path)
{
    if (*i < l->n && rev_item_cmp(l->v[*i].qid, l->v[*i].path, qid, path)
        == 0)
        return l->v[(*i)++].value;
    return NULL;
}

/* The smallest key at the heads of the three lists. */
static const merge_item *least(const merge_items *l[3], const size_t i[3])
{
    const merge_item *best = NULL;
    for (int k = 0; k < 3; k++)
        if (i[k] < l[k]->n && (!best || rev_item_cmp(l[k]->v[i[k]].qid,
                l[k]->v[i[k]].path, best->qid, best->path) < 0))
            best = &l[k]->v[i[k]];
    return best;
}

/* Record a conflict on one answer. */
static int add_conflict(merger *m, const char *uuid, const char *qid,
                        const char *path, const char *const val[3],
                        const char *mine, const char *theirs,
                        const char *merged)
{
    const char *v[10] = {uuid, qid, path, val[0], val[1], val[2], mine,
                         theirs, merged, m->now};
    m->c.conflicts++;
    if (store_merge_conflict_add(m->sm, v) != 0)
        return merge_store_fail(m, _("recording a conflict"));
    return 0;
}

/* Answer by answer against base (l[0]), mine (l[1]) and theirs (l[2]):
 * out gets the merged items; conf two entries per conflict, (qid, path,
 * base value) then (mine value, theirs value, NULL). */
static void merge_lists(const merge_items *l[3], merge_items *out,
                        merge_items *conf)
{
    size_t i[3] = {0, 0, 0};
    const merge_item *k;
    while ((k = least(l, i)) != NULL) {
        char *qid = xstrdup(k->qid), *path = xstrdup(k->path);
        const char *v[3];
        for (int j = 0; j < 3; j++)
            v[j] = take(l[j], &i[j], qid, path);
        const char *r = v[1];
        if (same(v[0], v[1]))
            r = v[2];
        else if (!same(v[0], v[2]) && !same(v[1], v[2])) {
            if (!*qid && v[1] && v[2])      /* repeat counts: the larger */
                r = strtol(v[1], NULL, 10) >= strtol(v[2], NULL, 10)
                    ? v[1] : v[2];
            else {
                merge_items_add(conf, qid, path, v[0]);
                merge_items_add(conf, v[1], v[2], NULL);
            }
        }
        if (r)
            merge_items_add(out, qid, path, r);
        free(qid);
        free(path);
    }
}

/* The status of revision id, newly allocated; NULL on failure. */
static char *rev_status(merger *m, const char *id)
{
    char *st = NULL;
    if (store_merge_rev_status(m->sm, id, &st) != 0) {
        free(st);
        merge_store_fail(m, _("reading revision %s"), id);
        return NULL;
    }
    return st;
}

/* Write the merged revision of mine and theirs: parents in sorted order,
 * so two offices making the same merge make the same revision. */
static int write_merged(merger *m, const char *uuid, const char *form_id,
                        const char *version, const char *mine,
                        const char *theirs, const merge_items *items,
                        char out[65])
{
    char *s1 = rev_status(m, mine), *s2 = s1 ? rev_status(m, theirs) : NULL;
    if (!s2) {
        free(s1);
        return -1;
    }
    const char *status = strcmp(s1, "complete") == 0 ? s1 : s2;
    const char *p1 = strcmp(mine, theirs) < 0 ? mine : theirs;
    const char *p2 = p1 == mine ? theirs : mine;
    rev_meta rm = {uuid, form_id, version, status, p1, p2};
    rev_hasher h;
    rev_hash_begin(&h, &rm);
    for (size_t i = 0; i < items->n; i++)
        rev_hash_item(&h, items->v[i].qid, items->v[i].path,
                      items->v[i].value);
    char content[65];
    rev_hash_end(&h, out, content);
    const char *meta[9] = {out, uuid, p1, p2, status, m->device,
                           m->enumerator, m->now_ms, NULL};
    int rc = write_revision(m, meta, items, content);
    free(s1);
    free(s2);
    return rc;
}

int merge_unrelated(merger *m, const char *uuid, const char *mine,
                    const char *theirs)
{
    merge_items l[3] = {{0}};
    int rc = merge_load_items(m, mine, &l[1]);
    if (rc == 0)
        rc = merge_load_items(m, theirs, &l[2]);
    const merge_items *lp[3] = {&l[0], &l[1], &l[2]};
    size_t i[3] = {0, 0, 0};
    const merge_item *k;
    while (rc == 0 && (k = least(lp, i)) != NULL) {
        char *qid = xstrdup(k->qid), *path = xstrdup(k->path);
        const char *v[3] = {NULL, take(lp[1], &i[1], qid, path),
                            take(lp[2], &i[2], qid, path)};
        if (!same(v[1], v[2]))
            rc = add_conflict(m, uuid, qid, path, v, mine, theirs, mine);
        free(qid);
        free(path);
    }
    merge_items_free(&l[1]);
    merge_items_free(&l[2]);
    return rc;
}

int merge_three_way(merger *m, const char *uuid, const char *form_id,
                    const char *version, const char *base, const char *mine,
                    const char *theirs, char out[65])
{
    merge_items l[3] = {{0}}, merged = {0}, conf = {0};
    int rc = merge_load_items(m, base, &l[0]);
    if (rc == 0)
        rc = merge_load_items(m, mine, &l[1]);
    if (rc == 0)
        rc = merge_load_items(m, theirs, &l[2]);
    if (rc == 0) {
        const merge_items *lp[3] = {&l[0], &l[1], &l[2]};
        merge_lists(lp, &merged, &conf);
        rc = write_merged(m, uuid, form_id, version, mine, theirs, &merged,
                          out);
    }
    for (size_t i = 0; rc == 0 && i + 1 < conf.n; i += 2) {
        const char *v[3] = {conf.v[i].value, conf.v[i + 1].qid,
                            conf.v[i + 1].path};
        rc = add_conflict(m, uuid, conf.v[i].qid, conf.v[i].path, v, mine,
                          theirs, out);
    }
    for (int i = 0; i < 3; i++)
        merge_items_free(&l[i]);
    merge_items_free(&merged);
    merge_items_free(&conf);
    return rc;
}
