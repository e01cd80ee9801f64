#!/bin/sh
# tui_notes.sh: a note on a question from the interview screen: ^E (shown
# in the key bar and the help) opens the note editor on the current
# question; the note is saved with its audit row, shown under the
# question and in the review with a mark; second pass: edited, Esc leaves
# it as it was, emptied it is removed, and ^E then offers it back (undo);
# at 60x20 on a vt100 too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-notes-$$-0
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"

# start COLS ROWS [TERM]: khaosat on $DB in a COLSxROWS window.
start() { tui_run notes "$@"; }
note_is() { expect_sql "SELECT coalesce((SELECT note FROM notes WHERE qid = 'hh_no'), '-')" "$1"; }

# --- 1. first pass: a household, a note on the household number.
start 80 24
wait_for "Phiếu khảo sát hộ"
key Home Down Down Enter
wait_for "Mã thôn (ấp, bản)"
key Down Enter
wait_for "Số thứ tự của hộ"
screen | tail -1 | grep -qF "^E note" || fail "key bar lacks ^E note: $(screen | tail -1)"
key F1
wait_for "a note on this question"
key Escape
wait_for "Số thứ tự của hộ"
key C-e
wait_for "Note on this question"
text "Số theo sổ hộ khẩu"
key Enter
wait_for "✎ Note: Số theo sổ hộ khẩu"
wait_for "Note saved."
note_is "Số theo sổ hộ khẩu"
expect_sql "SELECT count(*) FROM audit WHERE event = 'note'" 1
text "17"; key Enter
wait_for "Tên thôn (ấp, bản)"
# The review shows the answer with the note's mark and text.
key C-r
wait_for "17  ✎ Số theo sổ hộ khẩu"
key Escape
wait_gone "✎ Số theo"

# --- 2. second pass: back on it, edit; Esc changes nothing.
key C-p
wait_for "✎ Note: Số theo sổ hộ khẩu"
key C-e
wait_for "Note on this question"
key C-u
text "Số cũ 12, sửa thành 17"
key Enter
wait_for "✎ Note: Số cũ 12, sửa thành 17"
note_is "Số cũ 12, sửa thành 17"
key C-e
wait_for "Note on this question"
text " và thêm"
key Escape
wait_gone "Note on this question"
note_is "Số cũ 12, sửa thành 17"
# Emptied: removed; ^E offers it back, and Enter restores it (undo).
key C-e
wait_for "Note on this question"
key C-u Enter
wait_for "Note removed (^E offers it back)."
wait_gone "✎ Note:"
note_is "-"
key C-e
wait_for "the one removed: Enter puts it back"
wait_for "Số cũ 12, sửa thành 17"
key Enter
wait_for "✎ Note: Số cũ 12, sửa thành 17"
note_is "Số cũ 12, sửa thành 17"
expect_sql "SELECT count(*) FROM audit WHERE event = 'note'" 4
key C-x
wait_for "Enter new"
key q
wait_exit 0

# --- 3. 60x20 on a vt100: the bar still shows ^E; F2 opens it too; the
# draft resumes with its note (third pass).
start 60 20 vt100
wait_for "Enter new"
key Home Down Down r
wait_for "Interviews:"
key Enter
wait_for "sections done"
screen | tail -1 | grep -qF "^E note" || fail "60 columns: no ^E note: $(screen | tail -1)"
key C-g
wait_for "Số thứ tự"
text "Số thứ tự"
key Enter
wait_for "✎ Note: Số cũ 12"
key C-e
wait_for "Note on this question"
key C-u
text "ghi chú ở máy vt100"
key Enter
wait_for "✎ Note: ghi chú ở máy vt100"
note_is "ghi chú ở máy vt100"
key C-x
wait_for "Interviews:"
key Escape
wait_for "Enter new"
key q
wait_exit 0
run "$KHAOSAT" csv --db "$DB" --forms "$FORMS" --out "$TMP" --drafts
grep -qF ",hh_no,,ghi chú ở máy vt100" "$TMP/notes.csv" ||
    fail "the note is not in notes.csv: $(cat "$TMP/notes.csv")"

