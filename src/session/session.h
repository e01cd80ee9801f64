/* session.h: one interview being taken: the in-memory interview (inst)
 * joined to the store, so that every confirmed answer is checked, applied
 * and committed at once, and a draft can be resumed where it was left.
 * Used by the terminal UI and by `khaosat simulate`; no screen here. */
#ifndef KHAOSAT_SESSION_H
#define KHAOSAT_SESSION_H

#include <stddef.h>

#include "core/form.h"
#include "core/inst.h"
#include "store/store.h"

typedef struct session session;

/* One thing the enumerator can stand on: question q in frame fr. A repeat
 * question stands for its roster (fr is the frame that holds the roster). */
typedef struct session_item {
    int q;
    inst_frame *fr;
} session_item;

/* A question that stops finalising: required and empty, or invalid. */
typedef struct session_problem {
    session_item item;
    inst_check why;
    char *msg;            /* in the form language, owned */
} session_problem;

/* Start a new draft of form f (its text is kept in the store). */
int session_new(store *st, const form *f, const char *enumerator, int lang,
                session **out, char **err);
/* Reopen the interview uuid of form f with its answers and repeats. */
int session_resume(store *st, const form *f, const char *uuid, int lang,
                   session **out, char **err);
/* The form form_id at version as the store keeps it (the text interviews
 * were taken with), bound to the set-up's lists: newly allocated, or
 * NULL when it is not stored or does not load cleanly. */
form *session_stored_form(store *st, const char *form_id,
                          const char *version);
/* Open interview uuid with the form it was taken with, from the store:
 * *out and *f (newly allocated, the caller frees both) or -1 with *err
 * newly allocated. */
int session_open_stored(store *st, const char *uuid, session **out,
                        form **f, char **err);
/* After a merge gave interview uuid new content: answers beyond its
 * rosters' counts are dropped (audited), and a complete interview that
 * breaks its own checks is returned to the enumerator (review "returned"
 * by "merge" with the problems, status draft; *returned set).  *gone
 * gets the village codes its answers hold that its commune's set-up has
 * dropped since (" " between them, newly allocated; NULL when none).  0,
 * or -1 with *err newly allocated (*gone may be set: free it). */
int session_settle_merged(store *st, const char *uuid, int *returned,
                          char **gone, char **err);
/* A new interview (session_new) left with nothing answered is not kept, as
 * a blank new form is discarded: delete it when nothing was changed in it
 * since it was made, here or by another program. 1 when deleted, 0 when
 * kept, -1 on store failure. The session must still be freed. */
int session_discard_blank(session *s);
/* Non-zero when a change was refused because another program changed
 * the interview while it was open here: what the session holds is no
 * longer what is saved, and nothing more is saved until session_reload. */
int session_stale(const session *s);
/* Read the interview again from the store (answers, rosters, status) and
 * guard it anew. Every session_item and inst_frame taken from the session
 * before is invalid afterwards. 0, or -1 with *err newly allocated (the
 * session is then unchanged). */
int session_reload(session *s, char **err);
/* Free the session (the store is the caller's). */
void session_free(session *s);
/* The in-memory interview. */
inst *session_inst(session *s);
/* The interview's UUID. */
const char *session_uuid(const session *s);

/* The item of question qid in the repeat instance at path ("" at the top,
 * "members[2]"); -1 when the interview has no such question there. */
int session_find_item(session *s, const char *qid, const char *path,
                      session_item *out);
/* The items shown in scope (the root or a repeat instance), in order:
 * relevant questions other than calculations and groups, with nested
 * repeats as one roster item each. *out is newly allocated. */
size_t session_items(session *s, inst_frame *scope, session_item **out);
/* Like session_items, with the questions skip logic leaves out too:
 * (*relevant)[i] is zero for those. Both arrays newly allocated. */
size_t session_items_every(session *s, inst_frame *scope, session_item **out,
                           unsigned char **relevant);
/* The id of the nearest group around q inside scope, or -1 (section title). */
int session_section(const session *s, int q, const inst_frame *scope);

/* session_answer's refusals beyond the inst_check results. */
#define SESSION_LOCKED 100    /* the interview is complete: session_reopen */
#define SESSION_REMOVES 101   /* would remove members: *msg asks, and
                                 session_answer_removing does it */
#define SESSION_NOT_ON_LIST 102 /* a household number not on its village's
                                 list (list_check): *msg says so, and
                                 session_answer_confirmed keeps it */
/* What the enumerator confirmed for session_answer_confirmed. */
#define SESSION_CONFIRM_REMOVE 1      /* remove the members it removes */
#define SESSION_CONFIRM_NOT_ON_LIST 2 /* the household is new or missing
                                         from the list: recorded as a line
                                         of the question's note (which
                                         travels) and an audit event */
/* After item it (a village) was saved: SESSION_NOT_ON_LIST when the
 * household number answered beside it (*dep) is not on the new village's
 * list and not confirmed for it, with *msg (newly allocated) saying so,
 * for the enumerator to confirm (session_answer_confirmed with the same
 * number); 0 when there is nothing to confirm, -1 when the store failed. */
