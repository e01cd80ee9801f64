#!/bin/sh
# tui_office.sh: the supervisor's screens driven as a person would, in a
# detached 80x24 tmux: two laptops' bundles merged from a directory with
# the summary shown, interviews browsed by enumerator and one approved and
# one returned with a comment, the report paged, an export, and a conflict
# between two laptops resolved side by side. The database is then read
# with sqlite3 and the commands to check what was saved. Last, a province
# database of three merged communes: the report screen lists them with
# their verdicts, opens each one's report and compares them (80x24 and
# 60x20), as `khaosat report --commune` and `--communes` do.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

SOCK=khaosat-office-$$
K="$KHAOSAT"
DB=$TMP/office.db

# start: the office screen on $DB (tui_lib.sh).
start() { start_screen "$DB"; }

mkdir -p "$TMP/usb" "$TMP/usb2" "$TMP/up"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 3 --seed 11 >/dev/null
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form commune --count 1 --seed 5 >/dev/null
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 2 --seed 12 >/dev/null
bA=$("$K" export --db "$TMP/A.db" --to "$TMP/usb" 2>/dev/null)
"$K" export --db "$TMP/B.db" --to "$TMP/usb" >/dev/null 2>&1
# Something on the stick that is not a bundle is left alone.
echo "notes" > "$TMP/usb/readme.txt"

# --- 1. first run of the office, then merge the stick.
start
# The first run asks the interface language, Vietnamese first.
wait_for "Tiếng Việt"
key Down Enter
wait_for "Enumerator name or code"
text "Giám sát Hà"; key Enter
text "Xã Đông Hòa"; key Enter
wait_for "b browse"
# The bundles were made with the forms of the office's own forms
# directory: they merge at once (a form it does not have is held aside
# until accepted: tui_forms.sh).
key m
wait_for "Directory with the bundles"
ask "$TMP/usb"
wait_for "2 bundles: 2 merged, 0 already merged, 0 refused, 0 skipped." 10
wait_for "In all: added 6, updated 0, unchanged 0, conflicts 0, duplicates 0."
wait_for "added 4, updated 0, unchanged 0, conflicts 0, duplicates 0"
wait_for "added 2, updated 0, unchanged 0, conflicts 0, duplicates 0"
expect_sql "SELECT count(*) FROM interviews" "6"
expect_sql "SELECT count(DISTINCT enumerator) FROM interviews" "2"
key q
# Merging the same stick again changes nothing and says so, with the day
# each file was merged (known by its bytes, not checked again).
before=$(db_digest "$DB")
key m
wait_for "Directory with the bundles"
ask "$TMP/usb"
wait_for "2 bundles: 0 merged, 2 already merged, 0 refused, 0 skipped." 10
wait_for "already merged on $(sqlite3 "$DB" "SELECT merged FROM bundles WHERE file = '$bA'"); nothing changed"
expect_same "$DB" "$before" "merging the same stick again"
key q
# A directory that does not exist is refused before anything is done.
key m
ask "$TMP/nowhere"
wait_for "$TMP/nowhere does not exist"
key Enter

# --- 2. browse by enumerator; approve one, return another with a comment.
key b
wait_for "Interviews 6/6"
wait_for "Enumerator"
key e
wait_for "enumerator: Lê Thị Bình"
wait_for "Interviews 2/6"
key Enter
wait_for "Interview (read-only)"
wait_for "Review: not reviewed"
wait_for "Mã thôn (ấp, bản)"
key a
wait_for "Review: approved"
key Escape
wait_for "approved"
key Down Enter
wait_for "Review: not reviewed"
key t
wait_for "What must the enumerator check"
text "Kiểm tra lại số hộ"; key Enter
wait_for "Review: returned: Kiểm tra lại số hộ"
key Escape
wait_for "returned"
expect_sql "SELECT i.enumerator || '|' || r.status || '|' || ifnull(r.comment, '') || '|' || r.reviewer FROM reviews r JOIN interviews i ON i.uuid = r.interview ORDER BY r.status" \
    "Lê Thị Bình|approved||Giám sát Hà
Lê Thị Bình|returned|Kiểm tra lại số hộ|Giám sát Hà"
# The status filter finds the returned one; x clears the filters.
key x
wait_for "Interviews 6/6"
key s s s s s
wait_for "status: returned"
wait_for "Interviews 1/6"
key x
# Resizing redraws the list; too small says so.
t resize-window -x 100 -y 30
wait_for "Interviews 6/6"
t resize-window -x 59 -y 19
wait_for "Terminal too small"
t resize-window -x 80 -y 24
wait_for "Interviews 6/6"
key Escape
wait_for "b browse"

# --- 3. the report in the pager.
key R
wait_for "Selection conditions" 10
wait_for "C1  "
key End
wait_for "Open conflicts: 0"
key Home
wait_for "Selection conditions"
key q
wait_for "b browse"

