// Package demo loads a realistic demo city — Cần Thơ as it is since 1 July
// 2025, with its departments, wards and communes, their information
// systems, assets, security controls and staff, and the organisations of
// before the merger in its merge history — into an empty database, so a
// newcomer sees a living product. The city itself is in city.go. Later
// capabilities add their own demo data here: the findings of nine months
// of scans and audits are in findings.go, the weaknesses they find in
// weaknesses.go.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/storage"
)

// ErrNotEmpty means the database already holds an inventory.
var ErrNotEmpty = errors.New("the database already has information systems; the demo loads only into an empty one")

// Summary counts what Load created: today's agencies and what they hold
// once the former organisations are merged into them.
type Summary struct {
	Agencies int
	Merged   int // organisations of before 1 July 2025, merged and archived
	Systems  int
	Assets   int
	Staff    int
	// Users are the demo accounts, all with the password Password.
	Users []DemoUser
	// Findings are the vulnerabilities found in the city over the months.
	Findings FindingsSummary
	Agent    AgentSummary
	// Campaign is the city's yearly review in progress.
	Campaign CampaignSummary
	// Scans is the scan operation: history, schedules, a refused scan.
	Scans ScansSummary
	// Reports are the report versions already generated.
	Reports ReportsSummary
	// Incidents are the incident cases, in several phases.
	Incidents IncidentsSummary
}

// Password is the password of every demo account. It is printed by
// "khien demo" and documented: demo data is for trying the product, never
// for production.
const Password = auth.PublishedDemoPassword

// DemoUser is one demo account.
type DemoUser struct {
	Email   string
	Role    access.Role
	OrgCode string
}

// demoUsers gives a newcomer one account per role, so each view of the
// product can be tried. Assigned lists the organisations an auditor or
// responder works for.
var demoUsers = []struct {
	DemoUser
	name     string
	assigned []string
}{
	{DemoUser{"quantri@demo.khien.vn", access.Admin, ""}, "Đặng Hữu Phúc (quản trị hệ thống)", nil},
	{DemoUser{"dieuphoi@demo.khien.vn", access.Coordinator, ""}, "Trần Minh Khoa (Phòng An ninh mạng)", nil},
	{DemoUser{"kiemtra@demo.khien.vn", access.Auditor, ""}, "Lê Quốc Dũng (đánh giá viên)", []string{"P-NINHKIEU", "P-CAIRANG", "SKHCN"}},
	{DemoUser{"ungcuu@demo.khien.vn", access.Responder, ""}, "Phạm Thanh Tâm (Đội ứng cứu sự cố)", []string{"SKHCN", "TTPVHCC"}},
	{DemoUser{"quantri.skhcn@demo.khien.vn", access.AgencyAdmin, "SKHCN"}, "Nguyễn Thị Ngọc Mai", nil},
	{DemoUser{"canbo.skhcn@demo.khien.vn", access.AgencyOperator, "SKHCN"}, "Võ Hoàng Nam", nil},
	{DemoUser{"lanhdao.ninhkieu@demo.khien.vn", access.Viewer, "P-NINHKIEU"}, "Huỳnh Thị Kim Hạnh", nil},
}

var (
	courses  = []string{"Bồi dưỡng kiến thức an toàn thông tin cơ bản", "Quản trị mạng và an ninh mạng", "Ứng cứu sự cố an toàn thông tin mạng", "CompTIA Security+", "Kiểm thử xâm nhập ứng dụng web", "Diễn tập thực chiến an toàn thông tin"}
	vendors  = [][2]string{{"Fortinet", "FortiGate 100F"}, {"Sophos", "XGS 2100"}, {"Palo Alto Networks", "PA-440"}, {"Cisco", "Firepower 1120"}}
	products = map[string][]string{
		"firewall": {"FortiGate", "Sophos XGS", "Palo Alto"}, "ids_ips": {"FortiGate IPS", "Snort", "Suricata"}, "waf": {"FortiWeb", "ModSecurity", "Cloudflare"},
		"antivirus": {"Bkav Endpoint", "Kaspersky Endpoint Security", "Microsoft Defender", "CMC Endpoint"}, "logging": {"Wazuh", "Graylog", "Splunk"},
		"vuln_scanning": {"Nessus", "OpenVAS", "Khiên"}, "mfa": {"Google Authenticator", "VNPT SmartCA"}, "backup": {"Veeam", "Acronis", "rsync"},
	}
)

