/* form_int.h: what the form loader, checker and accessors share and no
 * other module needs: the id index and where things were in the file. */
#ifndef KHAOSAT_FORM_INT_H
#define KHAOSAT_FORM_INT_H

#include <stddef.h>

#include "core/form.h"

/* Deepest YAML nesting accepted; a form needs two levels per group, so this
 * allows about thirty nested groups while bounding recursion on hostile
 * input. */
#define FORM_MAX_DEPTH 64

/* Where a YAML node sits in the file, with what is needed to turn a column
 * inside a scalar's value into a column of the file. */
typedef struct form_loc {
    int line, col;        /* 1-based start of the node */
    int style;            /* yaml_scalar_style_t of a scalar, else 0 */
    int one_line;         /* the node starts and ends on the same line */
} form_loc;

/* The expressions a question may carry, in the order they are checked. */
enum form_slot {
    FS_RELEVANT,
    FS_REQUIRED,
    FS_CONSTRAINT,
    FS_CALCULATION,
    FS_CHOICE_FILTER,
    FS_COUNT,
    FS_DEFAULT,
    FS_SEED,
    FS_NSLOTS
};

/* An expression's text, kept from loading until it is checked. */
typedef struct form_src {
    char *text;           /* NULL when the question has none */
    form_loc loc;
} form_src;

/* A ${name} written in a text (label interpolation) or a key entry, to be
 * resolved once every question id is known. */
typedef struct form_pending {
    int q;                /* question the text belongs to, or -1 */
    char *name;
    int line, col;
} form_pending;

/* Per-question details the public struct does not carry. */
typedef struct form_qextra {
    form_src src[FS_NSLOTS];
    int id_line, id_col;  /* where the id was written (0 when missing) */
    int list_line, list_col; /* the type node, for list errors */
    int list_check_line, list_check_col; /* `list_check` (0: none) */
    form_loc default_loc; /* where `default` was written (line 0: none) */
    int *text_refs;       /* questions interpolated in its texts */
    size_t ntext_refs;
} form_qextra;

/* A string -> index hash table (open addressing, power-of-two size). */
typedef struct form_index {
    const char **keys;
    int *vals;
    size_t cap, n;
} form_index;

typedef struct form_priv {
    form_index ids;       /* question id -> index */
    form_qextra *qx;      /* parallel to form.q */
    size_t qx_cap;
    form_pending *texts;  /* ${refs} found in texts */
    size_t ntexts, texts_cap;
    form_pending *keys;   /* entries of form.key, by name */
    size_t nkeys, keys_cap;
    size_t *lines;        /* byte offset where each line of source starts */
    size_t nlines;
    int lang_known;       /* languages were declared correctly */
    form_src instance_name; /* the form's instance_name, until checked */
} form_priv;

/* Slot names as written in the file ("relevant", ...). */
extern const char *const form_slot_names[FS_NSLOTS];

/* Make an empty index. */
void form_index_init(form_index *ix);
/* Add key -> val (key is borrowed and must outlive the index). Returns the
 * existing value when key is already present (nothing is added), else -1. */
int form_index_put(form_index *ix, const char *key, int val);
/* The value for key, or -1. */
int form_index_get(const form_index *ix, const char *key);
/* Free the index's storage (not the keys). */
void form_index_free(form_index *ix);

/* Report what loads and binds but would damage data (form_lint.c): run
 * after every expression is bound. */
void form_lint(form *f, diag_list *d);

/* Report unknown key `key` of a mapping at line/col, among the known keys
 * (where names the level): with the fix when it is an XLSForm spelling
 * (label::vi, repeat_count). */
void form_unknown_key(form *f, diag_list *d, int line, int col,
                      const char *key, const char *const *keys, size_t nkeys,
                      const char *where);

/* Record a diagnostic at 1-based line/col of f's file. */
void form_diag(form *f, diag_list *d, int line, int col, const char *fmt, ...)
    KS_PRINTF(5, 6);
/* The file column of character ccol (1-based) of a scalar's value at loc,
 * when the scalar is on one line; otherwise the column of the node. */
int form_loc_column(const form *f, const form_loc *loc, int ccol);
/* A new question slot appended to f (zeroed, list/parent/repeat -1). */
int form_add_question(form *f);
/* Record a pending reference (the name is copied). */
void form_pending_add(form_pending **v, size_t *n, size_t *cap, int q,
                      const char *name, size_t len, int line, int col);

/* A YAML node kind. */
enum { YN_SCALAR, YN_SEQ, YN_MAP };

/* A YAML node. A mapping's kids are its keys and values interleaved. */
typedef struct ynode {
    int kind;
    form_loc loc;
    const char *str;      /* scalar value, NUL-terminated */
    size_t len;
    struct ynode **kids;
    size_t n;             /* number of kids */
} ynode;

typedef struct arena_block arena_block;

/* The node tree of a form file and the memory it lives in. */
typedef struct form_yaml {
    form *f;
    diag_list *d;
    arena_block *arena;
    ynode **stack;        /* finished nodes waiting for their container */
    size_t nstack, stack_cap;
} form_yaml;

/* Check that f->source is UTF-8, index its lines and build its node tree;
 * NULL (with a diagnostic) when it is not usable YAML. */
ynode *form_yaml_load(form_yaml *y, form *f, diag_list *d);
/* Free the tree and its memory. */
void form_yaml_free(form_yaml *y);

/* Build the model from YAML text; problems go to d. Returns NULL when the
 * text is not usable YAML. Does not resolve question references. */
form *form_parse_yaml(const char *text, size_t len, const char *name,
                      diag_list *d);
/* Bind references, parse expressions, build dependents and order, check
 * keys and cycles. */
void form_check(form *f, diag_list *d);

#endif
