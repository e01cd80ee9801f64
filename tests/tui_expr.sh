#!/bin/sh
# tui_expr.sh: expressions through the interview screen: default: today()
# shown and saved when the interview starts, a name checked with a Unicode
# regex (\p{L}), a select offered in ODK's shuffled order for its seed (the
# same after resuming), and a note whose label reads a choice list with
# instance(). The database is read with sqlite3 to check what was saved.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-expr-$$-0
starts=0
DB=$TMP/db

# start: run khaosat on the expression form in a fresh 100x30 window.
start() {
    t kill-server 2>/dev/null
    starts=$((starts + 1))
    SOCK=khaosat-expr-$$-$starts
    rm -f "$TMP/pid" "$TMP/status"
    t -f /dev/null new-session -d -x 100 -y 30 \
        "exec 3<&0; env LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE= $KHAOSAT --db $DB --forms $TESTDATA/tui_expr <&3 3<&- & echo \$! >$TMP/pid; wait \$!; echo \$? >$TMP/status; sleep 600"
    pass_resume
}

# order: the choice labels on the screen, in the order shown.
order() { screen | grep -o 'Loại-[A-F]' | sed 's/Loại-//' | tr -d '\n'; }

# expect_order WANT: the choices are offered in the order WANT.
expect_order() {
    ks_checks=$((ks_checks + 1))
    got=$(order)
    [ "$got" = "$1" ] || fail "choices offered as '$got', want '$1'"
}

today=$(date +%Y-%m-%d)
today_shown=$(date +%d/%m/%Y)

# --- 1. a new interview: the date is today's, before anything is typed.
start
# The first run asks the interface language, Vietnamese first.
wait_for "Tiếng Việt"
key Down Enter
wait_for "Enumerator name or code"
text "Lê An"; key Enter
text "Tân Lập"; key Enter
wait_for "Phiếu biểu thức"
key Enter
wait_for "Ngày phỏng vấn"
wait_for "$today_shown"
expect_sql "select value from answers where qid = 'visit'" "$today"
key Enter

# --- 2. a name with a digit fails the \p{L} check; a Vietnamese name passes.
wait_for "Họ tên"
text "Nguyễn 2"; key Enter
wait_for "Chỉ chữ cái"
key BSpace
text "Văn An"; key Enter
wait_for "Cây trồng"

# --- 3. the choices in ODK's order for seed 42; the second shown is F.
wait_for "6. Loại-E"
expect_order "AFCBDE"
key 2
wait_for "Đã chọn Loại-F"
expect_sql "select value from answers where qid = 'name'" "Nguyễn Văn An"
expect_sql "select value from answers where qid = 'crop'" "F"

# --- 4. killed and resumed: the same date, the same order, F still chosen.
kill -9 "$(cat "$TMP/pid")"
wait_exit 137
start
wait_for "drafts 1"
key r
wait_for "draft"
key Enter
wait_for "Đã chọn Loại-F"
key PageUp
wait_for "Cây trồng"
wait_for "6. Loại-E"
expect_order "AFCBDE"
key 4
wait_for "Đã chọn Loại-B"
expect_sql "select value from answers where qid = 'crop'" "B"
key PageUp
key PageUp
key PageUp
wait_for "Ngày phỏng vấn"
wait_for "$today_shown"
expect_sql "select count(*) || '|' || max(value) from answers where qid = 'visit'" "1|$today"
key Escape
sleep 0.3
wait_for "Interviews:"
key Escape
sleep 0.3
wait_for "drafts 1"
key q
wait_exit 0

finish
