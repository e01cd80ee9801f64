/* report_sql.c: the report's main pass from the stored figures
 * (report_keep.c): SQL aggregates over the rows stored with each complete
 * interview fill the same running totals the replay adds up, so that
 * report_finish and every format see the same numbers. */
#include "config.h"
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_reader.h"

/* Index of form id in d, or -1. */
static int sql_form(const report_def *d, const char *id)
{
    for (size_t i = 0; id && i < d->nforms; i++)
        if (!strcmp(d->forms[i].id, id))
            return (int)i;
    return -1;
}

/* SFQ_UNITS: forms' and villages' counts, the survey period. */
static int sql_units(void *ctx, const char *const *t, const double *x)
{
    rrun *R = ctx;
    report_result *r = R->r;
    int df = sql_form(R->d, t[0]);
    if (df < 0)
        return 0;
    long n = (long)x[4];
    rformstat *fs = &r->forms[df];
    if (!x[2]) {
        fs->unreadable += n;
        return 0;
    }
    rvillage *v = t[1] ? report_village(r, R->d, t[1]) : NULL;
    int counted = v && df == R->village_form;
    if (!x[3]) {
        fs->excluded += n;
        if (counted)
            v->excluded += n;
        return 0;
    }
    fs->complete += n;
    if (counted)
        v->complete += n;
    report_note_time(r, t[5]);
    report_note_time(r, t[6]);
    return 0;
}

/* SFQ_ENUMS: complete interviews per enumerator. */
static int sql_enums(void *ctx, const char *const *t, const double *x)
{
    rrun *R = ctx;
    report_enum(R->r, t[0] ? t[0] : "", t[1])->complete += (long)x[2];
    return 0;
}

/* Each stored figure of a selected interview, added to the figure's
 * totals and its village's as the rows come (interview by interview, as
 * the replay adds them); a unit counted once per key is kept apart and
 * folded when finished. */
static int sql_figure(void *ctx, const store_fig_row *f)
{
    rrun *R = ctx;
    if (f->figure < 0 || (size_t)f->figure >= R->d->nfigs)
        return 0;
    size_t i = (size_t)f->figure;
    racc a = {0, 0, 0, 1, f->flagged};
    if (f->distinct_key)
        report_dunit_add(R->r, i, f->distinct_key, f->num, f->den);
    else
        a = (racc){f->num, f->den, f->units, 1, f->flagged};
    racc_add(&R->r->acc[i], &a, 1);
    if (f->village) {
        /* An interview's rows come together: its village found once (by
         * index: a new village moves the array). */
        report_result *r = R->r;
        size_t v = R->fig_village;
        if (!v || strcmp(r->villages[v - 1].code, f->village))
            v = R->fig_village = (size_t)(report_village(r, R->d, f->village)
                                          - r->villages) + 1;
        racc_add(&r->villages[v - 1].acc[i], &a, 1);
    }
    return 0;
}

/* The ids of the reported forms (not the context form) as a JSON array
 * (newly allocated; ids are checked names, quoted all the same). */
static char *sql_forms(const report_def *d)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_addc(&b, '[');
    for (size_t f = 0; f < d->nforms; f++) {
        if (d->forms[f].context)
            continue;
        sbuf_addf(&b, "%s\"", b.len > 1 ? "," : "");
        for (const char *p = d->forms[f].id; *p; p++) {
            if (*p == '"' || *p == '\\')
                sbuf_addc(&b, '\\');
            sbuf_addc(&b, *p);
        }
        sbuf_addc(&b, '"');
    }
    sbuf_addc(&b, ']');
    return sbuf_detach(&b);
}

/* SFQ_TALLIES: answers counted by code. */
static int sql_tallies(void *ctx, const char *const *t, const double *x)
{
    rrun *R = ctx;
    size_t i = (size_t)x[0];
    if (i >= R->d->ntallies || !t[1])
        return 0;
    if (*t[1])
        report_tally_count(R->r, i, t[1], (long)x[2]);
    else
        R->r->tallies[i].units += (long)x[2];
    return 0;
}

/* SFQ_DUPLICATES: interviews sharing their case key, per form. */
static int sql_dups(void *ctx, const char *const *t, const double *x)
{
    rrun *R = ctx;
    int df = sql_form(R->d, t[0]);
    if (df >= 0 && !R->d->forms[df].context)
        R->r->forms[df].duplicates = (long)x[1];
    return 0;
}

int report_sql_pass(rrun *R, char **err)
{
    store_reader *rd = rscan_reader(R->s);
    size_t nkept;
    char *const *kept = rscan_kept_list(R->s, &nkept);
    unsigned select = rscan_selection(R->s);
    char *reported = sql_forms(R->d);
    store_fig_sel sel = {R->d->sha, reported,
                         (select & RSCAN_APPROVED_ONLY) != 0,
                         (select & RSCAN_SUPERSEDED) != 0, kept != NULL};
    /* The selection says whether every interview in it has its figures:
     * if not, the report replays (1). */
    int ready = rscan_scope_table(R->s, err) != 0
                ? -1 : store_reader_fig_select(rd, &sel, err);
    free(reported);
    if (ready != 0)
        return ready;
    static const struct {
        enum store_fig_query q;
        store_reader_fig_fn fn;
    } passes[] = {
        {SFQ_UNITS, sql_units}, {SFQ_ENUMS, sql_enums},
        {SFQ_TALLIES, sql_tallies}, {SFQ_DUPLICATES, sql_dups},
    };
    /* The villages are made by SFQ_UNITS, in its order, before any figure
     * is added to them. */
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof passes / sizeof *passes; i++) {
        rc = store_reader_fig_query(rd, passes[i].q, passes[i].fn, R, err)
             ? -1 : 0;
        if (rc == 0 && passes[i].q == SFQ_ENUMS) {
            R->fig_village = 0;
            rc = store_reader_fig_rows(rd, sql_figure, R, err) ? -1 : 0;
        }
    }
    R->from_store = rc == 0;
    return rc;
}
