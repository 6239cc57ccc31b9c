package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
)

// Org is an organisation in the province's tree.
type Org struct {
	ID         int64      `json:"id"`
	ParentID   int64      `json:"parent_id,omitempty"`
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	Path       string     `json:"path"`
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Organisation kinds, from the top of the tree down.
const (
	OrgProvince   = "province"
	OrgDepartment = "department"
	OrgDistrict   = "district"
	OrgCommune    = "commune"
	OrgUnit       = "unit"
)

// createOrg inserts an organisation under parent (nil for the root) and sets
// its materialised path, auditing the creation.
func (t *Tx) createOrg(ctx context.Context, actor access.Actor, o *Org, parentPath string) error {
	now := t.s.now()
	id, err := t.InsertID(ctx, `INSERT INTO orgs (parent_id, code, name, name_search, kind, path, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, '', ?, ?)`, nullID(o.ParentID), o.Code, o.Name, i18n.Fold(o.Name), o.Kind, now, now)
	if err != nil {
		return fmt.Errorf("create organisation %s: %w", o.Code, err)
	}
	if parentPath == "" {
		parentPath = "/"
	}
	path := parentPath + strconv.FormatInt(id, 10) + "/"
	if _, err := t.Exec(ctx, "UPDATE orgs SET path = ? WHERE id = ?", path, id); err != nil {
		return fmt.Errorf("create organisation %s: set path: %w", o.Code, err)
	}
	o.ID, o.Path, o.CreatedAt, o.UpdatedAt = id, path, now, now
	return t.Audit(ctx, actor, Change{Action: "org.create", ObjectType: "org", ObjectID: id, OrgID: id, New: o})
}
