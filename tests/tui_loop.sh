#!/bin/sh
# tui_loop.sh: the laptop's side of the loop on its screens, in a detached
# 80x24 tmux.  The office returns one of the laptop's interviews with a
# comment and writes a downstream bundle; on the laptop, m merges it and
# says what it did; the home screen then shows "Returned by the office: 1"
# on its first line; Enter lists the returned interview with the comment,
# Enter opens it with the supervisor's comment shown first, and the
# enumerator finalises it again from the interview screen (C-f).  Started
# again, the home screen no longer shows a return; merging the same bundle
# again from the screen changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux missing"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-loop-$$
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
DB="$A"
mkdir -p "$TMP/up" "$TMP/down"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 21 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A.card" 2>/dev/null
"$K" keys trust --db "$A" --yes "$TMP/office.card" >/dev/null 2>&1
"$K" keys trust --db "$O" --yes "$TMP/A.card" >/dev/null 2>&1
"$K" export --db "$A" --to "$TMP/up" >/dev/null 2>&1
"$K" merge --db "$O" --forms "$FORMS" "$TMP/up" >/dev/null 2>&1
U=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
"$K" review --db "$O" "$U" --return --comment "Kiểm tra lại số nhân khẩu" >/dev/null 2>&1 ||
    fail "the office returns $U"
"$K" export --db "$O" --down --to "$TMP/down" >/dev/null 2>&1 || fail "export --down"

# Merge from the screen: the summary says what the office sent.
start_screen "$A"
wait_for "? help"
key m
wait_for "Directory with the bundles"
ask "$TMP/down"
wait_for "1 returned interview(s) reopened" 10
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "draft"
key q
# Returned first on the home screen, with the count.
wait_for "Returned by the office: 1 (Enter to correct them)"
screen | grep -n "Returned by the office: 1" | grep -q "^[1-4]:" ||
    fail "the returned line is not first: $(screen)"
key Enter
wait_for "Returned by the office: 1"
wait_for "Kiểm tra lại số nhân khẩu"
key Enter
# Opened: the supervisor's comment first.
wait_for "The office returned this interview for correction"
wait_for "Kiểm tra lại số nhân khẩu"
key Enter
wait_gone "The office returned this interview"
# Finalised again from the interview screen.
key C-f
wait_for "complete and saved"
key Enter
sleep 0.3
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "complete"
screen >"$TMP/after-finalise"
wait_for "? help"
wait_gone "Returned by the office"
key q
wait_exit 0

# Second pass: started again, no return is shown; the same bundle merged
# again from the screen changes nothing.
before=$(db_digest "$A")
start_screen "$A"
wait_for "? help"
if screen | grep -q "Returned by the office"; then
    fail "a finalised interview is still shown as returned"
fi
key m
wait_for "Directory with the bundles"
ask "$TMP/down"
wait_for "1 already merged" 10
key q
wait_for "? help"
key q
wait_exit 0
[ "$(db_digest "$A")" = "$before" ] || fail "merging the same bundle again changed the laptop"

# The office sees the interview finished again (its content the same:
# still "returned" there until it changes).
"$K" export --db "$A" --to "$TMP/up" >/dev/null 2>&1
run "$K" merge --db "$O" "$TMP/up"
expect_status 0
run "$K" reviews --db "$O" --state returned
expect_out_contains "$U	household"

t kill-server 2>/dev/null
finish