// Load fills an empty database with the demo city. Each agency's data goes
// through the same import path as an uploaded workbook.
func Load(ctx context.Context, store *storage.Store) (Summary, error) {
	var sum Summary
	actor := access.SystemActor("demo")
	if res, err := inventory.ListSystems(ctx, store, actor, inventory.SystemFilter{Level: -1}, storage.First(1)); err != nil {
		return sum, err
	} else if res.Total > 0 {
		return sum, ErrNotEmpty
	}
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		return sum, err
	}
	if root, err = identity.UpdateOrg(ctx, store, actor, root.ID, identity.OrgInput{Code: root.Code, Name: "Thành phố Cần Thơ", Kind: identity.OrgProvince}); err != nil {
		return sum, fmt.Errorf("name the demo city: %w", err)
	}
	rng := rand.New(rand.NewPCG(2025, 10))
	ids := map[string]int64{"": root.ID}
	for i, a := range agencies {
		org, err := identity.CreateOrg(ctx, store, actor, identity.OrgInput{ParentID: ids[a.parent], Code: a.code, Name: a.name, Kind: a.kind})
		if err != nil {
			return sum, fmt.Errorf("demo organisation %s: %w", a.code, err)
		}
		ids[a.code] = org.ID
		b := agencyBatch(rng, i, a)
		if !b.Valid() {
			return sum, fmt.Errorf("demo data of %s is invalid: %v", a.code, b.Problems[0])
		}
		res, err := inventory.Import(ctx, store, actor, org.ID, b, importing.Options{Source: "khien demo"})
		if err != nil {
			return sum, fmt.Errorf("demo inventory of %s: %w", a.code, err)
		}
		if len(res.Problems) > 0 {
			return sum, fmt.Errorf("demo inventory of %s: %v", a.code, res.Problems[0])
		}
	}
	// The merger of 1 July 2025: each former organisation's systems, assets
	// and staff move to today's, and the former one is archived.
	for _, a := range agencies {
		if a.mergeInto == "" {
			sum.Agencies++
			continue
		}
		if _, err := inventory.MergeOrgs(ctx, store, actor, ids[a.code], ids[a.mergeInto]); err != nil {
			return sum, fmt.Errorf("demo merge of %s into %s: %w", a.code, a.mergeInto, err)
		}
		sum.Merged++
	}
	// What the agencies hold once merged (merges join shared assets and staff).
	ov, err := inventory.GetOverview(ctx, store, actor)
	if err != nil {
		return sum, err
	}
	sum.Systems, sum.Assets, sum.Staff = ov.Systems, ov.Assets, ov.Staff
	if sum.Users, err = loadUsers(ctx, store, actor, ids); err != nil {
		return sum, err
	}
	// The Sở Khoa học và Công nghệ has set who signs its reports; the other agencies'
	// documents print the defaults from the organisation tree.
	if err := report.SaveSettings(ctx, store, actor, ids["SKHCN"], report.Settings{NumberPrefix: "BC-SKHCN", SignerAuthority: "KT. Giám đốc",
		SignerTitle: "Phó Giám đốc", SignerName: "Nguyễn Văn Thành", Recipients: []string{"UBND thành phố Cần Thơ", "Công an thành phố (PA05)", "Lưu: VT, CNTT"}}); err != nil {
		return sum, fmt.Errorf("demo report settings: %w", err)
	}
	if sum.Findings, err = loadFindings(ctx, store); err != nil {
		return sum, err
	}
	if sum.Agent, err = loadAgent(ctx, store); err != nil {
		return sum, err
	}
	if sum.Campaign, err = loadCampaign(ctx, store, ids); err != nil {
		return sum, err
	}
	// After the campaign, which covers the systems the refused scan asks for.
	if sum.Scans, err = loadScans(ctx, store); err != nil {
		return sum, err
	}
	if sum.Reports, err = loadReports(ctx, store, ids, sum.Campaign.ID); err != nil {
		return sum, err
	}
	if sum.Incidents, err = loadIncidents(ctx, store, ids); err != nil {
		return sum, err
	}
	return sum, nil
}

// loadUsers creates the demo accounts that do not exist yet.
func loadUsers(ctx context.Context, store *storage.Store, actor access.Actor, orgIDs map[string]int64) ([]DemoUser, error) {
	// The demo's password is published, so the policy refuses it; the demo
	// sets it knowingly, without the policy (fixtures only).
	hash, err := auth.HashPassword(ctx, Password)
	if err != nil {
		return nil, err
	}
	var out []DemoUser
	for _, du := range demoUsers {
		u, err := identity.CreateUser(ctx, store, actor, identity.UserInput{Email: du.Email, Name: du.name, Role: du.Role, OrgID: orgIDs[du.OrgCode], PasswordHash: hash})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", du.Email, err)
		}
		if len(du.assigned) > 0 {
			var assigned []int64
			for _, code := range du.assigned {
				assigned = append(assigned, orgIDs[code])
			}
			if err := identity.SetAssignments(ctx, store, actor, u.ID, assigned); err != nil {
				return nil, fmt.Errorf("demo user %s: assign: %w", du.Email, err)
			}
		}
		out = append(out, du.DemoUser)
	}
	return out, nil
}

