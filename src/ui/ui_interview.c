/* ui_interview.c: the interview screen: one question at a time, with the
 * case key and progress on top, moving through repeats via their rosters.
 * This file walks the form and handles the keys; drawing is in
 * ui_interview_draw.c, the jump, review and problem lists in
 * ui_interview_list.c. Every confirmed answer is saved by the session at
 * once; every move is recorded (audit and resume). */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/ui.h"
#include "ui/ui_interview_int.h"
#include "core/util.h"

/* How long a choice code waits for a further digit. */
#define IV_CODE_PAUSE_MS 800

/* Set the message shown under the answer (msg is taken over). */
void iv_say(iv *v, char *msg, ui_role r)
{
    free(v->msg);
    v->msg = msg;
    v->msg_role = r;
}

static void iv_push(iv *v, inst_frame *scope, int q)
{
    v->lv = util_grow(v->lv, &v->cap, v->depth + 1, sizeof *v->lv);
    v->lv[v->depth].scope = scope;
    v->lv[v->depth].q = q;
    v->depth++;
}

/* Drop the widget so the next round builds it from the answers. */
static void iv_drop_widget(iv *v)
{
    if (v->have_w)
        ui_widget_free(&v->w);
    v->have_w = 0;
}

/* Read the items of the innermost scope and find where we stand. */
static void iv_refresh(iv *v)
{
    iv_level *t = iv_top(v);
    free(v->items);
    v->nitems = session_items(v->s, t->scope, &v->items);
    v->idx = v->nitems;
    if (t->q < 0)
        return;
    for (size_t i = 0; i < v->nitems; i++)
        if (v->items[i].q >= t->q) {
            /* The question itself, or the next one still relevant. */
            v->idx = i;
            break;
        }
}

/* Leave a member for its roster, highlighting row `cursor`. */
static void iv_pop(iv *v, long cursor)
{
    v->depth--;
    v->roster_cursor = cursor;
    iv_drop_widget(v);
}

/* Record entering the current item (and leaving the previous one). */
static void iv_audit(iv *v)
{
    /* A database only read keeps no trail of who looked. */
    if (v->idx >= v->nitems || store_read_only(v->a->st))
        return;
    session_item it = v->items[v->idx];
    if (v->has_entered && v->entered.q == it.q && v->entered.fr == it.fr)
        return;
    if (v->has_entered)
        session_leave(v->s, v->entered);
    if (session_enter(v->s, it))
        iv_say(v, xstrdup(session_errmsg(v->s)), UI_ERROR);
    v->entered = it;
    v->has_entered = 1;
}

/* Bring the walk, the widget and the audit trail up to date. */
static void iv_sync(iv *v)
{
    for (;;) {
        iv_refresh(v);
        if (v->depth == 1 || v->idx < v->nitems)
            break;
        /* Past a member's last question: back to its roster, on the next
         * member (or on "continue"). */
        iv_pop(v, inst_frame_position(iv_top(v)->scope));
    }
    if (v->idx < v->nitems) {
        session_item it = v->items[v->idx];
        if (v->have_w && (v->w.it.q != it.q || v->w.it.fr != it.fr))
            iv_drop_widget(v);
        if (!v->have_w) {
            ui_widget_init(&v->w, v->s, it);
            v->have_w = 1;
            if (v->w.type == QT_REPEAT && v->roster_cursor >= 0 &&
                (size_t)v->roster_cursor < v->w.nrows)
                v->w.cursor = (size_t)v->roster_cursor;
            v->roster_cursor = -1;
        }
    } else {
        iv_drop_widget(v);
    }
    iv_audit(v);
}

/* Go to the next item of the scope. */
static void iv_next(iv *v)
{
    iv_refresh(v);
    iv_level *t = iv_top(v);
    if (v->idx < v->nitems)
        t->q = v->idx + 1 < v->nitems ? v->items[v->idx + 1].q : -1;
}

/* Go back one item; from a member's first item, back to its roster. */
static void iv_back(iv *v)
{
    iv_refresh(v);
    iv_level *t = iv_top(v);
    if (v->idx > 0) {
        t->q = v->items[v->idx - 1].q;
    } else if (v->depth > 1) {
        iv_pop(v, inst_frame_position(t->scope) - 1);
    } else {
        iv_say(v, xstrdup(_("This is the first question.")), UI_DIM);
    }
}

