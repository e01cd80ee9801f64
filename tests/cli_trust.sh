#!/bin/sh
# cli_trust.sh: what a trusted card may and may not do.  A sealed file
# from a trusted sender that only claims to be large costs reading, never
# memory, and one claiming more than a bundle may hold is refused from its
# header; every refusal leaves the office's database exactly as it was.
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

finish
