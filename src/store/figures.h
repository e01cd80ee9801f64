/* figures.h: the report's figures stored with each complete interview.
 *
 * What an interview adds to the report (each figure's numerator and
 * denominator parts, its village, whether it is counted, its tallied
 * answers) is worked out once, when the interview is finalised or merged,
 * by a hook the report module installs (store_set_settle_hook), inside the
 * same transaction.  The rows carry the hash of the report definition,
 * the form version and the revision (head) they were computed from, so
 * that a report sees at once which ones no longer hold and computes those
 * again (store_figures_stale).  The report is then SQL aggregates over
 * these rows (store_reader_fig_*). */
#ifndef KHAOSAT_STORE_FIGURES_H
#define KHAOSAT_STORE_FIGURES_H

#include <stddef.h>

#include "store/store.h"

/* Called inside the transaction that changed interview uuid's status or
 * content (finalised, reopened, or changed by a merge): the hook stores
 * its rows for the report again when it is complete, replacing the old
 * ones (store_figures_put_unit), and returns 1; 0 when it stored nothing,
 * -1 on failure, and the old rows are cleared.  Failures are the hook's
 * to keep quiet: the next report computes what is missing. */
typedef int (*store_settle_fn)(void *ctx, store *st, const char *uuid);
/* Install fn (NULL: none) to be called as above; ctx is borrowed. */
void store_set_settle_hook(store *st, store_settle_fn fn, void *ctx);

/* The per-interview row of the report (strings borrowed). */
typedef struct store_fig_unit {
    const char *uuid;
    const char *definition;   /* hash of the report definition */
    int readable;             /* 0: no version of its form could be read */
    int included;             /* counted in figures (else excluded) */
    const char *village;      /* NULL: the form has no village */
    const char *case_key;     /* key answers joined by \037; NULL: none */
} store_fig_unit;

/* Forget interview uuid's figures; 0 or -1. */
int store_figures_clear(store *st, const char *uuid);
/* Store the unit row of an interview (replacing its old rows), tagged
 * with the interview's form version and head as they are now; 0 or -1. */
int store_figures_put_unit(store *st, const store_fig_unit *u);
/* Store figure number figure's parts for interview uuid (after its unit
 * row); dkey: the unit's key when the figure counts keys once. */
int store_figures_put(store *st, const char *uuid, int figure, double num,
                      double den, long units, long flagged, const char *dkey);
/* Store n answers code of tally number tally for interview uuid (code ""
 * marks the interview as having answered). */
int store_figures_put_tally(store *st, const char *uuid, int tally,
                            const char *code, long n);
/* The complete interviews of the nforms forms whose stored figures are
 * missing, or not those of definition, of their form version or of their
 * head: a NULL-terminated vector of UUIDs (caller frees each and it), *n
 * of them, *changed of which had figures of another definition or form
 * version.  NULL with the store's message on failure. */
char **store_figures_stale(store *st, const char *definition,
                           const char *const *forms, size_t nforms,
                           long *n, long *changed);

#endif
