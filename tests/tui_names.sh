#!/bin/sh
# tui_names.sh: interviews listed by the name the form gives them
# (instance_name: "Thôn 03 / hộ 17 — Nguyễn Văn An"), in natural order
# (hộ 2 before hộ 10) with their status, the same names `khaosat list`
# prints; at start the offer to resume the last unfinished draft (one
# key yes, any other to the list), at 80x24, 60x20 and on a vt100; an
# edit on the screen renames the interview at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-names-$$-0
DB=$TMP/laptop.db
K=$KHAOSAT
laptop laptop "Nguyễn Văn An" "Tân Lập"
"$K" simulate --db "$DB" --forms "$FORMS" --form household --count 3 \
    --drafts --seed 7 >/dev/null
set -- $(sqlite3 "$DB" "SELECT uuid FROM interviews ORDER BY uuid")
A=$1 B=$2 C=$3
# name UUID VILLAGE NO HEAD: answer the questions the name is made of.
name() {
    "$K" answer --db "$DB" "$1" village "$2" >/dev/null &&
    "$K" answer --db "$DB" "$1" hh_no "$3" >/dev/null &&
    "$K" answer --db "$DB" "$1" head_name "$4" >/dev/null ||
        fail "answering $1"
}
name "$A" 03 10 "Nguyễn Văn An"
name "$B" 03 2 "Lò Thị Mới"
sleep 1   # C is the draft changed last, by a second at least
name "$C" 03 9 "Hà Văn Chung"
expect_sql "SELECT name FROM interviews WHERE uuid = '$B'" \
    "Thôn 03 / hộ 2 — Lò Thị Mới"

# --- 1. the command: natural order, status, the same names.
run "$K" list --db "$DB"
expect_status 0
expect_out "$B	draft	$(sqlite3 "$DB" "SELECT updated FROM interviews WHERE uuid = '$B'")	Thôn 03 / hộ 2 — Lò Thị Mới
$C	draft	$(sqlite3 "$DB" "SELECT updated FROM interviews WHERE uuid = '$C'")	Thôn 03 / hộ 9 — Hà Văn Chung
$A	draft	$(sqlite3 "$DB" "SELECT updated FROM interviews WHERE uuid = '$A'")	Thôn 03 / hộ 10 — Nguyễn Văn An"
run "$K" list --db "$DB" --status complete --form household
expect_status 0
expect_out ""
before=$(db_digest "$DB")
run "$K" list --db "$DB" --status finished
expect_status 2
expect_err_contains "Usage: khaosat list"
run "$K" list --db "$TMP/none.db"
expect_status 1
expect_err_contains "there is no database there"
# A form the database does not have is named, not listed as empty.
run "$K" list --db "$DB" --form nosuch
expect_status 1
expect_err_contains "khaosat list: this database has no form nosuch"
expect_out ""
[ "$(db_digest "$DB")" = "$before" ] || fail "a refused list changed the database"
# A name from the data is printed safely: no terminal control.
"$K" answer --db "$DB" "$A" head_name "$(printf 'An\033[2J')" >/dev/null
run "$K" list --db "$DB" --form household
expect_out_contains "Thôn 03 / hộ 10 — An?[2J"
grep -q "$(printf '\033')" "$TMP/out" && fail "list printed an escape"
"$K" answer --db "$DB" "$A" head_name "Nguyễn Văn An" >/dev/null
sleep 1   # C is again the draft changed last
"$K" answer --db "$DB" "$C" head_name "Hà Chung" >/dev/null
"$K" answer --db "$DB" "$C" head_name "Hà Văn Chung" >/dev/null

# start COLS ROWS [TERM]: khaosat on $DB in a COLSxROWS window.
# The offer to resume is what this test checks: left for it to answer.
KEEP_RESUME=1
start() { tui_run names "$@"; }

# --- 2. the offer at start names the draft changed last; any other key
# goes to the home list, where the form's interviews are in natural order.
start 80 24
wait_for "khaosat: resume?"
wait_for "Thôn 03 / hộ 9 — Hà Văn Chung"
wait_for "Enter, y resume"
key x
wait_for "Enter new"
wait_for "Phiếu khảo sát hộ"
key Home Down Down r
wait_for "Interviews:"
wait_for "Thôn 03 / hộ 10 — Nguyễn Văn An"
order=$(screen | grep -oE 'hộ [0-9]+' | tr -d '\n')
[ "$order" = "hộ 2hộ 9hộ 10" ] || fail "list order: '$order'"
ks_checks=$((ks_checks + 1))
screen | grep "hộ 2 " | grep -q "^ *draft" || fail "status not shown: $(screen)"

# --- 3. second pass: open hộ 2 from the list, rename its head on the
# screen (jump to the question); the list shows the new name at once.
key Home Enter
wait_for "| Thôn 03, 2"
key C-g
wait_for "Họ tên chủ hộ"
text "chủ hộ"
key Enter
wait_for "Lò Thị Mới"
key End
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do t send-keys BSpace; done
text "Lò Văn Mạnh"
key Enter
key C-x
wait_for "Interviews:"
wait_for "Thôn 03 / hộ 2 — Lò Văn Mạnh"
expect_sql "SELECT name FROM interviews WHERE uuid = '$B'" \
    "Thôn 03 / hộ 2 — Lò Văn Mạnh"
run "$K" list --db "$DB" --status draft
expect_out_contains "$B	draft	"
expect_out_contains "Thôn 03 / hộ 2 — Lò Văn Mạnh"
key Escape
wait_for "Enter new"
key q
wait_exit 0

# --- 4. one key resumes: now hộ 2, changed last; at 60x20 on a vt100.
start 60 20 vt100
wait_for "khaosat: resume?"
wait_for "Thôn 03 / hộ 2 — Lò Văn Mạnh"
key y
wait_for "Thôn 03, 2"
wait_gone "resume?"
wait_for "sections done"
key C-x
wait_for "Enter new"
key q
wait_exit 0
start 80 24
wait_for "khaosat: resume?"
key Enter
wait_for "sections done"
key C-x
wait_for "Enter new"
key q
wait_exit 0

# --- 5. nothing to resume: no offer.
for u in $A $B $C; do
    sqlite3 "$DB" "UPDATE interviews SET status = 'complete' WHERE uuid = '$u'"
done
start 80 24
wait_for "Enter new"
wait_gone "resume?"
key q
wait_exit 0

t kill-server 2>/dev/null
finish
