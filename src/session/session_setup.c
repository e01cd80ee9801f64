/* session_setup.c: the checks an interview gets from the commune's
 * set-up beyond its form's own: village codes kept from before the set-up
 * arrived (answers that stand, told to the office), and household numbers
 * checked against their village's list (list_check: households), where a
 * number not on it stands once the enumerator says so: a note on the
 * question, which travels with the answers, tells the office. */
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

typedef void (*item_fn)(session *s, session_item it, plist *p);

/* Call fn for every answerable item of scope and of every instance in it. */
static void walk(session *s, inst_frame *scope, item_fn fn, plist *p)
{
    session_item *items;
    size_t n = session_items(s, scope, &items);
    for (size_t i = 0; i < n; i++) {
        if (s->f->q[items[i].q].type != QT_REPEAT) {
            fn(s, items[i], p);
            continue;
        }
        size_t count = inst_repeat_count(s->in, scope, items[i].q);
        for (size_t k = 0; k < count; k++)
            walk(s, inst_repeat_get(s->in, scope, items[i].q, k), fn, p);
    }
    free(items);
}

size_t session_warnings(session *s, session_problem **out)
{
    plist p = {NULL, 0, 0};
    walk(s, inst_root(s->in), kept_codes, &p);
    *out = p.v;
    return p.n;
}

/* The note's sentence that says number is not on the list of village
 * (code and name) and the enumerator confirmed it; newly allocated. */
static char *list_sentence(const char *number, const char *code,
                           const char *name)
{
    return xasprintf(_("Household %s is not on the list of village %s (%s): "
                       "the enumerator confirmed it is new or missing from "
                       "the list."), number, code, name);
}

int session_list_check(session *s, session_item it, const char *number,
                       char **msg, char **sentence)
{
    *msg = NULL;
    if (sentence)
        *sentence = NULL;
    int vq = form_list_check_village(s->f, it.q);
    const char *village = vq >= 0 ? inst_get(s->in, it.fr, vq) : NULL;
    if (!village || !*village || !number || !*number)
        return 0;
    store_household_check c;
    if (store_household_listed(s->st, village, number, &c) != 0) {
        session_fail(s);
        *msg = xstrdup(s->err);
        return -1;
    }
    int rc = 0;
    if (c.listed > 0 && !c.found && c.village_name) {
        *msg = xasprintf(ngettext("Household %s is not on the list of village "
                                  "%s (%ld household).",
                                  "Household %s is not on the list of village "
                                  "%s (%ld households).", c.listed),
                         number, c.village_name, c.listed);
        if (sentence)
            *sentence = list_sentence(number, village, c.village_name);
        rc = SESSION_NOT_ON_LIST;
    }
    free(c.village_name);
    return rc;
}

/* Non-zero when note holds sentence as one of its lines. */
static int note_has(const char *note, const char *sentence)
{
    size_t n = strlen(sentence);
    for (const char *p = note; p && (p = strstr(p, sentence)); p++)
        if ((p == note || p[-1] == '\n') && (p[n] == '\0' || p[n] == '\n'))
            return 1;
    return 0;
}

char *session_list_note(session *s, session_item it, const char *drop,
                        const char *add, int *changed)
{
    char *note = session_note_get(s, it);
    *changed = 0;
    sbuf b;
    sbuf_init(&b);
    /* The lines of the note but the line the old confirmation wrote. */
    size_t ndrop = drop ? strlen(drop) : 0;
    for (const char *p = note; p && *p;) {
        size_t k = strcspn(p, "\n");
        if (drop && k == ndrop && !strncmp(p, drop, k))
            *changed = 1;
        else
            sbuf_addf(&b, "%s%.*s", b.len ? "\n" : "", (int)k, p);
        p += k;
        p += *p == '\n';
    }
    if (add && !note_has(b.s, add)) {
        sbuf_addf(&b, "%s%s", b.len ? "\n" : "", add);
        *changed = 1;
    }
    free(note);
    return sbuf_detach(&b);
}

/* The confirmation in force on item it: the value of its latest
 * not-on-list audit event, "VILLAGE NUMBER\nNOTE LINE" (an empty value
 * withdraws it): 0 with *out newly allocated (NULL when there is none),
 * or -1. */
