/* bench_xlsform.c: speed of import-xlsform on a large workbook, next to
 * its floor measured in the same run: reading the same workbook's cells
 * (unzip and XML parse, xlsx_read) is work the import cannot avoid, so the
 * ratio import / read says what the mapping itself costs. A mapping that
 * went quadratic in names or lists would show as a ratio in the hundreds.
 *
 * The workbook: 20,000 questions named with '-' (all renamed), each
 * referring to the one before in a relevance and a label, and 2,000
 * choice lists of 10 choices. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "core/util.h"
#include "xlsform/xlsform.h"
#include "xlsform/xlsx_read.h"

/* Monotonic seconds. */
static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Write the workbook to path. */
static void bench_write(const char *path, int nq, int nlists)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *s = workbook_add_worksheet(wb, "survey");
    const char *hdr[] = {"type", "name", "label::Tiếng Việt (vi)",
                         "label::English (en)", "relevant"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(s, 0, (lxw_col_t)c, hdr[c], NULL);
    char buf[128];
    for (int i = 0; i < nq; i++) {
        lxw_row_t r = (lxw_row_t)i + 1;
        snprintf(buf, sizeof buf, "select_one list-%d", i % nlists);
        worksheet_write_string(s, r, 0, i % 2 ? buf : "integer", NULL);
        snprintf(buf, sizeof buf, "q-%d", i);
        worksheet_write_string(s, r, 1, buf, NULL);
        snprintf(buf, sizeof buf, "Câu %d sau ${q-%d}", i, i ? i - 1 : 0);
        worksheet_write_string(s, r, 2, buf, NULL);
        snprintf(buf, sizeof buf, "Question %d", i);
        worksheet_write_string(s, r, 3, buf, NULL);
        if (i) {
            snprintf(buf, sizeof buf, "/data/q-%d != ''", i - 1);
            worksheet_write_string(s, r, 4, buf, NULL);
        }
    }
    lxw_worksheet *c = workbook_add_worksheet(wb, "choices");
    const char *chdr[] = {"list_name", "name", "label::Tiếng Việt (vi)",
                          "label::English (en)"};
    for (int k = 0; k < 4; k++)
        worksheet_write_string(c, 0, (lxw_col_t)k, chdr[k], NULL);
    lxw_row_t r = 1;
    for (int j = 0; j < 10; j++)
        for (int l = 0; l < nlists; l++, r++) {
            snprintf(buf, sizeof buf, "list-%d", l);
            worksheet_write_string(c, r, 0, buf, NULL);
            snprintf(buf, sizeof buf, "c%d", j);
            worksheet_write_string(c, r, 1, buf, NULL);
            worksheet_write_string(c, r, 2, "Lựa chọn", NULL);
            worksheet_write_string(c, r, 3, "Choice", NULL);
        }
    if (workbook_close(wb) != LXW_NO_ERROR) {
        fprintf(stderr, "bench: cannot write %s\n", path);
        exit(1);
    }
}

int main(void)
{
    const int nq = 20000, nlists = 2000;
    char dir[] = "/tmp/khaosat-bench-xlsform.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *path = xasprintf("%s/big.xlsx", dir);
    bench_write(path, nq, nlists);

    double t0 = bench_now();
    xlsx_book book;
    char *err = NULL;
    if (xlsx_read(path, &book, &err)) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    double t_read = bench_now() - t0;
    xlsx_book_free(&book);

    t0 = bench_now();
    char *yaml = NULL;
    diag_list notes;
    diag_init(&notes);
    if (xlsform_import(path, &yaml, &notes, &err)) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    double t_import = bench_now() - t0;
    printf("import-xlsform (%d questions, %d lists, %zu notes): %.1f ms; "
           "reading its cells alone: %.1f ms; ratio %.2f\n",
           nq, nlists, notes.n, t_import * 1e3, t_read * 1e3, t_import / t_read);
    diag_free(&notes);
    free(yaml);
    unlink(path);
    rmdir(dir);
    free(path);
    return 0;
}
