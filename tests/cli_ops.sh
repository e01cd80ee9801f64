#!/bin/sh
# Operations: commands that only read never invent a database; each
# refusal names its file and says why in words; form files have a size
# limit.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing"; exit 77; }
K=$KHAOSAT

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
[ ! -e "$TMP/csvout" ] || fail "csv made its --out folder for a mistyped --db"

# --- A mistyped bundle is blamed, not --db, and nothing is made for it.
run "$K" forms accept --db "$TMP/deep/a/b.db" "$TMP/missing.bundle"
expect_status 1
expect_err_contains "khaosat forms: $TMP/missing.bundle: no such bundle or folder; check the name"
[ ! -e "$TMP/deep" ] || fail "forms accept left folders for a missing bundle"
run "$K" merge --db "$TMP/new.db" /nonexist.khb
expect_status 1
expect_err_contains "khaosat merge: /nonexist.khb: no such bundle or folder; check the name"
grep -q "new.db" "$TMP/err" && fail "merge blamed --db for a missing bundle: $(cat "$TMP/err")"
[ ! -e "$TMP/new.db" ] || fail "merge made a database for a missing bundle"

# --- One interview is one, not "1 interviews"; an empty name says so.
run "$K" simulate --db "$TMP/one.db" --forms "$FORMS" --form household --count 1 --seed 2
expect_out_contains "1 interview of household: 1 complete"
run "$K" backup --db "$TMP/one.db" --to "$TMP/one.kbk"
expect_out_contains "$TMP/one.kbk: 1 interview of $TMP/one.db, checked"
"$K" keys export --db "$TMP/one.db" --role laptop --name "" --commune "" --to "$TMP/noname.card" >/dev/null 2>&1
if [ -e "$TMP/noname.card" ]; then
    "$K" simulate --db "$TMP/two.db" --forms "$FORMS" --form household --count 0 >/dev/null 2>&1
    before=$(db_digest "$TMP/two.db")
    run "$K" keys trust --db "$TMP/two.db" "$TMP/noname.card" </dev/null
    expect_out_contains "Card of the laptop (no name) (no commune)"
    grep -q '""' "$TMP/out" && fail "an empty name shown as \"\": $(cat "$TMP/out")"
    [ "$(db_digest "$TMP/two.db")" = "$before" ] || fail "an unconfirmed card was trusted"
fi

