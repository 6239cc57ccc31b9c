package scanning

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
)

// fixture is two agencies, each with a system, and a web server on
// loopback registered as the first one's asset.
type fixture struct {
	store          *storage.Store
	a, b           identity.Org
	sysA, sysB     inventory.System
	admin          access.Actor
	operatorA      access.Actor
	auditorB       access.Actor
	port, requests int
	served         *atomic.Int64
	onRequest      func(*http.Request) // set before the first scan
}

func newFixture(t *testing.T, db *database.DB, hosts ...string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: storage.New(db), admin: access.SystemActor("test"), served: &atomic.Int64{}}
	root, err := identity.RootOrg(ctx, f.store)
	must(t, err)
	f.a, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "STTTT", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	f.b, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "NINHKIEU", Name: "UBND phường Ninh Kiều", Kind: identity.OrgDistrict})
	must(t, err)
	f.operatorA = access.Actor{Email: "op@a.vn", Role: access.AgencyOperator, OrgID: f.a.ID, OrgPath: f.a.Path}
	f.auditorB = access.Actor{Email: "auditor@b.vn", Role: access.Auditor, AssignedPaths: []string{f.b.Path}}
	f.sysA = inventory.System{OrgID: f.a.ID, Name: "Cổng thông tin", Kind: "web_portal", Level: 3}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.sysA))
	f.sysB = inventory.System{OrgID: f.b.ID, Name: "Một cửa", Kind: "internal_app", Level: 2}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.sysB))
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1"}
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.served.Add(1)
		if f.onRequest != nil {
			f.onRequest(r)
		}
		w.Header().Set("Server", "Apache/2.4.49")
		w.Write([]byte("<html><title>Cổng</title></html>"))
	})
	for _, h := range hosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(f.port)))
		must(t, err)
		_, p, _ := net.SplitHostPort(ln.Addr().String())
		f.port, _ = strconv.Atoi(p)
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: handler}}
		srv.Start()
		t.Cleanup(srv.Close)
		must(t, inventory.AddAsset(ctx, f.store, f.admin, f.sysA.ID, &inventory.Asset{Kind: "ip", Value: h}))
	}
	must(t, inventory.AddAsset(ctx, f.store, f.admin, f.sysB.ID, &inventory.Asset{Kind: "ip", Value: "127.0.0.3"}))
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) worker() *Worker {
	return &Worker{Store: f.store, Base: scan.Config{Ports: []int{f.port}, Timeout: 5 * time.Second, Lang: "en", Checks: []string{"port", "http"}},
		Max: Limits{PerHost: 2, PerHostRate: 1000, HTTPBudget: 150}, Poll: 50 * time.Millisecond}
}

func (f *fixture) authorize(t *testing.T, systemID int64) {
	t.Helper()
	_, err := Authorize(context.Background(), f.store, f.admin, Authorization{SystemID: systemID, AuthorizedBy: "Giám đốc Sở", DocumentNo: "15/QĐ-SKHCN",
		ValidUntil: f.store.Now().In(i18n.Vietnam).AddDate(0, 1, 0).Format(time.DateOnly)})
	must(t, err)
}

func (f *fixture) request(t *testing.T, systemID int64) Scan {
	t.Helper()
	list, err := RequestScans(context.Background(), f.store, f.admin, ScanRequest{SystemID: systemID})
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("%d scans, want 1", len(list))
	}
	return list[0]
}

func (f *fixture) get(t *testing.T, id int64) Scan {
	t.Helper()
	s, err := GetScan(context.Background(), f.store, f.admin, id, i18n.EN)
	must(t, err)
	return s
}

func work(w *Worker, id int64) error {
	return w.Work(context.Background(), &river.Job[ScanArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1}, Args: ScanArgs{ScanID: id}})
}

