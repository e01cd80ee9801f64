/* report_scope.c: an office database's interviews read once for the
 * comparison of its communes (report --communes): where each came from
 * and its review state, kept by the reader in a temporary table
 * (store_reader_scope_load) and looked at for each commune's share, so
 * that comparing hundreds of communes reads the interviews once rather
 * than once a commune, and holds none of them in memory. */
#include "config.h"
#include "report/report_int.h"

#include <string.h>

#include "store/store_reader.h"

/* rscope_states' tally. */
typedef struct state_tally {
    long *counts, *superseded;
} state_tally;

static void state_cb(void *ctx, const char *state, int superseded, long n)
{
    static const char *const states[RSCAN_NSTATES] = {
        "unreviewed", "approved", "returned", "changed", "corrected"};
    state_tally *t = ctx;
    if (superseded) {
        *t->superseded += n;
        return;
    }
    for (int k = 0; k < RSCAN_NSTATES; k++)
        if (!strcmp(state, states[k]))
            t->counts[k] += n;
}

int rscope_states(store_reader *r, long counts[RSCAN_NSTATES],
                  long *superseded, char **err)
{
    memset(counts, 0, RSCAN_NSTATES * sizeof *counts);
    *superseded = 0;
    state_tally t = {counts, superseded};
    return store_reader_scope_states(r, state_cb, &t, err);
}
