#!/bin/sh
# Operations: commands that only read never invent a database; each
# refusal names its file and says why in words; form files have a size
# limit.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT

# as_user CMD...: run CMD as an unprivileged user when we are root (root
# reads and writes any file, so permissions could not be tested).
as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}
chmod 755 "$TMP"

# --- A mistyped --db: refused, named with its nearest folder, not made.
cd "$TMP"
for cmd in conflicts duplicates "keys list" "keys backup --to $TMP/k.keys" \
           "verify --db" export "report --forms $FORMS" \
           "csv --forms $FORMS --out $TMP/csvout"; do
    # shellcheck disable=SC2086
    set -- $cmd
    if [ "$1" = verify ]; then
        run "$K" verify --db sub/typo.db "$TMP/none.khb"
    elif [ "$1" = export ]; then
        run "$K" export --db sub/typo.db --to "$TMP"
    else
        run "$K" "$@" --db sub/typo.db
    fi
    expect_status 1
    expect_err_contains "sub/typo.db: there is no database there (the nearest folder that exists is .)"
    [ ! -e sub ] || fail "$cmd created sub/"
done
run "$K" conflicts --db "$TMP/a/b/c.db"
expect_status 1
expect_err_contains "$TMP/a/b/c.db: there is no database there (the nearest folder that exists is $TMP)"
[ ! -e "$TMP/a" ] || fail "conflicts created the folders of a missing database"
# The default database is no different.
run env HOME="$TMP/home" KHAOSAT_DB= XDG_DATA_HOME= "$K" duplicates
expect_status 1
expect_err_contains "$TMP/home/.local/share/khaosat/khaosat.db: there is no database there (the nearest folder that exists is $TMP)"
[ ! -e "$TMP/home" ] || fail "duplicates created the default database"
cd - >/dev/null

# --- The commands that start a database say so, once, on stderr.
run "$K" simulate --db "$TMP/new/laptop.db" --forms "$FORMS" --form household --count 2 --seed 3
expect_status 0
expect_err_contains "created a new database $TMP/new/laptop.db"
[ "$(grep -c 'created a new database' "$TMP/err")" = 1 ] || fail "said it twice"
run "$K" simulate --db "$TMP/new/laptop.db" --forms "$FORMS" --form household --count 1 --seed 4
grep -q "created" "$TMP/err" && fail "an existing database was announced as new"
mkdir "$TMP/usb"
"$K" export --db "$TMP/new/laptop.db" --to "$TMP/usb" >/dev/null 2>&1 || fail "export"
run "$K" merge --db "$TMP/office/office.db" "$TMP/usb"
expect_status 0
expect_err_contains "khaosat merge: created a new database $TMP/office/office.db"
run "$K" keys export --db "$TMP/fresh.db" --to "$TMP/fresh.card"
expect_status 0
expect_err_contains "created a new database $TMP/fresh.db"
O="$TMP/office/office.db"

# --- A folder where the database should be.
mkdir "$TMP/folder.db"
run "$K" conflicts --db "$TMP/folder.db"
expect_status 1
expect_err_contains "$TMP/folder.db is a folder, not a database; give the database file itself with --db"
run "$K" report --forms "$FORMS" --db "$TMP/folder.db"
expect_status 1
expect_err_contains "$TMP/folder.db is a folder, not a database"

# --- A newer khaosat's database: update khaosat, not "upgrade" it.
cp "$O" "$TMP/future.db"
sqlite3 "$TMP/future.db" "PRAGMA user_version = 9"
before=$(db_digest "$TMP/future.db")
run "$K" conflicts --db "$TMP/future.db"
expect_status 1
expect_err_contains "$TMP/future.db was made by a newer khaosat (database schema 9; this khaosat knows up to 7); update khaosat"
run "$K" report --forms "$FORMS" --db "$TMP/future.db"
expect_status 1
expect_err_contains "was made by a newer khaosat (database schema 9; this khaosat knows up to 7); update khaosat"
grep -q "older one" "$TMP/err" && fail "report still advises an older khaosat"
[ "$(db_digest "$TMP/future.db")" = "$before" ] || fail "a newer database was changed"

# --- Read-only database, read-only folder, no permission at all.
if as_user true 2>/dev/null; then
    mkdir "$TMP/ro"
    cp "$O" "$TMP/ro/ro.db"
    chmod 755 "$TMP/ro"
    chmod 444 "$TMP/ro/ro.db"
    before=$(db_digest "$TMP/ro/ro.db")
    run as_user "$K" conflicts --db "$TMP/ro/ro.db"
    expect_status 1
    expect_err_contains "$TMP/ro/ro.db is read-only; khaosat must write to its database"
    grep -q "unable to open" "$TMP/err" && fail "SQLite's words reached the user"
    chmod 644 "$TMP/ro/ro.db"
    chown nobody "$TMP/ro/ro.db" 2>/dev/null
    run as_user "$K" conflicts --db "$TMP/ro/ro.db"
    expect_status 1
    expect_err_contains "the folder $TMP/ro is read-only, and khaosat keeps its journal beside the database"
    chown root "$TMP/ro/ro.db" 2>/dev/null
    chmod 600 "$TMP/ro/ro.db"
    run as_user "$K" duplicates --db "$TMP/ro/ro.db"
    expect_status 1
    expect_err_contains "$TMP/ro/ro.db: permission denied: this user may not read the database"
    run as_user "$K" report --forms "$FORMS" --db "$TMP/ro/ro.db"
    expect_status 1
    expect_err_contains "$TMP/ro/ro.db: permission denied"
    [ "$(db_digest "$TMP/ro/ro.db")" = "$before" ] || fail "a refused database changed"
else
    echo "no unprivileged user: permission cases not run"
fi

# --- Form files over 4 MB are refused before parsing.
mkdir "$TMP/bigforms"
{
    cat "$FORMS/household.yaml"
    printf '# %s\n' "$(head -c 3000000 /dev/zero | tr '\0' 'x')"
    printf '# %s\n' "$(head -c 1200000 /dev/zero | tr '\0' 'y')"
} > "$TMP/bigforms/big.yaml"
run "$K" validate "$TMP/bigforms/big.yaml"
expect_status 1
expect_err_contains "$TMP/bigforms/big.yaml: the form file is larger than 4 MB; khaosat does not read it"
# Just under the limit is read as usual.
head -c 4194000 "$TMP/bigforms/big.yaml" > "$TMP/under.yaml"
printf '\n' >> "$TMP/under.yaml"
run "$K" validate "$TMP/under.yaml"
expect_status 0
grep -q "larger than 4 MB" "$TMP/err" && fail "a form under 4 MB was refused"
# In a forms directory the big form is left out, the others still load.
cp "$FORMS/household.yaml" "$TMP/bigforms/"
run "$K" simulate --db "$TMP/new/laptop.db" --forms "$TMP/bigforms" --form household --count 1
expect_status 0
expect_err_contains "larger than 4 MB"

finish
