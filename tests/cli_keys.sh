#!/bin/sh
# Keys and sealed bundles from the command line: cards, trusting (never
# silently), sealed exports that only the office reads, every refusal with
# the office database left exactly as it was, laptop to commune to
# province, revocation, and the passphrase-protected backup.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
fpr() { sed -n 's/^fingerprint: //p' "$1"; }
mkdir -p "$TMP/usb" "$TMP/usb2" "$TMP/usb3" "$TMP/up"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 3 --seed 21 >/dev/null
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 2 --seed 22 >/dev/null
O="$TMP/office.db"
D="$TMP/province.db"

# Before any keys: plain bundles, with a warning.
run "$K" export --db "$TMP/B.db" --to "$TMP/usb2"
expect_status 0
expect_err_contains "NOT encrypted"
plainB=$(cat "$TMP/out")

# Cards.
run "$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card"
expect_status 0
expect_err_contains "fingerprint: "
run "$K" keys export --db "$TMP/A.db" --to "$TMP/A.card"
expect_status 0
"$K" keys export --db "$D" --role office --name "Tỉnh" --commune "Tỉnh Tây" --to "$TMP/province.card" 2>/dev/null
"$K" keys export --db "$TMP/B.db" --to "$TMP/B.card" 2>/dev/null
grep -q "role: laptop" "$TMP/A.card" || fail "the laptop's card says laptop"
grep -q "name: Nguyễn Văn An" "$TMP/A.card" || fail "the card names the enumerator"
OF=$(fpr "$TMP/office.card"); AF=$(fpr "$TMP/A.card"); DF=$(fpr "$TMP/province.card")
case "$OF" in [A-Z2-7][A-Z2-7][A-Z2-7][A-Z2-7]-????-????-????) ;; *) fail "fingerprint $OF";; esac
if grep -qi "secret" "$TMP/A.card"; then fail "a secret on the card"; fi

# Trusting asks first: refused without a terminal and without --yes.
run "$K" keys trust --db "$TMP/A.db" "$TMP/office.card" </dev/null
expect_status 1
expect_out_contains "fingerprint: $OF"
expect_err_contains "run again with --yes"
run "$K" keys list --db "$TMP/A.db"
expect_out_contains "this     $AF laptop"
if grep -q "$OF" "$TMP/out"; then fail "trusted without confirmation"; fi
run "$K" keys trust --db "$TMP/A.db" "$TMP/office.card" --yes
expect_status 0
expect_out_contains "sealed for $OF"
run "$K" keys trust --db "$O" "$TMP/A.card" --yes
expect_status 0
expect_out_contains "accepted"
# An office card on an office: which way must be said.
run "$K" keys trust --db "$O" "$TMP/province.card" --yes
expect_status 1
expect_err_contains "--upstream"
run "$K" keys trust --db "$O" "$TMP/province.card" --upstream --yes
expect_status 0
run "$K" keys trust --db "$D" "$TMP/office.card" --accept --yes
expect_status 0
# A card altered on the way is refused.
sed 's/^name: .*/name: Kẻ giả mạo/' "$TMP/A.card" >"$TMP/forged.card"
run "$K" keys trust --db "$D" "$TMP/forged.card" --yes
expect_status 1
expect_err_contains "signature does not match"

# A sealed export: no name, answer or key readable in its bytes.
run "$K" export --db "$TMP/A.db" --to "$TMP/usb"
expect_status 0
expect_err_contains "sealed for the office $OF"
sealed=$(cat "$TMP/out")
case "$(basename "$sealed")" in "$AF"_*Z_*.khb) ;; *) fail "sealed name $sealed";; esac
for secret in "Nguyễn Văn An" "Xã Đông Hòa" "Xa-Dong-Hoa" household village SQLite; do
    if grep -aq "$secret" "$sealed"; then fail "'$secret' readable in $sealed"; fi
done
sqlite3 "$TMP/A.db" "SELECT DISTINCT value FROM answers WHERE length(value) >= 6" >"$TMP/answers"
[ -s "$TMP/answers" ] || fail "no answers to look for"
# The public header's own words ("direction: up") are not answers leaking.
head -c 1024 "$sealed" | sed -n '1,/^$/p' >"$TMP/sealed_head"
while IFS= read -r v; do
    grep -aqF -- "$v" "$TMP/sealed_head" && continue
    if grep -aqF -- "$v" "$sealed"; then fail "answer '$v' readable in $sealed"; fi
