package campaign

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/blob"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// ObligationView is an obligation with its organisation, phase and
// campaign; Status is the effective one (late when overdue).
type ObligationView struct {
	Obligation
	OrgCode       string `json:"org_code"`
	OrgName       string `json:"org_name"`
	PhaseKind     string `json:"phase_kind"`
	PhaseTitle    string `json:"phase_title"`
	StartsOn      string `json:"starts_on"`
	DueOn         string `json:"due_on"`
	PhasePosition int    `json:"phase_position"`
	CampaignTitle string `json:"campaign_title"`
	Files         int    `json:"files"`
	// Stored is the status as recorded (Status may say late instead).
	Stored  ObligationStatus `json:"-"`
	OrgPath string           `json:"-"`
}

// ObligationDetail is one obligation with its files and history.
type ObligationDetail struct {
	ObligationView
	FileList []File  `json:"file_list"`
	History  []Event `json:"history"`
}

var obligationTable = storage.Table[Obligation]{Name: "campaign_obligations", Columns: []storage.Column[Obligation]{
	{Name: "id", Field: func(o *Obligation) any { return &o.ID }, Fixed: true},
	{Name: "campaign_id", Field: func(o *Obligation) any { return &o.CampaignID }, Fixed: true},
	{Name: "org_id", Field: func(o *Obligation) any { return &o.OrgID }, Fixed: true},
	{Name: "phase_id", Field: func(o *Obligation) any { return &o.PhaseID }, Fixed: true},
	{Name: "title", Field: func(o *Obligation) any { return &o.Title }},
	{Name: "status", Field: func(o *Obligation) any { return &o.Status }},
	{Name: "comment", Field: func(o *Obligation) any { return &o.Comment }},
	{Name: "submitted_at", Field: func(o *Obligation) any { return storage.OptionalUTC{P: &o.SubmittedAt} }},
	{Name: "reviewed_at", Field: func(o *Obligation) any { return storage.OptionalUTC{P: &o.ReviewedAt} }},
	{Name: "actor", Field: func(o *Obligation) any { return &o.Actor }},
	{Name: "updated_at", Field: func(o *Obligation) any { return storage.UTC{P: &o.UpdatedAt} }},
}}

const obligationFrom = ` FROM campaign_obligations ob JOIN orgs o ON o.id = ob.org_id
	JOIN campaign_phases p ON p.id = ob.phase_id JOIN campaigns c ON c.id = ob.campaign_id`

var obligationSelect = "SELECT " + obligationTable.Select("ob") +
	", o.code, o.name, p.kind, p.title, p.starts_on, p.due_on, p.position, c.title, (SELECT count(*) FROM campaign_files f WHERE f.obligation_id = ob.id), o.path"

func scanObligation(today string) func(storage.Scanner) (ObligationView, error) {
	return func(sc storage.Scanner) (ObligationView, error) {
		var v ObligationView
		err := sc.Scan(obligationTable.Dest(&v.Obligation, &v.OrgCode, &v.OrgName, &v.PhaseKind, &v.PhaseTitle, &v.StartsOn, &v.DueOn, &v.PhasePosition, &v.CampaignTitle, &v.Files, &v.OrgPath)...)
		v.Stored = v.Status
		v.Status = EffectiveStatus(v.Status, v.DueOn, today)
		return v, err
	}
}

// ObligationFilter narrows a list of obligations.
type ObligationFilter struct {
	CampaignID int64
	OrgID      int64
	Status     string // an ObligationStatus, late included
}

var obligationOrder = storage.Keyset{Text: []string{"o.code"}, Int: []string{"p.position"}, ID: "ob.id"}

// statusCond is the condition for an effective status on day today.
func statusCond(w *storage.Where, status, today string) {
	switch ObligationStatus(status) {
	case Late:
		w.Add("ob.status IN ('not_started', 'returned') AND p.due_on < ?", today)
	case NotStarted, Returned:
		w.Add("ob.status = ? AND p.due_on >= ?", status, today)
	default:
		w.Add("ob.status = ?", status)
	}
}

