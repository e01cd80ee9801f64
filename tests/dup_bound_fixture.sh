# dup_bound_fixture.sh: sourced by cli_dup_bound.sh and tui_dup_bound.sh
# after lib.sh.  Two communes' offices (o1: 26734, o2: 26735), each bound
# to its commune by the set-up it sends to the province $P (a copy of it
# before any merge in $P2), each with a laptop of three interviews merged.
# X and Y of laptop 1 are a pair; the office bundles for the province:
#   U1  office 1's interviews;
#   U2  then office 1's decision alone (same household, X kept);
#   F1  office 2's interviews with a forged decision on X and Y
#       (different households, later than office 1's).
# report_has DB TEXT, decisions DB and forged_dropped are helpers for the
# checks.
K="$KHAOSAT"
P="$TMP/province.db"
P2="$TMP/province2.db"
"$K" keys export --db "$P" --role office --name "Sở NN" --to "$TMP/province.card" 2>/dev/null

# commune N CODE NAME: office oN set up for commune CODE, its laptop lN
# with three interviews, trusting each other and the province.
commune() {
    c_o="$TMP/o$1.db"
    laptop "l$1" "Người $1" "$3"
    "$K" simulate --db "$TMP/l$1.db" --forms "$FORMS" --form household --count 3 --seed "7$1" >/dev/null
    "$K" setup --db "$c_o" commune --code "$2" --name "$3" --province 01 >/dev/null 2>&1 ||
        fail "setup commune $2"
    "$K" keys export --db "$c_o" --role office --name "UBND $3" --commune "$3" --to "$TMP/o$1.card" 2>/dev/null
    "$K" keys export --db "$TMP/l$1.db" --to "$TMP/l$1.card" 2>/dev/null
    "$K" keys trust --db "$TMP/l$1.db" --yes "$TMP/o$1.card" >/dev/null 2>&1 || fail "l$1 trusts o$1"
    "$K" keys trust --db "$c_o" --yes "$TMP/l$1.card" >/dev/null 2>&1 || fail "o$1 trusts l$1"
    "$K" keys trust --db "$c_o" --yes --upstream "$TMP/province.card" >/dev/null 2>&1 || fail "o$1 trusts P"
    "$K" keys trust --db "$P" --yes --accept "$TMP/o$1.card" >/dev/null 2>&1 || fail "P trusts o$1"
}
# up N DIR: office N's bundle for the province in a fresh DIR; path in $UP.
up() {
    mkdir -p "$TMP/$2"
    run "$K" export --db "$TMP/o$1.db" --to "$TMP/$2"
    expect_status 0
    UP=$(cat "$TMP/out")
}
# decisions DB: the pairs and their decisions, and those kept for later.
decisions() {
    sqlite3 "$1" "SELECT a, b, coalesce(decision, 'open'), coalesce(keep, ''), coalesce(decided, '') FROM duplicates ORDER BY a, b;
                  SELECT * FROM decisions_later ORDER BY a, b"
}
# forged_dropped: the merge just run dropped office 2's decision kept for
# later from F1 with a line naming that bundle and two different keys (the
# bound one and the one that signed it), not the bundle being merged.
forged_dropped() {
    expect_out_contains "$U1: the decision on possible duplicates $X and $Y kept for later from $F1 ignored: they are of commune 26734, whose set-up is sent here by the office "
    line=$(grep -F "kept for later from $F1 ignored" "$TMP/out")
    bound_key=$(echo "$line" | sed -n 's/.*sent here by the office \([^,]*\), but that bundle is signed by \([^;]*\);.*/\1/p')
    sent_key=$(echo "$line" | sed -n 's/.*sent here by the office \([^,]*\), but that bundle is signed by \([^;]*\);.*/\2/p')
    ks_checks=$((ks_checks + 1))
    [ -n "$bound_key" ] && [ -n "$sent_key" ] && [ "$bound_key" != "$sent_key" ] ||
        fail "the dropped decision's line shows one key as two, or none: $line"
}
report_has() {
    run "$K" report --db "$1" --forms "$FORMS"
    expect_status 0
    tr '\n' ' ' <"$TMP/out" | tr -s ' ' | grep -qF "$2" ||
        fail "$(basename "$1")'s report does not say '$2': $(grep -i "duplicat" "$TMP/out")"
}

commune 1 26734 "Xã Đông Hòa"
commune 2 26735 "Xã Tây Sơn"
# The second province: the same one before any merge (its own copy).
sqlite3 "$P" ".backup '$P2'"
A="$TMP/l1.db"
X=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
Y=$(sqlite3 "$A" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1 OFFSET 1")
answer_of() { sqlite3 "$A" "SELECT value FROM answers WHERE interview = '$1' AND qid = '$2' AND path = ''"; }
for q in village hh_no; do
    "$K" answer --db "$A" "$Y" "$q" "$(answer_of "$X" "$q")" >/dev/null 2>&1
done
"$K" finalise --db "$A" "$Y" >/dev/null 2>&1 || fail "Y finalised"
for n in 1 2; do
    mkdir -p "$TMP/lap$n"
    "$K" export --db "$TMP/l$n.db" --to "$TMP/lap$n" >/dev/null 2>&1 || fail "l$n exports"
    run "$K" merge --db "$TMP/o$n.db" --forms "$FORMS" "$TMP/lap$n"
    expect_status 0
done

# Office 1 sends its interviews first, then settles the pair and sends the
# decision alone.
up 1 u1
U1=$UP
run "$K" duplicates --db "$TMP/o1.db" --same "$X" "$Y" --keep "$X"
expect_status 0
up 1 u2
U2=$UP
report_has "$TMP/o1.db" "Superseded duplicates left out: 1"

# Office 2, forged, decides office 1's pair the other way, later.
sqlite3 "$TMP/o2.db" "INSERT INTO duplicates (a, b, form_id, key, found, decision, keep, decided)
    VALUES ('$X', '$Y', 'household', 'forged', '2030-01-01T00:00:00Z', 'different', NULL, '2030-01-01T00:00:00.000Z')"
up 2 f1
F1=$UP