/* Stand on item it, wherever it is (a question inside members too). */
void iv_goto(iv *v, session_item it)
{
    size_t n = 0;
    for (inst_frame *fr = it.fr; fr; fr = inst_frame_parent(fr))
        n++;
    if (n > v->cap) {
        v->cap = n;
        v->lv = xrealloc(v->lv, v->cap * sizeof *v->lv);
    }
    v->depth = n;
    inst_frame *fr = it.fr;
    int q = it.q;
    for (size_t k = n; k-- > 0;) {
        v->lv[k].scope = fr;
        v->lv[k].q = q;
        q = inst_frame_repeat(fr);
        fr = inst_frame_parent(fr);
    }
    iv_drop_widget(v);
    v->roster_cursor = -1;
}

/* Open member i of the roster being shown. */
static void iv_open_member(iv *v, size_t i)
{
    session_item it = v->items[v->idx];
    inst_frame *m = inst_repeat_get(v->in, it.fr, it.q, i);
    if (!m)
        return;
    session_item *mi;
    size_t n = session_items(v->s, m, &mi);
    int q = n ? mi[0].q : -1;
    free(mi);
    if (q < 0) {
        iv_say(v, xstrdup(_("Nothing to ask for this member.")), UI_DIM);
        return;
    }
    iv_push(v, m, q);
    iv_drop_widget(v);
}

/* Add a member to the roster shown and open it. */
static void iv_add_member(iv *v)
{
    session_item it = v->items[v->idx];
    const form_question *fq = &v->f->q[it.q];
    size_t count = inst_repeat_count(v->in, it.fr, it.q);
    if (fq->count) {
        iv_say(v, xstrdup(_("The number of entries here follows an earlier answer.")), UI_ERROR);
        return;
    }
    int most = fq->max_count > 0 ? fq->max_count : FORM_MAX_REPEAT;
    if (count >= (size_t)most) {
        iv_say(v, xasprintf(_("At most %d entries."), most), UI_ERROR);
        return;
    }
    if (session_repeat_add(v->s, it, NULL)) {
        iv_say(v, xstrdup(session_errmsg(v->s)), UI_ERROR);
        return;
    }
    iv_open_member(v, count);
}

/* Remove member i of the roster shown, after asking. */
static void iv_remove_member(iv *v, size_t i)
{
    session_item it = v->items[v->idx];
    if (v->f->q[it.q].count) {
        iv_say(v, xstrdup(_("The number of entries here follows an earlier answer.")), UI_ERROR);
        return;
    }
    char *label = session_member_label(v->s, it, i);
    long notes = session_member_notes(v->s, it, i);
    char *q = notes ? xasprintf(_("Remove %s, all its answers and %ld "
                                  "note(s)?"), label, notes)
                    : xasprintf(_("Remove %s and all its answers?"), label);
    int yes = ui_confirm(q);
    free(q);
    free(label);
    if (!yes)
        return;
    if (session_repeat_remove(v->s, it, i))
        iv_say(v, xstrdup(session_errmsg(v->s)), UI_ERROR);
    v->roster_cursor = (long)(i > 0 ? i - 1 : 0);
    iv_drop_widget(v);
}

/* The same household again? After a key question, an interview of the
 * same form with the same key is announced at once: open it (1, leaving
 * this one a draft), go on and record why (0), or go back to the key
 * question to correct it (0: Esc, Backspace, Ctrl-P, PgUp). The question
 * is drawn whole, however narrow the screen, so its keys always show. */
