package metrics

import (
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := New()
	r.Add("khien_http_requests_total", "Requests.", 2, "method", "GET", "status", "2xx")
	r.Add("khien_http_requests_total", "Requests.", 1, "method", "GET", "status", "2xx")
	r.Add("khien_http_requests_total", "Requests.", 1, "method", "POST", "status", `4"xx`)
	r.Gauge("khien_things", "Things.", func() float64 { return 7 })
	var b strings.Builder
	r.WriteTo(&b)
	out := b.String()
	for _, want := range []string{
		"# TYPE khien_http_requests_total counter\n",
		`khien_http_requests_total{method="GET",status="2xx"} 3` + "\n",
		`khien_http_requests_total{method="POST",status="4\"xx"} 1` + "\n",
		"# TYPE khien_things gauge\nkhien_things 7\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "# TYPE khien_http_requests_total") != 1 {
		t.Errorf("TYPE line repeated:\n%s", out)
	}
}
