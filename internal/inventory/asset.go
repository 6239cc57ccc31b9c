package inventory

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/validation"
	"golang.org/x/net/idna"
)

// Asset is something a system consists of or is reached by: a domain, URL,
// IP address, CIDR range, server or network/security device.
type Asset struct {
	ID    int64  `json:"id"`
	OrgID int64  `json:"org_id"`
	Kind  string `json:"kind"`
	// Value is the normalised identity of the asset: the domain, the URL, the
	// address, the range, the server's host name or the device's name.
	Value string `json:"value"`
	// Server fields.
	Hostname  string `json:"hostname,omitempty"`
	IPs       string `json:"ips,omitempty"` // comma-separated, normalised
	OS        string `json:"os,omitempty"`
	OSVersion string `json:"os_version,omitempty"`
	Role      string `json:"role,omitempty"`
	// Device fields.
	DeviceKind string `json:"device_kind,omitempty"`
	Vendor     string `json:"vendor,omitempty"`
	Model      string `json:"model,omitempty"`
	Notes      string `json:"notes,omitempty"`
	// SystemIDs are the systems the asset belongs to.
	SystemIDs []int64   `json:"system_ids,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// idnaProfile converts Vietnamese domain names ("cần thơ.gov.vn") to their
// ASCII form and rejects what DNS cannot hold.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.ValidateLabels(true), idna.StrictDomainName(true), idna.VerifyDNSLength(true))

// NormaliseDomain returns the lower-case ASCII (punycode) form of a domain
// name, or an explanation in Vietnamese.
func NormaliseDomain(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", validation.Invalid("", "inv.err.domain_empty")
	}
	ascii, err := idnaProfile.ToASCII(s)
	if err != nil || !utf8.ValidString(s) {
		return "", validation.Invalid("", "inv.err.domain", s)
	}
	if slices.Contains(strings.Split(ascii, "."), "") {
		return "", validation.Invalid("", "inv.err.domain_empty_label", s)
	}
	if !strings.Contains(ascii, ".") {
		return "", validation.Invalid("", "inv.err.domain_no_suffix", s)
	}
	if _, err := netip.ParseAddr(ascii); err == nil {
		return "", validation.Invalid("", "inv.err.domain_is_ip", s)
	}
	return strings.ToLower(ascii), nil
}

// NormaliseIP returns the canonical form of an IPv4 or IPv6 address.
func NormaliseIP(s string) (string, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return "", validation.Invalid("", "inv.err.ip", strings.TrimSpace(s))
	}
	return a.Unmap().String(), nil
}

// NormaliseCIDR returns the canonical form of an address range; host bits
// must be zero so a typo is not silently widened.
func NormaliseCIDR(s string) (string, error) {
	s = strings.TrimSpace(s)
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", validation.Invalid("", "inv.err.cidr", s)
	}
	if p.Masked() != p {
		return "", validation.Invalid("", "inv.err.cidr_host_bits", s, p.Masked().String())
	}
	return p.String(), nil
}

// NormaliseURL checks an http(s) URL and normalises its host.
func NormaliseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", validation.Invalid("", "inv.err.url", s)
	}
	host := u.Hostname()
	var norm string
	if a, err := netip.ParseAddr(host); err == nil {
		norm = a.String()
		if a.Is6() {
			norm = "[" + norm + "]"
		}
	} else if norm, err = NormaliseDomain(host); err != nil {
		return "", validation.Invalid("", "inv.err.url_host", s, err)
	}
	if p := u.Port(); p != "" {
		norm += ":" + p
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = norm
	u.Fragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// NormaliseIPList normalises a comma- or space-separated list of addresses.
func NormaliseIPList(s string) (string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' })
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		ip, err := NormaliseIP(f)
		if err != nil {
			return "", err
		}
		out = append(out, ip)
	}
	return strings.Join(out, ","), nil
}

// Normalise checks the asset and puts its value in canonical form. Errors
// name the field they concern, in Vietnamese.
func (a *Asset) Normalise() validation.Errors {
	var problems validation.Errors
	kind, ok := AssetKinds.Parse(a.Kind)
	if !ok {
		problems.Add("kind", "inv.err.asset_kind", a.Kind)
		return problems
	}
	a.Kind = kind
	a.Value = strings.TrimSpace(a.Value)
	var normalise func(string) (string, error)
	switch kind {
	case "domain":
		normalise = NormaliseDomain
	case "ip":
		normalise = NormaliseIP
	case "cidr":
		normalise = NormaliseCIDR
	case "url":
		normalise = NormaliseURL
	}
	var err error
	if normalise != nil {
		var v string
		if v, err = normalise(a.Value); err == nil {
			a.Value = v
		}
	}
	switch kind {
	case "server":
		if a.Value == "" {
			a.Value = a.Hostname
		}
		a.Value = strings.ToLower(a.Value)
		if a.Value == "" {
			err = validation.Invalid("", "inv.err.server_name")
		}
	case "device":
		if a.Value == "" {
			err = validation.Invalid("", "inv.err.device_name")
		}
	}
	if err != nil {
		problems.AddAt("value", err)
	}
	if a.IPs != "" {
		if ips, err := NormaliseIPList(a.IPs); err != nil {
			problems.AddAt("ips", err)
		} else {
			a.IPs = ips
		}
	}
	if a.DeviceKind != "" {
		if dk, ok := DeviceKinds.Parse(a.DeviceKind); ok {
			a.DeviceKind = dk
		} else {
			problems.Add("device_kind", "inv.err.device_kind", a.DeviceKind)
		}
	}
	checkLengths(&problems, map[string]string{"value": a.Value, "hostname": a.Hostname, "os": a.OS, "os_version": a.OSVersion, "role": a.Role, "vendor": a.Vendor, "model": a.Model, "notes": a.Notes})
	return problems
}

// Key is the natural key of an asset inside its organisation.
func (a Asset) Key() string { return a.Kind + "|" + a.Value }