static int list_confirmation(session *s, session_item it, char **out)
{
    char *path = inst_frame_path(it.fr);
    int rc = store_audit_last(s->st, s->uuid, SESSION_LIST_EVENT,
                              s->f->q[it.q].id, path, out);
    free(path);
    if (rc != 0)
        return session_fail(s);
    if (*out && !**out) {
        free(*out);
        *out = NULL;
    }
    return 0;
}

/* Non-zero when confirmation conf is for number in village (codes). */
static int conf_is(const char *conf, const char *village, const char *number)
{
    size_t k = strlen(village), n = strlen(number);
    return conf && village && number && !strncmp(conf, village, k)
           && conf[k] == ' ' && !strncmp(conf + k + 1, number, n)
           && (conf[k + 1 + n] == '\n' || conf[k + 1 + n] == '\0');
}

/* The note line confirmation conf wrote (borrowed), or NULL. */
static const char *conf_line(const char *conf)
{
    const char *nl = conf ? strchr(conf, '\n') : NULL;
    return nl ? nl + 1 : NULL;
}

int session_list_confirmed(session *s, session_item it, const char *number)
{
    int vq = form_list_check_village(s->f, it.q);
    const char *village = vq >= 0 ? inst_get(s->in, it.fr, vq) : NULL;
    char *conf = NULL;
    if (village)
        list_confirmation(s, it, &conf);
    int yes = conf_is(conf, village, number);
    free(conf);
    return yes;
}

/* The list_check question whose village is item it's question, or -1. */
static int list_dependent(const session *s, session_item it)
{
    for (size_t q = 0; q < s->f->nq; q++)
        if (form_list_check_village(s->f, (int)q) == it.q)
            return (int)q;
    return -1;
}

int session_list_change(session *s, session_item it, const char *cv,
                        const char *sentence, session_list_noting *out)
{
    *out = (session_list_noting){.it = it};
    const char *village, *number;
    if (form_meta(&s->f->q[it.q], "list_check")) {
        int vq = form_list_check_village(s->f, it.q);
        village = vq >= 0 ? inst_get(s->in, it.fr, vq) : NULL;
        number = cv;
    } else {
        int d = list_dependent(s, it);
        if (d < 0)
            return 0;
        out->it.q = d;
        village = cv;
        number = inst_get(s->in, it.fr, d);
    }
    char *conf;
    if (list_confirmation(s, out->it, &conf) != 0)
        return -1;
    if (!sentence && (!conf || conf_is(conf, village, number))) {
        free(conf);
        return 0;
    }
    /* A new confirmation, or the one in force withdrawn: its own line
     * goes, whatever language or village name it was written in. */
    int changed;
    out->note = session_list_note(s, out->it, conf_line(conf), sentence,
                                  &changed);
    out->detail = sentence ? xasprintf("%s %s\n%s", village ? village : "",
                                       number, sentence)
                           : xstrdup("");
    free(conf);
    return 1;
}

int session_list_pending(session *s, session_item it, session_item *dep,
                         char **msg)
{
    *msg = NULL;
    int d = list_dependent(s, it);
    if (d < 0)
        return 0;
    *dep = (session_item){.q = d, .fr = it.fr};
    const char *number = inst_get(s->in, it.fr, d);
    int rc = session_list_check(s, *dep, number, msg, NULL);
    if (rc == SESSION_NOT_ON_LIST && session_list_confirmed(s, *dep, number))
        rc = 0;
    if (rc != SESSION_NOT_ON_LIST) {
        free(*msg);
        *msg = NULL;
    }
    return rc;
}

/* A problem when item it holds a number not on its village's list that
 * the enumerator has not said is new or missing (its not-on-list event
 * for the village's code and the number, not withdrawn since). */
static void list_problem(session *s, session_item it, plist *p)
{
    if (!form_meta(&s->f->q[it.q], "list_check"))
        return;
    char *msg;
    const char *number = inst_get(s->in, it.fr, it.q);
    int rc = session_list_check(s, it, number, &msg, NULL);
    if (rc == SESSION_NOT_ON_LIST && !session_list_confirmed(s, it, number)) {
        plist_add(p, it, INST_CONSTRAINT, xasprintf(_("%s If it is new or "
            "missing from the list, answer it again and say so (y on the "
            "screen; khaosat answer --not-on-list)."), msg));
    } else if (rc < 0) {
        plist_add(p, it, INST_BAD_VALUE, msg);
        msg = NULL;
    }
    free(msg);
}

