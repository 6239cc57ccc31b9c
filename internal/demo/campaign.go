package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// The demo's campaign is the city's yearly review as Kế hoạch 104/KH-UBND
// of 9 May 2025 set it (seed 000): every department and ward sends its list
// of systems in May, is scanned from June, reports on its fixes by the end
// of September and sends its results before 10 October. The store's clock
// is moved to each moment, as for the findings: some agencies sent their
// list on time and one of them was accepted, one was returned with a
// comment, others are late, and some sent theirs in the last days.

// CampaignSummary is the demo campaign's state today.
type CampaignSummary struct {
	ID        int64
	Title     string
	Orgs      int
	Submitted int
	Accepted  int
	Late      int
}

// campaignYear is the year of the review in progress: this year once its
// scanning has started (June), last year's before.
func campaignYear(today time.Time) int {
	t := today.In(i18n.Vietnam)
	if t.Month() < time.June {
		return t.Year() - 1
	}
	return t.Year()
}

// loadCampaign creates the review and replays the agencies' submissions.
func loadCampaign(ctx context.Context, store *storage.Store, orgIDs map[string]int64) (CampaignSummary, error) {
	var sum CampaignSummary
	clocked := *store
	today := store.Now()
	at := today
	clocked.SetClock(func() time.Time { return at })
	year := campaignYear(today)
	// on is 09:00 (plus h hours) on a day of the campaign's year, never after now.
	on := func(month time.Month, day, h int) time.Time {
		t := time.Date(year, month, day, 9+h, 0, 0, 0, i18n.Vietnam).UTC()
		if t.After(today) {
			return today.Add(-time.Duration(24*(day%5+1)) * time.Hour)
		}
		return t
	}
	coordUser, err := identity.UserByEmail(ctx, store, coordinatorEmail)
	if err != nil {
		return sum, err
	}
	coord, err := identity.ActorFor(ctx, store, coordUser)
	if err != nil {
		return sum, err
	}
	var orgs []int64
	codes := map[int64]string{}
	for _, a := range agencies {
		if a.mergeInto == "" && a.parent == "" {
			orgs = append(orgs, orgIDs[a.code])
			codes[orgIDs[a.code]] = a.code
		}
	}
	at = on(time.May, 9, 1)
	c, err := campaign.Create(ctx, &clocked, coord, campaign.CreateInput{Input: campaign.Input{
		Title:        fmt.Sprintf("Kế hoạch rà soát, đánh giá và nâng cao hiệu quả công tác đảm bảo an toàn các hệ thống thông tin trên địa bàn thành phố Cần Thơ năm %d", year),
		Year:         year,
		Template:     "yearly_review",
		OrgIDs:       orgs,
		DocumentNo:   "104/KH-UBND",
		DocumentDate: fmt.Sprintf("%d-05-09", year),
		IssuingBody:  "Ủy ban nhân dân thành phố Cần Thơ",
		LegalBasis:   fmt.Sprintf("Công văn số 02/VPBCĐ ngày 06/01/%d của Ban Chỉ đạo An toàn, an ninh mạng quốc gia về việc rà soát đánh giá và xử lý các hoạt động tấn công mạng, gián điệp mạng", year),
	}})
	if err != nil {
		return sum, fmt.Errorf("demo campaign: %w", err)
	}
	sum.ID, sum.Title, sum.Orgs = c.ID, c.Title, len(orgs)
	obs, err := storage.All(func(p storage.Page) (storage.Paged[campaign.ObligationView], error) {
		return campaign.ListObligations(ctx, &clocked, coord, campaign.ObligationFilter{CampaignID: c.ID}, p)
	})
	if err != nil {
		return sum, err
	}
	// The agencies' clerks submit; SKHCN's own operator has a demo account.
	clerk := func(orgID int64) (access.Actor, error) {
		if codes[orgID] == skhcn {
			u, err := identity.UserByEmail(ctx, store, operatorEmail)
			if err != nil {
				return access.Actor{}, err
			}
			return identity.ActorFor(ctx, store, u)
		}
		org, err := identity.GetOrg(ctx, store, coord, orgID)
		if err != nil {
			return access.Actor{}, err
		}
		return access.Actor{Email: "vanthu." + strings.ToLower(org.Code) + "@demo.khien.vn", Role: access.AgencyOperator, OrgID: org.ID, OrgPath: org.Path}, nil
	}
	n := 0
	for _, ob := range obs {
		// Every other agency sent its list in May; the report on fixes came
		// from a few; the final report is not due yet or is late.
		var when time.Time
		switch {
		case ob.PhaseKind == campaign.KindInventory && (n%2 == 0 || ob.OrgCode == skhcn):
			when = on(time.May, 12+n%18, n%6)
		case ob.PhaseKind == campaign.KindInventory && n%7 == 1:
			// Late, but sent in the last days.
			when = today.Add(-time.Duration(24*(1+n%5)) * time.Hour)
		case ob.PhaseKind == campaign.KindRemediationReport && n%5 == 0:
			when = on(time.September, 10+n%20, n%6)
		}
		if ob.PhaseKind == campaign.KindInventory {
			n++
		}
		if when.IsZero() {
			continue
		}
		who, err := clerk(ob.OrgID)
		if err != nil {
			return sum, err
		}
		at = when
		name := "danh-muc-he-thong-" + strings.ToLower(ob.OrgCode) + ".xlsx"
		if ob.PhaseKind != campaign.KindInventory {
			name = "bao-cao-khac-phuc-" + strings.ToLower(ob.OrgCode) + ".docx"
		}
		if _, err := campaign.Submit(ctx, &clocked, who, ob.ID, name, []byte("Danh mục hệ thống thông tin của "+ob.OrgName), ""); err != nil {
			return sum, fmt.Errorf("demo submission of %s: %w", ob.OrgCode, err)
		}
		// The coordinator accepts SKHCN's list and returns one that lacks addresses.
		switch {
		case ob.OrgCode == skhcn && ob.PhaseKind == campaign.KindInventory:
			at = when.Add(72 * time.Hour)
			if _, err := campaign.ReviewObligation(ctx, &clocked, coord, ob.ID, campaign.Review{Accept: true, Comment: "Đầy đủ thông tin theo mục II.1 của Kế hoạch"}); err != nil {
				return sum, err
			}
		case ob.PhaseKind == campaign.KindInventory && n == 3:
			at = when.Add(48 * time.Hour)
			if _, err := campaign.ReviewObligation(ctx, &clocked, coord, ob.ID, campaign.Review{Comment: "Thiếu địa chỉ IP máy chủ và giải pháp sao lưu (mục II.1.b, c)"}); err != nil {
				return sum, err
			}
		}
	}
	list, err := campaign.List(ctx, store, coord, campaign.Filter{}, storage.First(10))
	if err != nil {
		return sum, err
	}
	for _, v := range list.Items {
		if v.ID == c.ID {
			sum.Submitted, sum.Accepted, sum.Late = v.Done-v.Accepted, v.Accepted, v.Late
		}
	}
	return sum, nil
}
