package fingerprint

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// reVersionShape is a bare version, a Connect Secure release (9.1R11) or a
// build from a table (13.1-49.13, 16.1.2.2-0.0.28).
var reVersionShape = regexp.MustCompile(`^\d+(\.\d+)*(R\d+)?(-\d+(\.\d+)*)?$`)

// FuzzVersionReaders feeds arbitrary pages to every start-page reader and
// version-file parser: none may panic, and what they return is a bare
// version or nothing.
func FuzzVersionReaders(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "platforms", "*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b, "2.440.1")
		}
	}
	f.Add([]byte(`{"version":{"number":"6.4.2"}}`), "MiniServ/1.890")
	// A NetScaler stamp of a known build, and a BIG-IP logo's ETag and date.
	f.Add([]byte("\x1f\x8b\x08\x08\x56\xed\x7a\x64\x00\x03rdx_en.json\x00"), `"1fe7-5cf0b7f6d1b40"`)
	f.Add([]byte("\x89PNG"), "Wed, 29 Apr 2020 04:58:35 GMT")
	f.Fuzz(func(t *testing.T, body []byte, hdr string) {
		h := http.Header{}
		for _, k := range []string{"X-Jenkins", "Kbn-Version", "X-OWA-Version", "Server", "X-Generator", "Set-Cookie", "ETag", "Last-Modified"} {
			h.Set(k, hdr)
		}
		check := func(what, v string) {
			if v != "" && !reVersionShape.MatchString(v) {
				t.Errorf("%s read %q", what, v)
			}
		}
		p := startPage{path: "/", header: h, body: string(body), low: string(body)}
		for _, pl := range platforms {
			pl.seen(p)
			if pl.version != nil {
				v, _ := pl.version(p)
				check(pl.product, v)
			}
		}
		for product, vfs := range versionFiles {
			for _, vf := range vfs {
				check(product+vf.path, vf.read(h, body))
			}
		}
		check("readme.txt", bodyRe(reStableTag)(h, body))
		for _, tech := range detect("/", h, body) {
			if tech.Version != "" && !reVersionShape.MatchString(tech.Version) && tech.Product != "openssl" && tech.Product != "sharepoint" && tech.Product != "asp.net" {
				t.Errorf("%s version %q", tech.Product, tech.Version)
			}
		}
	})
}
