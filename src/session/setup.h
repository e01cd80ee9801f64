/* setup.h: the commune's set-up read from files and checked before it is
 * stored: the one entry point of `khaosat setup` and of any screen that
 * sets the commune up.  Errors name the file and line. */
#ifndef KHAOSAT_SETUP_H
#define KHAOSAT_SETUP_H

#include "core/catalog.h"
#include "core/expr.h"
#include "store/store.h"

/* Whether this database may change its own set-up: 0, or -1 with *err
 * (newly allocated) saying what to do when the set-up is its office's
 * (a laptop: store_setup_from_office).  setup_commune, setup_villages,
 * setup_households and setup_assign refuse the same way. */
int setup_editable(store *st, char **err);
/* Set the commune: code (five digits), name (not empty) and the code of
 * its province, which must be in provinces_csv (lines "code,name", a
 * header first: the list of provinces is data).  0, or -1 with *err
 * (newly allocated) and nothing stored. */
int setup_commune(store *st, const char *code, const char *name,
                  const char *province, const char *provinces_csv,
                  char **err);
/* Whether province is a code of provinces_csv (the list setup_commune
 * checks against): 0, or -1 with *err (newly allocated) naming the code
 * and the file. */
int setup_province_check(const char *provinces_csv, const char *province,
                         char **err);
/* setup_province_check against the province list of the forms folder
 * forms (NULL: the default one; setup_provinces_path), as a merge checks
 * the set-ups an upstream bundle carries.  0, or -1 with *err. */
int setup_province_known(const catalog *forms, const char *province,
                         char **err);
/* Limits of the set-up that laptops check in a downstream bundle: the
 * villages and the bytes of a name (village, enumerator). */
#define SETUP_MAX_VILLAGES 10000L
#define SETUP_MAX_NAME 200

/* The name of province code in provinces_csv (as for setup_commune):
 * newly allocated, or NULL when it is not there or the file is unread. */
char *setup_province_name(const char *provinces_csv, const char *code);
/* The province list to check against: list_opt when given, else
 * provinces.csv in the forms folder chosen by forms_opt
 * (catalog_default_dir).  Newly allocated. */
char *setup_provinces_path(const char *list_opt, const char *forms_opt);
/* One province of the list (strings owned by the array). */
typedef struct setup_province {
    char *code, *name;
} setup_province;
/* The provinces of provinces_csv in file order, read and checked as
 * setup_commune reads them: 0 with *out newly allocated
 * (setup_provinces_free) and *n, or -1 with *err naming the file. */
int setup_provinces(const char *provinces_csv, setup_province **out,
                    size_t *n, char **err);
/* Free a list from setup_provinces (NULL is fine). */
void setup_provinces_free(setup_province *v, size_t n);

/* The commune as set up (each newly allocated, NULL when not set). */
typedef struct setup_commune_info {
    char *code, *name, *province;
} setup_commune_info;
/* Read the commune's code, name and province: 0, or -1 (store_errmsg). */
int setup_commune_get(store *st, setup_commune_info *out);
/* Free what c holds and leave it empty. */
void setup_commune_info_clear(setup_commune_info *c);
/* Say that enumerator covers village (NULL or "": nobody does now): the
 * name is kept in NFC without the spaces around it, UTF-8 without
 * control characters, at most SETUP_MAX_NAME bytes (what laptops
 * accept).  0, or -1 with *err (newly allocated) and nothing changed. */
int setup_assign(store *st, const char *village, const char *enumerator,
                 char **err);
/* The enumerators this office knows, to assign villages to: those named
 * by the laptops' bundles merged here and those already covering a
 * village, each once, sorted.  0 with *names newly allocated
 * (setup_names_free) and *n, or -1 with *err. */
int setup_enumerators(store *st, char ***names, size_t *n, char **err);
/* Free names[0..n) and the array (NULL is fine). */
void setup_names_free(char **names, size_t n);
/* Replace the villages with those of path (UTF-8 CSV, header "code,name"
 * and optionally ",enumerator"): codes of 1 to 10 letters, digits, '-' or
 * '_', unique; names not empty, of at most SETUP_MAX_NAME bytes; every
 * field UTF-8 without control characters, kept in NFC; 1 to
 * SETUP_MAX_VILLAGES villages.  0, or -1 with *err and nothing changed;
 * *n the number stored. */
int setup_villages(store *st, const char *path, long *n, char **err);
/* Replace the household lists with those of path (header
 * "village,number,head"): villages of the set-up, numbers 1 to 9999,
 * unique in their village.  0, or -1 with *err and nothing changed. */
int setup_households(store *st, const char *path, long *n, char **err);

/* Make the forms of cat this database's: a form version the office sent
 * down (kept in the store) replaces the catalog's form of that id, so new
 * interviews take it (interviews started under another version keep it),
 * and every select question with choices_from takes the set-up's
 * villages.  0, or -1 when the store could not be read (the forms stay
 * usable). */
int setup_forms_bind(store *st, catalog *cat);

/* The values of this database's set-up that forms read with
 * setup('name') (khaosat-form(5)): enumerator, enumerator_code, commune
 * (the set-up's name, else the one typed at the first run), commune_code
 * and province_code, those that are set. Newly allocated
 * (setup_values_free). */
typedef struct setup_values setup_values;
setup_values *setup_values_load(store *st);
/* The values as the list "setup" for expr_env.lists (inst_new_with,
 * inst_set_lists); owned by v. NULL when v is NULL. */
const expr_lists *setup_values_lists(const setup_values *v);
/* Free v (NULL is fine). */
void setup_values_free(setup_values *v);

#endif
