package fingerprint

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/binary"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The edge devices show no version to visitors. What they do show, without
// logging in, is read here: a version file (Connect Secure), asset query
// strings (Sophos), or the build time of a static file that a published
// table maps to a build (NetScaler, BIG-IP).

var (
	//go:embed builds/netscaler.txt
	netscalerTable string
	//go:embed builds/bigip.txt
	bigipTable string

	netscalerBuilds = buildTable(netscalerTable, func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	})
	bigipBuilds = buildTable(bigipTable, func(s string) (int64, bool) {
		t, err := time.Parse(time.RFC3339, s)
		return t.Unix(), err == nil
	})
)

// buildTable reads "time build" lines (# starts a comment) into a map from
// Unix seconds to build; a malformed line panics, which the tests catch.
func buildTable(text string, parse func(string) (int64, bool)) map[int64]string {
	m := map[int64]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		when, build, ok := strings.Cut(line, " ")
		t, good := parse(when)
		if !ok || !good || !reBuild.MatchString(build) {
			panic("fingerprint: bad build table line " + strconv.Quote(line))
		}
		m[t] = build
	}
	return m
}

// reBuild is the shape of a build in the tables: 13.1-49.13, 16.1.2.2-0.0.28.
var reBuild = regexp.MustCompile(`^\d+\.\d+(?:\.\d+){0,2}-\d+(?:\.\d+){0,2}$`)

// netscalerStamp reads the gzip header of rdx_en.json.gz: the file is
// served as stored (the request asks for no compression), so its first
// bytes are the gzip magic, the deflate method and a file name flag, then
// the modification time, little-endian, and after two bytes the name.
func netscalerStamp(_ http.Header, b []byte) string {
	const fextra, fname = 0x04, 0x08
	if len(b) < 10 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 || b[3]&(fextra|fname) != fname || !bytes.HasPrefix(b[10:], []byte("rdx_en.json")) {
		return ""
	}
	return netscalerBuilds[int64(binary.LittleEndian.Uint32(b[4:8]))]
}

// reApacheETag is the ETag Apache-style servers give a static file: size
// and modification time in microseconds, in hex, the inode first on some.
var reApacheETag = regexp.MustCompile(`^"?(?:[0-9a-f]+-)?[0-9a-f]+-([0-9a-f]{11,14})"?$`)

// bigipBuild reads the build time of the TMUI logo from its ETag, else its
// Last-Modified header, and looks it up.
func bigipBuild(h http.Header, _ []byte) string {
	if m := reApacheETag.FindStringSubmatch(h.Get("ETag")); m != nil {
		if us, err := strconv.ParseInt(m[1], 16, 64); err == nil {
			if b, ok := bigipBuilds[us/1_000_000]; ok {
				return b
			}
		}
	}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		return bigipBuilds[t.Unix()]
	}
	return ""
}

// reGinaVersion is the product version in Connect Secure's
// nc_gina_ver.txt: major.minor.release.build (9.1.11.13127 is 9.1R11,
// build 13127). The point release (R11.4) is not in it.
var reGinaVersion = regexp.MustCompile(`(?i)<PARAM\s+NAME\s*=\s*"ProductVersion"\s+VALUE\s*=\s*"(\d{1,2})\.(\d{1,2})\.(\d{1,2})\.\d+"`)

// connectSecureRelease turns the product version into Ivanti's name for
// the release, 9.1R11, which is bracketed: CVEs fixed in a point release
// of it (9.1R11.4) are not reported.
func connectSecureRelease(_ http.Header, b []byte) string {
	m := reGinaVersion.FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1]) + "." + string(m[2]) + "R" + string(m[3])
}

// reSophosAsset is the firmware version Sophos Firewall stamps on the
// scripts and styles of its user portal and web admin login pages
// (?ver=19.0.1.365: 19.0 MR1, build 365).
var reSophosAsset = regexp.MustCompile(`\.(?:js|css)\?ver(?:sion)?=(\d{1,2}\.\d{1,2}\.\d{1,2}\.\d{1,4})\b`)

// matchForms turn a version as shown into the form the built-in ranges
// are written in: NetScaler's 13.1-49.13 would otherwise lose its build to
// the distribution-revision rule of the version comparison.
var matchForms = map[string]func(string) string{
	"netscaler": func(v string) string { return strings.Replace(v, "-", ".", 1) },
}

// versionRequestHeaders are sent with a version file's request: the
// NetScaler stamp is in the stored gzip file, which a transparently
// decompressed answer would hide.
var versionRequestHeaders = map[string]http.Header{netscalerStampPath: {"Accept-Encoding": {"identity"}}}

// datedBuilds are the version files whose build time, not their text,
// names the build.
var datedBuilds = map[string]bool{netscalerStampPath: true, bigipLogoPath: true}

const (
	netscalerStampPath = "/vpn/js/rdx/core/lang/rdx_en.json.gz"
	bigipLogoPath      = "/tmui/tmui/login/images/logo_f5.png"
	connectSecurePath  = "/dana-na/nc/nc_gina_ver.txt"
)