size_t session_list_problems(session *s, session_problem **out)
{
    plist p = {NULL, 0, 0};
    walk(s, inst_root(s->in), list_problem, &p);
    *out = p.v;
    return p.n;
}

/* The index of code (n bytes) in list l, or -1. */
static long choice_index(const form_list *l, const char *code, size_t n)
{
    for (size_t i = 0; i < l->nchoices; i++)
        if (strlen(l->choices[i].value) == n
            && !strncmp(l->choices[i].value, code, n))
            return (long)i;
    return -1;
}

int session_village_dropped(session *s, session_item it, const char *value,
                            char **msg)
{
    const form_question *fq = &s->f->q[it.q];
    const char *from = form_meta(fq, "choices_from");
    *msg = NULL;
    if (!value || !from || strcmp(from, FORM_SETUP_VILLAGES) != 0
        || fq->list < 0
        || strcmp(s->f->lists[fq->list].name, FORM_SETUP_VILLAGES) != 0)
        return 0;   /* not bound to a set-up: the form's own codes */
    const form_list *l = &s->f->lists[fq->list];
    for (const char *t = value; *t;) {
        size_t k = strcspn(t, " ");
        long i = choice_index(l, t, k);
        if (i >= 0 && !form_choice_is_fallback(l, (size_t)i)) {
            store_household_check c;
            char *code = xstrndup(t, k);
            int rc = store_household_listed(s->st, code, "", &c);
            if (rc != 0)
                *msg = xstrdup(store_errmsg(s->st));
            else if (!c.village_name)
                *msg = xasprintf(_("%s is no longer a village of the "
                    "commune's set-up: a bundle of the office merged since "
                    "this interview was opened dropped it. Choose another "
                    "village."), code);
            free(c.village_name);
            free(code);
            if (*msg)
                return rc != 0 ? -1 : 1;
        }
        t += k;
        t += strspn(t, " ");
    }
    return 0;
}

/* The codes of item it's answer that the set-up its village list is
 * bound to lacks (dropped since the interview was answered), " " between
 * them, newly allocated; NULL when none (or not bound to a set-up). */
static char *gone_codes(session *s, session_item it)
{
    const form_question *fq = &s->f->q[it.q];
    const char *from = form_meta(fq, "choices_from");
    if (!from || strcmp(from, FORM_SETUP_VILLAGES) != 0 || fq->list < 0
        || strcmp(s->f->lists[fq->list].name, FORM_SETUP_VILLAGES) != 0)
        return NULL;
    const form_list *l = &s->f->lists[fq->list];
    sbuf b;
    sbuf_init(&b);
    for (const char *t = inst_get(s->in, it.fr, it.q); t && *t;) {
        size_t k = strcspn(t, " ");
        if (k && choice_index(l, t, k) < 0)
            sbuf_addf(&b, "%s%.*s", b.len ? " " : "", (int)k, t);
        t += k;
        t += strspn(t, " ");
    }
    return b.len ? sbuf_detach(&b) : NULL;
}

char *session_village_gone_msg(session *s, session_item it)
{
    char *codes = gone_codes(s, it);
    if (!codes)
        return NULL;
    char *msg = xasprintf(_("Village %s is no longer in the commune's "
                            "set-up: the office dropped it after this "
                            "interview was answered. Choose another "
                            "village, or ask the office to put it back in "
                            "its set-up."), codes);
    free(codes);
    return msg;
}

/* item it's codes gone from the set-up, as a problem whose message is
 * the codes. */
static void gone_item(session *s, session_item it, plist *p)
{
    char *codes = gone_codes(s, it);
    if (codes)
        plist_add(p, it, INST_BAD_VALUE, codes);
}

char *session_villages_gone(session *s)
{
    plist p = {NULL, 0, 0};
    walk(s, inst_root(s->in), gone_item, &p);
    sbuf b;
    sbuf_init(&b);
    for (size_t i = 0; i < p.n; i++)
        sbuf_addf(&b, "%s%s", b.len ? " " : "", p.v[i].msg);
    session_problems_free(p.v, p.n);
    return b.len ? sbuf_detach(&b) : NULL;
}
