# return_late_fixture.sh: sourced by cli_return_late.sh and
# tui_return_late.sh after lib.sh.  An office ($O) and its laptop ($A)
# with two interviews X and Y merged there; COMMENT a supervisor's comment.
# change, give_back and taken are the steps both tests take.
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
COMMENT="Hỏi lại chủ hộ về số nhân khẩu"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop office "Giám sát Hà" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 71 >/dev/null
office_pair office A
X=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
Y=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
# change UUID NAME: the enumerator reopens, edits and finalises it.
change() {
    "$K" reopen --db "$A" "$1" >/dev/null 2>&1 || fail "$1 reopened"
    "$K" answer --db "$A" "$1" head_name "$2" >/dev/null 2>&1 || fail "$1 edited"
    "$K" finalise --db "$A" "$1" >/dev/null 2>&1 || fail "$1 finalised"
}
# give_back UUID COMMENT: the office returns it and writes its bundle
# for the laptop ($TMP/down).
give_back() {
    run "$K" review --db "$O" "$1" --return --comment "$2"
    expect_status 0
    down_export "$O"
}
# taken: the laptop merges that bundle.
taken() {
    run "$K" merge --db "$A" "$TMP/down"
    expect_status 0
}
