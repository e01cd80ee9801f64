/* form_lint.c: mistakes that load and bind cleanly but would damage data:
 * a default that is not a valid answer, a select compared with a code its
 * list lacks, a roster's question read outside the roster as if it had one
 * value, a repeat counted by a text question. Run by form_check once every
 * expression is bound. */
#include "config.h"
#include "core/form.h"
#include "core/form_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

/* XLSForm column names people bring along, and what this language calls
 * them. */
static const struct {
    const char *xlsform, *here;
} xlsform_keys[] = {
    {"repeat_count", "count"}, {"jr:count", "count"}, {"name", "id"},
    {"readonly", "read_only"}, {"calculate", "calculation"},
    {"constraint_msg", "constraint_message"}, {"parameters", "randomize"},
};

void form_unknown_key(form *f, diag_list *d, int line, int col,
                      const char *key, const char *const *keys, size_t nkeys,
                      const char *where)
{
    const char *sep = strstr(key, "::");
    if (sep && sep > key && sep[2]) {
        size_t n = (size_t)(sep - key);
        for (size_t k = 0; k < nkeys; k++)
            if (strlen(keys[k]) == n && !strncmp(keys[k], key, n)) {
                form_diag(f, d, line, col,
                          _("unknown key '%s' in %s (did you mean "
                            "`%s: {%s: …}`?)"), key, where, keys[k], sep + 2);
                return;
            }
    }
    for (size_t i = 0; i < sizeof xlsform_keys / sizeof *xlsform_keys; i++)
        for (size_t k = 0; k < nkeys; k++)
            if (!strcmp(key, xlsform_keys[i].xlsform) &&
                !strcmp(keys[k], xlsform_keys[i].here)) {
                form_diag(f, d, line, col,
                          _("unknown key '%s' in %s (did you mean `%s`?)"),
                          key, where, keys[k]);
                return;
            }
    form_diag(f, d, line, col, _("unknown key '%s' in %s"), key, where);
}

/* Whether list l has the code v. */
static int list_has(const form_list *l, const char *v, size_t len)
{
    for (size_t i = 0; i < l->nchoices; i++)
        if (strlen(l->choices[i].value) == len &&
            !memcmp(l->choices[i].value, v, len))
            return 1;
    return 0;
}

/* The first space-separated code of s that l lacks (its length in *len),
 * or NULL when l has them all. */
static const char *missing_code(const form_list *l, const char *s, size_t *len)
{
    while (*s) {
        s += strspn(s, " ");
        size_t n = strcspn(s, " ");
        if (n && !list_has(l, s, n)) {
            *len = n;
            return s;
        }
        s += n;
    }
    return NULL;
}

/* The codes of l for messages, "1, 0", shortened after a few. Newly
 * allocated. */
static char *list_codes(const form_list *l)
{
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < l->nchoices && i < 8; i++)
        sbuf_addf(&b, "%s%s", i ? ", " : "", l->choices[i].value);
    if (l->nchoices > 8)
        sbuf_add(&b, ", …");
    return sbuf_detach(&b);
}

/* A literal default must be an answer the question accepts, by the same
 * rule as answers that come in bundles (form_value_problem); the message
 * says how to write it. */
static void lint_default(form *f, diag_list *d, int q)
{
    const form_question *fq = &f->q[q];
    const form_loc *at = &f->priv->qx[q].default_loc;
    const char *v = fq->default_value;
    const char *problem = v ? form_value_problem(f, fq, v) : NULL;
    if (!problem)
        return;
    size_t len;
    const char *bad = NULL;
    switch (fq->type) {
    case QT_DATE:
        form_diag(f, d, at->line, at->col,
                  _("default '%s' is not a date: write it as YYYY-MM-DD "
                    "(2026-12-31), or today() for the day of the "
                    "interview"), v);
        break;
    case QT_INTEGER:
    case QT_DECIMAL:
        form_diag(f, d, at->line, at->col, _("default '%s' is not %s"), v,
                  fq->type == QT_INTEGER ? _("a whole number") : _("a number"));
        break;
    case QT_SELECT_ONE:
    case QT_SELECT_MULTIPLE:
        if (fq->list >= 0)
            bad = missing_code(&f->lists[fq->list], v, &len);
        if (bad) {
            char *codes = list_codes(&f->lists[fq->list]);
            form_diag(f, d, at->line, at->col,
                      _("default '%.*s' is not a code of list '%s' (its "
                        "codes: %s)"), (int)len, bad,
                      f->lists[fq->list].name, codes);
            free(codes);
            break;
        }
        /* fall through */
    default:
        form_diag(f, d, at->line, at->col, _("default '%s' is %s"), v,
                  problem);
        break;
    }
}

