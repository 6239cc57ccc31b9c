package content_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/content"
)

var (
	browser = content.Visitor{Who: "visitors", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"}
	bot     = content.Visitor{Who: "Googlebot", UserAgent: content.GooglebotUA}
	page    = content.PageInfo{URL: "https://portal.gov.vn/tin-tuc?id=1", Title: "Tin tức"}
)

func emulate(v content.Visitor, code string) content.Run {
	return content.Emulate(context.Background(), page, v, []content.Script{{Name: "inline script 1", Code: code}}, nil)
}

func TestEmulateEffects(t *testing.T) {
	tests := []struct {
		name, code string
		v          content.Visitor
		kind, how  string
		value      string // contained in the effect's value
		decoding   string
	}{
		{"document.write", `document.write("<b>x</b>", "<i>y</i>")`, browser, "html", "document.write", "<b>x</b><i>y</i>", "string concatenation"},
		{"document.write as written", `document.write("<b>x</b>")`, browser, "html", "document.write", "<b>x</b>", ""},
		{"atob", `document.write(atob("PGEgaHJlZj0iLyI+eDwvYT4="))`, browser, "html", "document.write", `<a href="/">x</a>`, "atob(…)"},
		{"fromCharCode", `document.write(String.fromCharCode(60,98,62,104,105,60,47,98,62))`, browser, "html", "document.write", "<b>hi</b>", "String.fromCharCode(…)"},
		{"unescape", `document.write(unescape("%3Cb%3Ehello%3C/b%3E"))`, browser, "html", "document.write", "<b>hello</b>", "unescape(…)"},
		{"eval of a string", `eval("document.write('<p>from eval</p>')")`, browser, "html", "document.write", "<p>from eval</p>", "eval(…)"},
		{"hex escapes", `var s = "\x3cp\x3ehex\x3c/p\x3e"; document.write(s)`, browser, "html", "document.write", "<p>hex</p>", "hex escapes"},
		{"concatenation", `document.write("<p>" + "con" + "cat" + "</p>")`, browser, "html", "document.write", "<p>concat</p>", "string concatenation"},
		{"innerHTML of a page element", `document.getElementById("f").innerHTML = "<a href='/x'>x</a>"`, browser, "html", "innerHTML", `<a href="/x">x</a>`, "string concatenation"},
		{"created element", `var a = document.createElement("a"); a.href = "https://x.example/"; a.textContent = "x"; document.body.appendChild(a)`, browser, "html", "appendChild", `<a href="https://x.example/">x</a>`, "string concatenation"},
		{"location.href", `location.href = "https://x.example/"`, browser, "redirect", "location.href", "https://x.example/", ""},
		{"window.location", `window.location = "https://x.example/"`, browser, "redirect", "location", "https://x.example/", ""},
		{"location.replace in a timer", `setTimeout(function () { top.location.replace("https://x.example/") }, 5000)`, browser, "redirect", "location.replace", "https://x.example/", ""},
		{"window.open", `window.open("https://x.example/", "_self")`, browser, "redirect", "window.open", "https://x.example/", ""},
		{"user agent", `if (/Googlebot/.test(navigator.userAgent)) document.write("<p>bot</p>")`, bot, "html", "document.write", "<p>bot</p>", ""},
		{"location is read as the page", `document.write("<p>" + location.hostname + location.pathname + "</p>")`, browser, "html", "document.write", "<p>portal.gov.vn/tin-tuc</p>", "string concatenation"},
		{"script written by a script", `document.write("<scr" + "ipt>document.write('<p>inner</p>')</scr" + "ipt>")`, browser, "html", "document.write", "<p>inner</p>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := emulate(tt.v, tt.code)
			// The last effect first: what a written script did comes after
			// the write of the script.
			for _, ef := range slices.Backward(r.Effects) {
				if ef.Kind == tt.kind && ef.How == tt.how && strings.Contains(ef.Value, tt.value) {
					if ef.Decoding != tt.decoding {
						t.Errorf("decoding %q, want %q", ef.Decoding, tt.decoding)
					}
					return
				}
			}
			t.Errorf("no %s effect by %s with %q: %+v", tt.kind, tt.how, tt.value, r)
		})
	}
}