int session_list_pending(session *s, session_item it, session_item *dep,
                         char **msg);

/* Put value in its canonical form (numbers without leading zeros, the
 * decimal comma read as a point, text in NFC), check it for item it and,
 * when it is acceptable, apply it and commit it. Returns the check result
 * (INST_OK when saved) with *msg (newly allocated) set for a refusal,
 * SESSION_LOCKED or SESSION_REMOVES, or -1 when the store failed (*msg
 * says why). */
int session_answer(session *s, session_item it, const char *value, char **msg);
/* Like session_answer, but the members a lower count removes (after the
 * enumerator agreed) are deleted with their answers in the same
 * transaction as the answer. */
int session_answer_removing(session *s, session_item it, const char *value,
                            char **msg);
/* Like session_answer with what the enumerator confirmed (the
 * SESSION_CONFIRM_ flags); a number confirmed not on the list is saved
 * with its note line in one transaction (the same number again only
 * records the confirmation).  A later answer to the question takes the
 * line away again. */
int session_answer_confirmed(session *s, session_item it, const char *value,
                             int confirm, char **msg);
/* After item it was answered: when it is a key question of the form and
 * every key question is answered, the other interviews of the form on
 * this database with the same key (oldest first). *out is a newly
 * allocated array of newly allocated UUIDs. Returns their number, or -1
 * on store failure. */
long session_key_twins(session *s, session_item it, char ***out);
/* Record (audited as 'duplicate-key', with other's UUID and the reason)
 * that the enumerator went on although interview other has the same key:
 * a flagged duplicate for the supervisor. */
int session_flag_duplicate(session *s, const char *other, const char *reason);
/* What session_answer would return for value, without changing anything
 * (a complete interview is checked as if it were reopened): INST_OK,
 * SESSION_REMOVES or a refusal, with *msg as session_answer gives it. */
int session_check(session *s, session_item it, const char *value, char **msg);
/* Non-zero when value (put in its canonical form) is what item it already
 * holds: answering it would change nothing. */
int session_same_answer(session *s, session_item it, const char *value);
/* The duplicate-key flags recorded on the interview, "UUID reason"
 * joined by "; " (newly allocated), or NULL when there is none. */
char *session_duplicate_flags(session *s);
/* The longest note, in bytes (UTF-8): a remark, not a document; the
 * store's limit, which an office also holds bundles to. */
#define SESSION_NOTE_MAX STORE_NOTE_MAX
/* Set the note on item it (session_note.c) to text (NULL or "": remove
 * it), kept as text answers are (NFC, trimmed) with its audit row: the
 * one entry point of the note editor and `khaosat note`. INST_OK, or
 * INST_BAD_VALUE (not UTF-8, too long) or SESSION_LOCKED (complete) with
 * *msg, or -1 when the store failed (*msg says why); *msg newly
 * allocated. */
int session_note_set(session *s, session_item it, const char *text,
                     char **msg);
/* The note on item it (newly allocated), or NULL when there is none. */
char *session_note_get(session *s, session_item it);
/* Non-zero when the interview is finalised (its answers are read-only). */
int session_is_complete(const session *s);
/* Return a finalised interview to draft for correction (audited as a
 * status change); it must be finalised again. 0, or -1 on store failure. */
int session_reopen(session *s);
/* "3. Lò Văn A" (its first text answer) or "#3" for member i (0-based)
 * of roster item it; newly allocated. */
char *session_member_label(session *s, session_item it, size_t i);
/* How many notes member i (0-based) of roster item it holds. */
long session_member_notes(session *s, session_item it, size_t i);
/* Add an instance of roster item it (committed) and return it. */
int session_repeat_add(session *s, session_item it, inst_frame **out);
/* Remove instance i of roster item it with its answers (committed). */
int session_repeat_remove(session *s, session_item it, size_t i);
/* Record that the enumerator entered or left an item (audit trail), and
 * remember the item as the place to resume. */
int session_enter(session *s, session_item it);
/* Record leaving an item. */
int session_leave(session *s, session_item it);
/* The item saved as the place to resume (the first item when none). */
session_item session_resume_item(session *s);

/* Every problem in the interview, all repeat instances included. */
size_t session_problems(session *s, session_problem **out);
/* Free a problem list. */
void session_problems_free(session_problem *p, size_t n);
/* Answers that stand but that the office should hear of (session_setup.c):
 * a code kept from before the commune's set-up arrived (a fallback choice,
 * form_bind_list), one entry each with why INST_OK and its message in the
 * interface language.  *out newly allocated (session_problems_free). */
size_t session_warnings(session *s, session_problem **out);
/* Mark complete (the store audits it) when there is no problem; else return the count of
 * problems (> 0) and leave the draft as it is. -1 on store failure. */
int session_finalise(session *s);
/* The message of the last store failure. */
const char *session_errmsg(const session *s);

#endif
