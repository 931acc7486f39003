#!/usr/bin/env bash
# Test NETCONF devices: yuma123 netconfd behind its own sshd on 127.0.0.1.
# The first port runs --target=candidate, the second --target=running.
# See ../shared/notes/netconfd.md for the pitfalls this script works around.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: scripts/netconf-devices.sh up|down|status [--dir DIR] [--ports P1,P2] [--user NAME]
  up      install if missing, create the login user, start both devices, wait for their hello
  down    stop both devices
  status  exit 0 when every device answers a hello, 3 otherwise
defaults: --dir /tmp/cnsdn-netconf --ports 8830,8831 --user cnsdn-netconf
EOF
  exit 2
}

[[ $# -ge 1 ]] || usage
cmd=$1
shift
dir=/tmp/cnsdn-netconf
ports=8830,8831
user=cnsdn-netconf
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) [[ $# -ge 2 ]] || usage; dir=$2; shift 2 ;;
    --ports) [[ $# -ge 2 ]] || usage; ports=$2; shift 2 ;;
    --user) [[ $# -ge 2 ]] || usage; user=$2; shift 2 ;;
    *) usage ;;
  esac
done
case $cmd in up | down | status) ;; *) usage ;; esac
[[ $ports =~ ^[0-9]+,[0-9]+$ ]] || { echo "--ports takes two ports: P1,P2" >&2; exit 2; }
[[ $user =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] || { echo "--user: not a valid user name: $user" >&2; exit 2; }
[[ $cmd != up ]] || mkdir -p "$dir"
[[ ! -d $dir ]] || dir=$(cd "$dir" && pwd)
IFS=, read -r port_candidate port_running <<<"$ports"
PORTS=("$port_candidate" "$port_running")
declare -A TARGET=(["$port_candidate"]=candidate ["$port_running"]=running)
READY_SECONDS=${CNSDN_NETCONF_READY_SECONDS:-20}

NETCONFD=/usr/sbin/netconfd
[[ -x $NETCONFD ]] || NETCONFD=/usr/bin/netconfd
SSHD=/usr/sbin/sshd
SUBSYSTEM=/usr/sbin/netconf-subsystem

alive() { # pid: running and not a zombie
  local state
  [[ -n ${1:-} && -r /proc/$1/status ]] || return 1
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

pid_of() { # file
  [[ -s $1 ]] && tr -dc '0-9' <"$1" || true
}

stop_pid() { # pidfile name
  local pid
  pid=$(pid_of "$1")
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      echo "$2 (pid $pid) ignored SIGTERM for 5 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do alive "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$1"
}

install_packages() {
  local pkgs=(netconfd netconfd-module-ietf-interfaces netconfd-module-ietf-system openssh-server)
  if [[ -x $NETCONFD || -x /usr/bin/netconfd ]] && [[ -x $SSHD && -x $SUBSYSTEM ]] &&
    [[ -e /usr/share/yuma/modules/ietf/ietf-interfaces.yang || -n $(find /usr/lib -name 'libietf-interfaces*' -print -quit 2>/dev/null) ]] &&
    command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; then
    return 0
  fi
  echo "installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${pkgs[@]}" >"$dir/apt.log" 2>&1; then
    apt-get update >>"$dir/apt.log" 2>&1
    apt-get install -y --no-install-recommends "${pkgs[@]}" >>"$dir/apt.log" 2>&1 ||
      { echo "package install failed, see $dir/apt.log" >&2; tail -n 20 "$dir/apt.log" >&2; exit 1; }
  fi
  NETCONFD=/usr/sbin/netconfd
  [[ -x $NETCONFD ]] || NETCONFD=/usr/bin/netconfd
}

ensure_user() {
  local pwfile=$dir/password
  if ! id -u "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/sh "$user"
  fi
  if [[ ! -s $pwfile ]]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '\n=' | tr '+/' 'xy' >"$pwfile")
  fi
  chmod 600 "$pwfile"
  printf '%s:%s\n' "$user" "$(cat "$pwfile")" | chpasswd
  echo "password of NETCONF user $user: $pwfile (mode 600)"
}

ensure_keys() {
  if [[ ! -s $dir/client_ed25519 ]]; then
    rm -f "$dir/client_ed25519" "$dir/client_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C "cnsdn-netconf-test" -f "$dir/client_ed25519"
  fi
  chmod 600 "$dir/client_ed25519"
  # In the user's home, not in DIR: sshd reads it as the user, who may not traverse DIR.
  local home
  home=$(getent passwd "$user" | cut -d: -f6)
  install -d -m 700 -o "$user" -g "$(id -gn "$user")" "$home" "$home/.ssh"
  install -m 600 -o "$user" -g "$(id -gn "$user")" "$dir/client_ed25519.pub" "$home/.ssh/authorized_keys"
  : >"$dir/known_hosts.tmp"
  local port host_key
  for port in "${PORTS[@]}"; do
    mkdir -p "$dir/$port"
    host_key=$dir/$port/ssh_host_ed25519_key
    [[ -s $host_key ]] || { rm -f "$host_key" "$host_key.pub"; ssh-keygen -q -t ed25519 -N '' -C "" -f "$host_key"; }
    chmod 600 "$host_key"
    printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$host_key.pub")" >>"$dir/known_hosts.tmp"
  done
  mv "$dir/known_hosts.tmp" "$dir/known_hosts"
}

write_helper() {
  # Debian's ietf-interfaces module shells out to this helper, which the package lacks.
  mkdir -p "$dir/bin"
  printf '#!/bin/sh\nexit 0\n' >"$dir/bin/get-interface-ipv4"
  chmod 755 "$dir/bin/get-interface-ipv4"
}

write_sshd_config() { # port socket: a running sshd keeps its old config, so it is restarted on a change
  cat >"$dir/$1/sshd_config.new" <<EOF
Port $1
ListenAddress 127.0.0.1
HostKey $dir/$1/ssh_host_ed25519_key
PidFile $dir/$1/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin no
AllowUsers $user
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
MaxStartups 200:30:400
MaxAuthTries 3
Subsystem netconf $SUBSYSTEM --ncxserver-sockname=$1@$2
EOF
  if cmp -s "$dir/$1/sshd_config.new" "$dir/$1/sshd_config"; then
    rm -f "$dir/$1/sshd_config.new"
  else
    stop_pid "$dir/$1/sshd.pid" "sshd on $1"
    mv "$dir/$1/sshd_config.new" "$dir/$1/sshd_config"
  fi
}

read_until() { # fd marker: reads from fd until the text read ends with marker (5 s per read)
  local part
  reply=''
  while IFS= read -r -t 5 -d '>' -u "$1" part 2>/dev/null; do
    reply+="$part>"
    [[ $reply == *"$2" ]] && return 0
  done
  return 1
}

hello_ok() { # port
  local hello='<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability><capability>urn:ietf:params:netconf:base:1.1</capability></capabilities></hello>]]>]]>'
  local bye='<rpc message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><close-session/></rpc>'
  local ok=1 reply
  coproc NC { exec timeout 5 ssh -q -T -s -p "$1" -i "$dir/client_ed25519" \
    -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$dir/known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o ConnectTimeout=3 "$user@127.0.0.1" netconf 2>/dev/null; }
  local in=${NC[1]} out=${NC[0]} pid=$NC_PID
  # netconfd drops what follows its hello in the same read: send the RPC only after its hello.
  if printf '%s' "$hello" >&"$in" 2>/dev/null && read_until "$out" ']]>]]>' &&
    [[ $reply == *"<session-id>"* && $reply == *"urn:ietf:params:netconf:base:1.1"* ]] &&
    printf '\n#%d\n%s\n##\n' "${#bye}" "$bye" >&"$in" 2>/dev/null && read_until "$out" '</rpc-reply>' &&
    [[ $reply == *"<ok/>"* ]]; then
    ok=0
  fi
  { exec {in}>&- {out}<&-; } 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return $ok
}

start_device() { # port
  local port=$1 state=$dir/$1 sock=$dir/$1/ncxserver.sock
  (( ${#sock} < 108 )) || { echo "unix socket path too long (${#sock} >= 108): $sock; use a shorter --dir" >&2; exit 1; }
  mkdir -p "$state" /run/sshd
  write_sshd_config "$port" "$sock"
  if ! alive "$(pid_of "$state/netconfd.pid")"; then
    rm -f "$sock" "$state/netconfd.pid"
    mkdir -p "$state/home"
    # Started from its state directory: netconfd writes backup-cfg.xml into its cwd on commit.
    (cd "$state" && exec env HOME="$state/home" PATH="$dir/bin:$PATH" setsid "$NETCONFD" \
      --module=ietf-interfaces --module=ietf-system --no-startup \
      --superuser="$user" --port="$port" --ncxserver-sockname="$sock" \
      --target="${TARGET[$port]}" --home="$state/home" \
      --log="$state/netconfd.log" </dev/null >"$state/netconfd.out" 2>&1) &
    echo $! >"$state/netconfd.pid"
  fi
  local deadline=$((SECONDS + READY_SECONDS))
  until [[ -S $sock ]]; do
    alive "$(pid_of "$state/netconfd.pid")" || { echo "netconfd on $port exited; see $state/netconfd.log" >&2; tail -n 20 "$state/netconfd.log" "$state/netconfd.out" >&2 || true; exit 1; }
    (( SECONDS < deadline )) || { echo "netconfd on $port: no socket after ${READY_SECONDS} s" >&2; exit 1; }
    sleep 0.1
  done
  if ! alive "$(pid_of "$state/sshd.pid")"; then
    rm -f "$state/sshd.pid"
    "$SSHD" -t -f "$state/sshd_config"
    (exec setsid "$SSHD" -D -f "$state/sshd_config" -E "$state/sshd.log" </dev/null >/dev/null 2>&1) &
    echo $! >"$state/sshd.pid"
  fi
}

wait_ready() { # port
  local port=$1 deadline=$((SECONDS + READY_SECONDS))
  until hello_ok "$port"; do
    if (( SECONDS >= deadline )); then
      echo "netconf device 127.0.0.1:$port did not answer a hello within ${READY_SECONDS} s" >&2
      tail -n 20 "$dir/$port/netconfd.log" "$dir/$port/sshd.log" >&2 || true
      exit 1
    fi
    for pidfile in "$dir/$port/netconfd.pid" "$dir/$port/sshd.pid"; do
      alive "$(pid_of "$pidfile")" || { echo "$(basename "$pidfile" .pid) on $port died" >&2; tail -n 20 "$dir/$port/netconfd.log" "$dir/$port/sshd.log" >&2 || true; exit 1; }
    done
    sleep 0.2
  done
  echo "netconf device 127.0.0.1:$port ready (${TARGET[$port]})"
}

write_env() {
  (umask 077 && cat >"$dir/env" <<EOF
CNSDN_TEST_NETCONF_HOST=127.0.0.1
CNSDN_TEST_NETCONF_PORTS=$port_candidate,$port_running
CNSDN_TEST_NETCONF_USER=$user
CNSDN_TEST_NETCONF_PASSWORD=$(cat "$dir/password")
CNSDN_TEST_NETCONF_KEY=$dir/client_ed25519
CNSDN_TEST_NETCONF_KNOWN_HOSTS=$dir/known_hosts
EOF
  )
  chmod 600 "$dir/env"
  echo "test settings: $dir/env"
}

cmd_up() {
  [[ $(id -u) -eq 0 ]] || { echo "up needs root (it installs packages, adds a user, starts sshd)" >&2; exit 1; }
  install_packages
  # netconf-subsystem runs as the login user and must reach the unix sockets under DIR.
  chmod 711 "$dir"
  ensure_user
  ensure_keys
  write_helper
  local port
  for port in "${PORTS[@]}"; do start_device "$port"; done
  for port in "${PORTS[@]}"; do wait_ready "$port"; done
  write_env
}

cmd_down() {
  local port
  for port in "${PORTS[@]}"; do
    [[ -d $dir/$port ]] || continue
    stop_pid "$dir/$port/sshd.pid" "sshd on $port"
    stop_pid "$dir/$port/netconfd.pid" "netconfd on $port"
    rm -f "$dir/$port/ncxserver.sock"
    echo "netconf device 127.0.0.1:$port stopped"
  done
}

cmd_status() {
  local port rc=0 n s
  for port in "${PORTS[@]}"; do
    n=down s=down
    alive "$(pid_of "$dir/$port/netconfd.pid")" && n="pid $(pid_of "$dir/$port/netconfd.pid")"
    alive "$(pid_of "$dir/$port/sshd.pid")" && s="pid $(pid_of "$dir/$port/sshd.pid")"
    # A loaded machine can miss one hello's 5 s deadline: a device counts as not ready after three misses.
    if [[ $n != down && $s != down && -s $dir/client_ed25519 ]] && { hello_ok "$port" || { sleep 1 && hello_ok "$port"; } || { sleep 1 && hello_ok "$port"; }; }; then
      echo "netconf device 127.0.0.1:$port ready (${TARGET[$port]}) netconfd $n, sshd $s"
    else
      echo "netconf device 127.0.0.1:$port not ready (${TARGET[$port]}) netconfd $n, sshd $s"
      rc=3
    fi
  done
  return $rc
}

"cmd_$cmd"
