/* csv.c: exporting interviews to CSV. Each interview is replayed through
 * its own form version, so calculations are filled in and answers to
 * questions that no longer apply are left out, as in the interview. The
 * columns are the union over the form versions found in the data. */
#include "config.h"
#include "report/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/durable.h"
#include "core/i18n.h"
#include "core/value.h"

/* One column: a question, or one choice of a select_multiple (choice set),
 * identified by question id so that every form version can fill it. */
typedef struct ccol {
    char *qid;
    char *choice;         /* NULL for the question's own column */
} ccol;

/* Column index of one column, per form version. */
typedef struct cmap {
    const form *f;
    int *q;               /* question of each column in f, -1 none */
} cmap;

/* One output file: the interviews of a form, or the instances of one of
 * its repeats. */
typedef struct ctable {
    char *form_id;
    char *repeat;         /* NULL for the main file */
    ccol *cols;
    size_t ncols;
    cmap *maps;
    size_t nmaps;
    FILE *fp;
    durable *d;           /* the file being written, under a temporary name */
    char *path;
    long rows;
} ctable;

typedef struct cexport {
    rscan *s;
    const catalog *cat;
    const csv_opts *o;
    ctable *t;
    size_t nt;
    sbuf row;
    char *err;
    long drafts_left_out;
    char **written;       /* UUIDs of the interviews written, in order */
    size_t nwritten, wcap;
} cexport;

int csv_is_formula(const char *v)
{
    return v && (*v == '=' || *v == '+' || *v == '-' || *v == '@' ||
                 *v == '\t' || *v == '\r');
}

void csv_add_field(sbuf *b, const char *v, int neutralise)
{
    if (!v)
        v = "";
    int prefix = neutralise && csv_is_formula(v);
    if (!prefix && !strpbrk(v, ",\"\r\n")) {
        sbuf_add(b, v);
        return;
    }
    sbuf_addc(b, '"');
    if (prefix)
        sbuf_addc(b, '\'');
    for (; *v; v++) {
        if (*v == '"')
            sbuf_addc(b, '"');
        sbuf_addc(b, *v);
    }
    sbuf_addc(b, '"');
}

/* Does the table have a column (qid, choice)? */
static int has_col(const ctable *t, const char *qid, const char *choice)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].qid, qid) &&
            (choice ? t->cols[i].choice && !strcmp(t->cols[i].choice, choice)
                    : !t->cols[i].choice))
            return 1;
    return 0;
}

static void add_col(ctable *t, const char *qid, const char *choice)
{
    if (has_col(t, qid, choice))
        return;
    t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
    t->cols[t->ncols].qid = xstrdup(qid);
    t->cols[t->ncols++].choice = xstrdup(choice);
}

/* The table of (form id, repeat), added when new. */
static ctable *table_get(cexport *x, const char *form_id, const char *repeat)
{
    for (size_t i = 0; i < x->nt; i++)
        if (!strcmp(x->t[i].form_id, form_id) &&
            (repeat ? x->t[i].repeat && !strcmp(x->t[i].repeat, repeat)
                    : !x->t[i].repeat))
            return &x->t[i];
    x->t = xrealloc(x->t, (x->nt + 1) * sizeof *x->t);
    ctable *t = &x->t[x->nt++];
    memset(t, 0, sizeof *t);
    t->form_id = xstrdup(form_id);
    t->repeat = xstrdup(repeat);
    return t;
}

/* Add the columns of form version f to its tables. */
static void add_form_columns(cexport *x, const form *f)
{
    table_get(x, f->id, NULL);
    for (size_t q = 0; q < f->nq; q++) {
        const form_question *fq = &f->q[q];
        if (fq->type == QT_REPEAT) {
            table_get(x, f->id, fq->id);
            continue;
        }
        if (fq->type == QT_GROUP || fq->type == QT_NOTE)
            continue;
        ctable *t = table_get(x, f->id, fq->repeat >= 0 ? f->q[fq->repeat].id
                                                        : NULL);
        add_col(t, fq->id, NULL);
        if (fq->type == QT_SELECT_MULTIPLE && fq->list >= 0) {
            const form_list *l = &f->lists[fq->list];
            for (size_t c = 0; c < l->nchoices; c++)
                add_col(t, fq->id, l->choices[c].value);
        }
    }
}

/* A file name part: the id with anything but [A-Za-z0-9_.-] replaced. */
static char *safe_name(const char *id)
{
    char *s = xstrdup(id);
    for (char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
              (*p == '.' && p != s)))
            *p = '_';
    return s;
}

