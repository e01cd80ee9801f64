/* cmd_validate.c: `khaosat validate [--coverage] [--expect LIST]
 * FORM.yaml...`: check form files, and list which questions carry each
 * indicator of the guidance. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "cli/cmd.h"
#include "cli/cmd_common.h"
#include "core/form.h"
#include "core/form_compare.h"
#include "core/i18n.h"
#include "report/report.h"

/* One indicator tag and the "form:question" ids that carry it. */
typedef struct tag_use {
    char *tag;
    char **ids;
    size_t nids;
} tag_use;

typedef struct coverage {
    tag_use *v;
    size_t n, cap;
} coverage;

/* Natural order for indicator tags: tags starting with a letter (C1, E5)
 * before numbered ones (1.1, 18.2); runs of digits compare as numbers. */
static int tag_cmp(const char *a, const char *b)
{
    int da = isdigit((unsigned char)*a) != 0, db = isdigit((unsigned char)*b) != 0;
    if (da != db)
        return da - db;
    return form_version_cmp(a, b);
}

static int tag_use_cmp(const void *x, const void *y)
{
    const tag_use *a = x, *b = y;
    int c = tag_cmp(a->tag, b->tag);
    return c ? c : strcmp(a->tag, b->tag);
}

/* The entry for tag, created when new. A linear search: a few dozen tags. */
static tag_use *coverage_tag(coverage *cv, const char *tag)
{
    for (size_t i = 0; i < cv->n; i++)
        if (!strcmp(cv->v[i].tag, tag))
            return &cv->v[i];
    cv->v = util_grow(cv->v, &cv->cap, cv->n + 1, sizeof *cv->v);
    tag_use *t = &cv->v[cv->n++];
    t->tag = xstrdup(tag);
    t->ids = NULL;
    t->nids = 0;
    return t;
}

/* Record every indicator of form f. */
static void coverage_add(coverage *cv, const form *f)
{
    for (size_t i = 0; i < f->nq; i++) {
        const form_question *q = &f->q[i];
        for (size_t m = 0; m < q->nmeta; m++) {
            if (strcmp(q->meta[m].key, "indicator"))
                continue;
            tag_use *t = coverage_tag(cv, q->meta[m].value);
            t->ids = xrealloc(t->ids, (t->nids + 1) * sizeof *t->ids);
            t->ids[t->nids++] = xasprintf("%s:%s", f->id ? f->id : "?",
                                          q->id ? q->id : "?");
        }
    }
}

static void coverage_free(coverage *cv)
{
    for (size_t i = 0; i < cv->n; i++) {
        free(cv->v[i].tag);
        for (size_t j = 0; j < cv->v[i].nids; j++)
            free(cv->v[i].ids[j]);
        free(cv->v[i].ids);
    }
    free(cv->v);
}

/* Print "TAG<TAB>form:q form:q ..." for every tag, in natural order. */
static void coverage_print(coverage *cv)
{
    qsort(cv->v, cv->n, sizeof *cv->v, tag_use_cmp);
    for (size_t i = 0; i < cv->n; i++) {
        printf("%s\t", cv->v[i].tag);
        for (size_t j = 0; j < cv->v[i].nids; j++)
            printf("%s%s", j ? " " : "", cv->v[i].ids[j]);
        putchar('\n');
    }
}

/* Report each expected tag (comma-separated, or @FILE with one a line;
 * blank lines and # comments skipped) that no question carries. Returns
 * the number missing, or -1 when FILE cannot be read. */
