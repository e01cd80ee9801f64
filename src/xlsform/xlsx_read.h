/* xlsx_read.h: the cells of an Office Open XML workbook (.xlsx), read with
 * libzip and libxml2 within fixed size bounds, for the XLSForm importer. */
#ifndef KHAOSAT_XLSX_READ_H
#define KHAOSAT_XLSX_READ_H

#include <stddef.h>

/* One non-empty cell: 0-based row and column, its text as shown (shared
 * and inline strings resolved, numbers as written in the file). */
typedef struct xlsx_cell {
    unsigned row, col;
    char *text;
} xlsx_cell;

/* A worksheet's non-empty cells, sorted by row, then column. */
typedef struct xlsx_sheet {
    char *name;
    xlsx_cell *cells;
    size_t ncells;
} xlsx_sheet;

typedef struct xlsx_book {
    xlsx_sheet *sheets;
    size_t nsheets;
} xlsx_book;

/* Largest uncompressed part read, in bytes, and most cells and shared
 * strings accepted: far above any questionnaire, far below what would
 * exhaust an old laptop. */
#define XLSX_MAX_PART (16u << 20)
#define XLSX_MAX_CELLS 200000u
#define XLSX_MAX_COLS 1024u

/* Read every worksheet of the .xlsx at path into *book. Returns 0, or -1
 * with *err set to "PATH: reason" (newly allocated). */
int xlsx_read(const char *path, xlsx_book *book, char **err);
/* The sheet named name (ASCII case ignored), or NULL. */
const xlsx_sheet *xlsx_sheet_find(const xlsx_book *book, const char *name);
/* Free everything book owns. */
void xlsx_book_free(xlsx_book *book);
/* The A1-style name of a cell ("C42"), newly allocated. */
char *xlsx_cell_name(unsigned row, unsigned col);

#endif