done <"$TMP/answers"
for u in $(sqlite3 "$TMP/A.db" "SELECT uuid FROM interviews"); do
    if grep -aq "$u" "$sealed"; then fail "interview $u named in $sealed"; fi
done
[ -z "$(ls -A "$TMP/usb" | grep -v '\.khb$')" ] || fail "temporary files left on the stick"
run "$K" verify --db "$TMP/A.db" "$sealed"
expect_status 0
expect_out_contains "sealed by this database for the office $OF"

# Refusals, each leaving the office database exactly as it was.
before=$(db_digest "$O")
refuse() {  # refuse FILE MESSAGE
    run "$K" merge --db "$O" "$1"
    expect_status 1
    expect_err_contains "$2"
    [ "$(db_digest "$O")" = "$before" ] || fail "office changed by refused $1"
}
refuse "$plainB" "unsigned bundle"
size=$(wc -c <"$sealed")
head -c $((size - 64)) "$sealed" >"$TMP/stripped.khb"
refuse "$TMP/stripped.khb" "signature was stripped"
expect_err_contains "ask the sender to export it again ('khaosat export --all')"
cp "$sealed" "$TMP/altered.khb"
printf 'X' | dd of="$TMP/altered.khb" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cmp -s "$sealed" "$TMP/altered.khb" && printf 'Y' | dd of="$TMP/altered.khb" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
refuse "$TMP/altered.khb" "signature does not match"
expect_err_contains "copy the sealed bundle again from its sender's stick, or ask the sender to export it again"
# B, unknown to the office, seals for it with its public card.
"$K" keys trust --db "$TMP/B.db" "$TMP/office.card" --yes >/dev/null
sealedB=$("$K" export --db "$TMP/B.db" --to "$TMP/usb3" --all 2>/dev/null)
refuse "$sealedB" "sealed by an unknown key"
# A bundle for the province is not for the commune.
laptop C "Trần Cường" "Xã Đông Hòa"
"$K" simulate --db "$TMP/C.db" --forms "$FORMS" --form household --count 1 --seed 23 >/dev/null
"$K" keys trust --db "$TMP/C.db" "$TMP/province.card" --yes >/dev/null
"$K" keys export --db "$TMP/C.db" --to "$TMP/C.card" 2>/dev/null
"$K" keys trust --db "$O" "$TMP/C.card" --yes >/dev/null
before=$(db_digest "$O")
sealedC=$("$K" export --db "$TMP/C.db" --to "$TMP/usb3" 2>/dev/null)
refuse "$sealedC" "sealed for another office ($DF)"

# The right bundle merges, once the office has accepted its form;
# unsigned ones only when allowed.
run "$K" forms accept --db "$O" "$sealed"
expect_status 0
expect_out_contains "accepted"
run "$K" merge --db "$O" "$sealed"
expect_status 0
expect_out_contains "added 3"
run "$K" merge --db "$O" --allow-unsigned "$plainB"
expect_status 0
expect_out_contains "added 2"

# Up to the province, sealed by the commune.
run "$K" export --db "$O" --to "$TMP/up" --all
expect_status 0
expect_err_contains "sealed for the office $DF"
up=$(cat "$TMP/out")
"$K" forms accept --db "$D" "$up" >/dev/null || fail "forms accept"
run "$K" merge --db "$D" "$up"
expect_status 0
expect_out_contains "added 5"

# Revoked: the laptop's next bundle is refused.
run "$K" keys revoke --db "$O" "$(echo "$AF" | tr 'A-Z' 'a-z' | tr -d -)"
expect_status 0
run "$K" keys list --db "$O"
expect_out_contains "REVOKED"
again=$("$K" export --db "$TMP/A.db" --to "$TMP/usb" --all 2>/dev/null)
before=$(db_digest "$O")
refuse "$again" "whose key was revoked on"
run "$K" keys revoke --db "$O" "AAAA-BBBB-CCCC-DDDD"
expect_status 1
expect_err_contains "no trusted card"

