package report_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// user creates a real user (the background job acts as the user it reads back) and returns
// its actor.
func user(t *testing.T, f fixture, email string, role access.Role, orgID int64) access.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := identity.CreateUser(ctx, f.store, access.SystemActor("test"), identity.UserInput{Email: email, Name: email, Role: role, OrgID: orgID})
	must(t, err)
	a, err := identity.ActorFor(ctx, f.store, u)
	must(t, err)
	return a
}

// work runs the generation job of a stored report, as River would on its first attempt.
func work(store *storage.Store, id int64) error {
	w := &report.GenerateWorker{Store: store}
	return w.Work(context.Background(), &river.Job[report.GenerateArgs]{JobRow: &rivertype.JobRow{ID: id, Attempt: 1, MaxAttempts: 3}, Args: report.GenerateArgs{FileID: id}})
}

func auditCount(t *testing.T, f fixture, action string) []audit.Entry {
	t.Helper()
	res, err := audit.List(context.Background(), f.store, f.coordinator, audit.Query{Action: action}, storage.Page{})
	must(t, err)
	var out []audit.Entry
	for _, e := range res.Items {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// TestReportVersions: a queued report is generated in the background as its requester, with
// its progress, file and time of data; a report generated at once is another version, and
// the first stays; another agency neither lists, reads nor downloads them; every generation
// and every download is audited.
func TestReportVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		opA := user(t, f, "op@a.vn", access.AgencyOperator, f.sys.OrgID)
		opB := user(t, f, "op@b.vn", access.AgencyOperator, f.opB.OrgID)
		req := report.Request{Kind: "system", ID: f.sys.ID, Format: "docx"}

		if _, err := report.Enqueue(ctx, f.store, opB, req); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("another agency queues: %v", err)
		}
		if _, err := report.Enqueue(ctx, f.store, opA, report.Request{Kind: "system", ID: f.sys.ID, Format: "odt"}); err == nil {
			t.Fatal("a bad format is queued")
		} else if _, ok := validation.As(err); !ok {
			t.Fatalf("a bad format: %v", err)
		}
		queued, err := report.Enqueue(ctx, f.store, opA, req)
		must(t, err)
		if queued.Status != report.Queued || queued.Progress != 0 || queued.ObjectName != f.sys.Name || queued.OrgID != f.sys.OrgID || queued.Lang != i18n.VI {
			t.Fatalf("queued: %+v", queued)
		}
		must(t, work(f.store, queued.ID))
		got, err := report.Get(ctx, f.store, opA, queued.ID, i18n.VI)
		must(t, err)
		if got.Status != report.Done || got.Progress != 100 || got.Stage != report.StageDone || got.Size == 0 || got.DataAsOf == nil || !got.DataAsOf.Equal(now) ||
			got.RequestedBy != "op@a.vn" || got.FinishedAt == nil || got.FileName != "bao-cao-system-"+itoa(f.sys.ID)+".docx" {
			t.Fatalf("generated: %+v", got)
		}
		file, err := report.Download(ctx, f.store, opA, got.ID)
		must(t, err)
		sum := sha256.Sum256(file.Data)
		if hex.EncodeToString(sum[:]) != got.SHA256 || int64(len(file.Data)) != got.Size {
			t.Fatalf("the stored file is not the one recorded: %d bytes, %s", len(file.Data), got.SHA256)
		}
		text, err := document.DOCXText(file.Data)
		must(t, err)
		assertHas(t, "the stored DOCX", text, []string{f.sys.Name, "Số liệu tính đến 09:00 ngày 03/12/2026."})

		// Running the job again (a retry after a crash) stores nothing twice.
		must(t, work(f.store, queued.ID))
		if n := len(auditCount(t, f, "report.generate")); n != 1 {
			t.Fatalf("%d generations audited after a second run, want 1", n)
		}

		second, err := report.Generate(ctx, f.store, opA, report.Request{Kind: "system", ID: f.sys.ID, Format: "pdf"}, now)
		must(t, err)
		if second.ID == 0 || second.ID == got.ID {
			t.Fatalf("the generation at once stored no new version: %d", second.ID)
		}
		list, err := report.List(ctx, f.store, opA, report.Filter{Kind: "system", ObjectID: f.sys.ID}, i18n.VI, storage.Page{})
		must(t, err)
		if list.Total != 2 || list.Items[0].ID != second.ID || list.Items[1].ID != got.ID || list.Items[1].Status != report.Done {
			t.Fatalf("versions: %+v", list)
		}
		if all, err := report.List(ctx, f.store, f.coordinator, report.Filter{}, i18n.VI, storage.Page{}); err != nil || all.Total != 2 {
			t.Fatalf("the coordinator's list: %d, %v", all.Total, err)
		}

		if other, err := report.List(ctx, f.store, opB, report.Filter{}, i18n.VI, storage.Page{}); err != nil || other.Total != 0 {
			t.Fatalf("another agency lists %d reports (%v)", other.Total, err)
		}
		if _, err := report.Get(ctx, f.store, opB, got.ID, i18n.VI); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("another agency reads: %v", err)
		}
		if _, err := report.Download(ctx, f.store, opB, got.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("another agency downloads: %v", err)
		}
		_, err = report.Download(ctx, f.store, f.coordinator, second.ID)
		must(t, err)
		downloads := auditCount(t, f, "report.download")
		if len(downloads) != 2 || downloads[0].Actor != f.coordinator.Email || downloads[1].Actor != "op@a.vn" || downloads[1].OrgID != f.sys.OrgID ||
			!strings.Contains(string(downloads[1].Details), got.SHA256) || downloads[1].ObjectID != itoa(got.ID) {
			t.Fatalf("downloads audited: %+v", downloads)
		}
		if n := len(auditCount(t, f, "report.generate")); n != 2 {
			t.Fatalf("%d generations audited, want 2", n)
		}
	})
}

