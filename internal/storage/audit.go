package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"`
	Actor      string    `json:"actor"`
	IP         string    `json:"ip,omitempty"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	OrgID      int64     `json:"org_id,omitempty"`
	Details    string    `json:"details,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Change describes an audited event: what was done to which object, and
// (for updates) the old and new values.
type Change struct {
	Action     string // e.g. "org.create", "user.login", "findings.export"
	ObjectType string
	ObjectID   int64
	OrgID      int64
	Old, New   any // marshalled to JSON; nil when not applicable
}

// genesisHash is the previous hash of the first entry.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Audit appends an entry for change by actor to the audit log inside the
// transaction. The chain is serialised: on PostgreSQL an advisory lock stops
// two replicas from appending after the same entry; SQLite has one writer.
func (t *Tx) Audit(ctx context.Context, actor access.Actor, c Change) error {
	if t.d.Name() == "postgres" {
		if _, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock(7173)"); err != nil {
			return fmt.Errorf("audit lock: %w", err)
		}
	}
	details, err := auditDetails(c)
	if err != nil {
		return err
	}
	prev := genesisHash
	err = t.QueryRow(ctx, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&prev)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	e := AuditEntry{
		At:         t.s.now(),
		ActorID:    actor.UserID,
		Actor:      actor.Email,
		IP:         actor.IP,
		Action:     c.Action,
		ObjectType: c.ObjectType,
		OrgID:      c.OrgID,
		Details:    details,
		PrevHash:   prev,
	}
	if c.ObjectID != 0 {
		e.ObjectID = strconv.FormatInt(c.ObjectID, 10)
	}
	e.Hash = e.ComputeHash()
	_, err = t.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor, ip, action, object_type, object_id, org_id, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At, nullID(e.ActorID), e.Actor, e.IP, e.Action, e.ObjectType, e.ObjectID, nullID(e.OrgID), e.Details, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return nil
}

// Audit appends one entry in a transaction of its own (logins, exports:
// events that change nothing else).
func (s *Store) Audit(ctx context.Context, actor access.Actor, c Change) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, actor, c) })
}

func auditDetails(c Change) (string, error) {
	if c.Old == nil && c.New == nil {
		return "", nil
	}
	b, err := json.Marshal(struct {
		Old any `json:"old,omitempty"`
		New any `json:"new,omitempty"`
	}{c.Old, c.New})
	if err != nil {
		return "", fmt.Errorf("audit %s: encode details: %w", c.Action, err)
	}
	return string(b), nil
}

// ComputeHash is the entry's hash over its previous hash and its fields, in a
// fixed order with lengths, so no two different entries share an encoding.
func (e AuditEntry) ComputeHash() string {
	fields := []string{
		e.PrevHash,
		e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.ActorID, 10),
		e.Actor, e.IP, e.Action, e.ObjectType, e.ObjectID,
		strconv.FormatInt(e.OrgID, 10),
		e.Details,
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// MaxAuditPage bounds one read of the audit log (a page or an export).
const MaxAuditPage = 10000

// AuditQuery filters the audit log. Zero values do not filter.
type AuditQuery struct {
	Actor      string // e-mail address, substring
	Action     string // prefix: "user." matches every user action
	ObjectType string
	ObjectID   string
	OrgID      int64
	From, To   time.Time
	BeforeID   int64 // paging: entries older than this id
	Limit      int
}

const auditColumns = "a.id, a.at, a.actor_id, a.actor, a.ip, a.action, a.object_type, a.object_id, a.org_id, a.details, a.prev_hash, a.hash"

func scanAudit(row rowScanner) (AuditEntry, error) {
	var e AuditEntry
	var actorID, orgID sql.NullInt64
	err := row.Scan(&e.ID, &e.At, &actorID, &e.Actor, &e.IP, &e.Action, &e.ObjectType, &e.ObjectID, &orgID, &e.Details, &e.PrevHash, &e.Hash)
	e.At, e.ActorID, e.OrgID = e.At.UTC(), actorID.Int64, orgID.Int64
	return e, err
}

// ListAudit returns audit entries, newest first, for those allowed to read
// the log (administrators and coordinators). next is the BeforeID of the
// following page, 0 at the end.
func (s *Store) ListAudit(ctx context.Context, actor access.Actor, q AuditQuery) (entries []AuditEntry, next int64, err error) {
	if !actor.Global() || !actor.Can(access.ReadAudit, "/") {
		return nil, 0, fmt.Errorf("audit log: %w: role %s may not read the audit log", access.ErrForbidden, actor.Role)
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	q.Limit = min(q.Limit, MaxAuditPage)
	where := []string{"1=1"}
	var args []any
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	if q.Actor != "" {
		add("lower(a.actor) LIKE ?", "%"+strings.ToLower(q.Actor)+"%")
	}
	if q.Action != "" {
		add("a.action LIKE ?", q.Action+"%")
	}
	if q.ObjectType != "" {
		add("a.object_type = ?", q.ObjectType)
	}
	if q.ObjectID != "" {
		add("a.object_id = ?", q.ObjectID)
	}
	if q.OrgID != 0 {
		add("a.org_id = ?", q.OrgID)
	}
	if !q.From.IsZero() {
		add("a.at >= ?", q.From)
	}
	if !q.To.IsZero() {
		add("a.at < ?", q.To)
	}
	if q.BeforeID != 0 {
		add("a.id < ?", q.BeforeID)
	}
	rows, err := s.query(ctx, "SELECT "+auditColumns+" FROM audit_log a WHERE "+strings.Join(where, " AND ")+" ORDER BY a.id DESC LIMIT ?", append(args, q.Limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list audit log: %w", err)
		}
		entries = append(entries, e)
	}
	if len(entries) > q.Limit {
		entries = entries[:q.Limit]
		next = entries[q.Limit-1].ID
	}
	return entries, next, rows.Err()
}

// AuditBreak is the first entry where the chain does not hold.
type AuditBreak struct {
	Entry  AuditEntry
	Reason string
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit entry %d (%s, %s by %s) %s", b.Entry.ID, b.Entry.At.Format(time.RFC3339), b.Entry.Action, b.Entry.Actor, b.Reason)
}

// VerifyAudit walks the whole chain in order. It returns how many entries it
// checked and, when the chain is broken, an *AuditBreak naming the first bad
// entry: one whose fields no longer match its hash, or whose previous hash
// is not the hash of the entry before it (a row changed, removed or inserted).
func (s *Store) VerifyAudit(ctx context.Context) (int, error) {
	rows, err := s.query(ctx, "SELECT "+auditColumns+" FROM audit_log a ORDER BY a.id")
	if err != nil {
		return 0, fmt.Errorf("verify audit log: %w", err)
	}
	defer rows.Close()
	prev, n := genesisHash, 0
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return n, fmt.Errorf("verify audit log: %w", err)
		}
		switch {
		case e.PrevHash != prev:
			return n, &AuditBreak{e, "does not follow the entry before it (an entry was removed, inserted or changed)"}
		case e.ComputeHash() != e.Hash:
			return n, &AuditBreak{e, "was changed after it was written (its hash does not match its content)"}
		}
		prev = e.Hash
		n++
	}
	return n, rows.Err()
}
