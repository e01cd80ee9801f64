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

/* Write form f as an XLSForm workbook at path. Returns 0, or -1 with *err
 * set to "PATH: reason" (newly allocated). */
int xlsform_export(const form *f, const char *path, char **err);

#endif
