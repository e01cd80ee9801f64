/* report_int.h: what the report's source files share and no other module
 * needs: the parsed definition and the computed result. */
#ifndef KHAOSAT_REPORT_INT_H
#define KHAOSAT_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "core/catalog.h"
#include "core/form.h"
#include "core/inst.h"
#include "report/report.h"
#include "store/store_reader.h"

/* A translated text: pairs of language code and text. */
typedef struct rtext {
    char **code, **text;
    size_t n;
} rtext;

/* An expression's source with where it was written. */
typedef struct rsrc {
    char *text;           /* NULL when absent */
    int line, col;
} rsrc;

typedef enum rkind {
    RK_RATE,
    RK_COUNT,
    RK_YESNO
} rkind;

/* How one form takes part in the report. */
typedef struct rdef_form {
    char *id;
    int context;          /* the form describing the commune itself */
    rtext unit;           /* what one interview is: "households" */
    rtext title;          /* the form as people call it, for tables */
    rsrc key, name;       /* context: the commune's code and name */
    rsrc province;        /* context: the province's name */
    rsrc village;         /* village code of an interview */
    rsrc include;         /* interviews counted in figures (else excluded) */
    rtext excluded;       /* what an excluded interview is: "refusals" */
    char *roster;         /* context: repeat listing the villages */
    rsrc v_code, v_name, v_planned;
    int line;
} rdef_form;

typedef struct rdef_group {
    char *id;
    rtext title;
} rdef_group;

typedef struct rdef_figure {
    char *id;
    rkind kind;
    int group;            /* index in groups, -1 none */
    int form;             /* index in forms */
    char *repeat;         /* units are instances of this repeat, or NULL */
    rtext title, phrase, unit;
    rsrc num, den;        /* rate: numerator, denominator; else num = value */
    int rule_all;         /* yesno: every unit yes (else any) */
    int hidden;           /* only used by conditions */
    int empty_no;         /* yesno over a repeat: no instance means no */
    rsrc distinct;        /* units with the same value count once */
    rsrc expected;        /* context: how many units there should be */
    rsrc warn_if;         /* units for which this holds draw warning */
    rtext warning;
    char *compare_id;     /* a yes/no figure this one should agree with */
    int compare;          /* its index, -1 none */
    rtext basis;          /* why the figure is computed so (printed) */
    char *alt_id;         /* the figure of another reading, printed beside */
    int alt;              /* its index, -1 none */
    char *or_id;          /* yes/no: also yes when this figure is yes */
    int or_fig;           /* its index, -1 none */
    int line;
} rdef_figure;

typedef struct rdef_test {
    int figure;
    rsrc at_least, at_most;
} rdef_test;

typedef struct rdef_cond {
    char *id;
    rtext title;
    rtext basis;          /* why the threshold is what it is (printed) */
    int *evidence;        /* figures printed beside it, not tested */
    size_t nevidence;
    rdef_test *tests;
    size_t ntests;
    int line;
} rdef_cond;

typedef struct rdef_verdict {
    char *id;
    rtext title;
    rsrc exempt;          /* context: true when the verdict does not apply */
    rtext exempt_note;    /* why, printed with the verdict */
    int *conds;
    size_t nconds;
} rdef_verdict;

typedef struct rdef_need {
    char *id;
    rtext title;
    rsrc need, priority;
} rdef_need;

/* A table read from a repeat of the context interview (key products). */
typedef struct rdef_list {
    char *id;
    rtext title;
    char *repeat;
    rtext *col_title;
    rsrc *col_value;
    size_t ncols;
} rdef_list;

/* Answers of a choice question counted over a form's interviews. */
typedef struct rdef_tally {
    char *id;
    rtext title;
    int form;
    char *question;
} rdef_tally;

/* Bumped when what is stored for each interview (report_keep.c) changes
 * meaning: figures stored before are then computed again. */
#define RKEEP_FORMAT "khaosat figures 1"

struct report_def {
    char *path;
    char *sha;            /* hash of what it says (and RKEEP_FORMAT), hex */
    rtext title;
    long min_units;       /* fewer units than this draw a warning */
    rdef_form *forms;
    size_t nforms;
    int context;          /* index of the context form, -1 none */
    rdef_group *groups;
    size_t ngroups;
    rdef_figure *figs;
    size_t nfigs;
    rdef_cond *conds;
    size_t nconds;
    rdef_verdict *verdicts;
    size_t nverdicts;
    rdef_need *needs;
    size_t nneeds;
    rdef_list *lists;
    size_t nlists;
    rdef_tally *tallies;
    size_t ntallies;
};

