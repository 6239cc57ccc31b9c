package finding

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// ImportRequest says where a file's findings go.
type ImportRequest struct {
	Format   string // "" or "auto": detected from the content
	SystemID int64  // every finding goes to this system
	OrgID    int64  // hosts are matched among this organisation's assets only
	FileName string
	ImportID int64 // the finding_imports row that tracks the import; 0: none
}

// Opener opens the file (again): an import reads it twice, once to check
// all of it and once to write.
type Opener func() (io.ReadCloser, error)

// Limits of one import, so that memory stays bounded whatever the file.
const (
	// MaxObservations is the most findings one file may hold; the import
	// keeps a 16-byte fingerprint of each to verify what is gone.
	MaxObservations = 2_000_000
	// chunkSize observations are written per transaction: other writers
	// get their turn between chunks, and an import that stops part way
	// resumes after the last chunk it wrote.
	chunkSize = 5000
	// inBatch bounds the values of one IN (…) list.
	inBatch = 500
)

// importScope is what an import may touch: the system every finding goes
// to, or the index of the registered assets the caller may scan, and
// whether unmatched hosts may go to the unassigned queue (city-level roles
// only; an agency's auditor cannot create what they would not see).
type importScope struct {
	forced     Match
	index      *Index
	unassigned bool
	where      string // the findings an import may verify: a condition on f.
	args       []any
}

func loadScope(ctx context.Context, q storage.Querier, actor access.Actor, req ImportRequest) (importScope, error) {
	var sc importScope
	if req.SystemID != 0 {
		var path string
		err := q.QueryRow(ctx, "SELECT s.org_id, s.level, o.path FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?", req.SystemID).Scan(&sc.forced.OrgID, &sc.forced.Level, &path)
		if storage.IsNoRows(err) || err == nil && !actor.InScope(path) {
			return sc, access.ErrNotFound
		}
		if err != nil {
			return sc, fmt.Errorf("import scope: %w", err)
		}
		if err := actor.Check(access.Scan, path); err != nil {
			return sc, err
		}
		sc.forced.SystemID = req.SystemID
		sc.where, sc.args = "f.system_id = ?", []any{req.SystemID}
		return sc, nil
	}
	cond, args := actor.OrgFilter("o.path")
	if req.OrgID != 0 {
		path, err := identity.CheckOrg(ctx, q, actor, access.Scan, req.OrgID)
		if err != nil {
			return sc, err
		}
		cond, args = "o.path LIKE ?", []any{path + "%"}
	} else if !actor.CanSomewhere(access.Scan) {
		return sc, access.Denied(actor.Role, access.Scan)
	}
	targets, err := storage.Collect[Target](q.Query(ctx, `SELECT a.id, sa.system_id, s.org_id, s.level, a.kind, a.value, a.hostname, a.ips, o.path
		FROM assets a JOIN system_assets sa ON sa.asset_id = a.id JOIN systems s ON s.id = sa.system_id JOIN orgs o ON o.id = s.org_id
		WHERE s.archived_at IS NULL AND `+cond, args...))(func(r storage.Scanner) (Target, error) {
		var t Target
		var ips, path string
		err := r.Scan(&t.AssetID, &t.SystemID, &t.OrgID, &t.Level, &t.Kind, &t.Value, &t.Hostname, &ips, &path)
		if ips != "" {
			t.IPs = strings.Split(ips, ",")
		}
		if err == nil && !actor.Can(access.Scan, path) {
			t.SystemID = 0 // readable but not the caller's to scan: dropped below
		}
		return t, err
	})
	if err != nil {
		return sc, fmt.Errorf("import scope: %w", err)
	}
	targets = slices.DeleteFunc(targets, func(t Target) bool { return t.SystemID == 0 })
	sc.index = NewIndex(targets)
	sc.unassigned = req.OrgID == 0 && actor.Global() && actor.Can(access.Scan, "/")
	sc.where = "(f.org_id IN (SELECT o.id FROM orgs o WHERE " + cond + ")"
	sc.args = args
	if sc.unassigned {
		sc.where += " OR f.org_id IS NULL"
	}
	sc.where += ")"
	return sc, nil
}

// pending is an observation on its way to the database.
type pending struct {
	f      Finding
	record int
	match  Match
}

