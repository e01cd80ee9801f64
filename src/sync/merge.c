/* merge.c: merging a verified bundle into the database, one transaction
 * per bundle, and the lists of conflicts and duplicates.  Revisions,
 * three-way merging and case keys are in merge_rev.c. */
#include "config.h"
#include "sync/merge_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlutil.h"
#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

int merge_store_err(merger *m)
{
    free(m->err);
    m->err = xstrdup(store_errmsg(m->st));
    return -1;
}

int merge_store_fail(merger *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store_merge_vfail(m->sm, fmt, ap);
    va_end(ap);
    return merge_store_err(m);
}

/* The merger's message becomes "BUNDLE: what[: reason]"; -1. */
static int bundle_message(merger *m, const char *reason, const char *fmt,
                          va_list ap) KS_PRINTF(3, 0);
static int bundle_message(merger *m, const char *reason, const char *fmt,
                          va_list ap)
{
    char *what = xvasprintf(fmt, ap);
    free(m->err);
    m->err = reason ? xasprintf("%s: %s: %s", bundle_path(m->b), what, reason)
                    : xasprintf("%s: %s", bundle_path(m->b), what);
    free(what);
    return -1;
}

int merge_refuse(merger *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bundle_message(m, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int merge_bundle_fail(merger *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bundle_message(m, sqlutil_reason(bundle_sqlite(m->b)), fmt, ap);
    va_end(ap);
    return -1;
}

static void forget_changed(merger *m);

merger *merger_new(store *st)
{
    merger *m = xcalloc(1, sizeof *m);
    m->st = st;
    m->sm = store_merge_new(st);
    return m;
}

void merger_free(merger *m)
{
    if (!m)
        return;
    store_merge_free(m->sm);
    merge_keys_free(m);
    forget_changed(m);
    free(m->changed);
    free(m->notes);
    free(m->device);
    free(m->enumerator);
    free(m->merged_on);
    free(m->speaks_for);
    merge_audit_forget(m);
    free(m->err);
    free(m);
}

/* Make revision rev the interview's content and head. */
static int apply_revision(merger *m, const char *uuid, const char *old,
                          const char *rev)
{
    int rc = store_merge_apply(m->sm, uuid, old, rev, m->now, m->now_ms);
    if (rc == -1)
        return merge_store_fail(m, _("applying a merged revision"));
    if (rc != 0)
        return merge_store_fail(m, _("auditing interview %s"), uuid);
    m->changed = util_grow(m->changed, &m->capchanged, m->nchanged + 1,
                           sizeof *m->changed);
    m->changed[m->nchanged++] = xstrdup(uuid);
    return 0;
}

/* Forget the interviews and notes of the last run. */
static void forget_changed(merger *m)
{
    for (size_t i = 0; i < m->nchanged; i++)
        free(m->changed[i]);
    m->nchanged = 0;
    for (size_t i = 0; i < m->nnotes; i++)
        free(m->notes[i]);
    m->nnotes = 0;
}

size_t merger_notes(const merger *m, char *const **out)
{
    *out = m->notes;
    return m->nnotes;
}

void merge_note(merger *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    m->notes = util_grow(m->notes, &m->capnotes, m->nnotes + 1,
                         sizeof *m->notes);
    m->notes[m->nnotes++] = xvasprintf(fmt, ap);
    va_end(ap);
}

/* Why a bundle signed by signer (NULL: unsigned) naming commune from does
 * not speak for a commune whose set-up is bound here to the key bound
 * (NULL: none; a kept-for-later row stores an unsigned sender as ""); "this bundle" the one being merged, else "that bundle"
 * (newly allocated). */
static char *bound_why(const char *signer, const char *from,
                       const char *bound, int this)
{
    if (signer && !*signer)
        signer = NULL;  /* kept for later from an unsigned bundle */
    char *c = merge_escaped(from);
    char *why = !bound
        ? (this ? xasprintf(_("but this bundle speaks for commune %s"), c)
                : xasprintf(_("but that bundle speaks for commune %s"), c))
        : signer
        ? (this ? xasprintf(_("whose set-up is sent here by the office %s, "
                              "but this bundle is signed by %s"), bound,
                            signer)
                : xasprintf(_("whose set-up is sent here by the office %s, "
                              "but that bundle is signed by %s"), bound,
                            signer))
        : (this ? xasprintf(_("whose set-up is sent here by the office %s, "
                              "but this bundle is not signed"), bound)
                : xasprintf(_("whose set-up is sent here by the office %s, "
                              "but that bundle is not signed"), bound));
    free(c);
    return why;
}

/* bound_why for the bundle being merged. */
static char *this_why(const merger *m, const char *bound)
{
    return bound_why(bundle_signer(m->b), merge_commune(m),
                     bound, 1);
}

void merge_note_bound(merger *m, const char *a, const char *b,
                      const char *commune, const char *bound)
{
    if (!m->b)
        return;         /* rekeyed outside a merge: dropped untold */
    char *c = merge_escaped(commune), *why = this_why(m, bound);
    merge_note(m, _("%s: the decision on possible duplicates %s and %s "
                    "ignored: they are of commune %s, %s; only the office "
                    "of a pair's commune decides it"), bundle_path(m->b), a,
               b, c, why);
    free(why);
    free(c);
}

/* The bundle a kept decision or review came in (newly allocated). */
static char *kept_bundle(const store_later *k)
{
    return k->bundle ? ui_text_safe(k->bundle, UI_TEXT_LINE)
                     : xstrdup(_("an earlier bundle"));
}

void merge_note_kept_decision(merger *m, const char *a, const char *b,
                              const store_later *k)
{
    if (!m->b)
        return;         /* rekeyed outside a merge: dropped untold */
    char *c = merge_escaped(k->commune), *from = kept_bundle(k);
    char *why = bound_why(k->signer, k->from, k->bound, 0);
    merge_note(m, _("the decision on possible duplicates %s and %s kept for "
                    "later from %s ignored: they are of commune %s, %s; only "
                    "the office of a pair's commune decides it"), a, b, from,
               c, why);
    free(why);
    free(from);
    free(c);
}

/* Note that the review of interview uuid is ignored, as a decision is in
 * merge_note_bound. */
static void note_review_bound(merger *m, const char *uuid,
                              const char *commune, const char *bound)
{
    char *c = merge_escaped(commune), *why = this_why(m, bound);
    merge_note(m, _("%s: the review of interview %s ignored: it is of "
                    "commune %s, %s; only the office of an interview's "
                    "commune reviews it"), bundle_path(m->b), uuid, c, why);
    free(why);
    free(c);
}

/* Taking the reviews kept for one interview. */
typedef struct kept_reviews {
    merger *m;
    const char *uuid;
} kept_reviews;

/* store_later_fn: count a kept review taken, note one dropped. */
static int kept_review(void *ctx, int outcome, const store_later *k)
{
    kept_reviews *r = ctx;
    if (outcome == 0)
        r->m->c.reviews++;
    if (outcome != STORE_DECISION_BOUND)
        return 0;
    char *c = merge_escaped(k->commune), *from = kept_bundle(k);
    char *why = bound_why(k->signer, k->from, k->bound, 0);
    merge_note(r->m, _("the review of interview %s kept for later from %s "
                       "ignored: it is of commune %s, %s; only the office of "
                       "an interview's commune reviews it"), r->uuid, from,
               c, why);
    free(why);
    free(from);
    free(c);
    return 0;
}

/* The reviews that came before interview uuid, now here: taken when from
 * the office of its commune, each judging the revision it judged. */
static int take_kept_reviews(merger *m, const char *uuid)
{
    kept_reviews r = {m, uuid};
    if (store_reviews_later_take_tx(m->st, uuid, kept_review, &r) != 0)
        return merge_store_err(m);
    return 0;
}

const char *merge_commune(const merger *m)
{
    return m->speaks_for ? m->speaks_for
                         : bundle_get_manifest(m->b)->commune;
}

const char *merger_merged_on(const merger *m)
{
    return m->merged_on;
}

const char *merger_reused_device(const merger *m)
{
    return m->reused_device;
}

size_t merger_changed(const merger *m, char *const **out)
{
    *out = m->changed;
    return m->nchanged;
}

/* The local interview: 0 with its form and head (NULL when it has no
 * revision yet), 1 when it is not here. */
static int local_interview(merger *m, const char *uuid, char **form_id,
                           char **version, char **head)
{
    int rc = store_merge_interview(m->sm, uuid, form_id, version, head);
    return rc >= 0 ? rc : merge_store_fail(m, _("reading interview %s"), uuid);
}

/* Insert the interview row of a new interview (content comes after). */
static int add_interview(merger *m, sqlite3_stmt *iv)
{
    const char *v[8];
    for (int i = 0; i < 8; i++)
        v[i] = (const char *)sqlite3_column_text(iv, i);
    if (store_merge_interview_add(m->sm, v) != 0)
        return merge_store_fail(m, _("adding an interview"));
    return 0;
}

/* Decide and apply, given local head L (may be NULL) and bundle head B,
 * with the interview's history loaded once. */
static int settle(merger *m, const char *uuid, const char *form_id,
                  const char *version, const char *L, const char *B)
{
    if (L && strcmp(L, B) == 0) {
        m->c.unchanged++;
        return 0;
    }
    merge_graph g;
    if (merge_graph_load(m, uuid, &g) != 0)
        return -1;
    int rc = 0;
    char merged[65], *base = NULL;
    const char *to = B;
    if (L && merge_graph_is_ancestor(&g, B, L)) {
        m->c.unchanged++;           /* an older state: nothing to do */
        merge_graph_free(&g);
        return 0;
    }
    if (L && !merge_graph_is_ancestor(&g, L, B)) {
        base = merge_graph_base(&g, L, B);
        if (!base) {
            /* Unrelated histories under one UUID: never an update. */
            merge_graph_free(&g);
            return merge_unrelated(m, uuid, L, B);
        }
        rc = merge_three_way(m, uuid, form_id, version, base, L, B, merged);
        to = merged;
    }
    merge_graph_free(&g);
    free(base);
    if (rc != 0)
        return -1;
    m->c.updated++;
    if (apply_revision(m, uuid, L, to) != 0)
        return -1;
    return merge_case_key(m, uuid, form_id, version, to);
}

/* A bundle from the interview's own device that names a commune decides
 * its commune, even when it brings nothing new: a laptop that had no
 * commune set exports again with --all once it has one. */
static int claim_commune(merger *m, const char *uuid, const char *dev)
{
    const bundle_manifest *man = bundle_get_manifest(m->b);
    const char *commune = merge_commune(m);
    if (!commune || !*commune || !dev || strcmp(dev, man->device))
        return 0;
    if (store_merge_rev_claim(m->sm, uuid, man->uuid, man->device,
                              commune) != 0)
        return merge_store_fail(m, _("noting the commune of interview %s"),
                                uuid);
    return 0;
}

/* 1 (noted and counted) when an office's bundle speaking for one
 * commune carries interview uuid, held here as of another commune's: two
 * offices sending the same interviews (one started from a copy of the
 * other's database); not taken.  0 when it may be merged, -1. */
static int other_commune(merger *m, const char *uuid)
{
    /* The commune it speaks for after a correction of its code, as the
     * rest of the merge uses: an older bundle of an office that corrected
     * its code carries its own interviews, not another commune's. */
    const char *commune = merge_commune(m);
    const char *role = bundle_signer_role(m->b);
    if (!role || strcmp(role, "office") || !commune || !*commune)
        return 0;
    char *held = NULL;
    int rc = store_merge_other_commune(m->sm, uuid, commune, &held);
    if (rc < 0)
        return merge_store_fail(m, _("reading the commune of interview %s"),
                                uuid);
    if (rc == 0)
        return 0;
    char *h = merge_escaped(held), *c = merge_escaped(commune);
    merge_note(m, _("%s: interview %s is of commune %s; this bundle speaks "
                    "for commune %s: not taken.  Two offices send the same "
                    "interviews: the office whose laptops did not send them "
                    "was likely started from a copy of the other's database; "
                    "start it again from a fresh database (khaosat keys "
                    "restore of its own key, its own set-up)"),
               bundle_path(m->b), uuid, h, c);
    free(h);
    free(c);
    free(held);
    m->c.other_commune++;
    return 1;
}

/* Merge the interview at the current row of BS_IVS. */
static int merge_interview(merger *m, sqlite3_stmt *iv)
{
    const char *uuid = (const char *)sqlite3_column_text(iv, 0);
    const char *form_id = (const char *)sqlite3_column_text(iv, 1);
    const char *version = (const char *)sqlite3_column_text(iv, 2);
    const char *B = (const char *)sqlite3_column_text(iv, 8);
    char *lform = NULL, *lversion = NULL, *L = NULL;
    int here = local_interview(m, uuid, &lform, &lversion, &L);
    int rc = here < 0 ? -1 : 0;
    if (here == 0 && (rc = other_commune(m, uuid)) != 0) {
        free(lform);
        free(lversion);
        free(L);
        return rc < 0 ? -1 : 0;
    }
    if (here == 0 && (strcmp(lform, form_id) || strcmp(lversion, version)))
        rc = merge_refuse(m, _("interview %s is of form %s version %s in "
                          "this bundle but of %s version %s in %s"), uuid,
                          form_id, version, lform, lversion,
                          store_path(m->st));
    /* A laptop's bundle starts interviews of its own device only. */
    if (rc == 0 && here == 1)
        rc = merge_check_device(m, _("the start"), uuid,
                                (const char *)sqlite3_column_text(iv, 5));
    if (rc == 0 && here == 1)
        rc = add_interview(m, iv);
    if (rc == 0 && here == 0 && !L) {
        /* Stored before revisions existed: give it one to merge with. */
        char head[65];
        rc = store_rev_snapshot_tx(m->st, uuid, 0, head);
        if (rc != 0)
            merge_store_err(m);
        else
            L = xstrdup(head);
    }
    if (rc == 0)
        rc = merge_import_revisions(m, uuid, form_id, version);
    if (rc == 0)
        rc = merge_import_audit(m, uuid);
    /* Before its case key: the commune decides its possible duplicates. */
    if (rc == 0)
        rc = claim_commune(m, uuid, (const char *)sqlite3_column_text(iv, 5));
    if (rc == 0 && here == 1) {
        m->c.added++;
        rc = apply_revision(m, uuid, NULL, B);
        if (rc == 0)
            rc = merge_case_key(m, uuid, form_id, version, B);
    } else if (rc == 0) {
        rc = settle(m, uuid, form_id, version, L, B);
    }
    if (rc == 0)
        rc = take_kept_reviews(m, uuid);
    free(lform);
    free(lversion);
    free(L);
    return rc;
}

/* 1 when this bundle was merged here before, 0 when not, -1 when a
 * different bundle claims its UUID. */
static int merged_before(merger *m, const bundle_manifest *man)
{
    int seen = store_merge_bundle_seen(m->sm, man->uuid, man->sha256,
                                       &m->merged_on);
    if (seen < 0)
        return merge_store_fail(m, _("reading the merged bundles"));
    if (seen < 2)
        return seen;
    free(m->err);
    m->err = xasprintf(_("%s: a different bundle with the same UUID %s was "
                       "merged before; refusing it"), bundle_path(m->b),
                       man->uuid);
    return -1;
}

int merger_file_seen(merger *m, const char *file_hash, char **uuid,
                     char **merged, char **err)
{
    int rc = store_merge_bundle_file(m->sm, file_hash, uuid, merged);
    if (rc < 0) {
        merge_store_fail(m, _("reading the merged bundles"));
        *err = m->err;
        m->err = NULL;
    }
    return rc;
}

/* A card that names its device binds the key to that device from the
 * day it is trusted: a bundle signed by it must say that device, and one
 * saying that device must be signed by it, whether it comes first or
 * not. */
static int check_card_device(merger *m, const bundle_manifest *man)
{
    const char *fpr = bundle_signer(m->b);
    store_trusted t;
    int rc = fpr ? store_trusted_get(m->st, fpr, &t) : 1;
    if (rc < 0)
        return merge_store_fail(m, _("reading the trusted keys"));
    if (rc == 0 && t.device && strcmp(t.device, man->device) != 0) {
        free(m->err);
        m->err = xasprintf(_("%s: signed by %s, whose card is for device "
                             "%s, but it says it comes from device %s; "
                             "refusing it"), bundle_path(m->b), fpr,
                           t.device, man->device);
        store_trusted_clear(&t);
        return -1;
    }
    if (rc == 0)
        store_trusted_clear(&t);
    rc = store_trusted_device_card(m->st, man->device, fpr, &t);
    if (rc < 0)
        return merge_store_fail(m, _("reading the trusted keys"));
    if (rc == 1)
        return 0;
    free(m->err);
    m->err = fpr ? xasprintf(_("%s: says it comes from device %s, which is "
                               "bound here to the card %s, but it is signed "
                               "by %s; refusing it"), bundle_path(m->b),
                             man->device, t.fingerprint, fpr)
                 : xasprintf(_("%s: says it comes from device %s, which is "
                               "bound here to the card %s, but it is not "
                               "signed; refusing it"), bundle_path(m->b),
                             man->device, t.fingerprint);
    store_trusted_clear(&t);
    return -1;
}

/* A signing key speaks for one device, and a device's bundles come from
 * one key: refuse a bundle that breaks what earlier ones established. */
static int check_signer(merger *m, const bundle_manifest *man)
{
    const char *fpr = bundle_signer(m->b);
    if (check_card_device(m, man) != 0)
        return -1;
    char *other = NULL;
    if (fpr && store_merge_signer_device(m->sm, fpr, man->device, &other))
        return merge_store_fail(m, _("reading the merged bundles"));
    if (other) {
        free(m->err);
        m->err = xasprintf(_("%s: signed by %s, whose earlier bundles came "
                           "from device %s, but this one says device %s; "
                           "refusing it"), bundle_path(m->b), fpr, other,
                           man->device);
        free(other);
        return -1;
    }
    if (store_merge_device_signer(m->sm, man->device, fpr, &other) != 0)
        return merge_store_fail(m, _("reading the merged bundles"));
    if (other) {
        free(m->err);
        m->err = xasprintf(_("%s: says it comes from device %s, whose bundles "
                           "are signed by %s, but it is %s; refusing it"),
                           bundle_path(m->b), man->device, other,
                           fpr ? _("signed by another key") : _("not signed"));
        free(other);
        return -1;
    }
    return 0;
}

int merge_own_device_only(const merger *m)
{
    const char *role = bundle_signer_role(m->b);
    return role && strcmp(role, "laptop") == 0;
}

int merge_check_device(merger *m, const char *what, const char *uuid,
                       const char *dev)
{
    const bundle_manifest *man = bundle_get_manifest(m->b);
    if (!merge_own_device_only(m) || strcmp(dev, man->device) == 0)
        return 0;
    free(m->err);
    m->err = xasprintf(_("%s: carries %s of interview %s made on device %s, "
                       "but it is signed by the laptop %s of device %s; a "
                       "laptop's bundle carries only its own work"),
                       bundle_path(m->b), what, uuid, dev,
                       bundle_signer(m->b), man->device);
    return -1;
}

/* Refuse (-1) a bundle that carries what only an office sends (what:
 * "reviews", "decisions on duplicates") but is a laptop's or unsigned; 0
 * when it is an office's signed bundle. */
static int merge_office_only(merger *m, const char *what)
{
    if (merge_own_device_only(m))
        return merge_refuse(m, _("carries %s, but it is signed by the laptop "
                                 "%s; only an office sends them"), what,
                            bundle_signer(m->b));
    if (!bundle_signer_role(m->b))
        return merge_refuse(m, _("carries %s, but it is not signed; only an "
                                 "office's signed bundle carries them (the "
                                 "office makes its card with khaosat keys "
                                 "export --role office, and this database "
                                 "accepts it with khaosat keys trust "
                                 "--accept)"), what);
    return 0;
}

/* The reviews of an office's bundle: each kept when newer than the one
 * here, with the commune that made it, or, for an interview not here
 * yet, kept for later (taken when it arrives, take_kept_reviews).  Only
 * an office reviews: a laptop's signed bundle carrying reviews is
 * refused. */
static int merge_reviews(merger *m)
{
    sqlite3_stmt *s = m->bs[BS_REVIEWS];
    if (!s)
        return 0;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((ret = merge_office_only(m, _("reviews"))) != 0)
            break;
        const char *c[8];
        for (int i = 0; i < 8; i++)
            c[i] = (const char *)sqlite3_column_text(s, i);
        store_down_review r = {c[0], c[1], c[2], c[3], c[4], c[5], c[6],
                               c[7]};
        char *commune = NULL, *bound = NULL;
        int took = store_review_office_tx(m->st, &r, bundle_signer(m->b),
                                          merge_commune(m),
                                          bundle_path(m->b), &commune,
                                          &bound);
        if (took == STORE_DECISION_BOUND)
            note_review_bound(m, r.interview, commune, bound);
        free(commune);
        free(bound);
        if (took < 0)
            ret = merge_store_err(m);
        else if (took == 0)
            m->c.reviews++;
        else if (took == STORE_DECISION_LATER)
            m->c.reviews_later++;
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    sqlite3_reset(s);
    return ret;
}

/* The decisions on possible duplicates of an office's bundle: each kept
 * on a pair flagged here too, when newer than the decision here (the
 * province then counts the pair decided and leaves the superseded
 * interview out as the office does), or until the pair is flagged; one
 * on a pair of another office's commune is ignored, with a note.  A
 * laptop's signed bundle carrying decisions is refused: only an office
 * decides. */
static int merge_decisions(merger *m)
{
    sqlite3_stmt *s = m->bs[BS_DECISIONS];
    if (!s)
        return 0;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((ret = merge_office_only(m, _("decisions on duplicates"))) != 0)
            break;
        const char *c[6];
        for (int i = 0; i < 6; i++)
            c[i] = (const char *)sqlite3_column_text(s, i);
        store_up_decision d = {c[0], c[1], c[2], c[3], c[4], c[5]};
        char *commune = NULL, *bound = NULL;
        int took = store_decision_take_tx(m->st, &d, bundle_signer(m->b),
                                          merge_commune(m),
                                          bundle_path(m->b), &commune,
                                          &bound);
        if (took < 0)
            ret = merge_store_err(m);
        else if (took == 0 && !strcmp(d.decision, "open"))
            m->c.decisions_open++;
        else if (took == 0)
            m->c.decisions++;
        else if (took == STORE_DECISION_LATER)
            m->c.decisions_later++;
        else if (took == STORE_DECISION_BOUND) {
            m->c.decisions_bound++;
            merge_note_bound(m, d.a, d.b, commune, bound);
        }
        free(commune);
        free(bound);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    sqlite3_reset(s);
    return ret;
}

/* Record the bundle as merged, with what it did (again at the end, with
 * the counts). */
static int record_bundle(merger *m, const bundle_manifest *man)
{
    store_merge_bundle r = {
        man->uuid, man->sha256, bundle_path(m->b), man->device,
        man->enumerator, merge_commune(m), man->created, m->now,
        bundle_signer(m->b), bundle_file_hash(m->b), m->c.added, m->c.updated, m->c.unchanged,
        m->c.conflicts, m->c.duplicates};
    if (store_merge_bundle_add(m->sm, &r) != 0)
        return merge_store_fail(m, _("recording the bundle"));
    return 0;
}

/* Everything inside the bundle's transaction. */
static int merge_body(merger *m, merge_progress_fn progress, void *ctx)
{
    const bundle_manifest *man = bundle_get_manifest(m->b);
    int before = merged_before(m, man);
    if (before != 0)
        return before;
    if (check_signer(m, man) != 0)
        return -1;
    /* Recorded first (its counts at the end): the commune an interview
     * came from is its first bundle's, this one's for a new interview,
     * and possible duplicates are paired within one commune. */
    if (merge_check_forms(m) != 0 || merge_refresh_keys(m) != 0
        || record_bundle(m, man) != 0 || merge_setups(m) != 0)
        return -1;
    sqlite3_stmt *iv = m->bs[BS_IVS];
    int rc;
    long done = 0;
    m->iv_number = 0;
    while ((rc = sqlite3_step(iv)) == SQLITE_ROW) {
        m->iv_number++;
        if (merge_interview(m, iv) != 0) {
            sqlite3_reset(iv);
            return -1;
        }
        if (progress && progress(ctx, ++done) != 0) {
            sqlite3_reset(iv);
            free(m->err);
            m->err = xasprintf(_("%s: merge interrupted"), bundle_path(m->b));
            return -1;
        }
    }
    sqlite3_reset(iv);
    if (rc != SQLITE_DONE)
        return merge_bundle_fail(m, _("reading %s"), bundle_path(m->b));
    if (merge_reviews(m) != 0 || merge_decisions(m) != 0
        || merge_one_kept(m) != 0)
        return -1;
    return record_bundle(m, man);
}

/* Learn this database's device and enumerator, once. */
static int merge_identity(merger *m)
{
    if (m->device)
        return 0;
    char *who = NULL;
    if (store_device_id(m->st, &m->device) != 0
        || store_setting_get(m->st, STORE_SET_ENUMERATOR, &who) != 0)
        return merge_store_err(m);
    m->enumerator = who ? who : xstrdup("");
    return 0;
}

int merger_run(merger *m, bundle *b, merge_progress_fn progress, void *ctx,
               merge_counts *out, char **err)
{
    memset(&m->c, 0, sizeof m->c);
    m->forms_held = 0;
    free(m->merged_on);
    m->merged_on = NULL;
    free(m->speaks_for);
    m->speaks_for = NULL;
    merge_audit_forget(m);
    forget_changed(m);
    m->b = b;
    store_now_both(m->now, m->now_ms);
    int rc = merge_identity(m);
    if (rc == 0)
        rc = merge_bundle_prepare(m);
    if (rc == 0 && store_begin(m->st) != 0)
        rc = merge_store_err(m);
    if (rc == 0) {
        rc = merge_body(m, progress, ctx);
        if (rc == 0 && store_commit(m->st) != 0)
            rc = merge_store_err(m);
        if (rc != 0)
            store_rollback(m->st);
        if (rc != 0)
            forget_changed(m);
        /* Forms bound to a set-up the rollback took back. */
        if (rc != 0 || m->c.setups)
            merge_keys_free(m);
    }
    merge_bundle_finish(m);
    m->b = NULL;
    *out = m->c;
    if (rc < 0) {
        *err = m->err;
        m->err = NULL;
    }
    return rc;
}
