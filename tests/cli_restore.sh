#!/bin/sh
# khaosat restore over a database that holds data (keys, trusted cards,
# set-up: not only interviews) needs --replace and keeps what it replaces;
# a sealed backup without its keys says so when it is made; keys list
# never makes keys; a header that lies about its interviews is refused; a
# link given as --db is resolved; what a killed backup or restore leaves
# beside the database is swept.  Every refusal leaves the data as it was.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT
export KHAOSAT_PASSPHRASE="mật khẩu của xã"

"$K" simulate --db "$TMP/lap.db" --forms "$FORMS" --form household --count 3 --seed 1 >/dev/null 2>&1
run "$K" backup --db "$TMP/lap.db" --to "$TMP/lap.kbk"
expect_status 0
expect_out_contains "not sealed"

# --- 1. A database holding keys and a trusted card but no interview.
"$K" keys export --db "$TMP/other.db" --role office --to "$TMP/other.card" >/dev/null 2>&1
"$K" keys export --db "$TMP/t.db" --role laptop --to "$TMP/t.card" >/dev/null 2>&1
"$K" keys trust --db "$TMP/t.db" --yes "$TMP/other.card" >/dev/null 2>&1
before=$(db_digest "$TMP/t.db")
run "$K" restore --db "$TMP/t.db" "$TMP/lap.kbk"
expect_status 1
expect_err_contains "$TMP/t.db holds no interview but holds"
expect_err_contains "its keys"
expect_err_contains "1 trusted card"
expect_err_contains "use --replace if that is meant"
[ "$(db_digest "$TMP/t.db")" = "$before" ] || fail "a refused restore changed the keys"
# Set-up settings alone are data too.
"$K" simulate --db "$TMP/s.db" --forms "$FORMS" --form household --count 0 >/dev/null 2>&1
sqlite3 "$TMP/s.db" "INSERT INTO settings VALUES ('commune', 'Xã Đông Hòa')"
before_s=$(db_digest "$TMP/s.db")
run "$K" restore --db "$TMP/s.db" "$TMP/lap.kbk"
expect_status 1
expect_err_contains "$TMP/s.db holds no interview but holds 1 setting"
[ "$(db_digest "$TMP/s.db")" = "$before_s" ] || fail "a refused restore changed the settings"
# A new database with nothing in it (only its device id) is restored over.
"$K" simulate --db "$TMP/e.db" --forms "$FORMS" --form household --count 0 >/dev/null 2>&1
run "$K" restore --db "$TMP/e.db" "$TMP/lap.kbk"
expect_status 0
[ "$(db_digest "$TMP/e.db")" = "$(db_digest "$TMP/lap.db")" ] || fail "restore over an empty database differs"

# --replace replaces, and keeps what was there beside it, saying where.
run "$K" restore --replace --db "$TMP/t.db" "$TMP/lap.kbk"
expect_status 0
expect_out_contains "what was there before is kept as $TMP/t.db.before-restore-"
kept=$(sed -n 's/^what was there before is kept as \(.*\); remove it.*/\1/p' "$TMP/out")
[ -f "$kept" ] || fail "the kept copy is not at $kept"
[ "$(db_digest "$kept")" = "$before" ] || fail "the kept copy is not what was replaced"
[ "$(sqlite3 "$kept" 'SELECT count(*) FROM trusted')" = 1 ] || fail "the kept copy lost the trusted card"
[ "$(db_digest "$TMP/t.db")" = "$(db_digest "$TMP/lap.db")" ] || fail "--replace did not restore"
# A second --replace the same second keeps another copy, not over the first.
run "$K" restore --replace --db "$TMP/t.db" "$TMP/lap.kbk"
expect_status 0
[ "$(ls "$TMP" | grep -c '^t.db.before-restore-')" = 2 ] || fail "the second restore did not keep its own copy: $(ls "$TMP")"
[ "$(db_digest "$kept")" = "$before" ] || fail "the second restore changed the first kept copy"

# --- 2. A sealed backup without its keys says restoring needs them.
"$K" simulate --db "$TMP/o.db" --forms "$FORMS" --form household --count 2 --seed 2 >/dev/null 2>&1
"$K" keys export --db "$TMP/o.db" --role office --to "$TMP/o.card" >/dev/null 2>&1
run "$K" backup --db "$TMP/o.db" --to "$TMP/o.kbk"
expect_status 0
expect_out_contains "does not hold the keys: restoring it needs this database's keys"
expect_out_contains "khaosat keys backup --to FILE"
expect_out_contains "--with-keys"
run "$K" backup --db "$TMP/o.db" --to "$TMP/ok.kbk" --with-keys
expect_status 0
expect_out_contains "with its keys inside under the passphrase"
# keys list only reads: no identity is made for a database without one.
before=$(db_digest "$TMP/lap.db")
run "$K" keys list --db "$TMP/lap.db"
expect_status 0
expect_out_contains "no keys yet"
[ "$(db_digest "$TMP/lap.db")" = "$before" ] || fail "keys list changed the database"
[ "$(sqlite3 "$TMP/lap.db" 'SELECT count(*) FROM identity')" = 0 ] || fail "keys list made keys"
# Nor does keys backup: there is nothing to back up yet, and it says so.
run "$K" keys backup --db "$TMP/lap.db" --to "$TMP/lap.keys"
expect_status 1
expect_err_contains "$TMP/lap.db has no keys yet, so there is nothing to back up"
expect_err_contains "khaosat keys export --to FILE"
[ ! -e "$TMP/lap.keys" ] || fail "a key backup was written without keys"
[ "$(db_digest "$TMP/lap.db")" = "$before" ] || fail "keys backup changed the database"

