/* cmd_eval.c: `khaosat eval`, which evaluates one expression against answers
 * given on the command line, for trying out a form's logic. */
#include "config.h"
#include "core/canon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd.h"
#include "core/expr.h"
#include "core/form.h"
#include "core/i18n.h"
#include "core/util.h"

/* The answers given with --set. */
typedef struct eval_answers {
    char **names;
    char **values;
    size_t n;
    char *self;           /* value of ".", or NULL */
    const char *missing;  /* the first name asked for but not given */
    int missing_bare;
    const char *form_path; /* --form, or NULL */
} eval_answers;

static void usage(FILE *f)
{
    fprintf(f, _("Usage: khaosat eval [--set NAME=VALUE]... [--now DATE] "
                 "[--form FORM] EXPRESSION\n"
                 "Evaluate an XLSForm expression and print its value.\n\n"
                 "  --set NAME=VALUE  give the answer of ${NAME} (repeatable);\n"
                 "                    --set .=VALUE gives the current answer\n"
                 "  --now DATE        the clock for today() and now(): seconds "
                 "since\n"
                 "                    1970 or an ISO 8601 date or date-time\n"
                 "  --form FORM       read instance('list') and pulldata() "
                 "lists from\n"
                 "                    the choice lists of FORM\n"));
}

/* Record NAME=VALUE; -1 when there is no '='. */
static int add_answer(eval_answers *a, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return -1;
    size_t len = (size_t)(eq - arg);
    /* Normalised as an answer typed on the screen is (NFC), so that eval
     * says what the form would say. */
    char *v = canon_text(eq + 1);
    if (len == 1 && arg[0] == '.') {
        free(a->self);
        a->self = v;
        return 0;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strlen(a->names[i]) == len && !memcmp(a->names[i], arg, len)) {
            free(a->values[i]);
            a->values[i] = v;
            return 0;
        }
    }
    a->names = xrealloc(a->names, (a->n + 1) * sizeof *a->names);
    a->values = xrealloc(a->values, (a->n + 1) * sizeof *a->values);
    a->names[a->n] = xstrndup(arg, len);
    a->values[a->n++] = v;
    return 0;
}

static void free_answers(eval_answers *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->names[i]);
        free(a->values[i]);
    }
    free(a->names);
    free(a->values);
    free(a->self);
}

/* Resolver: the index of a --set name. */
static int resolve_answer(void *ctx, const char *name, int bare)
{
    eval_answers *a = ctx;
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->names[i], name))
            return (int)i;
    if (!a->missing) {
        a->missing = name;
        a->missing_bare = bare;
    }
    return -1;
}

/* A given answer is text, as a text question's answer is: the expression
 * makes it a number where it uses one (`. + 1`, `. > 5`), and a phone
 * number such as 0912345678 keeps its leading zero for regex(). */
static void lookup_answer(void *ctx, int id, value *out)
{
    eval_answers *a = ctx;
    const char *s = id == EXPR_REF_SELF ? a->self
                    : id >= 0 && (size_t)id < a->n ? a->values[id] : NULL;
    *out = val_string(s ? s : "");
}

/* Seconds since the epoch from --now: a number of seconds or an ISO 8601
 * date or date-time (local time unless it has an offset). */
static int parse_now(const char *s, time_t *out)
{
    double d = val_parse_number(s);
    if (!isnan(d)) {
        if (d < 1 || d > 1e12 || d != floor(d))
            return -1;
        *out = (time_t)d;
        return 0;
    }
    double days;
    if (val_parse_date(s, &days))
        return -1;
    long y;
    int m, dd;
    double whole = floor(days);
    val_civil_from_days((long)whole, &y, &m, &dd);
    long secs = lround((days - whole) * 86400.0);
    struct tm tm = {0};
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = m - 1;
    tm.tm_mday = dd;
    tm.tm_sec = (int)secs;  /* mktime normalises the seconds into h:m:s */
    tm.tm_isdst = -1;
    *out = mktime(&tm);
    return *out == (time_t)-1 || *out <= 0 ? -1 : 0;
}

