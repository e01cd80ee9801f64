#!/bin/sh
# tui_export_long.sh: a finalised interview holding an answer longer than
# an office takes (an older khaosat let it be typed): the screen's export
# (e) refuses it, naming the interview and the question and what to do on
# the screen, and writes nothing; done as it says (open it, E, Ctrl-U and
# the new answer, Ctrl-F), the next export goes through, the bundle
# verifies and merges, and nothing else in the database changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
SOCK=khaosat-exlong-$$
DB=$TMP/laptop.db
K=$KHAOSAT
laptop laptop "Nguyễn Văn An" "Tân Lập"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 2 \
    --seed 7 >/dev/null
U=$(sqlite3 "$DB" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
long=$(head -c 65537 /dev/zero | tr '\0' x)
"$K" reopen --db "$DB" "$U" >/dev/null || fail "reopen to plant"
sqlite3 "$DB" "UPDATE answers SET value = '$long' WHERE interview = '$U' AND qid = 'head_name'"
"$K" finalise --db "$DB" "$U" >/dev/null || fail "finalise to plant"
mkdir "$TMP/usb"
# What must not change: the other interview, and U but for head_name.
others() {
    sqlite3 "$DB" "SELECT * FROM answers WHERE NOT (interview = '$U' AND qid = 'head_name') ORDER BY 1, 2, 3;
                   SELECT * FROM revisions WHERE interview <> '$U' ORDER BY id" | sha256sum
}
kept=$(others)

tui_run exlong 100 30
wait_for "? help"
before=$(db_digest "$DB")
export_to_dir "$TMP/usb"
wait_for "The export failed" 20
whole "interview $U, question head_name"
whole "65537 bytes long"
whole "reopen interview $U, answer question head_name again and finalise it"
whole "press E, answer it (Ctrl-U clears the old text) and finish with Ctrl-F"
expect_same "$DB" "$before" "a refused export"
[ -z "$(ls "$TMP/usb")" ] || fail "a refused export left a file"
key Enter
# As it says: the list, the interview, E, the question, Ctrl-U, Ctrl-F.
wait_for "? help"
reopen_listed "xxxx"
key C-g
text "chủ hộ"
key Enter
wait_for "Họ tên chủ hộ"
key C-u
text "Nguyễn Văn Ba"
key Enter
expect_sql "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'" "Nguyễn Văn Ba"
key C-f
wait_for "complete and saved" 20
key Enter
wait_for "Interviews:"
key Escape
wait_for "? help"
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "complete"
expect_sql "SELECT count(*) FROM revision_items WHERE length(value) > 65536" "0"
expect_sql "SELECT count(*) FROM answers WHERE length(value) > 65536" "0"
ks_checks=$((ks_checks + 1))
[ "$(others)" = "$kept" ] || fail "correcting the long answer changed something else"
export_to_dir "$TMP/usb"
wait_for "2 interviews exported to" 20
key Enter
key q
wait_exit 0
run "$K" verify "$TMP"/usb/*.khb
expect_status 0
run "$K" merge --db "$TMP/office.db" --forms "$FORMS" "$TMP"/usb/*.khb
expect_status 0
expect_out_contains "added 2"
[ "$(sqlite3 "$TMP/office.db" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'")" = "Nguyễn Văn Ba" ] ||
    fail "the office does not have the corrected answer"
finish
