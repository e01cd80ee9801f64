/* session_note.c: a note on any question of the interview being taken
 * (CSPro's notes, ODK's comments), the one entry point of the note editor
 * on the interview screen and of `khaosat note`. */
#include "config.h"
#include "session/session_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/i18n.h"
#include "core/util.h"

/* Set *msg (when msg is not NULL) to m, else free m; returns rc. */
static int session_note_refuse(char **msg, char *m, int rc)
{
    if (msg)
        *msg = m;
    else
        free(m);
    return rc;
}

int session_note_set(session *s, session_item it, const char *text,
                     char **msg)
{
    if (msg)
        *msg = NULL;
    /* Only what the enumerator answers takes a note: the review shows no
     * group, calculation or display text to hang it on. */
    form_qtype ty = s->f->q[it.q].type;
    if (ty == QT_GROUP || ty == QT_CALCULATE || ty == QT_NOTE)
        return session_note_refuse(msg, xasprintf(
            ty == QT_GROUP ? _("%s is a group of questions, not a question: "
                              "a note goes on one of its questions.")
            : ty == QT_CALCULATE ? _("%s is calculated, not answered: a note "
                                    "goes on a question it comes from.")
                                : _("%s is a text shown to the enumerator, "
                                    "not a question: a note goes on a "
                                    "question."),
            s->f->q[it.q].id), INST_BAD_VALUE);
    if (text && !util_utf8_valid(text, strlen(text)))
        return session_note_refuse(msg, xstrdup(_("This text is not valid "
            "UTF-8; set the terminal to UTF-8 and type it again.")),
            INST_BAD_VALUE);
    if (text && strlen(text) > SESSION_NOTE_MAX)
        return session_note_refuse(msg, xasprintf(_("A note holds at most "
            "%d bytes; this one has %zu."), SESSION_NOTE_MAX,
            strlen(text)), INST_BAD_VALUE);
    if (session_locked(s, msg))
        return SESSION_LOCKED;
    /* Kept as text answers are: NFC, spaces around it dropped. */
    char *t = text ? canon_text(text) : NULL;
    /* What an office would refuse in a bundle is never kept. */
    const char *why = t && *t ? store_note_problem(t) : NULL;
    if (why) {
        free(t);
        return session_note_refuse(msg, xasprintf(_("This note cannot be "
            "kept: it is %s."), _(why)), INST_BAD_VALUE);
    }
    char *path = inst_frame_path(it.fr);
    int bad = store_note_set(s->st, s->uuid, s->f->q[it.q].id, path,
                             t && *t ? t : NULL);
    free(path);
    free(t);
    if (bad) {
        session_fail(s);
        return session_note_refuse(msg, xstrdup(s->err), -1);
    }
    return INST_OK;
}

char *session_note_get(session *s, session_item it)
{
    char *path = inst_frame_path(it.fr), *note = NULL;
    if (store_note_get(s->st, s->uuid, s->f->q[it.q].id, path, &note))
        note = NULL;
    free(path);
    return note;
}
