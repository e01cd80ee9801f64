#!/bin/sh
# tui_note_remove.sh: lowering a roster's count on the screen asks before
# removing members and names their notes ("and 1 note(s)"); n keeps all;
# y removes the member with its note, audited with the note's text.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-noterm-$$-0
DB=$TMP/s.db
FORMDIR=$TESTDATA/integrity
"$KHAOSAT" simulate --db "$DB" --forms "$FORMDIR" --form int_household \
    --count 1 --drafts --seed 3 >/dev/null 2>&1 || fail "simulate"
sql() { sqlite3 "$DB" "$1"; }
sql "INSERT OR REPLACE INTO settings VALUES ('enumerator', 'Lò Văn Tám');"
U=$(sql "SELECT uuid FROM interviews")
A="$KHAOSAT answer --db $DB"
$A "$U" consent 1 >/dev/null 2>&1
$A --remove "$U" hh_size 2 >/dev/null 2>&1 || fail "hh_size 2"
$A "$U" m_name@members[2] "Bình" >/dev/null 2>&1 || fail "m_name 2"
"$KHAOSAT" note --db "$DB" "$U" m_name@members[2] "tên gọi ở nhà" \
    >/dev/null 2>&1 || fail "note on member 2"

tui_start khaosat-noterm "$FORMDIR" 100 30
wait_for "drafts 1"
key r
wait_for "Interviews:"
key Enter
wait_for "sections done"
key C-g
wait_for "Số nhân khẩu"
text "Số nhân khẩu"
key Enter
wait_for "Số nhân khẩu *"
key BSpace
text 1; key Enter
whole "member 2, Bình, and"
whole "and 1 note(s)?"
# n keeps the member and its note.
key n
wait_for "Nothing was removed"
expect_sql "SELECT count(*) FROM notes" 1
# Second pass: y removes it, the note audited with its text.
key BSpace
text 1; key Enter
whole "and 1 note(s)?"
key y
wait_gone "note(s)?"
expect_sql "SELECT count(*) FROM notes" 0
expect_sql "SELECT old_value || '|' || coalesce(new_value, '-') FROM audit WHERE event = 'note' AND path = 'members[2]' ORDER BY seq DESC LIMIT 1" "tên gọi ở nhà|-"
# --- finished by the command: ^E says at once that E corrects it, and
# nothing is typed for nothing.
key Escape
wait_for "Interviews:"
key Escape
wait_gone "Interviews:"
key q
wait_exit 0
$A "$U" n_online 1 >/dev/null 2>&1
"$KHAOSAT" finalise --db "$DB" "$U" >/dev/null 2>&1 || fail "finalise"
tui_start khaosat-noterm "$FORMDIR" 100 30
wait_for "complete 1"
key r
wait_for "Interviews:"
key Enter
wait_for "sections done"
key C-e
wait_for "This interview is complete: press E to correct it."
wait_gone "Note on this question"
key Escape
wait_for "Interviews:"
key Escape
wait_gone "Interviews:"
key q
wait_exit 0
t kill-server 2>/dev/null
finish