/* What the use checker needs: where the expression is and whose it is. */
typedef struct lint_ctx {
    form *f;
    diag_list *d;
    int q, slot;
} lint_ctx;

/* Whether question q is inside roster r. */
static int inside_roster(const form *f, int q, int r)
{
    for (int p = f->q[q].repeat; p >= 0; p = f->q[p].repeat)
        if (p == r)
            return 1;
    return 0;
}

/* Place col (a column of the expression) in the file. */
static void lint_diag_at(lint_ctx *c, int col, const char *fmt, ...)
    KS_PRINTF(3, 4);

static void lint_diag_at(lint_ctx *c, int col, const char *fmt, ...)
{
    const form_src *src = &c->f->priv->qx[c->q].src[c->slot];
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    form_diag(c->f, c->d, src->loc.line,
              form_loc_column(c->f, &src->loc, col), "%s", msg);
    free(msg);
}

static void lint_use(void *vctx, const expr_use *u)
{
    lint_ctx *c = vctx;
    const form *f = c->f;
    int id = u->id == EXPR_REF_SELF ? c->q : u->id;
    if (id < 0 || (size_t)id >= f->nq)
        return;  /* a choice attribute of a choice_filter */
    const form_question *r = &f->q[id];
    size_t len;
    const char *bad;
    if (u->constant && r->list >= 0 &&
        (r->type == QT_SELECT_ONE || r->type == QT_SELECT_MULTIPLE) &&
        *u->constant && (bad = missing_code(&f->lists[r->list], u->constant, &len))) {
        char *codes = list_codes(&f->lists[r->list]);
        lint_diag_at(c, u->constant_col,
                     _("${%s} is compared with '%.*s', which is not a code of "
                       "list '%s' (its codes: %s)"), r->id, (int)len, bad,
                     f->lists[r->list].name, codes);
        free(codes);
    }
    if (!u->whole && r->repeat >= 0 && id != c->q &&
        !inside_roster(f, c->q, r->repeat))
        lint_diag_at(c, u->col,
                     _("${%s} is a question of roster '%s': outside it, read "
                       "it with sum(), count(), max(), join() or "
                       "indexed-repeat()"), r->id, f->q[r->repeat].id);
    if (c->slot == FS_COUNT && !u->constant && !u->whole &&
        (r->type == QT_TEXT || r->type == QT_SELECT_ONE ||
         r->type == QT_SELECT_MULTIPLE || r->type == QT_DATE))
        lint_diag_at(c, u->col,
                     _("the count of repeat '%s' reads ${%s}, a %s question: "
                       "a number of instances comes from an integer "
                       "question"), f->q[c->q].id, r->id,
                     form_qtype_name(r->type));
}

/* The expressions of question q, slot by slot. */
static void lint_expressions(form *f, diag_list *d, int q)
{
    form_question *fq = &f->q[q];
    const expr *slots[FS_NSLOTS] = {
        [FS_RELEVANT] = fq->relevant, [FS_REQUIRED] = fq->required,
        [FS_CONSTRAINT] = fq->constraint, [FS_CALCULATION] = fq->calculation,
        [FS_CHOICE_FILTER] = fq->choice_filter, [FS_COUNT] = fq->count,
        [FS_DEFAULT] = fq->default_expr, [FS_SEED] = fq->seed,
    };
    for (int s = 0; s < FS_NSLOTS; s++) {
        lint_ctx c = {f, d, q, s};
        expr_each_use(slots[s], lint_use, &c);
    }
}

/* A count written as a number larger than a roster holds ("1e9"):
 * refused here rather than capped where it is interviewed. */
static void lint_count(form *f, diag_list *d, int q)
{
    const form_question *fq = &f->q[q];
    if (!fq->count)
        return;
    const char *src = expr_source(fq->count);
    char *end;
    double v = strtod(src, &end);
    while (*end == ' ')
        end++;
    if (end == src || *end || !(v > FORM_MAX_REPEAT))
        return;
    lint_ctx c = {f, d, q, FS_COUNT};
    lint_diag_at(&c, 0, _("the count of repeat '%s' is %s, more than the %d "
                          "members a roster holds"), fq->id, src,
                 FORM_MAX_REPEAT);
}

void form_lint(form *f, diag_list *d)
{
    for (size_t q = 0; q < f->nq; q++) {
        lint_default(f, d, (int)q);
        lint_expressions(f, d, (int)q);
        lint_count(f, d, (int)q);
    }
}
