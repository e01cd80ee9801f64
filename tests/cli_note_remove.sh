#!/bin/sh
# cli_note_remove.sh: a roster member removed with its notes: the command
# asks first naming the notes that go ("and 1 note(s)") and changes
# nothing; with --remove each note goes with an audited 'note' row keeping
# its text; a second removal (the third member) is audited the same way.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K=$KHAOSAT
F=$TESTDATA/integrity
DB=$TMP/s.db
"$K" simulate --db "$DB" --forms "$F" --form int_household --count 1 \
    --drafts --seed 3 >/dev/null 2>&1 || fail "simulate"
sql() { sqlite3 "$DB" "$1"; }
U=$(sql "SELECT uuid FROM interviews")
A="$K answer --db $DB"
$A "$U" consent 1 >/dev/null 2>&1
$A --remove "$U" hh_size 3 >/dev/null 2>&1 || fail "hh_size 3"
$A "$U" m_name@members[2] "Bình" >/dev/null 2>&1 || fail "m_name 2"
$A "$U" m_name@members[3] "Chi" >/dev/null 2>&1 || fail "m_name 3"
"$K" note --db "$DB" "$U" m_name@members[2] "tên gọi ở nhà" >/dev/null 2>&1 ||
    fail "note on member 2"
"$K" note --db "$DB" "$U" m_sex@members[3] "hỏi lại" >/dev/null 2>&1 ||
    fail "note on member 3"

# --- asked first: the question names the note; nothing changes.
before=$(db_digest "$DB")
run $A "$U" hh_size 2
expect_status 1
expect_err_contains "member 3, Chi"
expect_err_contains "and 1 note(s)?"
run $A "$U" hh_size 1
expect_status 1
expect_err_contains "and 2 note(s)?"
expect_same "$DB" "$before" "a refused removal"

# --- removed: the note goes, audited with its text.
run $A --remove "$U" hh_size 2
expect_status 0
[ "$(sql "SELECT count(*) FROM notes WHERE path = 'members[3]'")" = 0 ] ||
    fail "the removed member's note is left"
[ "$(sql "SELECT qid || '|' || path || '|' || old_value || '|' || coalesce(new_value, '-') FROM audit WHERE event = 'note' ORDER BY seq DESC LIMIT 1")" = "m_sex|members[3]|hỏi lại|-" ] ||
    fail "the removed note is not audited: $(sql "SELECT * FROM audit WHERE event = 'note'")"
# Second pass: member 2 and its note.
run $A --remove "$U" hh_size 1
expect_status 0
[ "$(sql "SELECT count(*) FROM notes")" = 0 ] || fail "member 2's note is left"
[ "$(sql "SELECT old_value FROM audit WHERE event = 'note' AND new_value IS NULL AND path = 'members[2]'")" = "tên gọi ở nhà" ] ||
    fail "member 2's note is not audited"
finish
