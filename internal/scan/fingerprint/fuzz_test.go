package fingerprint

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var reVersionShape = regexp.MustCompile(`^\d+(\.\d+)*$`)

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
	f.Fuzz(func(t *testing.T, body []byte, hdr string) {
		h := http.Header{}
		for _, k := range []string{"X-Jenkins", "Kbn-Version", "X-OWA-Version", "Server", "X-Generator", "Set-Cookie"} {
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
