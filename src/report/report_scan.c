/* report_scan.c: reading a khaosat database for reports and exports, one
 * interview at a time. The database is opened read-only by its own
 * connection: a report never changes data, and may run while the
 * enumerators' program has the file open (WAL readers do not block). */
#include "config.h"
#include "report/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/value.h"
#include "store/store_reader.h"

/* A form version loaded for the scan. */
typedef struct rscan_form {
    char *id, *version;
    form *owned;          /* loaded from the stored text, or NULL */
    const form *f;
} rscan_version;

struct rscan {
    store_reader *r;
    char *path;
    rscan_version *forms;
    size_t nforms;
    inst_rows rows;       /* one interview's, storage reused for the next */
    int part, nparts;     /* rscan_each visits interviews i % nparts == part */
    char *const *only;    /* sorted UUIDs rscan_each keeps to, or NULL */
    size_t nonly;
    unsigned select;      /* RSCAN_APPROVED_ONLY, RSCAN_SUPERSEDED */
    int drafts_only;      /* rscan_each skips complete interviews */
    int scope;            /* interviews read once into the reader's
                           * temporary tables for scoped walks */
    int scope_table;      /* only is in the reader's scope table */
    char *dup_form;       /* rscan_key_duplicates' last form, and count */
    long dup_n;
};

store_reader *rscan_reader(rscan *s)
{
    return s->r;
}

char *const *rscan_kept_list(const rscan *s, size_t *n)
{
    *n = s->nonly;
    return s->only;
}

void rscan_drafts_only(rscan *s, int on)
{
    s->drafts_only = on;
}

int rscan_open(const char *path, rscan **out, char **err)
{
    *out = NULL;
    store_reader *r;
    if (store_reader_open(path, &r, err) != 0)
        return -1;
    rscan *s = xcalloc(1, sizeof *s);
    s->r = r;
    s->path = xstrdup(path);
    s->nparts = 1;
    *out = s;
    return 0;
}

void rscan_disconnect(rscan *s)
{
    store_reader_close(s->r);
    s->r = NULL;
}

int rscan_reconnect(rscan *s, char **err)
{
    return s->r ? 0 : store_reader_open(s->path, &s->r, err);
}

void rscan_partition(rscan *s, int part, int nparts)
{
    s->part = part;
    s->nparts = nparts > 0 ? nparts : 1;
}

void rscan_close(rscan *s)
{
    if (!s)
        return;
    inst_rows_free(&s->rows);
    for (size_t i = 0; i < s->nforms; i++) {
        free(s->forms[i].id);
        free(s->forms[i].version);
        form_free(s->forms[i].owned);
    }
    free(s->forms);
    free(s->dup_form);
    store_reader_close(s->r);
    free(s->path);
    free(s);
}

/* The stored text of a form version, loaded; NULL when it is not stored
 * or does not load cleanly, or when cat_f (may be NULL) has the very same
 * text (*stored then 1: cat_f is the database's form). */
static form *rscan_stored_form(rscan *s, const char *id, const char *version,
                               const form *cat_f, int *stored)
{
    size_t len = 0;
    char *src = store_reader_form_text(s->r, id, version, &len);
    *stored = src != NULL;
    if (!src || (cat_f && cat_f->source_len == len
                 && memcmp(cat_f->source, src, len) == 0)) {
        free(src);
        return NULL;
    }
    diag_list d;
    diag_init(&d);
    char *name = xasprintf("%s (%s %s)", s->path, id, version);
    form *f = form_load_string(src, len, name, &d);
    free(name);
    free(src);
    if (f && d.n) {
        form_free(f);
        f = NULL;
    }
    diag_free(&d);
    return f;
}

