package scanning

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/storage"
)

// StaleSystems counts the systems in use in the actor's scope (of the
// organisation orgID and its subtree; 0: the whole scope) that have no
// complete scan within MaxScanAge of now, the ones the overview and the
// organisation pages flag (Directive 18).
func StaleSystems(ctx context.Context, q storage.Querier, actor access.Actor, orgID int64, now time.Time) (int, error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	w.Add("s.status <> 'retired' AND s.archived_at IS NULL")
	if orgID != 0 {
		w.Add("o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'", orgID)
	}
	w.Add("NOT EXISTS (SELECT 1 FROM scans sc WHERE sc.system_id = s.id AND sc.status = ? AND sc.finished_at >= ?)", StatusDone, now.Add(-MaxScanAge).UTC())
	var n int
	if err := q.QueryRow(ctx, "SELECT count(*) FROM systems s JOIN orgs o ON o.id = s.org_id"+w.SQL(), w.Args()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("systems without a recent scan: %w", err)
	}
	return n, nil
}
