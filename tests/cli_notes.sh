#!/bin/sh
# cli_notes.sh: khaosat note writes, changes and removes the note on a
# question through the same session entry point as the screen's note
# editor; each change is audited; an unknown interview or question, a
# complete interview and bad text are refused with the database
# unchanged; the notes go to notes.csv, quoted, with formulas neutralised
# and a KEY that joins each to its interview's or member's row.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K=$KHAOSAT
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 1 \
    --drafts --seed 11 >/dev/null
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 1 \
    --seed 12 >/dev/null
D=$(sqlite3 "$DB" "SELECT uuid FROM interviews WHERE status = 'draft'")
C=$(sqlite3 "$DB" "SELECT uuid FROM interviews WHERE status = 'complete'")
note_of() { sqlite3 "$DB" "SELECT note FROM notes WHERE interview = '$1' AND qid = '$2' AND path = '${3:-}'"; }

# --- set, change (second pass), a member's note, remove.
run "$K" note --db "$DB" "$D" hh_no "Số theo sổ hộ khẩu"
expect_status 0
[ "$(note_of "$D" hh_no)" = "Số theo sổ hộ khẩu" ] || fail "note not saved"
run "$K" note --db "$DB" "$D" hh_no "$(printf 'Số cũ: 12\n"sửa" thành 21')"
expect_status 0
[ "$(note_of "$D" hh_no)" = "$(printf 'Số cũ: 12\n"sửa" thành 21')" ] || fail "note not changed"
expect_sql() { got=$(sqlite3 "$DB" "$1"); [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"; }
expect_sql "SELECT count(*) FROM audit WHERE interview = '$D' AND event = 'note' AND qid = 'hh_no'" 2
expect_sql "SELECT old_value FROM audit WHERE interview = '$D' AND event = 'note' ORDER BY seq DESC LIMIT 1" "Số theo sổ hộ khẩu"
run "$K" note --db "$DB" "$D" "head_name" "=HYPERLINK(\"x\")"
expect_status 0
run "$K" note --db "$DB" "$D" "tmp" ""
expect_status 1
expect_err_contains "has no question tmp"

# --- refusals leave the database as it was.
before=$(db_digest "$DB")
run "$K" note --db "$DB" "$C" hh_no "muộn"
expect_status 1
expect_err_contains "interview $C is complete: return it to draft with khaosat reopen $C"
run "$K" note --db "$DB" "$D" nosuch "x"
expect_status 1
expect_err_contains "interview $D has no question nosuch"
run "$K" note --db "$DB" 00000000-0000-4000-8000-000000000000 hh_no "x"
expect_status 1
expect_err_contains "no interview 00000000-0000-4000-8000-000000000000"
run "$K" note --db "$DB" "$D" hh_no "$(printf 'bad \377 byte')"
expect_status 1
expect_err_contains "not valid UTF-8"
run "$K" note --db "$DB" "$D" hh_no "$(head -c 5000 /dev/zero | tr '\0' a)"
expect_status 1
expect_err_contains "A note holds at most 4096 bytes; this one has 5000."
# Only a question takes a note: not a group nor a calculation.
run "$K" note --db "$DB" "$D" sec_id "x"
expect_status 1
expect_err_contains "sec_id is a group of questions, not a question"
run "$K" note --db "$DB" "$D" survey_year "x"
expect_status 1
expect_err_contains "survey_year is calculated, not answered"
run "$K" note --db "$DB" "$D" hh_no
expect_status 2
expect_err_contains "Usage: khaosat note"
[ "$(db_digest "$DB")" = "$before" ] || fail "a refused note changed the database"

# --- CSV: notes.csv with the drafts' notes when drafts are exported.
mkdir -p "$TMP/csv" "$TMP/csv2"
run "$K" csv --db "$DB" --forms "$FORMS" --out "$TMP/csv" --drafts
expect_status 0
expect_out_contains "notes.csv: 2 rows"
# Every column name of the household table is unique: the enumerator
# who took it is _enumerator, beside the question enumerator.
dups=$(head -1 "$TMP/csv/household.csv" | tr -d '\r' | tr ',' '\n' | sort | uniq -d)
[ -z "$dups" ] || fail "household.csv repeats column names: $dups"
head -1 "$TMP/csv/household.csv" | grep -q ",enumerator,.*,_enumerator," ||
    fail "household.csv lacks enumerator and _enumerator"
[ "$(head -1 "$TMP/csv/notes.csv" | tr -d '\r')" = "KEY,interview,question,path,note" ] ||
    fail "notes.csv header: $(head -1 "$TMP/csv/notes.csv")"
grep -qF "$D,$D,head_name,,\"'=HYPERLINK(\"\"x\"\")\"" "$TMP/csv/notes.csv" ||
    fail "formula not neutralised: $(cat "$TMP/csv/notes.csv")"
grep -qF "$D,$D,hh_no,,\"Số cũ: 12" "$TMP/csv/notes.csv" ||
    fail "multi-line note not quoted: $(cat "$TMP/csv/notes.csv")"
grep -qF "\"\"sửa\"\" thành 21\"" "$TMP/csv/notes.csv" ||
    fail "note's end not kept: $(cat "$TMP/csv/notes.csv")"
# Without --drafts the draft's notes stay out with it: no notes.csv.
run "$K" csv --db "$DB" --forms "$FORMS" --out "$TMP/csv2"
expect_status 0
[ -e "$TMP/csv2/notes.csv" ] && fail "notes of a draft left out were written"

# --- remove: the note goes, the audit keeps what it said.
run "$K" note --db "$DB" "$D" hh_no ""
expect_status 0
[ -z "$(note_of "$D" hh_no)" ] || fail "note not removed"
expect_sql "SELECT new_value IS NULL FROM audit WHERE interview = '$D' AND event = 'note' ORDER BY seq DESC LIMIT 1" 1


# --- khaosat reopen, named by the refusal: the complete interview is a
# draft again (audited, as E on the screen), and then takes the note; a
# second reopen is refused with nothing changed.
run "$K" reopen --db "$DB" "$C"
expect_status 0
expect_out_contains "$C: a draft again, for correction"
expect_sql "SELECT status FROM interviews WHERE uuid = '$C'" draft
expect_sql "SELECT old_value || '>' || new_value FROM audit WHERE interview = '$C' AND event = 'status' ORDER BY seq DESC LIMIT 1" "complete>draft"
run "$K" note --db "$DB" "$C" hh_no "sửa sau khi mở lại"
expect_status 0
[ "$(note_of "$C" hh_no)" = "sửa sau khi mở lại" ] || fail "note after reopen not saved"
before=$(db_digest "$DB")
run "$K" reopen --db "$DB" "$C"
expect_status 1
expect_err_contains "interview $C is a draft already"
[ "$(db_digest "$DB")" = "$before" ] || fail "a refused reopen changed the database"

finish