// ListObligations returns page p of the obligations the actor sees (those
// of organisations in its scope, in campaigns it sees), by organisation
// and phase.
func ListObligations(ctx context.Context, db storage.Querier, actor access.Actor, f ObligationFilter, p storage.Page) (storage.Paged[ObligationView], error) {
	if f.Status != "" && !known(ObligationStatuses, f.Status) {
		return storage.Paged[ObligationView]{}, validation.Invalid("status", "campaign.err.status", strings.Join(ObligationStatuses, ", "))
	}
	today := Day(db.Now())
	w := storage.Scoped(actor.OrgFilter("o.path"))
	vis, vargs := visible(actor)
	w.Add(vis, vargs...)
	if f.CampaignID != 0 {
		w.Add("ob.campaign_id = ?", f.CampaignID)
	}
	if f.OrgID != 0 {
		w.Add("ob.org_id = ?", f.OrgID)
	}
	if f.Status != "" {
		statusCond(w, f.Status, today)
	}
	res, err := storage.List[ObligationView]{Select: obligationSelect, From: obligationFrom, Where: w, Order: obligationOrder, Scan: scanObligation(today),
		Key: func(v ObligationView) []any { return []any{v.OrgCode, int64(v.PhasePosition), v.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list obligations: %w", err)
	}
	return res, nil
}

// GetObligation returns one obligation the actor sees, with its files and history.
func GetObligation(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (ObligationDetail, error) {
	v, err := getObligation(ctx, db, actor, id)
	if err != nil {
		return ObligationDetail{}, err
	}
	d := ObligationDetail{ObligationView: v}
	if d.FileList, err = listFiles(ctx, db, id); err != nil {
		return d, err
	}
	d.History, err = events(ctx, db, actor, "e.obligation_id = ?", id, time.Time{})
	d.FileList, d.History = orEmpty(d.FileList), orEmpty(d.History)
	return d, err
}

func getObligation(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (ObligationView, error) {
	scope, args := actor.OrgFilter("o.path")
	vis, vargs := visible(actor)
	v, err := scanObligation(Day(db.Now()))(db.QueryRow(ctx, obligationSelect+obligationFrom+" WHERE ob.id = ? AND "+scope+" AND "+vis,
		append(append([]any{id}, args...), vargs...)...))
	if storage.IsNoRows(err) {
		return v, access.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("obligation %d: %w", id, err)
	}
	return v, nil
}

// campaignStatus is the status of an obligation's campaign.
func campaignStatus(ctx context.Context, q storage.Querier, id int64) (Status, error) {
	var s Status
	if err := q.QueryRow(ctx, "SELECT status FROM campaigns WHERE id = ?", id).Scan(&s); err != nil {
		return s, fmt.Errorf("campaign %d: %w", id, err)
	}
	return s, nil
}

// Submit records an organisation's submission of an obligation with a
// file (stored once by its SHA-256) and an optional note. Only users who
// may change the organisation's data submit, and only while the campaign
// is active.
func Submit(ctx context.Context, db *storage.Store, actor access.Actor, id int64, name string, data []byte, note string) (ObligationView, error) {
	note = strings.TrimSpace(note)
	var v ObligationView
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := getObligation(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := actor.Check(access.Write, old.OrgPath); err != nil {
			return err
		}
		if len(data) == 0 || len(data) > MaxFile {
			return validation.Invalid("file", "campaign.err.file_size", MaxFile>>20)
		}
		if name == "" || len(name) > 255 || !utf8.ValidString(name) {
			return validation.Invalid("file", "campaign.err.file_name")
		}
		if utf8.RuneCountInString(note) > maxField {
			return validation.Invalid("note", "campaign.err.long", maxField)
		}
		if st, err := campaignStatus(ctx, tx, old.CampaignID); err != nil {
			return err
		} else if st != Active {
			return validation.Invalid("status", "campaign.err.not_active")
		}
		if !CanSubmit(old.Stored) {
			return validation.Invalid("status", "campaign.err.accepted")
		}
		key, err := blob.Put(ctx, tx, data)
		if err != nil {
			return err
		}
		now := tx.Now()
		f := File{SHA256: key, Name: name, ContentType: http.DetectContentType(data), Size: int64(len(data)), Actor: actor.Email, At: now}
		if f.ID, err = tx.InsertID(ctx, "INSERT INTO campaign_files (obligation_id, sha256, name, content_type, size, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, f.SHA256, f.Name, f.ContentType, f.Size, f.Actor, now); err != nil {
			return fmt.Errorf("submission file: %w", err)
		}
		ob := old.Obligation
		ob.Status, ob.SubmittedAt, ob.Actor, ob.UpdatedAt = Submitted, &now, actor.Email, now
		if note != "" {
			ob.Comment = note
		}
		if err := obligationTable.Update(ctx, tx, &ob, id); err != nil {
			return fmt.Errorf("submit obligation %d: %w", id, err)
		}
		if err := addEvent(ctx, tx, actor, event{campaignID: ob.CampaignID, obligationID: id, orgID: ob.OrgID, kind: "submitted", from: old.Status, to: Submitted, note: f.Name}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "campaign.submit", ObjectType: "campaign_obligation", ObjectID: id, OrgID: ob.OrgID,
			Old: map[string]any{"status": old.Stored}, New: map[string]any{"status": Submitted, "file": f, "note": note}}); err != nil {
			return err
		}
		v, err = getObligation(ctx, tx, actor, id)
		return err
	})
	return v, err
}

// Review is the coordinator's decision on a submission.
type Review struct {
	Accept  bool   `json:"-"`
	Comment string `json:"comment"`
}

// ReviewObligation accepts a submitted obligation or returns it with a
// comment saying what to do again.
func ReviewObligation(ctx context.Context, db *storage.Store, actor access.Actor, id int64, r Review) (ObligationView, error) {
	r.Comment = strings.TrimSpace(r.Comment)
	var v ObligationView
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := getObligation(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := CheckManage(actor); err != nil {
			return err
		}
		if !r.Accept && r.Comment == "" {
			return validation.Invalid("comment", "campaign.err.comment_required")
		}
		if utf8.RuneCountInString(r.Comment) > maxField {
			return validation.Invalid("comment", "campaign.err.long", maxField)
		}
		if !CanReview(old.Stored) {
			return validation.Invalid("status", "campaign.err.not_submitted")
		}
		to, kind := Returned, "returned"
		if r.Accept {
			to, kind = Accepted, "accepted"
		}
		now := tx.Now()
		ob := old.Obligation
		ob.Status, ob.ReviewedAt, ob.Comment, ob.Actor, ob.UpdatedAt = to, &now, r.Comment, actor.Email, now
		if err := obligationTable.Update(ctx, tx, &ob, id); err != nil {
			return fmt.Errorf("review obligation %d: %w", id, err)
		}
		if err := addEvent(ctx, tx, actor, event{campaignID: ob.CampaignID, obligationID: id, orgID: ob.OrgID, kind: kind, from: Submitted, to: to, note: r.Comment}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "campaign." + kind, ObjectType: "campaign_obligation", ObjectID: id, OrgID: ob.OrgID,
			Old: map[string]any{"status": old.Stored}, New: map[string]any{"status": to, "comment": r.Comment}}); err != nil {
			return err
		}
		v, err = getObligation(ctx, tx, actor, id)
		return err
	})
	return v, err
}

