/* form.h: the form model, loaded from khaosat's YAML form language (see
 * man/khaosat-form.5) and checked: references bound, expressions parsed,
 * dependency cycles rejected, translations complete. */
#ifndef KHAOSAT_FORM_H
#define KHAOSAT_FORM_H

#include <stddef.h>

#include "core/expr.h"
#include "core/util.h"

typedef enum form_qtype {
    QT_TEXT,
    QT_INTEGER,
    QT_DECIMAL,
    QT_SELECT_ONE,
    QT_SELECT_MULTIPLE,
    QT_DATE,
    QT_NOTE,
    QT_CALCULATE,
    QT_GROUP,
    QT_REPEAT
} form_qtype;

/* A translatable text: one entry per form language (index into
 * form.languages); an entry is NULL when that translation is missing. */
typedef char **form_text;

/* A free key/value attribute (indicator: "4.1", or a choice's filter column). */
typedef struct form_attr {
    char *key;
    char *value;
} form_attr;

typedef struct form_choice {
    char *value;          /* stable code stored as the answer */
    form_text label;
    form_attr *attrs;     /* extra columns, usable in choice_filter */
    size_t nattrs;
} form_choice;

typedef struct form_list {
    char *name;
    form_choice *choices;
    size_t nchoices;
    char **attrs;         /* names a choice_filter may use bare: "value",
                           * then each extra key in order of appearance */
    size_t nattrs;
    size_t nfallback;     /* the last nfallback choices are the form's own,
                           * kept after the set-up's replaced them
                           * (form_bind_list): never offered, valid only in
                           * an answer that holds them already */
    int line, col;
} form_list;

typedef struct form_question {
    char *id;
    form_qtype type;
    int list;             /* index in form.lists for selects, else -1 */
    form_text label, hint, required_msg, constraint_msg;
    expr *relevant, *required, *constraint, *calculation, *choice_filter;
    expr *count;          /* repeat: computed or fixed count, or NULL */
    char *default_value;  /* literal default answer, or NULL */
    expr *default_expr;   /* a default computed when the interview or the
                           * roster instance starts (today()), or NULL */
    int randomize;        /* select: offer the choices shuffled */
    expr *seed;           /* ... in the order this seed gives, or NULL */
    int read_only;
    int multiline;        /* text: answered over several lines */
    int required_always;  /* `required: true` (no expression) */
    int min_count, max_count; /* repeat bounds when count is NULL; max 0 = none */
    int parent;           /* enclosing group/repeat index, or -1 */
    int repeat;           /* nearest enclosing repeat index, or -1 */
    int depth;            /* nesting depth, 0 at top level */
    int end;              /* group/repeat: one past its last descendant */
    form_attr *meta;      /* free metadata such as indicator */
    size_t nmeta;
    int line, col;        /* where the question starts in the file */
    int *dependents;      /* questions whose expressions use this one */
    size_t ndependents;
} form_question;

typedef struct form {
    char *path;           /* file it was loaded from */
    char *id, *version;
    form_text title;
    char **languages;     /* codes, e.g. "vi", "en" */
    size_t nlang;
    int default_lang;     /* index into languages */
    form_list *lists;
    size_t nlists;
    form_question *q;     /* all questions, flattened in document order */
    size_t nq;
    int *key;             /* questions that identify a case */
    size_t nkey;
    expr *instance_name;  /* the name interviews are listed by (XLSForm's
                           * instance_name), or NULL */
    int *order;           /* calculation order (topological), length nq */
    char *source;         /* the YAML text, kept for storing with the data */
    size_t source_len;
    struct form_priv *priv; /* id index and load-time details (form_int.h) */
} form;

/* Load and check a form file. Returns the form (even with errors, when it
 * could be read at all) or NULL; every problem is appended to diags as
 * FILE:LINE:COL: message. A form with diags is not fit for interviews. */
form *form_load_file(const char *path, diag_list *diags);
/* The largest form file form_load_file reads (khaosat-form(5)): a real
 * questionnaire is tens of kilobytes; the limit keeps a wrong or hostile
 * file from taking the laptop's memory. */
