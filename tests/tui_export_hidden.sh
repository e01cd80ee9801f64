#!/bin/sh
# tui_export_hidden.sh: a finalised interview holding an over-long answer
# (an older khaosat let it be typed) in a question that skip logic now
# hides: the screen's export refuses it and says that finalising alone
# clears it (the question takes no answer); done as it says (open it, E,
# Ctrl-F), the answer is dropped with an audit row, the next export goes
# through, the bundle verifies and merges, and nothing else changed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"
SOCK=khaosat-exhid-$$
DB=$TMP/laptop.db
K=$KHAOSAT
laptop laptop "Nguyễn Văn An" "Tân Lập"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 4 \
    --seed 9 >/dev/null
U=$(sqlite3 "$DB" "SELECT uuid FROM interviews i WHERE status = 'complete' AND EXISTS (SELECT 1 FROM answers a WHERE a.interview = i.uuid AND a.qid = 'hh_pay_purpose' AND instr(a.value, 'other') = 0) ORDER BY uuid LIMIT 1")
[ -n "$U" ] || fail "no interview where hh_pay_other is hidden"
NAME=$(sqlite3 "$DB" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'")
long=$(head -c 65537 /dev/zero | tr '\0' x)
sqlite3 "$DB" "INSERT INTO answers VALUES ('$U', 'hh_pay_other', '', '$long')"
mkdir "$TMP/usb"
others() {
    sqlite3 "$DB" "SELECT * FROM answers WHERE NOT (interview = '$U' AND qid = 'hh_pay_other') ORDER BY 1, 2, 3;
                   SELECT * FROM revisions WHERE interview <> '$U' ORDER BY id" | sha256sum
}
kept=$(others)


tui_run exhid 100 30
wait_for "? help"
before=$(db_digest "$DB")
export_to_dir "$TMP/usb"
wait_for "The export failed" 20
whole "interview $U, question hh_pay_other"
whole "finalising alone clears it"
whole "or E and Ctrl-F on the screen"
expect_same "$DB" "$before" "a refused export"
[ -z "$(ls "$TMP/usb")" ] || fail "a refused export left a file"
key Enter
wait_for "? help"
reopen_listed "$NAME"
key C-f
wait_for "complete and saved" 20
key Enter
wait_for "Interviews:"
key Escape
wait_for "? help"
expect_sql "SELECT status FROM interviews WHERE uuid = '$U'" "complete"
expect_sql "SELECT count(*) FROM answers WHERE interview = '$U' AND qid = 'hh_pay_other'" "0"
expect_sql "SELECT count(*) FROM audit WHERE interview = '$U' AND qid = 'hh_pay_other' AND event = 'change' AND new_value IS NULL AND length(old_value) = 65537" "1"
ks_checks=$((ks_checks + 1))
[ "$(others)" = "$kept" ] || fail "finalising changed something else"
export_to_dir "$TMP/usb"
wait_for "4 interviews exported to" 20
key Enter
key q
wait_exit 0
run "$K" verify "$TMP"/usb/*.khb
expect_status 0
run "$K" merge --db "$TMP/office.db" --forms "$FORMS" "$TMP"/usb/*.khb
expect_status 0
expect_out_contains "added 4"
finish