/* Print the line of src holding column col, and a caret under it. */
static void show_caret(const char *src, int col)
{
    const char *line = src, *p = src;
    int c = 1;
    for (; *p && c < col; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        if (*p == '\n')
            line = p + 1;
        c++;
    }
    size_t len = strcspn(line, "\n");
    fprintf(stderr, "  %.*s\n  ", (int)len, line);
    for (const char *q = line; q < p && *q; q++)
        if (((unsigned char)*q & 0xC0) != 0x80)
            fputc(*q == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
}

/* Report a problem at column col of src. */
static void report(const char *src, int col, const char *msg)
{
    fprintf(stderr, _("khaosat eval: column %d: %s\n"), col, msg);
    show_caret(src, col);
}

/* Whether arg is option name, as "--name VALUE" (consuming the next
 * argument) or "--name=VALUE"; *val is the value, NULL when missing. */
static int is_option(const char *arg, const char *name, int argc, char **argv,
                     int *i, const char **val)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) || (arg[n] && arg[n] != '='))
        return 0;
    *val = arg[n] == '=' ? arg + n + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

/* Read the options into a and *now; returns the expression, or NULL after
 * printing a usage error (*status set). */
static const char *parse_args(int argc, char **argv, eval_answers *a,
                              time_t *now, int *status)
{
    const char *src = NULL;
    int opts = 1;
    *status = 2;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (opts && (!strcmp(arg, "--help") || !strcmp(arg, "-h"))) {
            usage(stdout);
            *status = 0;
            return NULL;
        } else if (opts && !strcmp(arg, "--")) {
            opts = 0;
        } else if (opts && is_option(arg, "--set", argc, argv, &i, &val)) {
            if (!val || add_answer(a, val)) {
                fprintf(stderr, _("khaosat eval: --set needs NAME=VALUE\n"));
                return NULL;
            }
        } else if (opts && is_option(arg, "--form", argc, argv, &i, &val)) {
            if (!val) {
                fprintf(stderr, _("khaosat eval: --form needs a form file\n"));
                return NULL;
            }
            a->form_path = val;
        } else if (opts && is_option(arg, "--now", argc, argv, &i, &val)) {
            if (!val || parse_now(val, now)) {
                fprintf(stderr, _("khaosat eval: --now needs seconds since "
                                  "1970 or an ISO 8601 date or date-time\n"));
                return NULL;
            }
        } else if (opts && arg[0] == '-' && arg[1] == '-') {
            fprintf(stderr, _("khaosat eval: unknown option '%s'\n"), arg);
            usage(stderr);
            return NULL;
        } else if (src) {
            fprintf(stderr, _("khaosat eval: give exactly one expression "
                              "(quote it)\n"));
            return NULL;
        } else {
            src = arg;
        }
    }
    if (!src) {
        usage(stderr);
        return NULL;
    }
    return src;
}

/* The form of --form, or NULL after printing why it cannot be used. */
static form *load_lists_form(const char *path)
{
    diag_list d;
    diag_init(&d);
    form *f = form_load_file(path, &d);
    if (d.n) {
        char *m = diag_format(&d.v[0]);
        fprintf(stderr, "khaosat eval: %s\n", m);
        free(m);
        form_free(f);
        f = NULL;
    } else if (!f) {
        fprintf(stderr, _("khaosat eval: cannot read %s\n"), path);
    }
    diag_free(&d);
    return f;
}

int cmd_eval(int argc, char **argv)
{
    eval_answers a = {0};
    time_t now = 0;
    int status;
    const char *src = parse_args(argc, argv, &a, &now, &status);
    form *lists_form = NULL;
    if (src && a.form_path && !(lists_form = load_lists_form(a.form_path))) {
        src = NULL;
        status = 1;
    }
    if (!src) {
        free_answers(&a);
        return status;
    }
    form_list_source lists;
    int lang = lists_form ? lists_form->default_lang : 0;
    form_list_source_init(&lists, lists_form, &lang, NULL);
    expr *e = NULL;
    expr_error err;
    status = 1;
    if (expr_parse(src, &e, &err)) {
        report(src, err.col, err.msg);
    } else if (expr_bind(e, resolve_answer, &a, &err)) {
        char *msg = a.missing_bare
            ? xasprintf(_("unknown name '%s'; give it with --set %s=VALUE"),
                        a.missing, a.missing)
            : xasprintf(_("unknown reference ${%s}; give it with --set "
                          "%s=VALUE"), a.missing, a.missing);
        report(src, err.col, msg);
        free(msg);
    } else {
        expr_env env = {.ctx = &a, .lookup = lookup_answer, .now = now,
                        .lists = lists_form ? &lists.lists : NULL};
        char *out = expr_eval_string(e, &env);
        printf("%s\n", out);
        free(out);
        status = 0;
    }
    free(err.msg);
    expr_free(e);
    free_answers(&a);
    form_free(lists_form);
    return status;
}
