package inventory

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
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
	SystemIDs []int64 `json:"system_ids,omitempty"`
}

// idnaProfile converts Vietnamese domain names ("cần thơ.gov.vn") to their
// ASCII form and rejects what DNS cannot hold.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.ValidateLabels(true), idna.StrictDomainName(true), idna.VerifyDNSLength(true))

// NormaliseDomain returns the lower-case ASCII (punycode) form of a domain
// name, or an explanation in Vietnamese.
func NormaliseDomain(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", fmt.Errorf("tên miền trống")
	}
	ascii, err := idnaProfile.ToASCII(s)
	if err != nil || !utf8.ValidString(s) {
		return "", fmt.Errorf("tên miền %q không hợp lệ", s)
	}
	if slices.Contains(strings.Split(ascii, "."), "") {
		return "", fmt.Errorf("tên miền %q có nhãn trống (hai dấu chấm liền nhau)", s)
	}
	if !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("tên miền %q thiếu phần đuôi (ví dụ .gov.vn)", s)
	}
	if _, err := netip.ParseAddr(ascii); err == nil {
		return "", fmt.Errorf("%q là địa chỉ IP, không phải tên miền", s)
	}
	return strings.ToLower(ascii), nil
}

// NormaliseIP returns the canonical form of an IPv4 or IPv6 address.
func NormaliseIP(s string) (string, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return "", fmt.Errorf("địa chỉ IP %q không hợp lệ", strings.TrimSpace(s))
	}
	return a.Unmap().String(), nil
}

// NormaliseCIDR returns the canonical form of an address range; host bits
// must be zero so a typo is not silently widened.
func NormaliseCIDR(s string) (string, error) {
	s = strings.TrimSpace(s)
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", fmt.Errorf("dải địa chỉ %q không hợp lệ (dạng 10.0.0.0/24)", s)
	}
	if p.Masked() != p {
		return "", fmt.Errorf("dải địa chỉ %q có bit phần máy khác 0; có phải là %s?", s, p.Masked())
	}
	return p.String(), nil
}

// NormaliseURL checks an http(s) URL and normalises its host.
func NormaliseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("địa chỉ URL %q không hợp lệ (phải bắt đầu bằng http:// hoặc https://)", s)
	}
	host := u.Hostname()
	var norm string
	if a, err := netip.ParseAddr(host); err == nil {
		norm = a.String()
		if a.Is6() {
			norm = "[" + norm + "]"
		}
	} else if norm, err = NormaliseDomain(host); err != nil {
		return "", fmt.Errorf("địa chỉ URL %q: %v", s, err)
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
		problems.Add("kind", fmt.Sprintf("loại tài sản %q không hợp lệ; chọn một trong: ip, cidr, domain, url, server, device", a.Kind))
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
			err = fmt.Errorf("máy chủ cần có tên (hostname)")
		}
	case "device":
		if a.Value == "" {
			err = fmt.Errorf("thiết bị cần có tên")
		}
	}
	if err != nil {
		problems.Add("value", err.Error())
	}
	if a.IPs != "" {
		if ips, err := NormaliseIPList(a.IPs); err != nil {
			problems.Add("ips", err.Error())
		} else {
			a.IPs = ips
		}
	}
	if a.DeviceKind != "" {
		if dk, ok := DeviceKinds.Parse(a.DeviceKind); ok {
			a.DeviceKind = dk
		} else {
			problems.Add("device_kind", fmt.Sprintf("loại thiết bị %q không hợp lệ", a.DeviceKind))
		}
	}
	checkLengths(&problems, map[string]string{"value": a.Value, "hostname": a.Hostname, "os": a.OS, "os_version": a.OSVersion, "role": a.Role, "vendor": a.Vendor, "model": a.Model, "notes": a.Notes})
	return problems
}

// Key is the natural key of an asset inside its organisation.
func (a Asset) Key() string { return a.Kind + "|" + a.Value }
