/* session_setup.c: the checks an interview gets from the commune's
 * set-up beyond its form's own: village codes kept from before the set-up
 * arrived (answers that stand, told to the office). */
#include "config.h"
#include "session/session_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"

/* A growable list of session_problem. */
typedef struct plist {
    session_problem *v;
    size_t n, cap;
} plist;

static void plist_add(plist *p, session_item it, inst_check why, char *msg)
{
    p->v = util_grow(p->v, &p->cap, p->n + 1, sizeof *p->v);
    p->v[p->n++] = (session_problem){it, why, msg};
}

/* The kept codes of item it's answer, each a warning. */
static void kept_codes(session *s, session_item it, plist *p)
{
    const form_question *fq = &s->f->q[it.q];
    if ((fq->type != QT_SELECT_ONE && fq->type != QT_SELECT_MULTIPLE)
        || fq->list < 0 || !s->f->lists[fq->list].nfallback)
        return;
    const form_list *l = &s->f->lists[fq->list];
    const char *v = inst_get(s->in, it.fr, it.q);
    for (const char *t = v; t && *t;) {
        size_t k = strcspn(t, " ");
        for (size_t i = 0; i < l->nchoices; i++)
            if (form_choice_is_fallback(l, i)
                && strlen(l->choices[i].value) == k
                && !strncmp(l->choices[i].value, t, k))
                plist_add(p, it, INST_OK, xasprintf(
                    _("%s (%s) is not in the commune's set-up: kept as it "
                      "was answered before the set-up arrived"),
                    l->choices[i].value,
                    form_text_get(s->f, l->choices[i].label,
                                  inst_lang(s->in))));
        t += k;
        t += strspn(t, " ");
    }
}

/* Collect the warnings of scope and of every instance inside it. */
static void warnings_of(session *s, inst_frame *scope, plist *p)
{
    session_item *items;
    size_t n = session_items(s, scope, &items);
    for (size_t i = 0; i < n; i++) {
        if (s->f->q[items[i].q].type != QT_REPEAT) {
            kept_codes(s, items[i], p);
            continue;
        }
        size_t count = inst_repeat_count(s->in, scope, items[i].q);
        for (size_t k = 0; k < count; k++)
            warnings_of(s, inst_repeat_get(s->in, scope, items[i].q, k), p);
    }
    free(items);
}

size_t session_warnings(session *s, session_problem **out)
{
    plist p = {NULL, 0, 0};
    warnings_of(s, inst_root(s->in), &p);
    *out = p.v;
    return p.n;
}
