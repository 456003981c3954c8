# Sourced by the capture checks: tshark's expert information, read as tshark prints it.
#
# `tshark -q -z expert,warn` prints one section per severity, each headed by its name and
# count ("Errors (2)", "Warns (1)", then "Notes", "Chats", "Comments" with expert,note and
# below), a rule of '=', a column header, and one line per distinct item that starts with its
# frequency: "           1  Malformed           Diameter  Bad Unsigned32 Length (2)".
# A check fails on any item in the Errors or Warns sections.

# expert_problems TSHARK-ARGS…: the Errors and Warns items, one per line ("Warns: 1 Malformed
# Diameter …"); nothing when there are none.
expert_problems() {
  tshark "$@" -q -z expert,warn 2>/dev/null | awk '
    /^(Errors|Warns) \([0-9]+\)$/ { section = $1; next }
    /^[A-Z][a-z]+ \([0-9]+\)$/ { section = ""; next }
    section != "" && /^ *[0-9]+ +[^ ]/ { sub(/^ +/, ""); print section ": " $0 }'
}

# expert_selftest: the parser must find a planted fault, or the capture checks could never
# fail. A Diameter ACR whose Accounting-Record-Number (an Unsigned32) is 2 bytes long, on a
# made-up TCP connection (text2pcap), must come back as a Warns item naming it.
expert_selftest() {
  local dir
  dir=$(mktemp -d /tmp/msrpcharge-expert.XXXXXX)
  python3 - "$dir/acr.hex" <<'PY'
import struct, sys
def avp(code, data):
    n = 8 + len(data)
    return struct.pack('>IBBH', code, 0x40, n >> 16, n & 0xffff) + data + b'\0' * ((4 - n % 4) % 4)
body = avp(263, b'sess;1') + avp(264, b'a.test') + avp(296, b'test') + avp(480, b'\0\0\0\3') + avp(485, b'\0\0')
msg = struct.pack('>IIIII', (1 << 24) | (20 + len(body)), (0x80 << 24) | 271, 3, 1, 1) + body
open(sys.argv[1], 'w').write('0000 ' + ' '.join('%02x' % b for b in msg) + '\n')
PY
  text2pcap -T 40000,3868 "$dir/acr.hex" "$dir/acr.pcap" >/dev/null 2>&1
  local found
  found=$(expert_problems -r "$dir/acr.pcap" -d tcp.port==3868,diameter)
  rm -rf "$dir"
  if ! echo "$found" | grep -Eq "^Warns: 1 +Malformed +Diameter +Bad Unsigned32"; then
    echo "FAILED: the expert parser missed a planted malformed AVP (it read: '${found}')"
    return 1
  fi
  echo "ok: the expert parser finds a planted malformed AVP ($found)"
}