func TestEmulateVisitors(t *testing.T) {
	code := `if (navigator.userAgent.indexOf("Googlebot") >= 0 || document.referrer.indexOf("google.") >= 0) { location.replace("https://nhacai.example/") }`
	search := content.Visitor{UserAgent: browser.UserAgent, Referrer: content.GoogleSearch + "portal"}
	for _, tt := range []struct {
		v    content.Visitor
		want bool
	}{{browser, false}, {bot, true}, {search, true}} {
		r := emulate(tt.v, code)
		if got := len(r.Effects) == 1 && r.Effects[0].Kind == "redirect"; got != tt.want {
			t.Errorf("%+v: redirected=%v, want %v (%+v)", tt.v, got, tt.want, r)
		}
	}
}

// TestEmulateBounds runs scripts that would never end or would exhaust
// memory: each run must stop, quickly, with the reason.
func TestEmulateBounds(t *testing.T) {
	tests := []struct {
		name, code string
		stopped    string // "" when returning in time is enough (the script failed, or a limit of its own ended it)
	}{
		{"endless loop", `for (;;) {}`, "time limit"},
		{"doubling string", `var s = "xxxxxxxx"; for (;;) { s += s; }`, ""},
		{"huge repeat", `"x".repeat(1e9)`, ""},
		{"huge array join", `new Array(1e9).join("x")`, ""},
		{"huge typed array", `new Uint8Array(2e9)`, ""},
		{"DOM operations", `for (;;) { document.createElement("a") }`, "DOM operation limit"},
		{"endless writes", `for (;;) { document.write("<p>nhà cái</p>") }`, ""},
		{"deep recursion", `function f() { f() } f()`, ""},
		{"backtracking regexp", `/^(\w+\s?)*\1x$/.test("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")`, ""},
		{"timers that set timers", `function t() { setTimeout(t, 0) } t()`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := emulate(browser, tt.code)
			t.Logf("%v: stopped %q, errors %q", time.Since(start), r.Stopped, r.Errors)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if tt.stopped != "" && r.Stopped != tt.stopped {
				t.Errorf("stopped %q, want %q (%+v)", r.Stopped, tt.stopped, r)
			}
		})
	}
}

// TestEmulateNoNetwork checks that scripts reach nothing: requests,
// images, beacons and created scripts (with no loader) send no request.
func TestEmulateNoNetwork(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u := srv.URL + "/x"
	r := emulate(browser, `
		fetch("`+u+`");
		var x = new XMLHttpRequest(); x.open("GET", "`+u+`"); x.send();
		new Image().src = "`+u+`";
		navigator.sendBeacon("`+u+`", "d");
		var s = document.createElement("script"); s.src = "`+u+`"; document.head.appendChild(s);
		document.write('<script src="`+u+`"></scr' + 'ipt>');
	`)
	if hits.Load() != 0 {
		t.Errorf("%d requests reached the server", hits.Load())
	}
	if len(r.Loaded) != 2 {
		t.Errorf("loaded %v, want the two script URLs noted", r.Loaded)
	}
}

func FuzzEmulate(f *testing.F) {
	for _, s := range []string{
		`document.write(atob("PGEgaHJlZj0iLyI+eDwvYT4="))`,
		`document.getElementById("a").innerHTML = "<div style='display:none'><a href='https://x.example'>nhà cái</a></div>"`,
		`var d = document.createElement("div"); d.innerHTML = "<p><b>x</b></p>"; d.firstChild.outerHTML = "<i>y</i>"; document.body.appendChild(d)`,
		`if (document.referrer) location.replace(unescape("%68ttps://x.example/"))`,
		`eval(String.fromCharCode(100,111,99))`,
		`setTimeout("document.write('<p>later</p>')", 10)`,
		`$ = 1; for (var i = 0; i < 10; i++) document.body.insertAdjacentHTML("beforeend", "<a>" + i + "</a>")`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		start := time.Now()
		_ = emulate(bot, code)
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("run took %v", d)
		}
	})
}