static int iv_key_check(iv *v, session_item it)
{
    char **twins;
    long n = session_key_twins(v->s, it, &twins);
    if (n <= 0) {
        if (n < 0)
            iv_say(v, xstrdup(session_errmsg(v->s)), UI_ERROR);
        return 0;
    }
    char *key = iv_key_text(v);
    char *q = xasprintf(_("Another interview on this laptop has the same key "
                          "(%s). o open it   c continue and say why   "
                          "Esc correct it"), key);
    int open = -1;
    while (open < 0) {
        ui_status_wrapped(q, UI_ERROR);
        refresh();
        int k = ui_getkey();
        if (k == 'o' || k == 'O')
            open = 1;
        else if (k == UI_ESC || k == UI_FN(KEY_BACKSPACE) || k == 127 ||
                 k == 8 || k == UI_CTRL('p') || k == UI_FN(KEY_PPAGE)) {
            iv_goto(v, it);
            open = 0;
        } else if (k == 'c' || k == 'C') {
            char *why = ui_ask(_("Same key"), _("Why is this a different "
                                                "case? (the supervisor will "
                                                "see it)"), "");
            if (why && *why) {
                if (session_flag_duplicate(v->s, twins[0], why))
                    iv_say(v, xstrdup(session_errmsg(v->s)), UI_ERROR);
                open = 0;
            }
            free(why);
            if (open < 0)
                iv_draw(v);     /* the interview again under the question */
        } else if (k == UI_FN(KEY_RESIZE)) {
            iv_draw(v);
        }
    }
    if (open) {
        free(v->a->open_next);
        v->a->open_next = xstrdup(twins[0]);
    }
    for (long i = 0; i < n; i++)
        free(twins[i]);
    free(twins);
    free(q);
    free(key);
    return open;
}

/* Ask whether the household msg says is not on its village's list is new
 * or missing from it (msg is freed). */
static int iv_ask_not_listed(char *msg)
{
    char *q = xasprintf(_("%s Is this household new or missing from "
                          "the list?"), msg);
    int yes = ui_confirm(q);
    free(q);
    free(msg);
    return yes;
}

/* After item it (a village) was saved: a household number saved beside
 * it that the new village's list lacks is asked about as a new one is. */
static void iv_list_pending(iv *v, session_item it)
{
    session_item dep;
    char *msg = NULL;
    if (session_list_pending(v->s, it, &dep, &msg) != SESSION_NOT_ON_LIST) {
        free(msg);
        return;
    }
    if (!iv_ask_not_listed(msg)) {
        iv_say(v, xstrdup(_("The household number is not on this "
                            "village's list: correct it, or confirm it, "
                            "before finishing.")), UI_DIM);
        return;
    }
    char *number = xstrdup(inst_get(v->in, dep.fr, dep.q));
    msg = NULL;
    int rc = session_answer_confirmed(v->s, dep, number,
                                      SESSION_CONFIRM_NOT_ON_LIST, &msg);
    free(number);
    if (rc != INST_OK)
        iv_say(v, msg ? msg : xstrdup(_("This answer is not accepted.")),
               UI_ERROR);
    else
        free(msg);
}

/* Check and save what the widget holds; 1 when it was saved, 0 when it
 * was refused (the reason is shown and the typed text stays). */
static int iv_store(iv *v)
{
    session_item it = v->items[v->idx];
    char *err = NULL;
    char *val = ui_widget_value(&v->w, v->s, &err);
    if (!val) {
        iv_say(v, err, UI_ERROR);
        return 0;
    }
    if (!*val && inst_is_required(v->in, it.fr, it.q)) {
        char *m = NULL;
        inst_check_value(v->in, it.fr, it.q, val, &m);
        iv_say(v, m ? m : xstrdup(_("An answer is required.")), UI_ERROR);
        free(val);
        return 0;
    }
    char *msg = NULL;
    int rc = session_answer(v->s, it, val, &msg);
    if (rc == SESSION_REMOVES) {
        /* A lower count removes members: ask, naming them. */
        int yes = ui_confirm(msg);
        free(msg);
        msg = NULL;
        if (!yes) {
            free(val);
            iv_drop_widget(v);      /* back to the answer kept */
            iv_say(v, xstrdup(_("Nothing was removed: the earlier answer "
                                "is kept.")), UI_DIM);
            return 0;
        }
        rc = session_answer_removing(v->s, it, val, &msg);
    }
    if (rc == SESSION_NOT_ON_LIST) {
        /* A household number the village's list lacks: the reason, and
         * the enumerator says whether it is new or missing from it. */
        int yes = iv_ask_not_listed(msg);
        msg = NULL;
        if (!yes) {
            free(val);
            iv_say(v, xstrdup(_("Not saved: correct the household "
                                "number.")), UI_DIM);
            return 0;
        }
        rc = session_answer_confirmed(v->s, it, val,
                                      SESSION_CONFIRM_NOT_ON_LIST, &msg);
    }
    free(val);
    if (rc == INST_OK) {
        free(msg);
        iv_list_pending(v, it);
        return 1;
    }
    iv_say(v, msg ? msg : xstrdup(_("This answer is not accepted.")), UI_ERROR);
    return 0;
}