# --- 4. export the office's data for the province.
key e
wait_for "Directory to write the bundle to"
ask "$TMP/up"
wait_for "6 interviews exported to" 10
key Enter
up=$(ls "$TMP"/up/*.khb 2>/dev/null | head -1)
ks_checks=$((ks_checks + 1))
if [ -z "$up" ]; then
    fail "no bundle in $TMP/up"
else
    "$K" verify "$up" | grep -q "ok: format 7, 6 interviews" || fail "the export does not verify"
fi
# Again: nothing new; declining the offer to send everything again.
key e
ask "$TMP/up"
wait_for "Nothing new to export"
key n
wait_for "There was nothing to export."
key Enter
[ "$(ls "$TMP"/up/*.khb | wc -l)" = 1 ] || fail "a second bundle was written"

# --- 5. a conflict: both laptops edit the same answer.
"$K" forms accept --db "$TMP/B.db" "$bA" >/dev/null
"$K" merge --db "$TMP/B.db" "$bA" >/dev/null
U=$(sqlite3 "$TMP/A.db" "SELECT uuid FROM interviews WHERE form_id = 'household' ORDER BY uuid LIMIT 1")
"$K" answer --db "$TMP/A.db" "$U" head_name "Tran Van Mot" 2>/dev/null || fail "answer on A"
"$K" answer --db "$TMP/B.db" "$U" head_name "Le Van Hai" 2>/dev/null || fail "answer on B"
# A correction returns the interview to draft until it is finished again.
"$K" finalise --db "$TMP/A.db" "$U" >/dev/null || fail "finalise on A"
"$K" finalise --db "$TMP/B.db" "$U" >/dev/null || fail "finalise on B"
"$K" export --db "$TMP/A.db" --to "$TMP/usb2" >/dev/null 2>&1
"$K" export --db "$TMP/B.db" --to "$TMP/usb2" >/dev/null 2>&1
key m
ask "$TMP/usb2"
# B's bundle (first by name) replaces the office's revision; A's then
# conflicts with it.
wait_for "In all: added 0, updated 2" 10
wait_for "conflicts 1, duplicates 0"
key q
key c
wait_for "Open conflicts: 1 answer(s) in 1 interview(s)"
wait_for "1 answer(s) in conflict"
key d
wait_for "Possible duplicates: 0"
key Escape
wait_for "Open conflicts: 1"
key Enter
wait_for "MINE (kept here)"
wait_for "Le Van Hai"
wait_for "Tran Van Mot"
wait_for "by Nguyễn Văn An"
wait_for "Conflict 1 of 1; 0 picked"
key Right
wait_for "Conflict 1 of 1; 1 picked"
key Enter
wait_for "(y/n)"
key y
wait_for "Open conflicts: 0 answer(s) in 0 interview(s)"
run "$K" conflicts --db "$DB"
expect_status 0
expect_out ""
run "$K" conflicts --all --db "$DB"
expect_out_contains "$U head_name: mine \"Le Van Hai\""
expect_out_contains "[resolved]"
expect_sql "SELECT value FROM answers WHERE interview = '$U' AND qid = 'head_name' AND path = ''" "Tran Van Mot"
key Escape
wait_for "b browse"

# --- 6. the help lists the supervisor's keys; q quits.
key ?
wait_for "merge every bundle of a directory"
key NPage
wait_for "report of several communes: compare them"
key Escape
wait_for "b browse"
key q
wait_exit 0

# --- 7. a province database of three communes: R lists the communes with
# their verdicts, opens each one's report, and compares them as
# `khaosat report --commune CODE` and `report --communes` do.
for i in 1 2 3; do
    laptop "x$i" "Điều tra viên $i" "Xã số $i"
    "$K" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form commune --count 1 --seed "$i" >/dev/null
    "$K" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form household --count 25 --seed "$((i + 10))" >/dev/null
    "$K" simulate --db "$TMP/x$i.db" --forms "$FORMS" --form officials --count 4 --seed "$((i + 20))" >/dev/null
done
# Commune 3 was chosen by the central level for the smart pilot: exempt,
# it qualifies and comes first.
U3=$(sqlite3 "$TMP/x3.db" "SELECT uuid FROM interviews WHERE form_id = 'commune'")
"$K" answer --db "$TMP/x3.db" "$U3" central_pilot smart >/dev/null 2>&1 || fail "answer central_pilot"
"$K" finalise --db "$TMP/x3.db" "$U3" >/dev/null || fail "finalise commune 3"
for i in 1 2 3; do
    mkdir -p "$TMP/st$i"
    "$K" export --db "$TMP/x$i.db" --to "$TMP/st$i" >/dev/null 2>&1 || fail "export of commune $i"
done
laptop P "Sở Nông nghiệp" "Tỉnh Nam"
sqlite3 "$TMP/P.db" "INSERT INTO settings VALUES ('ui_lang', 'en')"
"$K" forms accept --db "$TMP/P.db" "$TMP"/st1/* >/dev/null 2>&1 || fail "forms accept"
"$K" merge --db "$TMP/P.db" "$TMP"/st1/* "$TMP"/st2/* "$TMP"/st3/* >/dev/null 2>&1 || fail "merge"
DB=$TMP/P.db
# The commands' order: qualifying first, and by code.
"$K" report --db "$DB" --forms "$FORMS" --communes --format csv --lang en > "$TMP/cmp.csv"
"$K" report --db "$DB" --forms "$FORMS" --communes --sort code --format csv --lang en > "$TMP/cmpc.csv"
codes=$(tail -n +2 "$TMP/cmp.csv" | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')
bycode=$(tail -n +2 "$TMP/cmpc.csv" | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')
code3=$(sqlite3 "$TMP/x3.db" "SELECT value FROM answers WHERE interview = '$U3' AND qid = 'commune_code' AND path = ''")
ks_checks=$((ks_checks + 1))
[ "$(echo $codes | cut -d' ' -f1)" = "$code3" ] || fail "test data: the exempt commune $code3 is not first ($codes)"
# The first commune's data-quality flags as the command gives them (the
# list shows them too).
flags1=$("$K" report --db "$DB" --forms "$FORMS" --communes --lang en | sed -n 's/^⚠ \(.\{14\}\).*/\1/p' | head -1)
ks_checks=$((ks_checks + 1))
[ -n "$flags1" ] || fail "test data: the first commune has no flags"
before=$(db_digest "$DB")
# rows_are CODES...: the list's or table's rows (from line 3) start with
# these communes, in this order.
rows_are() {
    ks_checks=$((ks_checks + 1))
    n=50
    while [ "$n" -gt 0 ]; do
        got=$(screen | sed -n '3,5p' | grep -o '[0-9]\{5\} Xã' | cut -d' ' -f1)
        [ "$(echo $got)" = "$*" ] && return 0
        sleep 0.1
        n=$((n - 1))
    done
    fail "rows should be '$*', the screen shows:"
    screen >&2
}
for size in "80 24" "60 20"; do
    start
    t resize-window -x ${size% *} -y ${size#* }
    wait_for "b browse"
    key R
    wait_for "Report: 3 communes in this database; choose one" 20
    rows_are $codes
    whole "$code3 Xã"
    wait_for "smart: exempt"
    wait_for "ecom: not met"
    [ "${size% *}" = 80 ] && wait_for "⚠ $flags1"
    # Enter: the first commune's report, as --commune gives it, generated
    # at Vietnam's time, labelled as the command labels it.
    key Enter
    wait_for "Report: commune $code3" 20
    wait_for "(UTC+7)"
    "$K" report --db "$DB" --forms "$FORMS" --commune "$code3" --lang en > "$TMP/one.txt"
    wait_for "$(grep '^Commune: ' "$TMP/one.txt" | cut -c1-40)"
    wait_for "Selection conditions"
    key q
    wait_for "choose one"
    # The second commune's report.
    second=$(echo $codes | cut -d' ' -f2)
    key Down Enter
    wait_for "Report: commune $second" 20
    key q
    # The comparison: qualifying first; s orders by code, and back.
    key c
    wait_for "Comparison of 3 communes, those that qualify first" 20
    wait_for "smart"
    rows_are $codes
    wait_for "exempt"
    key Right Right Right
    wait_for "C2"
    wait_gone "smart "
    key Left Left Left
    wait_for "smart"
    key s
    wait_for "Comparison of 3 communes, by code"
    rows_are $bycode
    # Enter on the highlighted (the last) row opens that commune's report.
    key End Enter
    last=$(echo $bycode | cut -d' ' -f3)
    wait_for "Report: commune $last" 20
    key q
    wait_for "Comparison of 3 communes, by code"
    key s
    wait_for "those that qualify first"
    rows_are $codes
    key q
    wait_for "choose one"
    key q
    wait_for "b browse"
    key q
    wait_exit 0
done
ks_checks=$((ks_checks + 1))
[ "$(db_digest "$DB")" = "$before" ] || fail "the report screens changed the database"
# Merging the sticks again changes no commune; a commune name that tries
# to move the cursor reaches the list as text.
"$K" merge --db "$DB" "$TMP"/st1/* "$TMP"/st2/* "$TMP"/st3/* >/dev/null 2>&1
sqlite3 "$DB" "UPDATE answers SET value = 'Xã ' || char(27) || '[31mĐỏ' WHERE qid = 'commune' AND interview = '$U3'"
start
wait_for "b browse"
key R
wait_for "Report: 3 communes in this database; choose one" 20
rows_are $codes
wait_for "$code3 Xã ?[31mĐỏ"
key q
key q
wait_exit 0

finish
