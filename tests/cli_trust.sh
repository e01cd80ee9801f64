#!/bin/sh
# cli_trust.sh: what a trusted card may and may not do.  A sealed file
# from a trusted sender that only claims to be large costs reading, never
# memory, and one claiming more than a bundle may hold is refused from its
# header, on an office and on a laptop alike.  A card is trusted only for what its role allows: a laptop's
# card never becomes the office bundles are sealed for.  "Sealed only" is
# for good, both ways: trusting an accepted card again under the other
# purpose keeps unsigned bundles out, and a laptop whose office card was
# revoked refuses to export rather than write in the clear.  A directory
# merge names every entry it leaves out (FIFO, link, directory) and never
# opens one.  A card names its device: a trusted laptop cannot take
# another's device id (first bundle or not), file interviews under
# another device, nor can a plain bundle claim a bound device; a second
# card for a bound device is refused when trusted.  Every refusal leaves
# the database exactly as it was.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
fpr() { sed -n 's/^fingerprint: //p' "$1"; }
mkdir -p "$TMP/usb"
O="$TMP/office.db"
laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 2 --seed 31 >/dev/null
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 1 --seed 32 >/dev/null
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
"$K" keys export --db "$TMP/A.db" --to "$TMP/A.card" 2>/dev/null
"$K" keys export --db "$TMP/B.db" --to "$TMP/B.card" 2>/dev/null
OF=$(fpr "$TMP/office.card"); AF=$(fpr "$TMP/A.card"); BF=$(fpr "$TMP/B.card")
for x in A B; do
    "$K" keys trust --db "$TMP/$x.db" "$TMP/office.card" --yes >/dev/null || fail "trust office on $x"
done
"$K" keys trust --db "$O" "$TMP/A.card" --yes >/dev/null || fail "trust A"
first=$("$K" export --db "$TMP/A.db" --to "$TMP/usb" 2>/dev/null)
"$K" forms accept --db "$O" "$first" >/dev/null || fail "forms accept"
run "$K" merge --db "$O" "$first"
expect_status 0
expect_out_contains "added 2"

# refuse FILE MESSAGE [PREFIX...]: merging FILE at the office fails with
# MESSAGE and changes nothing (PREFIX, such as a ulimit, runs it).
refuse() {
    f=$1 msg=$2
    shift 2
    before=$(db_digest "$O")
    run "$@" "$K" merge --db "$O" "$f"
    expect_status 1
    expect_err_contains "$msg"
    [ "$(db_digest "$O")" = "$before" ] || fail "office changed by refused $f"
}

# --- A made-up sealed file from a trusted sender, 768 MiB by its header
# and by its length (sparse: nothing is on the disk).  It must fail on its
# signature without the memory: under a 400 MB address-space limit where
# ASan, which needs terabytes of it, is not in the way.
fake() {    # fake FILE SIZE: a header from A to the office, then zeros
    printf 'khaosat sealed bundle 1\nbundle: %s\nfrom: %s\nto: %s\ninterviews: 1\nsize: %s\nsignature: ed25519\n\n' \
        "0f6e4b1c-0000-4000-8000-00000000a2d0" "$AF" "$OF" "$2" >"$1"
    hl=$(wc -c <"$1")
    truncate -s $((hl + 80 + 24 + $2 + 17 * (($2 + 1048575) / 1048576) + 64)) "$1"
}
limit=""
if ! ldd "$K" 2>/dev/null | grep -q asan; then
    limit="ulimit -v 400000;"
fi
fake "$TMP/huge.khb" $((768 << 20))
refuse "$TMP/huge.khb" "its signature does not match" sh -c "$limit"' exec "$@"' sh
# More than a bundle may hold (2 GiB): refused from the header alone.
fake "$TMP/huger.khb" $((3 << 30))
refuse "$TMP/huger.khb" "more than the 2147483648 a bundle may have" sh -c "$limit"' exec "$@"' sh
expect_err_contains "huger.khb"
# The same for a downstream bundle on a laptop, 2 GiB + 1 by its header
# and by its (sparse) length: refused from the header, before its length
# is compared or anything after the header is read.
printf 'khaosat sealed bundle 2\nbundle: %s\nfrom: %s\nto: %s\ninterviews: 0\nsize: %s\ndirection: down\nsignature: ed25519\n\n' \
    "0f6e4b1c-0000-4000-8000-00000000a2d1" "$OF" "$AF" $(((2 << 30) + 1)) >"$TMP/hugedown.khb"
