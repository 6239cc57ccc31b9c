package scanning

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Remote runners (an agent inside an agency's network, or `khien scan
// --server`) take a scan's plan from the server, run the scanner where
// they are under the same limits, and report back as they go. The server
// decides the scope: it hands out only the plan's targets, and keeps only
// what is reported on them.

// Assignment is a scan handed to a remote runner.
type Assignment struct {
	Scan       Scan     `json:"scan"`
	Targets    []string `json:"targets"`
	Exclusions []string `json:"exclusions"`
	Done       []string `json:"hosts_done"` // addresses finished before (a retried scan)
	Limits     Limits   `json:"limits"`
	Window     string   `json:"window"`
	LeaseFor   int      `json:"lease_seconds"` // report within this or the scan goes back to the queue
}

// Finding is a scanner finding as a runner reports it.
type Finding = scan.Finding

// Report is what a remote runner sends while it scans: findings found,
// hosts finished, and at the end whether the scan is complete or why not.
type Report struct {
	Findings []Finding    `json:"findings"`
	Hosts    []HostReport `json:"hosts_done"`
	// State: "" (still scanning), "done", "paused" (its window closed),
	// "failed" (with Error).
	State string `json:"state,omitempty"`
	Error string `json:"error,omitempty"`
}

// HostReport is a host scanned to the end: its address and the names that
// led to it.
type HostReport struct {
	Addr  string   `json:"addr"`
	Names []string `json:"names,omitempty"`
}

// Report states.
const (
	ReportDone   = "done"
	ReportPaused = "paused"
	ReportFailed = "failed"
)

// Limits of one report, so that memory stays bounded whatever a runner sends.
const (
	MaxReportFindings = 2000
	MaxReportHosts    = 500
)

// Lease is how long a remote runner may go without reporting before its scan
// is taken back (and queued again for an agent, or failed for the CLI).
const Lease = 5 * time.Minute

// Runner identifies who reports on a scan: an agent, or a user running the
// CLI.
type Runner struct {
	AgentID int64
	Actor   access.Actor // the CLI's user
}

// StartRemote records a scan of a system run by the CLI of a user who may
// scan it: decided by the scope guard like any other (a refused scan is
// returned with its reason, and audited), else running at once under the
// user's lease.
func StartRemote(ctx context.Context, db *storage.Store, actor access.Actor, systemID int64, profile string) (Assignment, error) {
	if profile == "" {
		profile = scan.ProfileSafe
	}
	if !validProfile(profile) {
		return Assignment{}, validation.Invalid("profile", "scan.err.profile", profile)
	}
	var a Assignment
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := requestedSystems(ctx, tx, actor, ScanRequest{SystemID: systemID}); err != nil {
			return err
		}
		s, err := queueScan(ctx, tx, actor, systemID, profile, queueOpts{Runner: RunnerCLI})
		if err != nil || s.Status == StatusRefused {
			a.Scan = s
			return err
		}
		a, err = assign(ctx, tx, s)
		return err
	})
	return a, err
}

func validProfile(p string) bool { return p == scan.ProfileSafe || p == scan.ProfileThorough }

