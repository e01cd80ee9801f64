/* xlsform_survey.c: the survey sheet as khaosat questions, row by row and
 * in order: begin/end group and repeat become nesting, select ... or_other
 * an "other" choice and a text question, and every name is written as the
 * renaming chose (xlsform_names.c). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "xlsform/xlsform_int.h"

/* Groups nested deeper than this are refused (the form language allows
 * about thirty). */
#define XF_MAX_NESTING 30

/* What a survey row's type says. */
typedef enum row_kind {
    RK_SKIP,              /* unsupported or empty: left out */
    RK_QUESTION,
    RK_BEGIN_GROUP,
    RK_BEGIN_REPEAT,
    RK_END_GROUP,
    RK_END_REPEAT
} row_kind;

typedef struct row_type {
    row_kind kind;
    char *type;           /* khaosat type without the list, e.g. "integer" */
    char *list;           /* select list as written, or NULL */
    int or_other;
} row_type;

static const char *const simple_types[] = {
    "text", "integer", "decimal", "date", "note", "calculate",
};

/* Read the type cell t into rt. Returns 0, or -1 when khaosat has no such
 * type. */
static int parse_type(const char *t, row_type *rt)
{
    memset(rt, 0, sizeof *rt);
    char *words[4] = {NULL, NULL, NULL, NULL};
    int n = 0;
    char *copy = xstrdup(t);
    for (char *w = strtok(copy, " \t\r\n"); w; w = strtok(NULL, " \t\r\n"))
        words[n < 4 ? n++ : 3] = w;
    int rc = -1;
    if (n >= 1) {
        for (char *p = words[0]; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        const char *w0 = words[0], *w1 = n > 1 ? words[1] : "";
        struct { const char *a, *b; row_kind k; } ends[] = {
            {"begin", "group", RK_BEGIN_GROUP}, {"begin_group", "", RK_BEGIN_GROUP},
            {"begin", "repeat", RK_BEGIN_REPEAT}, {"begin_repeat", "", RK_BEGIN_REPEAT},
            {"end", "group", RK_END_GROUP}, {"end_group", "", RK_END_GROUP},
            {"end", "repeat", RK_END_REPEAT}, {"end_repeat", "", RK_END_REPEAT},
        };
        for (size_t i = 0; i < sizeof ends / sizeof *ends; i++)
            if (!strcmp(w0, ends[i].a) && !strcasecmp(w1, ends[i].b) &&
                n == (ends[i].b[0] ? 2 : 1)) {
                rt->kind = ends[i].k;
                rc = 0;
            }
        for (size_t i = 0; n == 1 && i < sizeof simple_types / sizeof *simple_types; i++)
            if (!strcmp(w0, simple_types[i])) {
                rt->kind = RK_QUESTION;
                rt->type = xstrdup(w0);
                rc = 0;
            }
        if ((!strcmp(w0, "select_one") || !strcmp(w0, "select_multiple")) &&
            (n == 2 || (n == 3 && !strcmp(words[2], "or_other")))) {
            rt->kind = RK_QUESTION;
            rt->type = xstrdup(w0);
            rt->list = xstrdup(w1);
            rt->or_other = n == 3;
            rc = 0;
        }
    }
    free(copy);
    return rc;
}

static void row_type_free(row_type *rt)
{
    free(rt->type);
    free(rt->list);
}

/* The current row's name (trimmed, newly allocated); a group or repeat
 * without one is named after its row. NULL for a question without one. */
static char *row_name(xf_import *im, const row_type *rt)
{
    const char *n = xf_get(&im->survey, XK_NAME, -1);
    if (n)
        return xf_trim(n);
    if (rt->kind == RK_BEGIN_GROUP || rt->kind == RK_BEGIN_REPEAT)
        return xasprintf("%s_%u", rt->kind == RK_BEGIN_GROUP ? "group" : "repeat",
                         im->survey.row + 1);
    return NULL;
}

char *xf_other_key(const char *name)
{
    return xasprintf("%s_other\x01", name);
}

/* Name the "other" questions of or_other (others: their questions'
 * names): NAME_other, recorded before the names are settled; when a
 * question of the workbook already has that name, a name no question has,
 * under xf_other_key, after. */
static void other_names(xf_import *im, const xf_names *others, xf_names *clash,
                        int settled)
{
    if (settled) {
        for (size_t i = 0; i < clash->n; i++) {
            char *key = xf_other_key(clash->old[i]);
            char *want = xasprintf("%s_other", xf_names_get(&im->qnames, clash->old[i]));
            xf_names_add_unique(&im->qnames, key, want);
            free(want);
            free(key);
        }
        return;
    }
    for (size_t i = 0; i < others->n; i++) {
        char *id = xasprintf("%s_other", others->old[i]);
        if (xf_names_has(&im->qnames, id))
            xf_names_add(clash, others->old[i]);
        else
            xf_names_add(&im->qnames, id);
        free(id);
    }
}

void xf_survey_names(xf_import *im)
{
    xf_names others, clash;
    memset(&others, 0, sizeof others);
    memset(&clash, 0, sizeof clash);
    xf_sheet *s = &im->survey;
    xf_sheet_rewind(s);
    while (xf_sheet_next(s)) {
        const char *t = xf_get(s, XK_TYPE, -1);
        row_type rt;
        if (!t || parse_type(t, &rt))
            continue;
        char *name = row_name(im, &rt);
        if (name && rt.kind != RK_END_GROUP && rt.kind != RK_END_REPEAT) {
            xf_names_add(&im->qnames, name);
            if (rt.or_other) {
                xf_names_add(&others, name);
                xf_names_add(&im->other_lists, rt.list);
            }
        }
        if (rt.list)
            xf_names_add(&im->lnames, rt.list);
        free(name);
        row_type_free(&rt);
    }
    xf_sheet *c = &im->choices;
    xf_sheet_rewind(c);
    while (xf_sheet_next(c)) {
        const char *l = xf_get(c, XK_LIST_NAME, -1);
        if (l) {
            char *list = xf_trim(l);
            xf_names_add(&im->lnames, list);
            free(list);
        }
    }
    other_names(im, &others, &clash, 0);
    xf_names_settle(&im->qnames);
    other_names(im, &others, &clash, 1);
    xf_names_free(&others);
    xf_names_free(&clash);
    xf_names_settle(&im->lnames);
    xf_names_settle(&im->anames);
    /* Choice attributes renamed are noted once, at their header. */
    for (unsigned col = 0; c->sh && col < c->width; col++)
        if (c->cols[col].kind == XK_ATTR &&
            strcmp(c->cols[col].key, xf_names_get(&im->anames, c->cols[col].key)))
            xf_note(im, c, (int)c->sh->cells[0].row, col,
                    _("column '%s' is written '%s' (in every choice_filter too)"),
                    c->cols[col].key, xf_names_get(&im->anames, c->cols[col].key));
}

/* Write "key: "expression"" for column kind, renamed; attrs for bare names. */
static void write_expr(xf_import *im, xf_kind kind, const char *key, int indent,
                       const xf_names *attrs)
{
    const char *v = xf_get(&im->survey, kind, -1);
    if (!v)
        return;
    xf_mark_kind(im, &im->survey, kind, -1);
    char *e = xf_rewrite(&im->qnames, attrs, v, 0);
    sbuf_addf(&im->out, "%*s%s: ", indent, "", key);
    xf_yaml_str(&im->out, e);
    sbuf_addc(&im->out, '\n');
    free(e);
}

/* 1 for yes/true, 0 for no/false, -1 for anything else. */
static int xls_bool(const char *v)
{
    static const char *const yes[] = {"yes", "true", "true()", "1"};
    static const char *const no[] = {"no", "false", "false()", "0"};
    char *t = xf_trim(v);
    int r = -1;
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(t, yes[i]))
            r = 1;
        if (!strcasecmp(t, no[i]))
            r = 0;
    }
    free(t);
    return r;
}

