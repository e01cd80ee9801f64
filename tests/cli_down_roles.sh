#!/bin/sh
# The words of each role refusing a bundle of the wrong direction or
# sender, each with its exit status and the database unchanged: a laptop
# given another laptop's upstream bundle, its own upstream bundle, another
# laptop's downstream bundle, a downstream bundle from an office it does
# not trust, or one when it trusts no office any more; an office given a
# downstream bundle it wrote (the file, and in a directory where it is
# skipped); another office given it; a laptop asked for export --down.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

K="$KHAOSAT"
O="$TMP/office.db"
A="$TMP/A.db"
B="$TMP/B.db"
C="$TMP/C.db"
mkdir -p "$TMP/upA" "$TMP/upB" "$TMP/upC" "$TMP/down" "$TMP/other"

laptop A "Nguyễn Văn An" "Xã Đông Hòa"
laptop B "Lê Thị Bình" "Xã Đông Hòa"
laptop C "Trần Cường" "Xã Đông Hòa"
"$K" keys export --db "$O" --role office --name "UBND xã" --commune "Xã Đông Hòa" --to "$TMP/office.card" 2>/dev/null
seed=70
for L in A B C; do
    seed=$((seed + 1))
    "$K" simulate --db "$TMP/$L.db" --forms "$FORMS" --form household --count 1 --seed $seed >/dev/null 2>&1
    "$K" keys export --db "$TMP/$L.db" --to "$TMP/$L.card" 2>/dev/null
    "$K" keys trust --db "$TMP/$L.db" --yes "$TMP/office.card" >/dev/null 2>&1 || fail "$L trusts O"
    "$K" keys trust --db "$O" --yes "$TMP/$L.card" >/dev/null 2>&1 || fail "O trusts $L"
    "$K" export --db "$TMP/$L.db" --to "$TMP/up$L" >/dev/null 2>&1 || fail "$L exports"
done
"$K" merge --db "$O" --forms "$FORMS" "$TMP/upA" "$TMP/upB" "$TMP/upC" >/dev/null 2>&1 || fail "O merges"
"$K" export --db "$O" --down --to "$TMP/down" >/dev/null 2>&1 || fail "export --down"
fpr() { sed -n 's/^fingerprint: //p' "$TMP/$1.card"; }
OF=$(fpr office)
AF=$(fpr A)
BF=$(fpr B)
DA=$(grep -l "^to: $AF" "$TMP"/down/*.khb)
DC=$(grep -l "^to: $(fpr C)" "$TMP"/down/*.khb)
UPA=$(ls "$TMP"/upA/*.khb)
UPB=$(ls "$TMP"/upB/*.khb)

# refused DB EXIT TEXT CMD...: CMD exits EXIT saying TEXT, DB unchanged.
refused() {
    db=$1 code=$2 text=$3
    shift 3
    before=$(db_digest "$db")
    run "$@"
    expect_status "$code"
    expect_err_contains "$text"
    expect_same "$db" "$before" "$text"
}

# A laptop given another laptop's upstream bundle (sealed for the office).
refused "$A" 1 "$UPB: sealed by an unknown key $BF" "$K" merge --db "$A" "$UPB"
# Its own upstream bundle: only the office opens it.
refused "$A" 1 "$UPA: sealed by this database for the office $OF: only that office can open it; not merged" \
    "$K" merge --db "$A" "$UPA"
# Another laptop's downstream bundle.
refused "$B" 1 "$DA: sealed for another laptop ($AF); this database is $BF and cannot read it; not merged" \
    "$K" merge --db "$B" "$DA"
# The office given the bundle it wrote for a laptop: refused by name...
refused "$O" 1 "$DA: a downstream bundle, from the office $OF to its laptop $AF: an office does not merge it, only that laptop takes it; not merged" \
    "$K" merge --db "$O" "$DA"
# ... and skipped in a directory, saying so.
before=$(db_digest "$O")
run "$K" merge --db "$O" "$TMP/down"
expect_err_contains "$DA: a downstream bundle for the laptop $AF, not for this database: skipped"
expect_same "$O" "$before" "a directory of downstream bundles at the office"
# verify at the office says whose it is.
run "$K" verify --db "$O" "$DA"
expect_status 0
expect_out_contains "a downstream bundle sealed by this office for its laptop $AF"
# A downstream bundle from an office the laptop does not trust: a copy of
# the office's database with keys of its own.
sqlite3 "$O" ".backup '$TMP/other.db'"
sqlite3 "$TMP/other.db" "DELETE FROM identity"
"$K" keys export --db "$TMP/other.db" --role office --name "Kẻ khác" --commune "Xã Khác" --to "$TMP/other.card" 2>/dev/null
XF=$(fpr other)
"$K" export --db "$TMP/other.db" --down --to "$TMP/other" >/dev/null 2>&1 || fail "the other office writes"
EVIL=$(grep -l "^to: $AF" "$TMP"/other/*.khb)
refused "$A" 1 "$EVIL: a downstream bundle from $XF, which is not this laptop's office ($OF): refused; not merged" \
    "$K" merge --db "$A" "$EVIL"
# A laptop that no longer trusts any office (its card revoked).
"$K" keys revoke --db "$C" --yes "$OF" >/dev/null 2>&1 || fail "C revokes its office"
refused "$C" 1 "$DC: a downstream bundle from $OF, but this database trusts no office above it" \
    "$K" merge --db "$C" "$DC"
# A laptop asked to write downstream bundles.
refused "$A" 1 "khaosat export: export --down is for an office: it writes the bundles an office sends back to its laptops, and this database is a laptop's; 0 downstream bundle(s) written" \
    "$K" export --db "$A" --down --to "$TMP/down"
# A laptop's downstream bundle under another laptop's name: the order and
# device checks come after the seal, which already refuses it (above);
# the laptop that owns it takes it.
run "$K" merge --db "$A" "$DA"
expect_status 0
expect_out_contains "from the office: 0 returned interview(s) reopened"

finish
