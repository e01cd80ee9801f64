/* form_compare.c: what a new version of a form breaks for interviews in
 * progress on the old one. Questions are matched by id, choices by code:
 * both are what the database stores. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/form_compare.h"
#include "core/i18n.h"

int form_version_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char)a[la]))
                la++;
            while (isdigit((unsigned char)b[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c;
            a += la;
            b += lb;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

void form_losses_free(form_losses *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].qid);
        free(l->v[i].code);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void loss_add(form_losses *l, const char *qid, const char *code)
{
    if (!l)
        return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n].qid = xstrdup(qid);
    l->v[l->n].code = code ? xstrdup(code) : NULL;
    l->n++;
}

/* Whether a question of this type stores an answer. */
static int takes_answer(form_qtype t)
{
    return t != QT_GROUP && t != QT_NOTE;
}

/* The id of q's roster, or NULL at top level. */
static const char *roster_of(const form *f, const form_question *q)
{
    return q->repeat >= 0 ? f->q[q->repeat].id : NULL;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static const char *expr_text(const expr *e)
{
    return e ? expr_source(e) : NULL;
}

/* The choice codes of old's question oq that new's question nq lacks. */
static void compare_choices(const form *old, const form_question *oq,
                            const form *nw, const form_question *nq,
                            diag_list *errors, form_losses *losses)
{
    if (oq->list < 0 || nq->list < 0)
        return;
    const form_list *ol = &old->lists[oq->list];
    for (size_t c = 0; c < ol->nchoices; c++) {
        const char *code = ol->choices[c].value;
        if (form_choice_find(nw, nq, code))
            continue;
        loss_add(losses, oq->id, code);
        diag_add(errors, nw->path, nq->line, nq->col,
                 _("choice '%s' of question '%s' removed: answers "
                   "using it would no longer be valid"),
                 code, nq->id);
    }
}

/* Roster moves: old and new rosters of one question differ. */
static void compare_roster(const form *old, const form_question *oq,
                           const form *nw, const form_question *nq,
                           diag_list *errors)
{
    const char *or_ = roster_of(old, oq), *nr = roster_of(nw, nq);
    if (same_text(or_, nr))
        return;
    if (!or_)
        diag_add(errors, nw->path, nq->line, nq->col,
                 _("question '%s' moved into roster '%s'"), nq->id, nr);
    else if (!nr)
        diag_add(errors, nw->path, nq->line, nq->col,
                 _("question '%s' moved out of roster '%s'"), nq->id, or_);
    else
        diag_add(errors, nw->path, nq->line, nq->col,
                 _("question '%s' moved from roster '%s' to roster '%s'"),
                 nq->id, or_, nr);
}

/* Rules that saved answers may now fail. */
static void compare_rules(const form_question *oq, const form *nw,
                          const form_question *nq, diag_list *warnings)
{
    const char *oreq = oq->required_always ? "true" : expr_text(oq->required);
    const char *nreq = nq->required_always ? "true" : expr_text(nq->required);
    if (nreq && !same_text(oreq, nreq))
        diag_add(warnings, nw->path, nq->line, nq->col,
                 _("question '%s' is required where it was not: interviews "
                   "in progress may need it answered"), nq->id);
    if (nq->constraint && !same_text(expr_text(oq->constraint),
                                     expr_text(nq->constraint)))
        diag_add(warnings, nw->path, nq->line, nq->col,
                 _("the constraint of question '%s' changed: answers "
                   "already taken may fail it"), nq->id);
}

static void compare_question(const form *old, const form_question *oq,
                             const form *nw, diag_list *errors,
                             diag_list *warnings, form_losses *losses)
{
    int n = form_find(nw, oq->id);
    if (n < 0) {
        if (!takes_answer(oq->type))
            return;
        loss_add(losses, oq->id, NULL);
        diag_add(errors, nw->path, 0, 0,
                 _("question '%s' (%s:%d) removed: its answers would be "
                   "orphaned"), oq->id, old->path, oq->line);
        return;
    }
    const form_question *nq = &nw->q[n];
    if (oq->type != nq->type) {
        /* Answers taken under the old type are read under the new one. */
        if (takes_answer(oq->type))
            loss_add(losses, oq->id, NULL);
        diag_add(errors, nw->path, nq->line, nq->col,
                 _("question '%s' changed type from %s to %s"), nq->id,
                 form_qtype_name(oq->type), form_qtype_name(nq->type));
        return;
    }
    compare_roster(old, oq, nw, nq, errors);
    if (oq->type == QT_SELECT_ONE || oq->type == QT_SELECT_MULTIPLE)
        compare_choices(old, oq, nw, nq, errors, losses);
    compare_rules(oq, nw, nq, warnings);
}

static void compare_header(const form *old, const form *nw, diag_list *errors,
                           diag_list *warnings)
{
    if (!same_text(old->id, nw->id))
        diag_add(errors, nw->path, 0, 0,
                 _("form id '%s' is not the id of %s ('%s')"),
                 nw->id ? nw->id : "", old->path, old->id ? old->id : "");
    const char *ov = old->version ? old->version : "";
    const char *nv = nw->version ? nw->version : "";
    int c = form_version_cmp(nv, ov);
    if (!strcmp(nv, ov)) {
        if (old->source_len != nw->source_len ||
            memcmp(old->source, nw->source, nw->source_len))
            diag_add(errors, nw->path, 0, 0,
                     _("version '%s' is the same as %s's but the content "
                       "differs: give the new form a higher version"),
                     nv, old->path);
    } else if (c <= 0) {
        diag_add(warnings, nw->path, 0, 0,
                 _("version '%s' is not higher than '%s'"), nv, ov);
    }
}

void form_compare(const form *old, const form *nw, diag_list *errors,
                  diag_list *warnings, form_losses *losses)
{
    compare_header(old, nw, errors, warnings);
    for (size_t i = 0; i < old->nq; i++)
        compare_question(old, &old->q[i], nw, errors, warnings, losses);
}
