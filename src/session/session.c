/* session.c: an interview being taken, joined to the store. */
#include "config.h"
#include "session/session_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "core/util.h"


/* Keep the store's message as the session's; note when the reason is
 * that another program changed the interview underneath. */
int session_fail(session *s)
{
    free(s->err);
    s->err = xstrdup(store_errmsg(s->st));
    s->stale |= store_guard_moved(s->st);
    return -1;
}

/* A session of interview uuid around the in-memory interview in. */
static session *session_alloc(store *st, const form *f, inst *in,
                              const char *uuid)
{
    session *s = xcalloc(1, sizeof *s);
    s->st = st;
    s->f = f;
    s->in = in;
    snprintf(s->uuid, sizeof s->uuid, "%s", uuid ? uuid : "");
    return s;
}

/* inst_unsaved_defaults callback: store one computed default. */
static int session_save_default(void *ctx, inst_frame *fr, int q, const char *v)
{
    session *s = ctx;
    char *path = inst_frame_path(fr);
    int bad = store_save_answer(s->st, s->uuid, s->f->q[q].id, path, v);
    free(path);
    return bad ? session_fail(s) : 0;
}

/* Keep the name the form gives the interview (instance_name) beside it,
 * for the lists: after every change, the one place it is computed. */
int session_keep_name(session *s)
{
    if (!s->f->instance_name)
        return 0;
    char *name = inst_instance_name(s->in);
    int bad = store_interview_set_name(s->st, s->uuid, name);
    free(name);
    return bad ? session_fail(s) : 0;
}

/* Store the computed defaults (today(), now()) made since the last call,
 * in the interview or in new roster instances, so that a resumed
 * interview or a report keeps the value of the day they were made. */
int session_save_defaults(session *s)
{
    return inst_unsaved_defaults(s->in, session_save_default, s);
}

int session_new(store *st, const form *f, const char *enumerator, int lang,
                session **out, char **err)
{
    *out = NULL;
    if (store_save_form(st, f->id, f->version, f->source, f->source_len, NULL)) {
        if (err)
            *err = xstrdup(store_errmsg(st));
        return -1;
    }
    /* The set-up is known before the defaults are: setup('enumerator'). */
    setup_values *setup = setup_values_load(st);
    session *s = session_alloc(st, f,
                               inst_new_with(f, lang, setup_values_lists(setup)),
                               NULL);
    s->setup = setup;
    char *who = canon_text(enumerator ? enumerator : "");
    int bad = store_interview_create(st, f->id, f->version, who, s->uuid);
    free(who);
    if (bad || session_save_defaults(s) || session_keep_name(s) ||
        store_guard(st, s->uuid)) {
        if (err)
            *err = xstrdup(store_errmsg(st));
        session_free(s);
        return -1;
    }
    s->fresh = 1;
    *out = s;
    return 0;
}

int session_discard_blank(session *s)
{
    /* Nothing was changed here since it was made, and nothing elsewhere:
     * its only answers are the computed defaults it started with. */
    if (!s->fresh || s->complete || store_guard_changes(s->st, s->uuid) != 0 ||
        store_guard_moved(s->st))
        return 0;
    if (store_interview_delete(s->st, s->uuid))
        return session_fail(s);
    s->fresh = 0;
    return 1;
}

/* store_load_answers callback: keep the answer for inst_restore. */
static int session_load_answer(void *ctx, const char *qid, const char *path,
                               const char *v)
{
    inst_rows_add(ctx, qid, path, v, 0);
    return 0;
}

/* store_load_repeat_counts callback: keep the count for inst_restore. */
static int session_load_count(void *ctx, const char *path, long count)
{
    inst_rows_add(ctx, NULL, path, NULL, count);
    return 0;
}

/* Give a restored interview the set-up values its expressions may read
 * (loaded once per session), and compute them again with them. */
static void session_attach_setup(session *s)
{
    if (!s->setup)
        s->setup = setup_values_load(s->st);
    inst_set_lists(s->in, setup_values_lists(s->setup));
    inst_recompute(s->in);
}

/* The stored interview uuid of form f as an in-memory one (*in, newly
 * allocated) with its status; 0, or -1 with *err newly allocated. */