/* Non-zero when nothing may be changed here: a complete interview (E
 * reopens it) or a database only read. */
static int iv_locked(iv *v)
{
    return session_is_complete(v->s) || store_read_only(v->a->st);
}

/* Non-zero (after saying why) when the database is only read: for the
 * keys that would write. */
static int iv_refused(iv *v)
{
    const char *ro = store_read_only(v->a->st);
    if (ro)
        iv_say(v, xstrdup(ro), UI_ERROR);
    return ro != NULL;
}

/* Check and save what the widget holds; move on when it is accepted. */
static void iv_save(iv *v)
{
    session_item it = v->items[v->idx];
    if (!iv_store(v))
        return;
    iv_next(v);
    v->leave = iv_key_check(v, it);
}

/* Shift-Tab, PgUp: back one item, but text typed and not yet saved is
 * saved first as Enter would; when it is refused, stay and say why
 * rather than throw it away. */
static void iv_page_up(iv *v)
{
    if (iv_locked(v) || v->idx >= v->nitems || !v->have_w ||
        !ui_widget_dirty(&v->w)) {
        iv_back(v);
        return;
    }
    session_item it = v->items[v->idx];
    if (!iv_store(v))
        return;
    iv_back(v);
    v->leave = iv_key_check(v, it);
}

/* Non-zero when the current item is a question that must be answered and
 * is not. */
static int iv_required_unanswered(iv *v)
{
    if (v->idx >= v->nitems || !v->have_w || v->w.read_only ||
        v->w.type == QT_NOTE || v->w.type == QT_REPEAT)
        return 0;
    session_item it = v->items[v->idx];
    const char *val = inst_get(v->in, it.fr, it.q);
    return (!val || !*val) && inst_is_required(v->in, it.fr, it.q);
}

/* PgDn: on to the next item, but a required question left empty (or
 * text typed and not yet saved) is handled as Enter would. */
static void iv_page_down(iv *v)
{
    if (!iv_locked(v) &&
        (iv_required_unanswered(v) || (v->have_w && ui_widget_dirty(&v->w))))
        iv_save(v);
    else
        iv_next(v);
}

/* Return a complete interview to draft after asking. */
static void iv_reopen(iv *v)
{
    if (!ui_confirm(_("Correct this complete interview? It becomes a draft "
                      "until it is finished again.")))
        return;
    if (session_reopen(v->s))
        iv_say(v, xstrdup(session_errmsg(v->s)), UI_ERROR);
    else
        iv_say(v, xstrdup(_("Reopened for correction: finish it again with "
                            "Ctrl-F.")), UI_DIM);
    iv_drop_widget(v);
}

/* Esc: leave the interview; typed text not saved is lost, so ask. */
static int iv_leave_ok(iv *v)
{
    if (!v->have_w || !ui_widget_dirty(&v->w))
        return 1;
    /* Enter breaks the line in a multi-line answer: Tab saves there. */
    if (v->w.multiline)
        return ui_confirm(_("Leave the interview? The text typed here is not "
                            "saved (press Tab to save it)."));
    return ui_confirm(_("Leave the interview? The text typed here is not "
                        "saved (press Enter to save it)."));
}

/* What confirming does on the current item. */
static void iv_confirm(iv *v, ui_wres r)
{
    switch (r) {
    case UI_W_OPEN:
        iv_open_member(v, v->w.cursor);
        break;
    case UI_W_ADD:
        iv_add_member(v);
        break;
    case UI_W_REMOVE:
        iv_remove_member(v, v->w.cursor);
        break;
    case UI_W_CONTINUE:
        iv_next(v);
        break;
    case UI_W_CONFIRM:
        if (v->w.read_only || v->w.type == QT_NOTE)
            iv_next(v);
        else
            iv_save(v);
        break;
    default:
        break;
    }
}