/* required and read_only. */
static void write_flags(xf_import *im, int in)
{
    xf_sheet *s = &im->survey;
    const char *req = xf_get(s, XK_REQUIRED, -1);
    if (req && xls_bool(req) == 1) {
        xf_mark_kind(im, s, XK_REQUIRED, -1);
        sbuf_addf(&im->out, "%*srequired: true\n", in, "");
    }
    else if (req && xls_bool(req) < 0)
        write_expr(im, XK_REQUIRED, "required", in, NULL);
    xf_write_text(im, s, XK_REQUIRED_MSG, "required_message", in);
    const char *ro = xf_get(s, XK_READ_ONLY, -1);
    if (ro && xls_bool(ro) == 1) {
        xf_mark_kind(im, s, XK_READ_ONLY, -1);
        sbuf_addf(&im->out, "%*sread_only: true\n", in, "");
    } else if (ro && xls_bool(ro) < 0) {
        /* Left unused, so that it is reported. */
        s->used[xf_col_of(s, XK_READ_ONLY, -1)] = 0;
    }
    /* appearance multiline on a text question is khaosat's multiline;
     * any other appearance is left unused, so that it is reported. */
    const char *ap = xf_get(s, XK_APPEARANCE, -1);
    const char *type = xf_get(s, XK_TYPE, -1);
    char *a = ap ? xf_trim(ap) : NULL, *ty = type ? xf_trim(type) : NULL;
    if (a && ty && !strcasecmp(a, "multiline") && !strcmp(ty, "text")) {
        xf_mark_kind(im, s, XK_APPEARANCE, -1);
        sbuf_addf(&im->out, "%*smultiline: true\n", in, "");
    } else if (ap) {
        s->used[xf_col_of(s, XK_APPEARANCE, -1)] = 0;
    }
    free(a);
    free(ty);
}

