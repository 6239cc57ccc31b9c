package content_test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/khien/khien/internal/scan/content"
	"github.com/khien/khien/internal/scan/scantest"
)

const article = `<html><head><title>Sở Thông tin và Truyền thông</title></head><body>
<h1>Kết quả xổ số kiến thiết miền Bắc hôm nay</h1>
<p>Công ty xổ số kiến thiết Thủ đô công bố kết quả xổ số ngày 20/11. Người dân lưu ý chỉ mua vé số tại đại lý chính thức.</p>
<a href="/tin-tuc/ket-qua-xo-so">Kết quả xổ số</a>
<a href="/tin-tuc/triet-pha-duong-day-danh-bac">Công an triệt phá đường dây đánh bạc tài xỉu qua mạng</a>
<a href="https://chinhphu.vn/">Cổng thông tin Chính phủ</a>
</body></html>`

func TestGambling(t *testing.T) {
	base, _ := url.Parse("https://portal.gov.vn/")
	tests := []struct {
		name, html string
		found      bool
	}{
		{"news about the lottery", article, false},
		{"hidden block", `<html><body><p>Tin tức</p><div style="display:none"><a href="https://nhacai.example/">nhà cái uy tín</a> <a href="https://x.example/">nổ hũ đổi thưởng</a></div></body></html>`, true},
		{"off-screen without diacritics", `<html><body><div style="position:absolute; left:-9999px">choi nha cai uy tin nhat</div></body></html>`, true},
		{"colour like background", `<html><body><span style="color:#fff;background-color:#fff">soi kèo bóng đá hôm nay</span></body></html>`, true},
		{"hidden by a style class", `<html><head><style>.seo-links{display:none}</style></head><body><div class="seo-links"><a href="/x">game bài đổi thưởng</a></div></body></html>`, true},
		{"visible link to a betting brand", `<html><body><footer><a href="https://fb88.example/dang-ky">Đăng ký</a></footer></body></html>`, true},
		{"injected block of internal links", `<html><body><a href="/p/1">tài xỉu online</a><a href="/p/2">bắn cá đổi thưởng</a><a href="/p/3">xóc đĩa trực tuyến</a></body></html>`, true},
		{"hidden menu without gambling", `<html><body><div style="display:none"><a href="/menu">Thủ tục hành chính</a></div></body></html>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := content.Gambling(base, content.Parse([]byte(tt.html)))
			if !ev.IsZero() != tt.found {
				t.Errorf("Gambling = %q, want found=%v", ev, tt.found)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	if got := content.Terms("Kết quả XỔ SỐ hôm nay"); len(got) != 0 {
		t.Errorf("lottery news matched %v", got)
	}
	if got := content.Terms("Nhà Cái FB88 uy tín"); len(got) < 2 {
		t.Errorf("got %v, want nhà cái and fb88", got)
	}
	// NFD input (decomposed diacritics) must match too.
	if got := content.Terms("nha\u0300 ca\u0301i"); len(got) == 0 {
		t.Error("decomposed Vietnamese not matched")
	}
}

func TestDefacement(t *testing.T) {
	long := strings.Repeat("Bài viết phân tích các vụ tấn công mạng trong năm qua. ", 60)
	tests := []struct {
		name, html string
		found      bool
	}{
		{"title", `<html><head><title>Hacked by Anonymous Team</title></head><body>We were here</body></html>`, true},
		{"short page", `<html><body><h1>H4ck3d by SomeCrew</h1><p>greetz</p></body></html>`, true},
		{"vietnamese", `<html><body><h1>Website đã bị hack</h1></body></html>`, true},
		{"long article quoting it", `<html><head><title>Tin an ninh mạng</title></head><body><p>` + long + ` Trang web hiển thị dòng chữ "hacked by" trước khi được khôi phục. ` + long + `</p></body></html>`, false},
		{"normal page", article, false},
	}
	for _, tt := range tests {
		if ev := content.Defacement(content.Parse([]byte(tt.html))); !ev.IsZero() != tt.found {
			t.Errorf("%s: Defacement = %q, want found=%v", tt.name, ev, tt.found)
		}
	}
}

func isBot(r *http.Request) bool { return strings.Contains(r.UserAgent(), "Googlebot") }

func fromGoogle(r *http.Request) bool { return strings.Contains(r.Referer(), "google.") }

func TestCheck(t *testing.T) {
	spam := `<html><head><title>Nhà cái uy tín - kèo nhà cái hôm nay</title></head><body><h1>Nhà cái uy tín số 1</h1><p>Soi kèo, tài xỉu, nổ hũ đổi thưởng.</p></body></html>`
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    []string
	}{
		{"clean", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(article)) }, nil},
		{"cryptominer", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<html><body>Tin tức<script src="https://coinhive.com/lib/coinhive.min.js"></script><script>var m = new CoinHive.Anonymous('key'); m.start();</script></body></html>`))
		}, []string{"content.cryptominer"}},
		{"defaced", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<html><head><title>Hacked By Kuroi'SH</title></head><body>Security is an illusion</body></html>`))
		}, []string{"content.defacement"}},
		{"cloaking for googlebot", func(w http.ResponseWriter, r *http.Request) {
			if isBot(r) {
				w.Write([]byte(spam))
				return
			}
			w.Write([]byte(article))
		}, []string{"content.cloaking"}},
		{"cloaking for google visitors", func(w http.ResponseWriter, r *http.Request) {
			if fromGoogle(r) {
				w.Write([]byte(spam))
				return
			}
			w.Write([]byte(article))
		}, []string{"content.cloaking"}},
		{"redirect for googlebot", func(w http.ResponseWriter, r *http.Request) {
			if isBot(r) {
				http.Redirect(w, r, "https://nhacai.example/", http.StatusFound)
				return
			}
			w.Write([]byte(article))
		}, []string{"content.malicious-redirect"}},
		{"script redirect for google visitors", func(w http.ResponseWriter, r *http.Request) {
			if fromGoogle(r) {
				w.Write([]byte(`<html><script>window.location.href = "https://w88.example/?ref=gov";</script></html>`))
				return
			}
			w.Write([]byte(article))
		}, []string{"content.malicious-redirect"}},
		{"page that changes on every request", func(w http.ResponseWriter, r *http.Request) {
			var words []string
			for range 60 {
				b := make([]byte, 4)
				rand.Read(b)
				words = append(words, hex.EncodeToString(b))
			}
			w.Write([]byte("<html><body><p>" + strings.Join(words, " ") + "</p></body></html>"))
		}, nil},
	}
	all := []string{"content.gambling-injection", "content.cloaking", "content.malicious-redirect", "content.cryptominer", "content.defacement"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			env, rec := scantest.Env(t)
			content.Check(t.Context(), env, scantest.Site(t, env, srv.URL, "portal.gov.vn", false))
			for _, id := range all {
				want := false
				for _, w := range tt.want {
					want = want || w == id
				}
				if rec.Has(id) != want {
					t.Errorf("%s fired=%v, want %v (all: %v)", id, rec.Has(id), want, rec.IDs())
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(article))
	f.Add([]byte(`<div style="display:none"><a href="x">nhà cái</a></div><style>.a{left:-999px}</style>`))
	base, _ := url.Parse("https://portal.gov.vn/")
	f.Fuzz(func(t *testing.T, b []byte) {
		p := content.Parse(b)
		_ = content.Gambling(base, p)
		_ = content.Defacement(p)
	})
}
