#!/usr/bin/env bash
# demo.sh — the README's first command: install what is needed, build madoguchi, and run it
# once on the bundled demo (config/demo/): two Maildirs of Japanese support mail, SQLite in
# demo-out/store, acknowledgements written as .eml files to demo-out/sent/. Prints a table
# of what was done. Re-runnable: demo-out/ is recreated each time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target madoguchi

out="$root/demo-out"
rm -rf "$out"
for box in passlogic reseller; do
  mkdir -p "$out/Maildir/$box/"{new,cur,tmp}
  for f in config/demo/mail/$box/*.eml; do
    dest="$out/Maildir/$box/new/$(basename "$f" .eml).demo"
    cp "$f" "$dest"
    # The file's time is the arrival time: take it from the mail's Date header.
    touch -d "$(sed -n 's/^Date: //p' "$f" | head -n1 | tr -d '\r')" "$dest"
  done
done

./build/madoguchi check --config config/demo/madoguchi.yaml || true
./build/madoguchi run --once --summary --config config/demo/madoguchi.yaml 2>"$out/madoguchi.log"
echo
echo "outgoing mail (written as .eml to $out/sent/):"
sqlite3 -column -header "$out/store/madoguchi.db" \
  "SELECT o.id, COALESCE(t.number, '-') AS ticket, o.kind, o.template, o.recipient, o.state
     FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id ORDER BY o.id"
echo
echo "log: $out/madoguchi.log   store: $out/store/madoguchi.db"
echo "read one: ./build/madoguchi parse $out/sent/<file>.eml   tickets: ./build/madoguchi ticket list --config config/demo/madoguchi.yaml"
