#!/bin/sh
# The whole loop, sealed: the office sets the commune up; laptops A and B
# interview and export; the office merges, returns one of A's interviews
# with a comment and writes downstream bundles (export --down); each laptop
# merges its own: the return reopens the interview as a draft with the
# comment, the set-up and forms arrive; the enumerator corrects with
# khaosat answer, finalises and exports; the office sees "corrected after
# return".  Every bundle merged again changes nothing, and hostile
# downstream bundles (stripped, from another office, an upstream bundle,
# for another laptop, an old one replayed) are refused with the laptop's
# database unchanged.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
B="$TMP/B.db"
mkdir -p "$TMP/upA" "$TMP/upB" "$TMP/down" "$TMP/down2" "$TMP/up2" \
    "$TMP/evil"


# Set-up at the office, cards both ways.
printf 'code,name\nT1,Thôn Một\nT2,Thôn Hai\n' >"$TMP/v.csv"
printf 'village,number,head\nT1,1,Lò Văn A\nT2,5,Hà Thị B\n' >"$TMP/h.csv"
"$K" setup --db "$O" commune --code 12345 --name "Xã Đông Hòa" --province 01 >/dev/null 2>&1 ||
    fail "setup commune"
"$K" setup --db "$O" villages "$TMP/v.csv" >/dev/null 2>&1 || fail "setup villages"
"$K" setup --db "$O" households "$TMP/h.csv" >/dev/null 2>&1 || fail "setup households"
"$K" setup --db "$O" assign T1 "Nguyễn Văn An" >/dev/null 2>&1 || fail "setup assign"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
"$K" simulate --db "$A" --forms "$FORMS" --form household --count 3 --seed 21 >/dev/null
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 2 --seed 22 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$A" --to "$TMP/A.card" 2>/dev/null
"$K" keys export --db "$B" --to "$TMP/B.card" 2>/dev/null
for L in A B; do
    "$K" keys trust --db "$TMP/$L.db" --yes "$TMP/office.card" >/dev/null 2>&1
    "$K" keys trust --db "$O" --yes "$TMP/$L.card" >/dev/null 2>&1
done

# Before any laptop has sent anything, there is no one to write for.
run "$K" export --db "$O" --down --to "$TMP/down"
expect_status 1
expect_err_contains "no laptop has sent this office bundles"

# Upstream: both laptops export sealed bundles; the office merges.
"$K" export --db "$A" --to "$TMP/upA" >/dev/null 2>&1
"$K" export --db "$B" --to "$TMP/upB" >/dev/null 2>&1
run "$K" merge --db "$O" --forms "$FORMS" "$TMP/upA" "$TMP/upB"
expect_status 0
expect_out_contains "added 3"
expect_out_contains "added 2"

# The office returns one of A's interviews with a comment.
U=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
run "$K" review --db "$O" "$U" --return --comment "Kiểm tra tuổi chủ hộ"
expect_status 0