/* Try to mark the interview complete; non-zero when it is. */
static int iv_finish(iv *v)
{
    int rc = session_finalise(v->s);
    if (rc < 0) {
        iv_say(v, xstrdup(session_errmsg(v->s)), UI_ERROR);
        return 0;
    }
    if (rc > 0) {
        iv_show_problems(v);
        return 0;
    }
    ui_status(_("The interview is complete and saved. Press a key."), UI_TITLE);
    refresh();
    ui_getkey();
    return 1;
}

/* Switch to the form's next language. */
static void iv_next_lang(iv *v)
{
    int l = (inst_lang(v->in) + 1) % (int)v->f->nlang;
    inst_set_lang(v->in, l);
    iv_say(v, xasprintf(_("Language: %s"), v->f->languages[l]), UI_DIM);
}

/* Keys that work on any item; returns 1 when k was one, 2 to leave the
 * interview, 3 when it was finished. */
static int iv_global_key(iv *v, int k)
{
    if (k == UI_FN(KEY_RESIZE))
        return 1;
    if (k == UI_ESC || k == UI_CTRL('x'))
        return iv_leave_ok(v) ? 2 : 1;
    int finish = k == UI_CTRL('f') || (v->idx >= v->nitems && ui_is_enter(k));
    if (k == UI_CTRL('g'))
        iv_list(v, 0);
    else if (k == UI_CTRL('r'))
        iv_list(v, 1);
    else if (session_is_complete(v->s) && (k == 'e' || k == 'E')) {
        if (!iv_refused(v))
            iv_reopen(v);
    }
    else if (session_is_complete(v->s) && finish)
        return 2;
    else if (finish)
        return iv_refused(v) ? 1 : iv_finish(v) ? 3 : 1;
    else if (k == UI_CTRL('l'))
        iv_next_lang(v);
    else if (k == UI_CTRL('t'))
        iv_show_whole(v);
    else if (k == UI_CTRL('e') || k == UI_FN(KEY_F(2))) {
        if (!iv_refused(v))
            iv_note(v);
    }
    else if (k == UI_FN(KEY_F(1)) ||
             (k == '?' && !(v->have_w && ui_widget_types(&v->w))))
        ui_help();
    else if (k == UI_FN(KEY_BTAB) || k == UI_FN(KEY_PPAGE) ||
             k == UI_CTRL('p'))
        iv_page_up(v);
    else if (k == UI_FN(KEY_NPAGE) || k == UI_CTRL('n'))
        iv_page_down(v);
    else
        return 0;
    return 1;
}

/* A key on a complete interview: Enter moves on (into a roster's
 * member), the roster's arrows move, and any change is refused. */
static void iv_read_only_key(iv *v, int k)
{
    if (v->w.type == QT_REPEAT && ui_is_enter(k)) {
        iv_confirm(v, v->w.cursor + 1 < v->w.nrows ? UI_W_OPEN : UI_W_CONTINUE);
        return;
    }
    if (ui_is_enter(k) || k == '\t') {
        iv_next(v);
        return;
    }
    if (v->w.type == QT_REPEAT && ui_widget_key(&v->w, v->s, k) == UI_W_DONE)
        return;
    if (!iv_refused(v))
        iv_say(v, xstrdup(_("This interview is complete: press E to correct "
                            "it.")), UI_DIM);
}

/* Another program changed the interview while it was open here, so the
 * change just made was refused: read it again, so that what the screen
 * shows is what is saved, and stand on the same question if it is still
 * there. */
static void iv_reload(iv *v)
{
    char *qid = NULL, *path = NULL;
    if (v->idx < v->nitems) {
        session_item it = v->items[v->idx];
        qid = xstrdup(v->f->q[it.q].id);
        path = inst_frame_path(it.fr);
    }
    char *err = NULL;
    if (session_reload(v->s, &err)) {
        iv_say(v, err, UI_ERROR);
        free(qid);
        free(path);
        return;
    }
    /* The old frames are gone: nothing may point into them any more. */
    iv_drop_widget(v);
    v->has_entered = 0;
    free(v->items);
    v->items = NULL;
    v->nitems = v->idx = 0;
    v->in = session_inst(v->s);
    v->depth = 0;
    v->roster_cursor = -1;
    iv_push(v, inst_root(v->in), -1);
    session_item it;
    if (qid && session_find_item(v->s, qid, path, &it) == 0)
        iv_goto(v, it);
    else if ((it = session_resume_item(v->s)).q >= 0)
        iv_goto(v, it);
    free(qid);
    free(path);
    int note = v->note_refused;
    v->note_refused = 0;
    iv_say(v, xstrdup(note
                      ? _("Another program changed this interview while it "
                          "was open here, so the note was not saved. The "
                          "screen now shows the interview as saved: ^E "
                          "offers the note typed again.")
                      : _("Another program changed this interview while it "
                          "was open here, so nothing was saved. The screen "
                          "now shows the interview as saved: check the "
                          "answer and enter it again.")), UI_ERROR);
}

