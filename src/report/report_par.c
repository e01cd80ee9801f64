/* report_par.c: the running totals of a report, found or added by key, and
 * passed from a worker process to its parent. The report's main pass is
 * split between two processes (the survey laptops and office computers
 * have two cores or more); each adds up its share of the interviews and the
 * parent adds the worker's totals to its own. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"
#include "core/util.h"

/* Longest string a worker may send (names, village codes). */
#define RPART_MAX_STR 65536
/* Most villages or enumerator rows a worker may send. */
#define RPART_MAX_ROWS 1000000

rvillage *report_village(report_result *r, const report_def *d,
                         const char *code)
{
    for (size_t i = 0; i < r->nvillages; i++)
        if (!strcmp(r->villages[i].code, code))
            return &r->villages[i];
    r->villages = xrealloc(r->villages, (r->nvillages + 1) * sizeof *r->villages);
    rvillage *v = &r->villages[r->nvillages++];
    memset(v, 0, sizeof *v);
    v->code = xstrdup(code);
    v->planned = -1;
    v->acc = xcalloc(d->nfigs, sizeof *v->acc);
    return v;
}

renum *report_enum(report_result *r, const char *name, const char *form_id)
{
    for (size_t i = 0; i < r->nenums; i++)
        if (!strcmp(r->enums[i].name, name) && !strcmp(r->enums[i].form, form_id))
            return &r->enums[i];
    r->enums = xrealloc(r->enums, (r->nenums + 1) * sizeof *r->enums);
    renum *e = &r->enums[r->nenums++];
    e->name = xstrdup(name);
    e->form = xstrdup(form_id);
    e->complete = e->drafts = 0;
    return e;
}

void report_note_key(report_result *r, const form *f, inst *in)
{
    char *key = report_case_key(f, in);
    if (!key)
        return;
    r->ikeys = util_grow(r->ikeys, &r->capikeys, r->nikeys + 1,
                         sizeof *r->ikeys);
    r->ikeys[r->nikeys++] = xasprintf("%s\037%s", f->id, key);
    free(key);
}

