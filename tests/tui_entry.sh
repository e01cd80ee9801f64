#!/bin/sh
# tui_entry.sh: heads-down entry on the bundled household form as an
# enumerator's terminal gives it: the smallest usable size (60x20) and
# an 80x24 console less a status line (80x23), "too small" below that
# and back on resize; vt100 and Linux console terminals, whose PgUp and
# Shift-Tab must go back a question, not leave it like Esc; the control
# keys shown in the key bar; a paste with a line break, which must not
# confirm the field.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-entry-$$-0
DB=$TMP/laptop.db
laptop laptop "Nguyễn Văn An" "Tân Lập"

# start COLS ROWS [TERM]: khaosat on $DB in a COLSxROWS window.
start() { tui_run entry "$@"; }

# household: from home, start a household interview.
household() {
    wait_for "Phiếu khảo sát hộ" || return
    key Home Down Down Enter
    wait_for "Mã thôn (ấp, bản)"
}

# to_village_name N: answer the village and household number N.
to_village_name() {
    key Down Enter
    wait_for "Số thứ tự của hộ" || return
    text "$1"; key Enter
    wait_for "Tên thôn (ấp, bản)"
}

# bar_shows TEXT: the key bar (last line) contains TEXT.
bar_shows() {
    ks_checks=$((ks_checks + 1))
    screen | tail -1 | grep -qF -- "$1" ||
        fail "the key bar lacks '$1': $(screen | tail -1)"
}

# --- 1. sizes: 80x23 and 60x20 work, 59x20 says so and recovers.
start 80 23
household
wait_for "sections done"
bar_shows "^P back"
bar_shows "^X home"
key Escape
# Nothing answered: the blank interview is not kept.
wait_for "drafts 0"
key q
wait_exit 0

start 60 20
household
bar_shows "^P back"
bar_shows "^N skip"
bar_shows "^X home"
to_village_name 5
t resize-window -x 59 -y 20
wait_for "need 60x20"
t resize-window -x 60 -y 19
wait_for "need 60x20"
t resize-window -x 60 -y 20
wait_gone "too small"
wait_for "Tên thôn (ấp, bản)"

# --- 5. a paste with a line break stays in the field, as one line.
t set-buffer "Thôn Đồng
Tâm"
t paste-buffer -p
wait_for "Thôn Đồng Tâm"
wait_for "Tên thôn (ấp, bản)"
expect_sql "select count(*) from answers where qid = 'village_name'" "0"
key Enter
wait_for "Họ tên hoặc mã điều tra viên"
expect_sql "select value from answers where qid = 'village_name'" "Thôn Đồng Tâm"
# The control keys move as PgUp and PgDn do.
key C-p
wait_for "Tên thôn (ấp, bản)"
key C-n
wait_for "Họ tên hoặc mã điều tra viên"
key C-x
wait_for "drafts 1"
key q
wait_exit 0

# --- 4. vt100 and the Linux console: PgUp and Shift-Tab go back, Esc
# alone still leaves.
hh=6
for term in vt100 linux; do
    hh=$((hh + 1))
    start 80 24 "$term"
    household
    to_village_name "$hh"
    key PageUp
    wait_for "Số thứ tự của hộ"
    key BTab
    wait_for "Mã thôn (ấp, bản)"
    key PageDown
    wait_for "Số thứ tự của hộ"
    key Home End Left Right Up Down M-x F1
    wait_for "Keys"
    key Escape
    wait_for "Số thứ tự của hộ"
    ks_checks=$((ks_checks + 1))
    screen | grep -q "drafts" && fail "$term: a key left the interview"
    key Escape
    wait_for "drafts"
    key q
    wait_exit 0
done

# --- 2, 3. the entry test form: a 30-village list and a long hint.
DB=$TMP/entry.db
"$KHAOSAT" simulate --db "$DB" --forms "$TESTDATA/entry" --form entry --count 0 >/dev/null 2>&1
sqlite3 "$DB" "INSERT INTO settings VALUES ('enumerator', 'Lò Văn Hải');"
FORMS=$TESTDATA/entry
start 80 23
wait_for "Phiếu nhập liệu thử"
key Enter
wait_for "Thôn 1"
wait_for "▼ 17 more"
wait_gone "▲"
key Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
wait_for "▲ 3 more"
wait_for "▼ 14 more"
key End
wait_for "Thôn 30"
wait_for "▲ 17 more"
wait_gone "▼"
key Home
wait_for "▼ 17 more"
# --- 6. choices are picked by their code, shown beside them: "15" at
# once; "3" waits (30 could follow) for Enter or a pause; "0" is no code.
wait_for " 13  Thôn 13"
text "15"
wait_for "Số hộ"
expect_sql "select value from answers where qid = 'village'" "15"
key C-p
wait_for "Thôn *"
text "3"
wait_for "code 3_"
expect_sql "select value from answers where qid = 'village'" "15"
key Enter
wait_for "Số hộ"
expect_sql "select value from answers where qid = 'village'" "3"
key C-p
wait_for "Thôn *"
text "2"
wait_for "code 2_"
wait_for "Số hộ"
expect_sql "select value from answers where qid = 'village'" "2"
key C-p
wait_for "Thôn *"
text "0"
wait_for "no choice has code 0"
# Letters narrow the list, without accents: "dong" finds Xóm Đồng Tâm.
text "dong"
wait_for "filter: dong"
wait_for "21  Xóm Đồng Tâm"
wait_gone "Thôn 1 "
key BSpace BSpace BSpace BSpace
wait_gone "filter:"
wait_for "Thôn 1"
text "mường"
wait_for "7  Bản Mường Lay"
key Enter
wait_for "Số hộ"
expect_sql "select value from answers where qid = 'village'" "7"
text "12"; key Enter
wait_for "Người trả lời"
# At 80x23 the whole hint shows, past the three lines it once stopped at.
wait_for "Hết."
wait_gone "^T all"
t resize-window -x 60 -y 20
wait_for "^T all"
# --- 11. the title keeps the household (village, number) and cuts the
# form's long title instead; 9. progress counts sections.
ks_checks=$((ks_checks + 1))
screen | head -1 | grep -q "Phiếu.*… | Bản Mường Lay, 12 .*0 of 2 sections done" ||
    fail "the title bar lost the household: $(screen | head -1)"
