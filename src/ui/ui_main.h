/* ui_main.h: the one thing the program needs from the screens: starting
 * them.  Kept apart from ui.h so that main.c does not see curses. */
#ifndef KHAOSAT_UI_MAIN_H
#define KHAOSAT_UI_MAIN_H

/* khaosat (no subcommand): the enumerator's and supervisor's screens.
 * Takes the arguments after the program name; returns the exit status. */
int ui_run(int argc, char **argv);

#endif
