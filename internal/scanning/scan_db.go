package scanning

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/jobs"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Scan statuses. A scan is queued until a runner takes it, paused while its
// window is closed or its operator paused it, and ends done, failed,
// refused (by the scope guard) or cancelled.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusPaused    = "paused"
	StatusDone      = "done"
	StatusFailed    = "failed"
	StatusRefused   = "refused"
	StatusCancelled = "cancelled"
)

// Statuses lists every status, for the API's enumerations.
var Statuses = []string{StatusQueued, StatusRunning, StatusPaused, StatusDone, StatusFailed, StatusRefused, StatusCancelled}

// Profiles are the scanner's profiles a scan may use.
var Profiles = []string{scan.ProfileSafe, scan.ProfileThorough}

// Runners: the server's job engine, an agent inside the agency's network,
// or `khien scan --server`.
const (
	RunnerServer = "server"
	RunnerAgent  = "agent"
	RunnerCLI    = "cli"
)

// Runners lists every runner, for the API's enumerations.
var Runners = []string{RunnerServer, RunnerAgent, RunnerCLI}

// Bases are what a scan may rest on: an active campaign or a written
// authorisation ("" when refused for want of either).
var Bases = []string{"campaign", "authorization", ""}

// Scan is one scan of one system's registered assets.
type Scan struct {
	ID           int64      `json:"id"`
	SystemID     int64      `json:"system_id"`
	SystemName   string     `json:"system_name"`
	OrgID        int64      `json:"org_id"`
	OrgName      string     `json:"org_name"`
	CampaignID   int64      `json:"campaign_id,omitempty"`
	ScheduleID   int64      `json:"schedule_id,omitempty"`
	AgentID      int64      `json:"agent_id,omitempty"`
	Profile      string     `json:"profile"`
	Status       string     `json:"status"`
	Runner       string     `json:"runner"`
	Reason       string     `json:"reason,omitempty"` // why it was refused, failed or paused, in the reader's language
	Actor        string     `json:"actor"`
	HostsTotal   int        `json:"hosts_total"`
	HostsDone    int        `json:"hosts_done"`
	Findings     int        `json:"findings"`
	NewFindings  int        `json:"new_findings"`
	Reopened     int        `json:"reopened"`
	Verified     int        `json:"verified"`
	Plan         Plan       `json:"plan"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
	OrgPath      string     `json:"-"`

	reason     storedReason
	leaseUntil *time.Time
}

// storedReason keeps a reason as its catalogue key, so each reader sees it
// in their language.
type storedReason struct {
	Key  string `json:"key,omitempty"`
	Args []any  `json:"args,omitempty"`
}

func (r storedReason) localize(lang string) string {
	if r.Key == "" {
		return ""
	}
	return validation.Message{Key: r.Key, Args: r.Args}.Localize(lang)
}

// Finished reports whether the scan has ended.
func (s Scan) Finished() bool {
	return s.Status == StatusDone || s.Status == StatusFailed || s.Status == StatusRefused || s.Status == StatusCancelled
}

var scanTable = storage.Table[Scan]{Name: "scans", Columns: []storage.Column[Scan]{
	{Name: "id", Field: func(s *Scan) any { return &s.ID }, Fixed: true},
	{Name: "system_id", Field: func(s *Scan) any { return &s.SystemID }, Fixed: true},
	{Name: "campaign_id", Field: func(s *Scan) any { return storage.OptionalID{P: &s.CampaignID} }, Fixed: true},
	{Name: "schedule_id", Field: func(s *Scan) any { return storage.OptionalID{P: &s.ScheduleID} }, Fixed: true},
	{Name: "profile", Field: func(s *Scan) any { return &s.Profile }, Fixed: true},
	{Name: "status", Field: func(s *Scan) any { return &s.Status }},
	{Name: "runner", Field: func(s *Scan) any { return &s.Runner }},
	{Name: "agent_id", Field: func(s *Scan) any { return storage.OptionalID{P: &s.AgentID} }},
	{Name: "reason", Field: func(s *Scan) any { return storage.JSON{P: &s.reason} }},
	{Name: "plan", Field: func(s *Scan) any { return storage.JSON{P: &s.Plan} }},
	{Name: "actor", Field: func(s *Scan) any { return &s.Actor }, Fixed: true},
	{Name: "hosts_total", Field: func(s *Scan) any { return &s.HostsTotal }},
	{Name: "hosts_done", Field: func(s *Scan) any { return &s.HostsDone }},
	{Name: "findings", Field: func(s *Scan) any { return &s.Findings }},
	{Name: "new_findings", Field: func(s *Scan) any { return &s.NewFindings }},
	{Name: "reopened", Field: func(s *Scan) any { return &s.Reopened }},
	{Name: "verified", Field: func(s *Scan) any { return &s.Verified }},
	{Name: "scheduled_for", Field: func(s *Scan) any { return storage.OptionalUTC{P: &s.ScheduledFor} }, Fixed: true},
	{Name: "lease_until", Field: func(s *Scan) any { return storage.OptionalUTC{P: &s.leaseUntil} }},
	{Name: "created_at", Field: func(s *Scan) any { return storage.UTC{P: &s.CreatedAt} }, Fixed: true},
	{Name: "started_at", Field: func(s *Scan) any { return storage.OptionalUTC{P: &s.StartedAt} }},
	{Name: "finished_at", Field: func(s *Scan) any { return storage.OptionalUTC{P: &s.FinishedAt} }},
	{Name: "updated_at", Field: func(s *Scan) any { return storage.UTC{P: &s.UpdatedAt} }},
}}

const scanFrom = ` FROM scans sc JOIN systems s ON s.id = sc.system_id JOIN orgs o ON o.id = s.org_id`

var scanSelect = "SELECT " + scanTable.Select("sc") + ", s.name, o.id, o.name, o.path"

func scanScan(r storage.Scanner) (Scan, error) {
	var s Scan
	err := r.Scan(scanTable.Dest(&s, &s.SystemName, &s.OrgID, &s.OrgName, &s.OrgPath)...)
	return s, err
}

// localize fills the texts meant for a reader.
func (s *Scan) localize(lang string) {
	s.Reason = s.reason.localize(lang)
	for i, k := range s.Plan.Skipped {
		s.Plan.Skipped[i].Reason = validation.Message{Key: k.Key, Args: k.Args}.Localize(lang)
	}
	if s.Plan.Targets == nil {
		s.Plan.Targets, s.Plan.Exclusions, s.Plan.Skipped = []string{}, []string{}, []Skip{}
	}
}

// ScanRequest asks for scans: of one system, or of every system in use of
// an organisation's subtree.
type ScanRequest struct {
	SystemID   int64  `json:"system_id,omitempty"`
	OrgID      int64  `json:"org_id,omitempty"`
	CampaignID int64  `json:"campaign_id,omitempty"` // every system the campaign covers
	Profile    string `json:"profile,omitempty"`
}

// ScanArgs is the River job that runs a server-side scan. One job per scan
// (unique by its arguments), so no scan runs twice at once.
type ScanArgs struct {
	ScanID int64 `json:"scan_id"`
}

// Kind names the job for River.
func (ScanArgs) Kind() string { return "scan_run" }

// InsertOpts makes the job unique per scan.
func (ScanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RequestScans records the scans asked for, each decided by the scope guard
// now: a refused scan is kept with its reason (and audited) so that every
// refusal is on record, whoever asked. The others are queued, for the
// server's job engine or for the agent the system is pinned to.
func RequestScans(ctx context.Context, db *storage.Store, actor access.Actor, req ScanRequest) ([]Scan, error) {
	if req.Profile == "" {
		req.Profile = scan.ProfileSafe
	}
	if !slices.Contains(Profiles, req.Profile) {
		return nil, validation.Invalid("profile", "scan.err.profile", req.Profile)
	}
	var out []Scan
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		ids, err := requestedSystems(ctx, tx, actor, req)
		if err != nil {
			return err
		}
		for _, id := range ids {
			s, err := queueScan(ctx, tx, actor, id, req.Profile, queueOpts{})
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// requestedSystems are the systems a request names, each one the actor may
// scan.
func requestedSystems(ctx context.Context, q storage.Querier, actor access.Actor, req ScanRequest) ([]int64, error) {
	switch {
	case req.SystemID != 0:
		if _, err := scannablePath(ctx, q, actor, "SELECT o.path FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?", req.SystemID); err != nil {
			return nil, err
		}
		return []int64{req.SystemID}, nil
	case req.OrgID != 0:
		path, err := scannablePath(ctx, q, actor, "SELECT path FROM orgs WHERE id = ?", req.OrgID)
		if err != nil {
			return nil, err
		}
		ids, err := storage.Collect[int64](q.Query(ctx, `SELECT s.id FROM systems s JOIN orgs o ON o.id = s.org_id
			WHERE o.path LIKE ? AND s.archived_at IS NULL ORDER BY s.id`, path+"%"))(scanID)
		if err == nil && len(ids) == 0 {
			return nil, validation.Invalid("org_id", "scan.err.no_systems")
		}
		return ids, err
	case req.CampaignID != 0:
		// A campaign spans agencies: its scans are the coordinator's.
		if !MayAuthorize(actor) {
			return nil, access.Denied(actor.Role, access.Scan)
		}
		ids, err := campaign.SystemsOf(ctx, q, req.CampaignID)
		if err == nil && len(ids) == 0 {
			return nil, validation.Invalid("campaign_id", "scan.err.no_systems")
		}
		return ids, err
	}
	return nil, validation.Invalid("system_id", "scan.err.required")
}

// scannablePath reads the organisation path of a system or organisation
// (query, by id) that the actor may scan.
func scannablePath(ctx context.Context, q storage.Querier, actor access.Actor, query string, id int64) (string, error) {
	var path string
	err := q.QueryRow(ctx, query, id).Scan(&path)
	switch {
	case storage.IsNoRows(err) || err == nil && !actor.InScope(path):
		return "", access.ErrNotFound
	case err != nil:
		return "", err
	case !actor.Can(access.Scan, path):
		return "", access.Denied(actor.Role, access.Scan)
	}
	return path, nil
}

func scanID(r storage.Scanner) (int64, error) {
	var id int64
	return id, r.Scan(&id)
}

// queueOpts are what a schedule tick adds to a scan.
type queueOpts struct {
	ScheduleID   int64
	ScheduledFor *time.Time
	Runner       string // RunnerCLI for `khien scan --server`; else the server or the pinned agent
}

// queueScan records one scan as the guard decides it and queues its work.
func queueScan(ctx context.Context, tx *storage.Tx, actor access.Actor, systemID int64, profile string, o queueOpts) (Scan, error) {
	now := tx.Now()
	in, err := loadGuardInput(ctx, tx, systemID, now)
	if err != nil {
		return Scan{}, err
	}
	s := Scan{SystemID: systemID, Profile: profile, Status: StatusQueued, Runner: RunnerServer, Actor: actor.Email,
		ScheduleID: o.ScheduleID, ScheduledFor: o.ScheduledFor, CreatedAt: now, UpdatedAt: now}
	plan, refusal := Decide(in)
	s.Plan, s.CampaignID = plan, in.CampaignID
	switch {
	case refusal != nil:
		s.Status, s.reason, s.FinishedAt = StatusRefused, storedReason{refusal.Key, refusal.Args}, &now
	case o.Runner == RunnerCLI:
		lease := now.Add(Lease)
		s.Runner, s.Status, s.StartedAt, s.leaseUntil = RunnerCLI, StatusRunning, &now, &lease
	default:
		// A system pinned to an agent is scanned from inside its network.
		if s.AgentID, err = agent.PinnedAgent(ctx, tx, systemID); err != nil {
			return Scan{}, err
		}
		if s.AgentID != 0 {
			s.Runner = RunnerAgent
		}
	}
	if s.ID, err = scanTable.Insert(ctx, tx, &s); err != nil {
		return Scan{}, fmt.Errorf("record the scan of system %d: %w", systemID, err)
	}
	if s.Runner == RunnerServer && s.Status == StatusQueued {
		if _, err := jobs.Insert(ctx, tx, ScanArgs{ScanID: s.ID}, nil); err != nil {
			return Scan{}, err
		}
	}
	action := "scan.request"
	if refusal != nil {
		action = "scan.refused"
	}
	if err := audit.Record(ctx, tx, actor, audit.Change{Action: action, ObjectType: "scan", ObjectID: s.ID, OrgID: in.OrgID,
		New: map[string]any{"system_id": systemID, "profile": profile, "status": s.Status, "reason": s.reason.Key, "basis": plan.Basis, "targets": plan.Targets}}); err != nil {
		return Scan{}, err
	}
	return getScan(ctx, tx, s.ID)
}

func getScan(ctx context.Context, q storage.Querier, id int64) (Scan, error) {
	s, err := scanScan(q.QueryRow(ctx, scanSelect+scanFrom+" WHERE sc.id = ?", id))
	if storage.IsNoRows(err) {
		return s, access.ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("scan %d: %w", id, err)
	}
	return s, nil
}

// GetScan returns a scan of a system in the actor's scope, its texts in lang.
func GetScan(ctx context.Context, q storage.Querier, actor access.Actor, id int64, lang string) (Scan, error) {
	s, err := getScan(ctx, q, id)
	if err != nil {
		return s, err
	}
	if !actor.InScope(s.OrgPath) {
		return Scan{}, access.ErrNotFound
	}
	s.localize(lang)
	return s, nil
}

// ScanFilter narrows a list of scans.
type ScanFilter struct {
	SystemID int64
	OrgID    int64 // this organisation and its subtree
	Status   string
	Lang     string
}

// scanOrder lists the newest scans first.
var scanOrder = storage.Keyset{ID: "sc.id", Desc: true}

// ListScans returns page p of the scans in the actor's scope matching f.
func ListScans(ctx context.Context, q storage.Querier, actor access.Actor, f ScanFilter, p storage.Page) (storage.Paged[Scan], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if f.SystemID != 0 {
		w.Add("sc.system_id = ?", f.SystemID)
	}
	if f.OrgID != 0 {
		w.Add("o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'", f.OrgID)
	}
	if f.Status != "" {
		w.Add("sc.status = ?", f.Status)
	}
	res, err := storage.List[Scan]{Select: scanSelect, From: scanFrom, Where: w, Order: scanOrder, Scan: scanScan,
		Key: func(s Scan) []any { return []any{s.ID} }}.Read(ctx, q, p)
	if err != nil {
		return res, fmt.Errorf("list scans: %w", err)
	}
	for i := range res.Items {
		res.Items[i].localize(f.Lang)
	}
	return res, nil
}

// Scan controls an operator may use.
const (
	ControlPause  = "pause"
	ControlResume = "resume"
	ControlCancel = "cancel"
)

// Control pauses, resumes or cancels a scan. A paused scan's runner stops
// after the host it is on and picks up where it stopped once resumed.
func Control(ctx context.Context, db *storage.Store, actor access.Actor, id int64, control, lang string) (Scan, error) {
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		s, err := getScan(ctx, tx, id)
		if err != nil {
			return err
		}
		if !actor.InScope(s.OrgPath) {
			return access.ErrNotFound
		}
		if !actor.Can(access.Scan, s.OrgPath) {
			return access.Denied(actor.Role, access.Scan)
		}
		from, to, key := s.Status, "", ""
		switch {
		case control == ControlPause && (from == StatusQueued || from == StatusRunning):
			to, key = StatusPaused, "scan.paused.operator"
		case control == ControlResume && from == StatusPaused:
			to = StatusQueued
		case control == ControlCancel && !s.Finished():
			to = StatusCancelled
		case control == ControlPause || control == ControlResume || control == ControlCancel:
			return validation.Invalid("status", "scan.err.control", control, from)
		default:
			return validation.Invalid("action", "scan.err.control", control, from)
		}
		now := tx.Now()
		finished := any(nil)
		if to == StatusCancelled {
			finished = now
		}
		if _, err := tx.Exec(ctx, "UPDATE scans SET status = ?, reason = ?, finished_at = COALESCE(finished_at, ?), updated_at = ? WHERE id = ?",
			to, reasonJSON(key), finished, now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan." + control, ObjectType: "scan", ObjectID: id, OrgID: s.OrgID,
			Old: map[string]string{"status": from}, New: map[string]string{"status": to}})
	})
	if err != nil {
		return Scan{}, err
	}
	return GetScan(ctx, db, actor, id, lang)
}

func reasonJSON(key string, args ...any) string {
	v, _ := storage.JSON{P: storedReason{Key: key, Args: args}}.Value()
	if key == "" {
		return "{}"
	}
	return v.(string)
}