/* The parameters column: randomize=true and seed=EXPR become randomize
 * and seed; any other parameter is reported. */
static void write_parameters(xf_import *im, int in)
{
    xf_sheet *s = &im->survey;
    const char *par = xf_get(s, XK_PARAMETERS, -1);
    if (!par)
        return;
    xf_mark_kind(im, s, XK_PARAMETERS, -1);
    char *copy = xstrdup(par);
    for (char *t = strtok(copy, " \t\n;,"); t; t = strtok(NULL, " \t\n;,")) {
        if (!strcasecmp(t, "randomize=true") || !strcasecmp(t, "randomize=true()")) {
            sbuf_addf(&im->out, "%*srandomize: true\n", in, "");
        } else if (!strncasecmp(t, "seed=", 5) && t[5]) {
            char *e = xf_rewrite(&im->qnames, NULL, t + 5, 0);
            sbuf_addf(&im->out, "%*sseed: ", in, "");
            xf_yaml_str(&im->out, e);
            sbuf_addc(&im->out, '\n');
            free(e);
        } else {
            xf_note(im, s, (int)s->row, xf_col_of(s, XK_PARAMETERS, -1),
                    _("parameters '%s' has no khaosat equivalent"), t);
        }
    }
    free(copy);
}

/* indicator and meta. */
static void write_meta(xf_import *im, int in)
{
    xf_sheet *s = &im->survey;
    const char *ind = xf_get(s, XK_INDICATOR, -1);
    if (ind) {
        xf_mark_kind(im, s, XK_INDICATOR, -1);
        char *copy = xstrdup(ind);
        sbuf_addf(&im->out, "%*sindicator: [", in, "");
        int n = 0;
        for (char *t = strtok(copy, " \t\n,"); t; t = strtok(NULL, " \t\n,")) {
            sbuf_add(&im->out, n++ ? ", " : "");
            xf_yaml_str(&im->out, t);
        }
        sbuf_add(&im->out, "]\n");
        free(copy);
    }
    int n = 0;
    for (size_t i = 0; i < s->nfilled; i++) {
        unsigned c = s->filled[i];
        if (s->cols[c].kind != XK_META)
            continue;
        s->used[c] = 1;
        if (!n)
            xf_mark_at(im, s, (int)s->row, c);
        sbuf_addf(&im->out, n++ ? ", " : "%*smeta: {", in, "");
        xf_mark_at(im, s, (int)s->row, c);
        xf_yaml_key(&im->out, s->cols[c].key);
        sbuf_add(&im->out, ": ");
        xf_yaml_str(&im->out, s->cell[c]);
    }
    if (n)
        sbuf_add(&im->out, "}\n");
}

/* Write the question of the current row (with its "questions:" key when
 * it opens a group or repeat) as an item at indent. */
static void write_question(xf_import *im, const row_type *rt, const char *name,
                           int indent)
{
    xf_sheet *s = &im->survey;
    sbuf *o = &im->out;
    const char *comment = xf_get(s, XK_COMMENT, -1);
    xf_mark_kind(im, s, XK_NAME, -1);
    if (comment)
        xf_yaml_comment(o, indent, comment);
    const char *id = xf_names_get(&im->qnames, name);
    if (strcmp(id, name))
        xf_note(im, s, (int)s->row, xf_col_of(s, XK_NAME, -1),
                _("name '%s' is written '%s' (in every expression too)"), name, id);
    int in = indent + 2;
    sbuf_addf(o, "%*s- id: %s\n", indent, "", id);
    xf_mark_kind(im, s, XK_TYPE, -1);
    sbuf_addf(o, "%*stype: ", in, "");
    if (rt->kind == RK_BEGIN_GROUP || rt->kind == RK_BEGIN_REPEAT)
        sbuf_add(o, rt->kind == RK_BEGIN_GROUP ? "group" : "repeat");
    else if (rt->list)
        sbuf_addf(o, "%s %s", rt->type, xf_names_get(&im->lnames, rt->list));
    else
        sbuf_add(o, rt->type);
    sbuf_addc(o, '\n');
    xf_write_text(im, s, XK_LABEL, "label", in);
    xf_write_text(im, s, XK_HINT, "hint", in);
    write_flags(im, in);
    write_expr(im, XK_RELEVANT, "relevant", in, NULL);
    write_expr(im, XK_CONSTRAINT, "constraint", in, NULL);
    xf_write_text(im, s, XK_CONSTRAINT_MSG, "constraint_message", in);
    write_expr(im, XK_CALCULATION, "calculation", in, NULL);
    const char *def = xf_get(s, XK_DEFAULT, -1);
    if (def && strstr(def, "${")) {
        write_expr(im, XK_DEFAULT, "default", in, NULL); /* names renamed in it too */
    } else if (def) {
        xf_mark_kind(im, s, XK_DEFAULT, -1);
        sbuf_addf(o, "%*sdefault: ", in, "");
        xf_yaml_str(o, def);
        sbuf_addc(o, '\n');
    }
    write_expr(im, XK_CHOICE_FILTER, "choice_filter", in, &im->anames);
    write_parameters(im, in);
    write_expr(im, XK_COUNT, "count", in, NULL);
    const char *mn = xf_get(s, XK_MIN, -1), *mx = xf_get(s, XK_MAX, -1);
    if (mn) {
        xf_mark_kind(im, s, XK_MIN, -1);
        sbuf_addf(o, "%*smin: %ld\n", in, "", strtol(mn, NULL, 10));
    }
    if (mx) {
        xf_mark_kind(im, s, XK_MAX, -1);
        sbuf_addf(o, "%*smax: %ld\n", in, "", strtol(mx, NULL, 10));
    }
    write_meta(im, in);
    if (rt->kind == RK_BEGIN_GROUP || rt->kind == RK_BEGIN_REPEAT) {
        xf_mark_kind(im, s, XK_TYPE, -1);
        sbuf_addf(o, "%*squestions:\n", in, "");
    }
    xf_report_unused(im, s);
    if (rt->or_other)
        xf_write_other_question(im, name, indent);
}