// agencyBatch builds an agency's inventory as workbook rows: its portal,
// document management software, LAN and any special systems, with assets,
// controls, device counts and two or three staff with their training.
func agencyBatch(rng *rand.Rand, n int, a agency) *inventory.Batch {
	b := &inventory.Batch{}
	where := a.area
	if where == nil {
		where = canTho
	}
	short := strings.TrimPrefix(strings.TrimPrefix(a.name, "Ủy ban nhân dân "), "Sở ")
	// A former organisation's common systems carry its name: a merge stops
	// on two systems of the same name.
	suffix := ""
	if a.mergeInto != "" {
		suffix = " (" + short + ")"
	}
	generic := []systemSpec{
		{name: "Cổng thông tin điện tử " + short, kind: "web_portal", purpose: "Công khai thông tin, tiếp nhận phản ánh", level: 2, hosting: "provincial_dc"},
		{name: "Phần mềm quản lý văn bản và điều hành" + suffix, kind: "internal_app", purpose: "Quản lý văn bản đi, đến và hồ sơ công việc", level: 2, hosting: "provincial_dc", personal: true},
		{name: "Mạng nội bộ (LAN)" + suffix, kind: "network", purpose: "Kết nối máy trạm, máy chủ của cơ quan", level: 1, hosting: "on_premises"},
	}
	specs := append(generic, a.special...)
	if a.kind == identity.OrgDistrict || a.kind == identity.OrgCommune {
		specs = append(specs, systemSpec{name: "Phần mềm một cửa điện tử" + suffix, kind: "internal_app", purpose: "Tiếp nhận, trả kết quả thủ tục hành chính tại bộ phận một cửa",
			level: 2, personal: true, population: true, procedure: true, hosting: "provincial_dc"})
	}
	hostName := strings.ToLower(a.code) // host names are unique across the city, merged or not

	var emails []string
	for i := 0; i < 2+rng.IntN(2); i++ {
		name := surnames[rng.IntN(len(surnames))] + " " + middles[rng.IntN(len(middles))] + " " + givens[rng.IntN(len(givens))]
		email := emailOf(name, a.slug, where.domain, i)
		emails = append(emails, email)
		position := []string{"Chuyên viên công nghệ thông tin", "Phó Trưởng phòng", "Cán bộ chuyên trách an toàn thông tin"}[i%3]
		b.AddRecord(inventory.StaffSheet, 0, inventory.Record{"name": name, "position": position, "email": email, "phone": fmt.Sprintf("%s 38%02d %03d", where.phone, n, rng.IntN(1000))})
		for j := 0; j < rng.IntN(3); j++ {
			b.AddRecord(inventory.QualificationsSheet, 0, inventory.Record{"staff_email": email, "course": courses[rng.IntN(len(courses))],
				"completed_on": fmt.Sprintf("%d-%02d-%02d", 2021+rng.IntN(4), 1+rng.IntN(12), 1+rng.IntN(28)), "certificate": fmt.Sprintf("CC-%04d", rng.IntN(10000))})
		}
	}
	for i, s := range specs {
		net := fmt.Sprintf("10.%d.%d", 20+n, i)
		level, decision, date, approver := strconv.Itoa(s.level), "", "", ""
		if s.level >= 2 && rng.IntN(4) > 0 {
			decision = fmt.Sprintf("%d/QĐ-%s", 100+rng.IntN(900), strings.ToUpper(a.slug))
			date = fmt.Sprintf("%d-%02d-%02d", 2022+rng.IntN(3), 1+rng.IntN(12), 1+rng.IntN(28))
			approver = where.committee
			if s.level <= 2 {
				approver = "Sở Khoa học và Công nghệ"
			}
		} else if s.level >= 2 {
			level = "0" // not yet classified: the review will ask for it
		}
		subjects := ""
		if s.personal {
			subjects = strconv.Itoa(1000 * (1 + rng.IntN(500)))
		}
		rec := inventory.Record{
			"name": s.name, "kind": s.kind, "purpose": s.purpose, "level": level, "level_decision": decision, "level_decision_date": date,
			"level_approver": approver, "hosting": s.hosting, "users": strconv.Itoa(10 + rng.IntN(2000)),
			"personal_data": yesNo(s.personal), "data_subjects": subjects, "population_db": yesNo(s.population), "admin_procedures": yesNo(s.procedure),
			"go_live": fmt.Sprintf("%d-%02d-01", 2012+rng.IntN(12), 1+rng.IntN(12)), "status": "operating", "contact_email": emails[i%len(emails)],
			"servers": strconv.Itoa(rng.IntN(6)), "workstations": strconv.Itoa(rng.IntN(80)), "network_devices": strconv.Itoa(rng.IntN(10)), "security_devices": strconv.Itoa(rng.IntN(3)),
		}
		if s.hosting == "provider" || s.hosting == "cloud" {
			rec["hosting_provider"] = []string{"VNPT", "Viettel IDC", "FPT Telecom"}[rng.IntN(3)]
			rec["operator_name"] = rec["hosting_provider"]
			rec["operator_contract"] = fmt.Sprintf("HĐ %d/%d", rng.IntN(200), 2020+rng.IntN(5))
		}
		b.AddRecord(inventory.SystemsSheet, 0, rec)
		asset := func(kind, value string, extra inventory.Record) {
			r := inventory.Record{"systems": s.name, "kind": kind, "value": value}
			for k, v := range extra {
				r[k] = v
			}
			b.AddRecord(inventory.AssetsSheet, 0, r)
		}
		host := net + ".10"
		switch s.kind {
		case "web_portal":
			domain := a.slug + "." + where.domain
			asset("domain", domain, nil)
			asset("url", "https://"+domain+"/", nil)
			asset("ip", fmt.Sprintf("203.113.%d.%d", 130+n/8, 10+n), nil)
			asset("server", "web-"+hostName, inventory.Record{"ips": host, "os": "Ubuntu Server", "os_version": "22.04", "role": "Máy chủ web"})
		case "network":
			asset("cidr", net+".0/24", nil)
			v := vendors[rng.IntN(len(vendors))]
			asset("device", fmt.Sprintf("fw%d-%s", i, hostName), inventory.Record{"device_kind": "firewall", "vendor": v[0], "model": v[1]})
			asset("device", fmt.Sprintf("sw%d-%s", i, hostName), inventory.Record{"device_kind": "switch", "vendor": "Cisco", "model": "Catalyst 9300"})
		default:
			asset("server", fmt.Sprintf("app%d-%s", i, hostName), inventory.Record{"ips": host, "os": []string{"Windows Server", "Ubuntu Server", "Red Hat Enterprise Linux"}[rng.IntN(3)], "role": "Máy chủ ứng dụng"})
			if s.kind == "email" {
				asset("domain", "mail."+where.domain, nil)
			}
		}
		for _, c := range inventory.Controls {
			status := []string{"yes", "yes", "partial", "no"}[rng.IntN(4)]
			rec := inventory.Record{"system": s.name, "control": c.Code, "status": status}
			if p := products[c.Code]; len(p) > 0 && status != "no" {
				rec["product"] = p[rng.IntN(len(p))]
			}
			if c.Code == "backup" && status != "no" {
				rec["backup_frequency"] = []string{"Hằng ngày", "Hằng tuần", "Hằng tháng"}[rng.IntN(3)]
				if rng.IntN(2) == 0 {
					rec["last_restore_test"] = fmt.Sprintf("2025-%02d-%02d", 1+rng.IntN(9), 1+rng.IntN(28))
				}
			}
			b.AddRecord(inventory.ControlsSheet, 0, rec)
		}
	}
	// Two agencies registered the city data centre's shared reverse proxy:
	// the coordinator sees it as a conflict to resolve.
	if a.code == "SKHCN" || a.code == "TTPVHCC" {
		b.AddRecord(inventory.AssetsSheet, 0, inventory.Record{"systems": specs[0].name, "kind": "ip", "value": "203.113.140.2", "notes": "Reverse proxy dùng chung"})
	}
	return b
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// emailOf makes "anvn1.skhcn@cantho.gov.vn"-style addresses.
func emailOf(name, slug, domain string, i int) string {
	parts := strings.Fields(i18n.Fold(name))
	local := parts[len(parts)-1] + strings.Join(initials(parts[:len(parts)-1]), "")
	return fmt.Sprintf("%s%d.%s@%s", local, i+1, slug, domain)
}

func initials(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w[:1]
	}
	return out
}
