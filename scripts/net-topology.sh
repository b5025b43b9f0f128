#!/usr/bin/env bash
# A small network of Linux namespaces for real-network tests (root only):
#
#   client ns ──veth── router ns ──veth── server ns
#   192.168.77.2   .1 |            | .1   10.77.0.2
#                     tbf/htb shaping (router → client: the downlink), nftables firewall and NAT
#
#   scripts/net-topology.sh up TAG [options]     create TAG's namespaces (prints their names)
#   scripts/net-topology.sh shape TAG RATE       set the downlink to RATE (e.g. 8mbit); 'none' removes it
#   scripts/net-topology.sh down TAG             remove them (idempotent)
#   ip netns exec "$(scripts/net-topology.sh ns TAG client)" CMD…   run CMD in the client namespace
#
# Options of `up`:
#   --shape RATE       downlink rate (tbf: burst 64kb, queue 1000 ms); e.g. 20mbit
#   --shaper tbf|htb   qdisc for --shape/shape (default tbf)
#   --nat              the server sits behind a 1:1 NAT at the public address 203.0.113.10 that forwards
#                      only --forward-tcp and --forward-udp to it, and the client behind a home NAT
#                      (masquerade to 198.51.100.7) that lets nothing in unasked; the client reaches the
#                      server only at 203.0.113.10
#   --forward-tcp LIST --forward-udp LIST   ports the 1:1 NAT forwards (nft syntax: 8080 or 50000-50019, comma-separated)
#   --block-udp        the router drops every UDP packet between client and server
#   --allow-tcp LIST   the router passes only these TCP destination ports from client to server (and
#                      their replies): a strict firewall (with --block-udp: only TURN over TCP gets through)
# Addresses are from the documentation ranges and private ranges; nothing leaves the namespaces.
# Namespaces are named dcnet-TAG-{client,router,server}: pick a TAG unique to your run (e.g. with $$).
set -euo pipefail

CLIENT_IP=192.168.77.2 CLIENT_GW=192.168.77.1 SERVER_IP=10.77.0.2 SERVER_GW=10.77.0.1
PUBLIC_SERVER_IP=203.0.113.10 PUBLIC_CLIENT_IP=198.51.100.7

die() { echo "net-topology.sh: $*" >&2; exit 2; }
ns() { echo "dcnet-$1-$2"; }

shape() {
  local tag=$1 rate=$2 shaper=${3:-tbf} r
  r=$(ns "$tag" router)
  if [[ $rate == none ]]; then
    tc -n "$r" qdisc del dev to-client root 2>/dev/null || true
    return
  fi
  case $shaper in
    # burst 64 KiB lets a 10 Gbit/s veth hand over GSO-sized packets; the 1000 ms queue is a
    # bloated home router's buffer, where stale results pile up unless delivery is paced.
    tbf) tc -n "$r" qdisc replace dev to-client root tbf rate "$rate" burst 64kb latency 1000ms ;;
    htb)
      if tc -n "$r" qdisc show dev to-client | grep -q '^qdisc htb 1:'; then
        tc -n "$r" class change dev to-client parent 1: classid 1:10 htb rate "$rate" ceil "$rate" burst 64kb
      else
        tc -n "$r" qdisc replace dev to-client root handle 1: htb default 10
        tc -n "$r" class add dev to-client parent 1: classid 1:10 htb rate "$rate" ceil "$rate" burst 64kb
      fi ;;
    *) die "--shaper must be tbf or htb" ;;
  esac
}

