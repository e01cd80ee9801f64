/* store_setup_use.c: which villages of the commune's set-up the
 * interviews of this database answer (a question with choices_from:
 * villages in the form version each was taken with), so that a new
 * village list never drops one in use, at the office or on a laptop;
 * and whether a household number is on its village's list. */
#include "config.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/util.h"

/* The (form, version, question) triples that take the set-up's villages. */
typedef struct village_questions {
    char **form_id, **version, **qid;
    size_t n;
} village_questions;

static void vq_free(village_questions *q)
{
    for (size_t i = 0; i < q->n; i++) {
        free(q->form_id[i]);
        free(q->version[i]);
        free(q->qid[i]);
    }
    free(q->form_id);
    free(q->version);
    free(q->qid);
}

/* Every stored form version's village questions into *q: 0, or -1. */
static int vq_load(store *st, village_questions *q)
{
    memset(q, 0, sizeof *q);
    sqlite3_stmt *s = store_prepare(st, "a set-up query",
                                    "SELECT form_id, version, source"
                                    " FROM forms ORDER BY form_id, version");
    if (!s)
        return -1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        diag_list d;
        diag_init(&d);
        form *f = form_load_string((const char *)sqlite3_column_text(s, 2),
                                   (size_t)sqlite3_column_bytes(s, 2),
                                   (const char *)sqlite3_column_text(s, 0),
                                   &d);
        for (size_t i = 0; f && d.n == 0 && i < f->nq; i++) {
            const char *from = form_meta(&f->q[i], "choices_from");
            if (!from || strcmp(from, FORM_SETUP_VILLAGES) != 0)
                continue;
            q->form_id = xrealloc(q->form_id, (q->n + 1) * sizeof *q->qid);
            q->version = xrealloc(q->version, (q->n + 1) * sizeof *q->qid);
            q->qid = xrealloc(q->qid, (q->n + 1) * sizeof *q->qid);
            q->form_id[q->n] = store_col_dup(s, 0);
            q->version[q->n] = store_col_dup(s, 1);
            q->qid[q->n++] = xstrdup(f->q[i].id);
        }
        form_free(f);
        diag_free(&d);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        vq_free(q);
        return store_fail(st, "reading the forms");
    }
    return 0;
}

/* How many interviews answer village code (one of the codes of a select
 * answer, in any repeat): >= 0, or -1. */
static long village_uses(store *st, const village_questions *q,
                         const char *code)
{
    sqlite3_stmt *s = store_prepare(st, "a set-up query",
        "SELECT count(DISTINCT a.interview) FROM answers a"
        " JOIN interviews i ON i.uuid = a.interview"
        " WHERE i.form_id = ?1 AND i.form_version = ?2 AND a.qid = ?3"
        " AND instr(' ' || a.value || ' ', ' ' || ?4 || ' ') > 0");
    if (!s)
        return -1;
    long total = 0;
    for (size_t i = 0; total >= 0 && i < q->n; i++) {
        const char *v[4] = {q->form_id[i], q->version[i], q->qid[i], code};
        store_bind_all(s, v, 4);
        if (sqlite3_step(s) == SQLITE_ROW)
            total += sqlite3_column_int64(s, 0);
        else
            total = store_fail(st, "counting the interviews of village %s",
                               code);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return total;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int store_village_dropped_in_use(store *st, const store_village *keep,
                                 size_t n, store_village_use *out)
{
    memset(out, 0, sizeof *out);
    village_questions q;
    if (vq_load(st, &q) != 0)
        return -1;
    sqlite3_stmt *s = q.n ? store_prepare(st, "a set-up query",
                                          "SELECT code, name FROM villages"
                                          " ORDER BY code") : NULL;
    int rc = q.n && !s ? -1 : 0;
    /* Sorted, so that a list of thousands is searched, not scanned. */
    const char **sorted = xcalloc(n ? n : 1, sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = keep[i].code;
    qsort(sorted, n, sizeof *sorted, by_text);
    while (rc == 0 && s && sqlite3_step(s) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(s, 0);
        if (bsearch(&code, sorted, n, sizeof *sorted, by_text))
            continue;
        long uses = village_uses(st, &q, code);
        if (uses < 0)
            rc = -1;
        else if (uses > 0) {
            out->code = store_col_dup(s, 0);
            out->name = store_col_dup(s, 1);
            out->interviews = uses;
            rc = 1;
        }
    }
    sqlite3_finalize(s);
    free(sorted);
    vq_free(&q);
    return rc;
}

void store_village_use_clear(store_village_use *u)
{
    free(u->code);
    free(u->name);
    memset(u, 0, sizeof *u);
}

int store_household_listed(store *st, const char *village, const char *number,
                           store_household_check *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = store_prepare(st, "a set-up query",
        "SELECT (SELECT count(*) FROM households WHERE village = ?1),"
        " (SELECT count(*) FROM households WHERE village = ?1"
        " AND number = ?2), (SELECT name FROM villages WHERE code = ?1)");
    if (!s)
        return -1;
    const char *v[2] = {village, number};
    store_bind_all(s, v, 2);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->listed = sqlite3_column_int64(s, 0);
        out->found = sqlite3_column_int64(s, 1) > 0;
        out->village_name = sqlite3_column_text(s, 2) ? store_col_dup(s, 2)
                                                      : NULL;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "reading the household "
                                              "list of village %s", village);
}

int store_village_of_other_commune(store *st, const char *commune,
                                   const char *code)
{
    sqlite3_stmt *s = store_prepare(st, "a set-up query",
        "SELECT EXISTS (SELECT 1 FROM commune_villages"
        " WHERE commune <> ?1 AND code = ?2)");
    if (!s)
        return -1;
    const char *v[2] = {commune, code};
    store_bind_all(s, v, 2);
    int rc = sqlite3_step(s);
    int yes = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) != 0 : -1;
    sqlite3_finalize(s);
    return yes >= 0 ? yes : store_fail(st, "looking village %s up in the "
                                       "other communes' set-ups", code);
}