/* The keys typed ahead (the rest of a paste) that only change the text
 * being typed go into the field before it is drawn again: drawing a long
 * answer costs its length, so one draw a key made a pasted answer take a
 * minute.  The first other key is kept for the loop. */
static void iv_type_ahead(iv *v)
{
    for (;;) {
        int k = ui_getkey_ready();
        if (k == UI_KEY_NONE)
            return;
        if (!ui_widget_typing_key(&v->w, k)) {
            ui_ungetkey(k);
            return;
        }
        ui_widget_key(&v->w, v->s, k);
    }
}

/* A line break pasted on a terminal that did not mark the paste (the
 * Linux console) never confirms: in a text question it is a space, as in
 * a marked paste; another question takes no pasted lines, so the rest of
 * the paste is dropped and the field is as before the paste. */
static void iv_paste_break(iv *v)
{
    if (v->have_w && !iv_locked(v) && !v->w.read_only &&
        v->w.type == QT_TEXT) {
        ui_widget_key(&v->w, v->s, ' ');
        iv_type_ahead(v);
        iv_say(v, xstrdup(_("A line break in the pasted text was kept as a "
                            "space: a paste never confirms an answer.")),
               UI_DIM);
        return;
    }
    while (ui_getkey_ready() != UI_KEY_NONE)
        ;
    if (v->have_w && ui_widget_types(&v->w) && v->burst_text)
        ui_edit_set(&v->w.ed, v->burst_text);
    iv_say(v, xstrdup(_("The pasted text was not taken: it has a line break, "
                        "which this question cannot hold. Nothing was "
                        "confirmed.")), UI_ERROR);
}

int ui_interview(ui_app *a, session *s)
{
    iv v;
    memset(&v, 0, sizeof v);
    v.a = a;
    v.s = s;
    v.in = session_inst(s);
    v.f = inst_form(v.in);
    v.roster_cursor = -1;
    iv_push(&v, inst_root(v.in), -1);
    session_item start = session_resume_item(s);
    if (start.q >= 0)
        iv_goto(&v, start);
    int done = 0;
    for (;;) {
        if (session_stale(s))
            iv_reload(&v);
        iv_sync(&v);
        iv_draw(&v);
        /* A choice code that a longer one could continue is taken
         * after a short pause without another digit. */
        int k = v.have_w && ui_widget_pending(&v.w)
                    ? ui_getkey_within(IV_CODE_PAUSE_MS) : ui_getkey();
        /* ^T shows the message whole too, and it stays after. */
        if (k != UI_FN(KEY_RESIZE) && k != UI_CTRL('t'))
            iv_say(&v, NULL, UI_NORMAL);
        if (k == UI_KEY_PASTE_BREAK) {
            iv_paste_break(&v);
            continue;
        }
        if (v.have_w && ui_widget_types(&v.w)) {
            free(v.burst_text);
            v.burst_text = xstrdup(v.w.ed.buf);
        }
        int g = iv_global_key(&v, k);
        if (g >= 2) {
            done = g == 3;
            break;
        }
        if (g || !v.have_w)
            continue;
        if (iv_locked(&v)) {
            iv_read_only_key(&v, k);
            continue;
        }
        ui_wres r = ui_widget_key(&v.w, s, k);
        if (r == UI_W_DONE && ui_widget_typing_key(&v.w, k))
            iv_type_ahead(&v);
        if (r != UI_W_UNHANDLED && r != UI_W_DONE)
            iv_confirm(&v, r);
        if (v.leave)
            break;
    }
    if (v.has_entered)
        session_leave(s, v.entered);
    iv_drop_widget(&v);
    free(v.items);
    free(v.lv);
    free(v.msg);
    free(v.burst_text);
    iv_note_clear_undo(&v);
    curs_set(0);
    return done;
}
