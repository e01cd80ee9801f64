/* inst_int.h: what the inst_*.c files share: the frames, the interview
 * and the context an expression is evaluated in. Not for other modules. */
#ifndef KHAOSAT_INST_INT_H
#define KHAOSAT_INST_INT_H

#include "core/inst.h"

struct inst_frame {
    int repeat;            /* repeat question index, -1 for the root */
    const char *name;      /* the repeat's id (owned by the form) */
    int position;          /* 1-based among siblings, 0 for the root */
    inst_frame *parent;
    int lo, hi;            /* question range of this scope */
    char **val;            /* answers, indexed by q - lo */
    unsigned char *rel;    /* cached relevance, indexed by q - lo */
    inst_frame ***kids;    /* instances of nested repeats, by q - lo */
    size_t *nkids;
    int defaults_unsaved;  /* computed defaults applied, not yet handed to
                            * inst_unsaved_defaults */
};

struct inst {
    const form *f;
    int lang;
    time_t now;
    inst_frame *root;
    unsigned char *mark;   /* scratch: questions affected by a change */
    int replaying;         /* inside inst_restore: a full pass follows */
    int grew;              /* instances were added while replaying */
    unsigned long added;   /* repeat instances ever added (a counter) */
    int overflow;          /* 1 + a repeat whose count asked for more than
                              FORM_MAX_REPEAT members (0: none) */
    int *queue;            /* scratch for the affected-set walk */
    form_list_source lists; /* the form's choice lists, then the office's */
    double shuffle_seed;   /* orders choices of `randomize` without `seed` */
};

/* What an expression evaluation sees. */
struct inst_eval_ctx {
    inst *in;
    inst_frame *fr;
    int self;                    /* question of "." */
    const char *candidate;       /* overrides "." when checking a value */
    int use_candidate;
    const form_choice *choice;   /* choice being filtered */
};

/* expr_env.lookup for interviews. */
void inst_lookup(void *ctxp, int id, value *out);
/* An environment for evaluating in ctx. */
expr_env inst_env(struct inst_eval_ctx *ctx);
/* Evaluate e as a boolean for question q in frame fr. */
int inst_eval_bool(inst *in, inst_frame *fr, int q, const expr *e);

/* Non-zero when changing q may change the instances of a counted repeat
 * (its count, or the relevance of it or of a group around it). */
int inst_touches_counted(inst *in, int q);

/* An interview with defaults applied but nothing computed yet (restoring:
 * computed defaults wait for the replay's full pass); the caller owns it. */
inst *inst_alloc(const form *f, int lang, int restoring,
                 const expr_lists *extra);
/* Replace the answer slot of q in fr with a copy of v (NULL or "": none). */
void inst_store(inst_frame *fr, int q, const char *v);

#endif
