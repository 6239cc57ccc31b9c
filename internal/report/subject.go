package report

import (
	"context"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// subject is what a report is about, as its stored versions record it: the organisation
// that scopes who lists and downloads them, and the object's name for the list.
type subject struct {
	orgID int64
	name  string
}

// subjects read the subject of each kind's object in the actor's scope (outside it:
// access.ErrNotFound). They are the scope check of a request, cheap enough to run before
// anything is queued or built, and independent of the builders, which may read much more.
var subjects = map[string]func(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (subject, error){
	"system":   systemSubject,
	"org":      orgSubject,
	"followup": orgSubject, // the follow-up list of an agency
	"campaign": campaignSubject,
}

func systemSubject(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (subject, error) {
	s, err := inventory.GetSystem(ctx, db, actor, id)
	return subject{orgID: s.OrgID, name: s.Name}, err
}

func orgSubject(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (subject, error) {
	o, err := identity.GetOrg(ctx, db, actor, id)
	return subject{orgID: o.ID, name: o.Name}, err
}

// campaignSubject: a campaign spans organisations, and its report holds what its requester
// sees of it, so its versions belong to the requester's organisation (the root for khien's
// own work): an agency's own consolidated view is not shown to another agency.
func campaignSubject(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (subject, error) {
	c, err := campaign.Get(ctx, db, actor, id)
	if err != nil {
		return subject{}, err
	}
	s := subject{orgID: actor.OrgID, name: c.Title}
	if s.orgID == 0 {
		root, err := identity.RootOrg(ctx, db)
		if err != nil {
			return s, err
		}
		s.orgID = root.ID
	}
	return s, nil
}