const form *rscan_form(rscan *s, const catalog *cat, const char *id,
                       const char *version, char **err)
{
    for (size_t i = 0; i < s->nforms; i++)
        if (!strcmp(s->forms[i].id, id) && !strcmp(s->forms[i].version, version)) {
            if (!s->forms[i].f && err)
                *err = xasprintf(_("form %s version %s is neither in the "
                                   "forms directory nor stored in %s"),
                                 id, version, s->path);
            return s->forms[i].f;
        }
    const form *f = cat ? catalog_find(cat, id, version) : NULL;
    if (f && (!f->version || strcmp(f->version, version)))
        f = NULL;
    /* The interviews were answered on the database's text of the version:
     * a forms directory with another text under that version is not it. */
    int stored;
    form *owned = rscan_stored_form(s, id, version, f, &stored);
    if (stored && owned)
        f = NULL;
    s->forms = xrealloc(s->forms, (s->nforms + 1) * sizeof *s->forms);
    rscan_version *rf = &s->forms[s->nforms++];
    rf->id = xstrdup(id);
    rf->version = xstrdup(version);
    rf->owned = owned;
    rf->f = f ? f : owned;
    if (!rf->f && err)
        *err = xasprintf(_("form %s version %s is neither in the forms "
                           "directory nor stored in %s"), id, version, s->path);
    return rf->f;
}

/* store_reader_rows' callback: one answer or repeat count into rows. */
static void rscan_add_row(void *ctx, const char *qid, const char *path,
                          const char *value, long count)
{
    inst_rows_add(ctx, qid, path, value, count < 0 ? 0 : count);
}