# --- An empty report definition says it is empty.
: >"$TMP/empty.yaml"
run "$K" report --db "$TMP/one.db" --forms "$FORMS" --report "$TMP/empty.yaml"
expect_status 1
expect_err_contains "the report definition is empty"
grep -q "is a mapping" "$TMP/err" && fail "an empty definition was called not a mapping"
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
run "$K" forms accept --db "$TMP/office/office.db" "$TMP"/usb/*.khb
expect_status 0
expect_err_contains "khaosat forms: created a new database $TMP/office/office.db"
run "$K" merge --db "$TMP/office/office.db" "$TMP/usb"
expect_status 0
grep -q "created" "$TMP/err" && fail "an existing database was announced as new"
# ... but not for nothing: a mistyped bundle path starts no office.
run "$K" merge --db "$TMP/office2/office.db" "$TMP/no-such-stick"
expect_status 1
expect_err_contains "khaosat merge: $TMP/no-such-stick: no such bundle or folder; check the name"
[ ! -e "$TMP/office2" ] || fail "merge of nothing started an office"
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
sqlite3 "$TMP/future.db" "PRAGMA user_version = 99"
before=$(db_digest "$TMP/future.db")
run "$K" conflicts --db "$TMP/future.db"
expect_status 1
expect_err_contains "$TMP/future.db was made by a newer khaosat (database schema 99; this khaosat knows up to"
run "$K" report --forms "$FORMS" --db "$TMP/future.db"
expect_status 1
expect_err_contains "was made by a newer khaosat (database schema 99; this khaosat knows up to"
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
    # restore --replace refuses a database made read-only, like the rest.
    mkdir "$TMP/rw"
    chmod 777 "$TMP/rw"
    "$K" simulate --db "$TMP/rw/p.db" --forms "$FORMS" --form household --count 2 --seed 3 >/dev/null 2>&1
    "$K" backup --db "$TMP/rw/p.db" --to "$TMP/rw/p.kbk" >/dev/null 2>&1 || fail "plain backup"
    chmod 644 "$TMP/rw/p.kbk"
    "$K" simulate --db "$TMP/rw/keep.db" --forms "$FORMS" --form household --count 1 --seed 4 >/dev/null 2>&1
    chmod 444 "$TMP/rw/keep.db"
    before=$(db_digest "$TMP/rw/keep.db")
    run as_user "$K" restore --replace --db "$TMP/rw/keep.db" "$TMP/rw/p.kbk"
    expect_status 1
    expect_err_contains "$TMP/rw/keep.db is read-only; khaosat must write to its database"
    [ "$(db_digest "$TMP/rw/keep.db")" = "$before" ] || fail "restore --replace replaced a read-only database"
    ls "$TMP/rw" | grep -q before-restore && fail "a refused restore kept a copy"
    # backup and keys list only read: a read-only database is read.
    "$K" keys export --db "$TMP/rw/keep.db" --to "$TMP/rw/keep.card" >/dev/null 2>&1
    chmod 644 "$TMP/rw/keep.db"
    chmod 444 "$TMP/rw/keep.db"
    before=$(db_digest "$TMP/rw/keep.db")
    run as_user "$K" backup --db "$TMP/rw/keep.db" --to "$TMP/rw/keep.kbk"
    expect_status 0
    expect_out_contains "1 interview of $TMP/rw/keep.db, checked"
    run as_user "$K" keys list --db "$TMP/rw/keep.db"
    expect_status 0
    [ "$(db_digest "$TMP/rw/keep.db")" = "$before" ] || fail "a read of a read-only database changed it"
    # csv into a read-only folder: the same advice as the report.
    chmod 644 "$TMP/rw/p.db"
    run as_user "$K" csv --forms "$FORMS" --db "$TMP/rw/p.db" --out "$TMP/ro/c"
    expect_status 1
    expect_err_contains "cannot create $TMP/ro/c: the folder is read-only for this user"
    expect_err_contains "choose a folder you can write"
    [ ! -e "$TMP/ro/c" ] || fail "csv made a folder where it may not"
else
    echo "no unprivileged user: permission cases not run"
fi

# --- Merge refusals name the bundle, in words; never "not an error".
mkdir "$TMP/usb2"
"$K" simulate --db "$TMP/L.db" --forms "$FORMS" --form household --count 2 --seed 5 >/dev/null 2>&1
"$K" export --db "$TMP/L.db" --to "$TMP/usb2" >/dev/null 2>&1
"$K" forms accept --db "$TMP/O.db" "$TMP"/usb2/*.khb >/dev/null 2>&1
"$K" merge --db "$TMP/O.db" "$TMP/usb2" >/dev/null 2>&1
U=$(sqlite3 "$TMP/O.db" "SELECT uuid FROM interviews ORDER BY uuid LIMIT 1")
sqlite3 "$TMP/O.db" "UPDATE interviews SET form_version = '1999.1' WHERE uuid = '$U'"
"$K" simulate --db "$TMP/L.db" --forms "$FORMS" --form household --count 1 --seed 6 >/dev/null 2>&1
b2=$("$K" export --db "$TMP/L.db" --to "$TMP/usb2" --all 2>/dev/null)
before=$(db_digest "$TMP/O.db")
run "$K" merge --db "$TMP/O.db" "$b2"
expect_status 1
expect_err_contains "khaosat merge: $b2: interview $U is of form household version"
expect_err_contains "but of household version 1999.1 in $TMP/O.db; not merged"
grep -q "not an error" "$TMP/err" && fail "SQLite's 'not an error' reached the user"
[ "$(db_digest "$TMP/O.db")" = "$before" ] || fail "a refused bundle changed the office"
# A damaged office database: named, with what to do.
cp "$TMP/O.db" "$TMP/D.db"
sqlite3 "$TMP/D.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
size=$(stat -c %s "$TMP/D.db")
# The pages of the schema itself stay whole (SQLite would not open it):
# the data is damaged, not the list of tables.
schema_pages=" $(sqlite3 "$TMP/D.db" "SELECT group_concat(pageno, ' ') FROM dbstat WHERE name = 'sqlite_schema'" 2>/dev/null) "
off=8192
while [ $off -lt $((size - 4096)) ]; do
    case "$schema_pages" in
    *" $((off / 4096 + 1)) "*) ;;
    *) printf 'GARBAGEGARBAGE' | dd of="$TMP/D.db" bs=1 seek=$((off + 100)) conv=notrunc 2>/dev/null ;;
    esac
    off=$((off + 4096))
done
"$K" simulate --db "$TMP/L3.db" --forms "$FORMS" --form household --count 2 --seed 9 >/dev/null 2>&1
mkdir "$TMP/usb3"
b3=$("$K" export --db "$TMP/L3.db" --to "$TMP/usb3" 2>/dev/null)
run "$K" merge --db "$TMP/D.db" "$b3"
expect_status 1
expect_err_contains "khaosat merge: $TMP/D.db: "
expect_err_contains "the database is damaged: restore it from a backup (khaosat restore)"
grep -q "not an error" "$TMP/err" && fail "SQLite's 'not an error' reached the user"

# --- Revoked sender without a name on its card: no "(, )".
"$K" keys export --db "$TMP/O.db" --role office --name "UBND xã" --to "$TMP/o.card" >/dev/null 2>&1
"$K" keys trust --db "$TMP/L3.db" "$TMP/o.card" --yes >/dev/null 2>&1
run "$K" keys export --db "$TMP/L3.db" --to "$TMP/l3.card"
expect_status 0
expect_err_contains "card of this laptop written to $TMP/l3.card"
grep -qF "(, )" "$TMP/err" && fail "an empty name printed as (, )"
"$K" keys trust --db "$TMP/O.db" "$TMP/l3.card" --yes >/dev/null 2>&1
# One sender trusted: a plain bundle is refused in the singular.
run "$K" merge --db "$TMP/O.db" "$b3"
expect_status 1
expect_err_contains "$b3: unsigned bundle (not sealed): this database trusts 1 sender's key and takes only its sealed bundles"
"$K" keys trust --db "$TMP/O.db" "$TMP/fresh.card" --yes >/dev/null 2>&1
run "$K" merge --db "$TMP/O.db" "$b3"
expect_status 1
expect_err_contains "this database trusts 2 senders' keys and takes only their sealed bundles"
f3=$(sed -n 's/^fingerprint: //p' "$TMP/l3.card")
"$K" keys revoke --db "$TMP/O.db" "$f3" >/dev/null 2>&1
sealed=$("$K" export --db "$TMP/L3.db" --to "$TMP/usb3" --all 2>/dev/null)
before=$(db_digest "$TMP/O.db")
run "$K" merge --db "$TMP/O.db" "$sealed"
expect_status 1
expect_err_contains "$sealed: sealed by $f3, whose key was revoked on"
grep -qF "(, )" "$TMP/err" && fail "an empty name printed as (, )"
[ "$(db_digest "$TMP/O.db")" = "$before" ] || fail "a refused bundle changed the office"

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

# Folders made for a new database are synced into their parents (their
# names would not survive a power cut otherwise): traced when strace is here.
if command -v strace >/dev/null 2>&1; then
    strace -f -e trace=openat,fsync -o "$TMP/mk.trace" "$K" simulate \
        --db "$TMP/nd/a/b.db" --forms "$FORMS" --form household --count 1 \
        >/dev/null 2>&1
    for parent in "$TMP" "$TMP/nd"; do
        grep -q "\"$parent\", O_RDONLY|O_CLOEXEC|O_DIRECTORY" "$TMP/mk.trace" ||
            fail "the new folder in $parent was never synced"
    done
fi

finish
