#!/bin/sh
# tui_superseded.sh: the office settles duplicates (`khaosat duplicates
# --same A B --keep A`) and the decisions travel down; on laptop A's
# screen (Vietnamese, 80x24 then 60x20) the interview list marks the
# superseded interviews, greyed, and opening one says which interview the
# office kept; the one kept and the others are not marked; the home
# screen counts them apart from the complete ones, and `khaosat list`
# shows them superseded as the screen does.  The bundle taken again
# changes nothing and the marks stay (second pass).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-superseded-$$
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
B="$TMP/B.db"
DB="$A"
mkdir -p "$TMP/down"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
laptop office "Giám sát Hà" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 91 >/dev/null
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 1 --seed 92 >/dev/null
X=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
Y=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
W=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 2")
Z=$(sqlite3 "$B" "SELECT uuid FROM interviews")
answer() { sqlite3 "$1" "SELECT value FROM answers WHERE interview = '$2' AND qid = '$3' AND path = ''"; }
# Y takes X's key on A; B's Z takes W's key.
for q in village hh_no; do
    "$K" answer --db "$A" "$Y" "$q" "$(answer "$A" "$X" "$q")" >/dev/null 2>&1
    "$K" answer --db "$B" "$Z" "$q" "$(answer "$A" "$W" "$q")" >/dev/null 2>&1
done
"$K" finalise --db "$A" "$Y" >/dev/null 2>&1 || fail "Y finalised"
"$K" finalise --db "$B" "$Z" >/dev/null 2>&1 || fail "Z finalised"
office_pair office A B
# Y is the same household as X, kept; W the same as B's Z, kept.
"$K" duplicates --db "$O" --same "$X" "$Y" --keep "$X" >/dev/null 2>&1 || fail "X kept over Y"
"$K" duplicates --db "$O" --same "$Z" "$W" --keep "$Z" >/dev/null 2>&1 || fail "Z kept over W"
devA=$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'device_id'")
DA=$("$K" export --db "$O" --down --to "$TMP/down" --device "$devA" 2>/dev/null)
"$K" merge --db "$A" "$DA" >/dev/null 2>&1 || fail "A takes its bundle"
sqlite3 "$A" "INSERT INTO settings VALUES ('ui_lang', 'vi')"
# The case keys the list shows them by ("Thôn 04 / hộ 994"), X's and Y's
# the same.
name() { "$K" list --db "$A" | awk -F '\t' -v u="$1" '$1 == u { print $NF }' | sed 's/ — .*//'; }
NX=$(name "$X")
NW=$(name "$W")
[ -n "$NX" ] && [ -n "$NW" ] && [ "$NX" = "$(name "$Y")" ] ||
    fail "the interviews have names: '$NX' '$NW' '$(name "$Y")'"
# khaosat list says what the screen's list says (one library word each).
state() { "$K" list --db "$A" | awk -F '\t' -v u="$1" '$1 == u { print $2 }'; }
for u in "$W superseded" "$Y superseded" "$X complete"; do
    ks_checks=$((ks_checks + 1))
    [ "$(state "${u% *}")" = "${u#* }" ] ||
        fail "khaosat list shows ${u% *} as '$(state "${u% *}")', not ${u#* }"
done
run "$K" list --db "$A" --status complete
expect_status 0
[ "$(grep -c "	superseded	" "$TMP/out")" = 2 ] ||
    fail "--status complete lists the superseded too: $(cat "$TMP/out")"

# marked NAME: its line says it is superseded; unmarked NAME: it does not.
marked() {
    ks_checks=$((ks_checks + 1))
    case "$(screen | grep -F -- "$1" | head -1)" in
        *"bị thay thế"*) ;;
        *) fail "$1 is not marked superseded: $(screen | grep -F -- "$1")" ;;
    esac
}
unmarked() {
    ks_checks=$((ks_checks + 1))
    case "$(screen | grep -F -- "$1" | head -1)" in
        *"bị thay thế"*) fail "$1 is marked superseded" ;;
    esac
}

for size in "80 24" "60 20"; do
    # shellcheck disable=SC2086
    tui_run superseded $size
    wait_for "Enter tạo mới"
    # The home screen's counts: the superseded apart, not complete.
    wait_for "hoàn tất 1  bị thay thế 2  chưa xuất 0"
    key Home Down Down r
    wait_for "Các phiếu: "
    wait_for "$NW"
    marked "$NW"
    # Y and X share a name (the same key): Y's line is marked, X's not.
    ks_checks=$((ks_checks + 1))
    [ "$(screen | grep -c -F -- "$NX")" = 2 ] &&
    [ "$(screen | grep -F -- "$NX" | grep -c "bị thay thế")" = 1 ] ||
        fail "of X and Y (the same key) exactly one is marked: $(screen | grep -F -- "$NX")"
    ks_checks=$((ks_checks + 1))
    [ "$(screen | grep -c "bị thay thế")" = 2 ] ||
        fail "two superseded interviews on A: $(screen)"
    ks_checks=$((ks_checks + 1))
    [ "$(screen | wc -L)" -le "${size% *}" ] || fail "a line wider than the screen"
    # Opening W says which interview the office kept.
    n=$(screen | grep -n -F -- "$NW" | head -1 | cut -d: -f1)
    key Home
    i=3
    while [ "$i" -lt "$n" ]; do key Down; i=$((i + 1)); done
    key Enter
    wait_for "Bị văn phòng thay thế"
    whole "Văn phòng xác định phiếu này cùng hộ với phiếu $Z và đã giữ phiếu kia."
    key Enter
    wait_gone "Bị văn phòng thay thế"
    key Escape
    wait_for "Các phiếu: "
    key Escape
    wait_for "Enter tạo mới"
    key q
    wait_exit 0
    # Second pass: the bundle taken again changes nothing.
    before=$(db_digest "$A")
    "$K" merge --db "$A" "$DA" >/dev/null 2>&1
    expect_same "$A" "$before" "the bundle taken again"
done

t kill-server 2>/dev/null
finish