static int coverage_expect(const coverage *cv, const char *list)
{
    char *text;
    const char *seps = ",";
    if (list[0] == '@') {
        text = util_read_file(list + 1, NULL);
        if (!text) {
            fprintf(stderr, _("khaosat validate: cannot read %s: %s\n"),
                    list + 1, strerror(errno));
            return -1;
        }
        seps = "\r\n";
    } else {
        text = xstrdup(list);
    }
    int missing = 0;
    char *save = NULL;
    for (char *tok = strtok_r(text, seps, &save); tok;
         tok = strtok_r(NULL, seps, &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t len = strlen(tok);
        while (len && isspace((unsigned char)tok[len - 1]))
            tok[--len] = '\0';
        if (!len || tok[0] == '#')
            continue;
        size_t i = 0;
        while (i < cv->n && strcmp(cv->v[i].tag, tok))
            i++;
        if (i == cv->n) {
            fprintf(stderr, _("khaosat validate: no question carries indicator %s\n"),
                    tok);
            missing++;
        }
    }
    free(text);
    return missing;
}

static void usage(FILE *f)
{
    fprintf(f, _("Usage: khaosat validate [--coverage] [--expect LIST|@FILE] FORM.yaml...\n"
                 "       khaosat validate [--db DB] --against OLD.yaml NEW.yaml\n"));
}

/* Print diagnostics on stderr, sorted by position. */
static void print_diags(diag_list *d)
{
    diag_sort(d);
    for (size_t i = 0; i < d->n; i++) {
        char *s = diag_format(&d->v[i]);
        fprintf(stderr, "%s\n", s);
        free(s);
    }
}

/* Check a report definition against the forms of its own directory. */
static int validate_report(const char *path)
{
    diag_list d;
    diag_init(&d);
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    report_def *def = report_def_load(path, &d);
    diag_list ignored;
    diag_init(&ignored);
    catalog *cat = def ? catalog_load(slash ? dir : ".", &ignored) : NULL;
    if (def && cat)
        report_def_check(def, cat, &d);
    print_diags(&d);
    int bad = d.n > 0 || !def || !cat;
    if (!bad)
        printf(_("%s: ok (report definition)\n"), path);
    catalog_free(cat);
    report_def_free(def);
    diag_free(&ignored);
    diag_free(&d);
    free(dir);
    return bad;
}

/* Load one file, print its diagnostics (stderr) or "ok" (stdout). Returns
 * non-zero when it has errors. */
static int validate_file(const char *path, coverage *cv)
{
    if (catalog_is_report_file(path))
        return validate_report(path);
    diag_list d;
    diag_init(&d);
    form *f = form_load_file(path, &d);
    print_diags(&d);
    int bad = d.n > 0 || !f;
    if (!bad)
        printf(_("%s: ok (%zu questions)\n"), path, f->nq);
    if (f)
        coverage_add(cv, f);
    form_free(f);
    diag_free(&d);
    return bad;
}

/* Print each entry of d on stderr as "FILE:LINE:COL: KIND: message". */
static void print_kind(diag_list *d, const char *kind)
{
    diag_sort(d);
    for (size_t i = 0; i < d->n; i++) {
        diag e = d->v[i];
        char *msg = xasprintf("%s: %s", kind, e.msg);
        e.msg = msg;
        char *s = diag_format(&e);
        fprintf(stderr, "%s\n", s);
        free(s);
        free(msg);
    }
}

/* Say, for each answer NEW would lose, how many interviews in progress on
 * OLD's version in database db hold it. 0, or 1 when db cannot be read. */
static int print_affected(const char *db, const form *old,
                          const form_losses *losses)
{
    store *st = cmd_open_store("khaosat validate", db, STORE_REFUSE_MISSING);
    if (!st)
        return 1;
    int bad = 0;
    for (size_t i = 0; i < losses->n && !bad; i++) {
        const form_loss *l = &losses->v[i];
        long n = 0;
        if (store_count_affected(st, old->id, old->version, l->qid, l->code,
                                 &n)) {
            fprintf(stderr, "khaosat validate: %s\n", store_errmsg(st));
            bad = 1;
        } else if (l->code) {
            printf(_("%ld interview(s) in progress on %s %s answer '%s' "
                     "with choice '%s'\n"), n, old->id, old->version,
                   l->qid, l->code);
        } else {
            printf(_("%ld interview(s) in progress on %s %s answer '%s'\n"),
                   n, old->id, old->version, l->qid);
        }
    }
    store_close(st);
    return bad;
}

/* `validate --against OLD NEW [--db DB]`: 0 when NEW can replace OLD while
 * interviews are in progress on OLD (warnings allowed), 1 when not. */
static int validate_against(const char *old_path, const char *new_path,
                            const char *db)
{
    diag_list d;
    diag_init(&d);
    form *old = form_load_file(old_path, &d);
    form *nw = form_load_file(new_path, &d);
    print_diags(&d);
    int bad = d.n > 0 || !old || !nw;
    if (!bad) {
        diag_list errors, warnings;
        diag_init(&errors);
        diag_init(&warnings);
        form_losses losses = {NULL, 0};
        form_compare(old, nw, &errors, &warnings, &losses);
        print_kind(&errors, _("error"));
        print_kind(&warnings, _("warning"));
        bad = errors.n > 0;
        if (db && print_affected(db, old, &losses))
            bad = 1;
        form_losses_free(&losses);
        if (bad)
            fprintf(stderr, _("%s cannot replace %s: %zu breaking change(s)\n"),
                    new_path, old_path, errors.n);
        else
            printf(_("%s can replace %s (%zu warning(s))\n"), new_path,
                   old_path, warnings.n);
        diag_free(&errors);
        diag_free(&warnings);
    }
    form_free(old);
    form_free(nw);
    diag_free(&d);
    fflush(stdout);
    return bad ? 1 : 0;
}

int cmd_validate(int argc, char **argv)
{
    int show = 0, first = 1;
    const char *expect = NULL, *db = NULL;
    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *a = argv[first];
        if (!strcmp(a, "--")) {
            first++;
            break;
        } else if (!strcmp(a, "--against") && first + 3 == argc) {
            return validate_against(argv[first + 1], argv[first + 2], db);
        } else if (!strcmp(a, "--db") && first + 1 < argc) {
            db = argv[++first];
        } else if (!strcmp(a, "--coverage")) {
            show = 1;
        } else if (!strcmp(a, "--expect") && first + 1 < argc) {
            expect = argv[++first];
        } else if (!strncmp(a, "--expect=", 9)) {
            expect = a + 9;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, _("khaosat validate: unknown option '%s'\n"), a);
            usage(stderr);
            return 2;
        }
    }
    if (first == argc) {
        usage(stderr);
        return 2;
    }
    coverage cv = {NULL, 0, 0};
    int bad = 0;
    for (int i = first; i < argc; i++)
        bad |= validate_file(argv[i], &cv);
    if (show)
        coverage_print(&cv);
    if (expect) {
        int missing = coverage_expect(&cv, expect);
        if (missing < 0) {
            coverage_free(&cv);
            return 2;
        }
        bad |= missing > 0;
    }
    coverage_free(&cv);
    fflush(stdout);
    return bad ? 1 : 0;
}
