#!/bin/sh
# bench_rss.sh: resident memory of the interview screen with the largest
# bundled form open, read from /proc while it runs in tmux.
set -u
command -v tmux >/dev/null 2>&1 || { echo "rss: tmux missing, skipped"; exit 0; }
tmp=$(mktemp -d)
sock="khaosat-bench-$$"
largest=$(ls -S "$FORMS"/*.yaml | head -n 1)
id=$(sed -n 's/^  id: *//p' "$largest" | head -n 1)
tmux -L "$sock" new-session -d -x 100 -y 30 \
    "env LANG=C.UTF-8 $KHAOSAT --db $tmp/db --forms $FORMS; sleep 5"
# First run asks who the enumerator is, then the home screen lists forms.
sleep 1
tmux -L "$sock" send-keys "Bench" Enter "Xa" Enter
sleep 1
# Walk down to the largest form and start an interview of it.
i=0
while [ $i -lt 10 ]; do
    tmux -L "$sock" capture-pane -p | grep -q "$id" && break
    i=$((i + 1)); sleep 0.3
done
pid=$(pgrep -n -f "$KHAOSAT --db $tmp/db")
for form in $(ls "$FORMS"/*.yaml | sort); do :; done
tmux -L "$sock" send-keys Enter
sleep 1
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
echo "interview screen RSS with a form open ($(basename "$largest")): ${rss:-?} kB now, ${hwm:-?} kB peak (goal < 16384 kB)"
tmux -L "$sock" kill-server 2>/dev/null
rm -rf "$tmp"
