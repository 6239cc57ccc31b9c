// Package app wires the capability packages into one server. The serve
// command and the end-to-end tests build the server the same way, here.
package app

import (
	"time"

	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/jobs"
	"github.com/khien/khien/internal/metrics"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/server"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/web"
)

// NewServer builds the complete server over store.
func NewServer(store *storage.Store, cfg server.Config) (*server.Server, error) {
	renderer, err := web.NewRenderer(cfg.Version)
	if err != nil {
		return nil, err
	}
	authn := auth.NewAuthenticator(store)
	webHandler := &web.Handler{Store: store, Auth: authn, Render: renderer}
	apiHandler := &api.Handler{Store: store, Auth: authn}
	routes := append(webHandler.Routes(), apiHandler.Routes()...)
	return server.New(cfg, server.Deps{
		Store:         store,
		Authenticator: authn,
		Routes:        routes,
		Renderer:      renderer,
		Metrics:       metrics.New(),
	}), nil
}

// Jobs is the background work of the capabilities: each adds its workers
// and periodic jobs here (jobs.AddWorker, Registry.AddPeriodic). The serve
// command adds its own (the audit checkpoint) and starts the engine.
// vulns enriches imported findings with KEV and EPSS (nil: no data).
func Jobs(store *storage.Store, vulns finding.Enricher, opts ...JobOption) *jobs.Registry {
	reg := jobs.NewRegistry()
	jobs.AddWorker(reg, &finding.ImportWorker{Store: store, Vulns: vulns})
	jobs.AddWorker(reg, &finding.ExpiryWorker{Store: store})
	reg.AddPeriodic(6*time.Hour, finding.ExpiryArgs{})
	jobs.AddWorker(reg, &hunt.ScheduleWorker{Store: store})
	reg.AddPeriodic(6*time.Hour, hunt.ScheduleArgs{}) // Directive 18: every system hunted at least every six months
	scans := &scanning.Worker{Store: store, Vulns: vulns}
	for _, o := range opts {
		o(scans)
	}
	jobs.AddWorker(reg, scans)
	jobs.AddWorker(reg, &scanning.TickWorker{Store: store})
	reg.AddPeriodic(time.Minute, scanning.TickArgs{})
	jobs.AddWorker(reg, &report.GenerateWorker{Store: store})
	return reg
}

// JobOption changes the scan worker Jobs builds: end-to-end tests scan a
// loopback server on its one port rather than the default ports.
type JobOption func(*scanning.Worker)
