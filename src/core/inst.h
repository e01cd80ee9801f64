/* inst.h: one interview in memory: the answers to a form, its repeat
 * instances, and what its expressions make of them (relevance, calculations,
 * constraint checks). Changing an answer recomputes only the questions that
 * depend on it, in the form's dependency order. No storage, no screen. */
#ifndef KHAOSAT_INST_H
#define KHAOSAT_INST_H

#include <stddef.h>
#include <time.h>

#include "core/form.h"

typedef struct inst inst;
/* One instance of a repeat (or the root of the interview). */
typedef struct inst_frame inst_frame;

/* Outcome of checking an answer. */
typedef enum inst_check {
    INST_OK,
    INST_BAD_VALUE,   /* not an integer, not a date, not one of the choices... */
    INST_CONSTRAINT,  /* breaks the question's constraint */
    INST_REQUIRED     /* empty but required */
} inst_check;

/* A new interview of f with defaults applied and calculations done. lang is
 * the form language index for messages and labels. */
inst *inst_new(const form *f, int lang);
/* inst_new with lists beyond the form's own (as inst_set_lists; borrowed,
 * must outlive the interview) known before the defaults are computed:
 * default: setup('enumerator') reads them. */
inst *inst_new_with(const form *f, int lang, const expr_lists *extra);
/* Free the interview (NULL is fine). */
void inst_free(inst *in);
/* The form of the interview. */
const form *inst_form(const inst *in);
/* The root frame (top-level questions). */
inst_frame *inst_root(inst *in);
/* Fix the clock used by today() and now() (0: real clock). */
void inst_set_now(inst *in, time_t now);
/* Change the form language used for messages, labels and choice names. */
void inst_set_lang(inst *in, int lang);
/* Lists beyond the form's own choice lists for instance('list') and
 * pulldata() (say, the office's set-up lists); NULL for none. Borrowed:
 * must outlive in. Call inst_recompute afterwards. */
void inst_set_lists(inst *in, const expr_lists *extra);
/* Call save(ctx, frame, question, value) for every computed default
 * (today(), now()) made since the last call, in the interview or in a
 * roster instance, so that the caller stores it as an answer; an interview
 * restored from its answers does not compute them again. Returns the first
 * non-zero value save returns (those not saved are offered again). */
int inst_unsaved_defaults(inst *in,
                          int (*save)(void *ctx, inst_frame *fr, int q,
                                      const char *v),
                          void *ctx);
/* The current form language. */
int inst_lang(const inst *in);

/* The answer to question q in frame fr (NULL when unanswered). For a
 * question inside a repeat, fr is an instance of that repeat. */
const char *inst_get(const inst *in, const inst_frame *fr, int q);
/* Set (value NULL or "" clears) the answer, then recompute what depends on
 * it. No check is made: call inst_check first. */
void inst_set(inst *in, inst_frame *fr, int q, const char *value);
/* Non-zero when question q is relevant in fr (its own relevance and that of
 * every enclosing group and repeat). */
int inst_relevant(const inst *in, const inst_frame *fr, int q);
/* Non-zero when q must be answered (required true or its expression true). */
int inst_is_required(inst *in, inst_frame *fr, int q);
/* Check a candidate answer of q in fr: its type, the choices, the
 * constraint (with "." the candidate) and, for an empty one, required. On a
 * failure *msg (when msg is not NULL) gets a newly allocated message in the
 * form language. */
inst_check inst_check_value(inst *in, inst_frame *fr, int q,
                            const char *value, char **msg);

/* Number of instances of repeat question r under frame parent. */
size_t inst_repeat_count(const inst *in, const inst_frame *parent, int r);
/* The i-th (0-based) instance of repeat r under parent, or NULL. */
inst_frame *inst_repeat_get(const inst *in, const inst_frame *parent, int r,
                            size_t i);
/* Append an instance of repeat r under parent and return it. */
inst_frame *inst_repeat_add(inst *in, inst_frame *parent, int r);
/* How many repeat instances were ever added to in: a change that added
 * some (a roster that grew with a count) changes it. */
