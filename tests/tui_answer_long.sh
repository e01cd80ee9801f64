#!/bin/sh
# tui_answer_long.sh: an answer longer than an office takes (65,536
# bytes) pasted into a text question on the interview screen is refused
# with the length and the limit, as `khaosat answer` refuses it, and
# nothing is saved; the answer that was there stays.  The pasted letters
# go into the field before it is drawn again (a draw a key took about a
# minute for these 21,846 letters; now the whole test takes a few seconds).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
SOCK=khaosat-long-$$
at_head_name long
before=$(db_digest "$DB")
key End
for i in 1 2 3 4 5 6 7 8 9 10; do t send-keys BSpace; done
# 21,846 letters of three bytes each: 65,538 bytes (fewer keys to send).
yes ệ | head -n 21846 | tr -d '\n' > "$TMP/long.txt"
t load-buffer "$TMP/long.txt"
t paste-buffer
key Enter
wait_for "65538 bytes" 150
whole "is 65538 bytes long, more than the 65536 an answer can hold"
expect_same "$DB" "$before" "a refused pasted answer"
# The answer that was there stays: the field given up, the screen left,
# and the interview opened again shows it.
key Escape
wait_for "Leave the interview?"
key y
wait_for "Enter new"
key q
wait_exit 0
# Leaving is audited ('leave'); no change of the answer is.
expect_sql "SELECT count(*) FROM audit WHERE event = 'change' AND length(new_value) > 65536" 0
expect_sql "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'" "Lò Thị Mới"
open_head_name long
wait_for "Lò Thị Mới"
key Escape
key y
wait_for "Enter new"
key q
wait_exit 0
finish
