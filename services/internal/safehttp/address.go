package safehttp

import (
	"fmt"
	"net/netip"
	"syscall"
)

// reach says which setting, if any, lets a request reach an address.
type reach int

const (
	public   reach = iota // always reachable
	private               // with AllowPrivateNetworks
	metadata              // link-local and cloud metadata: with AllowMetadataAddress
	never                 // no configuration (nothing legitimate listens there)
)

// rangeRule names a range of addresses that is not public.
type rangeRule struct {
	prefix netip.Prefix
	reason string
	reach  reach
}

func rules(r reach, reason string, prefixes ...string) []rangeRule {
	out := make([]rangeRule, 0, len(prefixes))
	for _, p := range prefixes {
		out = append(out, rangeRule{prefix: netip.MustParsePrefix(p), reason: reason, reach: r})
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
// The first matching rule wins, so the metadata addresses inside wider
// private ranges come before them.
var v4Rules = concat(
	rules(never, "broadcast", "255.255.255.255/32"),
	rules(never, "unspecified (this network)", "0.0.0.0/8"),
	rules(never, "multicast", "224.0.0.0/4"),
	rules(metadata, "cloud metadata service (Alibaba Cloud)", "100.100.100.200/32"),
	rules(metadata, "link-local (cloud metadata)", "169.254.0.0/16"),
	rules(private, "loopback", "127.0.0.0/8"),
	rules(private, "private", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
	rules(private, "shared address space (CGNAT)", "100.64.0.0/10"),
	rules(private, "IETF protocol assignment", "192.0.0.0/24"),
	rules(private, "documentation", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
	rules(private, "6to4 relay anycast", "192.88.99.0/24"),
	rules(private, "benchmarking", "198.18.0.0/15"),
	rules(private, "reserved", "240.0.0.0/4"),
)

// Non-public IPv6 ranges inside 2000::/3 (everything outside it is refused
// anyway) and the named ones outside it, for a clear message.
var v6Rules = concat(
	rules(never, "unspecified", "::/128"),
	rules(never, "multicast", "ff00::/8"),
	rules(metadata, "cloud metadata service (AWS)", "fd00:ec2::254/128"),
	rules(metadata, "link-local", "fe80::/10"),
	rules(private, "loopback", "::1/128"),
	rules(private, "unique local (private)", "fc00::/7"),
	rules(private, "site-local", "fec0::/10"),
	rules(private, "local-use NAT64", "64:ff9b:1::/48"),
	rules(private, "discard-only", "100::/64"),
	rules(private, "documentation", "2001:db8::/32", "3fff::/20"),
	rules(private, "IETF protocol assignment (Teredo, benchmarking, ORCHID)", "2001::/23"),
)

var (
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
)

// classify returns why addr is not a public unicast address ("" when it is),
// and which setting may reach it. IPv6 forms that
// carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address,
// so ::ffff:127.0.0.1 is as loopback as 127.0.0.1.
func classify(addr netip.Addr) (reason string, r reach) {
	addr = addr.WithZone("")
	switch {
	case !addr.IsValid():
		return "invalid", never
	case addr.Is4():
		for _, r := range v4Rules {
			if r.prefix.Contains(addr) {
				return r.reason, r.reach
			}
		}
		return "", public
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
			return r.reason, r.reach
		}
	}
	if !globalUnicast6.Contains(addr) {
		return "not global unicast", private
	}
	return "", public
}

func embedded(form string, v4 netip.Addr) (string, reach) {
	reason, r := classify(v4)
	if reason == "" {
		return "", public
	}
	return form + " " + v4.String() + ", " + reason, r
}

// allows reports whether the options let a request reach addresses of r.
func (o *Options) allows(r reach) bool {
	switch r {
	case public:
		return true
	case private:
		return o.AllowPrivateNetworks
	case metadata:
		return o.AllowMetadataAddress
	}
	return false
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
	reason, r := classify(ap.Addr())
	if c.opts.allows(r) {
		return nil
	}
	if r == metadata && c.opts.AllowPrivateNetworks {
		reason += "; --allow-private-networks does not open it, --allow-metadata-address does"
	}
	return fmt.Errorf("%w: %s is %s", ErrBlockedAddress, ap.Addr(), reason)
}
