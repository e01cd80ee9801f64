/* ui_curses.h: the one place the curses header is chosen.  Every screen
 * includes this instead of <curses.h>, so the wide-character API (needed
 * for Vietnamese) is switched on the same way everywhere. */
#ifndef KHAOSAT_UI_CURSES_H
#define KHAOSAT_UI_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#endif