func TestScopeGuardRefusesAndLogs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		s := f.request(t, f.sysA.ID)
		if s.Status != StatusRefused || s.reason.Key != "scan.refused.no_basis" {
			t.Fatalf("without campaign or authorisation: %s %q", s.Status, s.reason.Key)
		}
		var logged int
		must(t, f.store.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'scan.refused'").Scan(&logged))
		if logged != 1 {
			t.Errorf("%d refusals in the audit log, want 1", logged)
		}
		if _, err := RequestScans(ctx, f.store, f.operatorA, ScanRequest{SystemID: f.sysA.ID}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("an agency operator scans: %v", err)
		}
		if _, err := RequestScans(ctx, f.store, f.auditorB, ScanRequest{SystemID: f.sysA.ID}); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("another agency's auditor scans: %v", err)
		}
		// Expired: an authorisation that ended yesterday.
		yesterday := f.store.Now().In(i18n.Vietnam).AddDate(0, 0, -1).Format(time.DateOnly)
		must(t, f.store.InTx(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO scan_authorizations (system_id, valid_until, actor, created_at) VALUES (?, ?, 'x', ?)", f.sysA.ID, yesterday, tx.Now())
			return err
		}))
		if s := f.request(t, f.sysA.ID); s.reason.Key != "scan.refused.expired" {
			t.Errorf("expired authorisation: %s %q", s.Status, s.reason.Key)
		}
		// An authorisation of system A does not cover system B's assets.
		f.authorize(t, f.sysA.ID)
		if s := f.request(t, f.sysB.ID); s.Status != StatusRefused {
			t.Errorf("another system's asset: %s", s.Status)
		}
		// Exclusions win: the only asset excluded by address.
		_, err := AddExclusion(ctx, f.store, f.admin, Exclusion{SystemID: f.sysA.ID, Value: "127.0.0.0/8", Reason: "thiết bị yếu"})
		must(t, err)
		if s := f.request(t, f.sysA.ID); s.reason.Key != "scan.refused.no_targets" || len(s.Plan.Skipped) != 1 {
			t.Errorf("excluded address: %s %q %+v", s.Status, s.reason.Key, s.Plan.Skipped)
		}
	})
}

func TestScanRecordsFindingsAsFound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.authorize(t, f.sysA.ID)
		s := f.request(t, f.sysA.ID)
		if s.Status != StatusQueued || len(s.Plan.Targets) != 1 {
			t.Fatalf("authorised scan: %s %+v", s.Status, s.Plan)
		}
		must(t, work(f.worker(), s.ID))
		s = f.get(t, s.ID)
		if s.Status != StatusDone || s.HostsDone != 1 || s.HostsTotal != 1 || s.Findings == 0 || s.NewFindings == 0 {
			t.Fatalf("after the run: %+v", s)
		}
		var open int
		must(t, f.store.QueryRow(context.Background(), "SELECT COUNT(*) FROM findings WHERE system_id = ?", f.sysA.ID).Scan(&open))
		if open != s.NewFindings {
			t.Errorf("%d findings on the system, the scan says %d new", open, s.NewFindings)
		}
		// Running the finished job again changes nothing.
		served := f.served.Load()
		must(t, work(f.worker(), s.ID))
		if f.served.Load() != served || f.get(t, s.ID).FinishedAt.Compare(*s.FinishedAt) != 0 {
			t.Error("a finished scan ran again")
		}
		// A second scan sees the same findings: nothing new, nothing doubled.
		again := f.request(t, f.sysA.ID)
		must(t, work(f.worker(), again.ID))
		again = f.get(t, again.ID)
		if again.Status != StatusDone || again.NewFindings != 0 || again.Findings != s.Findings {
			t.Errorf("second scan: %+v", again)
		}
	})
}

func TestClosedWindowPausesScan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.authorize(t, f.sysA.ID)
		// A window that opened a minute ago and is closed by now: the
		// scan waits for tomorrow's.
		now := f.store.Now().In(i18n.Vietnam)
		from, to := now.Add(-2*time.Minute), now.Add(-time.Minute)
		if from.Day() != to.Day() || from.Day() != now.Day() {
			t.Skip("too close to midnight for this window")
		}
		spec := from.Format("15:04") + "-" + to.Format("15:04")
		_, err := SetSettings(ctx, f.store, f.admin, Settings{SystemID: f.sysA.ID, Window: spec})
		must(t, err)
		s := f.request(t, f.sysA.ID)
		err = work(f.worker(), s.ID)
		var snooze *rivertype.JobSnoozeError
		if !errors.As(err, &snooze) || snooze.Duration < 23*time.Hour {
			t.Fatalf("closed window: %v, want a snooze to the next opening", err)
		}
		if s = f.get(t, s.ID); s.Status != StatusPaused || f.served.Load() != 0 {
			t.Errorf("closed window: status %s, %d requests", s.Status, f.served.Load())
		}
	})
}