static int session_load(store *st, const form *f, const char *uuid, int lang,
                        inst **in, int *complete, char **err)
{
    inst_rows rows = {NULL, 0, 0};
    if (store_load_answers(st, uuid, session_load_answer, &rows) ||
        store_load_repeat_counts(st, uuid, session_load_count, &rows)) {
        if (err)
            *err = xstrdup(store_errmsg(st));
        inst_rows_free(&rows);
        return -1;
    }
    store_interview iv;
    int found = store_get_interview(st, uuid, &iv);
    if (found != 0) {
        if (err)
            *err = found < 0 ? xstrdup(store_errmsg(st))
                             : xasprintf(_("no interview %s"), uuid);
        inst_rows_free(&rows);
        return -1;
    }
    *in = inst_restore(f, lang, 0, rows.v, rows.n);
    *complete = iv.status == STORE_COMPLETE;
    store_interview_clear(&iv);
    inst_rows_free(&rows);
    return 0;
}

int session_resume(store *st, const form *f, const char *uuid, int lang,
                   session **out, char **err)
{
    *out = NULL;
    inst *in;
    int complete;
    if (session_load(st, f, uuid, lang, &in, &complete, err))
        return -1;
    *out = session_alloc(st, f, in, uuid);
    session_attach_setup(*out);
    (*out)->complete = complete;
    /* An interview stored before names were kept gets its name now; a
     * database opened only to read keeps none (the lists fall back). */
    int ro = store_read_only(st) != NULL;
    if (!ro)
        session_keep_name(*out);
    /* A database only read is shown as it is: stray answers stay. */
    if ((!ro && session_drop_strays(*out)) || store_guard(st, uuid)) {
        session_fail(*out);
        if (err)
            *err = xstrdup(session_errmsg(*out));
        session_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int session_stale(const session *s) { return s->stale; }

int session_reload(session *s, char **err)
{
    inst *in;
    int complete;
    if (session_load(s->st, s->f, s->uuid, inst_lang(s->in), &in, &complete,
                     err))
        return -1;
    if (store_guard(s->st, s->uuid)) {
        if (err)
            *err = xstrdup(store_errmsg(s->st));
        inst_free(in);
        return -1;
    }
    inst_free(s->in);
    s->in = in;
    session_attach_setup(s);
    s->complete = complete;
    s->stale = 0;
    s->fresh = 0;           /* another program has written to it */
    return 0;
}

void session_free(session *s)
{
    if (!s)
        return;
    setup_values_free(s->setup);
    store_unguard(s->st, s->uuid);
    inst_free(s->in);
    free(s->err);
    free(s);
}

inst *session_inst(session *s) { return s->in; }
const char *session_uuid(const session *s) { return s->uuid; }
const char *session_errmsg(const session *s) { return s->err ? s->err : ""; }

/* Questions the enumerator never stands on. */
static int session_hidden_type(form_qtype t)
{
    return t == QT_CALCULATE || t == QT_GROUP;
}

int session_find_item(session *s, const char *qid, const char *path,
                      session_item *out)
{
    int q = form_find(s->f, qid);
    inst_frame *fr = inst_frame_find(s->in, path);
    if (q < 0 || !fr || s->f->q[q].repeat != inst_frame_repeat(fr))
        return -1;
    out->q = q;
    out->fr = fr;
    return 0;
}

/* The items of scope; the irrelevant ones too when relevant is not NULL
 * (then (*relevant)[i] says which are). */
static size_t session_items_of(session *s, inst_frame *scope,
                               session_item **out, unsigned char **relevant)
{
    const form *f = s->f;
    int r = inst_frame_repeat(scope);
    int lo = r < 0 ? 0 : r + 1, hi = r < 0 ? (int)f->nq : f->q[r].end;
    session_item *v = xcalloc((size_t)(hi - lo) + 1, sizeof *v);
    unsigned char *rel = relevant ? xcalloc((size_t)(hi - lo) + 1, 1) : NULL;
    size_t n = 0;
    for (int q = lo; q < hi; q++) {
        const form_question *fq = &f->q[q];
        if (fq->repeat != r || session_hidden_type(fq->type))
            continue;
        int on = inst_relevant(s->in, scope, q);
        if (!on && !rel)
            continue;
        if (rel)
            rel[n] = (unsigned char)on;
        v[n].q = q;
        v[n].fr = scope;
        n++;
    }
    *out = v;
    if (relevant)
        *relevant = rel;
    return n;
}

size_t session_items(session *s, inst_frame *scope, session_item **out)
{
    return session_items_of(s, scope, out, NULL);
}

size_t session_items_every(session *s, inst_frame *scope, session_item **out,
                           unsigned char **relevant)
{
    return session_items_of(s, scope, out, relevant);
}

int session_section(const session *s, int q, const inst_frame *scope)
{
    int r = inst_frame_repeat(scope);
    for (int p = s->f->q[q].parent; p >= 0 && p != r; p = s->f->q[p].parent)
        if (s->f->q[p].type == QT_GROUP)
            return p;
    return -1;
}

/* The name of the member fr: its first text answer, or NULL. */
static const char *session_frame_name(session *s, inst_frame *fr)
{
    int r = inst_frame_repeat(fr);
    for (int q = r + 1; r >= 0 && q < s->f->q[r].end; q++) {
        if (s->f->q[q].repeat != r || s->f->q[q].type != QT_TEXT)
            continue;
        const char *v = inst_get(s->in, fr, q);
        if (v && *v)
            return v;
    }
    return NULL;
}

char *session_member_label(session *s, session_item it, size_t i)
{
    inst_frame *fr = inst_repeat_get(s->in, it.fr, it.q, i);
    const char *name = fr ? session_frame_name(s, fr) : NULL;
    return name ? xasprintf("%zu. %s", i + 1, name) : xasprintf("#%zu", i + 1);
}

/* "Remove member 3, Lò Văn A, and 4 answers?" for the losses l. */
static char *session_removal_question(session *s, const inst_loss *l, size_t n)
{
    sbuf b;
    sbuf_init(&b);
    size_t answers = 0;
    long notes = 0;
    for (size_t i = 0; i < n; i++) {
        long k = store_instance_notes(s->st, s->uuid, l[i].path);
        notes += k > 0 ? k : 0;
        const char *name = session_frame_name(s, l[i].fr);
        char *m = xasprintf(_("member %d"), inst_frame_position(l[i].fr));
        sbuf_addf(&b, "%s%s%s%s", i ? "; " : "", m, name ? ", " : "",
                  name ? name : "");
        free(m);
        answers += l[i].answers;
    }
    /* Notes go with their members: say so, as for the answers. */
    char *q = notes ? xasprintf(_("Remove %s, and %zu answer(s) and %ld "
                                  "note(s)?"), b.s, answers, notes)
                    : xasprintf(_("Remove %s, and %zu answer(s)?"), b.s,
                                answers);
    sbuf_free(&b);
    return q;
}

long session_member_notes(session *s, session_item it, size_t i)
{
    inst_frame *fr = inst_repeat_get(s->in, it.fr, it.q, i);
    if (!fr)
        return 0;
    char *path = inst_frame_path(fr);
    long n = store_instance_notes(s->st, s->uuid, path);
    free(path);
    return n > 0 ? n : 0;
}

/* Refuse changes to a finalised interview (*msg says how to correct it). */
int session_locked(session *s, char **msg)
{
    if (!s->complete)
        return 0;
    if (msg)
        *msg = xstrdup(_("This interview is complete: reopen it for "
                         "correction before changing an answer."));
    return 1;
}

/* The codes of select_multiple answer v in the order of its list, one
 * space apart (as the screen writes them); unknown codes are kept at the
 * end so that the check names them. Newly allocated. */
static char *session_canon_multi(const session *s, const form_question *fq,
                                 const char *v)
{
    char *copy = xstrdup(v), *save = NULL;
    size_t n = 0, cap = 8;
    char **codes = xcalloc(cap, sizeof *codes);
    for (char *t = strtok_r(copy, " \t", &save); t;
         t = strtok_r(NULL, " \t", &save)) {
        codes = util_grow(codes, &cap, n + 1, sizeof *codes);
        codes[n++] = t;
    }
    sbuf b;
    sbuf_init(&b);
    const form_list *l = fq->list >= 0 && (size_t)fq->list < s->f->nlists
                             ? &s->f->lists[fq->list] : NULL;
    for (size_t c = 0; l && c < l->nchoices; c++)
        for (size_t i = 0; i < n; i++)
            if (codes[i] && !strcmp(codes[i], l->choices[c].value)) {
                sbuf_addf(&b, "%s%s", b.len ? " " : "", codes[i]);
                for (size_t j = i; j < n; j++)   /* each code once */
                    if (codes[j] && !strcmp(codes[j], l->choices[c].value))
                        codes[j] = NULL;
            }
    for (size_t i = 0; i < n; i++)
        if (codes[i])
            sbuf_addf(&b, "%s%s", b.len ? " " : "", codes[i]);
    free(codes);
    free(copy);
    return sbuf_detach(&b);
}

/* Answer v of question fq in its canonical form; newly allocated. */
/* Text v with its line breaks (\r\n, \n or \r) as the screen keeps
 * them: one space each in a one-line answer, as a paste on the screen
 * gives; \n in a multi-line one. Newly allocated. */
static char *session_text_breaks(const char *v, int multiline)
{
    char *out = xmalloc(strlen(v) + 1), *o = out;
    for (const char *p = v; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            p++;
        if (*p == '\r' || *p == '\n')
            *o++ = multiline ? '\n' : ' ';
        else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

char *session_canon(const session *s, const form_question *fq,
                    const char *v)
{
    char *t = fq->type == QT_TEXT && v
                  ? session_text_breaks(v, fq->multiline) : NULL;
    char *cv = canon_answer(fq->type, t ? t : v ? v : "");
    free(t);
    if (fq->type == QT_SELECT_MULTIPLE) {
        char *m = session_canon_multi(s, fq, cv);
        free(cv);
        cv = m;
    }
    return cv;
}

/* Non-zero when the canonical value cv is what q in fr already holds. */
static int session_same(session *s, session_item it, const char *cv)
{
    const char *old = inst_get(s->in, it.fr, it.q);
    return old ? !strcmp(old, cv) : !*cv;
}

int session_same_answer(session *s, session_item it, const char *value)
{
    char *cv = session_canon(s, &s->f->q[it.q], value);
    int same = session_same(s, it, cv);
    free(cv);
    return same;
}

/* A refusal of items that take no answer: computed ones, rosters, groups,
 * notes and questions that do not apply (skip logic); 0 when it is
 * answerable. */
static int session_unanswerable(session *s, session_item it, char **msg)
{
    const form_question *fq = &s->f->q[it.q];
    const char *why = NULL;
    if (fq->read_only || fq->type == QT_CALCULATE || fq->calculation)
        why = _("This answer is computed and cannot be changed.");
    else if (fq->type == QT_REPEAT || fq->type == QT_GROUP ||
             fq->type == QT_NOTE)
        why = _("This is a roster, a section or a note, not a question "
                "that takes an answer.");
    else if (!inst_relevant(s->in, it.fr, it.q))
        why = _("This question does not apply to this interview (skip "
                "logic), so it takes no answer.");
    if (why && msg)
        *msg = xstrdup(why);
    return why != NULL;
}

/* Why a count asking for more members than a roster holds is refused (the
 * same words at the answer and at finalising); newly allocated. */
char *session_overflow_msg(const session *s, int r)
{
    return xasprintf(_("This answer would make more than %d entries in "
                       "'%s', the most a roster holds: check it."),
                     FORM_MAX_REPEAT, s->f->q[r].id);
}

/* Save cv for item it, the members in loss[0..nloss) removed, with the
 * note line of a household number confirmed not on the list (sentence,
 * or NULL) and the old answer's line taken away: 0, or -1. */
static int session_save(session *s, session_item it, const char *cv,
                        inst_loss *loss, size_t nloss, const char *sentence)
{
    const form_question *fq = &s->f->q[it.q];
    session_list_noting c;
    int noted = session_list_change(s, it, cv, sentence, &c);
    if (noted < 0)
        return -1;
    char *path = inst_frame_path(it.fr);
    int bad;
    if (noted) {
        bad = store_save_answer_noted(s->st, s->uuid, fq->id, path,
                                      *cv ? cv : NULL, s->f->q[c.it.q].id,
                                      c.note, SESSION_LIST_EVENT, c.detail);
        free(c.note);
        free(c.detail);
    } else {
        char **paths = xcalloc(nloss + 1, sizeof *paths);
        for (size_t i = 0; i < nloss; i++)
            paths[i] = loss[i].path;
        bad = store_save_answer_removing(s->st, s->uuid, fq->id, path,
                                         *cv ? cv : NULL, paths, nloss);
        free(paths);
    }
    free(path);
    return bad ? session_fail(s) : 0;
}

/* Check, store and apply answer v with what the enumerator confirmed
 * (SESSION_CONFIRM_); with check_only, only check. */
static int session_answer_do(session *s, session_item it, const char *v,
                             int check_only, int confirm, char **msg)
{
    const form_question *fq = &s->f->q[it.q];
    if (msg)
        *msg = NULL;
    if (session_unanswerable(s, it, msg))
        return INST_BAD_VALUE;
    if ((fq->type == QT_DECIMAL || fq->type == QT_INTEGER) && v) {
        char *why = canon_number_problem(fq->type, v);
        if (why) {
            if (msg)
                *msg = why;
            else
                free(why);
            return INST_BAD_VALUE;
        }
    }
    if (v && !util_utf8_valid(v, strlen(v))) {
        /* A terminal in another encoding: such bytes would be stored and
         * then stop every export of this database. */
        if (msg)
            *msg = xstrdup(_("This text is not valid UTF-8; set the "
                             "terminal to UTF-8 and type it again."));
        return INST_BAD_VALUE;
    }
    char *cv = session_canon(s, fq, v);
    if (strlen(cv) > FORM_MAX_ANSWER) {
        /* An office refuses a bundle with a longer one (form_value_problem):
         * refused here, where it is typed or pasted, for the screen and
         * the command alike. */
        if (msg)
            *msg = xasprintf(_("This answer is %zu bytes long, more than "
                               "the %d an answer can hold; shorten it."),
                             strlen(cv), FORM_MAX_ANSWER);
        free(cv);
        return INST_BAD_VALUE;
    }
    /* The same number again, confirmed now: only the confirmation (a
     * complete interview is locked for it as for any change). */
    int confirm_only = !check_only && (confirm & SESSION_CONFIRM_NOT_ON_LIST)
                       && form_meta(fq, "list_check");
    int same = session_same(s, it, cv);
    if (same && confirm_only && session_list_confirmed(s, it, cv))
        confirm_only = 0;   /* confirmed already */
    if (same && !confirm_only) {
        /* Nothing changes, not even a complete status; but a number
         * saved unconfirmed (its village changed, or its list) is asked
         * about again, as a new one is, in a complete interview too (a
         * list that came after it was finished). */
        int rc = INST_OK;
        if (!check_only && form_meta(fq, "list_check")) {
            char *why = NULL;
            rc = session_list_check(s, it, cv, &why, NULL);
            if (rc == SESSION_NOT_ON_LIST && session_list_confirmed(s, it, cv))
                rc = INST_OK;
            if (rc != INST_OK && msg)
                *msg = why;
            else
                free(why);
        }
        free(cv);
        return rc;
    }
    if (session_locked(s, msg)) {
        free(cv);
        return SESSION_LOCKED;
    }
    inst_check rc = inst_check_value(s->in, it.fr, it.q, cv, msg);
    if (rc != INST_OK && rc != INST_REQUIRED) {
        free(cv);
        return rc;
    }
    /* The set-up as it is now: a merge may have dropped a village since
     * the form was bound. */
    char *gone_why = NULL;
    int gone = rc == INST_OK ? session_village_dropped(s, it, cv, &gone_why)
                             : 0;
    if (gone) {
        if (msg) {
            free(*msg);
            *msg = gone_why;
        } else
            free(gone_why);
        free(cv);
        return gone < 0 ? -1 : INST_BAD_VALUE;
    }
    /* An empty required answer may be left for later; finalising catches
     * it. It is still saved so that clearing a value sticks. */
    if (rc == INST_REQUIRED && msg) {
        free(*msg);
        *msg = NULL;
    }
    int over = inst_count_overflow(s->in, it.fr, it.q, cv);
    if (over >= 0) {
        if (msg) {
            free(*msg);
            *msg = session_overflow_msg(s, over);
        }
        free(cv);
        return INST_BAD_VALUE;
    }
    char *sentence = NULL, *why = NULL;
    int listed = form_meta(fq, "list_check")
                     ? session_list_check(s, it, cv, &why, &sentence) : 0;
    if (listed < 0 || (listed && !(confirm & SESSION_CONFIRM_NOT_ON_LIST))) {
        if (msg) {
            free(*msg);
            *msg = why;
        } else
            free(why);
        free(sentence);
        free(cv);
        return listed;
    }
    free(why);
    inst_loss *loss;
    size_t nloss = inst_would_remove(s->in, it.fr, it.q, cv, &loss);
    if ((nloss && !(confirm & SESSION_CONFIRM_REMOVE)) || check_only) {
        if (msg && nloss)
            *msg = session_removal_question(s, loss, nloss);
        inst_losses_free(loss, nloss);
        free(sentence);
        free(cv);
        return nloss ? SESSION_REMOVES : INST_OK;
    }
    int bad = session_save(s, it, cv, loss, nloss, sentence);
    inst_losses_free(loss, nloss);
    free(sentence);
    if (bad) {
        free(cv);
        if (msg)
            *msg = xstrdup(s->err);
        return -1;
    }
    unsigned long added = inst_members_added(s->in);
    inst_set(s->in, it.fr, it.q, cv);
    free(cv);
    /* A roster that grew: its new members start empty in the database
     * as on the screen, but for their computed defaults.  Only then is
     * the interview's every stored answer read again. */
    int grew = inst_members_added(s->in) != added;
    if ((grew && session_drop_strays(s)) || session_save_defaults(s) ||
        session_keep_name(s)) {
        if (msg)
            *msg = xstrdup(s->err);
        return -1;
    }
    return INST_OK;
}

int session_answer(session *s, session_item it, const char *v, char **msg)
{
    return session_answer_do(s, it, v, 0, 0, msg);
}

int session_check(session *s, session_item it, const char *v, char **msg)
{
    /* The same checks as session_answer, on an unlocked view. */
    int complete = s->complete;
    s->complete = 0;
    int rc = session_answer_do(s, it, v, 1, 0, msg);
    s->complete = complete;
    return rc;
}

int session_answer_removing(session *s, session_item it, const char *v,
                            char **msg)
{
    return session_answer_do(s, it, v, 0, SESSION_CONFIRM_REMOVE, msg);
}

int session_answer_confirmed(session *s, session_item it, const char *v,
                             int confirm, char **msg)
{
    return session_answer_do(s, it, v, 0, confirm, msg);
}

int session_is_complete(const session *s) { return s->complete; }

int session_reopen(session *s)
{
    if (!s->complete)
        return 0;
    if (store_interview_set_status(s->st, s->uuid, STORE_DRAFT))
        return session_fail(s);
    s->complete = 0;
    return 0;
}

/* Audit one event about an item. */
static int session_audit(session *s, const char *event, session_item it)
{
    char *path = inst_frame_path(it.fr);
    int bad = store_audit_event(s->st, s->uuid, event, s->f->q[it.q].id, path, NULL);
    free(path);
    return bad ? session_fail(s) : 0;
}

int session_enter(session *s, session_item it)
{
    if (session_audit(s, "enter", it))
        return -1;
    char *path = inst_frame_path(it.fr);
    char *pos = xasprintf("%s|%s", path, s->f->q[it.q].id);
    int bad = store_interview_set_position(s->st, s->uuid, pos);
    free(pos);
    free(path);
    return bad ? session_fail(s) : 0;
}

int session_leave(session *s, session_item it)
{
    return session_audit(s, "leave", it);
}

session_item session_resume_item(session *s)
{
    session_item it = {-1, inst_root(s->in)};
    store_interview iv;
    if (store_get_interview(s->st, s->uuid, &iv) == 0) {
        const char *bar = iv.position ? strchr(iv.position, '|') : NULL;
        if (bar) {
            char *path = xstrndup(iv.position, (size_t)(bar - iv.position));
            inst_frame *fr = inst_frame_find(s->in, path);
            int q = form_find(s->f, bar + 1);
            if (fr && q >= 0 && s->f->q[q].repeat == inst_frame_repeat(fr)) {
                it.q = q;
                it.fr = fr;
            }
            free(path);
        }
        store_interview_clear(&iv);
    }
    if (it.q < 0) {
        session_item *items;
        size_t n = session_items(s, it.fr, &items);
        if (n)
            it = items[0];
        free(items);
    }
    return it;
}