void report_dunit_add(report_result *r, size_t i, const char *key, double num,
                      double den)
{
    rdlist *l = &r->dunits[i];
    l->v = util_grow(l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = (rdunit){xstrdup(key), num, den};
}

void report_tally_count(report_result *r, size_t i, const char *code, long n)
{
    rtally_res *t = &r->tallies[i];
    for (size_t k = 0; k < t->cnt; k++)
        if (!strcmp(t->code[k], code)) {
            t->n[k] += n;
            return;
        }
    t->code = xrealloc(t->code, (t->cnt + 1) * sizeof *t->code);
    t->n = xrealloc(t->n, (t->cnt + 1) * sizeof *t->n);
    t->code[t->cnt] = xstrdup(code);
    t->n[t->cnt++] = n;
}

void report_note_time(report_result *r, const char *t)
{
    if (!t || !*t)
        return;
    if (!r->first || strcmp(t, r->first) < 0) {
        free(r->first);
        r->first = xstrdup(t);
    }
    if (!r->last || strcmp(t, r->last) > 0) {
        free(r->last);
        r->last = xstrdup(t);
    }
}

/* Order for qsort of strings. */
static int rpart_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

long report_key_duplicates(report_result *r, const char *form_id)
{
    if (r->nikeys > 1)
        qsort(r->ikeys, r->nikeys, sizeof *r->ikeys, rpart_strcmp);
    size_t fl = strlen(form_id);
    long dups = 0;
    for (size_t i = 0; i < r->nikeys;) {
        size_t j = i + 1;
        while (j < r->nikeys && !strcmp(r->ikeys[i], r->ikeys[j]))
            j++;
        if (j - i > 1 && !strncmp(r->ikeys[i], form_id, fl) &&
            r->ikeys[i][fl] == '\037')
            dups += (long)(j - i);
        i = j;
    }
    return dups;
}

void rpart_reset(report_result *r, const report_def *d)
{
    memset(r->forms, 0, d->nforms * sizeof *r->forms);
    memset(r->acc, 0, d->nfigs * sizeof *r->acc);
    for (size_t i = 0; i < d->nfigs; i++) {
        for (size_t k = 0; k < r->dunits[i].n; k++)
            free(r->dunits[i].v[k].key);
        r->dunits[i].n = 0;
    }
    for (size_t v = 0; v < r->nvillages; v++) {
        rvillage *vi = &r->villages[v];
        vi->complete = vi->drafts = vi->excluded = 0;
        memset(vi->acc, 0, d->nfigs * sizeof *vi->acc);
    }
    for (size_t e = 0; e < r->nenums; e++)
        r->enums[e].complete = r->enums[e].drafts = 0;
    for (size_t i = 0; i < d->ntallies; i++) {
        for (size_t k = 0; k < r->tallies[i].cnt; k++)
            free(r->tallies[i].code[k]);
        r->tallies[i].cnt = 0;
        r->tallies[i].units = 0;
    }
    free(r->first);
    free(r->last);
    r->first = r->last = NULL;
}

/* Write a string with its length. */
static void rpart_put_str(FILE *f, const char *s)
{
    size_t n = strlen(s);
    fwrite(&n, sizeof n, 1, f);
    fwrite(s, 1, n, f);
}

void rpart_write(FILE *f, const report_result *r, const report_def *d)
{
    fwrite(r->forms, sizeof *r->forms, d->nforms, f);
    fwrite(r->acc, sizeof *r->acc, d->nfigs, f);
    fwrite(&r->nvillages, sizeof r->nvillages, 1, f);
    for (size_t v = 0; v < r->nvillages; v++) {
        const rvillage *vi = &r->villages[v];
        rpart_put_str(f, vi->code);
        long counts[3] = {vi->complete, vi->drafts, vi->excluded};
        fwrite(counts, sizeof counts, 1, f);
        fwrite(vi->acc, sizeof *vi->acc, d->nfigs, f);
    }
    fwrite(&r->nenums, sizeof r->nenums, 1, f);
    for (size_t e = 0; e < r->nenums; e++) {
        rpart_put_str(f, r->enums[e].name);
        rpart_put_str(f, r->enums[e].form);
        long counts[2] = {r->enums[e].complete, r->enums[e].drafts};
        fwrite(counts, sizeof counts, 1, f);
    }
    fwrite(&r->nikeys, sizeof r->nikeys, 1, f);
    for (size_t i = 0; i < r->nikeys; i++)
        rpart_put_str(f, r->ikeys[i]);
    for (size_t i = 0; i < d->ntallies; i++) {
        const rtally_res *t = &r->tallies[i];
        fwrite(&t->cnt, sizeof t->cnt, 1, f);
        fwrite(&t->units, sizeof t->units, 1, f);
        for (size_t k = 0; k < t->cnt; k++) {
            rpart_put_str(f, t->code[k]);
            fwrite(&t->n[k], sizeof t->n[k], 1, f);
        }
    }
    rpart_put_str(f, r->first ? r->first : "");
    rpart_put_str(f, r->last ? r->last : "");
    for (size_t i = 0; i < d->nfigs; i++) {
        fwrite(&r->dunits[i].n, sizeof r->dunits[i].n, 1, f);
        for (size_t k = 0; k < r->dunits[i].n; k++) {
            rpart_put_str(f, r->dunits[i].v[k].key);
            double parts[2] = {r->dunits[i].v[k].num, r->dunits[i].v[k].den};
            fwrite(parts, sizeof parts, 1, f);
        }
    }
}

/* Read exactly n bytes; 0 or -1. */
static int rpart_get(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -1;
}

/* Read a string written by rpart_put_str (newly allocated), or NULL. */
static char *rpart_get_str(FILE *f)
{
    size_t n;
    if (rpart_get(f, &n, sizeof n) || n > RPART_MAX_STR)
        return NULL;
    char *s = xmalloc(n + 1);
    if (rpart_get(f, s, n)) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

/* Merge the worker's villages. */
static int rpart_merge_villages(FILE *f, report_result *r, const report_def *d,
                                racc *acc)
{
    size_t n;
    if (rpart_get(f, &n, sizeof n) || n > RPART_MAX_ROWS)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *code = rpart_get_str(f);
        long counts[3];
        if (!code || rpart_get(f, counts, sizeof counts) ||
            rpart_get(f, acc, d->nfigs * sizeof *acc)) {
            free(code);
            return -1;
        }
        rvillage *v = report_village(r, d, code);
        free(code);
        v->complete += counts[0];
        v->drafts += counts[1];
        v->excluded += counts[2];
        racc_add(v->acc, acc, d->nfigs);
    }
    return 0;
}

/* Merge the worker's enumerator rows. */
static int rpart_merge_enums(FILE *f, report_result *r)
{
    size_t n;
    if (rpart_get(f, &n, sizeof n) || n > RPART_MAX_ROWS)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *name = rpart_get_str(f), *form = name ? rpart_get_str(f) : NULL;
        long counts[2];
        int bad = !form || rpart_get(f, counts, sizeof counts);
        if (!bad) {
            renum *e = report_enum(r, name, form);
            e->complete += counts[0];
            e->drafts += counts[1];
        }
        free(name);
        free(form);
        if (bad)
            return -1;
    }
    return 0;
}

