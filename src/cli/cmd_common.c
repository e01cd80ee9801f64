/* cmd_common.c: database and forms for the subcommands. */
#include "config.h"
#include "cli/cmd_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "core/i18n.h"
#include "core/ui_text.h"
#include "core/util.h"

store *cmd_open_store_new(const char *prog, const char *db_opt,
                          enum store_missing how, int *created)
{
    store *st = NULL;
    char *err = NULL;
    *created = 0;
    if (store_open_at(db_opt, how, &st, created, &err) != 0) {
        cmd_eprintf("%s: %s\n", prog, err);
        free(err);
        return NULL;
    }
    if (*created)
        cmd_eprintf(_("%s: created a new database %s\n"), prog,
                store_path(st));
    return st;
}

store *cmd_open_store(const char *prog, const char *db_opt,
                      enum store_missing how)
{
    int created;
    return cmd_open_store_new(prog, db_opt, how, &created);
}

void cmd_close_store(store *st, const char *prog, int created, int used)
{
    char *held = created && !used ? store_data_held(st, 0) : NULL;
    if (!created || used || held) {
        free(held);
        store_close(st);
        return;
    }
    char *path = xstrdup(store_path(st)), *err = NULL;
    if (store_close_and_remove(st, &err) != 0) {
        cmd_eprintf("%s: %s\n", prog, err);
        free(err);
    } else {
        cmd_eprintf(_("%s: nothing was taken in; the new database %s was "
                      "removed again\n"), prog, path);
    }
    free(path);
}

catalog *cmd_load_catalog(const char *prog, const char *forms_opt)
{
    char *notes = NULL;
    catalog *c = catalog_open(forms_opt, &notes);
    cmd_print_notes(prog, notes);
    free(notes);
    return c;
}

void cmd_print_notes(const char *prog, const char *notes)
{
    for (const char *p = notes; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xstrndup(p, n);
        cmd_eprintf("%s: %s\n", prog, line);
        free(line);
        p += n + (nl != NULL);
    }
}

long cmd_parse_count(const char *s)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (*end || errno || n < 0 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return -1;
    return n;
}

/* getopt_long's value for opts[i]: above every character, so that none is
 * taken for '?' (an error). */
#define CMD_OPT_VAL(i) (256 + (int)(i))

/* cmd_parse_options with getopt's optstring ("+": stop at the first
 * operand). */
static int parse_options(int argc, char **argv, const cmd_option *opts,
                         size_t n, const char *usage, const char *optstring)
{
    struct option *lo = xcalloc(n + 2, sizeof *lo);
    for (size_t i = 0; i < n; i++) {
        lo[i].name = opts[i].name;
        lo[i].has_arg = opts[i].flag || opts[i].value ? no_argument
                                                       : required_argument;
        lo[i].val = CMD_OPT_VAL(i);
    }
    lo[n].name = "help";
    lo[n].has_arg = no_argument;
    lo[n].val = CMD_OPT_VAL(n);
    optind = 0;         /* 0: getopt reads optstring's ordering afresh */
    int c, rc = 0;
    unsigned char *given = xcalloc(n + 1, 1);
    while (rc == 0 && (c = getopt_long(argc, argv, optstring, lo, NULL))
           != -1) {
        size_t i = (size_t)(c - CMD_OPT_VAL(0));
        if (c < CMD_OPT_VAL(0) || i > n) {
            fputs(usage, stderr);
            rc = -1;
        } else if (i == n) {
            fputs(usage, stdout);
            rc = 1;
        } else if (opts[i].flag) {
            *opts[i].flag = 1;
        } else if (!opts[i].value && given[i] && strcmp(*opts[i].str, optarg)) {
            /* Which one was meant cannot be guessed: the last would win
             * silently. */
            char *a = ui_text_safe(*opts[i].str, UI_TEXT_QUOTED);
            char *b = ui_text_safe(optarg, UI_TEXT_QUOTED);
            cmd_eprintf(_("khaosat %s: --%s given twice (%s and %s); give it once\n"),
                        argv[0], opts[i].name, a, b);
            free(a);
            free(b);
            rc = -1;
        } else {
            *opts[i].str = opts[i].value ? opts[i].value : optarg;
            given[i] = 1;
        }
    }
    free(given);
    free(lo);
    return rc;
}