hl=$(wc -c <"$TMP/hugedown.khb")
truncate -s $((hl + 80 + 24 + (2 << 30) + 1 + 17 * 2049 + 64)) "$TMP/hugedown.khb"
before=$(db_digest "$TMP/A.db")
run sh -c "$limit"' exec "$@"' sh timeout 5 "$K" merge --db "$TMP/A.db" "$TMP/hugedown.khb"
expect_status 1
expect_err_contains "hugedown.khb: its header says 2147483649 bytes inside, more than the 2147483648 a bundle may have; nothing more of it was read"
[ "$(db_digest "$TMP/A.db")" = "$before" ] || fail "laptop changed by a refused huge downstream bundle"

# --- A directory holding, beside a bundle, a FIFO, a link, a directory
# and a device named like bundles: each is named with what it is, none is
# opened (the FIFO would hang the merge), and the bundle merges.
mkdir -p "$TMP/stick" "$TMP/elsewhere"
"$K" simulate --db "$TMP/A.db" --forms "$FORMS" --form household --count 1 --seed 36 >/dev/null
"$K" export --db "$TMP/A.db" --to "$TMP/stick" >/dev/null 2>&1 || fail "export to the stick"
mkfifo "$TMP/stick/pipe.khb"
cp "$first" "$TMP/elsewhere/x.khb"
ln -s "$TMP/elsewhere/x.khb" "$TMP/stick/link.KHB"
mkdir "$TMP/stick/folder.khb"
ln -s /dev/zero "$TMP/stick/zero.khb"
before=$(db_digest "$O")
run timeout 60 "$K" merge --db "$O" "$TMP/stick"
expect_status 0
expect_out_contains "added 1,"
expect_err_contains "$TMP/stick/pipe.khb: skipped: a named pipe (FIFO), not a file; it was not opened"
expect_err_contains "$TMP/stick/link.KHB: skipped: a symbolic link"
expect_err_contains "$TMP/stick/folder.khb: skipped: a directory, not a bundle file"
expect_err_contains "$TMP/stick/zero.khb: skipped: a symbolic link"
[ "$(grep -c 'skipped' "$TMP/err")" -eq 4 ] || fail "four entries skipped, said $(cat "$TMP/err")"
# Only links and FIFOs: no bundles, and each said.
mkdir -p "$TMP/stick2"
mkfifo "$TMP/stick2/b.khb"
before=$(db_digest "$O")
run timeout 60 "$K" merge --db "$O" "$TMP/stick2"
expect_status 0
expect_err_contains "no bundles (*.khb) in $TMP/stick2"
expect_err_contains "$TMP/stick2/b.khb: skipped: a named pipe (FIFO)"
[ "$(db_digest "$O")" = "$before" ] || fail "a directory without bundles changed the office"

# --- Roles: a laptop's card is never the office bundles are sealed for,
# at an office or on another laptop.
before=$(db_digest "$O")
run "$K" keys trust --db "$O" "$TMP/A.card" --upstream --yes
expect_status 1
expect_err_contains "is the card of a laptop, not of an office"
[ "$(db_digest "$O")" = "$before" ] || fail "a refused trust changed the office"
run "$K" keys list --db "$O"
expect_out_contains "accept   $AF"
beforeB=$(db_digest "$TMP/B.db")
run "$K" keys trust --db "$TMP/B.db" "$TMP/A.card" --upstream --yes
expect_status 1
expect_err_contains "only an office's card can be the one bundles are sealed for"
[ "$(db_digest "$TMP/B.db")" = "$beforeB" ] || fail "a refused trust changed B"

# --- Sealed only stays when the one accepted card is trusted again the
# other way: a province accepts the commune office, then (by mistake or
# on purpose) trusts it as its upstream; plain bundles stay refused.
D="$TMP/province.db"
"$K" keys export --db "$D" --role office --name "Tỉnh" --commune "Tỉnh Tây" --to "$TMP/province.card" 2>/dev/null
"$K" keys trust --db "$D" "$TMP/office.card" --accept --yes >/dev/null || fail "province accepts the office"
run "$K" keys trust --db "$D" "$TMP/office.card" --upstream --yes
expect_status 0
mkdir -p "$TMP/plain"
laptop C "Trần Cường" "Xã Đông Hòa"
"$K" simulate --db "$TMP/C.db" --forms "$FORMS" --form household --count 1 --seed 33 >/dev/null
plain=$("$K" export --db "$TMP/C.db" --to "$TMP/plain" 2>/dev/null)
before=$(db_digest "$D")
run "$K" merge --db "$D" "$plain"
expect_status 1
expect_err_contains "unsigned bundle (not sealed)"
[ "$(db_digest "$D")" = "$before" ] || fail "a refused plain bundle changed the province"

