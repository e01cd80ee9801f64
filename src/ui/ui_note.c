/* ui_note.c: the note on a question (^E on the interview screen): what
 * the enumerator wants the office to know about an answer, written in a
 * one-line editor and kept with the answer through session_note_set, the
 * entry point of `khaosat note` too. Esc leaves the note as it was; an
 * emptied note is removed, and the editor offers a removed note back
 * (undo) until another note is changed. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/ui_interview_int.h"

/* "qid@path" of item it, newly allocated. */
static char *note_at(iv *v, session_item it)
{
    char *path = inst_frame_path(it.fr);
    char *at = xasprintf("%s@%s", v->f->q[it.q].id, path);
    free(path);
    return at;
}

void iv_note_clear_undo(iv *v)
{
    free(v->note_undo_at);
    free(v->note_undo);
    v->note_undo_at = v->note_undo = NULL;
    v->note_unsaved = 0;
}

/* Keep text (taken over) as the note on at (taken over) offered back by
 * the editor: one removed (unsaved 0) or one typed and refused (1). */
static void note_offer(iv *v, char *at, char *text, int unsaved)
{
    iv_note_clear_undo(v);
    v->note_undo_at = at;
    v->note_undo = text;
    v->note_unsaved = unsaved;
}

void iv_note(iv *v)
{
    if (v->idx >= v->nitems)
        return;
    if (session_is_complete(v->s)) {
        /* Said before anything is typed, not after. */
        iv_say(v, xstrdup(_("This interview is complete: press E to correct "
                            "it.")), UI_DIM);
        return;
    }
    session_item it = v->items[v->idx];
    char *old = session_note_get(v->s, it);
    char *at = note_at(v, it);
    /* A note just removed here, or one typed and refused, is offered
     * back: Enter restores or saves it. */
    int offer = v->note_undo && !strcmp(v->note_undo_at, at) &&
                (v->note_unsaved || !old);
    const char *prompt =
        !offer ? _("Note on this question (empty: none):")
        : v->note_unsaved ? _("Note (the one typed, not saved: Enter "
                              "saves it, ^U empties it):")
                          : _("Note (the one removed: Enter puts it back, "
                              "^U empties it):");
    char *label = inst_text(v->in, it.fr, v->f->q[it.q].label);
    char *text = ui_ask_max(label, prompt,
                            offer ? v->note_undo : old ? old : "",
                            SESSION_NOTE_MAX);
    free(label);
    if (text) {
        char *msg = NULL;
        int rc = session_note_set(v->s, it, text, &msg);
        if (rc != INST_OK) {
            /* Refused: the text typed is not lost, ^E offers it again. */
            iv_say(v, xasprintf(_("%s (^E offers the note typed again)"),
                                msg ? msg : session_errmsg(v->s)), UI_ERROR);
            note_offer(v, at, text, 1);
            v->note_refused = 1;
            at = text = NULL;
        } else if (!*text && old) {
            note_offer(v, at, old, 0);
            at = old = NULL;
            iv_say(v, xstrdup(_("Note removed (^E offers it back).")),
                   UI_DIM);
        } else if (*text) {
            iv_note_clear_undo(v);
            iv_say(v, xstrdup(_("Note saved.")), UI_DIM);
        }
        free(msg);
        free(text);
    }
    free(at);
    free(old);
}

int iv_draw_note(iv *v, int y, int rows)
{
    if (v->idx >= v->nitems || rows < 1)
        return 0;
    char *note = session_note_get(v->s, v->items[v->idx]);
    if (!note)
        return 0;
    /* TRANSLATORS: before the note written on a question. */
    char *line = xasprintf(_("\u270e Note: %s"), note);
    ui_line *l;
    size_t n = ui_text_wrap(line, COLS - 4, &l);
    int used = 0;
    for (size_t i = 0; i < n && used < rows; i++) {
        char *t = xstrndup(line + l[i].off, l[i].len);
        ui_put(y + used++, 2, t, COLS - 4, UI_DIM, 0);
        free(t);
    }
    free(l);
    free(line);
    free(note);
    return used;
}