wait_gone "Hết."
wait_for "…"
key C-t
wait_for "The whole question"
wait_for "Hết."
key Escape
wait_for "^T all"
wait_for "Người trả lời"
t resize-window -x 100 -y 40
wait_for "Hết."
wait_gone "^T all"
# In a draft, a question not yet answered is "not yet", not an error.
key C-r
wait_for "not yet     3. Người trả lời"
wait_gone "INVALID"
key Escape
wait_for "Người trả lời *"
t resize-window -x 80 -y 23
text "Lò Thị Mai"; key Enter
wait_for "Hộ có Internet không?"
wait_for "8  Không biết"
text "8"
wait_for "Số thành viên"
expect_sql "select value from answers where qid = 'internet'" "8"
# --- 7. numbers and dates: what is wrong is said, once; spaces are
# trimmed; nothing wrong is saved.
text "1a"; key Enter
wait_for "not a number"
ks_checks=$((ks_checks + 1))
[ "$(screen | grep -c "not a number")" = 1 ] ||
    fail "'not a number' is shown more than once: $(screen)"
expect_sql "select count(*) from answers where qid = 'members'" "0"
key BSpace BSpace
text "  4 "; key Enter
wait_for "Ngày phỏng vấn"
expect_sql "select value from answers where qid = 'members'" "4"
text "30/02/2026"; key Enter
wait_for "no such day: 30/02/2026"
for i in 1 2 3 4 5 6 7 8 9 10; do key BSpace; done
text "12/13/2026"; key Enter
wait_for "no such month: 12/13/2026"
for i in 1 2 3 4 5 6 7 8 9 10; do key BSpace; done
text "3/2026"; key Enter
wait_for "type it as dd/mm/yyyy"
expect_sql "select count(*) from answers where qid = 'visit'" "0"
for i in 1 2 3 4 5 6; do key BSpace; done
text " 5/3/2026 "; key Enter
wait_for "End of the interview"
expect_sql "select value from answers where qid = 'visit'" "2026-03-05"
# --- 8. the review shows the answers (the label is cut, not the
# answer), greys what skip logic left out, and "p" keeps the problems.
key C-r
wait_for "Review: 0 problem(s)"
wait_for "Lò Thị Mai"
wait_for "05/03/2026"
wait_for "skipped     5. Nhà mạng"
wait_for "B. Internet của hộ"
key p
wait_for "only they are shown"
wait_gone "Lò Thị Mai"
key p
wait_for "Lò Thị Mai"
key Escape
wait_for "End of the interview"
# --- 10. the jump list: section headings, numbers, typing searches.
key C-g
wait_for "Jump to a question"
wait_for "B. Internet của hộ"
wait_for "3. Người trả lời"
wait_gone "Nhà mạng"
text "ngay"
wait_for "search: ngay"
wait_for "7. Ngày phỏng vấn"
wait_gone "Người trả lời"
key BSpace BSpace BSpace BSpace
wait_for "Người trả lời"
text "tra loi"
wait_gone "Ngày phỏng vấn"
key Enter
wait_for "Lò Thị Mai"
wait_for "Người trả lời *"
key C-n C-n C-n C-n C-n
wait_for "End of the interview"
key C-x
wait_for "drafts 1"
key q
wait_exit 0

# --- 13. the first run asks the interface language, Vietnamese first:
# chosen, it is spoken on a C.UTF-8 laptop and kept in the database; the
# help screen switches it, and that is kept too.
DB=$TMP/first.db
FORMS=$SRCDIR/forms
start 80 24
wait_for "Ngôn ngữ / Language"
wait_for "Tiếng Việt"
key Enter
wait_for "Tên hoặc mã điều tra viên"
expect_sql "select value from settings where key = 'ui_lang'" "vi"
text "Lò Văn Hải"; key Enter
text "Tân Lập"; key Enter
wait_for "Phiếu khảo sát hộ"
key Home Down Down Enter
wait_for "F1 giúp"
# The review's status column holds its widest Vietnamese word at 60
# columns: every row's question number starts in the same column.
t resize-window -x 60 -y 20
key C-r
wait_for "chưa trả lời"
wait_for "đã trả lời"
ks_checks=$((ks_checks + 1))
starts=$(screen | grep -E "^ *(đã trả lời|chưa trả lời|bỏ qua|LỖI) +[0-9]+\\." |
    sed -E 's/[0-9]+\..*//' | while IFS= read -r lead; do
        printf '%s' "$lead" | LC_ALL=C.UTF-8 wc -m; done | sort -u | wc -l)
[ "$starts" = 1 ] || fail "review rows' numbers start in $starts columns: $(screen)"
key Escape
wait_for "F1 giúp"
t resize-window -x 80 -y 24
key F1
wait_for "Các phím"
key End   # the help is longer than the screen: its last lines
wait_for "trợ giúp này"
key L
key End
wait_for "this help"
expect_sql "select value from settings where key = 'ui_lang'" "en"
key Escape
wait_for "F1 help"
key C-x
# Nothing was answered in it: the blank interview is not kept.
wait_for "drafts 0"
key q
wait_exit 0
start 80 24
wait_for "Enter new"
wait_gone "Language"
key q
wait_exit 0

finish
