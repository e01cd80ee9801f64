/* ui_help.c: the help screens (the interview's keys, the home screen's
 * keys) and the interface language: asked at the first run, kept in the
 * database, switched from either help screen with L and spoken at once. */
#include "config.h"
#include "ui/ui_curses.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/ui.h"

/* The interface languages offered, Vietnamese first. */
static const char *const ui_languages[][2] = {
    {"vi", "Tiếng Việt"},
    {"en", "English"},
};

/* Speak language code from now on, whatever the locale says (a laptop
 * set to English or C still speaks Vietnamese to its enumerator). */
void ui_apply_language(const char *code)
{
    setenv("LANGUAGE", code, 1);
    textdomain(PACKAGE);    /* drops the translations looked up so far */
}

/* Keep language code in the database and speak it. */
static void ui_set_language(ui_app *a, const char *code)
{
    ui_apply_language(code);
    if (a && store_setting_set(a->st, "ui_lang", code))
        ui_status(store_errmsg(a->st), UI_ERROR);
}

/* The first run asks the interface language before anything else,
 * unless the database already has one. */
void ui_language_first_run(ui_app *a)
{
    char *have = NULL;
    if (!store_setting_get(a->st, "ui_lang", &have) && have) {
        free(have);
        return;
    }
    char *names[2] = {(char *)ui_languages[0][1], (char *)ui_languages[1][1]};
    size_t sel = 0;
    int k = ui_pick("khaosat: Ngôn ngữ / Language", "Enter",
                    names, NULL, 2, &sel);
    ui_set_language(a, ui_languages[k >= 0 ? k : 0][0]);
}

/* Help: switch the interface to the next language and keep it. */
static void ui_next_language(void)
{
    const char *cur = getenv("LANGUAGE");
    size_t n = sizeof ui_languages / sizeof *ui_languages, next = 0;
    for (size_t i = 0; i < n; i++)
        if (cur && !strncmp(cur, ui_languages[i][0], 2))
            next = (i + 1) % n;
    ui_set_language(ui_current_app(), ui_languages[next][0]);
}

/* A part of a help screen: a heading, then key and meaning per line. */
typedef struct help_part {
    const char *heading;          /* msgid */
    const char *const (*keys)[2]; /* msgids */
    size_t n;
    int width;                    /* of the key column */
} help_part;

/* Show the parts with the language key last; L switches the interface
 * language and shows the help again in it at once. */
static void help_show(const help_part *parts, size_t nparts)
{
    for (;;) {
        sbuf b;
        sbuf_init(&b);
        for (size_t p = 0; p < nparts; p++) {
            sbuf_addf(&b, "%s%s\n\n", p ? "\n" : "", _(parts[p].heading));
            for (size_t i = 0; i < parts[p].n; i++)
                sbuf_addf(&b, "%-*s %s\n", parts[p].width,
                          _(parts[p].keys[i][0]), _(parts[p].keys[i][1]));
        }
        sbuf_addf(&b, "\n%-*s %s\n", parts[0].width, "L",
                  _("switch the interface language (Tiếng Việt / English); it is kept"));
        int k = ui_pager(_("Keys"), _("L language   Esc close"), b.s, 1, "Ll",
                         NULL);
        sbuf_free(&b);
        if (k != 'L' && k != 'l')
            return;
        ui_next_language();
    }
}

void ui_help(void)
{
    static const char *const keys[][2] = {
        {N_("Enter, Tab"), N_("save the answer and go to the next question")},
        {N_("Shift-Tab, PgUp, Ctrl-P"), N_("go back one question")},
        {N_("PgDn, Ctrl-N"), N_("go to the next question without changing the answer")},
        {N_("Up, Down"), N_("move in a list of choices")},
        {N_("0-9"), N_("pick (or tick) the choice with that code; where codes are not numbers, choice number 1-9")},
        {N_("Letters"), N_("in a long list of choices: show only those that match")},
        {N_("Space"), N_("pick a choice; tick or untick it in a multiple choice")},
        {N_("Left, Right, Home, End"), N_("move in typed text")},
        {N_("Backspace, Delete"), N_("delete a character of typed text")},
        {N_("Ctrl-U"), N_("clear the typed text")},
        {N_("a, Insert"), N_("in a list of members: add a member")},
        {N_("x, Delete"), N_("in a list of members: remove one (asks first)")},
        {N_("Ctrl-G"), N_("jump to any question")},
        {N_("Ctrl-R"), N_("review answered, unanswered and invalid questions")},
        {N_("Ctrl-F"), N_("finish the interview (checks every question)")},
        {N_("Ctrl-L"), N_("switch the form language")},
        {N_("Ctrl-T"), N_("show the whole question and its hint")},
        {N_("Ctrl-E, F2"), N_("a note on this question, kept with the answer (emptied: removed)")},
        {N_("F1, ?"), N_("this help")},
        {N_("Esc, Ctrl-X"), N_("back to the home screen (answers are saved)")},
    };
    help_part part = {N_("Every confirmed answer is saved at once."), keys,
                      sizeof keys / sizeof *keys, 24};
    help_show(&part, 1);
}

void ui_help_home(void)
{
    static const char *const keys[][2] = {
        {N_("Enter, n"), N_("start a new interview of the highlighted form")},
        {N_("r"), N_("the interviews of the highlighted form")},
        {N_("s"), N_("setup: enumerator and commune")},
        {N_("e"), N_("export new and changed interviews to a USB stick")},
        {N_("m"), N_("merge every bundle of a directory (a USB stick)")},
        {N_("D"), N_("office: bundles for the laptops (returns, set-up, "
                     "forms), as export --down")},
        {N_("b"), N_("browse all interviews; approve or return them")},
        {N_("c"), N_("resolve the conflicts of merges; see duplicates")},
        {N_("R"), N_("the indicator report")},
        {N_("k"), N_("keys: this database's fingerprint and trusted cards")},
        {N_("B"), N_("back up the database to a USB stick, checked")},
        {N_("S"), N_("office: the commune's set-up (commune, villages, "
                     "household lists, enumerators), as khaosat setup")},
        {N_("F1, ?"), N_("this help")},
        {N_("q, Esc"), N_("quit")},
    };
    static const char *const office[][2] = {
        {N_("v, e, s, f"), N_("browse: next village, enumerator, status, form")},
        {N_("x"), N_("browse: clear the filters")},
        {N_("a"), N_("interview view: approve")},
        {N_("t, r"), N_("interview view: return with a comment")},
        {N_("Left, Right"), N_("conflict: take mine (left) or theirs (right)")},
        {N_("Up, Down"), N_("conflict: previous or next conflicting answer")},
        {N_("Enter, s"), N_("conflict: record the choices as a new revision")},
        {N_("d"), N_("conflicts: the possible duplicates")},
        {N_("w, t, x"), N_("keys: write this card, trust a card, revoke one")},
        {N_("c, v, h"), N_("set-up: the commune; load the villages or the "
                           "household lists from a CSV file")},
        {N_("a, x"), N_("set-up: assign an enumerator to the village; "
                        "clear it")},
        {N_("c, s"), N_("report of several communes: compare them; order "
                        "the comparison")},
    };
    help_part parts[2] = {
        {N_("Home screen"), keys, sizeof keys / sizeof *keys, 14},
        {N_("Supervisor's screens"), office, sizeof office / sizeof *office, 14},
    };
    help_show(parts, 2);
}