# --- A laptop whose office card was revoked refuses to export: nothing
# in the clear, nothing written, the database as it was, and the message
# says what to do.
"$K" simulate --db "$TMP/B.db" --forms "$FORMS" --form household --count 1 --seed 34 >/dev/null
"$K" keys revoke --db "$TMP/B.db" "$OF" >/dev/null || fail "revoke the office on B"
mkdir -p "$TMP/usbB"
beforeB=$(db_digest "$TMP/B.db")
run "$K" export --db "$TMP/B.db" --to "$TMP/usbB"
expect_status 1
expect_err_contains "the office card $OF (UBND xã, Xã Đông Hòa) that bundles from here are sealed for was revoked on"
expect_err_contains "trust the office's new card (khaosat keys trust CARD --upstream)"
expect_err_contains "nothing was exported"
if grep -q "NOT encrypted" "$TMP/err"; then fail "B fell back to a plain bundle"; fi
[ -z "$(ls -A "$TMP/usbB")" ] || fail "the refused export wrote $(ls -A "$TMP/usbB")"
[ "$(db_digest "$TMP/B.db")" = "$beforeB" ] || fail "the refused export changed B"
run "$K" export --db "$TMP/B.db" --to "$TMP/usbB" --all
expect_status 1
# The office's new card: sealed again.
O2="$TMP/office2.db"
"$K" keys export --db "$O2" --role office --name "UBND xã mới" --commune "Xã Đông Hòa" --to "$TMP/office2.card" 2>/dev/null
O2F=$(fpr "$TMP/office2.card")
"$K" keys trust --db "$TMP/B.db" "$TMP/office2.card" --yes >/dev/null || fail "trust the new office card"
run "$K" export --db "$TMP/B.db" --to "$TMP/usbB"
expect_status 0
expect_err_contains "sealed for the office $O2F"
# The only office card trusted again the other way leaves no office to
# seal for: still refused, never plain.
laptop E "Phạm Em" "Xã Đông Hòa"
"$K" simulate --db "$TMP/E.db" --forms "$FORMS" --form household --count 1 --seed 35 >/dev/null
"$K" keys trust --db "$TMP/E.db" "$TMP/office.card" --upstream --yes >/dev/null || fail "E trusts the office"
"$K" keys trust --db "$TMP/E.db" "$TMP/office.card" --accept --yes >/dev/null || fail "E trusts the office card as a sender"
mkdir -p "$TMP/usbE"
beforeE=$(db_digest "$TMP/E.db")
run "$K" export --db "$TMP/E.db" --to "$TMP/usbE"
expect_status 1
expect_err_contains "no office card is trusted any more to seal bundles for"
[ "$(db_digest "$TMP/E.db")" = "$beforeE" ] || fail "the refused export changed E"
[ -z "$(ls -A "$TMP/usbE")" ] || fail "the refused export wrote $(ls -A "$TMP/usbE")"

# --- A card names its device, and binds it from the day it is trusted.
devA=$(sqlite3 "$TMP/A.db" "SELECT value FROM settings WHERE key = 'device_id'")
grep -qx "device: $devA" "$TMP/A.card" || fail "A's card does not name its device $devA"
# A rogue laptop R, trusted by the office, takes the device id of V, a
# laptop trusted there that has not sent anything yet: R's bundle is
# refused, naming the file, and V is not locked out.
laptop V "Vũ Thị Vân" "Xã Đông Hòa"
"$K" simulate --db "$TMP/V.db" --forms "$FORMS" --form household --count 1 --seed 41 >/dev/null
"$K" keys export --db "$TMP/V.db" --to "$TMP/V.card" 2>/dev/null
"$K" keys trust --db "$TMP/V.db" "$TMP/office.card" --yes >/dev/null || fail "V trusts the office"
"$K" keys trust --db "$O" "$TMP/V.card" --yes >/dev/null || fail "the office trusts V"
devV=$(sqlite3 "$TMP/V.db" "SELECT value FROM settings WHERE key = 'device_id'")
laptop R "Kẻ gian" "Xã Đông Hòa"
"$K" simulate --db "$TMP/R.db" --forms "$FORMS" --form household --count 1 --seed 37 >/dev/null
"$K" keys export --db "$TMP/R.db" --to "$TMP/R.card" 2>/dev/null
RF=$(fpr "$TMP/R.card")
devR=$(sqlite3 "$TMP/R.db" "SELECT value FROM settings WHERE key = 'device_id'")
"$K" keys trust --db "$TMP/R.db" "$TMP/office.card" --yes >/dev/null || fail "R trusts the office"
"$K" keys trust --db "$O" "$TMP/R.card" --yes >/dev/null || fail "the office trusts R"
sqlite3 "$TMP/R.db" "UPDATE settings SET value = '$devV' WHERE key = 'device_id';
                     UPDATE interviews SET device_id = '$devV';
                     UPDATE revisions SET device = '$devV';"