# Downstream: one bundle per laptop, sealed, the header saying "down".
run "$K" export --db "$O" --down --to "$TMP/down"
expect_status 0
[ "$(wc -l <"$TMP/out")" = 2 ] || fail "two downstream bundles: $(cat "$TMP/out")"
expect_err_contains "1 returned interview(s)"
expect_err_contains "0 returned interview(s)"
for f in "$TMP"/down/*.khb; do
    grep -aq "^direction: down$" "$f" || fail "$f does not say down"
    for secret in "Kiểm tra" "Thôn Một" "Lò Văn A" SQLite; do
        if grep -aq "$secret" "$f"; then fail "'$secret' readable in $f"; fi
    done
done
AF=$(sed -n 's/^fingerprint: //p' "$TMP/A.card")
BF=$(sed -n 's/^fingerprint: //p' "$TMP/B.card")
DA=$(grep -l "^to: $AF" "$TMP"/down/*.khb)
DB=$(grep -l "^to: $BF" "$TMP"/down/*.khb)
[ -n "$DA" ] && [ -n "$DB" ] || fail "one bundle for each laptop"
# --device writes only that laptop's.
devA=$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'device_id'")
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devA"
expect_status 0
[ "$(ls "$TMP/down2" | wc -l)" = 1 ] || fail "--device writes one bundle"
run "$K" export --db "$O" --down --to "$TMP/down2" --device no-such-device
expect_status 1
expect_err_contains "no laptop no-such-device"
# A short device id, as keys list shows it, names the laptop as git takes
# a hash's prefix; an ambiguous one is refused naming the candidates.
run "$K" keys list --db "$O"
expect_out_contains "device $(echo "$devA" | cut -c1-8)"
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$(echo "$devA" | cut -c1-6)"
expect_status 0
grep -q "^to: $(sed -n 's/^fingerprint: //p' "$TMP/A.card")" "$(cat "$TMP/out")" ||
    fail "a short device id writes that laptop's bundle"
sqlite3 "$O" ".backup '$TMP/amb.db'"
devB0=$(sqlite3 "$B" "SELECT value FROM settings WHERE key = 'device_id'")
sqlite3 "$TMP/amb.db" "UPDATE bundles SET device = substr('$devA', 1, 8) || substr(device, 9) WHERE device = '$devB0'"
mkdir -p "$TMP/amb"
beforeAmb=$(db_digest "$TMP/amb.db")
run "$K" export --db "$TMP/amb.db" --down --to "$TMP/amb" --device "$(echo "$devA" | cut -c1-8)"
expect_status 1
expect_err_contains "is ambiguous: 2 laptops start with it"
expect_err_contains "$devA"
[ -z "$(ls "$TMP/amb")" ] || fail "an ambiguous device id writes nothing"
expect_same "$TMP/amb.db" "$beforeAmb" "an ambiguous device id"

# Hostile downstream bundles, each refused with A unchanged.
before=$(db_digest "$A")
# For another laptop (B's bundle on A).
run "$K" merge --db "$A" "$DB"
expect_status 1
expect_err_contains "sealed for another laptop"
expect_same "$A" "$before" "a bundle for another laptop"
# Unsigned: the signature stripped.
head -c $(($(wc -c <"$DA") - 64)) "$DA" >"$TMP/evil/stripped.khb"
run "$K" merge --db "$A" "$TMP/evil/stripped.khb"
expect_status 1
expect_err_contains "stripped.khb: its signature was stripped"
expect_same "$A" "$before" "a stripped bundle"
# Its direction changed in the header: the signature no longer matches.
sed 's/^direction: down$/direction: up  /' "$DA" >"$TMP/evil/flipped.khb"
run "$K" merge --db "$A" "$TMP/evil/flipped.khb"
expect_status 1
expect_err_contains "flipped.khb"
expect_same "$A" "$before" "a bundle whose direction was changed"
# From another office: a copy of the office's data with its own keys.
sqlite3 "$O" ".backup '$TMP/other.db'"
sqlite3 "$TMP/other.db" "DELETE FROM identity"
"$K" keys export --db "$TMP/other.db" --role office --name "Kẻ khác" --commune "Xã Khác" --to "$TMP/other.card" 2>/dev/null
"$K" export --db "$TMP/other.db" --down --to "$TMP/evil" --device "$devA" >"$TMP/other.out" 2>/dev/null
run "$K" merge --db "$A" "$(cat "$TMP/other.out")"
expect_status 1
expect_err_contains "which is not this laptop's office"
expect_same "$A" "$before" "a bundle from another office"
# An upstream bundle from the office, sealed for the laptop: not taken as
# downstream, and not as upstream from the laptop's own office either.
sqlite3 "$O" ".backup '$TMP/up.db'"
# (keys trust refuses a laptop's card as --upstream, so the office's copy
# is changed behind khaosat's back.)
sqlite3 "$TMP/up.db" "UPDATE trusted SET purpose = 'upstream' WHERE fingerprint = '$AF'"
"$K" export --db "$TMP/up.db" --all --to "$TMP/up2" >/dev/null 2>&1
run "$K" merge --db "$A" "$TMP/up2"
expect_status 1
expect_err_contains "not as a sender"
expect_same "$A" "$before" "an upstream bundle from the office"
# A downstream bundle given to the office itself.
beforeO=$(db_digest "$O")
run "$K" merge --db "$O" "$DA"
expect_status 1
expect_err_contains "an office does not merge it, only that laptop takes it"
expect_same "$O" "$beforeO" "a downstream bundle at the office"

# Laptop A takes its bundle: the return reopens the interview as a draft
# with the comment; the set-up and the forms arrive.
run "$K" merge --db "$A" "$DA"
expect_status 0
expect_out_contains "1 returned interview(s) reopened, 1 review(s), 2 village(s), 2 household(s)"
[ "$(sqlite3 "$A" "SELECT status FROM interviews WHERE uuid = '$U'")" = draft ] ||
    fail "the returned interview is a draft again"
[ "$(sqlite3 "$A" "SELECT count(*) FROM answers WHERE interview = '$U'")" -gt 5 ] ||
    fail "the enumerator's answers are kept"
run "$K" reviews --db "$A" --state returned
expect_out_contains "$U	household"
expect_out_contains "Kiểm tra tuổi chủ hộ"
[ "$(sqlite3 "$A" "SELECT enumerator FROM villages WHERE code = 'T1'")" = "Nguyễn Văn An" ] ||
    fail "the assignment reached the laptop"
[ "$(sqlite3 "$A" "SELECT head FROM households WHERE village = 'T2'")" = "Hà Thị B" ] ||
    fail "the household list reached the laptop"
run "$K" merge --db "$B" "$DB"
expect_status 0
expect_out_contains "0 returned interview(s) reopened"

# Taken again: nothing changes.
afterA=$(db_digest "$A")
run "$K" merge --db "$A" "$DA"
expect_status 0
expect_out_contains "already taken; nothing changed"
expect_same "$A" "$afterA" "the same downstream bundle again"

# A newer bundle, then the older one replayed: nothing changes.
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devA"
NEW=$(cat "$TMP/out")
run "$K" merge --db "$A" "$NEW"
expect_status 0
afterA=$(db_digest "$A")
OLD=$(ls "$TMP"/down2/*.khb | grep -v "$NEW" | head -1)
run "$K" merge --db "$A" "$OLD"
expect_status 1
expect_err_contains "older than the bundle taken before from the same office; ask the office for a new one"
expect_same "$A" "$afterA" "an older downstream bundle"

# A return later approved: the next bundle carries the approval and the
# laptop withdraws the return; the interview stays as the enumerator left
# it (a draft with its answers).
U2=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
run "$K" review --db "$O" "$U2" --return --comment "Thiếu số điện thoại"
expect_status 0
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devA"
D4=$(cat "$TMP/out")
run "$K" review --db "$O" "$U2" --approve
expect_status 0
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devA"
D5=$(cat "$TMP/out")
run "$K" merge --db "$A" "$D4"
expect_status 0
[ "$(sqlite3 "$A" "SELECT status FROM reviews WHERE interview = '$U2'")" = returned ] ||
    fail "the second return reached the laptop"
ans2=$(sqlite3 "$A" "SELECT qid, value FROM answers WHERE interview = '$U2' ORDER BY 1")
run "$K" merge --db "$A" "$D5"
expect_status 0
[ "$(sqlite3 "$A" "SELECT status FROM reviews WHERE interview = '$U2'")" = approved ] ||
    fail "the approval after the return reached the laptop"
run "$K" reviews --db "$A" --state returned
expect_out_contains "$U	household"
grep -q "$U2" "$TMP/out" && fail "an approved interview is still listed as returned"
grep -q "Thiếu số điện thoại" "$TMP/out" && fail "the withdrawn return's comment is still shown"
[ "$(sqlite3 "$A" "SELECT count(*) FROM interviews i JOIN reviews r ON r.interview = i.uuid WHERE i.status = 'draft' AND r.status = 'returned'")" = 1 ] ||
    fail "the home count of returns drops to 1"
[ "$(sqlite3 "$A" "SELECT status FROM interviews WHERE uuid = '$U2'")" = draft ] ||
    fail "the approved interview stays as the enumerator left it"
[ "$(sqlite3 "$A" "SELECT qid, value FROM answers WHERE interview = '$U2' ORDER BY 1")" = "$ans2" ] ||
    fail "the approval changes no answer"
# A return the office clears (review --clear) is withdrawn the same way.
U3=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 2")
run "$K" review --db "$O" "$U3" --return --comment "Xem lại diện tích"
expect_status 0
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devA"
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 0
[ "$(sqlite3 "$A" "SELECT status FROM reviews WHERE interview = '$U3'")" = returned ] ||
    fail "the third return reached the laptop"
run "$K" review --db "$O" "$U3" --clear
expect_status 0
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devA"
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 0
[ "$(sqlite3 "$A" "SELECT count(*) FROM reviews WHERE interview = '$U3'")" = 0 ] ||
    fail "a cleared return is withdrawn on the laptop"
[ "$(sqlite3 "$A" "SELECT status FROM interviews WHERE uuid = '$U3'")" = draft ] ||
    fail "the cleared interview stays as the enumerator left it"
[ "$(sqlite3 "$A" "SELECT count(*) FROM interviews i JOIN reviews r ON r.interview = i.uuid WHERE i.status = 'draft' AND r.status = 'returned'")" = 1 ] ||
    fail "the home count of returns is back to 1"

# The enumerator corrects, finalises and exports; the office sees
# "corrected after return".
run "$K" answer --db "$A" "$U" head_name "Lê Văn Sửa"
expect_status 0
run "$K" finalise --db "$A" "$U"
expect_status 0
run "$K" export --db "$A" --to "$TMP/upA"
expect_status 0
run "$K" merge --db "$O" "$TMP/upA"
expect_status 0
expect_out_contains "updated 1"
run "$K" reviews --db "$O" --state corrected
expect_out_contains "$U	household"
expect_out_contains "Kiểm tra tuổi chủ hộ"
run "$K" report --db "$O" --forms "$FORMS"
tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "1 corrected after return" ||
    fail "the report counts the corrected interview"

# The return sent down again after the correction does not reopen it.
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devA"
run "$K" merge --db "$A" "$(cat "$TMP/out")"
expect_status 0
[ "$(sqlite3 "$A" "SELECT status FROM interviews WHERE uuid = '$U'")" = complete ] ||
    fail "a corrected interview is not reopened by the same return"

# The set-up's villages are the laptop's: new interviews draw them.
sqlite3 "$B" "CREATE TABLE old_ivs AS SELECT uuid FROM interviews"
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 6 --seed 6 >/dev/null
run sqlite3 "$B" "SELECT DISTINCT a.value FROM answers a JOIN interviews i
    ON i.uuid = a.interview WHERE a.qid = 'village'
    AND i.uuid NOT IN (SELECT uuid FROM old_ivs) ORDER BY 1"
sqlite3 "$B" "DROP TABLE old_ivs"
[ "$(tr '\n' ' ' <"$TMP/out")" = "T1 T2 " ] ||
    fail "new interviews take the set-up's villages: $(cat "$TMP/out")"
# An answer outside the set-up is refused for a new interview.
NEWB=$(sqlite3 "$B" "SELECT uuid FROM interviews ORDER BY created DESC, uuid LIMIT 1")
run "$K" answer --db "$B" "$NEWB" village T9
expect_status 1

# A new form version from the office: taken by the laptop, new interviews
# use it, a draft started under the old version keeps it.
mkdir -p "$TMP/forms2"
cp "$FORMS"/*.yaml "$TMP/forms2/"
sed 's/^  version: "2026.8"/  version: "2099.1"/' "$FORMS/household.yaml" >"$TMP/forms2/household.yaml"
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 1 --seed 9 --drafts >/dev/null
OLDD=$(sqlite3 "$B" "SELECT uuid FROM interviews WHERE status = 'draft'")
devB=$(sqlite3 "$B" "SELECT value FROM settings WHERE key = 'device_id'")
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devB" --forms "$TMP/forms2"
expect_status 0
run "$K" merge --db "$B" "$(cat "$TMP/out")"
expect_status 0
expect_out_contains "1 new form version(s)"
"$K" simulate --db "$B" --forms "$FORMS" --form household --count 1 --seed 10 >/dev/null
[ "$(sqlite3 "$B" "SELECT form_version FROM interviews ORDER BY created DESC, rowid DESC LIMIT 1")" = 2099.1 ] ||
    fail "a new interview takes the office's new form version"
[ "$(sqlite3 "$B" "SELECT form_version FROM interviews WHERE uuid = '$OLDD'")" = 2026.8 ] ||
    fail "a draft keeps the form version it was started with"
# Another text under a version the laptop keeps: refused, nothing changed.
sed 's/Mã thôn (ấp, bản)/Mã thôn đổi/' "$TMP/forms2/household.yaml" >"$TMP/h2.yaml"
mv "$TMP/h2.yaml" "$TMP/forms2/household.yaml"
# The office refuses to send it (it keeps 2099.1, sent before); an office
# database without that version (older khaosat) writes such a bundle.
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devB" --forms "$TMP/forms2"
expect_status 1
expect_err_contains "form \"household\" version \"2099.1\" differs from the form of that version this office keeps"
sqlite3 "$O" "DELETE FROM forms WHERE form_id = 'household' AND version = '2099.1'"
run "$K" export --db "$O" --down --to "$TMP/down2" --device "$devB" --forms "$TMP/forms2"
expect_status 0
FORGED=$(cat "$TMP/out")
before=$(db_digest "$B")
run "$K" merge --db "$B" "$FORGED"
expect_status 1
expect_err_contains "differs from this laptop's form of that version"
expect_same "$B" "$before" "a changed form under a kept version"

# Every bundle merged again changes nothing.
for db in "$O" "$A" "$B"; do
    eval "d_$(basename "$db" .db)=\$(db_digest \"\$db\")"
done
run "$K" merge --db "$O" "$TMP/upA" "$TMP/upB"
expect_status 0
run "$K" merge --db "$A" "$TMP/down" "$TMP/down2"
run "$K" merge --db "$B" "$DB" "$TMP/down2"
expect_same "$O" "$d_office" "merging every upstream bundle again"
expect_same "$A" "$d_A" "merging every downstream bundle again"
expect_same "$B" "$d_B" "merging its downstream bundle again"

# A second office: laptop A moves to office O2 (revokes the old card,
# trusts O2's); O2's first bundle is taken although O1 sent later ones,
# and the older-bundle check is per office.
O2="$TMP/office2.db"
mkdir -p "$TMP/upA2" "$TMP/downO2"
"$K" setup --db "$O2" commune --code 12346 --name "Xã Tây Hòa" --province 01 >/dev/null 2>&1 ||
    fail "setup commune of O2"
"$K" keys export --db "$O2" --role office --name "UBND xã 2" --commune "Xã Tây Hòa" --to "$TMP/office2.card" 2>/dev/null
"$K" keys trust --db "$O2" --yes "$TMP/A.card" >/dev/null 2>&1
OF=$(sqlite3 "$A" "SELECT fingerprint FROM trusted WHERE role = 'office' AND revoked IS NULL")
run "$K" keys revoke --db "$A" --yes "$OF"
expect_status 0
run "$K" keys trust --db "$A" --yes "$TMP/office2.card"
expect_status 0
run "$K" export --db "$A" --all --to "$TMP/upA2"
expect_status 0
run "$K" merge --db "$O2" --forms "$FORMS" "$TMP/upA2"
expect_status 0
# O2's bundle is older than the last one A took from O1 (an office whose
# clock ran ahead): still taken, the order is kept per office.
sqlite3 "$A" "UPDATE settings SET value = '2999-01-01T00:00:00.000Z' WHERE key LIKE 'down_time%'"
run "$K" export --db "$O2" --down --to "$TMP/downO2" --device "$devA"
expect_status 0
O2B=$(cat "$TMP/out")
run "$K" merge --db "$A" "$O2B"
expect_status 0
[ "$(sqlite3 "$A" "SELECT value FROM settings WHERE key = 'setup_commune_name'")" = "Xã Tây Hòa" ] ||
    fail "the new office's bundle is taken: $(sqlite3 "$A" "SELECT key, value FROM settings WHERE key LIKE 'setup%'")"

finish
