/* i18n.h: the one place that defines gettext's _() and N_(). */
#ifndef KHAOSAT_I18N_H
#define KHAOSAT_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
