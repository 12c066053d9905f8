# Network namespaces that model separate hosts for the benchmarks: one namespace per node
# (cfsb-NAME) with its own address 10.231.0.X/24 on a veth whose other end sits on a bridge
# in a namespace of its own (cfsb-switch), so nothing touches the host's network. Programs
# enter only the network namespace (nsenter --net), so a FUSE mount made there is visible to
# the whole machine. Source it; needs root and iproute2. The name -> address table is kept
# in $BENCH_DATA/netns.map.
NETNS_MAP=${BENCH_DATA:-/var/tmp/combfs-bench}/netns.map

# netns_up NAME... — one namespace per name, all on one bridge.
netns_up() {
  netns_down
  mkdir -p "$(dirname "$NETNS_MAP")"
  : > "$NETNS_MAP"
  ip netns add cfsb-switch || return 1
  ip -n cfsb-switch link add br0 type bridge && ip -n cfsb-switch link set br0 up || return 1
  local i=1 name
  for name in "$@"; do
    ip netns add "cfsb-$name" || return 1
    # The switch end is created in the switch namespace, the node end is moved to its node.
    ip -n cfsb-switch link add "p$i" type veth peer name eth0 netns "cfsb-$name" || return 1
    ip -n cfsb-switch link set "p$i" master br0 up || return 1
    ip -n "cfsb-$name" addr add "10.231.0.$((i + 1))/24" dev eth0 || return 1
    ip -n "cfsb-$name" link set eth0 up && ip -n "cfsb-$name" link set lo up || return 1
    echo "$name 10.231.0.$((i + 1))" >> "$NETNS_MAP"
    i=$((i + 1))
  done
}

# netns_addr NAME — the node's address.
netns_addr() { awk -v n="$1" '$1 == n { print $2 }' "$NETNS_MAP"; }

# netns_run NAME — the command prefix that runs a program in the node's network namespace.
netns_run() { echo "nsenter --net=/run/netns/cfsb-$1"; }

# netns_down — removes every cfsb-* namespace (their veths go with them).
netns_down() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^cfsb-/ { print $1 }'); do ip netns del "$ns"; done
  rm -f "$NETNS_MAP"
}