// Claim gives an agent the oldest scan waiting for it: a queued scan of a
// system pinned to it (or one paused by its window, now open). The
// conditional update lets one claimant only take a scan, however many ask
// at once. It returns false when there is no work.
func Claim(ctx context.Context, db *storage.Store, agentID int64) (Assignment, bool, error) {
	for range 5 { // another claimant may win the race for a scan: try the next
		var a Assignment
		var took bool
		err := db.InTx(ctx, func(tx *storage.Tx) error {
			now := tx.Now()
			candidates, err := storage.Collect[Scan](tx.Query(ctx, scanSelect+scanFrom+` WHERE sc.runner = ? AND sc.system_id IN (SELECT system_id FROM agent_pins WHERE agent_id = ?)
				AND (sc.status = ? OR sc.status = ? AND sc.reason LIKE '%scan.paused.window%') ORDER BY sc.id LIMIT 20`, RunnerAgent, agentID, StatusQueued, StatusPaused))(scanScan)
			if err != nil {
				return err
			}
			for _, s := range candidates {
				settings, err := settingsOf(ctx, tx, s.SystemID)
				if err != nil {
					return err
				}
				if w, err := ParseWindow(settings.Window); err == nil && !w.Open(now) {
					continue
				}
				in, err := loadGuardInput(ctx, tx, s.SystemID, now)
				if err != nil {
					return err
				}
				plan, refusal := Decide(in)
				if refusal != nil {
					if err := endIn(ctx, tx, s, StatusRefused, storedReason{refusal.Key, refusal.Args}); err != nil {
						return err
					}
					continue
				}
				res, err := tx.Exec(ctx, `UPDATE scans SET status = ?, agent_id = ?, plan = ?, reason = '{}', lease_until = ?, started_at = COALESCE(started_at, ?), updated_at = ?
					WHERE id = ? AND status = ?`, StatusRunning, agentID, storage.JSON{P: plan}, now.Add(Lease), now, now, s.ID, s.Status)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return nil // taken by another claimant meanwhile
				}
				if s, err = getScan(ctx, tx, s.ID); err != nil {
					return err
				}
				a, err = assign(ctx, tx, s)
				took = true
				return err
			}
			return errNoWork
		})
		switch {
		case errors.Is(err, errNoWork):
			return Assignment{}, false, nil
		case err != nil || took:
			return a, took, err
		}
	}
	return Assignment{}, false, nil
}

var errNoWork = errors.New("no scan waits for this agent")

// assign is a running scan's assignment.
func assign(ctx context.Context, q storage.Querier, s Scan) (Assignment, error) {
	settings, err := settingsOf(ctx, q, s.SystemID)
	if err != nil {
		return Assignment{}, err
	}
	done, err := storage.Collect[string](q.Query(ctx, "SELECT host FROM scan_hosts WHERE scan_id = ? ORDER BY host", s.ID))(scanHost)
	if err != nil {
		return Assignment{}, err
	}
	s.localize("")
	return Assignment{Scan: s, Targets: s.Plan.Targets, Exclusions: s.Plan.Exclusions, Done: done, Limits: settings.Effective(DefaultLimits),
		Window: settings.Window, LeaseFor: int(Lease / time.Second)}, nil
}

// Accept records a remote runner's report on its scan: the findings and
// hosts inside the scan's plan (anything else is dropped and counted), the
// verification of finished hosts, the renewed lease and, at the end, the
// scan's outcome. It returns the scan and how many findings were dropped.
func Accept(ctx context.Context, db *storage.Store, runner Runner, scanID int64, r Report) (Scan, int, error) {
	if len(r.Findings) > MaxReportFindings || len(r.Hosts) > MaxReportHosts {
		return Scan{}, 0, validation.Invalid("findings", "scan.err.report_too_large", MaxReportFindings, MaxReportHosts)
	}
	s, err := getScan(ctx, db, scanID)
	if err != nil {
		return s, 0, err
	}
	switch {
	case runner.AgentID != 0 && (s.Runner != RunnerAgent || s.AgentID != runner.AgentID),
		runner.AgentID == 0 && (s.Runner != RunnerCLI || s.Actor != runner.Actor.Email):
		return Scan{}, 0, access.ErrNotFound
	case s.Status != StatusRunning:
		return s, 0, storage.Conflict("status", "scan.err.not_running", s.Status)
	}
	scope, err := newPlanScope(s.Plan)
	if err != nil {
		return s, 0, err
	}
	dropped := 0
	rec := &recorder{store: db, scan: s.ID}
	rec.stream, err = finding.OpenStream(ctx, db, access.SystemActor("scan"),
		finding.ImportRequest{Format: "khien", SystemID: s.SystemID, OrgID: s.OrgID, FileName: fmt.Sprintf("scan #%d", s.ID)}, *s.StartedAt, nil)
	if err != nil {
		return s, 0, err
	}
	stop := func(error) {}
	for _, f := range r.Findings {
		if !scope.allows(f.IP, f.Host) {
			dropped++
			continue
		}
		rec.add(ctx, f, stop)
	}
	if err := rec.flush(ctx); err != nil {
		return s, dropped, err
	}
	for _, h := range r.Hosts {
		if !scope.allows(h.Addr, "") {
			dropped++
			continue
		}
		rec.hostDone(ctx, h.Addr, h.Names, stop)
	}
	if rec.err != nil {
		return s, dropped, rec.err
	}
	if err := db.InTx(ctx, func(tx *storage.Tx) error {
		if err := rec.count(ctx, tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE scans SET lease_until = ?, updated_at = ? WHERE id = ?", tx.Now().Add(Lease), tx.Now(), s.ID)
		return err
	}); err != nil {
		return s, dropped, err
	}
	switch r.State {
	case ReportDone:
		if _, err := rec.stream.Close(ctx); err != nil {
			return s, dropped, err
		}
		err = db.InTx(ctx, func(tx *storage.Tx) error { return endIn(ctx, tx, s, StatusDone, storedReason{}) })
	case ReportFailed:
		err = db.InTx(ctx, func(tx *storage.Tx) error {
			return endIn(ctx, tx, s, StatusFailed, storedReason{Key: "scan.failed.error", Args: []any{truncate(r.Error, 500)}})
		})
	case ReportPaused:
		err = db.InTx(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE scans SET status = ?, reason = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND status = ?",
				StatusPaused, reasonJSON("scan.paused.window_remote"), tx.Now(), s.ID, StatusRunning)
			return err
		})
	case "":
	default:
		return s, dropped, validation.Invalid("state", "scan.err.report_state", r.State)
	}
	if err != nil {
		return s, dropped, err
	}
	s, err = getScan(ctx, db, s.ID)
	return s, dropped, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// planScope tells whether a reported address or name is inside a scan's
