#!/bin/sh
# tui_down.sh: the office's bundles for its laptops written from the home
# screen (D), as khaosat export --down does, in a detached 80x24 tmux: the
# laptops are listed by short device id and card; one chosen gets its
# bundle, which the laptop takes with the return it carries; every laptop
# gets one; Esc goes back without writing; a missing folder writes
# nothing; on a laptop the screen says it is for an office; a form of
# the office's folder that does not load, or a form changed under a
# version the office keeps, refuses D as it refuses the command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tui_lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux missing"; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

SOCK=khaosat-down-$$
K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
B="$TMP/B.db"
mkdir -p "$TMP/up" "$TMP/one" "$TMP/all" "$TMP/none"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
laptop office "Giám sát Hà" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 61 >/dev/null
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 1 --seed 62 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
for L in A B; do
    "$K" keys export --db "$TMP/$L.db" --to "$TMP/$L.card" 2>/dev/null
    "$K" keys trust --db "$TMP/$L.db" --yes "$TMP/office.card" >/dev/null 2>&1
    "$K" keys trust --db "$O" --yes "$TMP/$L.card" >/dev/null 2>&1
    "$K" export --db "$TMP/$L.db" --to "$TMP/up" >/dev/null 2>&1
done
"$K" merge --db "$O" --forms "$FORMS" "$TMP/up" >/dev/null 2>&1 || fail "the office merges"
U=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
"$K" review --db "$O" "$U" --return --comment "Xem lại diện tích" >/dev/null 2>&1 ||
    fail "the office returns $U"
devA=$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'device_id'")
devB=$(sqlite3 "$B" "SELECT value FROM settings WHERE key = 'device_id'")
shortA=$(echo "$devA" | cut -c1-8)
shortB=$(echo "$devB" | cut -c1-8)
AF=$(sed -n 's/^fingerprint: //p' "$TMP/A.card")

# --- 1. Esc on the list goes back; nothing is written.
start_screen "$O"
wait_for "? help"
key D
wait_for "every laptop (2)"
wait_for "laptop $shortA  Nguyễn Văn An, Xã Đông Hòa"
wait_for "laptop $shortB"
key Escape
wait_for "? help"
ks_checks=$((ks_checks + 1))
[ -z "$(ls "$TMP/one")" ] || fail "Esc wrote a bundle"

