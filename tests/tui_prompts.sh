#!/bin/sh
# tui_prompts.sh: the interview screen in Vietnamese at its smallest size,
# typed as an enumerator would, then checked in the database:
# 1. Enter (new interview) then Esc at once keeps nothing: a blank new
#    interview is discarded; one with an answer is kept as a draft;
# 2. a number typed wrongly says "not a number" once, also after Enter,
#    and digit groups or a fraction in an integer say so, as khaosat
#    answer does;
# 3. the long y/n question of lowering a household size (two members with
#    long names) is shown whole with its keys at 80x24 and at 60x20, and
#    answers at both; below 60x20 the screen says it is too small and
#    takes no answer, and grown back the question is whole again;
# 4. another program (`khaosat answer`) changing the interview while it is
#    open: the screen's next answer is refused and the screen shows what
#    the database holds, then takes answers again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-prompts-$$-0
DB=$TMP/db
FORMDIR=$TESTDATA/integrity

# start COLS ROWS: khaosat in Vietnamese in a fresh COLSxROWS window.
TUI_LANGUAGE=vi
start() { tui_start khaosat-prompts "$FORMDIR" "$1" "$2"; }

sql() { sqlite3 "$DB" "$1"; }
# shown TEXT N: TEXT is on the screen exactly N times.
shown() {
    ks_checks=$((ks_checks + 1))
    got=$(screen | grep -oF -- "$1" | wc -l)
    [ "$got" -eq "$2" ] || { fail "'$1' shown $got times, expected $2:"; screen >&2; }
}

"$KHAOSAT" simulate --db "$DB" --forms "$FORMDIR" --form int_household --count 0 >/dev/null
sql "INSERT INTO settings VALUES ('enumerator', 'Lò Văn Tám');
     INSERT INTO settings VALUES ('commune', 'Tân Lập');"

# --- 1. Enter then Esc: nothing is kept.
start 80 24
wait_for "nháp 0"
key Enter
wait_for "Tên thôn"
key Escape
wait_for "nháp 0"
expect_sql "SELECT count(*) FROM interviews" "0"
# Again, and Ctrl-C (y) from the blank interview: still nothing.
key Enter
wait_for "Tên thôn"
key C-c
wait_for "(c/k)"
key c
wait_exit 0
expect_sql "SELECT count(*) FROM interviews" "0"
# With an answer it is a draft, listed and resumed.
start 80 24
wait_for "nháp 0"
key Enter
wait_for "Tên thôn"
text "Bản Mòng"; key Enter
wait_for "Số hộ"
# --- 2. a wrong number is said once, while typing and after Enter.
text "12a"
wait_for "không phải là số"
shown "không phải là số" 1
key Enter
wait_for "không phải là số"
shown "không phải là số" 1
expect_sql "SELECT count(*) FROM answers WHERE qid = 'hh_no'" "0"
whole "'12a' không phải là số."
# retype TEXT: the field emptied (its answers are short), TEXT and Enter.
retype() {
    for _ in 1 2 3 4 5; do t send-keys BSpace; done
    sleep 0.15; text "$1"; key Enter
}
# Digit groups and a fraction in an integer: the words khaosat answer
# gives (cli_integrity.sh), whole; nothing saved.
retype "1.000"
whole "'1.000' được viết có dấu phân cách hàng nghìn"
retype "1,000"
whole "'1,000' được viết có dấu phân cách hàng nghìn"
retype "7,5"
whole "'7,5' không phải là số nguyên: câu hỏi này chỉ nhận chữ số."
shown "không phải là số" 1
expect_sql "SELECT count(*) FROM answers WHERE qid = 'hh_no'" "0"
retype "12"
wait_for "Diện tích"
shown "không phải là số" 0
key Escape
wait_for "nháp 1"
expect_sql "SELECT count(*) FROM interviews WHERE status = 'draft'" "1"
expect_sql "SELECT value FROM answers WHERE qid = 'hh_no'" "12"
U=$(sql "SELECT uuid FROM interviews")

# --- 3. three members, two with long names, written by the command.
A="$KHAOSAT answer --db $DB $U"
$A consent 1 >/dev/null 2>&1 || fail "answer consent"
$A hh_size 3 >/dev/null 2>&1 || fail "answer hh_size"
$A m_name@members[1] "Lò Văn Một" >/dev/null 2>&1 || fail "answer m_name 1"
$A m_name@members[2] "Nguyễn Thị Phương Thảo Hoàng Anh" >/dev/null 2>&1 || fail "answer m_name 2"
$A m_name@members[3] "Trần Văn Quang Minh Đức Huy" >/dev/null 2>&1 || fail "answer m_name 3"
$A m_sex@members[3] 1 >/dev/null 2>&1 || fail "answer m_sex 3"
QUESTION="Xóa thành viên 2, Nguyễn Thị Phương Thảo Hoàng Anh; thành viên 3, Trần Văn Quang Minh Đức Huy, cùng 3 câu trả lời? (c/k)"

