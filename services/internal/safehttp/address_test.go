package safehttp

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		ip      string
		blocked bool // with private networks refused
		never   bool // refused whatever the options
		meta    bool // link-local or metadata: refused unless AllowMetadataAddress
		reason  string
	}{
		// Public.
		{ip: "8.8.8.8"},
		{ip: "1.1.1.1"},
		{ip: "93.184.216.34"},
		{ip: "100.63.255.255"},
		{ip: "100.128.0.0"},
		{ip: "172.15.255.255"},
		{ip: "172.32.0.0"},
		{ip: "192.0.1.1"},
		{ip: "2606:4700:4700::1111"},
		{ip: "2a00:1450:4001:80b::200e"},
		{ip: "::ffff:8.8.8.8"},
		{ip: "64:ff9b::808:808"},
		{ip: "2002:808:808::1"},

		// IPv4 special-purpose.
		{ip: "0.0.0.0", blocked: true, never: true, reason: "unspecified"},
		{ip: "0.1.2.3", blocked: true, never: true, reason: "unspecified"},
		{ip: "10.0.0.1", blocked: true, reason: "private"},
		{ip: "10.255.255.255", blocked: true, reason: "private"},
		{ip: "100.64.0.1", blocked: true, reason: "CGNAT"},
		{ip: "100.127.255.254", blocked: true, reason: "CGNAT"},
		{ip: "127.0.0.1", blocked: true, reason: "loopback"},
		{ip: "127.255.0.9", blocked: true, reason: "loopback"},
		{ip: "169.254.169.254", blocked: true, meta: true, reason: "link-local"},
		{ip: "172.16.0.1", blocked: true, reason: "private"},
		{ip: "172.31.255.255", blocked: true, reason: "private"},
		{ip: "192.0.0.8", blocked: true, reason: "IETF"},
		{ip: "192.0.2.10", blocked: true, reason: "documentation"},
		{ip: "192.88.99.1", blocked: true, reason: "6to4"},
		{ip: "192.168.1.1", blocked: true, reason: "private"},
		{ip: "198.18.0.1", blocked: true, reason: "benchmarking"},
		{ip: "198.19.255.255", blocked: true, reason: "benchmarking"},
		{ip: "198.51.100.7", blocked: true, reason: "documentation"},
		{ip: "203.0.113.7", blocked: true, reason: "documentation"},
		{ip: "224.0.0.1", blocked: true, never: true, reason: "multicast"},
		{ip: "239.255.255.250", blocked: true, never: true, reason: "multicast"},
		{ip: "240.0.0.1", blocked: true, reason: "reserved"},
		{ip: "255.255.255.255", blocked: true, never: true, reason: "broadcast"},

		// IPv6.
		{ip: "::", blocked: true, never: true, reason: "unspecified"},
		{ip: "::1", blocked: true, reason: "loopback"},
		{ip: "fc00::1", blocked: true, reason: "unique local"},
		{ip: "fd12:3456:789a::1", blocked: true, reason: "unique local"},
		{ip: "fe80::1", blocked: true, meta: true, reason: "link-local"},
		{ip: "fe80::1%eth0", blocked: true, meta: true, reason: "link-local"},
		{ip: "fec0::1", blocked: true, reason: "site-local"},
		{ip: "ff02::1", blocked: true, never: true, reason: "multicast"},
		{ip: "100::1", blocked: true, reason: "discard"},
		{ip: "2001:db8::1", blocked: true, reason: "documentation"},
		{ip: "3fff::1", blocked: true, reason: "documentation"},
		{ip: "2001::1", blocked: true, reason: "Teredo"},
		{ip: "2001:2::1", blocked: true, reason: "benchmarking"},
		{ip: "64:ff9b:1::1", blocked: true, reason: "local-use NAT64"},
		{ip: "::127.0.0.1", blocked: true, reason: "not global unicast"},
		{ip: "4000::1", blocked: true, reason: "not global unicast"},
		{ip: "fd00:ec2::254", blocked: true, meta: true, reason: "metadata"},
		{ip: "fd00:ec2::253", blocked: true, reason: "unique local"},
		{ip: "169.254.0.1", blocked: true, meta: true, reason: "link-local"},
		{ip: "100.100.100.200", blocked: true, meta: true, reason: "metadata"},
		{ip: "100.100.100.201", blocked: true, reason: "CGNAT"},

		// IPv6 forms carrying a non-public IPv4 address.
		{ip: "::ffff:127.0.0.1", blocked: true, reason: "IPv4-mapped 127.0.0.1, loopback"},
		{ip: "::ffff:169.254.169.254", blocked: true, meta: true, reason: "IPv4-mapped 169.254.169.254, link-local"},
		{ip: "::ffff:10.1.2.3", blocked: true, reason: "private"},
		{ip: "::ffff:0.0.0.0", blocked: true, never: true, reason: "unspecified"},
		{ip: "::ffff:224.0.0.1", blocked: true, never: true, reason: "multicast"},
		{ip: "64:ff9b::7f00:1", blocked: true, reason: "NAT64 127.0.0.1, loopback"},
		{ip: "64:ff9b::a9fe:a9fe", blocked: true, meta: true, reason: "NAT64 169.254.169.254"},
		{ip: "64:ff9b::c0a8:101", blocked: true, reason: "NAT64 192.168.1.1, private"},
		{ip: "2002:7f00:1::1", blocked: true, reason: "6to4 127.0.0.1, loopback"},
		{ip: "2002:a00:1::", blocked: true, reason: "6to4 10.0.0.1, private"},
	}
	strict := New(Options{})
	lax := New(Options{AllowPrivateNetworks: true})
	metaOnly := New(Options{AllowMetadataAddress: true})
	both := New(Options{AllowPrivateNetworks: true, AllowMetadataAddress: true})
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			addr := net.JoinHostPort(tt.ip, "443")
			err := strict.checkAddress("tcp", addr, nil)
			if got := err != nil; got != tt.blocked {
				t.Fatalf("blocked = %v (%v), want %v", got, err, tt.blocked)
			}
			if tt.blocked {
				if !errors.Is(err, ErrBlockedAddress) {
					t.Errorf("error %v is not ErrBlockedAddress", err)
				}
				if !strings.Contains(err.Error(), tt.reason) {
					t.Errorf("error %q does not say %q", err, tt.reason)
				}
			}
			err = lax.checkAddress("tcp", addr, nil)
			if got := err != nil; got != (tt.never || tt.meta) {
				t.Errorf("with AllowPrivateNetworks: blocked = %v (%v), want %v", got, err, tt.never || tt.meta)
			}
			if tt.meta && err != nil && !strings.Contains(err.Error(), "--allow-metadata-address") {
				t.Errorf("error %q does not name the flag that opens it", err)
			}
			err = metaOnly.checkAddress("tcp", addr, nil)
			if got := err != nil; got != (tt.blocked && !tt.meta) {
				t.Errorf("with AllowMetadataAddress alone: blocked = %v (%v), want %v", got, err, tt.blocked && !tt.meta)
			}
			err = both.checkAddress("tcp", addr, nil)
			if got := err != nil; got != tt.never {
				t.Errorf("with both: blocked = %v (%v), want %v", got, err, tt.never)
			}
		})
	}
}

func TestCheckAddressUnparsable(t *testing.T) {
	c := New(Options{AllowPrivateNetworks: true})
	if err := c.checkAddress("tcp", "not-an-ip:80", nil); !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("got %v, want ErrBlockedAddress", err)
	}
}
