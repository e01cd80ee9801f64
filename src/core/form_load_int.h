/* form_load_int.h: what the form loader's files (form_load.c, the
 * questions; form_lists.c, the choice lists) share; for src/core only. */
#ifndef KHAOSAT_FORM_LOAD_INT_H
#define KHAOSAT_FORM_LOAD_INT_H

#include "core/form.h"
#include "core/form_int.h"

/* A load in progress: the form being built and where problems go. */
typedef struct loader {
    form *f;
    diag_list *d;
    form_index lists;     /* list name -> index */
} loader;

/* Report at node n. */
#define AT(n) (n)->loc.line, (n)->loc.col

/* Copy scalar n's value (newly allocated), or report that a scalar was
 * expected for key and return NULL. */
char *form_load_scalar(loader *L, const ynode *n, const char *key);
/* Non-zero when s is a name: a letter or _, then letters, digits or _
 * (lower case only when lower_only). */
int form_load_is_name(const char *s, int lower_only);
/* A text (owned by the form once attached): a plain string in the default
 * language, or a map from language code to string; q is the question it
 * belongs to (-1 for none). */
form_text form_load_text(loader *L, const ynode *n, int q);
/* Append the attribute key = val (val is taken over) to *v. */
void form_load_attr(form_attr **v, size_t *n, const char *key, char *val);
/* The choices mapping: list name -> sequence of choices. */
void form_load_lists(loader *L, const ynode *n);

#endif
