/* session_int.h: what the files of the session module share (session.c,
 * session_note.c, session_roster.c ...). Included only inside src/session. */
#ifndef KHAOSAT_SESSION_INT_H
#define KHAOSAT_SESSION_INT_H

#include "session/session.h"
#include "session/setup.h"

struct session {
    store *st;
    const form *f;
    inst *in;
    char uuid[37];
    char *err;
    int complete;         /* finalised: answers change only after reopening */
    int stale;            /* another program changed it: session_reload */
    int fresh;            /* made by session_new, never read again */
    setup_values *setup;  /* what setup('name') reads; owned */
};

/* Keep the store's message as the session's (noting when another program
 * changed the interview underneath); returns -1. */
int session_fail(session *s);
/* Non-zero (with *msg, when msg is not NULL, newly allocated) when the
 * interview is complete and must be reopened before it changes. */
int session_locked(session *s, char **msg);
/* v (NULL: empty) in the form question fq stores it, its line breaks
 * and choice order made canonical: newly allocated (session.c). */
char *session_canon(const session *s, const form_question *fq,
                    const char *v);
/* Keep the interview's name (instance_name) beside it after a change
 * (session.c); 0, or -1 (session_fail). */
int session_keep_name(session *s);
/* Store the computed defaults (today(), now()) made since the last call
 * (session.c); 0, or -1 (session_fail). */
int session_save_defaults(session *s);
/* Delete (audited) every stored answer that has no place in the
 * interview: answers of members beyond a roster's count, left by an older
 * release or a merge, would otherwise come back when the roster grows
 * (session_roster.c); 0, or -1 (session_fail). */
int session_drop_strays(session *s);
/* Why a count asks for more members than roster question r holds
 * (session.c): newly allocated. */
char *session_overflow_msg(const session *s, int r);

/* Whether number (canonical) for item it (a list_check question) is on
 * the household list of the village answered beside it (session_setup.c):
 * 0 when it is, or there is no list or no village yet;
 * SESSION_NOT_ON_LIST with *msg saying so and, when sentence is not NULL,
 * *sentence the line of the note that records the enumerator's
 * confirmation; -1 with *msg when the store failed.  Newly allocated. */
int session_list_check(session *s, session_item it, const char *number,
                       char **msg, char **sentence);
/* The note on item it with the line drop taken away and the line add
 * (either NULL) added when missing; *changed says whether it differs.
 * Newly allocated. */
char *session_list_note(session *s, session_item it, const char *drop,
                        const char *add, int *changed);
/* The audit event that records a household number confirmed not on its
 * village's list; its value is "VILLAGE NUMBER\nNOTE LINE" (the codes,
 * then the line it wrote in the question's note), an empty one withdraws
 * it.  It travels in bundles with the rest of the audit trail. */
#define SESSION_LIST_EVENT "not-on-list"
/* Non-zero when the enumerator's confirmation in force on item it (a
 * list_check question) is for number in the village answered beside it:
 * the village's code and the number, whatever the language or the
 * village's name. */
int session_list_confirmed(session *s, session_item it, const char *number);
/* What saving cv for item it does to a household number's confirmation:
 * a household number or its village changed. */
typedef struct session_list_noting {
    session_item it;    /* the list_check question whose note changes */
    char *note;         /* its new note, newly allocated */
    char *detail;       /* the not-on-list event's value, newly allocated */
} session_list_noting;
/* With sentence (the number confirmed, from session_list_check) a new
 * confirmation; else the one in force withdrawn when it no longer fits
 * (its own note line taken away): 1 with *out filled, 0 when nothing is
 * to be recorded, -1 when the store failed. */
int session_list_change(session *s, session_item it, const char *cv,
                        const char *sentence, session_list_noting *out);
/* Whether value (canonical) for item it (a question taking the set-up's
 * villages) names a village of the set-up the form was bound with that
 * the set-up in the store no longer has: an office's bundle merged since
 * the interview was opened dropped it (session_setup.c).  0 when none
 * is; 1 with *msg saying which; -1 with *msg when the store failed.
 * *msg newly allocated. */
int session_village_dropped(session *s, session_item it, const char *value,
                            char **msg);
/* The household numbers not on their village's list without the
 * enumerator's confirmation, as problems (*out newly allocated). */
size_t session_list_problems(session *s, session_problem **out);
/* What to do about item it's answer holding a village the commune's
 * set-up (the one its list is bound to) no longer has: the office
 * dropped it after the interview was answered (newly allocated), or NULL
 * when it holds none. */
char *session_village_gone_msg(session *s, session_item it);
/* The village codes the interview's answers hold that its set-up no
 * longer has, " " between them (newly allocated), or NULL when none. */
char *session_villages_gone(session *s);

#endif