# --- 10. The header's interview count is checked against the content.
sed '1,/^$/s/^interviews: 3$/interviews: 7/' "$TMP/lap.kbk" > "$TMP/lie.kbk"
grep -q '^interviews: 7$' "$TMP/lie.kbk" || fail "the test did not alter the header"
run "$K" restore --db "$TMP/lie.db" "$TMP/lie.kbk"
expect_status 1
expect_err_contains "$TMP/lie.kbk: "
expect_err_contains "its header says 7 interviews, the database inside holds 3"
[ ! -e "$TMP/lie.db" ] || fail "a lying backup was restored"

# --- 9. A link given as --db: the file it names is restored, the link stays.
mkdir "$TMP/real"
cp "$TMP/o.db" "$TMP/real/office.db"
ln -s "$TMP/real/office.db" "$TMP/link.db"
run "$K" restore --replace --db "$TMP/link.db" "$TMP/lap.kbk"
expect_status 0
expect_out_contains "$TMP/real/office.db: restored from"
expect_out_contains "($TMP/link.db is a link to it)"
[ -L "$TMP/link.db" ] || fail "the link was replaced by a file"
[ "$(db_digest "$TMP/real/office.db")" = "$(db_digest "$TMP/lap.db")" ] || fail "the linked database was not restored"
ln -s "$TMP/nowhere/x.db" "$TMP/dangling.db"
run "$K" restore --db "$TMP/dangling.db" "$TMP/lap.kbk"
expect_status 1
expect_err_contains "$TMP/dangling.db is a symbolic link to a file that cannot be reached"
[ -L "$TMP/dangling.db" ] && [ ! -e "$TMP/nowhere" ] || fail "a dangling link was written through"

# --- 3. Leftovers of a killed backup or restore are swept (kill -9 at each
# sync, tests/powercut.c without the rebuild: what was written stays).
PC=$(dirname "$KHAOSAT")/../tests/powercut
leftovers() { ls -A "$1" | grep -c '^\.khaosat-' || true; }
if [ -x "$PC" ] && [ -f "$PC.so" ] && ! ldd "$K" 2>/dev/null | grep -q libasan; then
    W=$TMP/w
    # killed N CMD...: run CMD with a kill -9 at sync N; $syncs counted.
    killed() {
        n=$1; shift
        rm -rf "$TMP/st"
        "$PC" init "$W" "$TMP/st"
        env LD_PRELOAD="$PC.so" POWERCUT_DIR="$W" POWERCUT_STATE="$TMP/st" \
            POWERCUT_AT="$n" "$@" >/dev/null 2>&1
        syncs=$(cat "$TMP/st/count" 2>/dev/null || echo 0)
    }
    fresh() { rm -rf "$W"; mkdir -p "$W/stick"; cp "$TMP/o.db" "$W/o.db"; }
    fresh
    killed 0 "$K" backup --db "$W/o.db" --to "$W/stick/b.kbk"
    total=$syncs
    [ "$total" -gt 0 ] || fail "no sync counted: the shim is not working"
    left=0
    at=1
    while [ "$at" -le "$total" ]; do
        fresh
        before=$(db_digest "$W/o.db")
        killed "$at" "$K" backup --db "$W/o.db" --to "$W/stick/b.kbk"
        left=$((left + $(leftovers "$W") + $(leftovers "$W/stick")))
        run "$K" backup --db "$W/o.db" --to "$W/stick/b.kbk"
        expect_status 0
        [ "$(leftovers "$W")" = 0 ] || fail "backup killed at sync $at: left beside the database: $(ls -A "$W")"
        [ "$(leftovers "$W/stick")" = 0 ] || fail "backup killed at sync $at: left on the stick: $(ls -A "$W/stick")"
        [ "$(db_digest "$W/o.db")" = "$before" ] || fail "backup killed at sync $at changed the database"
        at=$((at + 1))
    done
    [ "$left" -gt 0 ] || fail "no kill left anything: the sweep was not tested"
    echo "backup: $total kills, $left leftovers swept"
    fresh
    "$K" backup --db "$W/o.db" --to "$TMP/o2.kbk" >/dev/null 2>&1
    killed 0 "$K" restore --replace --db "$W/o.db" "$TMP/lap.kbk"
    total=$syncs
    left=0
    at=1
    while [ "$at" -le "$total" ]; do
        fresh
        killed "$at" "$K" restore --replace --db "$W/o.db" "$TMP/lap.kbk"
        left=$((left + $(leftovers "$W")))
        [ "$(sqlite3 "$W/o.db" 'PRAGMA integrity_check')" = ok ] || fail "restore killed at sync $at: damaged database"
        # The next open sweeps (a command that only reads).
        run "$K" conflicts --db "$W/o.db"
        expect_status 0
        [ "$(leftovers "$W")" = 0 ] || fail "restore killed at sync $at: left beside the database: $(ls -A "$W")"
        at=$((at + 1))
    done
    [ "$left" -gt 0 ] || fail "no restore kill left anything: the sweep was not tested"
    echo "restore: $total kills, $left leftovers swept"
else
    echo "note: tests/powercut not usable here; the kill -9 part is skipped"
fi

finish
