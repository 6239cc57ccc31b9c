package vulndb

import (
	"fmt"
	"strings"
)

// CPE is the part of a CPE 2.3 formatted string the scanner matches on.
type CPE struct {
	Part, Vendor, Product, Version, Update string
}

// ParseCPE parses "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*",
// honouring backslash escapes such as "joomla\!".
func ParseCPE(s string) (CPE, error) {
	var fields []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == ':':
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	fields = append(fields, cur.String())
	if len(fields) < 6 || fields[0] != "cpe" || fields[1] != "2.3" {
		return CPE{}, fmt.Errorf("not a CPE 2.3 name: %q", s)
	}
	c := CPE{Part: fields[2], Vendor: strings.ToLower(fields[3]), Product: strings.ToLower(fields[4]), Version: fields[5]}
	if len(fields) > 6 {
		c.Update = fields[6]
	}
	return c, nil
}

// FullVersion joins version and update the way products print them:
// OpenSSH is "9.7" update "p1" in NVD and "9.7p1" in its banner.
func (c CPE) FullVersion() string {
	if c.Update == "" || c.Update == "*" || c.Update == "-" {
		return c.Version
	}
	return c.Version + c.Update
}

// Key is "vendor:product", the index key of the database.
func (c CPE) Key() string { return c.Vendor + ":" + c.Product }

// Range is one vulnerable CPE match of a CVE: an exact version, or a range
// given by the NVD versionStart*/versionEnd* bounds.
type Range struct {
	Version        string `json:"v,omitempty"` // exact version; "" or "*" means any within the bounds
	StartIncluding string `json:"si,omitempty"`
	StartExcluding string `json:"se,omitempty"`
	EndIncluding   string `json:"ei,omitempty"`
	EndExcluding   string `json:"ee,omitempty"`
}

// Contains reports whether version v falls in the range.
func (r Range) Contains(v string) bool {
	if r.Version != "" && r.Version != "*" {
		if r.Version == "-" {
			return false
		}
		return CompareVersions(v, r.Version) == 0
	}
	if r.StartIncluding == "" && r.StartExcluding == "" && r.EndIncluding == "" && r.EndExcluding == "" {
		// "every version" entries are too broad to report as a finding.
		return false
	}
	if r.StartIncluding != "" && CompareVersions(v, r.StartIncluding) < 0 {
		return false
	}
	if r.StartExcluding != "" && CompareVersions(v, r.StartExcluding) <= 0 {
		return false
	}
	if r.EndIncluding != "" && CompareVersions(v, r.EndIncluding) > 0 {
		return false
	}
	if r.EndExcluding != "" && CompareVersions(v, r.EndExcluding) >= 0 {
		return false
	}
	return true
}
