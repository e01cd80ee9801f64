/* form_value.c: whether a stored answer can be an answer of its question
 * at all, whatever the other answers: the type's syntax, select codes
 * from the question's list, a bounded length.  Used on answers that come
 * from outside (bundles), where the interview's rules never ran. */
#include "config.h"
#include "core/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/util.h"

/* Non-zero when s is an optionally signed run of 1 to 18 digits. */
static int is_integer(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t n = strspn(s, "0123456789");
    return n > 0 && n <= 18 && s[n] == '\0';
}

/* Non-zero when s is a real calendar date YYYY-MM-DD. */
static int is_date(const char *s)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                31};
    if (strlen(s) != 10 || strspn(s, "0123456789-") != 10 || s[4] != '-'
        || s[7] != '-')
        return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (m < 1 || m > 12 || d < 1 || y < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Non-zero when every space-separated code of v is in q's list, none
 * twice, and a select_one has exactly one. */
static int codes_ok(const form *f, const form_question *q, const char *v)
{
    if (q->list < 0)
        return 0;
    char *copy = xstrdup(v), *save = NULL;
    int ok = 1, count = 0;
    const char *seen[64];
    for (char *t = strtok_r(copy, " ", &save); t && ok;
         t = strtok_r(NULL, " ", &save)) {
        ok = form_choice_find(f, q, t) != NULL && count < 64;
        for (int i = 0; ok && i < count; i++)
            ok = strcmp(seen[i], t) != 0;
        if (ok)
            seen[count++] = t;
    }
    free(copy);
    return ok && count > 0 && (q->type != QT_SELECT_ONE || count == 1);
}

const char *form_value_problem(const form *f, const form_question *q,
                               const char *v)
{
    if (strlen(v) > FORM_MAX_ANSWER)
        return "longer than an answer can be";
    char *num;
    switch (q->type) {
    case QT_INTEGER:
        return is_integer(v) ? NULL : "not an integer";
    case QT_DECIMAL:
        num = canon_number(v, 1);
        free(num);
        return num ? NULL : "not a number";
    case QT_DATE:
        return is_date(v) ? NULL : "not a date (YYYY-MM-DD)";
    case QT_SELECT_ONE:
    case QT_SELECT_MULTIPLE:
        return codes_ok(f, q, v) ? NULL : "not a code of the question's list";
    case QT_NOTE:
    case QT_GROUP:
    case QT_REPEAT:
        return "an answer to something that is not a question";
    default:
        return NULL;
    }
}