/* The clock of an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SS...", or 0. */
time_t rscan_iso_time(const char *s)
{
    long y;
    int mo, d, h = 0, mi = 0, se = 0;
    if (!s || sscanf(s, "%ld-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &se) < 3)
        return 0;
    return (time_t)(val_days_from_civil(y, mo, d) * 86400L + h * 3600L +
                    mi * 60L + se);
}

/* Replay the rows of s into a new interview of f: outer levels first, as
 * resuming an interview does, so counted repeats exist before their
 * answers arrive. The clock is the interview's own last change, so that
 * today() gives what it gave the enumerator. */
static inst *rscan_replay(rscan *s, const form *f, const char *updated)
{
    return inst_restore(f, f->default_lang, rscan_iso_time(updated), s->rows.v,
                        s->rows.n);
}

/* Order for bsearch over UUID strings. */
static int uuid_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Non-zero when uuid is among those rscan_only kept. */
static int rscan_kept(const rscan *s, const char *uuid)
{
    return bsearch(&uuid, s->only, s->nonly, sizeof *s->only, uuid_cmp) != NULL;
}

void rscan_select(rscan *s, unsigned flags)
{
    s->select = flags;
}

unsigned rscan_selection(const rscan *s)
{
    return s->select;
}

/* The interviews read once into the reader's temporary tables for
 * scoped walks (on first use): 0, or -1 with *err set. */
static int rscan_scope(rscan *s, char **err)
{
    if (!s->scope && store_reader_scope_load(s->r, err) != 0)
        return -1;
    s->scope = 1;
    return 0;
}

int rscan_review_counts(rscan *s, long counts[RSCAN_NSTATES],
                        long *superseded, char **err)
{
    if (!s->only)
        return store_reader_review_counts(s->r, counts, superseded, err);
    /* A commune of an office database: its own interviews only. */
    if (rscan_scope(s, err) != 0 || rscan_scope_table(s, err) != 0)
        return -1;
    return rscope_states(s->r, counts, superseded, err);
}

int rscan_review_totals(rscan *s, store_review_totals *t, char **err)
{
    return s->only ? 1 : store_reader_review_totals(s->r, t, err);
}

void rscan_only(rscan *s, char *const *uuids, size_t n)
{
    s->only = uuids;
    s->nonly = n;
    s->scope_table = 0;
}

int rscan_scope_table(rscan *s, char **err)
{
    if (!s->only || s->scope_table)
        return 0;
    if (store_reader_fig_scope(s->r, s->only, s->nonly, err) != 0)
        return -1;
    s->scope_table = 1;
    return 0;
}

int rscan_scoped(const rscan *s)
{
    return s->only != NULL;
}

int rscan_origins(rscan *s, store_origin_fn fn, void *ctx, char **err)
{
    /* Read once for every walk of the scan (a comparison walks all, then
     * each commune's). */
    if (rscan_scope(s, err) != 0 || rscan_scope_table(s, err) != 0)
        return -1;
    return store_reader_scope_origins(s->r, s->only != NULL, fn, ctx, err);
}

int rscan_member_add(rscan *s, const char *uuid, long row, char **err)
{
    return store_reader_scope_assign(s->r, uuid, row, err);
}

int rscan_member_batch(rscan *s, int begin, char **err)
{
    return store_reader_scope_batch(s->r, begin, err);
}

int rscan_members(rscan *s, long row, char ***uuids, size_t *n, char **err)
{
    return store_reader_scope_members(s->r, row, uuids, n, err);
}

/* rscan_each's walk over the interview rows. */
typedef struct each_walk {
    rscan *s;
    const catalog *cat;
    int drafts;
    long index;
    rscan_fn fn;
    void *ctx;
    char **err;
} each_walk;

/* Replay one interview row (when it is ours and wanted) and hand it on. */
static int rscan_one(void *ctx, const store_reader_iv *row)
{
    each_walk *w = ctx;
    rscan *s = w->s;
    if (s->only && !rscan_kept(s, row->uuid))
        return 0;
    if ((row->superseded && !(s->select & RSCAN_SUPERSEDED))
        || ((s->select & RSCAN_APPROVED_ONLY)
            && strcmp(row->review, "approved")))
        return 0;
    if (s->drafts_only && !strcmp(row->status, "complete"))
        return 0;
    if (w->index++ % s->nparts != s->part)
        return 0;
    rscan_iv iv = {row->uuid, row->form_id, row->form_version, row->status,
                   row->enumerator, row->device_id, row->created,
                   row->updated, !strcmp(row->status, "complete"),
                   row->review, row->superseded};
    const form *f = rscan_form(s, w->cat, iv.form_id, iv.form_version, NULL);
    inst *in = NULL;
    if (f && (iv.complete || w->drafts)) {
        inst_rows_clear(&s->rows);
        if (store_reader_rows(s->r, iv.uuid, rscan_add_row, &s->rows,
                              w->err) != 0)
            return -1;
        in = rscan_replay(s, f, iv.updated);
    }
    int ret = w->fn(w->ctx, &iv, in);
    inst_free(in);
    return ret;
}

int rscan_each(rscan *s, const catalog *cat, const char *form_id, int drafts,
               rscan_fn fn, void *ctx, char **err)
{
    each_walk w = {s, cat, drafts, 0, fn, ctx, err};
    /* A commune's walk reads its own interviews only (rscan_one still
     * checks each against the list). */
    if (rscan_scope_table(s, err) != 0)
        return -1;
    unsigned flags = (s->drafts_only ? STORE_WALK_DRAFTS : 0) |
                     (s->only ? STORE_WALK_SCOPED : 0);
    int ret = store_reader_walk(s->r, form_id, flags, rscan_one, &w, err);
    inst_rows_clear(&s->rows);
    return ret;
}

char **rscan_versions(rscan *s, const char *form_id)
{
    return store_reader_versions(s->r, form_id);
}

void rscan_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

int rscan_notes(rscan *s, store_note_fn fn, void *ctx, char **err)
{
    return store_reader_notes(s->r, fn, ctx, err);
}

int rscan_has_table(rscan *s, const char *name)
{
    return store_reader_has_table(s->r, name);
}

long rscan_open_rows(rscan *s, const char *table)
{
    return store_reader_open_rows(s->r, table);
}

int rscan_dup_pairs(rscan *s, long pairs[3])
{
    char *err = NULL;
    if (rscan_scope_table(s, &err) != 0) {
        free(err);
        return -1;
    }
    return store_reader_dup_pairs(s->r, s->only != NULL, pairs);
}

long rscan_interview_count(rscan *s)
{
    return store_reader_interview_count(s->r);
}

long rscan_key_duplicates(rscan *s, const form *f)
{
    const char **qids = xcalloc(f->nkey ? f->nkey : 1, sizeof *qids);
    for (size_t i = 0; i < f->nkey; i++)
        qids[i] = f->q[f->key[i]].id;
    /* Of the whole database, whichever commune is reported: counted once
     * a scan. */
    if (s->dup_form && !strcmp(s->dup_form, f->id)) {
        free(qids);
        return s->dup_n;
    }
    long n = store_reader_key_duplicates(s->r, f->id, qids, f->nkey);
    free(qids);
    free(s->dup_form);
    s->dup_form = xstrdup(f->id);
    s->dup_n = n;
    return n;
}
