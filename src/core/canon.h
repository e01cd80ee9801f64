/* canon.h: the one stored form of an answer, so that the same answer typed
 * two ways ("08" and "8", "85,5" and "85.50", "ễ" precomposed or with
 * combining marks) is the same bytes in the database, in keys, in
 * duplicate detection and in merges. No storage, no screen. */
#ifndef KHAOSAT_CANON_H
#define KHAOSAT_CANON_H

#include "core/form.h"

/* The canonical form of a number typed as s: spaces around it trimmed, a
 * '+' sign and leading zeros dropped ("007" -> "7", "-0" -> "0"), and for
 * a decimal (decimal non-zero) a decimal comma read as a point and
 * trailing zeros of the fraction dropped ("85,50" -> "85.5", "3.0" ->
 * "3"); a decimal with more significant digits than a double holds is
 * rounded to 15 ("100.000000000000000001" -> "100"). Newly allocated;
 * NULL when s is not such a number. */
char *canon_number(const char *s, int decimal);
/* Non-zero when s looks like a number written with a digit group
 * ("1.500", "12,345": a whole part of 1 to 3 digits not starting with 0,
 * a point or comma, exactly three digits): it may mean 1500 or 1.5, so
 * it is refused rather than guessed. */
int canon_grouped(const char *s);
/* Why s (trimmed, not empty) is not a number of type t (QT_INTEGER or
 * QT_DECIMAL), in words for the enumerator: a digit group, a fraction in
 * an integer, or not a number at all; NULL when it is one (or is empty).
 * The screen and khaosat answer both say this. Newly allocated. */
char *canon_number_problem(form_qtype t, const char *s);
/* What is wrong with date s (typed dd/mm/yyyy as on the screen, or stored
 * YYYY-MM-DD), in words for the enumerator ("no such day: 30/02/2026");
 * NULL when it is a real date. The screen and khaosat answer both say
 * this. Newly allocated. */
char *canon_date_problem(const char *s);
/* s in Unicode normalisation form C with leading and trailing white space
 * removed; invalid UTF-8 is kept as it is (only trimmed). Newly
 * allocated. */
char *canon_text(const char *s);
/* canon_text with every run of white space inside (newlines, tabs,
 * no-break spaces) made one space: a free-text answer on one line.
 * Newly allocated. */
char *canon_line(const char *s);
/* The key under which two spellings of one name are the same: canon_line
 * and then case folded ("Xã  An Bình" and "xã an bình", precomposed or
 * not, give the same key). Newly allocated. */
char *canon_name_key(const char *s);
/* The key a typed search is matched with: case folded, accents and
 * tone marks dropped, đ as d ("Thôn Đồng" and "thon dong" give the same
 * key). Newly allocated. */
char *canon_search_key(const char *s);
/* The canonical form of an answer of type t (NULL stays NULL): numbers by
 * canon_number when they are numbers, a date typed dd/mm/yyyy as
 * yyyy-mm-dd, everything else by canon_text.
 * Newly allocated. */
char *canon_answer(form_qtype t, const char *s);

#endif