mkdir -p "$TMP/usbR" "$TMP/usbV"
rogue=$("$K" export --db "$TMP/R.db" --to "$TMP/usbR" --all 2>/dev/null)
[ -n "$rogue" ] || fail "R exported nothing"
refuse "$rogue" "$rogue: signed by $RF, whose card is for device $devR, but it says it comes from device $devV; refusing it"
fromV=$("$K" export --db "$TMP/V.db" --to "$TMP/usbV" 2>/dev/null)
run "$K" merge --db "$O" "$fromV"
expect_status 0
expect_out_contains "added 1,"
# A card for a device already bound to another card is refused when
# trusted, naming the card file.
sqlite3 "$TMP/R.db" "UPDATE settings SET value = '$devA' WHERE key = 'device_id'"
"$K" keys export --db "$TMP/R.db" --to "$TMP/R2.card" 2>/dev/null
grep -qx "device: $devA" "$TMP/R2.card" || fail "R's new card does not name the device it took"
before=$(db_digest "$O")
# Said before any question: without --yes and a terminal, the refusal,
# not "run again with --yes".
run "$K" keys trust --db "$O" "$TMP/R2.card" </dev/null
expect_status 1
expect_err_contains "$TMP/R2.card: the card is for device $devA, which is already bound"
grep -q -- "--yes" "$TMP/err" && fail "asked for --yes before saying the device is bound"
run "$K" keys trust --db "$O" "$TMP/R2.card" --yes
expect_status 1
expect_err_contains "$TMP/R2.card: the card is for device $devA, which is already bound here to the card $AF (Nguyễn Văn An, Xã Đông Hòa)"
[ "$(db_digest "$O")" = "$before" ] || fail "a refused trust changed the office"
# A laptop files an interview under another device: refused.
laptop S "Sơn" "Xã Đông Hòa"
"$K" simulate --db "$TMP/S.db" --forms "$FORMS" --form household --count 1 --seed 39 >/dev/null
"$K" keys export --db "$TMP/S.db" --to "$TMP/S.card" 2>/dev/null
"$K" keys trust --db "$TMP/S.db" "$TMP/office.card" --yes >/dev/null || fail "S trusts the office"
"$K" keys trust --db "$O" "$TMP/S.card" --yes >/dev/null || fail "the office trusts S"
devS=$(sqlite3 "$TMP/S.db" "SELECT value FROM settings WHERE key = 'device_id'")
SF=$(fpr "$TMP/S.card")
uS=$(sqlite3 "$TMP/S.db" "SELECT uuid FROM interviews LIMIT 1")
sqlite3 "$TMP/S.db" "UPDATE interviews SET device_id = '$devA'"
mkdir -p "$TMP/usbS"
filed=$("$K" export --db "$TMP/S.db" --to "$TMP/usbS" 2>/dev/null)
refuse "$filed" "$filed: carries the start of interview $uS made on device $devA, but it is signed by the laptop $SF of device $devS"
# A plain bundle saying it comes from a bound device: refused even when
# unsigned bundles are allowed.
laptop P "Phan" "Xã Đông Hòa"
"$K" simulate --db "$TMP/P.db" --forms "$FORMS" --form household --count 1 --seed 40 >/dev/null
sqlite3 "$TMP/P.db" "UPDATE settings SET value = '$devA' WHERE key = 'device_id';
                     UPDATE interviews SET device_id = '$devA';
                     UPDATE revisions SET device = '$devA';"
mkdir -p "$TMP/usbP"
plainP=$("$K" export --db "$TMP/P.db" --to "$TMP/usbP" 2>/dev/null)
before=$(db_digest "$O")
run "$K" merge --db "$O" --allow-unsigned "$plainP"
expect_status 1
expect_err_contains "$plainP: says it comes from device $devA, which is bound here to the card $AF, but it is not signed"
[ "$(db_digest "$O")" = "$before" ] || fail "a refused plain bundle changed the office"

finish
