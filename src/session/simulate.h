/* simulate.h: fill interviews with random answers that respect the form's
 * types, relevance, constraints and repeats, through the same session (and
 * so the same engine and store) as the enumerator's screen. For training
 * data, tests and benchmarks. Reproducible: the same seed gives the same
 * answers. */
#ifndef KHAOSAT_SIMULATE_H
#define KHAOSAT_SIMULATE_H

#include <stdint.h>

#include "session/session.h"

/* The numbers a sim_unique question has within one value of its scope
 * question. */
typedef struct sim_used {
    char *scope;
    long *v;
    size_t n;
} sim_used;

/* What sim_setup answers take from the database's set-up commune: its
 * code, name, province code and province name. */
enum { SIM_SETUP_CODE, SIM_SETUP_NAME, SIM_SETUP_PROVINCE,
       SIM_SETUP_PROVINCE_NAME, SIM_SETUP_N };

typedef struct sim_rng {
    uint64_t state;
    long seq;             /* number of this interview in the run (1 first) */
    store *st;            /* where other forms' answers are read, or NULL */
    long declared;        /* cached sim_declared total, -1 none, -2 unread */
    char **pool;          /* cached sim_from values (owned) */
    size_t npool;
    int pool_read;
    sim_used *used;       /* sim_unique numbers taken (owned) */
    size_t nused;
    int used_read;
    long seq_base;        /* highest sim_seq number stored before, -1 unread */
    char *setup[SIM_SETUP_N];   /* the set-up commune (owned, NULL: none) */
} sim_rng;

/* Seed a generator (seq 0, no store). */
void sim_seed(sim_rng *r, uint64_t seed);
/* Free what the generator cached (sim_from values). */
void sim_free(sim_rng *r);
/* Take the set-up commune of st (khaosat setup commune), if any, for
 * the questions whose meta says sim_setup; the province's name from
 * provinces_csv (NULL: none). */
void sim_use_setup(sim_rng *r, store *st, const char *provinces_csv);
/* The next 64 random bits. */
uint64_t sim_next(sim_rng *r);
/* A uniform integer in [lo, hi]. */
long sim_range(sim_rng *r, long lo, long hi);

/* Answer every relevant question of the session's interview; open-ended
 * repeats get between their min and max (at most max_repeat) instances.
 * A question's meta may steer its answers (sim_yes, sim_min, sim_max,
 * sim_seq, sim_unique, sim_pick, sim_declared, sim_setup: see khaosat(1),
 * simulate) so that the data looks
 * like a survey's.
 * Returns 0, or -1 when the store failed. */
int sim_fill(session *s, sim_rng *r, int max_repeat);

/* A check that stopped simulated interviews from being finalised: a
 * question and its rule, with how many interviews it stopped. */
typedef struct sim_block {
    int q;                /* the question (index into the form) */
    inst_check why;       /* INST_REQUIRED, INST_CONSTRAINT, INST_BAD_VALUE */
    long count;           /* interviews it stopped */
    char first[37];       /* the first of them */
} sim_block;

/* The checks that stopped a run's interviews, most frequent first. */
typedef struct sim_blocks {
    sim_block *v;
    size_t n, cap;
} sim_blocks;

/* Count the problems that keep session s a draft, each question and rule
 * once per interview. */
void sim_blocks_add(sim_blocks *b, session *s);
/* Sort b: most interviews stopped first, then in form order. */
void sim_blocks_sort(sim_blocks *b);
/* Free b's storage (b itself is the caller's). */
void sim_blocks_free(sim_blocks *b);

#endif
