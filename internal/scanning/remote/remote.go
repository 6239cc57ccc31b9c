// Package remote runs a scan handed out by the Khiên server where the
// runner is (an agent inside an agency's network, or `khien scan
// --server`): the server's plan, exclusions, window and limits, the local
// scanner, and the results reported back as they are found.
package remote

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/khien/khien/internal/agent/client"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scanning"
)

// batchSize is how many findings wait before they are sent.
const batchSize = 50

// Run scans an assignment and reports to resultsPath on the server. base
// holds what is local (resolver, trusted CAs, ports); the server's limits
// apply where they are lower than base's. It returns the scan as the
// server last reported it.
func Run(ctx context.Context, c *client.Client, a scanning.Assignment, base scan.Config, resultsPath string) (scanning.Scan, error) {
	cfg := base
	cfg.Lang = check.DefaultLang // the server keeps the findings for every reader: Vietnamese first
	cfg.Profile = a.Scan.Profile
	cfg.PerHost = lower(cfg.PerHost, a.Limits.PerHost)
	cfg.PerHostRate = lowerF(cfg.PerHostRate, a.Limits.PerHostRate)
	cfg.HTTPBudget = lower(cfg.HTTPBudget, a.Limits.HTTPBudget)
	cfg.PerHostConnRate = lowerF(cfg.PerHostConnRate, a.Limits.ConnectRate)
	var err error
	if cfg.Exclusions, err = scan.ParseExclusions(append(append([]string{}, a.Exclusions...), a.Done...)); err != nil {
		return a.Scan, fmt.Errorf("exclusions from the server: %w", err)
	}
	targets, err := scan.ParseTargets(a.Targets, false)
	if err != nil {
		return a.Scan, fmt.Errorf("targets from the server: %w", err)
	}
	window, err := scanning.ParseWindow(a.Window)
	if err != nil {
		return a.Scan, fmt.Errorf("window from the server: %w", err)
	}
	rep := &reporter{c: c, path: resultsPath, last: a.Scan}
	if !window.Open(time.Now()) {
		return rep.send(ctx, scanning.ReportPaused, "")
	}
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	if closes := window.ClosesAt(time.Now()); !closes.IsZero() {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadlineCause(runCtx, closes, errWindowClosed)
		defer cancel()
	}
	rep.stop = stop
	cfg.HostDone = func(addr string, names []string) {
		rep.pending.Hosts = append(rep.pending.Hosts, scanning.HostReport{Addr: addr, Names: names})
		rep.flush(runCtx)
	}
	_, err = scan.Run(runCtx, cfg, targets, func(f scan.Finding) {
		rep.pending.Findings = append(rep.pending.Findings, f)
		if len(rep.pending.Findings) >= batchSize {
			rep.flush(runCtx)
		}
	})
	// The last report goes out even when the scan was interrupted.
	final := context.WithoutCancel(ctx)
	switch cause := context.Cause(runCtx); {
	case err != nil:
		return rep.send(final, scanning.ReportFailed, err.Error())
	case rep.err != nil:
		return rep.last, rep.err
	case errors.Is(cause, errWindowClosed):
		return rep.send(final, scanning.ReportPaused, "")
	case ctx.Err() != nil:
		// Stopped (Ctrl+C): what was found is sent; the scan's lease runs
		// out and the server takes it back.
		_, serr := rep.send(final, "", "")
		return rep.last, errors.Join(ctx.Err(), serr)
	}
	return rep.send(final, scanning.ReportDone, "")
}

var errWindowClosed = errors.New("scan window closed")

// reporter sends findings and finished hosts in batches. The scanner calls
// it from one goroutine at a time.
type reporter struct {
	c       *client.Client
	path    string
	pending scanning.Report
	last    scanning.Scan
	stop    context.CancelCauseFunc
	err     error
}

func (r *reporter) flush(ctx context.Context) {
	if r.err != nil {
		return
	}
	if _, err := r.send(ctx, "", ""); err != nil {
		r.err = err
		r.stop(err) // the server refuses or is gone: stop scanning
	}
}

// send posts what is pending with a state, retrying a few times while the
// server cannot be reached.
func (r *reporter) send(ctx context.Context, state, errText string) (scanning.Scan, error) {
	rep := r.pending
	rep.State, rep.Error = state, errText
	if rep.Findings == nil {
		rep.Findings = []scan.Finding{}
	}
	if rep.Hosts == nil {
		rep.Hosts = []scanning.HostReport{}
	}
	var answer struct {
		Scan scanning.Scan `json:"scan"`
	}
	var err error
	for attempt := range 5 {
		if err = r.c.Do(ctx, http.MethodPost, r.path, rep, &answer); err == nil {
			r.pending = scanning.Report{}
			r.last = answer.Scan
			return answer.Scan, nil
		}
		var se *client.StatusError
		if errors.As(err, &se) || ctx.Err() != nil {
			break // refused: no retry mends it
		}
		slog.WarnContext(ctx, "report to the server failed; retrying", "err", err, "attempt", attempt+1)
		select {
		case <-ctx.Done():
		case <-time.After(client.Backoff(time.Second, 30*time.Second, attempt+1)):
		}
	}
	return r.last, fmt.Errorf("report to the server: %w", err)
}

func lower(local, server int) int {
	if local <= 0 || server > 0 && server < local {
		return server
	}
	return local
}

func lowerF(local, server float64) float64 {
	if local <= 0 || server > 0 && server < local {
		return server
	}
	return local
}

// AgentWork claims the scans waiting for the agent and runs them one after
// another, sending heartbeats meanwhile; it returns when none waits.
func AgentWork(ctx context.Context, c *client.Client, base scan.Config, heartbeat func(context.Context) error, every time.Duration) error {
	for ctx.Err() == nil {
		var a scanning.Assignment
		err := c.Do(ctx, http.MethodPost, "/api/v1/agent/claim", struct{}{}, &a)
		if err != nil {
			return fmt.Errorf("claim a scan: %w", err)
		}
		if a.Scan.ID == 0 {
			return nil
		}
		slog.InfoContext(ctx, "scan claimed", "scan", a.Scan.ID, "system", a.Scan.SystemName, "targets", len(a.Targets))
		beatCtx, stopBeats := context.WithCancel(ctx)
		go beat(beatCtx, heartbeat, every)
		s, err := Run(ctx, c, a, base, fmt.Sprintf("/api/v1/agent/scans/%d/results", a.Scan.ID))
		stopBeats()
		if err != nil {
			return fmt.Errorf("scan %d: %w", a.Scan.ID, err)
		}
		slog.InfoContext(ctx, "scan reported", "scan", s.ID, "status", s.Status, "hosts", s.HostsDone, "findings", s.Findings)
	}
	return ctx.Err()
}

func beat(ctx context.Context, heartbeat func(context.Context) error, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := heartbeat(ctx); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "heartbeat during a scan failed", "err", err)
			}
		}
	}
}
