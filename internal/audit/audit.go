// Package audit is the tamper-evident audit log: a hash chain of every
// change, login, export and download. Capabilities call Record in the same
// transaction as their change, so a change and its audit entry are written
// together or not at all.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Entry is one line of the audit log.
type Entry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"`
	Actor      string    `json:"actor"`
	IP         string    `json:"ip,omitempty"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	OrgID      int64     `json:"org_id,omitempty"`
	Details    Details   `json:"details,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
	HashKind   string    `json:"hash_kind"`
}

// Hash kinds: entries written with the audit key are signed (HMAC-SHA256);
// entries from before Khiên had a key keep their plain SHA-256.
const (
	PlainHash = "sha256"
	KeyedHash = "hmac-sha256"
)

// Details are an entry's old and new values, {"old":…,"new":…}: stored
// (and hashed) as the JSON text, sent in the API as the object itself.
type Details string

// MarshalJSON writes the stored JSON as it is: an object, not a string.
func (d Details) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	if !json.Valid([]byte(d)) {
		return nil, fmt.Errorf("audit details are not JSON: %.40q", string(d))
	}
	return []byte(d), nil
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

// Record appends an entry for change by actor to the audit log inside the
// transaction. The chain is serialised: on PostgreSQL an advisory lock stops
// two replicas from appending after the same entry; SQLite has one writer.
func Record(ctx context.Context, tx *storage.Tx, actor access.Actor, c Change) error {
	if tx.Dialect().Name() == "postgres" {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7173)"); err != nil {
			return fmt.Errorf("audit lock: %w", err)
		}
	}
	details, err := auditDetails(c)
	if err != nil {
		return err
	}
	prev, prevKind := genesisHash, PlainHash
	err = tx.QueryRow(ctx, "SELECT hash, hash_kind FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&prev, &prevKind)
	if err != nil && !storage.IsNoRows(err) {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	key := tx.AuditKey()
	kind := KeyedHash
	if key == nil {
		// A plain entry after signed ones would read as a recomputed chain.
		if prevKind == KeyedHash {
			return fmt.Errorf("audit %s: %w", c.Action, ErrNoKey)
		}
		kind = PlainHash
	}
	e := Entry{
		At:         tx.Now(),
		ActorID:    actor.UserID,
		Actor:      actor.Email,
		IP:         actor.IP,
		Action:     c.Action,
		ObjectType: c.ObjectType,
		OrgID:      c.OrgID,
		Details:    details,
		PrevHash:   prev,
		HashKind:   kind,
	}
	if c.ObjectID != 0 {
		e.ObjectID = strconv.FormatInt(c.ObjectID, 10)
	}
	e.Hash = e.ComputeHash(key)
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor, ip, action, object_type, object_id, org_id, details, prev_hash, hash, hash_kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At, storage.NullID(e.ActorID), e.Actor, e.IP, e.Action, e.ObjectType, e.ObjectID, storage.NullID(e.OrgID), e.Details, e.PrevHash, e.Hash, e.HashKind)
	if err != nil {
		return fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return nil
}

// Write appends one entry in a transaction of its own (logins, exports:
// events that change nothing else).
func Write(ctx context.Context, db *storage.Store, actor access.Actor, c Change) error {
	return db.InTx(ctx, func(tx *storage.Tx) error { return Record(ctx, tx, actor, c) })
}

func auditDetails(c Change) (Details, error) {
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
	return Details(b), nil
}

// ComputeHash is the entry's hash over its previous hash and its fields, in a
// fixed order with lengths, so no two different entries share an encoding:
// HMAC-SHA256 with key for a keyed entry, plain SHA-256 for an older one.
func (e Entry) ComputeHash(key []byte) string {
	fields := []string{
		e.PrevHash,
		e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.ActorID, 10),
		e.Actor, e.IP, e.Action, e.ObjectType, e.ObjectID,
		strconv.FormatInt(e.OrgID, 10),
		string(e.Details),
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
	}
	if e.HashKind == KeyedHash {
		return sign(key, b.String())
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Query filters the audit log. Zero values do not filter.
type Query struct {
	Actor      string // e-mail address, substring
	Action     string // prefix: "user." matches every user action
	ObjectType string
	ObjectID   string
	OrgID      int64
	From, To   time.Time
}

const auditColumns = "a.id, a.at, a.actor_id, a.actor, a.ip, a.action, a.object_type, a.object_id, a.org_id, a.details, a.prev_hash, a.hash, a.hash_kind"

func scanEntry(row storage.Scanner) (Entry, error) {
	var e Entry
	var actorID, orgID sql.NullInt64
	err := row.Scan(&e.ID, &e.At, &actorID, &e.Actor, &e.IP, &e.Action, &e.ObjectType, &e.ObjectID, &orgID, &e.Details, &e.PrevHash, &e.Hash, &e.HashKind)
	e.At, e.ActorID, e.OrgID = e.At.UTC(), actorID.Int64, orgID.Int64
	return e, err
}

// auditOrder is newest first.
var auditOrder = storage.Keyset{ID: "a.id", Desc: true}

// List returns page p of the audit entries matching q, newest first, for
// those allowed to read the log (administrators and coordinators).
func List(ctx context.Context, db storage.Querier, actor access.Actor, q Query, p storage.Page) (storage.Paged[Entry], error) {
	if !actor.Global() || !actor.Can(access.ReadAudit, "/") {
		return storage.Paged[Entry]{}, fmt.Errorf("audit log: %w", access.Denied(actor.Role, access.ReadAudit))
	}
	w := storage.NewWhere("1=1")
	if q.Actor != "" {
		w.Add("lower(a.actor) LIKE ?", "%"+strings.ToLower(q.Actor)+"%")
	}
	if q.Action != "" {
		w.Add("a.action LIKE ?", q.Action+"%")
	}
	if q.ObjectType != "" {
		w.Add("a.object_type = ?", q.ObjectType)
	}
	if q.ObjectID != "" {
		w.Add("a.object_id = ?", q.ObjectID)
	}
	if q.OrgID != 0 {
		w.Add("a.org_id = ?", q.OrgID)
	}
	if !q.From.IsZero() {
		w.Add("a.at >= ?", q.From)
	}
	if !q.To.IsZero() {
		w.Add("a.at < ?", q.To)
	}
	res, err := storage.List[Entry]{Select: "SELECT " + auditColumns, From: " FROM audit_log a", Where: w, Order: auditOrder, Scan: scanEntry,
		Key: func(e Entry) []any { return []any{e.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list audit log: %w", err)
	}
	return res, nil
}

// ParseQuery reads the audit log filters from the query string (the web
// page uses the same names).
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Actor: v.Get("actor"), Action: v.Get("action"), ObjectType: v.Get("object_type"), ObjectID: v.Get("object_id")}
	var es validation.Errors
	parseInt := func(field string) int64 {
		s := v.Get(field)
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			es.Add(field, "validation.non_negative")
		}
		return n
	}
	q.OrgID = parseInt("org_id")
	parseTime := func(field string, endOfDay bool) time.Time {
		s := v.Get(field)
		if s == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC()
		}
		d, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("ICT", 7*3600))
		if err != nil {
			es.Add(field, "validation.time")
			return time.Time{}
		}
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return d.UTC()
	}
	q.From, q.To = parseTime("from", false), parseTime("to", true)
	return q, es.Err()
}
