package fingerprint_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/khien/khien/internal/scan/fingerprint"
	"github.com/khien/khien/internal/scan/scantest"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name    string
		header  map[string]string
		body    string
		product string
		version string
	}{
		{"apache", map[string]string{"Server": "Apache/2.4.58 (Ubuntu) OpenSSL/1.1.1k"}, "", "apache", "2.4.58"},
		{"openssl in server", map[string]string{"Server": "Apache/2.4.58 (Ubuntu) OpenSSL/1.1.1k"}, "", "openssl", "1.1.1k"},
		{"nginx", map[string]string{"Server": "nginx/1.18.0"}, "", "nginx", "1.18.0"},
		{"iis", map[string]string{"Server": "Microsoft-IIS/8.5"}, "", "iis", "8.5"},
		{"php", map[string]string{"X-Powered-By": "PHP/7.4.33"}, "", "php", "7.4.33"},
		{"asp.net", map[string]string{"X-AspNet-Version": "4.0.30319", "X-Powered-By": "ASP.NET"}, "", "asp.net", "4.0.30319"},
		{"laravel", map[string]string{"Set-Cookie": "laravel_session=abc; path=/; httponly"}, "", "laravel", ""},
		{"sharepoint", map[string]string{"MicrosoftSharePointTeamServices": "16.0.0.5422"}, "", "sharepoint", "16.0.0.5422"},
		{"liferay", map[string]string{"Liferay-Portal": "Liferay Community Edition Portal 7.2.0 CE GA1 (Mueller / Build 7200 / June 4, 2019)"}, "", "liferay", "7.2.0"},
		{"wordpress generator", nil, `<meta name="generator" content="WordPress 5.8.1" />`, "wordpress", "5.8.1"},
		{"wordpress core css", nil, `<link rel="stylesheet" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.4.2">`, "wordpress", "6.4.2"},
		{"wordpress markers", nil, `<link rel="stylesheet" href="/wp-content/themes/x/style.css">`, "wordpress", ""},
		{"joomla", nil, `<meta name="generator" content="Joomla! - Open Source Content Management" />`, "joomla", ""},
		{"drupal", map[string]string{"X-Generator": "Drupal 7 (http://drupal.org)"}, "", "drupal", "7"},
		{"dnn", nil, `<link href="/Portals/_default/default.css"><script src="/DesktopModules/x.js"></script>`, "dotnetnuke", ""},
		{"jquery file name", nil, `<script src="/js/jquery-1.12.4.min.js"></script>`, "jquery", "1.12.4"},
		{"jquery cdn", nil, `<script src="https://ajax.googleapis.com/ajax/libs/jquery/3.5.1/jquery.min.js"></script>`, "jquery", "3.5.1"},
		{"jquery wordpress", nil, `<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>`, "jquery", "3.7.1"},
		{"bootstrap", nil, `<link href="/css/bootstrap-3.3.7.min.css" rel="stylesheet">`, "bootstrap", "3.3.7"},
		{"angularjs", nil, `<script src="https://ajax.googleapis.com/ajax/libs/angularjs/1.5.8/angular.min.js"></script>`, "angularjs", "1.5.8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			for _, tech := range fingerprint.Detect(h, []byte(tt.body)) {
				if tech.Product == tt.product {
					if tech.Version != tt.version {
						t.Errorf("version %q, want %q", tech.Version, tt.version)
					}
					return
				}
			}
			t.Errorf("%s not detected", tt.product)
		})
	}
	if got := fingerprint.Detect(http.Header{}, []byte("<html><body>Xin chào</body></html>")); len(got) != 0 {
		t.Errorf("plain page detected as %v", got)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    []string
		not     []string
	}{
		{
			name: "old stack",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Server", "Apache/2.4.49 (Unix)")
				w.Header().Set("X-Powered-By", "PHP/7.3.5")
				w.Write([]byte(`<html><script src="/js/jquery-1.12.4.min.js"></script></html>`))
			},
			want: []string{"tech.detected", "tech.vulnerable-component", "tech.end-of-life"},
		},
		{
			name: "joomla version from manifest",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/administrator/manifests/files/joomla.xml" {
					w.Write([]byte(`<?xml version="1.0"?><extension type="file"><name>files_joomla</name><version>4.2.7</version></extension>`))
					return
				}
				w.Write([]byte(`<html><head><meta name="generator" content="Joomla! - Open Source Content Management"></head></html>`))
			},
			want: []string{"tech.detected", "tech.vulnerable-component", "tech.end-of-life"},
		},
		{
			name: "current stack",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Server", "nginx/1.27.3")
				w.Write([]byte(`<html><script src="/js/jquery-3.7.1.min.js"></script></html>`))
			},
			want: []string{"tech.detected"},
			not:  []string{"tech.vulnerable-component", "tech.end-of-life"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			env, rec := scantest.Env(t)
			fingerprint.Check(t.Context(), env, scantest.Site(t, env, srv.URL, "127.0.0.1", false))
			for _, id := range tt.want {
				if !rec.Has(id) {
					t.Errorf("%s did not fire; got %v", id, rec.IDs())
				}
			}
			for _, id := range tt.not {
				if rec.Has(id) {
					t.Errorf("%s fired: %s", id, rec.Get(id)[0].Evidence)
				}
			}
		})
	}
}
