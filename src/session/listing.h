/* listing.h: the interviews as the lists show them, one entry point for
 * the home screen's list and `khaosat list`. */
#ifndef KHAOSAT_LISTING_H
#define KHAOSAT_LISTING_H

#include <stddef.h>

#include "store/store.h"

/* One interview as listed. */
typedef struct session_listed {
    store_interview iv;   /* owned */
    char *name;           /* owned: the name its form gives it (kept by the
                           * session), else its case key answers
                           * ("village=01, hh_no=12"), else its UUID */
    const char *state;    /* static: session_listed_state's word */
} session_listed;

/* The state an interview is listed with, one word for both lists (static,
 * English; the screens translate it): "returned" (a draft the office
 * returned for correction), "superseded" (complete, the same household as
 * another the office kept), else "draft" or "complete".  NULL on failure
 * (store_errmsg). */
const char *session_listed_state(store *st, const store_interview *iv);

/* The interviews of form_id (NULL: every form) in natural order of their
 * names ("Thôn 2" before "Thôn 10"), the latest change first among equal
 * names: *out newly allocated (session_list_free), *n entries. 0, or -1
 * with store_errmsg. */
int session_list(store *st, const char *form_id, session_listed **out,
                 size_t *n);
/* The draft changed last on this database, with its name, without naming
 * the others (the offer to resume at start): 0 with *out (its contents
 * newly allocated: store_interview_clear(&out->iv), free(out->name)), 1
 * when there is none, -1 with store_errmsg. */
int session_last_draft(store *st, session_listed *out);
/* Free a list from session_list (NULL is fine). */
void session_list_free(session_listed *v, size_t n);

#endif
