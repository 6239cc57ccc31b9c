package demo

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// The demo's findings are nine months of the city's security work replayed
// in order: scans and audits imported as they happened, and what people did
// between them — agencies confirming, fixing and claiming fixes, auditors
// marking false positives and closing what later scans verified, leaders
// accepting risks, findings coming back after a fix. The store's clock is
// moved to each moment, so dates, due dates, histories and threat hunts are
// those of a city that has used Khiên since the spring.

// FindingsSummary is what the demo's findings look like today, as the
// coordinator sees them.
type FindingsSummary struct {
	finding.Counts
	Unassigned int // findings on hosts no agency registered
	HuntsOpen  int
	HuntsDone  int
	Imports    int
}

// scanRun is a tool's runs over the months, oldest first, in days before
// today, and who imported them.
type scanRun struct {
	tool string
	days []int
	by   string
}

const (
	coordinatorEmail = "dieuphoi@demo.khien.vn"
	auditorEmail     = "kiemtra@demo.khien.vn"
	responderEmail   = "ungcuu@demo.khien.vn"
	leaderEmail      = "quantri.skhcn@demo.khien.vn"
	operatorEmail    = "canbo.skhcn@demo.khien.vn"
	// skhcn is the agency whose own staff have demo accounts.
	skhcn = "SKHCN"
)

// runs: the city's security operations centre scans the data centre's
// servers with Nessus and the wards' with Greenbone, and every portal from
// outside with Khiên and Nuclei; the public-service portals get a ZAP scan;
// the auditors' team tests its agencies by hand and with Burp, then re-tests.
var runs = []scanRun{
	{"nessus", []int{270, 180, 90, 20}, coordinatorEmail},
	{"openvas", []int{240, 120, 30}, coordinatorEmail},
	{"khien", []int{210, 150, 60, 5}, coordinatorEmail},
	{"nuclei", []int{200, 100, 14}, coordinatorEmail},
	{"zap", []int{160, 45}, coordinatorEmail},
	{"burp", []int{130}, auditorEmail},
	{"manual", []int{125, 35}, auditorEmail},
}

func runOf(tool string) scanRun {
	i := slices.IndexFunc(runs, func(r scanRun) bool { return r.tool == tool })
	return runs[i]
}

// fate is what happens to a finding after it is first seen.
type fate int

const (
	stayNew       fate = iota
	confirmed          // triaged, nobody on it yet
	inRemediation      // the agency is working on it
	claimedFixed       // the agency says it is fixed; no scan has looked since
	verified           // a later scan no longer sees it
	closed             // verified, then closed by an auditor
	falsePositive      // an auditor says it is not real
	riskAccepted       // the agency's leader accepts it for a while
	regression         // fixed, verified, then seen again
)

// target is a registered host a tool scans.
type target struct {
	sys      *inventory.SystemView
	host, ip string
	windows  bool
}

// issue is one weakness on one target: the scans of its tool that see it
// and what people do about it.
type issue struct {
	w           weakness
	t           target
	first, last int // seen from scan first to scan last of its tool
	back        int // seen again from this scan (a regression); 0: never
	fate        fate
	fingerprint string
	// echo is another tool's report of an issue planned already: people
	// act on the issue once.
	echo bool
}

func (is *issue) seenIn(scan int) bool {
	return scan >= is.first && (scan <= is.last || is.back > 0 && scan >= is.back)
}

// observation is the issue as its tool reported it at a time.
func (is *issue) observation(at time.Time) source.Observation {
	w, host := is.w, is.t.host
	fill := func(s string) string { return strings.ReplaceAll(s, "{host}", host) }
	o := source.Observation{Tool: w.tool, RuleID: w.rule, Title: w.title, Severity: w.sev, CVSS3: w.cvss, Score: w.score, CWE: w.cwe,
		CVEs: w.cves, Tags: w.tags, Host: host, IP: is.t.ip, Port: w.port, Protocol: w.proto, Parameter: w.param,
		Evidence: fill(w.evidence), Request: fill(w.request), Response: fill(w.response), SeenAt: at}
	if w.path != "" {
		scheme := "https"
		if w.port == 80 {
			scheme = "http"
		}
		o.URL = scheme + "://" + host + w.path
	}
	return o
}

