/* ui_interview_int.h: what the files of the interview screen share
 * (ui_interview.c: the walk and the keys; ui_interview_draw.c: drawing;
 * ui_interview_list.c: the jump, review and problem lists). Included only
 * inside src/ui. */
#ifndef KHAOSAT_UI_INTERVIEW_INT_H
#define KHAOSAT_UI_INTERVIEW_INT_H

#include "ui/ui.h"

/* One level of the walk: a scope (root or repeat instance) and the
 * question stood on in it (-1: past the last one). */
typedef struct iv_level {
    inst_frame *scope;
    int q;
} iv_level;

/* The interview screen's state. */
typedef struct iv {
    ui_app *a;
    session *s;
    inst *in;
    const form *f;
    iv_level *lv;
    size_t depth, cap;
    session_item *items;      /* of the innermost scope */
    size_t nitems, idx;       /* idx == nitems: past the last item */
    ui_widget w;
    int have_w;
    long roster_cursor;       /* for the next roster widget, or -1 */
    session_item entered;
    int has_entered;
    char *msg;
    ui_role msg_role;
    int leave;                /* leave the interview (to open another) */
    char *note_undo_at;       /* "qid@path" of the note last removed */
    char *note_undo;          /* ... and its text, for the editor to
                               * offer back (undo), or NULL */
    int note_unsaved;         /* note_undo is text typed and refused, not
                               * a note removed */
    int note_refused;         /* the last change refused was a note's */
    char *burst_text;         /* the typed field before the last key read
                               * with a wait: what a refused paste leaves */
} iv;

/* The innermost level. */
static inline iv_level *iv_top(iv *v) { return &v->lv[v->depth - 1]; }

/* Stand on item it, wherever it is (a question inside members too). */
void iv_goto(iv *v, session_item it);
/* The answers of the form's key questions, "Village 1, 12" (newly
 * allocated). */
char *iv_key_text(iv *v);
/* Draw the whole screen for the current item. */
void iv_draw(iv *v);
/* Show the current question's label and hint whole (^T). */
void iv_show_whole(iv *v);
/* The jump (review = 0) or review (review = 1) list; Enter jumps. */
void iv_list(iv *v, int review);
/* Show msg (owned, may be NULL) under the question in role r. */
void iv_say(iv *v, char *msg, ui_role r);
/* The note editor for the current question (ui_note.c, ^E). */
void iv_note(iv *v);
/* Forget the note editor's undo text. */
void iv_note_clear_undo(iv *v);
/* Draw the current question's note (if any) on row y, in at most rows
 * rows; returns the rows used. */
int iv_draw_note(iv *v, int y, int rows);
/* Show why finishing was refused; Enter jumps to a problem. */
void iv_show_problems(iv *v);

#endif
