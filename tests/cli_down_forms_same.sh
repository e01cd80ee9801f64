#!/bin/sh
# The forms an office sends down are its own.  export --down with a form
# whose text changed under a version the office keeps (every laptop would
# refuse the bundle, the return it carries too) is refused at the office,
# naming the file and saying to raise the version, with nothing written
# and the office unchanged, the second time too; validate --against calls
# the same pair an error.  With a proper new version the bundle goes, the
# laptop installs it, and the office merges the laptop's next bundle made
# with it without --forms (the versions it sent are its forms, as forms
# accept makes them); merging it again changes nothing.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 2 --seed 71 >/dev/null
office_pair office A
U=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
"$K" review --db "$O" "$U" --return --comment "Hỏi lại chủ hộ" >/dev/null 2>&1 ||
    fail "the office returns $U"
V=$(sed -n 's/^  version: "\(.*\)"$/\1/p' "$FORMS/household.yaml")

# A label changed, the version left as it was.
mkdir -p "$TMP/nf" "$TMP/dd"
cp "$FORMS"/*.yaml "$FORMS"/*.csv "$TMP/nf/"
sed 's/label: {vi: "Không biết", en: "Don'"'"'t know"}/label: {vi: "Không rõ", en: "Not known"}/' \
    "$FORMS/household.yaml" >"$TMP/nf/household.yaml"
ks_checks=$((ks_checks + 1))
cmp -s "$FORMS/household.yaml" "$TMP/nf/household.yaml" && fail "the form did not change"
run "$K" validate --against "$FORMS/household.yaml" "$TMP/nf/household.yaml"
expect_status 1
before=$(db_digest "$O")
for pass in 1 2; do
    run "$K" export --db "$O" --down --to "$TMP/dd" --forms "$TMP/nf"
    expect_status 1
    expect_err_contains "khaosat export: $TMP/nf/household.yaml: form \"household\" version \"$V\" differs from the form of that version this office keeps"
    expect_err_contains "a changed form needs a new version number: raise its version, then export again; nothing was written"
    ks_checks=$((ks_checks + 1))
    [ -z "$(ls "$TMP/dd")" ] || fail "a bundle was written (pass $pass): $(ls "$TMP/dd")"
    expect_same "$O" "$before" "export --down with a changed form (pass $pass)"
done

# The same change under a new version: sent, and the office's own.
mkdir -p "$TMP/nf2" "$TMP/d2" "$TMP/u2"
cp "$TMP/nf"/*.yaml "$TMP/nf"/*.csv "$TMP/nf2/"
sed -i 's/^  version: ".*"$/  version: "2099.5"/' "$TMP/nf2/household.yaml"
run "$K" export --db "$O" --down --to "$TMP/d2" --forms "$TMP/nf2"
expect_status 0
D2=$(cat "$TMP/out")
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$O" "SELECT count(*) FROM forms WHERE form_id = 'household' AND version = '2099.5'")" = 1 ] ||
    fail "the office does not keep the version it sent"
run "$K" merge --db "$A" "$D2"
expect_status 0
expect_out_contains "1 returned interview(s) reopened"
# The laptop's first bundle from the office: no version of its own yet.
expect_out_contains "household -> 2099.5"
# The laptop makes an interview with it; the office merges it with its
# own forms folder, which does not have 2099.5.
"$K" simulate --db "$A" --forms "$TMP/nf2" --form household --count 1 --seed 72 >/dev/null 2>&1 ||
    fail "the laptop makes an interview of 2099.5"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$A" "SELECT count(*) FROM interviews WHERE form_version = '2099.5'")" = 1 ] ||
    fail "no interview of 2099.5 on the laptop"
"$K" export --db "$A" --to "$TMP/u2" >/dev/null 2>&1 || fail "the laptop exports"
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/u2"
expect_status 0
expect_out_contains "added 1"
ks_checks=$((ks_checks + 1))
grep -q "held aside" "$TMP/out" "$TMP/err" && fail "held aside: $(cat "$TMP/err")"
before=$(db_digest "$O")
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/u2"
expect_status 0
expect_out_contains "already merged"
expect_same "$O" "$before" "the laptop's bundle merged again"
finish