// TestReportFailure: a requester who can no longer see the system when the job runs gets a
// failed report with the reason in each reader's language, and nothing to download.
func TestReportFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		opA := user(t, f, "op@a.vn", access.AgencyOperator, f.sys.OrgID)
		queued, err := report.Enqueue(ctx, f.store, opA, report.Request{Kind: "system", ID: f.sys.ID, Format: "xlsx", Lang: i18n.EN})
		must(t, err)
		// Moved to the other agency before the job ran.
		_, err = identity.UpdateUser(ctx, f.store, access.SystemActor("test"), opA.UserID, identity.UserUpdate{OrgID: &f.opB.OrgID})
		must(t, err)
		var cancel *rivertype.JobCancelError
		if err := work(f.store, queued.ID); !errors.As(err, &cancel) {
			t.Fatalf("the job of a report its requester cannot see: %v", err)
		}
		for lang, want := range map[string]string{i18n.VI: i18n.T(i18n.VI, "report_files.err.not_found"), i18n.EN: i18n.T(i18n.EN, "report_files.err.not_found")} {
			got, err := report.Get(ctx, f.store, f.coordinator, queued.ID, lang)
			must(t, err)
			if got.Status != report.Failed || got.Error != want || got.FinishedAt == nil || got.SHA256 != "" {
				t.Fatalf("failed report in %s: %+v", lang, got)
			}
		}
		if _, err := report.Download(ctx, f.store, f.coordinator, queued.ID); err == nil {
			t.Fatal("a failed report downloads")
		}
		if n := len(auditCount(t, f, "report.generate")); n != 0 {
			t.Fatalf("a failed report audited as generated %d times", n)
		}
	})
}

// TestReportFirstPages: every kind's DOCX opens in LibreOffice, and the first page of every
// kind's PDF rendered by pdftoppm is not blank (each skipped with a message without its tool).
func TestReportFirstPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		plan, err := campaign.Create(ctx, f.store, f.coordinator, campaign.CreateInput{Input: campaign.Input{Title: "Kế hoạch rà soát năm 2026", Year: 2026, OrgIDs: []int64{f.sys.OrgID}, Template: "yearly_review"}})
		must(t, err)
		ids := map[string]int64{"system": f.sys.ID, "org": f.sys.OrgID, "followup": f.sys.OrgID, "campaign": plan.ID}
		dir := t.TempDir()
		var docx []string
		for _, kind := range report.Kinds {
			for _, format := range []string{"pdf", "docx"} {
				file, err := report.Generate(ctx, f.store, f.coordinator, report.Request{Kind: kind, ID: ids[kind], Format: format}, now)
				must(t, err)
				path := filepath.Join(dir, kind+"."+format)
				must(t, os.WriteFile(path, file.Data, 0o600))
				if format == "docx" {
					docx = append(docx, path)
				}
			}
		}
		if soffice, err := exec.LookPath("soffice"); err != nil {
			t.Log("soffice is not installed (libreoffice-writer-nogui): the DOCX files are not opened in LibreOffice")
		} else {
			out := filepath.Join(dir, "libreoffice")
			cmd := exec.Command(soffice, append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", out}, docx...)...)
			cmd.Env = append(os.Environ(), "HOME="+dir)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("LibreOffice: %v\n%s", err, b)
			}
			for _, kind := range report.Kinds {
				if st, err := os.Stat(filepath.Join(out, kind+".pdf")); err != nil || st.Size() == 0 {
					t.Errorf("LibreOffice wrote no PDF of the %s report: %v", kind, err)
				}
			}
		}
		pdftoppm, err := exec.LookPath("pdftoppm")
		if err != nil {
			t.Log("pdftoppm is not installed (poppler-utils): the first pages are not rendered")
			return
		}
		for _, kind := range report.Kinds {
			page := filepath.Join(dir, kind+"-page")
			if b, err := exec.Command(pdftoppm, "-png", "-r", "30", "-f", "1", "-l", "1", "-singlefile", filepath.Join(dir, kind+".pdf"), page).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, b)
			}
			if ink := darkPixels(t, page+".png"); ink < 1500 {
				t.Errorf("the first page of the %s report has %d dark pixels: blank?", kind, ink)
			}
		}
	})
}

// darkPixels counts the pixels of a PNG darker than mid-grey.
func darkPixels(t *testing.T, path string) int {
	t.Helper()
	r, err := os.Open(path)
	must(t, err)
	defer r.Close()
	img, err := png.Decode(r)
	must(t, err)
	n := 0
	b := img.Bounds()
	for p := 0; p < b.Dx()*b.Dy(); p++ {
		if cr, cg, cb, _ := img.At(b.Min.X+p%b.Dx(), b.Min.Y+p/b.Dx()).RGBA(); cr+cg+cb < 3*0x8000 {
			n++
		}
	}
	return n
}
