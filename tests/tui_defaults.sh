#!/bin/sh
# tui_defaults.sh: values known in advance and multi-line text on the
# bundled forms. A new household starts with the enumerator from the
# laptop's set-up and today's date, saved as answers with their audit
# rows and editable; a commune interview starts with the commune's name;
# the enumerator's notes (multiline: true) take several lines (Enter
# breaks a line, Tab saves), kept with their line breaks, shown wrapped,
# edited again on a second pass and written quoted in CSV; at 60x20 on a
# vt100 too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-defaults-$$-0
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"

# start COLS ROWS [TERM]: khaosat on $DB in a COLSxROWS window.
start() { tui_run defaults "$@"; }
answer_of() { sqlite3 "$DB" "SELECT value FROM answers WHERE qid = '$1'"; }
today=$(date -u +%Y-%m-%d)
shown=$(date -u +%d/%m/%Y)

# --- 1. a new household: the enumerator and the date are there already.
start 80 24
wait_for "Phiếu khảo sát hộ"
key Home Down Down Enter
wait_for "Mã thôn (ấp, bản)"
key Down Enter
wait_for "Số thứ tự của hộ"
text "5"; key Enter
wait_for "Tên thôn (ấp, bản)"
text "Thôn Một"; key Enter
wait_for "Họ tên hoặc mã điều tra viên"
wait_for "Nguyễn Văn An"
expect_sql "SELECT value FROM answers WHERE qid = 'enumerator'" "Nguyễn Văn An"
expect_sql "SELECT value FROM answers WHERE qid = 'interview_date'" "$today"
expect_sql "SELECT count(*) FROM audit WHERE event = 'change' AND qid = 'enumerator' AND old_value IS NULL AND new_value = 'Nguyễn Văn An'" 1
# Editable: another enumerator's code replaces it (audited).
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do t send-keys BSpace; done
text "ĐTV 07"; key Enter
wait_for "Ngày phỏng vấn"
wait_for "$shown"
expect_sql "SELECT value FROM answers WHERE qid = 'enumerator'" "ĐTV 07"
expect_sql "SELECT count(*) FROM audit WHERE event = 'change' AND qid = 'enumerator' AND old_value = 'Nguyễn Văn An' AND new_value = 'ĐTV 07'" 1
key Enter
wait_for "Họ tên chủ hộ"

# --- 2. multi-line notes: Enter breaks a line, Tab saves.
key C-g
wait_for "Jump to a question"
text "ghi chu cua dieu tra"
key Enter
wait_for "Ghi chú của điều tra viên"
wait_for "Enter new line   Tab save and go on"
text "Hộ vắng lần đầu,"; key Enter
text "quay lại lúc 17 giờ."
wait_for "quay lại lúc 17 giờ."
wait_for "Hộ vắng lần đầu,"
expect_sql "SELECT count(*) FROM answers WHERE qid = 'enum_note'" 0
key Tab
wait_for "End of the interview"
[ "$(answer_of enum_note)" = "$(printf 'Hộ vắng lần đầu,\nquay lại lúc 17 giờ.')" ] ||
    fail "enum_note: '$(answer_of enum_note)'"
# The review shows it on one row.
key C-r
wait_for "Review:"
key End
wait_for "Hộ vắng lần đầu, ↵ quay lại"
key Escape
key C-x
wait_for "Enter new"
key q
wait_exit 0

# --- 3. second pass at 60x20 on a vt100: a third line.
start 60 20 vt100
wait_for "Enter new"
key Home Down Down r
wait_for "Interviews:"
key Enter
wait_for "sections done"
key C-g
wait_for "Jump to a question"
text "ghi chu cua dieu tra"
key Enter
wait_for "Hộ vắng lần đầu,"
wait_for "quay lại lúc 17 giờ."
key End Enter
text "Đã gặp chủ hộ."
key Tab
wait_for "End of the interview"
[ "$(answer_of enum_note)" = "$(printf 'Hộ vắng lần đầu,\nquay lại lúc 17 giờ.\nĐã gặp chủ hộ.')" ] ||
    fail "enum_note after the second pass: '$(answer_of enum_note)'"
key C-x
wait_for "Interviews:"
key Escape
wait_for "Enter new"

# --- 4. a commune interview starts with the commune's name.
wait_for "Phiếu khảo sát th"
key Home Down Enter
wait_for "Tên tỉnh/thành phố"
key C-g
wait_for "Jump to a question"
text "ten xa"
key Enter
wait_for "Tên xã"
wait_for "Tân Lập"
expect_sql "SELECT a.value FROM answers a JOIN interviews i ON i.uuid = a.interview WHERE i.form_id = 'commune' AND a.qid = 'commune'" "Tân Lập"
expect_sql "SELECT a.value FROM answers a JOIN interviews i ON i.uuid = a.interview WHERE i.form_id = 'commune' AND a.qid = 'survey_date'" "$today"
key C-x
wait_for "Enter new"
key q
wait_exit 0

# --- 5. CSV keeps the line breaks, quoted.
run "$KHAOSAT" csv --db "$DB" --forms "$FORMS" --out "$TMP" --drafts
expect_status 0
grep -qF "\"Hộ vắng lần đầu," "$TMP/household.csv" ||
    fail "the multi-line answer is not quoted in CSV"
grep -qxF "quay lại lúc 17 giờ." "$TMP/household.csv" ||
    fail "the line break is not kept in CSV"

t kill-server 2>/dev/null
finish
