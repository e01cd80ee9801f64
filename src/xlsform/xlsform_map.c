/* xlsform_map.c: where each part of an imported form came from, so that
 * the errors found in the YAML written are reported against the cells a
 * designer edits ("survey!C12: ..."), not only against the YAML. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xlsform/xlsform.h"
#include "xlsform/xlsform_int.h"

/* Bring im->line and im->col up to the end of the YAML written so far;
 * columns count characters, as the YAML reader's do. */
static void map_advance(xf_import *im)
{
    if (im->line == 0)
        im->line = im->col = 1;
    for (; im->seen < im->out.len; im->seen++) {
        unsigned char c = (unsigned char)im->out.s[im->seen];
        if (c == '\n') {
            im->line++;
            im->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            im->col++;
        }
    }
}

void xf_mark_at(xf_import *im, const xf_sheet *s, int row, unsigned col)
{
    map_advance(im);
    xlsform_map *m = &im->map;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->v = xrealloc(m->v, m->cap * sizeof *m->v);
    }
    m->v[m->n++] = (xf_mark){im->line, im->col, s->name, row, col};
}

void xf_mark_kind(xf_import *im, xf_sheet *s, xf_kind kind, int lang)
{
    xf_mark_at(im, s, (int)s->row, xf_col_of(s, kind, lang));
}

/* The last mark at or before line, col; NULL when there is none. */
static const xf_mark *map_find(const xlsform_map *m, int line, int col)
{
    size_t lo = 0, hi = m->n;   /* marks before lo are at or before */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const xf_mark *k = &m->v[mid];
        if (k->line < line || (k->line == line && k->col <= col))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &m->v[lo - 1] : NULL;
}

void xlsform_map_diags(const xlsform_map *m, diag_list *d)
{
    if (!m)
        return;
    for (size_t i = 0; i < d->n; i++) {
        diag *e = &d->v[i];
        const xf_mark *k = e->line > 0 ? map_find(m, e->line, e->col > 0 ? e->col : 1)
                                       : NULL;
        if (!k)
            continue;
        char *where = NULL;
        if (k->row >= 0) {
            char *cell = xlsx_cell_name((unsigned)k->row, k->cell);
            where = xasprintf("%s!%s", k->sheet, cell);
            free(cell);
        } else {
            where = xstrdup(k->sheet);
        }
        char *yaml = diag_format(&(diag){e->file, e->line, e->col, ""});
        /* "FILE:LINE:COL: " without its last ": " */
        yaml[strlen(yaml) - 2] = '\0';
        char *msg = xasprintf("%s (%s)", e->msg, yaml);
        free(yaml);
        free(e->file);
        free(e->msg);
        e->file = where;
        e->msg = msg;
        e->line = e->col = 0;
    }
}

void xlsform_map_free(xlsform_map *m)
{
    if (!m)
        return;
    free(m->v);
    free(m);
}
