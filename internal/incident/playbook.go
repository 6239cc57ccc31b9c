package incident

import "slices"

// Step is a task of the library: its code, the phase it belongs to, and its
// title in both languages. A case's task refers to it by code, so the title
// shows in the reader's language.
type Step struct {
	Code  string `json:"code"`
	Phase string `json:"phase"`
	VI    string `json:"-"`
	EN    string `json:"-"`
}

// Title is the step's title in lang.
func (s Step) Title(lang string) string {
	if lang == "en" {
		return s.EN
	}
	return s.VI
}

// library is every task a case can be given, in phase order. Playbooks pick
// from it; a running case can add any of them.
var library = []Step{
	{"triage", Reception, "Tiếp nhận, ghi nhận nguồn cảnh báo và người báo", "Receive the alert and record its source and reporter"},
	{"verify", Analysis, "Xác minh sự cố là thật (loại trừ cảnh báo nhầm)", "Verify the incident is real (rule out a false positive)"},
	{"classify", Analysis, "Phân loại, đánh giá mức độ, xác định sự cố nghiêm trọng hay không", "Classify it, rate its severity, decide whether it is serious"},
	{"notify_authority", Analysis, "Thông báo cơ quan điều phối quốc gia và Đội ứng cứu của tỉnh (báo cáo ban đầu)", "Notify the national coordinating authority and the provincial response team (initial report)"},
	{"snapshot_page", Analysis, "Chụp lại trang bị thay đổi và lưu bản HTML làm bằng chứng", "Capture the altered page and save its HTML as evidence"},
	{"preserve_logs", Containment, "Sao lưu, bảo toàn nhật ký máy chủ web, ứng dụng, tường lửa", "Copy and preserve the web server, application and firewall logs"},
	{"maintenance_page", Containment, "Tạm dừng trang hoặc hiển thị trang bảo trì", "Take the site offline or show a maintenance page"},
	{"isolate_hosts", Containment, "Cô lập máy bị nhiễm khỏi mạng (không tắt máy)", "Isolate the infected machines from the network (do not power them off)"},
	{"block_indicators", Containment, "Chặn địa chỉ IP, tên miền độc hại trên tường lửa, DNS, proxy", "Block the malicious addresses and domains on the firewall, DNS and proxy"},
	{"disable_accounts", Containment, "Khóa tài khoản bị lộ hoặc bị chiếm quyền", "Disable the exposed or taken-over accounts"},
	{"rate_limit", Containment, "Bật chống DDoS: lọc lưu lượng, giới hạn tốc độ, báo nhà mạng/CDN", "Turn on DDoS protection: filter traffic, limit rates, call the ISP or CDN"},
	{"memory_image", Evidence, "Thu thập ảnh bộ nhớ và ảnh đĩa của máy bị ảnh hưởng", "Take memory and disk images of the affected machines"},
	{"entry_point", Evidence, "Tìm điểm xâm nhập ban đầu và thời điểm bị xâm nhập", "Find the initial entry point and when the intrusion began"},
	{"scope", Evidence, "Xác định phạm vi: hệ thống, dữ liệu, người dùng bị ảnh hưởng", "Establish the scope: systems, data and users affected"},
	{"indicators", Evidence, "Ghi nhận dấu hiệu nhận biết (IP, tên miền, mã băm, tệp)", "Record the indicators (addresses, domains, hashes, files)"},
	{"data_subjects", Evidence, "Xác định dữ liệu cá nhân bị lộ và chủ thể dữ liệu cần thông báo", "Identify the personal data leaked and the data subjects to inform"},
	{"remove_files", Eradication, "Gỡ bỏ tệp bị chèn, webshell, mã độc", "Remove injected files, web shells and malware"},
	{"patch", Eradication, "Vá lỗ hổng đã bị khai thác", "Patch the exploited vulnerability"},
	{"change_credentials", Eradication, "Đổi mật khẩu, khóa truy cập, thu hồi phiên đăng nhập", "Change passwords and keys, revoke sessions"},
	{"reimage", Eradication, "Cài đặt lại máy bị nhiễm từ bản sạch", "Rebuild the infected machines from a clean image"},
	{"takedown", Eradication, "Đề nghị gỡ trang giả mạo, tên miền lừa đảo", "Request the takedown of the phishing page or domain"},
	{"restore_backup", Recovery, "Khôi phục từ bản sao lưu sạch đã kiểm tra", "Restore from a verified clean backup"},
	{"rescan", Recovery, "Quét lại lỗ hổng và kiểm tra trước khi hoạt động trở lại", "Scan again and test before going back into service"},
	{"watch", Recovery, "Giám sát tăng cường 30 ngày sau khôi phục", "Watch closely for 30 days after recovery"},
	{"user_notice", Recovery, "Thông báo người dùng, khuyến cáo đổi mật khẩu", "Tell the users and advise them to change passwords"},
	{"final_report", Review, "Lập báo cáo kết thúc ứng phó sự cố", "Write the final incident report"},
	{"lessons", Review, "Họp rút kinh nghiệm, cập nhật phương án ứng phó", "Hold the lessons-learned meeting and update the response plan"},
}

