#!/bin/sh
# tui_back.sh: going back (Shift-Tab, PgUp, ^P) with text typed and not
# yet saved saves it first as Enter would, or, when it is refused, stays
# on the question with the reason and the typed text; nothing typed is
# thrown away. On the default terminal, vt100 and the Linux console, and
# in a multi-line question, where Esc's warning names Tab as the key that
# saves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-back-$$-0
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"

start() { tui_run back "$@"; }
answer_is() {
    expect_sql "SELECT coalesce((SELECT value FROM answers WHERE qid = '$1'), '-')" "$2"
}

# --- 1. Shift-Tab on a number typed: saved, and one question back.
start 80 24
wait_for "Phiếu khảo sát hộ"
key Home Down Down Enter
wait_for "Mã thôn (ấp, bản)"
# Sections hidden until consent is answered are not done yet.
wait_for "0 of 8 sections done"
key Down Enter
wait_for "Số thứ tự của hộ"
text "17"
key BTab
wait_for "Mã thôn (ấp, bản)"
answer_is hh_no 17
# Second pass: a refused value stays, with the reason, and saves nothing.
key Enter
wait_for "Số thứ tự của hộ"
key BSpace BSpace BSpace; text "0"
before=$(db_digest "$DB")
key PageUp
wait_for "1 đến 9999"
wait_for "Số thứ tự của hộ"
expect_same "$DB" "$before" "PgUp on a refused number"
answer_is hh_no 17
# Corrected, PgUp saves it and goes back.
key BSpace BSpace BSpace; text "23"
key PageUp
wait_for "Mã thôn (ấp, bản)"
answer_is hh_no 23
key Enter
wait_for "Số thứ tự của hộ"
key Enter
wait_for "Tên thôn (ấp, bản)"
text "Đồng Tâm"
key C-p
wait_for "Số thứ tự của hộ"
answer_is village_name "Đồng Tâm"

# --- 2. a multi-line question: the lines typed are saved on PgUp.
key C-g
wait_for "Số thứ tự"
text "Ghi chú của điều"
key Enter
wait_for "Ghi chú của điều tra viên"
text "dòng một"
key Enter
text "dòng hai"
# Esc warns with the key that saves here: Tab, since Enter breaks lines.
key Escape
whole "not saved (press Tab to save it)"
key n
wait_gone "press Tab"
key PageUp
wait_gone "dòng hai"
answer_is enum_note "dòng một
dòng hai"
key C-x
wait_for "Enter new"
key q
wait_exit 0

# --- 3. vt100 and the Linux console: the head's name typed is saved on
# PgUp and on Shift-Tab (third pass, on a resumed draft).
for term in vt100 linux; do
    start 80 24 "$term"
    wait_for "Enter new"
    key Home Down Down r
    wait_for "Interviews:"
    key Enter
    wait_for "sections done"
    key C-g
    wait_for "Số thứ tự"
    text "Họ tên chủ hộ"
    key Enter
    wait_for "Họ tên chủ hộ"
    [ "$term" = linux ] && key BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
    text "Bình $term"
    if [ "$term" = vt100 ]; then key PageUp; else key BTab; fi
    wait_gone "Bình $term"
    answer_is head_name "Bình $term"
    key C-x
    wait_for "Interviews:"
    key Escape
    wait_for "Enter new"
    key q
    wait_exit 0
done

t kill-server 2>/dev/null
finish
