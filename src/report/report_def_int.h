/* report_def_int.h: what report_def.c shares with report_def_yaml.c, the
 * reading of a report definition's YAML. Inside src/report only. */
#ifndef KHAOSAT_REPORT_DEF_INT_H
#define KHAOSAT_REPORT_DEF_INT_H

#include <yaml.h>

#include "core/util.h"
#include "report/report_int.h"

/* What the loader carries around. */
typedef struct rload {
    yaml_document_t *doc;
    report_def *d;
    diag_list *diags;
    int errors;
} rload;

/* Record a problem at node n (its line and column) and count it. */
void rl_err(rload *L, const yaml_node_t *n, const char *fmt, ...)
    KS_PRINTF(3, 4);
/* The scalar text of n (borrowed), or NULL when n is not a scalar. */
const char *rl_str(const yaml_node_t *n);
/* The value of key in mapping n (borrowed), or NULL. */
yaml_node_t *rl_get(rload *L, yaml_node_t *n, const char *key);
/* Complain about keys of mapping n not in the NULL-terminated allowed. */
void rl_keys(rload *L, yaml_node_t *n, const char *what,
             const char *const *allowed);
/* A copy of the scalar under key (the caller's), or NULL; a required one
 * that is missing is a problem. */
char *rl_scalar(rload *L, yaml_node_t *n, const char *key, int required,
                const char *what);
/* The required id of an entry (the caller's); "?" when it has none. */
char *rl_id(rload *L, yaml_node_t *n, const char *what);
/* The expression under key with its position, into out (out owns it). */
void rl_src(rload *L, yaml_node_t *n, const char *key, int required,
            const char *what, rsrc *out);
/* A translated text under key, into out (out owns it). */
void rl_text(rload *L, yaml_node_t *n, const char *key, int required,
             const char *what, rtext *out);
/* The items of sequence key of mapping top (borrowed; none when absent). */
yaml_node_item_t *rl_seq(rload *L, yaml_node_t *top, const char *key,
                         size_t *n);

#endif
