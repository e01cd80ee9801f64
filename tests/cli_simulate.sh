#!/bin/sh
# khaosat simulate: valid interviews through the store, reproducible with a
# seed, and clear refusals of bad arguments.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$FORMS" --form household --count 5 --seed 7
expect_status 0
expect_out_contains "5 interviews of household"
n=$(sqlite3 "$TMP/a.db" "select count(*) from interviews where form_id='household'")
[ "$n" = 5 ] || fail "expected 5 interviews, found $n"
members=$(sqlite3 "$TMP/a.db" "select count(*) from answers where path like 'members[%'")
[ "$members" -gt 0 ] || fail "no roster answers were simulated"

# The same seed gives the same answers.
"$KHAOSAT" simulate --db "$TMP/b.db" --forms "$FORMS" --form household --count 5 --seed 7 >/dev/null
dump() {
    sqlite3 "$1" "select i.created is not null, a.qid, a.path, a.value from answers a
                  join interviews i on i.uuid = a.interview
                  order by i.rowid, a.qid, a.path" | sort
}
[ "$(dump "$TMP/a.db")" = "$(dump "$TMP/b.db")" ] || fail "same seed, different answers"

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$FORMS" --form nosuchform --count 1
expect_status 1
expect_err_contains "no form 'nosuchform'"

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$FORMS" --form household --count -3
expect_status 2

run "$KHAOSAT" simulate --db "$TMP/a.db" --forms "$TMP/nonexistent" --form household --count 1
expect_status 1
expect_err_contains "cannot read the forms directory"

# A file that is not a database is refused and left as it was.
printf 'not a database at all' > "$TMP/junk.db"
before=$(cksum < "$TMP/junk.db")
run "$KHAOSAT" simulate --db "$TMP/junk.db" --forms "$FORMS" --form household --count 1
expect_status 1
[ "$(cksum < "$TMP/junk.db")" = "$before" ] || fail "a foreign file was modified"

finish
