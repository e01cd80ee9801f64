/* form_compare.h: whether a new version of a form can replace the old one
 * while interviews are in progress on the old (khaosat validate --against).
 * Pure comparison of two loaded forms: no SQL, no printing. */
#ifndef KHAOSAT_FORM_COMPARE_H
#define KHAOSAT_FORM_COMPARE_H

#include "core/form.h"
#include "core/util.h"

/* Answers a new version would lose: those to question qid, or only those
 * using choice code when code is not NULL. */
typedef struct form_loss {
    char *qid, *code;
} form_loss;
typedef struct form_losses {
    form_loss *v;
    size_t n;
} form_losses;
/* Free the entries of l and leave it empty. */
void form_losses_free(form_losses *l);

/* Compare old with new: every change that breaks answers already taken
 * under old (a question removed, its type changed, a choice code removed,
 * a question moved in or out of a roster, another form id, the same
 * version with different content) is appended to errors; changes that may
 * make saved answers fail (required or constraint made stricter, a version
 * that does not increase) to warnings. Positions are in new's file where
 * the change has one. Each lost question or code (a question removed or
 * of another type, a choice code removed) is also appended to losses (may
 * be NULL). Entries are owned by the lists. */
void form_compare(const form *old, const form *new_form, diag_list *errors,
                  diag_list *warnings, form_losses *losses);

/* Compare two version strings: runs of digits as numbers, the rest byte by
 * byte ("2026.10" > "2026.9"). Returns <0, 0 or >0. */
int form_version_cmp(const char *a, const char *b);

#endif
