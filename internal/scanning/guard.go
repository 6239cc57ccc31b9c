package scanning

import (
	"net/netip"
	"strings"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/validation"
)

// Authorization is the coordinator's written authorisation to scan a system
// outside any campaign, valid through ValidUntil (a date, in Vietnam).
type Authorization struct {
	ID           int64      `json:"id"`
	SystemID     int64      `json:"system_id"`
	AuthorizedBy string     `json:"authorized_by"`
	DocumentNo   string     `json:"document_no"`
	ValidUntil   string     `json:"valid_until"` // yyyy-mm-dd
	Note         string     `json:"note"`
	Actor        string     `json:"actor"`
	CreatedAt    time.Time  `json:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
}

// ValidOn reports whether the authorisation covers the day of t (Vietnam).
func (a Authorization) ValidOn(t time.Time) bool {
	return a.RevokedAt == nil && a.ValidUntil >= t.In(i18n.Vietnam).Format(time.DateOnly)
}

// Exclusion is something never to scan: a value (address, range or name)
// for one system or everywhere, or one registered asset.
type Exclusion struct {
	ID        int64     `json:"id"`
	SystemID  int64     `json:"system_id,omitempty"` // 0 with AssetID 0: everywhere
	AssetID   int64     `json:"asset_id,omitempty"`
	Value     string    `json:"value,omitempty"`
	Reason    string    `json:"reason"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
}

// GuardInput is what the scope guard decides on: the system, its assets,
// the campaign that covers it today (0: none), its written authorisations
// and the exclusions that apply to it.
type GuardInput struct {
	SystemID       int64
	OrgID          int64
	Archived       bool
	Assets         []inventory.Asset
	CampaignID     int64
	Authorizations []Authorization
	Exclusions     []Exclusion
	Now            time.Time
}

// Plan is what a scan may touch: its targets as the scanner reads them, the
// exclusions the scanner enforces on every name it resolves, and the assets
// left out with why.
type Plan struct {
	Basis           string   `json:"basis"` // "campaign" or "authorization"
	BasisID         int64    `json:"basis_id"`
	Targets         []string `json:"targets"`
	Exclusions      []string `json:"exclusions"`
	Skipped         []Skip   `json:"skipped"`
	AuthorizationNo string   `json:"authorization_no,omitempty"`
}

// Skip is an asset a scan leaves out: the reason's catalogue key and
// arguments are kept, its text is filled in the reader's language.
type Skip struct {
	Asset  string `json:"asset"`
	Key    string `json:"key"`
	Args   []any  `json:"args,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func skip(asset, key string, args ...any) Skip { return Skip{Asset: asset, Key: key, Args: args} }

// Refusal is why a scan may not run at all. It is kept on the scan and
// shown in the reader's language.
type Refusal struct{ validation.Message }

func refuse(key string, args ...any) *Refusal { return &Refusal{validation.Say(key, args...)} }

// Decide applies the scope guard: a system may be scanned only while an
// active campaign covers it or a written authorisation is valid, and only
// over its registered assets; exclusions always win. It is the same rule
// whoever asks (server, agent, CLI with --server).
func Decide(in GuardInput) (Plan, *Refusal) {
	if in.Archived {
		return Plan{}, refuse("scan.refused.archived")
	}
	p := Plan{Targets: []string{}, Exclusions: []string{}, Skipped: []Skip{}}
	switch auth, ok := validAuthorization(in.Authorizations, in.Now); {
	case in.CampaignID != 0:
		p.Basis, p.BasisID = "campaign", in.CampaignID
	case ok:
		p.Basis, p.BasisID, p.AuthorizationNo = "authorization", auth.ID, auth.DocumentNo
	case len(in.Authorizations) > 0:
		return Plan{}, refuse("scan.refused.expired")
	default:
		return Plan{}, refuse("scan.refused.no_basis")
	}
	excludedAssets := map[int64]bool{}
	for _, e := range in.Exclusions {
		switch {
		case e.AssetID != 0:
			excludedAssets[e.AssetID] = true
		case e.Value != "":
			p.Exclusions = append(p.Exclusions, e.Value)
		}
	}
	ex, err := scan.ParseExclusions(p.Exclusions)
	if err != nil {
		return Plan{}, refuse("scan.refused.bad_exclusion", err.Error())
	}
	for _, a := range in.Assets {
		if excludedAssets[a.ID] {
			p.Skipped = append(p.Skipped, skip(a.Value, "scan.skip.excluded_asset"))
			continue
		}
		specs, why := assetTargets(a)
		if why != "" {
			p.Skipped = append(p.Skipped, skip(a.Value, why))
			continue
		}
		for _, s := range specs {
			if excluded(ex, s) {
				p.Skipped = append(p.Skipped, skip(s, "scan.skip.excluded"))
				continue
			}
			if _, err := scan.ParseTargets([]string{s}, false); err != nil {
				p.Skipped = append(p.Skipped, skip(s, "scan.skip.unscannable", err.Error()))
				continue
			}
			p.Targets = append(p.Targets, s)
		}
	}
	if len(p.Targets) == 0 {
		return p, refuse("scan.refused.no_targets") // with what was left out, and why
	}
	return p, nil
}

func validAuthorization(list []Authorization, now time.Time) (Authorization, bool) {
	for _, a := range list {
		if a.ValidOn(now) {
			return a, true
		}
	}
	return Authorization{}, false
}

// assetTargets are the scanner's targets for a registered asset, or the
// catalogue key of why it has none.
func assetTargets(a inventory.Asset) ([]string, string) {
	switch a.Kind {
	case "domain", "url", "ip", "cidr":
		return []string{a.Value}, ""
	}
	// A server or a device is scanned at its addresses, or by its host name.
	var out []string
	for ip := range strings.SplitSeq(a.IPs, ",") {
		if ip = strings.TrimSpace(ip); ip != "" {
			out = append(out, ip)
		}
	}
	if len(out) == 0 && a.Kind == "server" && strings.Contains(a.Hostname, ".") {
		out = append(out, a.Hostname)
	}
	if len(out) == 0 {
		return nil, "scan.skip.no_address"
	}
	return out, ""
}

// excluded reports whether a target as written is excluded. Names that
// resolve into an excluded range are left out by the scanner itself, which
// checks every address it resolves.
func excluded(ex scan.Exclusions, spec string) bool {
	if p, err := netip.ParsePrefix(spec); err == nil {
		return ex.Addr(p.Addr()) && ex.Addr(lastAddr(p))
	}
	ts, err := scan.ParseTargets([]string{spec}, false)
	if err != nil {
		return false
	}
	for _, t := range ts {
		if t.Name != "" && ex.Name(t.Name) || t.Addr.IsValid() && ex.Addr(t.Addr) {
			return true
		}
	}
	return false
}

// lastAddr is the last address of a range.
func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	a := p.Addr().AsSlice()
	for i := p.Bits(); i < len(a)*8; i++ {
		a[i/8] |= 1 << (7 - i%8)
	}
	last, _ := netip.AddrFromSlice(a)
	return last
}
