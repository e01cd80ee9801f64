#!/bin/sh
# tui_down_forms.sh: a laptop merging from its home screen (m) a
# downstream bundle that brings a newer form version, in a detached 80x24
# tmux: the screen shows what the version changes (the lines khaosat
# merge prints) and asks; n leaves the bundle for later with the laptop's
# database unchanged (twice); y installs it, the draft keeping its
# version; the bundle merged again asks nothing and changes nothing; at
# 60x20 in Vietnamese a long list of changes is wrapped and scrolled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux missing"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-downforms-$$
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
mkdir -p "$TMP/up" "$TMP/down" "$TMP/forms2"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 71 >/dev/null
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 1 --seed 72 --drafts >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A.card" 2>/dev/null
"$K" keys trust --db "$A" --yes "$TMP/office.card" >/dev/null 2>&1 || fail "A trusts O"
"$K" keys trust --db "$O" --yes "$TMP/A.card" >/dev/null 2>&1 || fail "O trusts A"
"$K" export --db "$A" --to "$TMP/up" >/dev/null 2>&1 || fail "A exports"
"$K" merge --db "$O" --forms "$FORMS" "$TMP/up" >/dev/null 2>&1 || fail "the office merges"
devA=$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'device_id'")
DRAFT=$(sqlite3 "$A" "SELECT uuid FROM interviews WHERE status = 'draft'")
[ -n "$DRAFT" ] || fail "A has a draft"

# The office's new version changes the type of hh_no, which A's draft
# answers; the office allows it.
cp "$FORMS"/*.yaml "$TMP/forms2/"
OLDV=$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$FORMS/household.yaml")
sed -e 's/^  version: ".*"$/  version: "2099.1"/' \
    -e '/- id: hh_no$/,/type:/s/type: integer/type: decimal/' -e '/^    list_check: households$/d' \
    "$FORMS/household.yaml" >"$TMP/forms2/household.yaml"
"$K" export --db "$O" --down --to "$TMP/down" --device "$devA" \
    --forms "$TMP/forms2" --allow-breaking household >/dev/null 2>&1 ||
    fail "the office exports for A"
CHANGE="household $OLDV -> 2099.1: question 'hh_no' changed type from integer to decimal"

# --- 1. n: the bundle is left for later, nothing changes (twice).
before=$(db_digest "$A")
start_screen "$A"
wait_for "? help"
for pass in 1 2; do
    key m
    wait_for "Directory with the bundles"
    ask "$TMP/down"
    whole "brings new form version(s) from the office. What they change:"
    whole "$CHANGE"
    wait_for "Install the new form version(s) now?"
    key n
    whole "LEFT FOR LATER: the new form version(s) were not installed; nothing changed"
    # Every bundle counted in one category.
    whole "1 bundles: 0 merged, 0 already merged, 0 refused, 1 left for later, 0 skipped."
    key q
    wait_for "? help"
    expect_same "$A" "$before" "n on the new form version (pass $pass)"
done
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$A" "SELECT count(*) FROM forms WHERE version = '2099.1'")" = 0 ] ||
    fail "n installed the version"

# --- 2. y: installed, the summary says what it changes.
key m
wait_for "Directory with the bundles"
ask "$TMP/down"
whole "$CHANGE"
key y
whole "new form version(s)"
whole "what the new form version(s) change: $CHANGE"
key q
wait_for "? help"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$A" "SELECT count(*) FROM forms WHERE version = '2099.1'")" = 1 ] ||
    fail "y installed the version"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$A" "SELECT form_version FROM interviews WHERE uuid = '$DRAFT'")" = "$OLDV" ] ||
    fail "the draft keeps its version"

# --- 3. the same bundle again: no question, nothing changes.
after=$(db_digest "$A")
key m
wait_for "Directory with the bundles"
ask "$TMP/down"
wait_for "already merged; nothing changed" 10
ks_checks=$((ks_checks + 1))
if screen | grep -qF "Install the new form version"; then fail "asked again"; fi
key q
wait_for "? help"
key q
wait_exit 0
expect_same "$A" "$after" "the bundle merged again"

# --- 4. 60x20 in Vietnamese, a version changing many questions: every
# change is wrapped at the screen's width (no line wider, no character
# split) and the list scrolls to its end; k leaves it for later (nothing
# changes), then c installs it (second pass).
mkdir -p "$TMP/forms3" "$TMP/down3"
cp "$FORMS"/*.yaml "$TMP/forms3/"
sed -e 's/^  version: ".*"$/  version: "2099.2"/' \
    -e '/- id: hh_no$/,/type:/s/type: integer/type: decimal/' -e '/^    list_check: households$/d' \
    -e '/- id: village_name$/,/type:/s/type: text/type: integer/' \
    -e '/- id: enumerator$/,/type:/s/type: text/type: integer/' \
    -e '/- id: head_name$/,/type:/s/type: text/type: integer/' \
    -e '/- id: refusal_note$/,/type:/s/type: text/type: integer/' \
    -e '/- id: resp_name$/,/type:/s/type: text/type: integer/' \
    "$FORMS/household.yaml" >"$TMP/forms3/household.yaml"
"$K" export --db "$O" --down --to "$TMP/down3" --device "$devA" \
    --forms "$TMP/forms3" --allow-breaking household >/dev/null 2>&1 ||
    fail "the office exports 2099.2 for A"
sqlite3 "$A" "INSERT OR REPLACE INTO settings VALUES ('ui_lang', 'vi')"
DB="$A"
# one_screen: no line wider than 60 columns, no character split.
one_screen() {
    ks_checks=$((ks_checks + 1))
    [ "$(screen | wc -L)" -le 60 ] || fail "a line wider than 60 columns"
    ks_checks=$((ks_checks + 1))
    screen | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 && ! screen | grep -q "$(printf '\357\277\275')" ||
        fail "a character split on the screen"
}
before=$(db_digest "$A")
for pass in 1 2; do
    tui_run downforms 60 20
    wait_for "Enter tạo mới"
    key m
    wait_for "Thư mục chứa các gói"
    ask "$TMP/down3"
    whole "mang (các) phiên bản mẫu phiếu mới từ văn phòng xã. Những thay đổi:"
    whole "câu hỏi 'hh_no' đã đổi kiểu từ integer sang decimal"
    wait_for "c có   k không"
    one_screen
    key End
    whole "câu hỏi 'resp_name' đã đổi kiểu từ text sang integer"
    whole "Cài (các) phiên bản mẫu phiếu mới ngay bây giờ?"
    one_screen
    if [ "$pass" = 1 ]; then
        key k
        whole "ĐỂ LẠI SAU"
        key q
        wait_for "Enter tạo mới"
        expect_same "$A" "$before" "k on the new form version at 60x20"
    else
        key c
        whole "những gì (các) phiên bản phiếu mới thay đổi:"
        key End
        whole "câu hỏi 'resp_name' đã đổi kiểu từ text sang integer"
        one_screen
        key q
        wait_for "Enter tạo mới"
        expect_sql "SELECT count(*) FROM forms WHERE version = '2099.2'" "1"
    fi
    key q
    wait_exit 0
done

finish