/* An open group or repeat. */
typedef struct open_group {
    row_kind kind;
    unsigned row;
    char *name;
} open_group;

/* Close the innermost group for an end row of kind k. */
static void close_group(xf_import *im, open_group *stack, int *depth, row_kind k,
                        const char *type)
{
    xf_sheet *s = &im->survey;
    if (*depth == 0) {
        xf_note(im, s, (int)s->row, xf_col_of(s, XK_TYPE, -1),
                _("'%s' ends no group; left out"), type);
        return;
    }
    open_group *g = &stack[*depth - 1];
    if ((k == RK_END_GROUP) != (g->kind == RK_BEGIN_GROUP))
        xf_note(im, s, (int)s->row, xf_col_of(s, XK_TYPE, -1),
                _("'%s' ends '%s', which is not one"), type, g->name);
    /* Its name (often repeated on the end row) has nothing more to say. */
    xf_get(s, XK_NAME, -1);
    xf_report_unused(im, s);
    free(g->name);
    (*depth)--;
}

/* Handle the current row of the survey sheet. */
static void survey_row(xf_import *im, open_group *stack, int *depth)
{
    xf_sheet *s = &im->survey;
    const char *t = xf_get(s, XK_TYPE, -1);
    row_type rt;
    if (!t) {
        xf_note(im, s, (int)s->row, xf_col_of(s, XK_TYPE, -1),
                _("a row without a type; left out"));
        return;
    }
    if (parse_type(t, &rt)) {
        xf_note(im, s, (int)s->row, xf_col_of(s, XK_TYPE, -1),
                _("type '%s' has no khaosat equivalent; the row is left out"), t);
        return;
    }
    if (rt.kind == RK_END_GROUP || rt.kind == RK_END_REPEAT) {
        close_group(im, stack, depth, rt.kind, t);
    } else {
        char *name = row_name(im, &rt);
        if (!name) {
            xf_note(im, s, (int)s->row, xf_col_of(s, XK_NAME, -1),
                    _("a question without a name; left out"));
        } else if (rt.kind == RK_QUESTION) {
            write_question(im, &rt, name, 2 + 4 * *depth);
        } else if (*depth >= XF_MAX_NESTING) {
            if (!im->fatal)
                im->fatal = xasprintf(_("survey row %u: groups nested more than "
                                        "%d deep"), s->row + 1, XF_MAX_NESTING);
        } else {
            write_question(im, &rt, name, 2 + 4 * *depth);
            stack[(*depth)++] = (open_group){rt.kind, s->row, name};
            name = NULL;
        }
        free(name);
    }
    row_type_free(&rt);
}

void xf_write_survey(xf_import *im)
{
    xf_sheet *s = &im->survey;
    open_group stack[XF_MAX_NESTING];
    int depth = 0;
    sbuf_add(&im->out, "\nquestions:\n");
    xf_sheet_rewind(s);
    while (!im->fatal && xf_sheet_next(s))
        survey_row(im, stack, &depth);
    while (depth > 0) {
        open_group *g = &stack[--depth];
        if (!im->fatal)
            xf_note(im, s, (int)g->row, xf_col_of(s, XK_TYPE, -1),
                    _("'%s' is never ended; it ends with the sheet"), g->name);
        free(g->name);
    }
}
