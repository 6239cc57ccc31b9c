package fingerprint

import (
	"net/http"
	"strings"
	"testing"
)

// The build tables load whole, and their rows read back as the sources
// publish them.
func TestBuildTables(t *testing.T) {
	rows := func(text string) int {
		n := 0
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				n++
			}
		}
		return n
	}
	if got, want := len(netscalerBuilds), rows(netscalerTable); got != want || got < 100 {
		t.Errorf("%d NetScaler stamps of %d rows", got, want)
	}
	if got, want := len(bigipBuilds), rows(bigipTable); got != want || got < 100 {
		t.Errorf("%d BIG-IP times of %d rows", got, want)
	}
	for stamp, want := range map[int64]string{1579525745: "13.0-47.24", 1689014191: "13.1-49.13"} {
		if got := netscalerBuilds[stamp]; got != want {
			t.Errorf("NetScaler stamp %d: %q, want %q", stamp, got, want)
		}
	}
	for _, tt := range []struct{ etag, modified, want string }{
		{etag: `"1fe7-5cf0b7f6d1b40"`, want: "16.1.2-0.0.18"},
		{etag: `"3a0c2f-1fe7-5cf0b7f6d1b40"`, want: "16.1.2-0.0.18"},
		{etag: `W/"not-a-time"`, modified: "Thu, 11 Nov 2017 01:37:18 GMT", want: "13.1.0-0.0.1868"},
		{etag: `"1fe7-5cf0b7f6d1b41"`, want: "16.1.2-0.0.18"}, // microseconds within the second
		{modified: "Thu, 11 Nov 2017 01:37:19 GMT"},           // no release of that second
	} {
		h := http.Header{}
		h.Set("ETag", tt.etag)
		h.Set("Last-Modified", tt.modified)
		if got := bigipBuild(h, nil); got != tt.want {
			t.Errorf("ETag %s, Last-Modified %s: %q, want %q", tt.etag, tt.modified, got, tt.want)
		}
	}
}

func TestBuildTableRefusesMalformedRows(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a row without a build was accepted")
		}
	}()
	buildTable("# comment\n1579525745\n", func(string) (int64, bool) { return 1, true })
}

func TestConnectSecureRelease(t *testing.T) {
	for body, want := range map[string]string{
		`<PARAM NAME="ProductVersion" VALUE="9.1.11.13127">`:  "9.1R11",
		`<param name="ProductVersion" value="22.7.2.3597">`:   "22.7R2",
		`<PARAM NAME="ProductVersion" VALUE="9.1.11">`:        "",
		`<PARAM NAME="ProductName" VALUE="9.1.11.13127">`:     "",
		`<PARAM NAME="ProductVersion" VALUE="123.1.11.1312">`: "",
	} {
		if got := connectSecureRelease(nil, []byte(body)); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}