# Backup and restore: the office's computer dies; a new one reads bundles.
run env KHAOSAT_PASSPHRASE=12345678 "$K" keys backup --db "$O" --to "$TMP/office.keys"
expect_status 1
expect_err_contains "at least 12 characters"
# Twelve bytes but eleven characters is still too short.
run env KHAOSAT_PASSPHRASE="mật khẩu ng" "$K" keys backup --db "$O" --to "$TMP/office.keys"
expect_status 1
expect_err_contains "at least 12 characters"
# Blank and invisible characters do not count, anywhere: twelve spaces, a
# short word padded with spaces and no-break spaces, or twelve of any
# other blank (ideographic and em spaces, zero-width space, line breaks,
# byte-order mark, blank braille) are refused with the rule (the terminal's
# prompt goes through the same check), and nothing changes.
before=$(db_digest "$O")
run env KHAOSAT_PASSPHRASE="            " "$K" keys backup --db "$O" --to "$TMP/office.keys"
expect_status 1
expect_err_contains "at least 12 characters, not counting spaces and invisible characters"
run env KHAOSAT_PASSPHRASE="  mật khẩu  $(printf '\302\240\302\240')	 " "$K" keys backup --db "$O" --to "$TMP/office.keys"
expect_status 1
expect_err_contains "at least 12 characters"
for blank in '\343\200\200' '\342\200\203' '\342\200\213' '\n' '\r' '\v' '\f' \
             '\357\273\277' '\342\240\200' '\341\205\237' '\302\255'; do
    pass=$(printf "x$blank%.0s" 1 2 3 4 5 6 7 8 9 10 11 12)
    pass=${pass#x}
    run env KHAOSAT_PASSPHRASE="$pass" "$K" keys backup --db "$O" --to "$TMP/office.keys"
    expect_status 1
    expect_err_contains "at least 12 characters, not counting spaces and invisible characters"
    # Eleven letters with blanks between them are still eleven.
    run env KHAOSAT_PASSPHRASE="$(printf "a${blank}b${blank}c${blank}d${blank}e${blank}f${blank}g${blank}h${blank}i${blank}j${blank}k")" "$K" keys backup --db "$O" --to "$TMP/office.keys"
    expect_status 1
    expect_err_contains "at least 12 characters"
done
[ ! -e "$TMP/office.keys" ] || fail "a refused backup left a file"
[ "$(db_digest "$O")" = "$before" ] || fail "a refused backup changed the database"
# Spaces inside do not count either: seven letters are too few.
run env KHAOSAT_PASSPHRASE="  a b c d e f g  " "$K" keys backup --db "$O" --to "$TMP/office.keys"
expect_status 1
expect_err_contains "at least 12 characters"
run env KHAOSAT_PASSPHRASE="a b c d e f g h i j k l" "$K" keys backup --db "$O" --to "$TMP/office.keys"
expect_status 0
rm -f "$TMP/office.keys"
run env KHAOSAT_PASSPHRASE="đúng mật khẩu xã" "$K" keys backup --db "$O" --to "$TMP/office.keys"
expect_status 0
[ "$(stat -c %a "$TMP/office.keys")" = 600 ] || fail "backup readable by others"
# libsodium's MODERATE costs: 3 passes over 256 MiB.
grep -qx "kdf: argon2id13 3 268435456" "$TMP/office.keys" || fail "backup KDF below MODERATE: $(grep kdf "$TMP/office.keys")"
[ -z "$(ls -A "$TMP" | grep '^\.khaosat-')" ] || fail "the backup left a temporary file"
run env KHAOSAT_PASSPHRASE="sai mật khẩu" "$K" keys restore --db "$TMP/new.db" "$TMP/office.keys"
expect_status 1
expect_err_contains "wrong passphrase"
run "$K" keys restore --db "$TMP/new2.db" "$TMP/office.keys" </dev/null
expect_status 1
run env KHAOSAT_PASSPHRASE="đúng mật khẩu xã" "$K" keys restore --db "$TMP/new.db" "$TMP/office.keys"
expect_status 0
expect_out "restored: this database is now $OF"
run "$K" merge --db "$TMP/new.db" "$sealedC"
expect_status 1
expect_err_contains "sealed for another office"
run "$K" merge --db "$TMP/new.db" "$sealed"
expect_status 1
expect_err_contains "whose key was revoked"
run env KHAOSAT_PASSPHRASE="đúng mật khẩu xã" "$K" keys restore --db "$TMP/A.db" "$TMP/office.keys"
expect_status 1
expect_err_contains "--replace"

finish