// playbooks are each category's tasks, by library code.
var playbooks = map[string][]string{
	Defacement: {"triage", "verify", "snapshot_page", "notify_authority", "preserve_logs", "maintenance_page", "entry_point", "indicators",
		"remove_files", "patch", "change_credentials", "restore_backup", "rescan", "watch", "final_report", "lessons"},
	GamblingInjection: {"triage", "verify", "snapshot_page", "notify_authority", "preserve_logs", "maintenance_page", "entry_point", "scope",
		"indicators", "remove_files", "patch", "change_credentials", "restore_backup", "rescan", "watch", "final_report", "lessons"},
	Malware: {"triage", "verify", "classify", "notify_authority", "isolate_hosts", "block_indicators", "memory_image", "scope", "indicators",
		"remove_files", "reimage", "change_credentials", "rescan", "watch", "final_report", "lessons"},
	Ransomware: {"triage", "verify", "classify", "notify_authority", "isolate_hosts", "disable_accounts", "block_indicators", "memory_image",
		"entry_point", "scope", "indicators", "reimage", "patch", "change_credentials", "restore_backup", "rescan", "watch", "final_report", "lessons"},
	DDoS:               {"triage", "verify", "notify_authority", "rate_limit", "block_indicators", "preserve_logs", "indicators", "watch", "final_report", "lessons"},
	UnauthorizedAccess: {"triage", "verify", "classify", "notify_authority", "disable_accounts", "preserve_logs", "entry_point", "scope", "indicators", "change_credentials", "patch", "user_notice", "watch", "final_report", "lessons"},
	DataLeak:           {"triage", "verify", "classify", "notify_authority", "preserve_logs", "entry_point", "scope", "data_subjects", "patch", "change_credentials", "user_notice", "final_report", "lessons"},
	Phishing:           {"triage", "verify", "notify_authority", "block_indicators", "disable_accounts", "indicators", "takedown", "change_credentials", "user_notice", "final_report", "lessons"},
	Exploitation:       {"triage", "verify", "classify", "notify_authority", "preserve_logs", "isolate_hosts", "entry_point", "scope", "indicators", "patch", "remove_files", "rescan", "watch", "final_report", "lessons"},
	Other:              {"triage", "verify", "classify", "notify_authority", "scope", "final_report", "lessons"},
}

// Library is the task library in phase order.
func Library() []Step { return slices.Clone(library) }

// LibraryStep finds a step of the library by code.
func LibraryStep(code string) (Step, bool) {
	i := slices.IndexFunc(library, func(s Step) bool { return s.Code == code })
	if i < 0 {
		return Step{}, false
	}
	return library[i], true
}

// Playbook is a category's tasks, in phase order.
func Playbook(category string) []Step {
	var out []Step
	for _, code := range playbooks[category] {
		if s, ok := LibraryStep(code); ok {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Step) int { return PhaseIndex(a.Phase) - PhaseIndex(b.Phase) })
	return out
}