/* What form i of d is called in lang: its title, else its id. */
const char *rform_title(const report_def *d, size_t i, const char *lang);
/* The text of t in lang, else the first one; "" when empty. */
const char *rtext_get(const rtext *t, const char *lang);
/* What one unit of figure i of d is called in lang ("officials"): the
 * figure's own unit, else its form's.  Owned by d. */
const char *rfig_unit(const report_def *d, size_t i, const char *lang);
/* Parse src and bind it to f's questions; NULL with *err set (naming the
 * definition's file and line) when it does not. */
expr *report_compile(const report_def *d, const form *f, const rsrc *src,
                     char **err);

/* A running total of one figure. */
typedef struct racc {
    double num, den;
    long units;
    long ivs;             /* interviews the figure was evaluated in */
    long flagged;         /* units for which warn_if held */
} racc;

/* One unit of a figure with distinct: its key and its parts. */
typedef struct rdunit {
    char *key;
    double num, den;
} rdunit;

/* The units of a distinct figure, folded by key when finished. */
typedef struct rdlist {
    rdunit *v;
    size_t n, cap;
} rdlist;

/* A figure's value as reported. */
typedef struct rvalue {
    int known;
    double num, den;      /* rate: parts; count: num = sum; yesno: yes count */
    long units;
    double value;         /* rate: percent; count: sum; yesno: 1 or 0 */
    double expected;      /* units there should be (NaN: not said) */
    long repeated;        /* distinct: interviews sharing a key, beyond one */
} rvalue;

typedef struct rvillage {
    char *code, *name;
    long planned;         /* -1 when not in the roster */
    long complete, drafts, excluded;
    racc *acc;            /* per figure */
    rvalue *val;
} rvillage;

typedef struct renum {
    char *name, *form;
    long complete, drafts;
} renum;

typedef struct rformstat {
    long complete, drafts, excluded, unreadable, duplicates;
} rformstat;

typedef struct rtest_res {
    double threshold;     /* NaN when unknown or none */
    int has_threshold, at_most;
    report_status st;
} rtest_res;

typedef struct rneed_res {
    int need;             /* 1, 0 or -1 unknown */
    double priority;      /* NaN when none */
} rneed_res;

/* A list's rows as read: nrows * ncols cells. */
typedef struct rlist_res {
    char **cells;
    size_t nrows;
} rlist_res;

/* A tally's counts by choice code; labels filled when finished. */
typedef struct rtally_res {
    char **code, **label;
    long *n;
    size_t cnt;
    long units;           /* interviews that answered */
} rtally_res;

/* Warnings of one figure. */
typedef struct rwarn {
    char **v;
    size_t n;
} rwarn;

struct report_result {
    const report_def *def;
    char *lang, *generated;
    int by_village;
    char *commune_code, *commune_name, *province;
    char *first, *last;   /* earliest and latest interview (created) */
    long reviewed, returned, reviewable; /* reviews of the interviews used */
    rlist_res *lists;     /* per definition list */
    rtally_res *tallies;  /* per definition tally */
    int have_context;
    rformstat *forms;     /* per def form */
    racc *acc;            /* per figure */
    rvalue *val;
    rwarn *fwarn;
    rvillage *villages;
    size_t nvillages;
    renum *enums;
    size_t nenums;
    rdlist *dunits;       /* per figure with distinct */
    double *expected;     /* per figure, from the context (NaN none) */
    int *exempt;          /* per verdict: 1, 0 or -1 unknown */
    rtest_res **tests;    /* per condition, per test */
    report_status *cond_st;
    report_status *verdict_st;
    rneed_res *needs;
    size_t *need_order;   /* indices into def->needs, ranked */
    long conflicts, dup_table; /* -1 when the table is absent */
    long dup_pairs[3];    /* the pairs: undecided, same, different */
    long states[RSCAN_NSTATES], superseded; /* complete, by review state */
    unsigned select;      /* the scan's RSCAN_* selection */
    int have_states;      /* states could be read */
    char **ikeys;         /* "form\037key..." of each complete interview */
    size_t nikeys, capikeys;
    rwarn warn;           /* report-wide warnings */
};

/* Add a copy of a message to w. */
void rwarn_add(rwarn *w, char *msg_owned);