# --- 4. the note travels: a laptop's e exports it (sealed for the office),
# the office's m merges it, and the office's review of the interview shows
# it; a second e brings the same again and changes nothing; the note
# edited on the laptop comes to the office edited.
# laptop_exports: e on L2's home screen writes its bundle to $TMP/usb.
laptop_exports() {
    DB=$L2
    start 80 24
    wait_for "? help"
    key e
    wait_for "Directory to write the bundle to"
    key C-u; text "$TMP/usb"; key Enter
    wait_for "1 interviews exported to" 10
    key Enter
    key q
    wait_exit 0
}
L2=$TMP/L2.db
O=$TMP/office.db
laptop L2 "Lê Thị Bình" "Tân Lập"
laptop office "Giám sát Hà" "Tân Lập"
"$KHAOSAT" simulate --db "$L2" --forms "$FORMS" --form household --count 1 \
    --drafts --seed 11 >/dev/null
U=$(sqlite3 "$L2" "SELECT uuid FROM interviews")
"$KHAOSAT" keys export --db "$O" --role office --name "UBND xã" --commune "Tân Lập" --to "$TMP/office.card" 2>/dev/null
"$KHAOSAT" keys export --db "$L2" --to "$TMP/L2.card" 2>/dev/null
"$KHAOSAT" keys trust --db "$L2" --yes "$TMP/office.card" >/dev/null 2>&1
"$KHAOSAT" keys trust --db "$O" --yes "$TMP/L2.card" >/dev/null 2>&1
"$KHAOSAT" note --db "$L2" "$U" hh_no "Hộ tách từ hộ 12" >/dev/null || fail "note on L2"
"$KHAOSAT" finalise --db "$L2" --forms "$FORMS" "$U" >/dev/null || fail "finalise on L2"
mkdir -p "$TMP/usb"
laptop_exports
"$KHAOSAT" forms accept --db "$O" "$TMP"/usb/*.khb >/dev/null || fail "forms accept"
DB=$O
start 80 24
wait_for "b browse"
key m
wait_for "Directory with the bundles"
key C-u; text "$TMP/usb"; key Enter
wait_for "1 bundles: 1 merged, 0 already merged, 0 refused" 10
key q
expect_sql "SELECT note FROM notes WHERE interview = '$U' AND qid = 'hh_no'" "Hộ tách từ hộ 12"
key b
wait_for "Interviews 1/1"
key Enter
wait_for "Interview (read-only)"
wait_for "✎ Hộ tách từ hộ 12"
key Escape
wait_for "Interviews 1/1"
key Escape
wait_for "b browse"
# The same bundle again: nothing changes.
before=$(db_digest "$O")
key m
key C-u; text "$TMP/usb"; key Enter
wait_for "1 bundles: 0 merged, 1 already merged, 0 refused" 10
key q
[ "$(db_digest "$O")" = "$before" ] || fail "re-merging the note's bundle changed the office"
key q
wait_exit 0
# Edited on the laptop (reopened by a corrected answer), exported from
# the screen again: the office's review shows the new text.
hh=$(sqlite3 "$L2" "SELECT value FROM answers WHERE interview = '$U' AND qid = 'hh_no'")
"$KHAOSAT" answer --db "$L2" --forms "$FORMS" "$U" hh_no "$((hh + 1))" >/dev/null 2>&1 || fail "reopen on L2"
"$KHAOSAT" note --db "$L2" "$U" hh_no "Hộ tách từ hộ 12 năm 2025" >/dev/null || fail "edit the note on L2"
"$KHAOSAT" finalise --db "$L2" --forms "$FORMS" "$U" >/dev/null || fail "finalise again on L2"
rm -f "$TMP"/usb/*.khb
laptop_exports
DB=$O
start 80 24
wait_for "b browse"
key m
key C-u; text "$TMP/usb"; key Enter
wait_for "updated 1" 10
key q
key b
wait_for "Interviews 1/1"
key Enter
wait_for "✎ Hộ tách từ hộ 12 năm 2025"
key Escape
key Escape
wait_for "b browse"
key q
wait_exit 0
expect_sql "SELECT count(*) FROM notes WHERE interview = '$U'" 1

t kill-server 2>/dev/null
finish