#define FORM_MAX_BYTES (4L * 1024 * 1024)
/* Same, from text already in memory; name is used in messages. */
form *form_load_string(const char *text, size_t len, const char *name,
                       diag_list *diags);
/* Free a form and everything it owns (NULL is fine). */
void form_free(form *f);

/* The longest answer a question takes, in bytes. */
#define FORM_MAX_ANSWER 65536
/* The most members a roster holds (khaosat-form(5)): far more than any
 * household or commune has, and few enough that making them all at once
 * (a count answered by mistake as 1000000000) never stalls the screen. */
#define FORM_MAX_REPEAT 1000
/* Why v cannot be an answer of question q of f (the type's syntax, codes
 * of its list, length), as a constant English phrase; NULL when it can. */
const char *form_value_problem(const form *f, const form_question *q,
                               const char *v);

/* The set-up list a select question may take its choices from
 * (choices_from), as the office defines it: its villages. */
#define FORM_SETUP_VILLAGES "villages"
/* The set-up list an integer question may be checked against
 * (list_check): the household list of the interview's village. */
#define FORM_SETUP_HOUSEHOLDS "households"
/* The village question whose answer q's list_check looks the number up
 * in: the one select_one question with choices_from: villages in q's
 * repeat (or outside any, as q); -1 when q has no list_check or the form
 * has no such question or several. */
int form_list_check_village(const form *f, int q);
/* Give every select question of f whose choices_from is source the n
 * choices codes[i] (labelled labels[i] in every language) instead of its
 * own list, and make them the named list source for instance(); n == 0
 * leaves the form's own lists.  The codes of the question's own list that
 * the set-up lacks follow as the list's fallback choices (nfallback):
 * an answer taken before the set-up arrived keeps its code valid, but no
 * new answer is given one (inst_choices offers a fallback choice only to
 * the answer that holds it).  Binding again keeps them.  Strings copied.
 * Returns how many questions now take them. */
size_t form_bind_list(form *f, const char *source, char *const *codes,
                      char *const *labels, size_t n);
/* Non-zero when choice i of list l is a fallback choice (see above). */
int form_choice_is_fallback(const form_list *l, size_t i);

/* Index of the question with this id, or -1. */
int form_find(const form *f, const char *id);
/* Index of the language with this code, or -1. */
int form_lang(const form *f, const char *code);
/* The text in language lang, falling back to the default language, then to
 * any translation; "" when there is none. */
const char *form_text_get(const form *f, form_text t, int lang);
/* The metadata value for key, or NULL. */
const char *form_meta(const form_question *q, const char *key);
/* The choice of select question q with this value (a fallback choice
 * too: form_bind_list), or NULL. */
const form_choice *form_choice_find(const form *f, const form_question *q,
                                    const char *value);
/* The value of attribute key of choice c ("value" is its value), or NULL. */
const char *form_choice_attr(const form_choice *c, const char *key);
/* The value, for choice c, of bare name id (>= nq) bound in the
 * choice_filter of select question q; NULL when id is not one of them. */
const char *form_filter_value(const form *f, const form_question *q,
                              const form_choice *c, int id);
/* The choice lists of a form as a source of named lists for expressions
 * (instance('list')/root/item[...], pulldata()): each choice is a row with
 * the columns name and value (its code), label (in language *lang, read at
 * each lookup so a language switch shows at once) and its attributes. A
 * list the form lacks is looked up in `next` (say, the lists the office
 * sends down) when it is not NULL. Borrows f, lang and next. */
typedef struct form_list_source {
    const form *f;
    const int *lang;
    const expr_lists *next;
    expr_lists lists;     /* what to hand to expr_env.lists */
} form_list_source;
/* Set s up over f's lists, then next's (may be NULL). */
void form_list_source_init(form_list_source *s, const form *f,
                           const int *lang, const expr_lists *next);
/* The list of f called name, or NULL. */
const form_list *form_list_find(const form *f, const char *name);
/* The English name of a question type ("select_one", ...). */
const char *form_qtype_name(form_qtype t);

#endif