# lower_size: from the home screen, open the draft (where it was left),
# go to the household size and lower it to 1.
lower_size() {
    wait_for "nháp 1"
    key r
    wait_for "Bản Mòng" || return
    key Enter
    wait_for "Phiếu hộ kiểm tra" || return
    # The jump list, from its first row down to the household size.
    key C-g
    wait_for "Chuyển đến câu hỏi" || return
    key Home Down Down Down Down Enter
    wait_for "Số nhân khẩu *" || return
    key BSpace
    text 1; key Enter
}
start 80 24
lower_size
whole "$QUESTION"
# n keeps both members.
key k
wait_for "Không xóa gì"
expect_sql "SELECT value FROM answers WHERE qid = 'hh_size'" "3"
expect_sql "SELECT count(*) FROM answers WHERE path IN ('members[2]', 'members[3]')" "3"
# Asked again, and the terminal shrinks to 60x20 (the smallest the
# screens take) under the question: shown whole again, and y answers.
key BSpace
text 1; key Enter
whole "$QUESTION"
t resize-window -x 60 -y 20
whole "$QUESTION"
# Below that the screen says so and takes no answer; grown back, the
# question is whole again over the screen it was asked on.
t resize-window -x 59 -y 20
wait_for "cần 60x20"
key c
sleep 0.3
expect_sql "SELECT value FROM answers WHERE qid = 'hh_size'" "3"
t resize-window -x 80 -y 24
whole "$QUESTION"
wait_for "Số nhân khẩu"
t resize-window -x 60 -y 20
whole "$QUESTION"
key c
wait_for "Thành viên"
expect_sql "SELECT value FROM answers WHERE qid = 'hh_size'" "1"
expect_sql "SELECT count(*) FROM answers WHERE path IN ('members[2]', 'members[3]')" "0"

# --- 4. another program changes the interview while it is open here.
key PageUp
wait_for "Số nhân khẩu"
$KHAOSAT answer --db $DB --remove $U hh_size 2 >/dev/null 2>&1 || fail "answer hh_size 2 from the command"
$A m_name@members[2] "Lò Thị Hai" >/dev/null 2>&1 || fail "answer m_name 2 from the command"
# data_digest: the interviews' answers, rosters, status and changes (not
# the screen's own moves, which are audited too).
data_digest() {
    sqlite3 "$DB" "SELECT * FROM answers ORDER BY 1, 2, 3;
                   SELECT * FROM repeat_counts ORDER BY 1, 2;
                   SELECT uuid, status, updated FROM interviews;
                   SELECT * FROM audit WHERE event NOT IN ('enter', 'leave')
                   ORDER BY seq" | sha256sum
}
before=$(data_digest)
key BSpace
text 4; key Enter
wait_for "Một chương trình khác đã thay đổi phiếu này"
[ "$(data_digest)" = "$before" ] || fail "the refused answer changed the database"
expect_sql "SELECT value FROM answers WHERE qid = 'hh_size'" "2"
# The screen shows what is saved: the size the other program gave.
wait_for "Số nhân khẩu"
ks_checks=$((ks_checks + 1))
screen | grep -qE '^ +2 *$' || { fail "the screen does not show the saved size 2:"; screen >&2; }
# And takes answers again, on the saved members.
key PageDown
wait_for "2. Lò Thị Hai"
key Down Enter
wait_for "Họ tên"
key PageDown
wait_for "Giới tính"
key 2
wait_for "Năm sinh"
expect_sql "SELECT value FROM answers WHERE qid = 'm_sex' AND path = 'members[2]'" "2"
key Escape
wait_for "Bản Mòng"
key Escape
wait_for "nháp 1"
key q
wait_exit 0
expect_sql "SELECT count(*) FROM interviews" "1"

# --- 5. a roster's count typed far too large is refused at once, saying
# so, instead of the screen stalling while it makes the members.
DB=$TMP/big.db
FORMDIR=$TESTDATA/bigcount
"$KHAOSAT" simulate --db "$DB" --forms "$FORMDIR" --form bigcount --count 0 >/dev/null
sql "INSERT INTO settings VALUES ('enumerator', 'Lò Văn Tám');"
start 80 24
wait_for "nháp 0"
key Enter
wait_for "Số thửa đất"
text 1000000000; key Enter
wait_for "hơn 1000 mục trong 'plots'"
expect_sql "SELECT count(*) FROM answers WHERE qid = 'n_plots'" "0"
key BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
text 3; key Enter
wait_for "Thửa đất"
expect_sql "SELECT value FROM answers WHERE qid = 'n_plots'" "3"
key Escape
wait_for "nháp 1"
key q
wait_exit 0

finish
