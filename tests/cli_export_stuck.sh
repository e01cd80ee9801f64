#!/bin/sh
# A laptop never stuck by its own data: an answer longer than the office
# takes is refused where it is typed, and one an older khaosat kept is
# named by export and verify with what to do; data that compresses far
# beyond the usual still exports and merges; an audit time a bundle
# cannot carry (a hand-edited database) names its interview and the
# remedy.  Every refusal leaves the database as it was.
. "$(dirname "$0")/lib.sh"

"$KHAOSAT" simulate --db "$TMP/lap.db" --forms "$FORMS" --form household \
    --count 3 --seed 7 >/dev/null 2>&1 || fail "simulate"
U=$(sqlite3 "$TMP/lap.db" "SELECT uuid FROM interviews WHERE status = 'complete' ORDER BY uuid LIMIT 1")
mkdir "$TMP/s"
cp "$TMP/lap.db" "$TMP/lap0.db"

# --- An audit time that is only digits, or empty ---------------------------
cp "$TMP/lap.db" "$TMP/audit.db"
sqlite3 "$TMP/audit.db" "INSERT INTO audit (interview, time, event) VALUES ('$U', '12345', 'change')"
before=$(db_digest "$TMP/audit.db")
run "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "interview $U: an audit row has the time \"12345\""
expect_err_contains "khaosat restore"
expect_err_contains "UPDATE audit SET time = 'YYYY-MM-DDThh:mm:ss.mmmZ' WHERE interview = '$U' AND time = '12345'"
expect_same "$TMP/audit.db" "$before" "a refused export"
[ -z "$(ls "$TMP/s")" ] || fail "a refused export left a file: $(ls "$TMP/s")"
run env LANGUAGE=vi "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "khaosat restore"
grep -q "an audit row" "$TMP/err" && fail "English in a Vietnamese refusal: $(cat "$TMP/err")"
# Empty, the same; once the row has a real time the export goes through.
sqlite3 "$TMP/audit.db" "UPDATE audit SET time = '' WHERE time = '12345'"
run "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "has the time \"\""
sqlite3 "$TMP/audit.db" "UPDATE audit SET time = '2026-03-01T08:00:00.000Z' WHERE interview = '$U' AND time = ''"
run "$KHAOSAT" export --db "$TMP/audit.db" --to "$TMP/s" --all
expect_status 0
rm -f "$TMP"/s/*

# --- An answer longer than an office takes ---------------------------------
long=$(head -c 65537 /dev/zero | tr '\0' x)
before=$(db_digest "$TMP/lap.db")
run "$KHAOSAT" answer --db "$TMP/lap.db" "$U" head_name "$long"
expect_status 1
expect_err_contains "This answer is 65537 bytes long, more than the 65536 an answer can hold"
expect_same "$TMP/lap.db" "$before" "a refused long answer"
run env LANGUAGE=vi "$KHAOSAT" answer --db "$TMP/lap.db" "$U" head_name "$long"
expect_status 1
expect_err_contains "65537 byte"
expect_same "$TMP/lap.db" "$before" "a refused long answer"
# 65,536 bytes is still an answer.
run "$KHAOSAT" answer --db "$TMP/lap.db" "$U" head_name "$(head -c 65536 /dev/zero | tr '\0' y)"
expect_status 0
# One kept by an older khaosat (here written straight into a draft): the
# export names the interview and question and says what to do, and writes
# nothing; once shortened it goes.
D=$(sqlite3 "$TMP/lap.db" "SELECT uuid FROM interviews WHERE status = 'draft' ORDER BY uuid LIMIT 1")
sqlite3 "$TMP/lap.db" "UPDATE answers SET value = '$long' WHERE interview = '$D' AND qid = 'head_name'"
[ "$(sqlite3 "$TMP/lap.db" "SELECT count(*) FROM answers WHERE interview = '$D' AND length(value) = 65537")" = 1 ] ||
    fail "the long answer was not planted"
before=$(db_digest "$TMP/lap.db")
run "$KHAOSAT" export --db "$TMP/lap.db" --to "$TMP/s" --all --drafts
expect_status 1
expect_err_contains "interview $D, question head_name: \"xxxxxxxx"
expect_err_contains "is 65537 bytes long, more than the 65536 an answer can hold"
expect_err_contains "answer question head_name of interview $D again"
expect_err_contains "khaosat answer $D head_name NEW-ANSWER"
expect_same "$TMP/lap.db" "$before" "a refused export"
[ -z "$(ls "$TMP/s")" ] || fail "a refused export left a file: $(ls "$TMP/s")"
run "$KHAOSAT" answer --db "$TMP/lap.db" "$D" head_name "Nguyễn Văn Ba"
expect_status 0
run "$KHAOSAT" export --db "$TMP/lap.db" --to "$TMP/s" --all --drafts
expect_status 0
run "$KHAOSAT" verify "$TMP"/s/*.khb
expect_status 0
run "$KHAOSAT" merge --db "$TMP/office.db" --forms "$FORMS" "$TMP"/s/*.khb
expect_status 0
rm -f "$TMP"/s/*

# --- The same in a finalised interview ----------------------------------
# An older khaosat let it be typed and finalised: the revision it made
# holds it, and every merge refuses a bundle that carries that revision.
# The refusal names the interview, the question and the commands; those
# commands, run as given, make it exportable (the revisions that held it
# are forgotten, the corrected one made from the last good one), and
# nothing else changes.
cp "$TMP/lap0.db" "$TMP/fin.db"
"$KHAOSAT" reopen --db "$TMP/fin.db" "$U" >/dev/null || fail "reopen to plant"
sqlite3 "$TMP/fin.db" "UPDATE answers SET value = '$long' WHERE interview = '$U' AND qid = 'head_name'"
"$KHAOSAT" finalise --db "$TMP/fin.db" "$U" >/dev/null || fail "finalise to plant"
[ "$(sqlite3 "$TMP/fin.db" "SELECT count(*) FROM revision_items t JOIN revisions r ON r.id = t.revision WHERE r.interview = '$U' AND r.status = 'complete' AND length(t.value) = 65537")" = 1 ] ||
    fail "no finalised revision holds the long answer"
# What must not change: the other interviews, whole.
others() {
    sqlite3 "$1" "SELECT * FROM answers WHERE interview <> '$U' ORDER BY 1, 2, 3;
                  SELECT * FROM revisions WHERE interview <> '$U' ORDER BY id;
                  SELECT * FROM revision_items WHERE revision IN (SELECT id FROM revisions WHERE interview <> '$U') ORDER BY 1, 2, 3;
                  SELECT * FROM answers WHERE interview = '$U' AND qid <> 'head_name' ORDER BY 1, 2, 3" | sha256sum
}
kept=$(others "$TMP/fin.db")
for pass in 1 2; do
    before=$(db_digest "$TMP/fin.db")
    run "$KHAOSAT" export --db "$TMP/fin.db" --to "$TMP/s" --all
    expect_status 1
    expect_err_contains "interview $U, question head_name: \"xxxxxxxx"
    expect_err_contains "reopen interview $U, answer question head_name again and finalise it"
    expect_err_contains "press E"
    expect_err_contains "khaosat reopen $U; khaosat answer $U head_name NEW-ANSWER; khaosat finalise $U; then export again"
    expect_same "$TMP/fin.db" "$before" "a refused export (pass $pass)"
    [ -z "$(ls "$TMP/s")" ] || fail "a refused export left a file: $(ls "$TMP/s")"
done
run env LANGUAGE=vi "$KHAOSAT" export --db "$TMP/fin.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "khaosat reopen $U"
grep -q "on the laptop that made it" "$TMP/err" && fail "English in a Vietnamese refusal: $(cat "$TMP/err")"
# The commands as the refusal gives them.
run "$KHAOSAT" reopen --db "$TMP/fin.db" "$U"
expect_status 0
run "$KHAOSAT" answer --db "$TMP/fin.db" "$U" head_name "Nguyễn Văn Ba"
expect_status 0
run "$KHAOSAT" finalise --db "$TMP/fin.db" "$U"
expect_status 0
[ "$(sqlite3 "$TMP/fin.db" "SELECT count(*) FROM revision_items WHERE length(value) > 65536")" = 0 ] ||
    fail "a revision still holds the long answer"
[ "$(others "$TMP/fin.db")" = "$kept" ] || fail "correcting the long answer changed something else"
run "$KHAOSAT" export --db "$TMP/fin.db" --to "$TMP/s" --all
expect_status 0
run "$KHAOSAT" verify "$TMP"/s/*.khb
expect_status 0
run "$KHAOSAT" merge --db "$TMP/fin_office.db" --forms "$FORMS" "$TMP"/s/*.khb
expect_status 0
expect_out_contains "added 3"
[ "$(sqlite3 "$TMP/fin_office.db" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name'")" = "Nguyễn Văn Ba" ] ||
    fail "the office does not have the corrected answer"
# A second correction and a third export: the history is whole again,
# nothing more is forgotten, and the office takes the update.
run "$KHAOSAT" reopen --db "$TMP/fin.db" "$U"
run "$KHAOSAT" answer --db "$TMP/fin.db" "$U" head_name "Nguyễn Văn Cả"
run "$KHAOSAT" finalise --db "$TMP/fin.db" "$U"
expect_status 0
revs=$(sqlite3 "$TMP/fin.db" "SELECT count(*) FROM revisions WHERE interview = '$U'")
rm -f "$TMP"/s/*
run "$KHAOSAT" export --db "$TMP/fin.db" --to "$TMP/s" --all
expect_status 0
run "$KHAOSAT" merge --db "$TMP/fin_office.db" --forms "$FORMS" "$TMP"/s/*.khb
expect_status 0
expect_out_contains "updated 1"
[ "$(sqlite3 "$TMP/fin.db" "SELECT count(*) FROM revisions WHERE interview = '$U'")" = "$revs" ] ||
    fail "exporting changed the revisions"
rm -f "$TMP"/s/* "$TMP/fin.db" "$TMP/fin_office.db"

# --- The same in a question that skip logic now hides ----------------------
# It takes no answer (answer refuses it), so the refusal says to finalise
# alone: finalising drops that answer, audited, and nothing else.
"$KHAOSAT" simulate --db "$TMP/hid.db" --forms "$FORMS" --form household \
    --count 4 --seed 11 >/dev/null 2>&1 || fail "simulate"
H=$(sqlite3 "$TMP/hid.db" "SELECT uuid FROM interviews i WHERE status = 'complete' AND EXISTS (SELECT 1 FROM answers a WHERE a.interview = i.uuid AND a.qid = 'hh_pay_purpose' AND instr(a.value, 'other') = 0) ORDER BY uuid LIMIT 1")
[ -n "$H" ] || fail "no interview where hh_pay_other is hidden"
# As an older khaosat left it in the answers of a finalised interview
# (the export's snapshot carries it into a revision).
sqlite3 "$TMP/hid.db" "INSERT INTO answers VALUES ('$H', 'hh_pay_other', '', '$long')"
hidden_rest() {
    sqlite3 "$1" "SELECT * FROM answers WHERE NOT (interview = '$H' AND qid = 'hh_pay_other') ORDER BY 1, 2, 3" | sha256sum
}
kept=$(hidden_rest "$TMP/hid.db")
before=$(db_digest "$TMP/hid.db")
run "$KHAOSAT" export --db "$TMP/hid.db" --to "$TMP/s" --all
expect_status 1
expect_err_contains "interview $H, question hh_pay_other:"
expect_err_contains "finalising alone clears it, khaosat reopen $H; khaosat finalise $H, or E and Ctrl-F on the screen"
expect_same "$TMP/hid.db" "$before" "a refused export"
run "$KHAOSAT" reopen --db "$TMP/hid.db" "$H"
expect_status 0
run "$KHAOSAT" answer --db "$TMP/hid.db" "$H" hh_pay_other "khác"
expect_status 1
expect_err_contains "does not apply to this interview"
run "$KHAOSAT" finalise --db "$TMP/hid.db" "$H"
expect_status 0
expect_sql_in() { [ "$(sqlite3 "$1" "$2")" = "$3" ] || fail "$2: $(sqlite3 "$1" "$2"), not $3"; }
expect_sql_in "$TMP/hid.db" "SELECT count(*) FROM answers WHERE interview = '$H' AND qid = 'hh_pay_other'" 0
expect_sql_in "$TMP/hid.db" "SELECT count(*) FROM audit WHERE interview = '$H' AND qid = 'hh_pay_other' AND event = 'change' AND new_value IS NULL AND length(old_value) = 65537" 1
[ "$(hidden_rest "$TMP/hid.db")" = "$kept" ] || fail "finalising changed other answers"
run "$KHAOSAT" export --db "$TMP/hid.db" --to "$TMP/s" --all
expect_status 0
run "$KHAOSAT" verify "$TMP"/s/*.khb
expect_status 0
run "$KHAOSAT" merge --db "$TMP/hid_office.db" --forms "$FORMS" "$TMP"/s/*.khb
expect_status 0
expect_out_contains "added 4"
# A second pass: reopened and finalised again, nothing more is dropped.
kept=$(db_digest "$TMP/hid.db")
run "$KHAOSAT" reopen --db "$TMP/hid.db" "$H"
run "$KHAOSAT" finalise --db "$TMP/hid.db" "$H"
expect_status 0
expect_sql_in "$TMP/hid.db" "SELECT count(*) FROM audit WHERE interview = '$H' AND qid = 'hh_pay_other'" 1
rm -f "$TMP"/s/* "$TMP/hid.db" "$TMP/hid_office.db"

# --- Data that compresses far beyond the usual ------------------------------
# 600 audit rows of 60,000 repeated letters each (as a long answer
# changed again and again): a bundle of 72 MB that packs into 0.1 MB, far
# past any ratio of packed to unpacked size.  It exports, verifies and
# merges whole.
cp "$TMP/lap0.db" "$TMP/rep.db"
sqlite3 "$TMP/rep.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
  INSERT INTO audit (interview, time, event, qid, path, old_value, new_value)
  SELECT '$U', printf('2026-03-01T08:%02d:%02d.000Z', i / 60 % 60, i % 60),
         'change', 'head_name', '',
         replace(hex(zeroblob(30000)), '0', char(65 + i % 8)),
         replace(hex(zeroblob(30000)), '0', char(66 + i % 8)) FROM n"
mkdir "$TMP/rep"
run "$KHAOSAT" export --db "$TMP/rep.db" --to "$TMP/rep" --all
expect_status 0
bundle=$(ls "$TMP"/rep/*.khb)
image=$(zstd -q -d -c "$bundle" | wc -c)
packed=$(wc -c < "$bundle")
[ "$image" -gt $((64 * 1048576)) ] && [ "$image" -gt $((packed * 64)) ] ||
    fail "the repeated data did not make a bundle that packs beyond 64x ($image / $packed)"
run "$KHAOSAT" verify "$bundle"
expect_status 0
expect_out_contains ": ok: format"
run "$KHAOSAT" merge --db "$TMP/rep_office.db" --forms "$FORMS" "$bundle"
expect_status 0
expect_out_contains "added 3"
n=$(sqlite3 "$TMP/rep_office.db" "SELECT count(*) FROM audit WHERE length(new_value) = 60000")
[ "$n" = 600 ] || fail "the office has $n of the 600 long audit rows"
rm -rf "$TMP/rep" "$TMP/rep.db" "$TMP/rep_office.db"

finish
