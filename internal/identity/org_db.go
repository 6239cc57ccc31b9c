package identity

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

const orgColumns = "o.id, o.parent_id, o.code, o.name, o.kind, o.path, o.archived_at, o.created_at, o.updated_at"

func scanOrg(row storage.Scanner) (Org, error) {
	var o Org
	var parent sql.NullInt64
	var archived sql.NullTime
	if err := row.Scan(&o.ID, &parent, &o.Code, &o.Name, &o.Kind, &o.Path, &archived, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return o, err
	}
	o.ParentID = parent.Int64
	if archived.Valid {
		t := archived.Time.UTC()
		o.ArchivedAt = &t
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, nil
}

// GetOrg returns an organisation in the actor's scope.
func GetOrg(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (Org, error) {
	o, err := scanOrg(db.QueryRow(ctx, "SELECT "+orgColumns+" FROM orgs o WHERE o.id = ?", id))
	if storage.IsNoRows(err) || (err == nil && !actor.InScope(o.Path)) {
		return Org{}, fmt.Errorf("organisation %d: %w", id, access.ErrNotFound)
	}
	if err != nil {
		return Org{}, fmt.Errorf("get organisation %d: %w", id, err)
	}
	return o, nil
}

// orgOrder is tree order: a path sorts after its parent's (the id breaks
// no tie, since paths are unique, but keeps cursors of one shape).
var orgOrder = storage.Keyset{Text: []string{"o.path"}, ID: "o.id"}

// ListOrgs returns page p of the organisations in the actor's scope in tree
// order (each parent before its children).
func ListOrgs(ctx context.Context, db storage.Querier, actor access.Actor, q OrgQuery, p storage.Page) (storage.Paged[Org], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if !q.IncludeArchived {
		w.Add("o.archived_at IS NULL")
	}
	if q.Search != "" {
		like := storage.Contains(i18n.Fold(q.Search))
		w.Add("(o.name_search LIKE ? OR lower(o.code) LIKE ?)", like, like)
	}
	res, err := storage.List[Org]{Select: "SELECT " + orgColumns, From: " FROM orgs o", Where: w, Order: orgOrder, Scan: scanOrg,
		Key: func(o Org) []any { return []any{o.Path, o.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list organisations: %w", err)
	}
	return res, nil
}

// AllOrgs is every organisation of ListOrgs (pickers and trees show them all).
func AllOrgs(ctx context.Context, db storage.Querier, actor access.Actor, q OrgQuery) ([]Org, error) {
	return storage.All(func(p storage.Page) (storage.Paged[Org], error) { return ListOrgs(ctx, db, actor, q, p) })
}

// OrgByCode returns the organisation with code (in any case, archived or
// not) in the actor's scope.
func OrgByCode(ctx context.Context, db storage.Querier, actor access.Actor, code string) (Org, error) {
	o, err := scanOrg(db.QueryRow(ctx, "SELECT "+orgColumns+" FROM orgs o WHERE lower(o.code) = lower(?)", code))
	if storage.IsNoRows(err) || (err == nil && !actor.InScope(o.Path)) {
		return Org{}, fmt.Errorf("organisation %q: %w", code, access.ErrNotFound)
	}
	if err != nil {
		return Org{}, fmt.Errorf("get organisation %q: %w", code, err)
	}
	return o, nil
}

// Subtree returns the organisation id and every organisation under it,
// archived ones included, ordered by path (each parent before its
// children): what an export or an import snapshot reads, unpaged.
func Subtree(ctx context.Context, db storage.Querier, actor access.Actor, id int64) ([]Org, error) {
	top, err := GetOrg(ctx, db, actor, id)
	if err != nil {
		return nil, err
	}
	out, err := storage.Collect[Org](db.Query(ctx, "SELECT "+orgColumns+" FROM orgs o WHERE o.path LIKE ? ORDER BY o.path", top.Path+"%"))(scanOrg)
	if err != nil {
		return nil, fmt.Errorf("organisation subtree %d: %w", id, err)
	}
	return out, nil
}

// checkOrgCodeFree refuses a code that another organisation has, in any case.
func checkOrgCodeFree(ctx context.Context, tx *storage.Tx, code string, except int64) error {
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM orgs WHERE lower(code) = lower(?) AND id <> ?", code, except).Scan(&n); err != nil {
		return fmt.Errorf("check organisation code: %w", err)
	}
	if n > 0 {
		return storage.Conflict("code", "identity.err.org_code_used", code)
	}
	return nil
}

// CreateOrg creates an organisation under in.ParentID; the actor needs
// ManageOrgs on the parent.
func CreateOrg(ctx context.Context, db *storage.Store, actor access.Actor, in OrgInput) (Org, error) {
	var o Org
	err := db.InTx(ctx, func(tx *storage.Tx) (err error) {
		o, err = CreateOrgTx(ctx, tx, actor, in)
		return err
	})
	return o, err
}

// CreateOrgTx is CreateOrg inside the caller's transaction (an import).
func CreateOrgTx(ctx context.Context, tx *storage.Tx, actor access.Actor, in OrgInput) (Org, error) {
	if err := in.Validate(); err != nil {
		return Org{}, err
	}
	if in.ParentID == 0 {
		return Org{}, validation.Invalid("parent_id", "identity.err.parent_required")
	}
	parent, err := GetOrg(ctx, tx, actor, in.ParentID)
	if err != nil {
		return Org{}, err
	}
	if err := actor.Check(access.ManageOrgs, parent.Path); err != nil {
		return Org{}, err
	}
	if parent.ArchivedAt != nil {
		return Org{}, validation.Invalid("parent_id", "identity.err.parent_archived")
	}
	if err := checkOrgCodeFree(ctx, tx, in.Code, 0); err != nil {
		return Org{}, err
	}
	o := Org{ParentID: parent.ID, Code: in.Code, Name: in.Name, Kind: in.Kind}
	return o, createOrg(ctx, tx, actor, &o, parent.Path)
}

// createOrg inserts an organisation under parent (nil for the root) and sets
// its materialised path, auditing the creation.
func createOrg(ctx context.Context, tx *storage.Tx, actor access.Actor, o *Org, parentPath string) error {
	now := tx.Now()
	id, err := tx.InsertID(ctx, `INSERT INTO orgs (parent_id, code, name, name_search, kind, path, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, '', ?, ?)`, storage.NullID(o.ParentID), o.Code, o.Name, i18n.Fold(o.Name), o.Kind, now, now)
	if err != nil {
		return fmt.Errorf("create organisation %s: %w", o.Code, err)
	}
	if parentPath == "" {
		parentPath = "/"
	}
	path := parentPath + strconv.FormatInt(id, 10) + "/"
	if _, err := tx.Exec(ctx, "UPDATE orgs SET path = ? WHERE id = ?", path, id); err != nil {
		return fmt.Errorf("create organisation %s: set path: %w", o.Code, err)
	}
	o.ID, o.Path, o.CreatedAt, o.UpdatedAt = id, path, now, now
	return audit.Record(ctx, tx, actor, audit.Change{Action: "org.create", ObjectType: "org", ObjectID: id, OrgID: id, New: o})
}

// UpdateOrg changes an organisation's code, name and kind (a rename).
func UpdateOrg(ctx context.Context, db *storage.Store, actor access.Actor, id int64, in OrgInput) (Org, error) {
	var o Org
	err := db.InTx(ctx, func(tx *storage.Tx) (err error) {
		o, err = UpdateOrgTx(ctx, tx, actor, id, in)
		return err
	})
	return o, err
}

// UpdateOrgTx is UpdateOrg inside the caller's transaction.
func UpdateOrgTx(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64, in OrgInput) (Org, error) {
	if err := in.Validate(); err != nil {
		return Org{}, err
	}
	old, err := GetOrg(ctx, tx, actor, id)
	if err != nil {
		return Org{}, err
	}
	if err := actor.Check(access.ManageOrgs, old.Path); err != nil {
		return Org{}, err
	}
	if err := checkOrgCodeFree(ctx, tx, in.Code, id); err != nil {
		return Org{}, err
	}
	o := old
	o.Code, o.Name, o.Kind, o.UpdatedAt = in.Code, in.Name, in.Kind, tx.Now()
	if _, err := tx.Exec(ctx, "UPDATE orgs SET code = ?, name = ?, name_search = ?, kind = ?, updated_at = ? WHERE id = ?",
		o.Code, o.Name, i18n.Fold(o.Name), o.Kind, o.UpdatedAt, id); err != nil {
		return Org{}, fmt.Errorf("update organisation %d: %w", id, err)
	}
	return o, audit.Record(ctx, tx, actor, audit.Change{Action: "org.update", ObjectType: "org", ObjectID: id, OrgID: id, Old: old, New: o})
}

// MoveOrg puts an organisation (with its subtree) under another parent. The
// actor needs ManageOrgs on both the organisation and the new parent.
func MoveOrg(ctx context.Context, db *storage.Store, actor access.Actor, id, parentID int64) (Org, error) {
	var o Org
	err := db.InTx(ctx, func(tx *storage.Tx) (err error) {
		o, err = MoveOrgTx(ctx, tx, actor, id, parentID)
		return err
	})
	return o, err
}

// MoveOrgTx is MoveOrg inside the caller's transaction.
func MoveOrgTx(ctx context.Context, tx *storage.Tx, actor access.Actor, id, parentID int64) (Org, error) {
	old, err := GetOrg(ctx, tx, actor, id)
	if err != nil {
		return Org{}, err
	}
	parent, err := GetOrg(ctx, tx, actor, parentID)
	if err != nil {
		return Org{}, err
	}
	for _, p := range []string{old.Path, parent.Path} {
		if err := actor.Check(access.ManageOrgs, p); err != nil {
			return Org{}, err
		}
	}
	if old.ParentID == 0 {
		return Org{}, validation.Invalid("parent_id", "identity.err.root_move")
	}
	if strings.HasPrefix(parent.Path, old.Path) {
		return Org{}, validation.Invalid("parent_id", "identity.err.move_under_self")
	}
	o := old
	o.ParentID, o.Path, o.UpdatedAt = parent.ID, parent.Path+strconv.FormatInt(id, 10)+"/", tx.Now()
	// Rewrite the prefix of every path in the subtree in one statement.
	if _, err := tx.Exec(ctx, "UPDATE orgs SET path = CAST(? AS TEXT) || substr(path, CAST(? AS INTEGER)) WHERE path LIKE ?",
		o.Path, len(old.Path)+1, old.Path+"%"); err != nil {
		return Org{}, fmt.Errorf("move organisation %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE orgs SET parent_id = ?, updated_at = ? WHERE id = ?", parent.ID, o.UpdatedAt, id); err != nil {
		return Org{}, fmt.Errorf("move organisation %d: %w", id, err)
	}
	return o, audit.Record(ctx, tx, actor, audit.Change{Action: "org.move", ObjectType: "org", ObjectID: id, OrgID: id,
		Old: map[string]any{"parent_id": old.ParentID, "path": old.Path}, New: map[string]any{"parent_id": o.ParentID, "path": o.Path}})
}

// SetOrgArchived archives an organisation (it stays, with its history, but
// leaves lists and takes no new children) or brings it back.
func SetOrgArchived(ctx context.Context, db *storage.Store, actor access.Actor, id int64, archived bool) (Org, error) {
	var o Org
	err := db.InTx(ctx, func(tx *storage.Tx) (err error) {
		o, err = SetOrgArchivedTx(ctx, tx, actor, id, archived)
		return err
	})
	return o, err
}

// SetOrgArchivedTx is SetOrgArchived inside the caller's transaction.
func SetOrgArchivedTx(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64, archived bool) (Org, error) {
	old, err := GetOrg(ctx, tx, actor, id)
	if err != nil {
		return Org{}, err
	}
	if err := actor.Check(access.ManageOrgs, old.Path); err != nil {
		return Org{}, err
	}
	if old.ParentID == 0 && archived {
		return Org{}, validation.Invalid("id", "identity.err.root_archive")
	}
	o := old
	o.UpdatedAt = tx.Now()
	action := "org.restore"
	o.ArchivedAt = nil
	if archived {
		action = "org.archive"
		o.ArchivedAt = &o.UpdatedAt
	}
	if _, err := tx.Exec(ctx, "UPDATE orgs SET archived_at = ?, updated_at = ? WHERE id = ?", o.ArchivedAt, o.UpdatedAt, id); err != nil {
		return Org{}, fmt.Errorf("archive organisation %d: %w", id, err)
	}
	return o, audit.Record(ctx, tx, actor, audit.Change{Action: action, ObjectType: "org", ObjectID: id, OrgID: id, Old: old.ArchivedAt, New: o.ArchivedAt})
}

// CheckOrg returns the path of the organisation orgID after checking that
// the actor may do action on its data: access.ErrNotFound outside the scope,
// access.ErrForbidden when visible but not allowed. Handlers call it before
// costly work on input that only an allowed caller may submit (an upload).
func CheckOrg(ctx context.Context, db storage.Querier, actor access.Actor, action access.Action, orgID int64) (string, error) {
	var path string
	err := db.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", orgID).Scan(&path)
	if storage.IsNoRows(err) {
		return "", access.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("organisation %d: %w", orgID, err)
	}
	return path, actor.Check(action, path)
}
