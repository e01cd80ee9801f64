#!/bin/sh
# cli_dup_clone.sh: an office started from a copy of another office's
# database (the same interviews, its own key and commune) sends them up.
# At the province, an office's bundle carrying an interview held there as
# of another commune does not take it: each is named ("interview U is of
# commune C; this bundle speaks for commune D: not taken", with what to
# do) and counted, never "unchanged"; in both merge orders (the first
# bundle still brings them, so the province follows the order: the line
# says so either way), and again on a second merge of another bundle.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

. "$(dirname "$0")/dup_bound_fixture.sh"
# Office 2 becomes a copy of office 1's database with its own key and
# commune (26735), as a cloned office computer would be.
O2="$TMP/o2clone.db"
cp "$TMP/o1.db" "$O2"
sqlite3 "$O2" "DELETE FROM identity; ATTACH '$TMP/o2.db' AS o;
    INSERT INTO identity SELECT * FROM o.identity;
    UPDATE settings SET value = (SELECT value FROM o.settings WHERE key = 'device_id') WHERE key = 'device_id';
    UPDATE settings SET value = '26735' WHERE key = 'setup_commune_code';
    UPDATE settings SET value = 'Xã Tây Sơn' WHERE key = 'setup_commune_name';
    DELETE FROM settings WHERE key LIKE 'setup_up%' OR key LIKE 'reviews_%';"
mkdir -p "$TMP/c1"
run "$K" export --db "$O2" --to "$TMP/c1" --all
expect_status 0
C1=$(cat "$TMP/out")
n=$(sqlite3 "$TMP/o1.db" "SELECT count(*) FROM interviews")

# expect_clash HELD SPEAKS BUNDLE: every interview of office 1 named as
# not taken from BUNDLE, and counted.
expect_clash() {
    expect_out_contains "$3: added 0, updated 0, unchanged 0"
    expect_out_contains "$3: $n interview(s) of another commune than this bundle speaks for not taken (each named)"
    for u in $(sqlite3 "$TMP/o1.db" "SELECT uuid FROM interviews"); do
        expect_out_contains "$3: interview $u is of commune $1; this bundle speaks for commune $2: not taken.  Two offices send the same interviews: the office whose laptops did not send them was likely started from a copy of the other's database; start it again from a fresh database"
    done
}

# Office 1 first: the copy's bundle is named, nothing of it taken.
run "$K" merge --db "$P" --forms "$FORMS" "$U1" "$U2"
expect_status 0
before=$(sqlite3 "$P" "SELECT uuid, head FROM interviews ORDER BY uuid")
run "$K" merge --db "$P" --forms "$FORMS" "$C1"
expect_status 0
expect_clash 26734 26735 "$C1"
ks_checks=$((ks_checks + 1))
[ "$(sqlite3 "$P" "SELECT uuid, head FROM interviews ORDER BY uuid")" = "$before" ] ||
    fail "the copy's bundle changed office 1's interviews"
run "$K" duplicates --db "$P"
expect_out_contains "(commune 26734"
expect_out_contains "[same household: $X kept]"

# The copy first (the other order, on the second province): its bundle
# brings the interviews; office 1's is then named the same way.
run "$K" merge --db "$P2" --forms "$FORMS" "$C1"
expect_status 0
run "$K" merge --db "$P2" --forms "$FORMS" "$U1"
expect_status 0
expect_clash 26735 26734 "$U1"
# A second pass: office 1's next bundle is named again, not "unchanged".
run "$K" review --db "$TMP/o1.db" "$X" --approve
expect_status 0
up 1 u9
run "$K" merge --db "$P2" --forms "$FORMS" "$UP"
expect_status 0
expect_out_contains "$UP: the review of interview $X ignored"
afterP=$(db_digest "$P2")
run "$K" merge --db "$P2" --forms "$FORMS" "$U1"
expect_status 0
expect_same "$P2" "$afterP" "office 1's bundle again"

finish
