#!/bin/sh
# check_readmes.sh: the READMEs say what is in the tree, so that a newcomer
# can go by them. Each problem is printed as FILE: what.
#   - every folder of src/ is a row of README.md's table (`src/NAME/`), and
#     every src/ row of that table is a folder;
#   - every folder of src/ has a README.md that names each of its source
#     files: by name (`store_keys.c`), by module (`store_keys`), or by a
#     pattern in backquotes (`expr_*`, `merge*.c`); a header goes with its
#     source file (`revision.c` names revision.h);
#   - and names no file that is not there (a word in backquotes ending in
#     .c or .h).
set -u
top=${SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
bad=0
problem() {
    echo "$1: $2"
    bad=$((bad + 1))
}

# The words in backquotes of a file, one a line.
quoted() { grep -o '`[^`]*`' "$1" | tr -d '`'; }

rows=$(grep -o '^| `src/[a-z_]*/`' README.md | sed 's/^| `src\///; s/\/`$//')
for d in src/*/; do
    d=${d%/}
    name=${d#src/}
    echo "$rows" | grep -qx "$name" ||
        problem README.md "no row for $d/ in the table of what is here"
done
for name in $rows; do
    [ -d "src/$name" ] || problem README.md "the table names src/$name/, which does not exist"
done

for d in src/*/; do
    d=${d%/}
    readme="$d/README.md"
    if [ ! -f "$readme" ]; then
        problem "$readme" "missing"
        continue
    fi
    words=$(quoted "$readme")
    for f in "$d"/*.c "$d"/*.h; do
        [ -e "$f" ] || continue
        file=${f##*/}
        stem=${file%.*}
        found=0
        for w in $words; do
            w=${w#"$(basename "$d")/"}
            # shellcheck disable=SC2254 # w is a pattern on purpose
            case $file in $w) found=1 ;; esac
            case $stem in $w) found=1 ;; esac
            # A header goes with its source file.
            case $file in *.h) case $stem.c in $w) found=1 ;; esac ;; esac
            [ $found = 1 ] && break
        done
        [ $found = 1 ] || problem "$readme" "does not name $file"
    done
    for w in $words; do
        case $w in
        *'*'*|*/*) ;;
        *.c|*.h) [ -e "$d/$w" ] || problem "$readme" "names $w, which is not in $d" ;;
        esac
    done
done
[ "$bad" -eq 0 ] && echo "READMEs match the tree"
[ "$bad" -eq 0 ]