// unregistered are hosts the city-wide external scans reach that no agency
// registered: the coordinator's unassigned queue.
var unregistered = []struct {
	host, ip string
	w        []weakness
}{
	{"vpn.cantho.gov.vn", "203.113.152.10", []weakness{{tool: "nuclei", rule: "CVE-2023-4966", title: "Citrix NetScaler ADC/Gateway - Information Disclosure (Citrix Bleed)", sev: finding.High,
		cvss: vecReadAll, cwe: "CWE-119", cves: []string{"CVE-2023-4966"}, port: 443, path: "/oauth/idp/.well-known/openid-configuration",
		response: "HTTP/1.1 200 OK\nContent-Length: 147383\n\n{\"issuer\": \"https://aaaaaaaa…(bộ nhớ bị lộ, đã cắt)"}}},
	{"qlvb.haugiang.gov.vn", "113.161.74.20", []weakness{
		{tool: "khien", rule: "tls.expired", title: "Chứng thư số đã hết hạn", sev: finding.Medium, cvss: vecCert, cwe: "CWE-298", port: 443, evidence: "CN=*.haugiang.gov.vn, hết hạn 2025-08-31"},
		{tool: "khien", rule: "tech.end-of-life", title: "Thành phần đã hết hỗ trợ (end-of-life)", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", cwe: "CWE-1104", port: 443, path: "/", evidence: "Microsoft-IIS/7.5, ASP.NET 2.0.50727"},
	}},
	{"dvc.soctrang.gov.vn", "14.225.201.36", []weakness{
		{tool: "khien", rule: "exposure.git", title: "Lộ kho mã nguồn .git", sev: finding.High, cvss: vecDataLeak, cwe: "CWE-527", port: 443, path: "/.git/config", evidence: "GET /.git/config → 200 OK"},
		{tool: "nuclei", rule: "CVE-2021-41773", title: "Apache 2.4.49 - Path Traversal and Remote Code Execution", sev: finding.High, cvss: vecReadAll, cwe: "CWE-22", cves: []string{"CVE-2021-41773"}, port: 443,
			path: "/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd", response: "HTTP/1.1 200 OK\nServer: Apache/2.4.49 (Unix)\n\nroot:x:0:0:root:/root:/bin/bash"},
	}},
	{"hop.cantho.gov.vn", "203.113.152.31", []weakness{
		{tool: "khien", rule: "tls.weak-protocol", title: "Hỗ trợ giao thức TLS 1.0/1.1 đã lỗi thời", sev: finding.Medium, cvss: vecCrypto, cwe: "CWE-327", port: 443, evidence: "TLSv1.0 được chấp nhận"},
		{tool: "khien", rule: "http.server-version-disclosure", title: "Máy chủ web để lộ phiên bản phần mềm", sev: finding.Low, cvss: vecInfoLow, cwe: "CWE-200", port: 443, path: "/", evidence: "Server: Apache/2.4.29 (Ubuntu)"},
	}},
	{"203.113.152.45", "203.113.152.45", []weakness{
		{tool: "nuclei", rule: "phpmyadmin-panel", title: "phpMyAdmin Panel - Detect", sev: finding.Info, port: 80, path: "/phpmyadmin/", evidence: "<title>phpMyAdmin</title> — phpMyAdmin 4.8.5"},
		{tool: "nuclei", rule: "CVE-2024-4577", title: "PHP CGI - Argument Injection (CVE-2024-4577)", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-78", cves: []string{"CVE-2024-4577"}, port: 80, path: "/php-cgi/php-cgi.exe",
			response: "HTTP/1.1 200 OK\nServer: Apache/2.4.39 (Win64) PHP/8.1.10"},
	}},
}

// simulation carries the replay.
type simulation struct {
	store       *storage.Store // the demo's store with a clock of its own
	at          time.Time      // the clock
	today       time.Time
	rng         *rand.Rand
	actors      map[string]access.Actor
	issues      []*issue
	steps       []step
	planned     map[string]*issue // by tool and fingerprint
	bulks       map[moveKey]*bulkMove
	ids         map[string]int64 // finding id by fingerprint
	newest      int64            // the newest finding in ids
	sum         FindingsSummary
	regressions int
	err         error // the first observation the finding package refused
}

// step is one thing that happens at a time.
type step struct {
	at time.Time
	do func(ctx context.Context) error
}

// loadFindings replays the findings' months into the demo city.
func loadFindings(ctx context.Context, store *storage.Store) (FindingsSummary, error) {
	// A copy of the store with its own clock: the caller's keeps the real time.
	clocked := *store
	sim := &simulation{store: &clocked, today: store.Now(), rng: rand.New(rand.NewPCG(2026, 11)), actors: map[string]access.Actor{},
		planned: map[string]*issue{}, bulks: map[moveKey]*bulkMove{}, ids: map[string]int64{}}
	sim.at = sim.today
	sim.store.SetClock(func() time.Time { return sim.at })
	for _, email := range []string{coordinatorEmail, auditorEmail, responderEmail, leaderEmail, operatorEmail} {
		u, err := identity.UserByEmail(ctx, store, email)
		if err != nil {
			return sim.sum, err
		}
		if sim.actors[email], err = identity.ActorFor(ctx, store, u); err != nil {
			return sim.sum, err
		}
	}
	targets, err := sim.loadTargets(ctx)
	if err != nil {
		return sim.sum, err
	}
	sim.plan(targets)
	if sim.err != nil {
		return sim.sum, sim.err
	}
	for _, is := range sim.issues {
		sim.schedule(is)
	}
	sim.scheduleImports()
	sim.scheduleConversation()
	slices.SortStableFunc(sim.steps, func(a, b step) int { return a.at.Compare(b.at) })
	for _, s := range sim.steps {
		sim.at = s.at.UTC().Truncate(time.Microsecond)
		if err := s.do(ctx); err != nil {
			return sim.sum, fmt.Errorf("demo findings, %s: %w", s.at.Format(time.DateTime), err)
		}
	}
	sim.at = sim.today
	if err := sim.hunts(ctx); err != nil {
		return sim.sum, err
	}
	return sim.count(ctx, store)
}

// day is 09:00 in Vietnam, d days before today, plus h hours.
func (sim *simulation) day(d int, h int) time.Time {
	t := sim.today.In(i18n.Vietnam)
	return time.Date(t.Year(), t.Month(), t.Day()-d, 9+h, 0, 0, 0, i18n.Vietnam)
}

// scanTime is when scan i of a tool ran; each tool at its own hour.
func (sim *simulation) scanTime(tool string, i int) time.Time {
	hour := slices.IndexFunc(runs, func(r scanRun) bool { return r.tool == tool })
	return sim.day(runOf(tool).days[i], hour)
}

// loadTargets reads the hosts the tools scan from the demo's inventory.
func (sim *simulation) loadTargets(ctx context.Context) (map[string][]target, error) {
	coord := sim.actors[coordinatorEmail]
	systems, err := storage.All(func(p storage.Page) (storage.Paged[inventory.SystemView], error) {
		return inventory.ListSystems(ctx, sim.store, coord, inventory.SystemFilter{Level: -1}, p)
	})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*inventory.SystemView{}
	for i := range systems {
		byID[systems[i].ID] = &systems[i]
	}
	assets, err := storage.All(func(p storage.Page) (storage.Paged[inventory.AssetView], error) {
		return inventory.ListAssets(ctx, sim.store, coord, inventory.AssetFilter{}, p)
	})
	if err != nil {
		return nil, err
	}
	// The public address of each portal, if it has one of its own.
	publicIP := map[int64]string{}
	for _, a := range assets {
		if a.Kind == "ip" && len(a.SystemIDs) == 1 && a.Elsewhere == nil {
			publicIP[a.SystemIDs[0]] = a.Value
		}
	}
	kinds := map[string]string{}
	for _, a := range agencies {
		kinds[a.code] = a.kind
	}
	out := map[string][]target{}
	for _, a := range assets {
		if len(a.SystemIDs) == 0 {
			continue
		}
		sys := byID[a.SystemIDs[0]]
		ward := kinds[sys.OrgCode] == identity.OrgCommune
		switch {
		case a.Kind == "domain" && strings.HasPrefix(a.Value, "mail."):
			out["mail"] = append(out["mail"], target{sys: sys, host: a.Value})
		case a.Kind == "domain" && sys.Kind == "web_portal":
			out["portal"] = append(out["portal"], target{sys: sys, host: a.Value, ip: publicIP[sys.ID]})
		case a.Kind == "server" && a.IPs != "":
			ip, _, _ := strings.Cut(a.IPs, ",")
			t := target{sys: sys, host: ip, ip: ip, windows: strings.HasPrefix(a.OS, "Windows")}
			if ward {
				out["ward-server"] = append(out["ward-server"], t)
			} else {
				out["server"] = append(out["server"], t)
			}
		case a.Kind == "cidr" && ward:
			ip := strings.TrimSuffix(a.Value, ".0/24") + ".25"
			out["ward-lan"] = append(out["ward-lan"], target{sys: sys, host: ip, ip: ip})
		}
	}
	return out, nil
}

// plan decides the issues: every scanned host has the tool's anchor (what
// it reports of every host, so a later scan is seen to have reached it),
// and each weakness with its chance, more on neglected systems, none on
// well-kept ones.
func (sim *simulation) plan(targets map[string][]target) {
	care := map[int64]float64{}
	careOf := func(sys *inventory.SystemView) float64 {
		if c, ok := care[sys.ID]; ok {
			return c
		}
		c := []float64{0, 1, 1, 1, 1, 2.2}[sim.rng.IntN(6)]
		care[sys.ID] = c
		return c
	}
	pick := func(t target, w weakness, p float64) {
		if sim.rng.Float64() < p*careOf(t.sys) {
			sim.add(w, t, -1)
		}
	}
	cms := []string{"liferay", "liferay", "wordpress", "wordpress", "joomla", "aspnet"}
	zapped := 0
	for _, t := range targets["portal"] {
		sim.add(khienAnchor, t, 0)
		sim.add(nucleiAnchor, t, 0)
		for _, c := range khienChecks {
			pick(t, c.w, c.p)
		}
		for _, c := range cmsWeaknesses[cms[sim.rng.IntN(len(cms))]] {
			if sim.rng.Float64() < c.p*careOf(t.sys) {
				// Khiên and Nuclei both report the CVE: one finding, two sources.
				k, n := c.w, c.w
				k.tool, k.rule, n.tool = "khien", "tech.vulnerable-component", "nuclei"
				sim.twins(k, n, t)
			}
		}
		for _, c := range nucleiExtra {
			pick(t, c.w, c.p)
		}
		if t.sys.OrgCode == "TTPVHCC" || (zapped < 3 && t.sys.Level >= 2 && sim.rng.IntN(8) == 0) {
			zapped++
			for i, w := range zapAlerts {
				if i == 0 {
					sim.persist(sim.add(w, t, 0))
				} else if t.sys.OrgCode == "TTPVHCC" || i < 5 {
					sim.add(w, t, -1)
				}
			}
		}
	}
	for _, t := range targets["mail"] {
		for _, w := range khienMail {
			sim.persist(sim.add(w, t, -1))
		}
	}
	for _, t := range targets["server"] {
		if sim.rng.IntN(5) == 0 {
			continue // not in the scan's scope: the agency's own server room
		}
		sim.add(nessusAnchor, t, 0)
		checks := nessusLinux
		if t.windows {
			checks = nessusWindows
		}
		for _, c := range checks {
			pick(t, c.w, c.p)
		}
	}
	for _, t := range targets["ward-server"] {
		if sim.rng.IntN(4) == 0 {
			continue
		}
		sim.add(openvasAnchor, t, 0)
		for _, c := range openvasChecks {
			pick(t, c.w, c.p)
		}
	}
	for _, t := range targets["ward-lan"] {
		for _, c := range openvasLAN {
			if sim.rng.Float64() < c.p {
				sim.add(openvasAnchor, t, 0)
				sim.add(c.w, t, -1)
			}
		}
	}
	sim.planAudit(targets)
	for _, u := range unregistered {
		t := target{host: u.host, ip: u.ip}
		tools := map[string]bool{}
		for _, w := range u.w {
			sim.add(w, t, 0)
			tools[w.tool] = true
		}
		if tools["khien"] {
			sim.add(khienAnchor, t, 0)
		}
		if tools["nuclei"] {
			sim.add(nucleiAnchor, t, 0)
		}
	}
	sim.planStories(targets)
}

// planAudit places the auditors' manual test and Burp scan on the systems
// of the agencies they are assigned to: each tested system keeps one
// finding open, so the re-test is seen to have reached it.
func (sim *simulation) planAudit(targets map[string][]target) {
	tested := 0
	for _, t := range targets["portal"] {
		if tested >= 4 || !sim.actors[auditorEmail].InScope(t.sys.OrgPath) {
			continue
		}
		tested++
		sim.add(burpIssues[tested%len(burpIssues)], t, 0)
		for k := range 3 {
			is := sim.add(pentest[(2*tested+k)%len(pentest)], t, 0)
			if k == 0 {
				sim.persist(is)
			}
		}
	}
}

// planStories makes sure of what the demo is there to show: a regression
// on a ward's portal that was injected with gambling links, and Log4Shell
// on the data-sharing platform, fixed and verified, whose threat hunt the
// responder finishes.
func (sim *simulation) planStories(targets map[string][]target) {
	gambling := khienChecks[len(khienChecks)-1].w
	for _, t := range targets["portal"] {
		if t.sys.OrgCode == "P-NINHKIEU" {
			is := sim.add(gambling, t, 0)
			is.first, is.fate, is.last, is.back = 0, regression, 1, 3
			break
		}
	}
	for _, t := range targets["server"] {
		if t.sys.OrgCode == skhcn && strings.Contains(t.sys.Name, "LGSP") {
			sim.add(nessusAnchor, t, 0)
			way := nessusLinux[4].w // Log4Shell in the WSO2 API gateway
			if t.windows {
				way = nessusWindows[3].w // BlueKeep
			}
			is := sim.add(way, t, 0)
			is.first, is.fate, is.last, is.back = 0, closed, 0, 0
		}
	}
}

// add plans an issue first seen at scan first of its tool (-1: chosen),
// with a fate.
func (sim *simulation) add(w weakness, t target, first int) *issue {
	n := len(runOf(w.tool).days)
	is := &issue{w: w, t: t, first: first, last: n - 1}
	f, err := finding.FromObservation(is.observation(sim.today), demoVulns{})
	if err != nil {
		sim.err = cmp.Or(sim.err, fmt.Errorf("demo finding %s on %s: %w", w.rule, t.host, err))
		return is
	}
	is.fingerprint = f.Fingerprint
	if old, ok := sim.planned[w.tool+" "+f.Fingerprint]; ok {
		return old // a weakness picked twice on one host is one issue
	}
	sim.planned[w.tool+" "+f.Fingerprint] = is
	if first < 0 {
		is.first = []int{0, 0, 0, 0, 0, 0, 1, 1, 2}[sim.rng.IntN(9)] % n
	}
	if w.sev != finding.Info && t.sys != nil {
		sim.chooseFate(is, n)
	}
	sim.issues = append(sim.issues, is)
	return is
}

// twins plans one issue reported by two tools: both see it in every scan.
func (sim *simulation) twins(a, b weakness, t target) {
	is := sim.persist(sim.add(a, t, 0))
	if is.fate != riskAccepted {
		is.fate = []fate{stayNew, confirmed, inRemediation}[sim.rng.IntN(3)]
	}
	echo := sim.persist(sim.add(b, t, 0))
	echo.fate, echo.echo = stayNew, true
}

// persist keeps an issue in every scan from its first: a host whose other
// findings may all be fixed keeps one, so that its re-scan is seen to reach it.
func (sim *simulation) persist(is *issue) *issue {
	if is.fate == verified || is.fate == closed || is.fate == regression {
		is.fate = inRemediation
	}
	is.last, is.back = len(runOf(is.w.tool).days)-1, 0
	return is
}

// chooseFate picks what becomes of an issue; a fate that needs a later scan
// needs one to exist.
func (sim *simulation) chooseFate(is *issue, n int) {
	weights := []struct {
		f fate
		w int
	}{{stayNew, 26}, {confirmed, 12}, {inRemediation, 12}, {claimedFixed, 6}, {verified, 18}, {closed, 9}, {falsePositive, 8}, {riskAccepted, 5}, {regression, 1}}
	total := 0
	for _, x := range weights {
		total += x.w
	}
	r := sim.rng.IntN(total)
	for _, x := range weights {
		if r -= x.w; r < 0 {
			is.fate = x.f
			break
		}
	}
	later := n - 1 - is.first // scans after the first sighting
	switch {
	case is.fate == falsePositive && is.w.fp == "":
		is.fate = confirmed
	case is.fate == regression && (later < 2 || sim.regressions >= 1):
		is.fate = verified
	}
	if (is.fate == verified || is.fate == closed) && later < 1 {
		is.fate = inRemediation
	}
	switch is.fate {
	case verified, closed:
		is.last = is.first + sim.rng.IntN(later) // gone from the scan after last
	case regression:
		sim.regressions++
		is.last, is.back = is.first, is.first+2
	}
}

// schedule puts what people do about an issue on the timeline.
func (sim *simulation) schedule(is *issue) {
	if is.t.sys == nil || is.w.sev == finding.Info || is.echo {
		return
	}
	tool := is.w.tool
	seen := sim.scanTime(tool, is.first)
	after := func(days int) time.Time { return seen.Add(time.Duration(days)*24*time.Hour + 3*time.Hour) }
	triage, worker, auditor, leader := sim.roles(is.t.sys)
	note := func(s string) string {
		if worker.Email == coordinatorEmail {
			return "Theo báo cáo của " + is.t.sys.OrgName + ": " + s
		}
		return s
	}
	fix := cmp.Or(is.w.fix, "Đã khắc phục theo khuyến nghị, đề nghị quét lại để xác minh.")
	n := len(runOf(tool).days)
	switch is.fate {
	case confirmed:
		sim.move(after(2+sim.rng.IntN(5)), is, triage, finding.Move{To: finding.Confirmed})
	case inRemediation:
		sim.move(after(2), is, triage, finding.Move{To: finding.Confirmed})
		sim.move(after(6+sim.rng.IntN(10)), is, worker, finding.Move{To: finding.InRemediation, Note: note("Đã giao bộ phận kỹ thuật và nhà cung cấp xử lý.")})
	case claimedFixed:
		sim.move(after(1), is, triage, finding.Move{To: finding.Confirmed})
		claim := sim.scanTime(tool, n-1).Add(time.Duration(24+sim.rng.IntN(48)) * time.Hour)
		if claim.Before(after(2)) {
			claim = after(2)
		}
		sim.move(claim, is, worker, finding.Move{To: finding.Fixed, Note: note(fix)})
	case verified, closed, regression:
		gone := sim.scanTime(tool, is.last+1)
		if is.fate != verified || sim.rng.IntN(3) > 0 {
			sim.move(after(1), is, triage, finding.Move{To: finding.Confirmed})
			sim.move(gone.AddDate(0, 0, -1-sim.rng.IntN(5)), is, worker, finding.Move{To: finding.Fixed, Note: note(fix)})
		}
		if is.fate == closed {
			sim.move(gone.Add(time.Duration(24*(2+sim.rng.IntN(4)))*time.Hour), is, auditor, finding.Move{To: finding.Closed, Note: "Đã xác minh bằng lần quét lại, đóng phát hiện."})
		}
	case falsePositive:
		sim.move(after(3+sim.rng.IntN(7)), is, auditor, finding.Move{To: finding.FalsePositive, Note: is.w.fp})
	case riskAccepted:
		sim.move(after(2), is, triage, finding.Move{To: finding.Confirmed})
		at := after(15 + sim.rng.IntN(20))
		until := sim.today.In(i18n.Vietnam).AddDate(0, 0, 20+sim.rng.IntN(100))
		if max := at.AddDate(0, 0, 365); until.After(max) {
			until = max
		}
		approver := "Nguyễn Thị Ngọc Mai, Phó Giám đốc Sở Khoa học và Công nghệ"
		if leader.Email == coordinatorEmail {
			approver = "Lãnh đạo " + is.t.sys.OrgName + " (công văn đề nghị chấp nhận rủi ro)"
		}
		sim.move(at, is, leader, finding.Move{To: finding.RiskAccepted, Approver: approver, Until: until.Format(time.DateOnly),
			Note: "Phần mềm do nhà cung cấp phát triển, chưa có bản cập nhật; đã bổ sung quy tắc WAF và giới hạn truy cập theo địa chỉ IP trong thời gian chờ nâng cấp."})
	}
}

// roles are who acts on a system's findings: who triages, who fixes, who
// verifies and who accepts risks. The demo's own agency has its staff; the
// auditor works on the agencies assigned to them; elsewhere the
// coordinator records what the agencies report.
func (sim *simulation) roles(sys *inventory.SystemView) (triage, worker, auditor, leader access.Actor) {
	coord := sim.actors[coordinatorEmail]
	triage, worker, auditor, leader = coord, coord, coord, coord
	if a := sim.actors[auditorEmail]; a.InScope(sys.OrgPath) {
		triage, auditor = a, a
	}
	if sys.OrgCode == skhcn {
		triage, worker, leader = sim.actors[operatorEmail], sim.actors[operatorEmail], sim.actors[leaderEmail]
	}
	return triage, worker, auditor, leader
}

// then is at, or just before today for what would come later: the
// timeline ends now, and the steps of one finding keep their order.
func (sim *simulation) then(at time.Time) time.Time {
	if latest := sim.today.Add(-2 * time.Hour); at.After(latest) {
		return latest
	}
	return at
}

// move plans a status change. The same change by the same person at the
// same moment (the coordinator triaging a scan's results) is one bulk change.
func (sim *simulation) move(at time.Time, is *issue, actor access.Actor, m finding.Move) {
	key := moveKey{at, actor.Email, m}
	if b, ok := sim.bulks[key]; ok && sim.then(at).Equal(at) {
		b.issues = append(b.issues, is)
		return
	}
	b := &bulkMove{issues: []*issue{is}}
	sim.bulks[key] = b
	sim.steps = append(sim.steps, step{sim.then(at), func(ctx context.Context) error {
		ids := make([]int64, len(b.issues))
		for i, is := range b.issues {
			id, err := sim.id(ctx, is)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		if _, err := finding.Bulk(ctx, sim.store, actor, ids, m); err != nil {
			return fmt.Errorf("%s moves findings %v (%s on %s…) to %s: %w", actor.Email, ids, is.w.rule, is.t.host, m.To, err)
		}
		return nil
	}})
}

// moveKey is a status change by someone at a time; bulkMove the findings it moves.
type moveKey struct {
	at    time.Time
	actor string
	m     finding.Move
}

type bulkMove struct{ issues []*issue }

// id finds an issue's finding. The findings created since the last look
// are read, newest first, when it is not known yet.
func (sim *simulation) id(ctx context.Context, is *issue) (int64, error) {
	if id, ok := sim.ids[is.fingerprint]; ok {
		return id, nil
	}
	newest, p := sim.newest, storage.First(storage.DefaultLimit)
	for {
		res, err := finding.List(ctx, sim.store, sim.actors[coordinatorEmail], finding.Filter{Sort: "newest"}, p)
		if err != nil {
			return 0, err
		}
		seen := false
		for _, f := range res.Items {
			if seen = f.ID <= sim.newest; seen {
				break
			}
			sim.ids[f.Fingerprint] = f.ID
			newest = max(newest, f.ID)
		}
		if seen || res.Next == "" {
			break
		}
		if p.After, err = storage.DecodeCursor(res.Next); err != nil {
			return 0, err
		}
	}
	sim.newest = newest
	if id, ok := sim.ids[is.fingerprint]; ok {
		return id, nil
	}
	return 0, fmt.Errorf("no finding for %s on %s", is.w.rule, is.t.host)
}

// scheduleImports puts every scan's import on the timeline: each sees the
// issues planned for it, two hours after it ran.
func (sim *simulation) scheduleImports() {
	for _, r := range runs {
		for i := range r.days {
			ran := sim.scanTime(r.tool, i)
			var obs []source.Observation
			for _, is := range sim.issues {
				if is.w.tool == r.tool && is.seenIn(i) {
					obs = append(obs, is.observation(ran))
				}
			}
			name := fmt.Sprintf("%s-%s%s", r.tool, ran.Format("20060102"), map[string]string{"nessus": ".nessus", "openvas": ".xml", "khien": ".jsonl", "nuclei": ".jsonl", "zap": ".json", "burp": ".xml", "manual": ".xlsx"}[r.tool])
			actor := sim.actors[r.by]
			sim.steps = append(sim.steps, step{ran.Add(2 * time.Hour), func(ctx context.Context) error {
				_, err := finding.ImportObservations(ctx, sim.store, actor, finding.ImportRequest{FileName: name}, obs, demoVulns{})
				sim.sum.Imports++
				if err != nil {
					return fmt.Errorf("import %s: %w", name, err)
				}
				return nil
			}})
		}
	}
}

// scheduleConversation adds comments and evidence files to a few findings:
// the coordinator's reminder on the worst open ones, the agency's answer,
// the auditor's evidence on the test findings and the fix's evidence.
func (sim *simulation) scheduleConversation() {
	reminders, evidence, fixes := 0, 0, 0
	for _, is := range sim.issues {
		if is.t.sys == nil || is.echo {
			continue
		}
		seen := sim.scanTime(is.w.tool, is.first)
		_, worker, _, _ := sim.roles(is.t.sys)
		switch {
		case reminders < 6 && is.w.sev == finding.Critical && (is.fate == inRemediation || is.fate == confirmed || is.fate == stayNew):
			reminders++
			sim.comment(seen.Add(26*time.Hour), is, sim.actors[coordinatorEmail], "Đề nghị đơn vị khắc phục ngay và rà soát dấu hiệu bị khai thác theo Chỉ thị 18/CT-TTg; Khiên đã tạo nhiệm vụ săn tìm mối đe dọa cho hệ thống.")
			if worker.Email != coordinatorEmail {
				sim.comment(seen.Add(50*time.Hour), is, worker, "Đã liên hệ nhà cung cấp phần mềm, dự kiến cập nhật trong tuần; tạm thời đã chặn truy cập từ Internet bằng tường lửa.")
			}
		case evidence < 2 && is.w.tool == "manual" && is.first == 0:
			evidence++
			sim.attach(seen.Add(20*time.Hour), is, sim.actors[auditorEmail], is.w.rule+"-bang-chung.txt",
				"Biên bản kiểm thử xâm nhập — "+is.w.rule+"\nHệ thống: "+is.t.sys.Name+"\nMục tiêu: "+is.t.host+"\n\n"+is.w.evidence+"\n\nNgười kiểm thử: Lê Quốc Dũng, đoàn đánh giá an toàn thông tin thành phố\n")
		case fixes < 1 && is.t.sys.OrgCode == skhcn && is.w.rule == "http.missing-hsts" && is.fate == claimedFixed:
			fixes++
			sim.attach(sim.scanTime("khien", len(runOf("khien").days)-1).Add(20*time.Hour), is, sim.actors[operatorEmail], "nginx-hsts.conf",
				"# /etc/nginx/conf.d/security-headers.conf\nadd_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;\n")
		}
		if is.fate == regression {
			sim.comment(sim.scanTime(is.w.tool, is.back).Add(4*time.Hour), is, sim.actors[coordinatorEmail],
				"Lỗ hổng xuất hiện lại sau khi đơn vị khôi phục trang từ bản sao lưu cũ: đề nghị rà soát toàn bộ mã nguồn, tìm webshell và đổi mật khẩu quản trị.")
		}
	}
}

func (sim *simulation) comment(at time.Time, is *issue, actor access.Actor, text string) {
	sim.steps = append(sim.steps, step{sim.then(at), func(ctx context.Context) error {
		id, err := sim.id(ctx, is)
		if err == nil {
			err = finding.Comment(ctx, sim.store, actor, id, text)
		}
		return err
	}})
}

func (sim *simulation) attach(at time.Time, is *issue, actor access.Actor, name, text string) {
	sim.steps = append(sim.steps, step{sim.then(at), func(ctx context.Context) error {
		id, err := sim.id(ctx, is)
		if err == nil {
			_, err = finding.Attach(ctx, sim.store, actor, id, name, []byte(text))
		}
		return err
	}})
}

// count sums up the findings as the coordinator sees them today.
func (sim *simulation) count(ctx context.Context, store *storage.Store) (FindingsSummary, error) {
	coord := sim.actors[coordinatorEmail]
	c, err := finding.Count(ctx, store, coord, finding.Filter{})
	if err != nil {
		return sim.sum, err
	}
	sim.sum.Counts = c
	u, err := finding.Count(ctx, store, coord, finding.Filter{Unassigned: true})
	if err != nil {
		return sim.sum, err
	}
	sim.sum.Unassigned = u.Total
	for _, st := range hunt.Statuses {
		h, err := hunt.List(ctx, store, coord, hunt.Filter{Status: st}, storage.First(1), sim.today)
		if err != nil {
			return sim.sum, err
		}
		if st == hunt.StatusOpen {
			sim.sum.HuntsOpen = h.Total
		} else {
			sim.sum.HuntsDone = h.Total
		}
	}
	return sim.sum, nil
}
