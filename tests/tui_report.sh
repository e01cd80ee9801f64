#!/bin/sh
# tui_report.sh: the report screen (R on the home screen) shows what the
# report of issue 14 says, at 80x24 and at 60x20: each condition with its
# basis and the evidence beside a self-assessment, the verdict of a
# commune the central level already chose (exempt, with the decisions
# named), "not enough data" where the commune form is missing, and the
# Vietnamese number format in Vietnamese. A second pass after the commune
# answer changes shows the new verdict; the screen never changes the
# database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-report-$$
K="$KHAOSAT"

# start DB COLS ROWS [HOME]: the screen on DB in a COLSxROWS window,
# once it shows its home screen (HOME: a text of it in its language).
start() {
    DB=$1
    start_screen "$DB"
    t resize-window -x "$2" -y "$3"
    wait_for "${4:-b browse}"
}

# next_page: PgDn, then wait until the pager's title (its line range)
# changes, so that the next look is at the new page; 1 at the end.
next_page() {
    before=$(screen | head -1)
    key NPage
    n=30
    while [ "$n" -gt 0 ]; do
        [ "$(screen | head -1)" != "$before" ] && return 0
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

# page_to TEXT: page down the report until TEXT shows; page_re RE: the
# same for a regular expression.
page_to() { page_until -F "$1"; }
page_re() { page_until -G "$1"; }
page_until() {
    ks_checks=$((ks_checks + 1))
    while :; do
        screen | grep -q $1 -- "$2" && return 0
        next_page || break
    done
    screen | grep -q $1 -- "$2" && return 0
    fail "the report never showed '$2'"
}

# A commune the central level chose for the smart pilot, with households.
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
sqlite3 "$TMP/A.db" "INSERT INTO settings VALUES ('ui_lang', 'en')"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form commune --count 1 --seed 3 >/dev/null
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 30 --seed 4 >/dev/null
U=$(sqlite3 "$TMP/A.db" "SELECT uuid FROM interviews WHERE form_id = 'commune'")
"$K" answer --db "$TMP/A.db" "$U" central_pilot smart >/dev/null 2>&1 || fail "answer central_pilot"
"$K" finalise --db "$TMP/A.db" "$U" >/dev/null || fail "finalise"
# Households only: nothing from the commune form.
laptop B "Lê Thị Bình" "Xã Tây Hòa"
sqlite3 "$TMP/B.db" "INSERT INTO settings VALUES ('ui_lang', 'en')"
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 12 --seed 4 >/dev/null
"$K" report --db "$TMP/A.db" --forms "$FORMS" --lang en > "$TMP/a.txt"
grep -q "exempt" "$TMP/a.txt" || fail "test data: commune A is not exempt"
beforeA=$(db_digest "$TMP/A.db")
beforeB=$(db_digest "$TMP/B.db")

for size in "80 24" "60 20"; do
    cols=${size% *}
    rows=${size#* }
    # The exempt commune: conditions with their basis, the evidence beside
    # a self-assessment, the verdict naming the central decisions.
    start "$TMP/A.db" $cols $rows
    key R
    wait_for "Selection conditions" 20
    wait_for "Smart NTM commune (section 2.1)"
    wait_for "C1       Advanced NTM."
    wait_for "Basis: Advanced (or model) NTM"
    page_to "Evidence: Office computers of the commune"
    page_to "Basis: The result is the commune's self-assessment"
    page_to "Already chosen by the central level"
    page_to "969/QĐ-BNN-VPĐP"
    page_to "  exempt"
    # C4 without officials: the figure has no data, the verdict comes from
    # the commune's own e-office answer.
    key Home
    page_to "⚠ no complete officials interview"
    # A line cut at 60 columns is read by scrolling right.
    if [ "$cols" = 60 ]; then
        key Home
        wait_for "C1       Advanced NTM."
        wait_gone "2016-2020 meeting the"
        key Right Right Right
        wait_for "2016-2020 meeting the"
        key Left Left Left
        wait_for "C1       Advanced NTM."
    fi
    key q
    wait_for "b browse"
    key q
    wait_exit 0
    # No commune form: every condition it feeds has not enough data, and
    # the report says why.
    start "$TMP/B.db" $cols $rows
    key R
    wait_for "Commune: no complete commune form" 20
    wait_for "not enough data"
    wait_for "the commune form is missing"
    page_to "Verdict  all conditions of Smart NTM commune"
    page_to "no complete commune form: conditions and figures"
    key q
    key q
    wait_exit 0
done
ks_checks=$((ks_checks + 2))
[ "$(db_digest "$TMP/A.db")" = "$beforeA" ] || fail "the report screen changed A"
[ "$(db_digest "$TMP/B.db")" = "$beforeB" ] || fail "the report screen changed B"

# A second pass: the commune was not chosen after all; R shows the verdict
# computed again, without the exemption.
"$K" answer --db "$TMP/A.db" "$U" central_pilot none >/dev/null 2>&1 || fail "answer central_pilot none"
"$K" finalise --db "$TMP/A.db" "$U" >/dev/null || fail "finalise again"
start "$TMP/A.db" 80 24
key R
wait_for "Selection conditions" 20
page_to "Verdict  all conditions of Smart NTM commune"
ks_checks=$((ks_checks + 1))
screen | grep -qF "Already chosen by the central level" &&
    fail "the exemption is still shown"
key q
# In Vietnamese: the report's own texts and the decimal comma.
sqlite3 "$TMP/A.db" "UPDATE settings SET value = 'vi' WHERE key = 'ui_lang'"
key q
wait_exit 0
start "$TMP/A.db" 80 24 "R báo cáo"
key R
wait_for "Điều kiện lựa chọn" 20
wait_for "Căn cứ:"
page_to "Xã thương mại điện tử (mục 2.2)"
key Home
# The Vietnamese number format (52,6 %).
page_re "[0-9],[0-9] %"
key q
key q
wait_exit 0

finish