up() {
  local tag=$1; shift
  local rate="" shaper=tbf nat=0 fwd_tcp="" fwd_udp="" block_udp=0 allow_tcp=""
  while (($#)); do
    case $1 in
      --shape) rate=${2:?}; shift 2 ;;
      --shaper) shaper=${2:?}; shift 2 ;;
      --nat) nat=1; shift ;;
      --forward-tcp) fwd_tcp=${2:?}; shift 2 ;;
      --forward-udp) fwd_udp=${2:?}; shift 2 ;;
      --block-udp) block_udp=1; shift ;;
      --allow-tcp) allow_tcp=${2:?}; shift 2 ;;
      *) die "unknown option '$1'" ;;
    esac
  done
  [[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
  command -v nft >/dev/null || die "needs nftables (apt-get install nftables)"
  local c s r
  c=$(ns "$tag" client) s=$(ns "$tag" server) r=$(ns "$tag" router)
  for n in "$c" "$r" "$s"; do
    [[ ! -e /run/netns/$n ]] || die "namespace $n exists: run 'down $tag' first or pick another TAG"
  done
  ip netns add "$c"; ip netns add "$r"; ip netns add "$s"
  # Both ends are created inside the namespaces: no interface name ever exists in the root namespace.
  ip link add eth0 netns "$c" type veth peer name to-client netns "$r"
  ip link add eth0 netns "$s" type veth peer name to-server netns "$r"
  for n in "$c" "$r" "$s"; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$n" link set lo up
  done
  ip -n "$c" addr add "$CLIENT_IP/24" dev eth0; ip -n "$c" link set eth0 up
  ip -n "$s" addr add "$SERVER_IP/24" dev eth0; ip -n "$s" link set eth0 up
  ip -n "$r" addr add "$CLIENT_GW/24" dev to-client; ip -n "$r" link set to-client up
  ip -n "$r" addr add "$SERVER_GW/24" dev to-server; ip -n "$r" link set to-server up
  ip -n "$c" route add default via "$CLIENT_GW"
  ip -n "$s" route add default via "$SERVER_GW"
  ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1

  local rules="table inet dcnet {
  chain forward {
    type filter hook forward priority filter; policy accept;
    ct state established,related accept"
  if ((block_udp)); then
    rules+="
    meta l4proto udp drop"
  fi
  if [[ -n $allow_tcp ]]; then
    rules+="
    iifname \"to-client\" tcp dport != { $allow_tcp } drop
    iifname \"to-client\" meta l4proto != tcp drop"
  fi
  if ((nat)); then
    rules+="
    iifname \"to-client\" ct status dnat accept
    iifname \"to-client\" drop
    iifname \"to-server\" oifname \"to-client\" drop"
  fi
  rules+="
  }
}"
  if ((nat)); then
    rules+="
table ip dcnat {
  chain prerouting {
    type nat hook prerouting priority dstnat;"
    [[ -n $fwd_tcp ]] && rules+="
    iifname \"to-client\" ip daddr $PUBLIC_SERVER_IP tcp dport { $fwd_tcp } dnat to $SERVER_IP"
    [[ -n $fwd_udp ]] && rules+="
    iifname \"to-client\" ip daddr $PUBLIC_SERVER_IP udp dport { $fwd_udp } dnat to $SERVER_IP"
    rules+="
  }
  chain postrouting {
    type nat hook postrouting priority srcnat;
    oifname \"to-server\" ip saddr $CLIENT_IP snat to $PUBLIC_CLIENT_IP
    oifname \"to-client\" ip saddr $SERVER_IP snat to $PUBLIC_SERVER_IP
  }
}"
  fi
  ip netns exec "$r" nft -f - <<<"$rules"
  if [[ -n $rate ]]; then shape "$tag" "$rate" "$shaper"; fi
  echo "client=$c router=$r server=$s"
}

down() {
  local tag=$1
  for role in client server router; do
    local n
    n=$(ns "$tag" "$role")
    if [[ -e /run/netns/$n ]]; then
      # Anything still running in it would keep its interfaces alive: end it first.
      local pids
      pids=$(ip netns pids "$n" 2>/dev/null || true)
      [[ -z $pids ]] || kill $pids 2>/dev/null || true
      ip netns del "$n"
    fi
  done
}

cmd=${1:-}; shift || true
case $cmd in
  up) [[ $# -ge 1 ]] || die "up TAG [options]"; up "$@" ;;
  down) [[ $# -eq 1 ]] || die "down TAG"; down "$1" ;;
  shape) [[ $# -ge 2 ]] || die "shape TAG RATE [tbf|htb]"; shape "$@" ;;
  ns) [[ $# -eq 2 ]] || die "ns TAG client|router|server"; ns "$1" "$2" ;;
  addr) case ${1:-} in
          client) echo $CLIENT_IP ;; server) echo $SERVER_IP ;; public-server) echo $PUBLIC_SERVER_IP ;;
          *) die "addr client|server|public-server" ;;
        esac ;;
  -h|--help|"") sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (up, shape, down, ns, addr)" ;;
esac