/* The definition's expressions compiled for one form version. */
typedef struct rcomp {
    const form *f;
    int dform;            /* index in def->forms, -1 when not reported */
    expr **num, **den;    /* per figure; NULL when not of this form */
    expr **dist, **warn_if; /* per figure: distinct key, warning test */
    expr **expected;      /* context: per figure */
    expr **exempt;        /* context: per verdict */
    int *rep;             /* per figure: repeat question, -1 the interview */
    expr *key, *name, *province, *village, *include, *v_code, *v_name,
         *v_planned;
    int roster;
    expr ***at_least, ***at_most; /* context: per condition, per test */
    expr **need, **prio;
} rcomp;

/* Everything a run carries. */
typedef struct rrun {
    const report_def *d;
    const catalog *cat;
    rscan *s;
    const report_opts *o;
    report_result *r;
    rcomp **comps;
    size_t ncomps;
    char **keys;          /* context keys seen in the first pass */
    size_t nkeys;
    int ctx_done;         /* the chosen context interview was evaluated */
    int ctx_dups;         /* more complete context interviews with its key */
    int village_form;     /* form whose interviews the village table counts */
    int from_store;       /* totals read from the stored figures */
    size_t fig_village;   /* report_sql.c: 1 + the index of the village of
                           * the last figure row, 0 for none */
} rrun;

/* The definition's expression src compiled for f, or NULL (no source, or
 * it does not bind: the reason is added to the report's warnings). Owned
 * by the caller. */
expr *rcomp_one(rrun *R, const form *f, const rsrc *src);
/* The compiled expressions of form version f, made on first use (owned
 * by R, freed by rcomp_free). */
rcomp *rcomp_get(rrun *R, const form *f);
/* Free c and its expressions. */
void rcomp_free(const report_def *d, rcomp *c);
/* e evaluated in frame fr of in, newly allocated ("" when e is NULL). */
char *rev_str(inst *in, inst_frame *fr, const expr *e);
/* e as a number: booleans 1/0, empty or not a number NaN. */
double rev_num(inst *in, inst_frame *fr, const expr *e);
/* Figure i's parts in interview in (c compiles it: c->num[i] is set),
 * with ivs 1; *dkey is the unit's key (newly allocated) when the figure
 * counts keys once and the interview has one, else NULL. */
racc racc_figure(const report_def *d, const rcomp *c, inst *in, size_t i,
                 char **dkey);
/* Called with one answer code of tally i, or with "" once per interview
 * that answered it. */
typedef void (*rtally_fn)(void *ctx, size_t i, const char *code);
/* Call fn for the tallied answers of form df (index in d->forms) in in. */
void report_tallies_of(const report_def *d, int df, inst *in, rtally_fn fn,
                       void *ctx);
/* The answers to f's key questions joined by \037 (newly allocated), or
 * NULL when f has none or one is missing. */
char *report_case_key(const form *f, inst *in);
/* Add one interview to the figures of its form, in acc (and vacc when
 * not NULL): units of a figure with distinct wait in R's result. */
void racc_interview(rrun *R, const rcomp *c, inst *in, racc *acc, racc *vacc);

/* A new result of d with zero totals (report_result_free frees it). */
report_result *report_result_new(const report_def *d, const report_opts *o);
/* Free r's per-interview and per-village detail, keeping the figures,
 * statuses and villages' planned households the comparison shows; r
 * stays owned by the caller (report_result_free). */
void report_result_slim(report_result *r);
/* The clock of an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SS...", or 0. */
time_t rscan_iso_time(const char *s);

/* A keeper of def's figures (def and cat borrowed); free with
 * report_keeper_free. */
report_keeper *report_keeper_new(const report_def *d, const catalog *cat);
/* Free k (NULL is fine). */
void report_keeper_free(report_keeper *k);
/* The settle hook (store_settle_fn): store interview uuid's figures; 1
 * when stored, 0 when it has none (a draft, a form not reported), -1. */
int report_keeper_settle(void *k, store *st, const char *uuid);
/* The ids of d's forms other than the context one, into ids (room for
 * d->nforms, borrowed from d); how many. */
size_t report_def_forms(const report_def *d, const char **ids);
/* The main pass from the stored figures, when every interview it needs
 * has figures of R's definition: 0; 1 when they are not all there (the
 * caller replays); -1 with *err. */
int report_sql_pass(rrun *R, char **err);
/* The connection a scan reads by. */
struct store_reader *rscan_reader(rscan *s);
/* The UUIDs rscan_only keeps (*n of them; NULL: all). */
char *const *rscan_kept_list(const rscan *s, size_t *n);
/* Make rscan_each visit only drafts (complete ones are read from the
 * stored figures) when on. */