int cmd_parse_options(int argc, char **argv, const cmd_option *opts, size_t n,
                      const char *usage)
{
    return parse_options(argc, argv, opts, n, usage, "");
}

int cmd_parse_leading_options(int argc, char **argv, const cmd_option *opts,
                              size_t n, const char *usage)
{
    return parse_options(argc, argv, opts, n, usage, "+");
}

/* Write s to the terminal; a prompt that cannot be shown is no reason to
 * stop. */
static void tty_say(int fd, const char *s)
{
    ssize_t n = write(fd, s, strlen(s));
    (void)n;
}

/* Read a passphrase: $KHAOSAT_PASSPHRASE, else from the terminal without
 * echo.  NULL when there is neither.  Newly allocated. */
char *cmd_read_passphrase(const char *prompt)
{
    const char *env = getenv("KHAOSAT_PASSPHRASE");
    if (env)
        return xstrdup(env);
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0)
        return NULL;
    struct termios old, quiet;
    int have = tcgetattr(fd, &old) == 0;
    if (have) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t)~ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    tty_say(fd, prompt);
    sbuf b;
    sbuf_init(&b);
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n')
        sbuf_addc(&b, c);
    if (have)
        tcsetattr(fd, TCSAFLUSH, &old);
    tty_say(fd, "\n");
    close(fd);
    return sbuf_detach(&b);
}

/* Free a passphrase, wiping it first. */
void cmd_drop_passphrase(char *p)
{
    if (p) {
        sodium_memzero(p, strlen(p));
        free(p);
    }
}

char *cmd_new_passphrase(const char *prog)
{
    char *p1 = cmd_read_passphrase(_("Passphrase for the backup: "));
    char *p2 = getenv("KHAOSAT_PASSPHRASE") || !p1
        ? NULL : cmd_read_passphrase(_("The same passphrase again: "));
    int bad = !p1 || (p2 && strcmp(p1, p2) != 0);
    if (!p1)
        fprintf(stderr, _("%s: no terminal to ask for a passphrase (or set "
                          "KHAOSAT_PASSPHRASE)\n"), prog);
    else if (p2 && strcmp(p1, p2) != 0)
        fprintf(stderr, _("%s: the two passphrases differ; nothing "
                          "written\n"), prog);
    cmd_drop_passphrase(p2);
    if (bad) {
        cmd_drop_passphrase(p1);
        return NULL;
    }
    return p1;
}
void cmd_puts_safe(const char *text, FILE *f)
{
    char *safe = ui_text_safe(text, UI_TEXT_LINES);
    fputs(safe, f);
    free(safe);
}

/* vfprintf to f through cmd_puts_safe. */
static void KS_PRINTF(2, 0) vprintf_safe(FILE *f, const char *fmt, va_list ap)
{
    char *t = xvasprintf(fmt, ap);
    cmd_puts_safe(t, f);
    free(t);
}

void cmd_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf_safe(stdout, fmt, ap);
    va_end(ap);
}

void cmd_eprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf_safe(stderr, fmt, ap);
    va_end(ap);
}

int cmd_any_readable(const char *prog, char *const *paths, int n)
{
    for (int i = 0; i < n; i++)
        if (access(paths[i], R_OK) == 0)
            return 1;
    for (int i = 0; i < n; i++) {
        int e = access(paths[i], R_OK) == 0 ? 0 : errno;
        if (e == ENOENT || e == ENOTDIR)
            cmd_eprintf(_("%s: %s: no such bundle or folder; check the "
                          "name\n"), prog, paths[i]);
        else
            cmd_eprintf(_("%s: %s: cannot read it: %s\n"), prog, paths[i],
                        strerror(e));
    }
    return 0;
}
