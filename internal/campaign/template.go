package campaign

import (
	"fmt"
	"time"
)

// A Template gives a campaign its phases for a year. Titles are the
// plan's own text, in Vietnamese as the documents are; the kinds are
// translated on the pages.
type Template struct {
	Key string `json:"key"`
	// Phases are the steps, with dates in the campaign's year
	// ("05-01"); a date in the next year starts with "+".
	Phases []PhaseSpec `json:"phases"`
	// AllSystems lists every system of the organisations in the campaign
	// (a merger review names what to re-inventory and scan).
	AllSystems bool `json:"all_systems"`
}

// PhaseSpec is one phase of a template and what each organisation owes in it.
type PhaseSpec struct {
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	Starts     string `json:"starts"`
	Due        string `json:"due"`
	Obligation string `json:"obligation"`
}

// Templates are the built-in plans.
var Templates = []Template{
	// Seed 000 (Kế hoạch 104/KH-UBND, Cần Thơ 2025): each agency sends its
	// list of systems in May (II.1), is scanned in phases every 3 months
	// (II.3.b), reports on remediation, and sends its results report
	// before 10 October (III.4).
	{Key: "yearly_review", Phases: []PhaseSpec{
		{Kind: KindInventory, Title: "Cung cấp danh mục hệ thống thông tin", Starts: "05-01", Due: "05-31",
			Obligation: "Gửi danh mục website, phần mềm, hệ thống lưu trữ dữ liệu; tên miền, địa chỉ IP, máy chủ; giải pháp bảo mật, sao lưu; thiết bị và nhân sự phụ trách"},
		{Kind: KindScanning, Title: "Rà quét, kiểm tra, đánh giá an toàn hệ thống (định kỳ 03 tháng/lần)", Starts: "06-01", Due: "12-31",
			Obligation: "Phối hợp rà quét: cung cấp đầu mối, thời gian được phép rà quét, xác nhận phạm vi"},
		{Kind: KindRemediationReport, Title: "Khắc phục lỗ hổng theo kiến nghị", Starts: "06-01", Due: "09-30",
			Obligation: "Báo cáo kết quả khắc phục các lỗ hổng đã được thông báo"},
		{Kind: KindFinalReport, Title: "Báo cáo kết quả thực hiện (trước ngày 10/10)", Starts: "09-01", Due: "10-09",
			Obligation: "Gửi báo cáo kết quả thực hiện Kế hoạch về Công an thành phố"},
	}},
	// Directive 18 and seed 000 II.3.b: a scan every quarter, each
	// followed by a report of what was fixed.
	{Key: "quarterly_scan", Phases: []PhaseSpec{
		{Kind: KindScanning, Title: "Rà quét quý I", Starts: "01-01", Due: "03-31", Obligation: "Phối hợp rà quét quý I"},
		{Kind: KindRemediationReport, Title: "Báo cáo khắc phục quý I", Starts: "04-01", Due: "04-15", Obligation: "Báo cáo khắc phục lỗ hổng phát hiện trong quý I"},
		{Kind: KindScanning, Title: "Rà quét quý II", Starts: "04-01", Due: "06-30", Obligation: "Phối hợp rà quét quý II"},
		{Kind: KindRemediationReport, Title: "Báo cáo khắc phục quý II", Starts: "07-01", Due: "07-15", Obligation: "Báo cáo khắc phục lỗ hổng phát hiện trong quý II"},
		{Kind: KindScanning, Title: "Rà quét quý III", Starts: "07-01", Due: "09-30", Obligation: "Phối hợp rà quét quý III"},
		{Kind: KindRemediationReport, Title: "Báo cáo khắc phục quý III", Starts: "10-01", Due: "10-15", Obligation: "Báo cáo khắc phục lỗ hổng phát hiện trong quý III"},
		{Kind: KindScanning, Title: "Rà quét quý IV", Starts: "10-01", Due: "12-31", Obligation: "Phối hợp rà quét quý IV"},
		{Kind: KindRemediationReport, Title: "Báo cáo khắc phục quý IV", Starts: "+01-01", Due: "+01-15", Obligation: "Báo cáo khắc phục lỗ hổng phát hiện trong quý IV"},
	}},
	// Seed 003 (Gia Lai, 09/TB-TBATANM, 2025 mergers): re-inventory the
	// systems of the organisations being merged, scan before and after,
	// review every account and withdraw those no longer used.
	{Key: "merger_review", AllSystems: true, Phases: []PhaseSpec{
		{Kind: KindInventory, Title: "Rà soát, thống kê, cập nhật danh mục hệ thống thông tin trước hợp nhất", Starts: "06-01", Due: "06-15",
			Obligation: "Cập nhật danh mục hệ thống, tài sản (đặc biệt hệ thống giải quyết thủ tục hành chính) và phương án đồng bộ dữ liệu"},
		{Kind: KindScanning, Title: "Kiểm tra, đánh giá trước hợp nhất", Starts: "06-01", Due: "06-30",
			Obligation: "Phối hợp rà quét điểm yếu, mã độc trên máy chủ, máy trạm trước hợp nhất"},
		{Kind: "account_review", Title: "Rà soát tài khoản, phân quyền", Starts: "06-15", Due: "07-15",
			Obligation: "Rà soát toàn bộ tài khoản; thu hồi tài khoản của người nghỉ hưu, chuyển công tác; bật xác thực đa nhân tố"},
		{Kind: KindScanning, Title: "Kiểm tra, đánh giá sau hợp nhất", Starts: "07-01", Due: "07-31",
			Obligation: "Phối hợp rà quét sau hợp nhất, khắc phục điểm yếu"},
		{Kind: KindFinalReport, Title: "Báo cáo kết quả bảo đảm an toàn thông tin khi hợp nhất", Starts: "08-01", Due: "08-15",
			Obligation: "Gửi báo cáo kết quả rà soát, khắc phục trước, trong và sau hợp nhất"},
	}},
}

// TemplateKeys lists the templates' keys.
func TemplateKeys() []string {
	var out []string
	for _, t := range Templates {
		out = append(out, t.Key)
	}
	return out
}

// TemplateByKey finds a template.
func TemplateByKey(key string) (Template, bool) {
	for _, t := range Templates {
		if t.Key == key {
			return t, true
		}
	}
	return Template{}, false
}

// PlannedPhase is a phase with the title of what each organisation owes in it.
type PlannedPhase struct {
	Phase
	Obligation string
}

// Plan gives the template's phases for a year, dated.
func (t Template) Plan(year int) ([]PlannedPhase, error) {
	var out []PlannedPhase
	for i, s := range t.Phases {
		starts, err := dayIn(year, s.Starts)
		if err != nil {
			return nil, err
		}
		due, err := dayIn(year, s.Due)
		if err != nil {
			return nil, err
		}
		out = append(out, PlannedPhase{Phase: Phase{Position: i + 1, Kind: s.Kind, Title: s.Title, StartsOn: starts, DueOn: due}, Obligation: s.Obligation})
	}
	return out, nil
}

// dayIn is "MM-DD" in year (or the next, for "+MM-DD") as ISO text.
func dayIn(year int, md string) (string, error) {
	if len(md) > 0 && md[0] == '+' {
		year, md = year+1, md[1:]
	}
	d, err := time.Parse(time.DateOnly, fmt.Sprintf("%04d-%s", year, md))
	if err != nil {
		return "", fmt.Errorf("template date %q: %w", md, err)
	}
	return d.Format(time.DateOnly), nil
}
