#!/bin/sh
# tui_loop_delete.sh: a returned interview cannot be deleted on the
# laptop's screen.  The office returns the laptop's interview; on the
# laptop, the interview list's d on it says the office asked for
# corrections and deletes nothing (no generic "delete this draft?"
# prompt); a second try says the same.  The interview is then corrected
# and finished, and the office sees it again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux missing"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-loopdel-$$
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
DB="$A"
mkdir -p "$TMP/up" "$TMP/down"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 23 >/dev/null
office_pair office A
U=$(sqlite3 "$A" "SELECT uuid FROM interviews")
"$K" review --db "$O" "$U" --return --comment "Kiểm tra lại số nhân khẩu" >/dev/null 2>&1 ||
    fail "the office returns $U"
"$K" export --db "$O" --down --to "$TMP/down" >/dev/null 2>&1 || fail "export --down"
"$K" merge --db "$A" "$TMP/down" >/dev/null 2>&1 || fail "the laptop merges"
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "draft"
before=$(db_digest "$A")

start_screen "$A"
wait_for "Returned by the office: 1"
# The form list of the interview's form (the one whose list is not empty).
open_list() {
    for i in 1 2 3 4 5 6 7 8; do
        key Down
        key r
        wait_for "Interviews:"
        screen | grep -q "(nothing here)" || return 0
        key Escape
        wait_for "? help"
    done
    fail "no form lists the interview"
}
for pass in 1 2; do
    key Home
    open_list
    key d
    wait_for "The office returned this interview for corrections"
    wait_for "ask the office to withdraw the return"
    screen | grep -q "Delete this draft" && fail "the generic prompt is shown (pass $pass)"
    key Enter
    wait_gone "The office returned this interview"
    key Escape
    wait_for "? help"
    [ "$(db_digest "$A")" = "$before" ] || fail "trying to delete changed the laptop (pass $pass)"
done
key q
wait_exit 0
expect_sql "SELECT count(*) FROM interviews WHERE uuid = '$U'" "1"

# Corrected and finished, it goes back to the office.
"$K" finalise --db "$A" "$U" >/dev/null 2>&1 || fail "finalise $U"
"$K" export --db "$A" --to "$TMP/up" >/dev/null 2>&1
run "$K" merge --db "$O" "$TMP/up"
expect_status 0

t kill-server 2>/dev/null
finish
