package storage

import (
	"context"
	"crypto/sha256"
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