/* Merge the worker's case keys. */
static int rpart_merge_keys(FILE *f, report_result *r)
{
    size_t n;
    if (rpart_get(f, &n, sizeof n) || n > RPART_MAX_ROWS * 10)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *k = rpart_get_str(f);
        if (!k)
            return -1;
        r->ikeys = util_grow(r->ikeys, &r->capikeys, r->nikeys + 1,
                             sizeof *r->ikeys);
        r->ikeys[r->nikeys++] = k;
    }
    return 0;
}

/* Merge the worker's tallies and its first and last interview times. */
static int rpart_merge_tallies(FILE *f, report_result *r, const report_def *d)
{
    for (size_t i = 0; i < d->ntallies; i++) {
        size_t n;
        long units;
        if (rpart_get(f, &n, sizeof n) || n > RPART_MAX_ROWS ||
            rpart_get(f, &units, sizeof units))
            return -1;
        r->tallies[i].units += units;
        for (size_t k = 0; k < n; k++) {
            char *code = rpart_get_str(f);
            long c;
            if (!code || rpart_get(f, &c, sizeof c)) {
                free(code);
                return -1;
            }
            report_tally_count(r, i, code, c);
            free(code);
        }
    }
    for (int k = 0; k < 2; k++) {
        char *t = rpart_get_str(f);
        if (!t)
            return -1;
        report_note_time(r, t);
        free(t);
    }
    return 0;
}

/* Merge the worker's units of distinct figures. */
static int rpart_merge_dunits(FILE *f, report_result *r, const report_def *d)
{
    for (size_t i = 0; i < d->nfigs; i++) {
        size_t n;
        if (rpart_get(f, &n, sizeof n) || n > RPART_MAX_ROWS)
            return -1;
        for (size_t k = 0; k < n; k++) {
            char *key = rpart_get_str(f);
            double parts[2];
            if (!key || rpart_get(f, parts, sizeof parts)) {
                free(key);
                return -1;
            }
            report_dunit_add(r, i, key, parts[0], parts[1]);
            free(key);
        }
    }
    return 0;
}

int rpart_merge(FILE *f, report_result *r, const report_def *d)
{
    rformstat *fs = xcalloc(d->nforms + 1, sizeof *fs);
    racc *acc = xcalloc(d->nfigs + 1, sizeof *acc);
    int rc = -1;
    if (rpart_get(f, fs, d->nforms * sizeof *fs) == 0 &&
        rpart_get(f, acc, d->nfigs * sizeof *acc) == 0) {
        for (size_t i = 0; i < d->nforms; i++) {
            r->forms[i].complete += fs[i].complete;
            r->forms[i].drafts += fs[i].drafts;
            r->forms[i].excluded += fs[i].excluded;
            r->forms[i].unreadable += fs[i].unreadable;
        }
        racc_add(r->acc, acc, d->nfigs);
        rc = rpart_merge_villages(f, r, d, acc) || rpart_merge_enums(f, r) ||
             rpart_merge_keys(f, r) || rpart_merge_tallies(f, r, d) ||
             rpart_merge_dunits(f, r, d) ? -1 : 0;
    }
    free(fs);
    free(acc);
    return rc;
}
