package demo

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/storage"
)

// ReportsSummary counts the report versions the demo keeps on /reports.
type ReportsSummary struct {
	Versions int
}

// loadReports generates what the city and one agency would have sent by now, each by its
// own account so the list shows who asked: the coordinator the campaign's consolidated
// report and the city's organisation report; the Sở Khoa học và Công nghệ's administrator
// the assessment report of its first system and its remediation follow-up list.
func loadReports(ctx context.Context, store *storage.Store, orgIDs map[string]int64, campaignID int64) (ReportsSummary, error) {
	var sum ReportsSummary
	coordinator, err := demoActor(ctx, store, "dieuphoi@demo.khien.vn")
	if err != nil {
		return sum, err
	}
	agency, err := demoActor(ctx, store, "quantri.skhcn@demo.khien.vn")
	if err != nil {
		return sum, err
	}
	systems, err := inventory.ListSystems(ctx, store, agency, inventory.SystemFilter{OrgID: orgIDs["SKHCN"], Level: -1}, storage.First(1))
	if err != nil || len(systems.Items) == 0 {
		return sum, fmt.Errorf("demo reports: a system of SKHCN: %v", err)
	}
	for _, r := range []struct {
		actor access.Actor
		req   report.Request
	}{
		{coordinator, report.Request{Kind: "campaign", ID: campaignID, Format: "docx"}},
		{coordinator, report.Request{Kind: "org", ID: orgIDs[""], Format: "pdf"}},
		{agency, report.Request{Kind: "system", ID: systems.Items[0].ID, Format: "pdf"}},
		{agency, report.Request{Kind: "followup", ID: orgIDs["SKHCN"], Format: "xlsx"}},
	} {
		if _, err := report.Generate(ctx, store, r.actor, r.req, store.Now()); err != nil {
			return sum, fmt.Errorf("demo %s report: %w", r.req.Kind, err)
		}
		sum.Versions++
	}
	return sum, nil
}

// demoActor is the demo account's actor, with its role and scope.
func demoActor(ctx context.Context, store *storage.Store, email string) (access.Actor, error) {
	u, err := identity.UserByEmail(ctx, store, email)
	if err != nil {
		return access.Actor{}, fmt.Errorf("demo account %s: %w", email, err)
	}
	return identity.ActorFor(ctx, store, u)
}
