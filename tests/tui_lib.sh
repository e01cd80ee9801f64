# tests/tui_lib.sh: helpers for the screen tests, which drive khaosat in a
# detached tmux. Source it after lib.sh; the test sets SOCK (the tmux
# server's socket name), DB (the database it checks) and its own start,
# which runs khaosat writing its exit status to $TMP/status.
command -v tmux >/dev/null 2>&1 || { echo "tmux is missing: skipped"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 is missing: skipped"; exit 77; }
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# t ARGS...: run a tmux command on the test server.
t() { tmux -L "$SOCK" "$@"; }

# wait_exit STATUS: khaosat ends (within 5 s) with STATUS.
wait_exit() {
    ks_checks=$((ks_checks + 1))
    n=50
    while [ "$n" -gt 0 ] && [ ! -s "$TMP/status" ]; do
        sleep 0.1
        n=$((n - 1))
    done
    got=$(cat "$TMP/status" 2>/dev/null)
    [ "$got" = "$1" ] || fail "khaosat should have exited with $1, got '$got'"
}

# screen: the visible text.
screen() { t capture-pane -p; }

# wait_for TEXT [SECONDS]: poll the screen until TEXT shows (5 s default).
wait_for() {
    ks_checks=$((ks_checks + 1))
    n=$(( ${2:-5} * 10 ))
    while [ "$n" -gt 0 ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        n=$((n - 1))
    done
    fail "screen never showed '$1'; it shows:"
    screen >&2
    return 1
}

# wait_gone TEXT: poll until TEXT is no longer on the screen.
wait_gone() {
    ks_checks=$((ks_checks + 1))
    n=50
    while [ "$n" -gt 0 ]; do
        screen | grep -qF -- "$1" || return 0
        sleep 0.1
        n=$((n - 1))
    done
    fail "screen still shows '$1'"
}

# tui_run NAME COLS ROWS [TERM]: run khaosat on $DB with the forms of
# $FORMS in a fresh COLSxROWS window with that terminal type (screen when
# none), on a new tmux server named after NAME; its exit status goes to
# $TMP/status. The offer to resume is passed as pass_resume says.
tui_run() {
    t kill-server 2>/dev/null
    starts=$((${starts:-0} + 1))
    SOCK=khaosat-$1-$$-$starts
    rm -f "$TMP/status"
    t -f /dev/null new-session -d -x "$2" -y "$3" \
        "exec 3<&0; env TERM=${4:-screen} LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE= $KHAOSAT --db $DB --forms $FORMS <&3 3<&- & wait \$!; echo \$? >$TMP/status; sleep 600"
    pass_resume
}

# pass_resume: once the program shows its first screen, answer its offer
# to resume the last unfinished interview (when it makes one) with "n",
# to the home list, as the tests that start from home expect; with
# KEEP_RESUME=1 the offer is left for the test to answer.
pass_resume() {
    [ "${KEEP_RESUME:-0}" = 1 ] && return 0
    n=100
    while [ "$n" -gt 0 ] && [ -z "$(screen | tr -d ' \n')" ]; do
        sleep 0.1
        n=$((n - 1))
    done
    sleep 0.2
    if screen | grep -qE 'khaosat: (resume|làm tiếp)\?'; then
        t send-keys n
        wait_gone "khaosat: "
    fi
    return 0
}

# text TEXT: type literal text; key NAME...: press keys.
text() { t send-keys -l -- "$1"; }
key() { t send-keys "$@"; sleep 0.15; }

# expect_sql QUERY WANT: the database $DB gives WANT.
expect_sql() {
    ks_checks=$((ks_checks + 1))
    got=$(sqlite3 "$DB" "$1")
    [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"
}

# start_screen DB: run khaosat on DB with the installed forms in a fresh
# 80x24 window, in $TMP; its exit status goes to $TMP/status.
start_screen() {
    t kill-server 2>/dev/null
    # A new server on a fresh socket: reusing the socket of one just killed
    # races with its shutdown ("server exited unexpectedly").
    SOCK_BASE=${SOCK_BASE:-$SOCK}
    starts=$((${starts:-0} + 1))
    SOCK=$SOCK_BASE-s$starts
    rm -f "$TMP/status"
    t -f /dev/null new-session -d -x 80 -y 24 \
        "exec 3<&0; cd $TMP; env LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE= USER=nobody-$$ $KHAOSAT --db $1 --forms $FORMS <&3 3<&- & wait \$!; echo \$? >$TMP/status; sleep 600"
    pass_resume
}

# ask TEXT: answer a prompt, replacing what it offers.
ask() { key C-u; text "$1"; key Enter; }

# first_run NAME PLACE: on a new database's first screens, Vietnamese
# chosen, then the user's NAME and PLACE given, up to the home screen.
first_run() {
    wait_for "Tiếng Việt"
    key Down Enter
    wait_for "Enumerator name or code"
    text "$1"; key Enter
    text "$2"; key Enter
    wait_for "b browse"
}

# merge_dir DIR: m on the home screen, the bundles of DIR merged.
merge_dir() {
    key m
    wait_for "Directory with the bundles"
    ask "$1"
}

# whole TEXT: TEXT is on the screen, maybe wrapped over several lines
# (compared with the lines joined, spaces squeezed).
whole() {
    ks_checks=$((ks_checks + 1))
    n=50
    while [ "$n" -gt 0 ]; do
        screen | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1" && return 0
        sleep 0.1
        n=$((n - 1))
    done
    fail "screen never showed '$1' whole; it shows:"
    screen >&2
}

# tui_start PREFIX FORMSDIR [COLS ROWS]: run khaosat on $DB with the forms
# of FORMSDIR in a fresh window (100x30 unless given), in the language
# $TUI_LANGUAGE (none: English), on a new tmux server (reusing the socket
# of one just killed races with its shutdown). Its pid goes to $TMP/pid
# and its exit status to $TMP/status; the shell hands it the terminal as
# standard input (fd 3), which a background command would not get.
tui_start() {
    t kill-server 2>/dev/null
    starts=$((${starts:-0} + 1))
    SOCK=$1-$$-$starts
    rm -f "$TMP/pid" "$TMP/status"
    t -f /dev/null new-session -d -x "${3:-100}" -y "${4:-30}" \
        "exec 3<&0; env LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=${TUI_LANGUAGE:-} $KHAOSAT --db $DB --forms $2 <&3 3<&- & echo \$! >$TMP/pid; wait \$!; echo \$? >$TMP/status; sleep 600"
    pass_resume
}

# export_to_dir DIR: the home screen's export (e) to DIR.
export_to_dir() {
    key e
    wait_for "Directory to write the bundle to"
    key C-u; text "$1"; key Enter
}

# reopen_listed TEXT: from the home screen, open the complete interview
# whose row in the list shows TEXT and reopen it for correction (E, y).
reopen_listed() {
    key Home Down Down
    key r
    wait_for "Interviews:"
    row=$(screen | grep "^ complete" | grep -n -- "$1" | cut -d: -f1)
    [ -n "$row" ] || fail "the list does not show the interview with $1"
    while [ "${row:-1}" -gt 1 ]; do key Down; row=$((row - 1)); done
    key Enter
    wait_for "COMPLETE (read-only)"
    key E
    wait_for "(y/n)"
    key y
    wait_for "Reopened for correction"
}

# at_head_name NAME: a laptop database $DB ($TMP/laptop.db) with one draft
# household interview $U whose head_name is "Lò Thị Mới", open on the
# screen (80x24, tmux server named after NAME) at that question.
at_head_name() {
    DB=$TMP/laptop.db
    laptop laptop "Nguyễn Văn An" "Tân Lập"
    "$KHAOSAT" simulate --db "$DB" --forms "$FORMS" --form household \
        --count 1 --drafts --seed 7 >/dev/null
    U=$(sqlite3 "$DB" "SELECT uuid FROM interviews")
    "$KHAOSAT" answer --db "$DB" "$U" head_name "Lò Thị Mới" >/dev/null ||
        fail "answer"
    KEEP_RESUME=1
    open_head_name "$1"
    wait_for "Lò Thị Mới"
}

# open_head_name NAME: khaosat run on $DB (80x24, tmux server named after
# NAME), its offer to resume taken, at the question head_name.
open_head_name() {
    tui_run "$1" 80 24
    wait_for "resume?"
    key y
    wait_for "sections done"
    key C-g
    text "chủ hộ"
    key Enter
    wait_for "Họ tên chủ hộ"
}
