package workbook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// The import of a file, the same from the web page, the API and the CLI:
// check that the caller may write to the organisation (before the costly
// read of a file only an allowed caller may submit), read the file with the
// default limits, then plan and (unless previewing) import. A file that is
// not a workbook comes back as problems in the result, not as an error.

// Import reads the file that open gives (a workbook, or a CSV of assets
// when its name ends in .csv) and imports it into orgID with opt. open is
// called only once the caller is known to be allowed.
func Import(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, opt importing.Options, open func() (name string, r io.Reader, err error)) (inventory.ImportResult, error) {
	if _, err := identity.CheckOrg(ctx, db, actor, access.Write, orgID); err != nil {
		return inventory.ImportResult{}, err
	}
	name, r, err := open()
	if err != nil {
		return inventory.ImportResult{}, err
	}
	b, err := ReadStream(name, r, DefaultLimits)
	return importBatch(ctx, db, actor, orgID, name, b, err, opt)
}

// Preview plans the import of an uploaded file without writing, and keeps
// the file for Confirm under the returned token (empty when the file could
// not be read at all). data is nil when no file was sent; more than
// DefaultLimits.FileBytes is too large.
func Preview(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, name string, data []byte) (inventory.ImportResult, string, error) {
	if _, err := identity.CheckOrg(ctx, db, actor, access.Write, orgID); err != nil {
		return inventory.ImportResult{}, "", err
	}
	switch {
	case data == nil:
		return inventory.ImportResult{Problems: []inventory.Problem{inventory.NewProblem("", 0, "", "inv.import.no_file")}}, "", nil
	case int64(len(data)) > DefaultLimits.FileBytes:
		return inventory.ImportResult{Problems: []inventory.Problem{inventory.NewProblem("", 0, "", "inv.import.too_large", DefaultLimits.FileBytes>>20)}}, "", nil
	}
	b, err := ReadUpload(name, bytes.NewReader(data), int64(len(data)), DefaultLimits)
	if errors.Is(err, ErrNotWorkbook) {
		return inventory.ImportResult{Problems: b.Problems}, "", nil
	}
	res, err := importBatch(ctx, db, actor, orgID, name, b, err, importing.Options{DryRun: true})
	if err != nil {
		return res, "", err
	}
	token, err := importing.Stash(ctx, db, actor, orgID, name, data)
	return res, token, err
}

// Confirm imports a previewed file: all of it (only when it has no
// problems) or, with validOnly, its valid rows. An unknown or expired token
// is access.ErrNotFound.
func Confirm(ctx context.Context, db *storage.Store, actor access.Actor, token string, validOnly bool) (importing.Upload, inventory.ImportResult, error) {
	u, err := importing.Take(ctx, db, actor, token)
	if err != nil {
		return u, inventory.ImportResult{}, err
	}
	if _, err := identity.CheckOrg(ctx, db, actor, access.Write, u.OrgID); err != nil {
		return u, inventory.ImportResult{}, err
	}
	b, err := ReadUpload(u.Name, bytes.NewReader(u.Data), int64(len(u.Data)), DefaultLimits)
	res, err := importBatch(ctx, db, actor, u.OrgID, u.Name, b, err, importing.Options{SkipInvalid: validOnly})
	return u, res, err
}

// importBatch imports a batch just read, turning a file that is not a
// workbook into its problems.
func importBatch(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, name string, b *inventory.Batch, readErr error, opt importing.Options) (inventory.ImportResult, error) {
	if errors.Is(readErr, ErrNotWorkbook) {
		return inventory.ImportResult{Problems: b.Problems}, nil
	}
	if readErr != nil {
		return inventory.ImportResult{}, fmt.Errorf("read %s: %w", name, readErr)
	}
	if opt.Source == "" {
		opt.Source = name
	}
	return inventory.Import(ctx, db, actor, orgID, b, opt)
}
