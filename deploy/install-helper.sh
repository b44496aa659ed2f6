#!/usr/bin/env bash
# Installs the privileged helper root-owned, with an absolute node path in its first line so sudo's
# secure_path never decides which node runs as root. Run as root from the project directory after `npm run build`.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
node_bin=$(command -v node)
[ -f dist/cowherd-helper ] || { echo "dist/cowherd-helper missing: run npm run build first" >&2; exit 1; }
tmp=$(mktemp)
{ echo "#!${node_bin}"; tail -n +2 dist/cowherd-helper; } > "$tmp"
install -o root -g root -m 0755 "$tmp" /usr/local/sbin/cowherd-helper
rm -f "$tmp"
install -d -o root -g root -m 0755 /etc/cowherd
install -o root -g root -m 0440 deploy/sudoers.d/cowherd /etc/sudoers.d/cowherd
visudo -c -f /etc/sudoers.d/cowherd
echo "installed /usr/local/sbin/cowherd-helper (node: ${node_bin}) and /etc/sudoers.d/cowherd"
[ -f /etc/cowherd/config.json ] || echo "next: write /etc/cowherd/config.json (root-owned, 0644), see README"
