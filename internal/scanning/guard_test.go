package scanning

import (
	"testing"
	"time"

	"github.com/khien/khien/internal/inventory"
)

func TestDecide(t *testing.T) {
	now := vn(7, 12, 0)
	web := inventory.Asset{ID: 1, Kind: "domain", Value: "cong.cantho.gov.vn"}
	db := inventory.Asset{ID: 2, Kind: "server", Value: "db01", IPs: "10.0.0.5, 10.0.0.6"}
	lan := inventory.Asset{ID: 3, Kind: "cidr", Value: "10.1.0.0/24"}
	switchAsset := inventory.Asset{ID: 4, Kind: "device", Value: "core-sw"}
	valid := Authorization{ID: 9, DocumentNo: "12/QĐ-STTTT", ValidUntil: "2026-12-07"}
	expired := Authorization{ID: 8, ValidUntil: "2026-12-06"}
	revoked := valid
	revoked.RevokedAt = &now
	tests := []struct {
		name    string
		in      GuardInput
		refusal string
		targets []string
		skipped int
	}{
		{"no campaign, no authorisation", GuardInput{Assets: []inventory.Asset{web}}, "scan.refused.no_basis", nil, 0},
		{"expired authorisation", GuardInput{Assets: []inventory.Asset{web}, Authorizations: []Authorization{expired}}, "scan.refused.expired", nil, 0},
		{"revoked authorisation", GuardInput{Assets: []inventory.Asset{web}, Authorizations: []Authorization{revoked}}, "scan.refused.expired", nil, 0},
		{"valid to the end of its last day", GuardInput{Assets: []inventory.Asset{web}, Authorizations: []Authorization{expired, valid}}, "", []string{"cong.cantho.gov.vn"}, 0},
		{"archived system", GuardInput{Archived: true, CampaignID: 1, Assets: []inventory.Asset{web}}, "scan.refused.archived", nil, 0},
		{"campaign covers", GuardInput{CampaignID: 1, Assets: []inventory.Asset{web, db, lan, switchAsset}}, "", []string{"cong.cantho.gov.vn", "10.0.0.5", "10.0.0.6", "10.1.0.0/24"}, 1},
		{"excluded address", GuardInput{CampaignID: 1, Assets: []inventory.Asset{db}, Exclusions: []Exclusion{{Value: "10.0.0.6"}}}, "", []string{"10.0.0.5"}, 1},
		{"excluded range covers the range", GuardInput{CampaignID: 1, Assets: []inventory.Asset{lan, web}, Exclusions: []Exclusion{{Value: "10.0.0.0/8"}}}, "", []string{"cong.cantho.gov.vn"}, 1},
		{"excluded parent domain", GuardInput{CampaignID: 1, Assets: []inventory.Asset{web, db}, Exclusions: []Exclusion{{Value: "cantho.gov.vn"}}}, "", []string{"10.0.0.5", "10.0.0.6"}, 1},
		{"excluded asset", GuardInput{CampaignID: 1, Assets: []inventory.Asset{web, db}, Exclusions: []Exclusion{{AssetID: 2}}}, "", []string{"cong.cantho.gov.vn"}, 1},
		{"nothing left", GuardInput{CampaignID: 1, Assets: []inventory.Asset{web}, Exclusions: []Exclusion{{AssetID: 1}}}, "scan.refused.no_targets", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Now = now
			p, refusal := Decide(tt.in)
			if got := ""; refusal != nil {
				got = refusal.Key
				if got != tt.refusal {
					t.Fatalf("refused %q, want %q", got, tt.refusal)
				}
				return
			}
			if tt.refusal != "" {
				t.Fatalf("allowed, want refusal %q", tt.refusal)
			}
			if len(p.Targets) != len(tt.targets) {
				t.Fatalf("targets %v, want %v", p.Targets, tt.targets)
			}
			for i := range p.Targets {
				if p.Targets[i] != tt.targets[i] {
					t.Errorf("targets %v, want %v", p.Targets, tt.targets)
				}
			}
			if len(p.Skipped) != tt.skipped {
				t.Errorf("skipped %+v, want %d", p.Skipped, tt.skipped)
			}
		})
	}
}

func TestValidOnIsVietnamDay(t *testing.T) {
	a := Authorization{ValidUntil: "2026-12-07"}
	// 17:30 UTC on the 7th is already the 8th in Vietnam.
	if a.ValidOn(time.Date(2026, 12, 7, 17, 30, 0, 0, time.UTC)) {
		t.Error("valid after its last day in Vietnam")
	}
	if !a.ValidOn(time.Date(2026, 12, 7, 16, 30, 0, 0, time.UTC)) {
		t.Error("not valid on its last day")
	}
}