func listFiles(ctx context.Context, q storage.Querier, obligationID int64) ([]File, error) {
	files, err := storage.Collect[File](q.Query(ctx, "SELECT id, sha256, name, content_type, size, actor, created_at FROM campaign_files WHERE obligation_id = ? ORDER BY id", obligationID))(func(r storage.Scanner) (File, error) {
		var f File
		return f, r.Scan(&f.ID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.Actor, storage.UTC{P: &f.At})
	})
	if err != nil {
		return nil, fmt.Errorf("files of obligation %d: %w", obligationID, err)
	}
	return files, nil
}

// ReadFile returns a submitted file of an obligation the actor sees; the
// download is audited.
func ReadFile(ctx context.Context, db *storage.Store, actor access.Actor, obligationID, fileID int64) (File, []byte, error) {
	var f File
	var data []byte
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		v, err := getObligation(ctx, tx, actor, obligationID)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT f.id, f.sha256, f.name, f.content_type, f.size, f.actor, f.created_at, b.data
			FROM campaign_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.id = ? AND f.obligation_id = ?`, fileID, obligationID).
			Scan(&f.ID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.Actor, storage.UTC{P: &f.At}, &data)
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("submitted file %d: %w", fileID, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "campaign.download", ObjectType: "campaign_file", ObjectID: fileID, OrgID: v.OrgID,
			New: map[string]any{"obligation_id": obligationID, "name": f.Name}})
	})
	return f, data, err
}

// events lists a campaign's or an obligation's changes the actor sees
// (changes to obligations of organisations in its scope, and the
// campaign's own), newest first, since a time when it is not zero.
func events(ctx context.Context, q storage.Querier, actor access.Actor, cond string, id int64, since time.Time) ([]Event, error) {
	scope, args := actor.OrgFilter("o.path")
	query := `SELECT e.id, e.at, e.actor, e.kind, COALESCE(e.obligation_id, 0), COALESCE(e.org_id, 0), COALESCE(o.code, ''), e.from_status, e.to_status, e.note
		FROM campaign_events e LEFT JOIN orgs o ON o.id = e.org_id WHERE ` + cond + ` AND (e.org_id IS NULL OR ` + scope + `)`
	all := append([]any{id}, args...)
	if !since.IsZero() {
		query += " AND e.at >= ?"
		all = append(all, since)
	}
	out, err := storage.Collect[Event](q.Query(ctx, query+" ORDER BY e.at DESC, e.id DESC LIMIT 200", all...))(func(r storage.Scanner) (Event, error) {
		var e Event
		return e, r.Scan(&e.ID, storage.UTC{P: &e.At}, &e.Actor, &e.Kind, &e.ObligationID, &e.OrgID, &e.OrgCode, &e.From, &e.To, &e.Note)
	})
	if err != nil {
		return nil, fmt.Errorf("campaign events: %w", err)
	}
	return out, nil
}