# --- 2. laptop A only: its bundle, sealed for its card.
key D
wait_for "every laptop (2)"
if [ "$(printf '%s\n' "$devA" "$devB" | sort | head -1)" = "$devA" ]; then key Down; else key Down; key Down; fi
key Enter
wait_for "Directory to write the laptops' bundles"
ask "$TMP/one"
wait_for "1 bundle(s) written" 10
wait_for "laptop $shortA: 1 returned interview(s)"
key Enter
wait_for "? help"
ks_checks=$((ks_checks + 1))
[ "$(ls "$TMP/one" | wc -l)" = 1 ] || fail "one bundle for A: $(ls "$TMP/one")"
one=$(ls "$TMP"/one/*.khb | head -1)
grep -aq "^to: $AF" "$one" || fail "the bundle is not sealed for A's card"
# A takes it: the return reaches the laptop.
run "$K" merge --db "$A" "$one"
expect_status 0
expect_out_contains "1 returned interview(s) reopened"
[ "$(sqlite3 "$A" "SELECT status FROM interviews WHERE uuid = '$U'")" = draft ] ||
    fail "the return reached A"

# --- 3. every laptop: two bundles, the same as export --down writes.
key D
wait_for "every laptop (2)"
key Enter
wait_for "Directory to write the laptops' bundles"
ask "$TMP/all"
wait_for "2 bundle(s) written" 10
wait_for "laptop $shortB: 0 returned interview(s)"
key Enter
ks_checks=$((ks_checks + 1))
[ "$(ls "$TMP/all" | wc -l)" = 2 ] || fail "two bundles: $(ls "$TMP/all")"

# --- 4. a folder that does not exist: said, nothing written.
key D
wait_for "every laptop (2)"
key Enter
wait_for "Directory to write the laptops' bundles"
ask "$TMP/nowhere"
wait_for "does not exist"
key Enter
key q
wait_exit 0
ks_checks=$((ks_checks + 1))
[ ! -e "$TMP/nowhere" ] || fail "a missing folder was made"

# --- 5. on a laptop: export --down is for an office; nothing changes.
beforeB=$(db_digest "$B")
start_screen "$B"
wait_for "? help"
key D
wait_for "Directory to write the laptops' bundles"
ask "$TMP/none"
whole "export --down is for an office"
key Enter
key q
wait_exit 0
ks_checks=$((ks_checks + 1))
[ -z "$(ls "$TMP/none")" ] || fail "a laptop wrote a downstream bundle"
expect_same "$B" "$beforeB" "D on a laptop"

# d_refused DIR WHAT FIRST SECOND: D, every laptop, into DIR, twice:
# refused with FIRST and SECOND on the screen and "0 bundle(s) written",
# nothing in DIR, the office as it was ($beforeO); WHAT names the case.
d_refused() {
    for pass in 1 2; do
        key D
        wait_for "every laptop (2)"
        key Enter
        wait_for "Directory to write the laptops' bundles"
        ask "$1"
        whole "$3"
        whole "$4"
        whole "0 bundle(s) written."
        key Enter
        wait_for "? help"
        ks_checks=$((ks_checks + 1))
        [ -z "$(ls "$1")" ] || fail "D wrote a bundle with $2 (pass $pass)"
        expect_same "$O" "$beforeO" "D with $2 (pass $pass)"
    done
    key q
    wait_exit 0
}

# --- 6. a form of the office's folder that does not load: D refuses as
# khaosat export --down does (sync_export_down), naming the file and
# line; nothing written, the office unchanged, the second time too.
mkdir -p "$TMP/badforms" "$TMP/bad"
cp "$FORMS"/*.yaml "$FORMS"/*.csv "$TMP/badforms/" 2>/dev/null
cp "$TESTDATA/bad_unknown_type.yaml" "$TMP/badforms/"
beforeO=$(db_digest "$O")
FORMS_GOOD=$FORMS
FORMS=$TMP/badforms
start_screen "$O"
FORMS=$FORMS_GOOD
wait_for "Forms left out"
key q
wait_for "? help"
d_refused "$TMP/bad" "a broken form" \
    "a form of the forms folder $TMP/badforms does not load ($TMP/badforms/bad_unknown_type.yaml:8:11:" \
    "correct it or take it out of the folder."
run "$K" export --db "$O" --down --to "$TMP/bad" --forms "$TMP/badforms"
expect_status 1
expect_err_contains "khaosat export: a form of the forms folder $TMP/badforms does not load ($TMP/badforms/bad_unknown_type.yaml:8:11:"
expect_same "$O" "$beforeO" "export --down with a broken form"

# --- 7. a form whose text changed under a version the office keeps: D
# refuses as khaosat export --down does, naming the file and saying to
# raise the version; nothing written, the office unchanged, twice.
mkdir -p "$TMP/sameforms" "$TMP/same"
cp "$FORMS"/*.yaml "$FORMS"/*.csv "$TMP/sameforms/" 2>/dev/null
sed 's/label: {vi: "Không biết", en: "Don'"'"'t know"}/label: {vi: "Không rõ", en: "Not known"}/' \
    "$FORMS/household.yaml" >"$TMP/sameforms/household.yaml"
V=$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$FORMS/household.yaml")
beforeO=$(db_digest "$O")
FORMS=$TMP/sameforms
start_screen "$O"
FORMS=$FORMS_GOOD
wait_for "? help"
d_refused "$TMP/same" "a changed form" \
    "$TMP/sameforms/household.yaml: form \"household\" version \"$V\" differs from the form of that version this office keeps" \
    "raise its version, then export again; nothing was written"

finish