unsigned long inst_members_added(const inst *in);
/* Remove instance i of repeat r under parent; later ones move up. */
void inst_repeat_remove(inst *in, inst_frame *parent, int r, size_t i);
/* The frame a question of repeat r lives in, found from a frame path. */
inst_frame *inst_frame_find(inst *in, const char *path);
/* The frame's path: "" for the root, "members[2]" or "members[2]/crops[1]"
 * (1-based positions). Newly allocated. */
char *inst_frame_path(const inst_frame *fr);
/* The enclosing frame (NULL for the root). */
inst_frame *inst_frame_parent(const inst_frame *fr);
/* The repeat question a frame is an instance of (-1 for the root). */
int inst_frame_repeat(const inst_frame *fr);
/* 1-based position of the frame among its siblings (0 for the root). */
int inst_frame_position(const inst_frame *fr);

/* The choices of select question q offered in fr, after its choice_filter:
 * indices into the question's list, written to *out (caller frees).  A
 * fallback choice (form_bind_list) is there only when the answer in fr
 * holds it: kept and shown, never offered to a new answer. */
size_t inst_choices(inst *in, inst_frame *fr, int q, int **out);
/* Text t in the current language with every ${name} replaced by that
 * answer as seen from fr (choice labels are not substituted). Newly
 * allocated. */
char *inst_text(inst *in, inst_frame *fr, form_text t);

/* One stored row to replay: an answer (qid, path of its frame, value) or,
 * when qid is NULL, the instance count of the repeat at path ("members",
 * "members[2]/crops"). */
typedef struct inst_row {
    const char *qid, *path, *value;
    long count;
} inst_row;

/* A growable list of rows that owns their strings. */
typedef struct inst_rows {
    inst_row *v;
    size_t n, cap;
} inst_rows;

/* Append a copy of an answer (qid, path, value) or, with qid NULL, of a
 * repeat count. */
void inst_rows_add(inst_rows *r, const char *qid, const char *path,
                   const char *value, long count);
/* Forget the rows, keeping the storage for the next interview. */
void inst_rows_clear(inst_rows *r);
/* Free the rows and the storage. */
void inst_rows_free(inst_rows *r);

/* Rebuild an interview of f from stored rows in one go, with the clock
 * fixed at now (0: real clock): answers are placed without recomputing,
 * outer levels first (their answers decide counted repeats), and everything
 * is recomputed once per level. Rows that no longer fit the form (another
 * version's questions) are skipped. The rows may come in any order: each
 * (question, path) is one value, placed level by level. */
inst *inst_restore(const form *f, int lang, time_t now, const inst_row *rows,
                   size_t n);
/* Write the interview out as rows that inst_restore rebuilds it from:
 * every entered answer (not calculations) and the count of every
 * open-ended repeat. The rows are appended to out. */
void inst_rows_dump(const inst *in, inst_rows *out);

/* A repeat instance that a change would remove: its path ("members[3]"),
 * the frame (valid until the interview changes) and the answers entered
 * in it and in the instances inside it. */
typedef struct inst_loss {
    char *path;
    inst_frame *fr;
    size_t answers;
} inst_loss;
/* The instances that setting q in fr to value would remove (a counted
 * repeat's count going down, or its relevance going away), outermost ones
 * only; nothing is changed. *out is newly allocated (inst_losses_free). */
size_t inst_would_remove(inst *in, inst_frame *fr, int q, const char *value,
                         inst_loss **out);
/* The repeat whose count would ask for more than FORM_MAX_REPEAT members
 * if value were the answer of q in fr (nothing in changes), or -1. */
int inst_count_overflow(inst *in, inst_frame *fr, int q, const char *value);
/* Non-zero when the count of repeat r in fr (relevant) asks for more than
 * FORM_MAX_REPEAT members, as a value stored by an older version or
 * arriving in a bundle may; the members stop at the limit. */
int inst_count_exceeds(inst *in, inst_frame *fr, int r);
/* Free a loss list. */
void inst_losses_free(inst_loss *v, size_t n);

/* Recompute every relevance, calculation and counted repeat, in
 * dependency order. */
void inst_recompute(inst *in);

/* The name the form gives this interview: its instance_name evaluated
 * now, spaces around it trimmed. Newly allocated; NULL when the form has
 * none or it comes out empty. */
char *inst_instance_name(inst *in);

/* Evaluate any expression of the form in frame fr for question q ("."). */
char *inst_eval_string(inst *in, inst_frame *fr, int q, const expr *e);

#endif
