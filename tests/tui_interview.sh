#!/bin/sh
# tui_interview.sh: the interview screen driven as a person would, in a
# detached tmux: first-run setup, a whole household with a roster of three
# members, a refused and corrected answer, resuming after the program is
# killed, resizing, and switching the form language. The database is then
# read with sqlite3 to check what was saved.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-test-$$-0
starts=0
DB=$TMP/db

# start: run khaosat in a fresh window on the test forms.
start() { tui_start khaosat-test "$TESTDATA/tui"; }

# answer TEXT: type an answer and confirm it.
answer() { text "$1"; key Enter; }

# add_member NAME SEXKEY YEAR: add a roster member and answer its questions.
add_member() {
    key a
    wait_for "Họ tên" || return
    answer "$1"
    wait_for "Giới tính" || return
    key "$2"
    wait_for "Năm sinh" || return
    answer "$3"
    wait_for "$1"
}

# --- 1. first run: setup, then a complete household with three members.
start
# The first run asks the interface language, Vietnamese first.
wait_for "Tiếng Việt"
key Down Enter
wait_for "Enumerator name or code"
text "Nguyễn Văn An"; key Enter
text "Tân Lập"; key Enter
wait_for "Phiếu hộ thử"
wait_for "drafts 0"
expect_sql "select value from settings where key = 'enumerator'" "Nguyễn Văn An"
expect_sql "select value from settings where key = 'commune'" "Tân Lập"

key Enter
wait_for "Tên chủ hộ"
wait_for "0 of 2 sections done"
answer "Trần Thị Bình"
wait_for "Số hộ"

# --- 2. a number typed wrongly, then out of range, then corrected.
text "12a"
wait_for "not a number"
key BSpace BSpace BSpace
wait_gone "not a number"
answer "1000"
wait_for "Số hộ phải từ 1 đến 500"
wait_for "0 of 2 sections done"
key BSpace BSpace BSpace BSpace
answer "17"
wait_for "HH-17"
wait_for "Trần Thị Bình, 17"
key Enter
wait_for "Hỏi về nhà ở của hộ Trần Thị Bình"
key Enter
wait_for "Có internet không?"
wait_for "Nhà ở"
key 1
wait_for "Hộ có tài sản nào?"
key 1 3 Enter
wait_for "Ngày phỏng vấn"
answer "31/02/2024"
wait_for "no such day: 31/02/2024"
key BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
answer "15/03/2024"
wait_for "Thành viên"
add_member "Lê Văn Cường" 1 1980
add_member "Lê Thị Dung" 2 1985
add_member "Lê Minh" 1 2010
wait_for "3. Lê Minh"
# The roster shows each member's state; inside a member the section line
# says which member of how many.
wait_for "3. Lê Minh  [complete]"
key Home Down Enter
wait_for "Thành viên: member 2 of 3: Lê Thị Dung"
key C-p
wait_for "3. Lê Minh  [complete]"
# A fourth member added by mistake is removed after a y/n question.
add_member "Xóa Tôi" 2 2000
wait_for "4. Xóa Tôi"
key Up x
wait_for "(y/n)"
key y
wait_gone "Xóa Tôi"
wait_for "3. Lê Minh"
key C-r
wait_for "Review: 0 problem(s)"
wait_for "Ti vi, Điện thoại"
key Escape
sleep 0.3
key PageDown
wait_for "End of the interview"
key C-f
wait_for "complete and saved"
key Enter
wait_for "complete 1"

expect_sql "select status || '|' || enumerator from interviews" "complete|Nguyễn Văn An"
expect_sql "select value from answers where qid = 'head'" "Trần Thị Bình"
expect_sql "select value from answers where qid = 'hh_no'" "17"
expect_sql "select value from answers where qid = 'assets'" "tv phone"
expect_sql "select value from answers where qid = 'visit_date'" "2024-03-15"
expect_sql "select group_concat(value, ',') from (select value from answers where qid = 'name' order by path)" "Lê Văn Cường,Lê Thị Dung,Lê Minh"
expect_sql "select value from answers where qid = 'yob' and path = 'members[2]'" "1985"
expect_sql "select value from answers where qid = 'sex' and path = 'members[3]'" "m"
expect_sql "select count from repeat_counts where path = 'members'" "3"

# --- 3. a draft survives kill -9 and resumes where it was left.
key n
wait_for "Tên chủ hộ"
answer "Phạm Văn Em"
wait_for "Số hộ"
answer "42"
wait_for "HH-42"
key Enter
wait_for "Hỏi về nhà ở"
key Enter
wait_for "Có internet không?"
sleep 0.3
kill -9 "$(cat "$TMP/pid")"
wait_exit 137
expect_sql "select count(*) from interviews where status = 'draft'" "1"
expect_sql "select value from answers a join interviews i on a.interview = i.uuid where i.status = 'draft' and qid = 'head'" "Phạm Văn Em"

start
wait_for "drafts 1"
key r
wait_for "draft"
wait_for "head=Phạm Văn Em, hh_no=42"
key Enter
wait_for "Có internet không?"
wait_for "1 of 2 sections done"
wait_for "Phạm Văn Em, 42"

# --- 4. resizing keeps the screen whole.
t resize-window -x 120 -y 40
wait_for "Có internet không?"
wait_for "1 of 2 sections done"
t resize-window -x 80 -y 24
wait_for "Có internet không?"
wait_for "1 of 2 sections done"
ks_checks=$((ks_checks + 1))
screen | head -1 | grep -q "1 of 2 sections done  \[vi\]$" ||
    fail "the title bar does not fit 80 columns: $(screen | head -1)"
t resize-window -x 59 -y 19
wait_for "Terminal too small"
t resize-window -x 100 -y 30
wait_for "Có internet không?"
wait_gone "Terminal too small"

# --- 5. switching the form language shows the English labels.
key C-l
wait_for "Is there internet?"
wait_for "Test household"
wait_for "Housing"
key C-l
wait_for "Có internet không?"

# Back home; the draft is still there and can be deleted after asking.
key Escape
sleep 0.3
wait_for "Interviews:"
key d
wait_for "(y/n)"
key n
wait_gone "(y/n)"
expect_sql "select count(*) from interviews where status = 'draft'" "1"
key d
wait_for "(y/n)"
key y
wait_gone "head=Phạm Văn Em"
expect_sql "select count(*) from interviews where status = 'draft'" "0"
expect_sql "select count(*) from interviews" "1"
key Escape
sleep 0.3
wait_for "drafts 0"
key q
wait_exit 0

finish
