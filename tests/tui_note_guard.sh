#!/bin/sh
# tui_note_guard.sh: the screen's note editor and another program. A note
# written by another program (`khaosat note`) while the editor is open is
# not overwritten: the screen's note is refused, the screen reloads, and
# ^E offers the text typed again; Enter then saves it over the other
# (second pass), each change audited with the text it replaced. At the
# limit of 4096 bytes the editor takes no further key and says why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-noteguard-$$-0
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"

start() { tui_run noteguard "$@"; }
note_is() {
    expect_sql "SELECT coalesce((SELECT note FROM notes WHERE qid = 'village_name'), '-')" "$1"
}

# --- 1. a household up to the village's name.
start 80 24
wait_for "Phiếu khảo sát hộ"
key Home Down Down Enter
wait_for "Mã thôn (ấp, bản)"
key Down Enter
wait_for "Số thứ tự của hộ"
text "17"; key Enter
wait_for "Tên thôn (ấp, bản)"
U=$(sqlite3 "$DB" "SELECT uuid FROM interviews")

# --- 2. the editor open, another program writes a note: the screen's is
# refused, nothing of it saved, and the other program's note kept.
key C-e
wait_for "Note on this question"
text "ghi chú màn hình"
"$KHAOSAT" note --db "$DB" "$U" village_name "ghi chú máy khác" >/dev/null 2>&1 ||
    fail "khaosat note from the other program"
key Enter
whole "so the note was not saved"
note_is "ghi chú máy khác"
expect_sql "SELECT count(*) FROM audit WHERE event = 'note'" 1
wait_for "✎ Note: ghi chú máy khác"

# --- 3. ^E offers the text typed; Enter saves it over the other's.
key C-e
wait_for "the one typed, not saved"
wait_for "ghi chú màn hình"
key Enter
wait_for "Note saved."
wait_for "✎ Note: ghi chú màn hình"
note_is "ghi chú màn hình"
expect_sql "SELECT old_value || '>' || new_value FROM audit WHERE event = 'note' ORDER BY seq DESC LIMIT 1" "ghi chú máy khác>ghi chú màn hình"
# Third pass: a note changed elsewhere again is seen, not overwritten.
"$KHAOSAT" note --db "$DB" "$U" village_name "" >/dev/null 2>&1 ||
    fail "khaosat note removing it"
key C-e
wait_for "Note on this question"
text "lần ba"
key Enter
whole "so the note was not saved"
note_is "-"
# --- 4. at the limit (4096 bytes), a further key is not taken, saying why.
key C-e
wait_for "the one typed, not saved"
wait_for "lần ba"
key C-u
text "$(printf '%4090s' '' | tr ' ' a)"
text "ệệ"
text "ệ"
wait_for "At most 4096 bytes here: this key is not taken (4096 bytes now)."
key Enter
wait_for "Note saved."
expect_sql "SELECT length(CAST(note AS BLOB)) || ' ' || substr(note, -3) FROM notes WHERE qid = 'village_name'" "4096 aệệ"
key C-x
wait_for "Enter new"
key q
wait_exit 0

t kill-server 2>/dev/null
finish
