/* session_int.h: what the files of the session module share (session.c,
 * session_note.c). Included only inside src/session. */
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

#endif