func TestOperatorPauseAndCancel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.authorize(t, f.sysA.ID)
		s := f.request(t, f.sysA.ID)
		if _, err := Control(ctx, f.store, f.operatorA, s.ID, ControlPause, i18n.VI); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("an agency operator pauses: %v", err)
		}
		_, err := Control(ctx, f.store, f.admin, s.ID, ControlPause, i18n.VI)
		must(t, err)
		var snooze *rivertype.JobSnoozeError
		if err := work(f.worker(), s.ID); !errors.As(err, &snooze) || f.served.Load() != 0 {
			t.Fatalf("paused scan ran: %v, %d requests", err, f.served.Load())
		}
		_, err = Control(ctx, f.store, f.admin, s.ID, ControlResume, i18n.VI)
		must(t, err)
		_, err = Control(ctx, f.store, f.admin, s.ID, ControlCancel, i18n.VI)
		must(t, err)
		if _, err := Control(ctx, f.store, f.admin, s.ID, ControlResume, i18n.VI); err == nil {
			t.Error("a cancelled scan resumed")
		}
		must(t, work(f.worker(), s.ID))
		if s = f.get(t, s.ID); s.Status != StatusCancelled || f.served.Load() != 0 {
			t.Errorf("cancelled scan: %s, %d requests", s.Status, f.served.Load())
		}
	})
}

func TestScheduleTickQueuesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		f.authorize(t, f.sysA.ID)
		s, err := CreateSchedule(ctx, f.store, f.admin, Schedule{SystemID: f.sysA.ID})
		must(t, err)
		if s.NextRunAt == nil || !s.NextRunAt.After(f.store.Now()) || s.RRule != DefaultRule {
			t.Fatalf("new schedule: %+v", s)
		}
		if _, err := CreateSchedule(ctx, f.store, f.operatorA, Schedule{SystemID: f.sysA.ID}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("an agency operator schedules: %v", err)
		}
		if _, err := CreateSchedule(ctx, f.store, f.admin, Schedule{SystemID: f.sysA.ID, RRule: "FREQ=HOURLY"}); err == nil {
			t.Error("an hourly schedule was accepted")
		}
		// Due since yesterday (the server was down): one scan, not several.
		must(t, f.store.InTx(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE scan_schedules SET next_run_at = ? WHERE id = ?", tx.Now().Add(-24*time.Hour), s.ID)
			return err
		}))
		n, err := Tick(ctx, f.store)
		must(t, err)
		again, err := Tick(ctx, f.store)
		must(t, err)
		if n != 1 || again != 0 {
			t.Errorf("ticks queued %d then %d scans, want 1 then 0", n, again)
		}
		list, err := Schedules(ctx, f.store, f.admin, f.sysA.ID)
		must(t, err)
		if len(list) != 1 || !list[0].NextRunAt.After(f.store.Now()) || list[0].LastRunAt == nil {
			t.Errorf("after the tick: %+v", list)
		}
		scans, err := ListScans(ctx, f.store, f.admin, ScanFilter{SystemID: f.sysA.ID}, storage.Page{Limit: 10})
		must(t, err)
		if len(scans.Items) != 1 || scans.Items[0].ScheduleID != s.ID || scans.Items[0].Status != StatusQueued {
			t.Errorf("scheduled scans: %+v", scans.Items)
		}
		last, err := LastComplete(ctx, f.store, []int64{f.sysA.ID})
		must(t, err)
		if !Stale(last[f.sysA.ID], f.store.Now()) {
			t.Error("a never-scanned system is not stale")
		}
	})
}

func TestCampaignSchedule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "Quét định kỳ 2026", Year: f.store.Now().In(i18n.Vietnam).Year(), OrgIDs: []int64{f.a.ID, f.b.ID}}})
		must(t, err)
		if _, err := CreateSchedule(ctx, f.store, f.auditorB, Schedule{CampaignID: c.ID}); !errors.Is(err, access.ErrForbidden) && !errors.Is(err, access.ErrNotFound) {
			t.Errorf("an auditor schedules a campaign: %v", err)
		}
		s, err := CreateSchedule(ctx, f.store, f.admin, Schedule{CampaignID: c.ID})
		must(t, err)
		must(t, f.store.InTx(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE scan_schedules SET next_run_at = ? WHERE id = ?", tx.Now().Add(-time.Minute), s.ID)
			return err
		}))
		n, err := Tick(ctx, f.store)
		must(t, err)
		if n != 2 {
			t.Errorf("the campaign's tick queued %d scans, want one per system (2)", n)
		}
	})
}