// importer carries an import from chunk to chunk.
type importer struct {
	db                       *storage.Store
	actor                    access.Actor
	req                      ImportRequest
	scope                    importScope
	policy                   Policy
	vulns                    Enricher
	now                      time.Time
	sum                      Summary
	seen                     map[[16]byte]struct{}
	reached                  map[string]struct{} // hosts the file's tools reached
	tools                    map[string]struct{}
	hostless                 bool // the file has findings without a host (code, images)
	chunk                    []pending
	resume                   int // records already written by an earlier run of this import
	record                   int
	reopenedIDs, verifiedIDs []int64
	hunts                    map[int64]int64 // system → its open hunt, as far as this import knows
	since                    time.Time       // a stream's start: what was seen before is not seen by it
}

// hunt links findings that let an attacker in to their system's open
// hunt, opening one (for the first of them) when there is none.
func (im *importer) hunt(ctx context.Context, tx *storage.Tx, systemID int64, findings []int64) (bool, error) {
	id, known := im.hunts[systemID]
	opened := false
	if !known {
		var err error
		if id, opened, err = hunt.Open(ctx, tx, im.actor, systemID, findings[0], im.now); err != nil {
			return false, err
		}
		im.hunts[systemID] = id
	}
	for part := range slices.Chunk(findings, inBatch) {
		if _, err := tx.Exec(ctx, "UPDATE findings SET hunt_id = ? WHERE id IN ("+marks(len(part))+")", append([]any{id}, anys(part)...)...); err != nil {
			return false, fmt.Errorf("link findings to hunt %d: %w", id, err)
		}
	}
	return opened, nil
}

// Import reads a scanner or audit file and brings its findings in: each
// matched to the system of its host, deduplicated by fingerprint, with the
// findings no longer seen on the hosts the file reached verified. The whole
// file is parsed and checked before anything is written, so a bad file
// writes nothing; then it is written in chunks, each with the import's
// progress, so an import that stops part way (a killed server) resumes
// where it stopped without duplicates.
func Import(ctx context.Context, db *storage.Store, actor access.Actor, req ImportRequest, open Opener, vulns Enricher, progress func(done, total int)) (Summary, error) {
	return importWith(ctx, db, actor, req, open, vulns, progress, source.Parse)
}

// parser reads a file in a format (source.Parse; tests give their own).
type parser func(ctx context.Context, r io.Reader, format string, h source.Handler) (string, error)

