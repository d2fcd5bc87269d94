package safehttp

import (
	"fmt"
	"net/netip"
	"syscall"
)

// rangeRule names a range of addresses that is not public. never marks the
// ranges no configuration may reach (nothing legitimate listens there).
type rangeRule struct {
	prefix netip.Prefix
	reason string
	never  bool
}

func rules(never bool, reason string, prefixes ...string) []rangeRule {
	out := make([]rangeRule, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, rangeRule{prefix: netip.MustParsePrefix(p), reason: reason, never: never})
	}
	return out
}

func concat(groups ...[]rangeRule) []rangeRule {
	var out []rangeRule
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Non-public IPv4 ranges, from the IANA special-purpose registry. The few
// globally reachable special blocks (AS112, AMT) are no web servers either,
// but they are public, so they stay allowed.
var v4Rules = concat(
	rules(true, "broadcast", "255.255.255.255/32"),
	rules(true, "unspecified (this network)", "0.0.0.0/8"),
	rules(true, "multicast", "224.0.0.0/4"),
	rules(false, "loopback", "127.0.0.0/8"),
	rules(false, "private", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
	rules(false, "shared address space (CGNAT)", "100.64.0.0/10"),
	rules(false, "link-local (cloud metadata)", "169.254.0.0/16"),
	rules(false, "IETF protocol assignment", "192.0.0.0/24"),
	rules(false, "documentation", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
	rules(false, "6to4 relay anycast", "192.88.99.0/24"),
	rules(false, "benchmarking", "198.18.0.0/15"),
	rules(false, "reserved", "240.0.0.0/4"),
)

// Non-public IPv6 ranges inside 2000::/3 (everything outside it is refused
// anyway) and the named ones outside it, for a clear message.
var v6Rules = concat(
	rules(true, "unspecified", "::/128"),
	rules(true, "multicast", "ff00::/8"),
	rules(false, "loopback", "::1/128"),
	rules(false, "unique local (private)", "fc00::/7"),
	rules(false, "link-local", "fe80::/10"),
	rules(false, "site-local", "fec0::/10"),
	rules(false, "local-use NAT64", "64:ff9b:1::/48"),
	rules(false, "discard-only", "100::/64"),
	rules(false, "documentation", "2001:db8::/32", "3fff::/20"),
	rules(false, "IETF protocol assignment (Teredo, benchmarking, ORCHID)", "2001::/23"),
)

var (
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
)

// classify returns why addr is not a public unicast address ("" when it is),
// and whether even AllowPrivateNetworks may not reach it. IPv6 forms that
// carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address,
// so ::ffff:127.0.0.1 is as loopback as 127.0.0.1.
func classify(addr netip.Addr) (reason string, never bool) {
	addr = addr.WithZone("")
	switch {
	case !addr.IsValid():
		return "invalid", true
	case addr.Is4():
		for _, r := range v4Rules {
			if r.prefix.Contains(addr) {
				return r.reason, r.never
			}
		}
		return "", false
	case addr.Is4In6():
		return embedded("IPv4-mapped", addr.Unmap())
	case nat64.Contains(addr):
		b := addr.As16()
		return embedded("NAT64", netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(addr):
		b := addr.As16()
		return embedded("6to4", netip.AddrFrom4([4]byte(b[2:6])))
	}
	for _, r := range v6Rules {
		if r.prefix.Contains(addr) {
			return r.reason, r.never
		}
	}
	if !globalUnicast6.Contains(addr) {
		return "not global unicast", false
	}
	return "", false
}

func embedded(form string, v4 netip.Addr) (string, bool) {
	reason, never := classify(v4)
	if reason == "" {
		return "", false
	}
	return form + " " + v4.String() + ", " + reason, never
}

// checkAddress is the net.Dialer Control hook: it sees the IP actually being
// dialled, after DNS resolution, for every connection including redirect
// hops, so neither a redirect nor DNS rebinding gets past it.
func (c *Client) checkAddress(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrBlockedAddress, address)
	}
	if c.permit != nil && c.permit(ap) {
		return nil
	}
	reason, never := classify(ap.Addr())
	if reason == "" || (c.opts.AllowPrivateNetworks && !never) {
		return nil
	}
	return fmt.Errorf("%w: %s is %s", ErrBlockedAddress, ap.Addr(), reason)
}
