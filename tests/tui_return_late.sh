#!/bin/sh
# tui_return_late.sh: on the laptop's screens (detached 80x24 tmux), a
# return that reaches an interview the enumerator changed and finalised
# since.  m merges it and names the interview with the comment; it is not
# reopened, but the home screen counts it among "Returned by the office",
# the list gives its comment marked as about an earlier version, and
# opening it shows the supervisor's comment first, saying so.  Reopened
# (E) and finalised again (C-f), it is no longer shown as returned; the
# same bundle merged again changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux missing"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-late-$$
. "$(dirname "$0")/return_late_fixture.sh"
DB="$A"
U=$X
give_back "$U" "$COMMENT"
# The enumerator changes U meanwhile.
change "$U" "Hà Quang Nam B"

start_screen "$A"
wait_for "? help"
merge_dir "$TMP/down"
wait_for "0 returned interview(s) reopened" 10
whole "returned by the office, but changed here since: not reopened; the comment is shown on the interview: $COMMENT"
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "complete"
key q
# Counted first on the home screen, listed with its comment.
wait_for "Returned by the office: 1 (Enter to correct them)"
key Enter
wait_for "Returned by the office: 1"
whole "(earlier version) $COMMENT"
key Enter
# Opened: the comment first, about an earlier version.
wait_for "Returned by the office (an earlier version)"
whole "The office returned an earlier version of this interview"
whole "$COMMENT"
key Enter
wait_gone "an earlier version of this interview"
# Reopened and finalised again: no longer returned.
key E
wait_for "Correct this complete interview"
key y
wait_for "Reopened for correction"
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "draft"
key C-f
wait_for "complete and saved"
key Enter
sleep 0.3
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "complete"
wait_for "? help"
wait_gone "Returned by the office"
key q
wait_exit 0

# Second pass: started again, nothing returned is shown; the same bundle
# again changes nothing.
before=$(db_digest "$A")
start_screen "$A"
wait_for "? help"
ks_checks=$((ks_checks + 1))
screen | grep -q "Returned by the office" && fail "a corrected interview is still shown as returned"
merge_dir "$TMP/down"
wait_for "1 already merged" 10
key q
wait_for "? help"
key q
wait_exit 0
expect_same "$A" "$before" "merging the same bundle again"
t kill-server 2>/dev/null

finish