// plan: an address of the plan (or inside one of its ranges), or a name of
// the plan (or below it), and not excluded.
type planScope struct {
	prefixes   []netip.Prefix
	names      []string
	exclusions scan.Exclusions
}

func newPlanScope(p Plan) (planScope, error) {
	var s planScope
	var err error
	if s.exclusions, err = scan.ParseExclusions(p.Exclusions); err != nil {
		return s, err
	}
	for _, t := range p.Targets {
		if pre, err := netip.ParsePrefix(t); err == nil {
			s.prefixes = append(s.prefixes, pre.Masked())
			continue
		}
		ts, err := scan.ParseTargets([]string{t}, false)
		if err != nil {
			continue
		}
		for _, tt := range ts {
			if tt.Name != "" {
				s.names = append(s.names, strings.ToLower(tt.Name))
			} else {
				s.prefixes = append(s.prefixes, netip.PrefixFrom(tt.Addr, tt.Addr.BitLen()))
			}
		}
	}
	return s, nil
}

// allows reports whether a finding on ip (may be empty) and host is inside
// the plan. A name from the plan is trusted with the address the runner
// resolved it to, unless that address is excluded.
func (s planScope) allows(ip, host string) bool {
	addr, addrErr := netip.ParseAddr(strings.Trim(ip, "[]"))
	if addrErr == nil && s.exclusions.Addr(addr) {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host != "" && s.exclusions.Name(host) {
		return false
	}
	for _, n := range s.names {
		if host == n || strings.HasSuffix(host, "."+n) {
			return true
		}
	}
	if addrErr != nil {
		if a, err := netip.ParseAddr(host); err == nil {
			addr, addrErr = a, nil
		}
	}
	if addrErr != nil {
		return false
	}
	for _, p := range s.prefixes {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// reclaim takes back the scans whose remote runner stopped reporting: an
// agent's goes back to the queue (for the agent its system is pinned to,
// the same or another one), the CLI's fails.
func reclaim(ctx context.Context, tx *storage.Tx) (int, error) {
	now := tx.Now()
	res, err := tx.Exec(ctx, "UPDATE scans SET status = ?, reason = ?, lease_until = NULL, updated_at = ? WHERE runner = ? AND status = ? AND lease_until < ?",
		StatusQueued, reasonJSON("scan.requeued.lease"), now, RunnerAgent, StatusRunning, now)
	if err != nil {
		return 0, fmt.Errorf("requeue agents' scans: %w", err)
	}
	n, _ := res.RowsAffected()
	res, err = tx.Exec(ctx, "UPDATE scans SET status = ?, reason = ?, finished_at = ?, updated_at = ? WHERE runner = ? AND status = ? AND lease_until < ?",
		StatusFailed, reasonJSON("scan.failed.lease"), now, now, RunnerCLI, StatusRunning, now)
	if err != nil {
		return 0, fmt.Errorf("fail the CLI's stopped scans: %w", err)
	}
	m, _ := res.RowsAffected()
	return int(n + m), nil
}
