// Package metrics exposes counters and gauges in the Prometheus text format
// at /metrics, without a client library: the handful of series Khiên needs do
// not justify one.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Registry holds named series.
type Registry struct {
	mu       sync.Mutex
	counters map[string]*atomic.Int64 // key: name{labels}
	help     map[string]string
	gauges   []gauge
	started  time.Time
}

type gauge struct {
	name, help string
	value      func() float64
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{counters: map[string]*atomic.Int64{}, help: map[string]string{}, started: time.Now()}
}

// Add adds delta to the counter name with labels ("k","v" pairs).
func (r *Registry) Add(name, help string, delta int64, labels ...string) {
	key := name + formatLabels(labels)
	r.mu.Lock()
	c, ok := r.counters[key]
	if !ok {
		c = new(atomic.Int64)
		r.counters[key] = c
		r.help[name] = help
	}
	r.mu.Unlock()
	c.Add(delta)
}

// Gauge registers a value read at scrape time.
func (r *Registry) Gauge(name, help string, value func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges = append(r.gauges, gauge{name, help, value})
}

func formatLabels(kv []string) string {
	if len(kv) == 0 {
		return ""
	}
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(kv[i+1])
		parts = append(parts, fmt.Sprintf(`%s="%s"`, kv[i], v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// WriteTo writes every series in the Prometheus text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	keys := make([]string, 0, len(r.counters))
	for k := range r.counters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		name := k
		if i := strings.IndexByte(k, '{'); i >= 0 {
			name = k[:i]
		}
		if !seen[name] {
			seen[name] = true
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", name, r.help[name], name)
		}
		fmt.Fprintf(&b, "%s %d\n", k, r.counters[k].Load())
	}
	gauges := append([]gauge(nil), r.gauges...)
	r.mu.Unlock()

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	builtin := []gauge{
		{"khien_uptime_seconds", "Seconds since the process started.", func() float64 { return time.Since(r.started).Seconds() }},
		{"go_goroutines", "Number of goroutines.", func() float64 { return float64(runtime.NumGoroutine()) }},
		{"go_memstats_heap_alloc_bytes", "Heap bytes allocated and in use.", func() float64 { return float64(ms.HeapAlloc) }},
		{"go_memstats_sys_bytes", "Bytes obtained from the OS.", func() float64 { return float64(ms.Sys) }},
	}
	for _, g := range append(builtin, gauges...) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", g.name, g.help, g.name, g.name, g.value())
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Handler serves the registry.
func (r *Registry) Handler() http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		r.WriteTo(w)
	}
}