void rscan_drafts_only(rscan *s, int on);

/* The review states of the complete interviews of the reader's scope
 * table (store_reader_fig_scope), from the interviews read once
 * (report_scope.c): 0, or -1 with *err set. */
int rscope_states(struct store_reader *r, long counts[RSCAN_NSTATES],
                  long *superseded, char **err);
/* Put the interviews s is kept to (rscan_only) in the reader's scope
 * table (store_reader_fig_scope), once for each list: 0, or -1 with
 * *err. */
int rscan_scope_table(rscan *s, char **err);
/* The reviews of every interview in one pass (store_reader_review_totals):
 * 0; 1 when s is kept to some interviews or the schema is old (walk
 * instead); -1 with *err. */
int rscan_review_totals(rscan *s, store_review_totals *t, char **err);
/* Note interview uuid as a member of commune row row of the comparison
 * (rscan_origins must have run): 0, or -1 with *err set. */
int rscan_member_add(rscan *s, const char *uuid, long row, char **err);
/* Begin (1) or end (0) a batch of rscan_member_add: 0, or -1 with *err. */
int rscan_member_batch(rscan *s, int begin, char **err);
/* The UUIDs of commune row row, sorted, into *uuids and *n (newly
 * allocated, as each string): 0, or -1 with *err set. */
int rscan_members(rscan *s, long row, char ***uuids, size_t *n, char **err);

/* Work out every finding of R's result from its running totals. */
void report_finish(rrun *R);

/* The village of r with this code, added (with zero totals) when new. */
rvillage *report_village(report_result *r, const report_def *d,
                         const char *code);
/* The enumerator row of r for (name, form), added when new. */
renum *report_enum(report_result *r, const char *name, const char *form_id);
/* Note the case key of a complete interview of form f (skipped when a
 * key answer is missing), for finding duplicates. */
void report_note_key(report_result *r, const form *f, inst *in);
/* Complete interviews of form_id whose key another one shares. */
long report_key_duplicates(report_result *r, const char *form_id);
/* Zero every running total of r (forms, figures, villages, enumerators),
 * keeping the rows: what a worker process adds up is then its own part. */
void rpart_reset(report_result *r, const report_def *d);
/* Add n to choice code of tally i. */
void report_tally_count(report_result *r, size_t i, const char *code, long n);
/* Widen [first, last] of r to take in the time t. */
void report_note_time(report_result *r, const char *t);
/* Add the n running totals b to a. */
void racc_add(racc *a, const racc *b, size_t n);
/* Add one unit of distinct figure i (key copied). */
void report_dunit_add(report_result *r, size_t i, const char *key, double num,
                      double den);
/* Send r's running totals (and per-form duplicates) down f. */
void rpart_write(FILE *f, const report_result *r, const report_def *d);
/* Add the totals a worker sent down f to r; 0, or -1 when the stream is
 * cut short or malformed. */
int rpart_merge(FILE *f, report_result *r, const report_def *d);

/* Why a report of commune (NULL: the only one there is) cannot be made
 * over the n distinct keys of complete context (form_id) interviews:
 * several and none chosen, or commune none of them; newly allocated, or
 * NULL when it can. */
char *report_choice_problem(const char *form_id, char *const *keys,
                            size_t n, const char *commune);

/* Called with a complete context interview: its UUID, its key (the
 * commune's code) and name as the definition reads them. */
typedef int (*rctx_fn)(void *ctx, const char *uuid, const char *code,
                       const char *name);
/* Call fn for every complete context interview the scan keeps: 0, fn's
 * non-zero value, or -1 with *err set. */
int report_context_each(const report_def *def, const catalog *cat, rscan *s,
                        rctx_fn fn, void *ctx, char **err);

/* The interviews (sorted UUIDs, owned by the caller, *n of them) of the
 * communes of origin whose commune form has key o->commune, so that
 * --commune takes the same share of an office database as --communes;
 * else of the commune setting o->commune names when no commune form came
 * with it (*no_form set: the comparison's "no commune form" row); *n = 0
 * when the database holds a single commune of origin or none matches.
 * 0, or -1 with *err set. */
int report_commune_scope(const report_def *def, const catalog *cat, rscan *s,
                         const report_opts *o, char ***uuids, size_t *n,
                         int *no_form, char **err);

#endif
