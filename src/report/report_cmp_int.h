/* report_cmp_int.h: the comparison of communes shared by report_cmp.c
 * (grouping and ordering) and report_cmp_fmt.c (its formats and screen
 * cells); inside src/report only. */
#ifndef KHAOSAT_REPORT_CMP_INT_H
#define KHAOSAT_REPORT_CMP_INT_H

#include "report/report_emit.h"

/* One commune of the comparison. */
typedef struct rcrow {
    char *code;           /* the commune form's key, or NULL: no such form */
    char *origin;         /* the bundles' commune setting(s), as written */
    long id;              /* its members' row (rscan_members), kept when
                           * the rows are sorted */
    size_t n;             /* its interviews (superseded duplicates only
                           * with --with-superseded, as its report) */
    size_t members;       /* its interviews, every one */
    long approved, returned, conflicts, duplicates;
    report_result *r;     /* NULL when it could not be made: err says why */
    char *err;
} rcrow;

struct report_cmp {
    const report_def *def;
    rcrow *rows;
    size_t nrows;
    char *lang;
    rwarn warn;           /* interviews no commune could be found for */
    size_t norigins;      /* commune settings the interviews came under */
};

/* The commune's code as shown (its form's key, else the setting);
 * borrowed from w. */
const char *cmp_code(const rcrow *w);

#endif