/* Write the header row of t. */
static void write_header(cexport *x, ctable *t)
{
    sbuf *b = &x->row;
    sbuf_reset(b);
    if (x->o->bom)
        sbuf_add(b, "\xEF\xBB\xBF");
    for (size_t i = 0; i < t->ncols; i++) {
        char *name = t->cols[i].choice
            ? xasprintf("%s/%s", t->cols[i].qid, t->cols[i].choice)
            : xstrdup(t->cols[i].qid);
        if (i)
            sbuf_addc(b, ',');
        csv_add_field(b, name, 1);
        free(name);
    }
    sbuf_add(b, t->ncols ? "," : "");
    /* _enumerator: the household form asks a question "enumerator" too,
     * and a column name must say one thing. */
    sbuf_add(b, t->repeat ? "interview,position,PARENT_KEY,KEY\r\n"
                          : "uuid,form_version,status,_enumerator,device,"
                            "created,updated,KEY\r\n");
    fwrite(b->s, 1, b->len, t->fp);
}

/* A file of the export (to be called path) opened under a temporary
 * name: it takes its own name only when it is whole, so a cut or a full
 * disk leaves the previous export, never half a table. The stream, or
 * NULL with x->err set. */
static FILE *open_file(cexport *x, const char *path, durable **d)
{
    char *why = NULL;
    *d = durable_begin(x->o->dir, 0600, &why);
    int fd = *d ? dup(durable_fd(*d)) : -1;
    FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!fp) {
        x->err = why ? why : xasprintf(_("cannot write %s: %s"), path,
                                       strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return fp;
}

/* Open every table's file and write its header. */
static int open_tables(cexport *x)
{
    for (size_t i = 0; i < x->nt; i++) {
        ctable *t = &x->t[i];
        char *fid = safe_name(t->form_id);
        char *rid = t->repeat ? safe_name(t->repeat) : NULL;
        t->path = rid ? xasprintf("%s/%s-%s.csv", x->o->dir, fid, rid)
                      : xasprintf("%s/%s.csv", x->o->dir, fid);
        free(fid);
        free(rid);
        t->fp = open_file(x, t->path, &t->d);
        if (!t->fp)
            return -1;
        write_header(x, t);
    }
    return 0;
}

/* The column map of t for form version f. */
static const cmap *map_get(ctable *t, const form *f)
{
    for (size_t i = 0; i < t->nmaps; i++)
        if (t->maps[i].f == f)
            return &t->maps[i];
    t->maps = xrealloc(t->maps, (t->nmaps + 1) * sizeof *t->maps);
    cmap *m = &t->maps[t->nmaps++];
    m->f = f;
    m->q = xcalloc(t->ncols ? t->ncols : 1, sizeof *m->q);
    int r = t->repeat ? form_find(f, t->repeat) : -1;
    for (size_t i = 0; i < t->ncols; i++) {
        int q = form_find(f, t->cols[i].qid);
        m->q[i] = q >= 0 && f->q[q].repeat == r ? q : -1;
    }
    return m;
}

/* Is a cell of question fq with value v protected against formulas?  A
 * number is left as it is (-5 must stay a number); anything else in a
 * numeric column, which a hostile bundle could have put there, is
 * guarded like text. */
static int needs_guard(const form_question *fq, const char *v)
{
    switch (fq->type) {
    case QT_INTEGER:
    case QT_DECIMAL:
    case QT_CALCULATE: {
        double d = val_parse_number(v);
        return d != d;
    }
    default:
        return 1;
    }
}

/* Labels of the space-separated codes of v, joined by "; ". */
static char *labels_of(const form *f, const form_question *fq, const char *v,
                       int lang)
{
    sbuf b;
    sbuf_init(&b);
    char *copy = xstrdup(v), *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        const form_choice *c = form_choice_find(f, fq, tok);
        sbuf_addf(&b, "%s%s", b.len ? "; " : "",
                  c ? form_text_get(f, c->label, lang) : tok);
    }
    free(copy);
    return sbuf_detach(&b);
}

