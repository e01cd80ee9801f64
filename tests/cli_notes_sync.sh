#!/bin/sh
# cli_notes_sync.sh: notes on questions travel in bundles (format 4, as
# items "#QID" of the interview's revision): the laptop's export carries
# them, the office's merge stores them with the revision and its audit
# rows, re-merging changes nothing, a later bundle with the note edited
# updates it and one with the note removed removes it, and the office's
# upstream export carries them on to the province; notes.csv at the office
# lists them.  A note the office would refuse is refused on the laptop.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K=$KHAOSAT
L=$TMP/L.db
O=$TMP/O.db
P=$TMP/P.db
laptop L "Nguyễn Văn An" "Tân Lập"
laptop O "Giám sát Hà" "Tân Lập"
laptop P "Tỉnh" ""
"$K" simulate --db "$L" --forms "$FORMS" --form household --count 1 \
    --drafts --seed 11 >/dev/null
U=$(sqlite3 "$L" "SELECT uuid FROM interviews")
notes_of() { sqlite3 "$1" "SELECT qid || '@' || path || '=' || note FROM notes WHERE interview = '$U' ORDER BY qid, path"; }
expect_notes() {
    got=$(notes_of "$1")
    [ "$got" = "$2" ] || fail "notes of $1: expected '$2', got '$got'"
}
# export_to DIR: the laptop's drafts to a new bundle in DIR.
export_to() {
    mkdir -p "$1"
    "$K" export --db "$L" --drafts --to "$1" >/dev/null 2>&1 || fail "export to $1"
}

# --- 1. two notes, one on a member, exported and merged.
run "$K" note --db "$L" "$U" hh_no "Số theo sổ hộ khẩu"
expect_status 0
run "$K" note --db "$L" "$U" "m_birth_month@members[2]" "$(printf 'tháng âm lịch\nhỏi lại')"
expect_status 0
export_to "$TMP/usb1"
run "$K" verify "$TMP"/usb1/*.khb
expect_status 0
expect_out_contains "ok: format 7, 1 interviews"
run "$K" merge --db "$O" "$TMP/usb1"
expect_status 0
expect_out_contains "added 1"
want1="hh_no@=Số theo sổ hộ khẩu
m_birth_month@members[2]=$(printf 'tháng âm lịch\nhỏi lại')"
expect_notes "$O" "$want1"
# Stored with the interview's revision: its head holds them as "#QID".
got=$(sqlite3 "$O" "SELECT count(*) FROM revision_items t JOIN interviews i ON i.head = t.revision WHERE i.uuid = '$U' AND t.qid LIKE '#%'")
[ "$got" = 2 ] || fail "the head revision holds $got notes, expected 2"
# The audit 'note' rows came with the audit trail.
got=$(sqlite3 "$O" "SELECT count(*) FROM audit WHERE interview = '$U' AND event = 'note'")
[ "$got" = 2 ] || fail "$got audit note rows at the office, expected 2"
run "$K" csv --db "$O" --forms "$FORMS" --out "$TMP/csv" --drafts
expect_status 0
grep -qF "$U,hh_no,,Số theo sổ hộ khẩu" "$TMP/csv/notes.csv" ||
    fail "the merged note is not in the office's notes.csv: $(cat "$TMP/csv/notes.csv")"

# --- 2. the same bundle again changes nothing.
before=$(db_digest "$O")
run "$K" merge --db "$O" "$TMP/usb1"
expect_status 0
expect_out_contains "already merged"
[ "$(db_digest "$O")" = "$before" ] || fail "re-merging changed the office"

# --- 3. edited on the laptop: the later bundle updates the note.
run "$K" note --db "$L" "$U" hh_no "Số cũ 12, sửa thành 17"
expect_status 0
export_to "$TMP/usb2"
run "$K" merge --db "$O" "$TMP/usb2"
expect_status 0
expect_out_contains "updated 1"
expect_notes "$O" "hh_no@=Số cũ 12, sửa thành 17
m_birth_month@members[2]=$(printf 'tháng âm lịch\nhỏi lại')"

# --- 4. removed on the laptop: the later bundle removes it.
run "$K" note --db "$L" "$U" "m_birth_month@members[2]" ""
expect_status 0
export_to "$TMP/usb3"
run "$K" merge --db "$O" "$TMP/usb3"
expect_status 0
expect_out_contains "updated 1"
expect_notes "$O" "hh_no@=Số cũ 12, sửa thành 17"
got=$(sqlite3 "$O" "SELECT count(*) FROM audit WHERE interview = '$U' AND event = 'note'")
[ "$got" = 4 ] || fail "$got audit note rows at the office, expected 4"
# An older bundle brings back nothing.
before=$(db_digest "$O")
mkdir -p "$TMP/old"
cp "$TMP"/usb1/*.khb "$TMP/old/again.khb"
"$K" merge --db "$O" "$TMP/old" >/dev/null 2>&1
expect_notes "$O" "hh_no@=Số cũ 12, sửa thành 17"

# --- 5. the office's upstream bundle carries them to the province.
mkdir -p "$TMP/up"
"$K" export --db "$O" --all --drafts --to "$TMP/up" >/dev/null 2>&1 || fail "office export"
run "$K" merge --db "$P" "$TMP/up"
expect_status 0
expect_out_contains "added 1"
expect_notes "$P" "hh_no@=Số cũ 12, sửa thành 17"

# --- 6. a note an office would refuse is never kept on the laptop.
before=$(db_digest "$L")
run "$K" note --db "$L" "$U" hh_no "$(printf 'chuông\007')"
expect_status 1
expect_err_contains "a text with a control character"
[ "$(db_digest "$L")" = "$before" ] || fail "a refused note changed the laptop"

finish
