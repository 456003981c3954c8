# Sourced by the scripts that start servers on loopback: `port_base N` prints a port P such
# that P … P+N-1 lie below the kernel's ephemeral range and none is bound now.
#
# A port drawn at random from 20000-40000 could be one the kernel had just handed to an
# outgoing connection (the ephemeral range starts at 32768 by default; a load run leaves
# thousands in TIME_WAIT), and the server then failed with "Address already in use".
port_base() {
  local span=${1:-1} low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt $((10000 + span + 100)) ] || low=32768
  local try p q busy
  for try in $(seq 50); do
    p=$((10000 + RANDOM % (low - 10000 - span)))
    busy=0
    if command -v ss >/dev/null; then
      for q in $(seq "$p" $((p + span - 1))); do
        if [ -n "$(ss -Htuan "( sport = :$q )" 2>/dev/null)" ]; then
          busy=1
          break
        fi
      done
    fi
    [ "$busy" = 0 ] && { echo "$p"; return 0; }
  done
  echo "port_base: no $span free ports below $low after 50 tries" >&2
  return 1
}
