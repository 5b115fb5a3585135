#!/usr/bin/env bash
# A fleet of "hosts" on this machine for `run --target hosts` (docs/loadgen.md, "Running on your own machines").
#
#   testbed.sh up   STATE N [PREFIX]   N network namespaces PREFIX-h1..hN, each with its own sshd
#   testbed.sh down STATE              removes exactly what `up` created (recorded in STATE), also after a failed `up`
#   testbed.sh check PREFIX            exit 1 and list what is left of PREFIX (namespaces, bridge, sshd)
#
# Each namespace gets a veth pair into a bridge PREFIX-br in the root namespace; the bridge holds 10.200.0.1/24 and
# host i holds 10.200.0.(10+i), so a server's packets carry its host's source address and each host has its own
# firewall, as on separate machines. Only addresses on this machine are used. Each namespace runs Debian's
# /usr/sbin/sshd as root on port 2222 with a host key and a client key generated into STATE; STATE/ssh_config
# names the hosts h1..hN, and STATE/inventory.electionbench and STATE/inventory.zookeeper are inventories of them.
# Needs root, ip (iproute2) and openssh-server.
set -euo pipefail

cmd=${1:?usage: testbed.sh up STATE N [PREFIX] | down STATE | check PREFIX}

die() { echo "testbed: $*" >&2; exit 1; }

up() {
    local state=$1 n=$2 prefix=${3:-ebt}
    [ "$(id -u)" -eq 0 ] || die "needs root (creates network namespaces)"
    command -v ip >/dev/null || die "needs ip (iproute2)"
    [ -x /usr/sbin/sshd ] || die "needs /usr/sbin/sshd (apt-get install openssh-server)"
    [ "$n" -ge 1 ] && [ "$n" -le 9 ] || die "N must be 1..9"
    [ ${#prefix} -le 8 ] || die "PREFIX must be at most 8 characters (interface names)"
    if ip -o addr show | grep -q ' 10\.200\.0\.1/'; then
        die "10.200.0.1 is already assigned here (another testbed up? testbed.sh down its STATE first)"
    fi
    mkdir -p "$state"
    state=$(cd "$state" && pwd)
    echo "$prefix" > "$state/prefix"
    : > "$state/created"
    mkdir -p /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$state/host_key" <<< y >/dev/null
    ssh-keygen -q -t ed25519 -N '' -f "$state/client_key" <<< y >/dev/null
    cp "$state/client_key.pub" "$state/authorized_keys"
    chmod 600 "$state/client_key" "$state/host_key" "$state/authorized_keys"
    ip link add "$prefix-br" type bridge
    echo "link $prefix-br" >> "$state/created"
    ip addr add 10.200.0.1/24 dev "$prefix-br"
    ip link set "$prefix-br" up
    : > "$state/known_hosts"
    : > "$state/ssh_config"
    for i in $(seq 1 "$n"); do
        local ns="$prefix-h$i" addr="10.200.0.$((10 + i))"
        ip netns add "$ns"
        echo "netns $ns" >> "$state/created"
        ip link add "$prefix-v$i" type veth peer name eth0 netns "$ns"
        echo "link $prefix-v$i" >> "$state/created"
        ip link set "$prefix-v$i" master "$prefix-br" up
        ip -n "$ns" addr add "$addr/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set lo up
        ip -n "$ns" route add default via 10.200.0.1
        cat > "$state/sshd-h$i.conf" <<EOF
Port 2222
ListenAddress $addr
HostKey $state/host_key
AuthorizedKeysFile $state/authorized_keys
PidFile $state/sshd-h$i.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxSessions 64
MaxStartups 64
Subsystem sftp internal-sftp
EOF
        ip netns exec "$ns" /usr/sbin/sshd -f "$state/sshd-h$i.conf" -E "$state/sshd-h$i.log"
        echo "sshd $state/sshd-h$i.pid" >> "$state/created"
        echo "[$addr]:2222 $(cat "$state/host_key.pub")" >> "$state/known_hosts"
        cat >> "$state/ssh_config" <<EOF
Host h$i
    HostName $addr
    Port 2222
    User root
    IdentityFile $state/client_key
    IdentitiesOnly yes
    UserKnownHostsFile $state/known_hosts
    StrictHostKeyChecking yes
    BatchMode yes

EOF
    done
    for what in electionbench zookeeper; do
        local runs=$what
        [ "$what" = zookeeper ] && runs="zookeeper 3.9.5"
        {
            echo "# $n hosts of the testbed in $state"
            echo "runs = $runs"
            echo "ssh.config = $state/ssh_config"
            echo "heap = 64m"
            for i in $(seq 1 "$n"); do
                echo "server.$i = 10.200.0.$((10 + i))"
                echo "server.$i.ssh = h$i"
                echo "server.$i.dir = $state/h$i"
            done
        } > "$state/inventory.$what"
    done
    # sshd forks into the background before it listens; wait (bounded) until every one answers.
    for i in $(seq 1 "$n"); do
        local ok=0
        for _ in $(seq 1 100); do
            if ssh -F "$state/ssh_config" -o ConnectTimeout=2 "h$i" true 2>/dev/null; then ok=1; break; fi
            sleep 0.05
        done
        [ "$ok" -eq 1 ] || die "sshd in $prefix-h$i does not answer; see $state/sshd-h$i.log"
    done
}

down() {
    local state=$1
    [ -f "$state/created" ] || return 0
    local rc=0
    # Reverse order: sshd before its namespace, namespaces before the bridge.
    tac "$state/created" | while read -r kind what; do
        case "$kind" in
            sshd)
                if [ -f "$what" ]; then
                    local pid
                    pid=$(cat "$what")
                    if grep -q sshd "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" || true; fi
                    rm -f "$what"
                fi ;;
            netns)
                # Whatever still runs in the namespace was started there by a test: kill it with the namespace.
                for pid in $(ip netns pids "$what" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
                ip netns del "$what" 2>/dev/null || true ;;
            link) ip link del "$what" 2>/dev/null || true ;;
        esac
    done || rc=$?
    rm -f "$state/created"
    return $rc
}

check() {
    local prefix=$1 left=""
    left+=$(ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 {print "netns " $1}')
    left+=$(ip -o link show | awk -F': ' -v p="$prefix-" 'index($2, p) == 1 {print "link " $2}')
    # A namespace's veth goes with the namespace, asynchronously: look again for up to 5 s before calling it left.
    for _ in $(seq 1 50); do
        [ -z "$left" ] && break
        sleep 0.1
        left=$(ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 {print "netns " $1}')
        left+=$(ip -o link show | awk -F': ' -v p="$prefix-" 'index($2, p) == 1 {print "link " $2}')
    done
    if [ -n "$left" ]; then
        echo "$left"
        return 1
    fi
}

case "$cmd" in
    up) up "${2:?STATE}" "${3:?N}" "${4:-ebt}" ;;
    down) down "${2:?STATE}" ;;
    check) check "${2:?PREFIX}" ;;
    *) die "unknown command $cmd" ;;
esac