func importWith(ctx context.Context, db *storage.Store, actor access.Actor, req ImportRequest, open Opener, vulns Enricher, progress func(done, total int), parse parser) (Summary, error) {
	if vulns == nil {
		vulns = noEnrichment{}
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	im := &importer{db: db, actor: actor, req: req, vulns: vulns, now: db.Now(), sum: Summary{Skips: []Skip{}},
		seen: map[[16]byte]struct{}{}, reached: map[string]struct{}{}, tools: map[string]struct{}{}, hunts: map[int64]int64{}}
	var err error
	if im.scope, err = loadScope(ctx, db, actor, req); err != nil {
		return im.sum, err
	}
	if im.policy, err = LoadPolicy(ctx, db); err != nil {
		return im.sum, err
	}
	total, format, err := validateFile(ctx, open, req.Format, vulns, parse)
	if err != nil {
		return im.sum, err
	}
	im.sum.Format, im.sum.Read = format, total
	if req.ImportID != 0 {
		if im.resume, err = im.resumePoint(ctx); err != nil {
			return im.sum, err
		}
	}
	r, err := open()
	if err != nil {
		return im.sum, fmt.Errorf("open the file: %w", err)
	}
	defer r.Close()
	_, err = parse(ctx, r, format, source.Handler{
		Finding: func(o source.Observation) error {
			im.record++
			if err := ctx.Err(); err != nil {
				return err
			}
			f, err := FromObservation(o, vulns)
			if err != nil {
				return err // validateFile read the same file without error
			}
			im.take(f, o.SeenAt)
			if len(im.chunk) >= chunkSize {
				if err := im.flush(ctx); err != nil {
					return err
				}
				progress(im.record, total)
			}
			return nil
		},
		Reached: func(h source.Host) error {
			for _, s := range []string{normaliseHost(h.Host), normaliseIP(h.IP)} {
				if s != "" {
					im.reached[s] = struct{}{}
				}
			}
			return nil
		},
	})
	if err == nil {
		err = im.flush(ctx)
	}
	if err != nil {
		return im.sum, err
	}
	progress(total, total)
	return im.sum, im.finish(ctx)
}

// validateFile parses the whole file without writing: the format, the number of
// observations and the first error, named by its record.
func validateFile(ctx context.Context, open Opener, format string, vulns Enricher, parse parser) (int, string, error) {
	r, err := open()
	if err != nil {
		return 0, "", fmt.Errorf("open the file: %w", err)
	}
	defer r.Close()
	n := 0
	name, err := parse(ctx, r, format, source.Handler{Finding: func(o source.Observation) error {
		n++
		if n > MaxObservations {
			return validation.Invalid("file", "finding.err.too_many", MaxObservations)
		}
		if _, err := FromObservation(o, vulns); err != nil {
			return validation.Invalid("file", "finding.err.record", n, err.Error())
		}
		return nil
	}})
	if errors.Is(err, source.ErrUnknownFormat) {
		return 0, "", validation.Invalid("format", "finding.err.format", err.Error())
	}
	var pe *source.ParseError
	if errors.As(err, &pe) {
		return 0, "", validation.Invalid("file", "finding.err.parse", pe.Error())
	}
	return n, name, err
}

// take matches one finding to its system and queues it.
func (im *importer) take(f Finding, seenAt time.Time) {
	key := fingerprintKey(f.Fingerprint)
	if f.Host == "" {
		im.hostless = true
	} else {
		im.reached[f.Host] = struct{}{}
		if f.IP != "" {
			im.reached[f.IP] = struct{}{}
		}
	}
	im.tools[f.Tool] = struct{}{}
	if _, dup := im.seen[key]; dup {
		return // the same issue twice in one file
	}
	im.seen[key] = struct{}{}
	if im.record <= im.resume {
		return // written by the run that stopped
	}
	m := im.scope.forced
	if m.SystemID == 0 {
		m = im.scope.index.Find(f.Host, f.IP, f.URL)
		if m.SystemID == 0 && !im.scope.unassigned {
			im.sum.skip(im.record, f.Host, "finding.skip.outside_scope")
			return
		}
	}
	if seenAt.IsZero() || seenAt.After(im.now) {
		seenAt = im.now
	}
	f.FirstSeen, f.LastSeen = seenAt.UTC().Truncate(time.Microsecond), seenAt.UTC().Truncate(time.Microsecond)
	im.chunk = append(im.chunk, pending{f: f, record: im.record, match: m})
}

func fingerprintKey(fp string) [16]byte {
	var k [16]byte
	hex.Decode(k[:], []byte(fp))
	return k
}

// resumePoint reads how far an earlier run of this import got.
func (im *importer) resumePoint(ctx context.Context) (int, error) {
	var done int
	var summary string
	err := im.db.QueryRow(ctx, "SELECT progress, summary FROM finding_imports WHERE id = ?", im.req.ImportID).Scan(&done, &summary)
	if err != nil {
		return 0, fmt.Errorf("import %d: %w", im.req.ImportID, err)
	}
	if summary != "" && done > 0 {
		if err := json.Unmarshal([]byte(summary), &im.sum); err != nil {
			return 0, fmt.Errorf("import %d summary: %w", im.req.ImportID, err)
		}
	}
	return done, nil
}

// flush writes the queued findings in one transaction, with the import's progress.
func (im *importer) flush(ctx context.Context) error {
	if len(im.chunk) == 0 && im.req.ImportID == 0 {
		return nil
	}
	err := im.db.InTx(ctx, func(tx *storage.Tx) error {
		if err := tx.PreferIndexes(ctx); err != nil {
			return err
		}
		delta, err := im.write(ctx, tx, im.chunk)
		if err != nil {
			return err
		}
		next := im.sum
		next.add(delta)
		if err := im.saveProgress(ctx, tx, next, "running"); err != nil {
			return err
		}
		im.sum = next
		return nil
	})
	im.chunk = im.chunk[:0]
	return err
}

func (im *importer) saveProgress(ctx context.Context, tx *storage.Tx, s Summary, status string) error {
	if im.req.ImportID == 0 {
		return nil
	}
	js, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "UPDATE finding_imports SET progress = ?, summary = ?, status = ?, format = ? WHERE id = ?", im.record, string(js), status, s.Format, im.req.ImportID)
	return err
}