/* Non-zero when the space-separated list v holds code c. */
static int has_code(const char *v, const char *c)
{
    size_t n = strlen(c);
    for (const char *p = v; (p = strstr(p, c)); p += n)
        if ((p == v || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Append the cells of t's question columns for frame fr. */
static void add_cells(cexport *x, ctable *t, inst *in, inst_frame *fr)
{
    const form *f = inst_form(in);
    const cmap *m = map_get(t, f);
    int lang = x->o->lang ? form_lang(f, x->o->lang) : -1;
    if (lang < 0)
        lang = f->default_lang;
    for (size_t i = 0; i < t->ncols; i++) {
        int q = m->q[i];
        const char *v = q >= 0 && inst_relevant(in, fr, q) ? inst_get(in, fr, q)
                                                           : NULL;
        const form_question *fq = q >= 0 ? &f->q[q] : NULL;
        if (!v) {
            sbuf_addc(&x->row, ',');
            continue;
        }
        if (t->cols[i].choice) {
            sbuf_add(&x->row, has_code(v, t->cols[i].choice) ? "1," : "0,");
            continue;
        }
        if (x->o->labels && (fq->type == QT_SELECT_ONE ||
                             fq->type == QT_SELECT_MULTIPLE)) {
            char *l = labels_of(f, fq, v, lang);
            csv_add_field(&x->row, l, 1);
            free(l);
        } else {
            csv_add_field(&x->row, v, needs_guard(fq, v));
        }
        sbuf_addc(&x->row, ',');
    }
}

/* Write one row of a repeat instance, then those of its nested repeats. */
static void write_frame(cexport *x, const rscan_iv *iv, inst *in,
                        inst_frame *fr)
{
    const form *f = inst_form(in);
    int r = inst_frame_repeat(fr);
    ctable *t = table_get(x, f->id, r >= 0 ? f->q[r].id : NULL);
    if (!t->fp)
        return;
    sbuf_reset(&x->row);
    add_cells(x, t, in, fr);
    if (r < 0) {
        const char *meta[] = {iv->uuid, iv->form_version, iv->status,
                              iv->enumerator, iv->device_id, iv->created,
                              iv->updated, iv->uuid};
        for (size_t i = 0; i < 8; i++) {
            if (i)
                sbuf_addc(&x->row, ',');
            csv_add_field(&x->row, meta[i], 1);
        }
    } else {
        char *path = inst_frame_path(fr);
        char *up = inst_frame_path(inst_frame_parent(fr));
        char *key = xasprintf("%s/%s", iv->uuid, path);
        char *pkey = *up ? xasprintf("%s/%s", iv->uuid, up) : xstrdup(iv->uuid);
        csv_add_field(&x->row, iv->uuid, 1);
        sbuf_addf(&x->row, ",%d,", inst_frame_position(fr));
        csv_add_field(&x->row, pkey, 1);
        sbuf_addc(&x->row, ',');
        csv_add_field(&x->row, key, 1);
        free(path);
        free(up);
        free(key);
        free(pkey);
    }
    sbuf_add(&x->row, "\r\n");
    fwrite(x->row.s, 1, x->row.len, t->fp);
    t->rows++;
    /* Nested repeats of this frame's scope. */
    int lo = r < 0 ? 0 : r + 1, hi = r < 0 ? (int)f->nq : f->q[r].end;
    for (int q = lo; q < hi; q++)
        if (f->q[q].type == QT_REPEAT && f->q[q].repeat == r)
            for (size_t k = 0; k < inst_repeat_count(in, fr, q); k++)
                write_frame(x, iv, in, inst_repeat_get(in, fr, q, k));
}

static int export_cb(void *ctx, const rscan_iv *iv, inst *in)
{
    cexport *x = ctx;
    if (!iv->complete && !x->o->drafts)
        x->drafts_left_out++;   /* only finalised interviews are data */
    else if (in) {
        write_frame(x, iv, in, inst_root(in));
        x->written = util_grow(x->written, &x->wcap, x->nwritten + 1,
                               sizeof *x->written);
        x->written[x->nwritten++] = xstrdup(iv->uuid);
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The notes file being written. */
typedef struct cnotes {
    cexport *x;
    FILE *fp;
    durable *d;
    char *path;
    long rows;
} cnotes;

/* rscan_notes callback: one row of notes.csv for a note of an interview
 * written (KEY joins it to the row of its interview or roster member). */
static int notes_row(void *ctx, const char *uuid, const char *qid,
                     const char *path, const char *note)
{
    cnotes *c = ctx;
    cexport *x = c->x;
    if (!x->nwritten || !bsearch(&uuid, x->written, x->nwritten,
                                 sizeof *x->written, cmp_str))
        return 0;
    sbuf *b = &x->row;
    sbuf_reset(b);
    if (!c->fp) {
        c->path = xasprintf("%s/notes.csv", x->o->dir);
        c->fp = open_file(x, c->path, &c->d);
        if (!c->fp)
            return -1;
        sbuf_add(b, x->o->bom ? "\xEF\xBB\xBF" : "");
        sbuf_add(b, "KEY,interview,question,path,note\r\n");
    }
    char *key = *path ? xasprintf("%s/%s", uuid, path) : xstrdup(uuid);
    const char *f[] = {key, uuid, qid, path, note};
    for (size_t i = 0; i < 5; i++) {
        if (i)
            sbuf_addc(b, ',');
        csv_add_field(b, f[i], 1);
    }
    sbuf_add(b, "\r\n");
    fwrite(b->s, 1, b->len, c->fp);
    c->rows++;
    free(key);
    return 0;
}

/* Write notes.csv with the notes of the interviews written, when there
 * are any: 0, or -1 with x->err set. */
static int write_notes(cexport *x, rscan *s, csv_summary *sum)
{
    cnotes c = {x, NULL, NULL, NULL, 0};
    char *err = NULL;
    if (x->nwritten)
        qsort(x->written, x->nwritten, sizeof *x->written, cmp_str);
    int rc = rscan_notes(s, notes_row, &c, &err);
    if (rc && err)
        x->err = err;
    if (c.fp && fclose(c.fp) && rc == 0) {
        x->err = xasprintf(_("cannot write %s: %s"), c.path, strerror(errno));
        rc = -1;
    }
    if (c.d && rc == 0 && durable_commit(c.d, c.path, DURABLE_REPLACE,
                                         &x->err) != 0)
        rc = -1;
    else if (c.d && rc)
        durable_abort(c.d);
    if (c.path && rc == 0) {
        sum->files = xrealloc_array(sum->files, sum->n + 1, sizeof *sum->files);
        sum->files[sum->n].path = c.path;
        sum->files[sum->n++].rows = c.rows;
    } else {
        free(c.path);
    }
    return rc ? -1 : 0;
}

/* Build the tables from every form version that has interviews. */
static void plan_tables(cexport *x)
{
    char **v = rscan_versions(x->s, NULL);
    /* The forms directory's version of each form first, so its column
     * order leads; older versions add the columns it lacks. */
    for (size_t i = 0; v[i]; i++) {
        char *tab = strchr(v[i], '\t');
        *tab = '\0';
        const form *f = catalog_find(x->cat, v[i], NULL);
        if (f)
            add_form_columns(x, f);
        *tab = '\t';
    }
    for (size_t i = 0; v[i]; i++) {
        char *tab = strchr(v[i], '\t');
        *tab = '\0';
        const form *f = rscan_form(x->s, x->cat, v[i], tab + 1, NULL);
        if (f)
            add_form_columns(x, f);
        *tab = '\t';
    }
    rscan_strv_free(v);
}

int csv_export(rscan *s, const catalog *cat, const csv_opts *o,
               csv_summary *sum, char **err)
{
    cexport x;
    memset(&x, 0, sizeof x);
    x.s = s;
    x.cat = cat;
    x.o = o;
    sbuf_init(&x.row);
    plan_tables(&x);
    int rc = open_tables(&x);
    if (rc == 0 && rscan_each(s, cat, NULL, o->drafts, export_cb, &x,
                              &x.err) < 0)
        rc = -1;
    sum->drafts_left_out = x.drafts_left_out;
    sum->files = xcalloc(x.nt ? x.nt : 1, sizeof *sum->files);
    sum->n = 0;
    for (size_t i = 0; i < x.nt; i++) {
        ctable *t = &x.t[i];
        if (t->fp && fclose(t->fp) && rc == 0) {
            x.err = xasprintf(_("cannot write %s: %s"), t->path, strerror(errno));
            rc = -1;
        }
        if (t->d && rc == 0) {
            char *why = NULL;
            if (durable_commit(t->d, t->path, DURABLE_REPLACE, &why) != 0) {
                x.err = why;
                rc = -1;
            }
        } else {
            durable_abort(t->d);
        }
        if (t->path) {
            sum->files[sum->n].path = t->path;
            sum->files[sum->n++].rows = t->rows;
        }
        for (size_t k = 0; k < t->ncols; k++) {
            free(t->cols[k].qid);
            free(t->cols[k].choice);
        }
        for (size_t k = 0; k < t->nmaps; k++)
            free(t->maps[k].q);
        free(t->cols);
        free(t->maps);
        free(t->form_id);
        free(t->repeat);
    }
    free(x.t);
    if (rc == 0)
        rc = write_notes(&x, s, sum);
    for (size_t i = 0; i < x.nwritten; i++)
        free(x.written[i]);
    free(x.written);
    sbuf_free(&x.row);
    if (rc)
        *err = x.err ? x.err : xstrdup(_("export failed"));
    else
        free(x.err);
    return rc;
}

void csv_summary_free(csv_summary *sum)
{
    for (size_t i = 0; i < sum->n; i++)
        free(sum->files[i].path);
    free(sum->files);
    sum->files = NULL;
    sum->n = 0;
}
