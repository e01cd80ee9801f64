/* xlsform.h: XLSForm in and out. An XLSForm workbook (.xlsx with survey,
 * choices and settings sheets, as ODK and KoboToolbox read them) becomes a
 * form in khaosat's YAML language, and a khaosat form becomes such a
 * workbook, with khaosat-only attributes in extra columns. */
#ifndef KHAOSAT_XLSFORM_H
#define KHAOSAT_XLSFORM_H

#include "core/form.h"
#include "core/util.h"

/* Read the XLSForm workbook at path and write it as khaosat YAML into *yaml
 * (newly allocated). Every cell that cannot be carried, and every change
 * made on the way, is appended to notes with file "SHEET!CELL" (or the
 * sheet name alone) and no line. Returns 0, or -1 with *err set to
 * "PATH: reason" (newly allocated) when the file is not a readable
 * XLSForm. */
int xlsform_import(const char *path, char **yaml, diag_list *notes, char **err);

/* Where each part of an imported form came from. */
typedef struct xlsform_map xlsform_map;
/* xlsform_import, also giving (when map is not NULL) *map, newly
 * allocated, for xlsform_map_diags. */
int xlsform_import_mapped(const char *path, char **yaml, xlsform_map **map,
                          diag_list *notes, char **err);
/* Point each diagnostic of d about the YAML of an import at the cell it came
 * from, keeping where it is in the YAML: "survey!C12: MESSAGE
 * (FORM.yaml:40:7)". Diagnostics no cell explains are left as they are. */
void xlsform_map_diags(const xlsform_map *m, diag_list *d);
/* Free the map (NULL is fine). */
void xlsform_map_free(xlsform_map *m);

/* Write form f as an XLSForm workbook at path. Returns 0, or -1 with *err
 * set to "PATH: reason" (newly allocated). */
int xlsform_export(const form *f, const char *path, char **err);

#endif