// write brings one chunk in: new findings inserted in batches, seen ones
// updated, reopened ones given their history, sources recorded and threat
// hunts opened.
func (im *importer) write(ctx context.Context, tx *storage.Tx, chunk []pending) (Summary, error) {
	var s Summary
	fps := make([]string, len(chunk))
	for i, p := range chunk {
		fps[i] = p.f.Fingerprint
	}
	old, err := loadStored(ctx, tx, fps)
	if err != nil {
		return s, err
	}
	ids := map[string]int64{}
	counts := tally{}
	var hunters []pending
	ins := tx.NewBatch("findings", findingTable.Names()...).IDs("fingerprint", func(fp string, id int64) { ids[fp] = id })
	for i := range chunk {
		p := &chunk[i]
		f := &p.f
		f.Priority, _ = Priority(*f, p.match.Level)
		st, ok := old[f.Fingerprint]
		if !ok {
			f.SystemID, f.OrgID, f.AssetID = p.match.SystemID, p.match.OrgID, p.match.AssetID
			f.Status, f.TimesSeen, f.LastImport = New, 1, im.req.ImportID
			f.StatusAt, f.CreatedAt, f.UpdatedAt = im.now, im.now, im.now
			f.AssigneeOrg = f.OrgID
			f.DueDate = im.policy.Due(f.Severity, p.match.Level, f.FirstSeen, zone)
			if err := ins.Add(ctx, findingTable.Values(f)...); err != nil {
				return s, err
			}
			s.Created++
			counts.add(f.SystemID, f.OrgID, f.Severity, New, 1)
			if f.SystemID == 0 {
				s.Unassigned++
			} else if LetsAttackerIn(*f) {
				hunters = append(hunters, *p)
			}
			continue
		}
		ids[f.Fingerprint] = st.ID
		status, what := observe(st, *f, f.LastSeen)
		switch what {
		case unchanged:
			s.Unchanged++
			continue
		case reopened:
			s.Reopened++
			im.reopenedIDs = append(im.reopenedIDs, st.ID)
			if err := addEvent(ctx, tx, st.ID, im.actor, "import", st.Status, Reopened, "", im.req.ImportID); err != nil {
				return s, err
			}
			if st.SystemID != 0 && st.HuntID == 0 && LetsAttackerIn(*f) {
				p.match.SystemID, p.f.ID, p.f.SystemID = st.SystemID, st.ID, st.SystemID
				hunters = append(hunters, *p)
			}
		default:
			s.Updated++
		}
		counts.move(st.SystemID, st.OrgID, Severity(st.Severity), st.Status, f.Severity, status)
		lastSeen := f.LastSeen
		if lastSeen.Before(st.LastSeen) {
			lastSeen = st.LastSeen
		}
		_, err := tx.Exec(ctx, `UPDATE findings SET last_seen = ?, times_seen = times_seen + ?, severity = ?, severity_rank = ?, title = ?, evidence = ?,
			priority = ?, kev = ?, epss = ?, last_import_id = ?, updated_at = ? WHERE id = ?`,
			lastSeen, b2i(f.LastSeen.After(st.LastSeen)), string(f.Severity), f.Severity.Rank(), f.Title, f.Evidence,
			f.Priority, f.KEV, f.EPSS, storage.OptionalID{P: &im.req.ImportID}, im.now, st.ID)
		if err != nil {
			return s, fmt.Errorf("update finding %d: %w", st.ID, err)
		}
		if what == reopened {
			// A verified or closed finding that comes back is a regression;
			// a claimed fix that never held is simply reopened.
			if err := setStatus(ctx, tx, st.ID, status, st.Status != Fixed, im.now); err != nil {
				return s, err
			}
		}
	}
	if err := ins.Flush(ctx); err != nil {
		return s, err
	}
	if err := counts.apply(ctx, tx); err != nil {
		return s, err
	}
	if err := writeCVEs(ctx, tx, chunk, old, ids); err != nil {
		return s, err
	}
	if err := im.writeSources(ctx, tx, chunk, ids); err != nil {
		return s, err
	}
	bySystem := map[int64][]int64{}
	for _, p := range hunters {
		bySystem[p.match.SystemID] = append(bySystem[p.match.SystemID], ids[p.f.Fingerprint])
	}
	for systemID, findings := range bySystem {
		opened, err := im.hunt(ctx, tx, systemID, findings)
		if err != nil {
			return s, err
		}
		if opened {
			s.Hunts++
		}
	}
	return s, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// loadStored reads the stored findings of these fingerprints.
func loadStored(ctx context.Context, q storage.Querier, fps []string) (map[string]stored, error) {
	out := make(map[string]stored, len(fps))
	for part := range slices.Chunk(fps, inBatch) {
		rows, err := q.Query(ctx, `SELECT id, fingerprint, system_id, org_id, status, last_seen, severity, title, evidence, priority, hunt_id FROM findings WHERE fingerprint IN (`+marks(len(part))+`)`, anys(part)...)
		err = storage.Each(rows, err, func(r storage.Scanner) error {
			var st stored
			var fp string
			if err := r.Scan(&st.ID, &fp, storage.OptionalID{P: &st.SystemID}, storage.OptionalID{P: &st.OrgID}, (*string)(&st.Status), storage.UTC{P: &st.LastSeen}, &st.Severity, &st.Title, &st.Evidence, &st.Priority, storage.OptionalID{P: &st.HuntID}); err != nil {
				return err
			}
			out[fp] = st
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read findings: %w", err)
		}
	}
	return out, nil
}

// writeCVEs indexes the CVEs of the chunk's new findings.
func writeCVEs(ctx context.Context, tx *storage.Tx, chunk []pending, old map[string]stored, ids map[string]int64) error {
	ins := tx.NewBatch("finding_cves", "cve", "finding_id")
	for _, p := range chunk {
		if _, known := old[p.f.Fingerprint]; known {
			continue
		}
		for _, cve := range p.f.CVEs {
			if err := ins.Add(ctx, cve, ids[p.f.Fingerprint]); err != nil {
				return err
			}
		}
	}
	return ins.Flush(ctx)
}

// writeSources records which tool and rule saw each finding: a new pair
// is inserted, a known one gets its last sighting.
func (im *importer) writeSources(ctx context.Context, tx *storage.Tx, chunk []pending, ids map[string]int64) error {
	type key struct {
		id         int64
		tool, rule string
	}
	known := map[key]time.Time{}
	idList := make([]any, 0, len(ids))
	for _, id := range ids {
		idList = append(idList, id)
	}
	for part := range slices.Chunk(idList, inBatch) {
		rows, err := tx.Query(ctx, "SELECT finding_id, tool, rule_id, last_seen FROM finding_sources WHERE finding_id IN ("+marks(len(part))+")", part...)
		err = storage.Each(rows, err, func(r storage.Scanner) error {
			var k key
			var at time.Time
			err := r.Scan(&k.id, &k.tool, &k.rule, storage.UTC{P: &at})
			known[k] = at
			return err
		})
		if err != nil {
			return fmt.Errorf("read finding sources: %w", err)
		}
	}
	ins := tx.NewBatch("finding_sources", "finding_id", "tool", "rule_id", "first_seen", "last_seen", "times_seen", "last_import_id")
	for _, p := range chunk {
		k := key{ids[p.f.Fingerprint], p.f.Tool, p.f.CheckID}
		at, ok := known[k]
		switch {
		case !ok:
			known[k] = p.f.LastSeen
			if err := ins.Add(ctx, k.id, k.tool, k.rule, p.f.LastSeen, p.f.LastSeen, 1, storage.OptionalID{P: &im.req.ImportID}); err != nil {
				return err
			}
		case p.f.LastSeen.After(at):
			if _, err := tx.Exec(ctx, "UPDATE finding_sources SET last_seen = ?, times_seen = times_seen + 1, last_import_id = ? WHERE finding_id = ? AND tool = ? AND rule_id = ?",
				p.f.LastSeen, storage.OptionalID{P: &im.req.ImportID}, k.id, k.tool, k.rule); err != nil {
				return fmt.Errorf("update finding source: %w", err)
			}
		}
	}
	return ins.Flush(ctx)
}

// finish verifies what the file's tools no longer see on the hosts they
// reached, and audits the import.
func (im *importer) finish(ctx context.Context) error {
	return im.db.InTx(ctx, func(tx *storage.Tx) error {
		if err := im.verifyIn(ctx, tx); err != nil {
			return err
		}
		if err := im.saveProgress(ctx, tx, im.sum, "done"); err != nil {
			return err
		}
		if im.req.ImportID != 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM finding_import_parts WHERE import_id = ?", im.req.ImportID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE finding_imports SET finished_at = ? WHERE id = ?", im.now, im.req.ImportID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, im.actor, audit.Change{Action: "finding.import", ObjectType: "finding_import", ObjectID: im.req.ImportID,
			OrgID: im.scope.forced.OrgID, New: map[string]any{"file": im.req.FileName, "system_id": im.req.SystemID, "org_id": im.req.OrgID,
				"summary": im.sum, "reopened": capIDs(im.reopenedIDs), "verified": capIDs(im.verifiedIDs)}})
	})
}

// verifyIn verifies what the tools no longer see on the hosts reached:
// the findings on them that the file did not list or, for a stream (since
// set), that were last seen before the scan began.
func (im *importer) verifyIn(ctx context.Context, tx *storage.Tx) error {
	if err := tx.PreferIndexes(ctx); err != nil {
		return err
	}
	counts := tally{}
	hosts := make([]any, 0, len(im.reached)+1)
	for h := range im.reached {
		hosts = append(hosts, h)
	}
	if im.hostless && im.req.SystemID != 0 {
		hosts = append(hosts, "")
	}
	for tool := range im.tools {
		for part := range slices.Chunk(hosts, inBatch) {
			args := append([]any{tool}, part...)
			args = append(args, im.scope.args...)
			cond := ""
			if !im.since.IsZero() {
				cond, args = " AND f.last_seen < ?", append(args, im.since)
			}
			cands, err := storage.Collect[stored](tx.Query(ctx, `SELECT f.id, f.fingerprint, f.status, f.severity, f.system_id, f.org_id FROM findings f
				WHERE f.id IN (SELECT finding_id FROM finding_sources WHERE tool = ?) AND f.host IN (`+marks(len(part))+`) AND f.status IN ('new', 'reopened', 'confirmed', 'in_remediation', 'fixed') AND `+im.scope.where+cond, args...))(func(r storage.Scanner) (stored, error) {
				var st stored
				var fp string
				err := r.Scan(&st.ID, &fp, (*string)(&st.Status), &st.Severity, storage.OptionalID{P: &st.SystemID}, storage.OptionalID{P: &st.OrgID})
				st.Title = fp
				return st, err
			})
			if err != nil {
				return fmt.Errorf("findings to verify: %w", err)
			}
			for _, st := range cands {
				if _, ok := im.seen[fingerprintKey(st.Title)]; ok && im.since.IsZero() {
					continue
				}
				if err := setStatus(ctx, tx, st.ID, Verified, false, im.now); err != nil {
					return err
				}
				if err := addEvent(ctx, tx, st.ID, im.actor, "import", st.Status, Verified, "", im.req.ImportID); err != nil {
					return err
				}
				im.sum.Closed++
				im.verifiedIDs = append(im.verifiedIDs, st.ID)
				counts.move(st.SystemID, st.OrgID, Severity(st.Severity), st.Status, Severity(st.Severity), Verified)
			}
		}
	}
	return counts.apply(ctx, tx)
}

// capIDs keeps the audit entry of a large import readable.
func capIDs(ids []int64) []int64 { return ids[:min(len(ids), 1000)] }

func setStatus(ctx context.Context, tx *storage.Tx, id int64, to Status, regression bool, now time.Time) error {
	_, err := tx.Exec(ctx, "UPDATE findings SET status = ?, regression = ?, status_changed_at = ?, updated_at = ? WHERE id = ?", string(to), regression, now, now, id)
	if err != nil {
		return fmt.Errorf("finding %d status: %w", id, err)
	}
	return nil
}

func addEvent(ctx context.Context, tx *storage.Tx, findingID int64, actor access.Actor, kind string, from, to Status, note string, importID int64) error {
	_, err := tx.Exec(ctx, "INSERT INTO finding_events (finding_id, at, actor, user_id, kind, from_status, to_status, note, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		findingID, tx.Now(), actor.Email, storage.OptionalID{P: &actor.UserID}, kind, string(from), string(to), note, storage.OptionalID{P: &importID})
	if err != nil {
		return fmt.Errorf("finding %d history: %w", findingID, err)
	}
	return nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// ImportObservations brings in observations already read — a finding
// entered by hand, the demo's findings — exactly as a file would.
func ImportObservations(ctx context.Context, db *storage.Store, actor access.Actor, req ImportRequest, obs []source.Observation, vulns Enricher) (Summary, error) {
	parse := func(_ context.Context, _ io.Reader, _ string, h source.Handler) (string, error) {
		for _, o := range obs {
			if err := h.Finding(o); err != nil {
				return "manual", err
			}
		}
		return "manual", nil
	}
	none := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("")), nil }
	return importWith(ctx, db, actor, req, none, vulns, nil, parse)
}
