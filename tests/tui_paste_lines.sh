#!/bin/sh
# tui_paste_lines.sh: a paste the terminal does not mark (no bracketed
# paste, as on the Linux console) comes as a burst of keys; a line break
# in it never confirms a field.  In a text question it is kept as a space
# (with a message), "\r\n" as one (in a bracketed paste too); a question
# of another kind refuses the paste whole and nothing is saved.  The answers of the questions after
# stay as they were (a paste used to confirm the field at each line break
# and type the rest into the following questions).  Enter typed alone
# still confirms.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
SOCK=khaosat-plines-$$
at_head_name plines
others="SELECT qid || path || '=' || value FROM answers WHERE interview = '$U' AND qid <> 'head_name' ORDER BY qid, path"
before_others=$(sqlite3 "$DB" "$others")
before=$(db_digest "$DB")
key C-u
# tmux send-keys sends a text's line breaks as typed Returns, in one burst.
text "Dòng một
Dòng hai
ba"
wait_for "Dòng một Dòng hai ba"
whole "A line break in the pasted text was kept as a space"
expect_same "$DB" "$before" "a paste with line breaks"
# A paste with "\r\n" (tmux paste-buffer without -p: no brackets; -r:
# the line ends sent as they are).
printf ' bốn\r\nnăm\r\nsáu' > "$TMP/crlf"
t load-buffer "$TMP/crlf"
t paste-buffer -r
wait_for "Dòng một Dòng hai ba bốn năm sáu"
expect_same "$DB" "$before" "a paste with line breaks"
# A bracketed paste: "\r\n" is one space too, and the space after a
# pasted Esc is kept.
printf ' bảy\r\ntám\033 chín' > "$TMP/bracketed"
t load-buffer "$TMP/bracketed"
t paste-buffer -p -r
wait_for "Dòng một Dòng hai ba bốn năm sáu bảy tám chín"
# Enter typed alone confirms.
key Enter
wait_gone "Dòng một Dòng hai ba bốn năm sáu bảy tám chín"
expect_sql "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'" \
    "Dòng một Dòng hai ba bốn năm sáu bảy tám chín"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$DB" "$others")" = "$before_others" ] ||
    fail "the paste changed the answers of other questions"
# An integer question refuses the paste whole: its field as before it.
key C-g
text "thứ tự của hộ"
key Enter
wait_for "Số thứ tự của hộ trong"
no=$(sqlite3 "$DB" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'hh_no'")
before=$(db_digest "$DB")
key End
text "12
34
5"
whole "The pasted text was not taken: it has a line break"
expect_same "$DB" "$before" "a paste refused"
key Enter
expect_sql "SELECT value FROM answers WHERE interview = '$U' AND qid = 'hh_no'" "$no"
# A choice question (consent) refuses it too, confirming nothing (its
# letters narrow the list; a code's digits would pick at once, as typed).
key C-g
text "chủ hộ"
key Enter
wait_for "Dòng một Dòng hai ba bốn năm sáu bảy tám chín"
key Enter
wait_for "Gia đình có đồng ý"
before=$(db_digest "$DB")
text "có
không"
whole "The pasted text was not taken: it has a line break"
expect_same "$DB" "$before" "a paste refused"
key Escape
wait_for "Enter new"
key q
wait_exit 0
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$DB" "$others")" = "$before_others" ] ||
    fail "the pastes changed the answers of other questions"
finish
