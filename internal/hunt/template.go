package hunt

// step is one checklist item of a template, in both languages.
type step struct {
	code   string
	vi, en string
}

// Steps shared by several kinds.
var (
	stepAccounts = step{"accounts", "Rà soát tài khoản quản trị, tài khoản mới tạo và quyền bị nâng bất thường",
		"Review administrator accounts, newly created accounts and unusual privilege changes"}
	stepIOC = step{"ioc", "Đối chiếu dấu hiệu nhận biết (IOC) do NCSC/Cục A05 và VNCERT/CC cung cấp",
		"Match the indicators of compromise (IOCs) published by NCSC, A05 and VNCERT/CC"}
	stepProcesses = step{"processes", "Kiểm tra tiến trình, dịch vụ, tác vụ định kỳ (cron, scheduled task) lạ trên máy chủ",
		"Check servers for unknown processes, services and scheduled tasks (cron, Task Scheduler)"}
	stepConnections = step{"connections", "Kiểm tra kết nối ra ngoài bất thường (máy chủ điều khiển C2, cổng lạ)",
		"Check for unusual outbound connections (command-and-control servers, odd ports)"}
	stepEDR = step{"edr", "Quét mã độc bằng phần mềm phòng chống mã độc/EDR đã cập nhật",
		"Scan for malware with up-to-date anti-malware/EDR"}
)

// templates are the checklists by system kind (inventory.SystemKinds codes),
// each step a way an attacker who got in would show.
var templates = map[string][]step{
	"web_portal": {
		{"web_logs", "Rà soát nhật ký truy cập web 90 ngày: yêu cầu bất thường, khai thác lỗ hổng, đăng nhập quản trị từ IP lạ",
			"Review 90 days of web access logs: unusual requests, exploit attempts, administrator logins from unknown addresses"},
		{"webshell", "Tìm webshell và tệp mới hoặc bị sửa trong thư mục web (so với bản gốc/mã nguồn)",
			"Look for web shells and new or modified files in the web root (against the release or source)"},
		{"defacement", "Kiểm tra nội dung bị chèn: liên kết cờ bạc, mã độc JavaScript, trang giả mạo",
			"Check for injected content: gambling links, malicious JavaScript, phishing pages"},
		stepAccounts, stepProcesses, stepConnections, stepIOC,
	},
	"internal_app": {
		{"app_logs", "Rà soát nhật ký ứng dụng và đăng nhập: đăng nhập ngoài giờ, từ máy lạ, nhiều lần sai mật khẩu",
			"Review application and sign-in logs: sign-ins out of hours, from unknown machines, repeated failures"},
		{"data_changes", "Kiểm tra thay đổi dữ liệu, phân quyền và cấu hình bất thường trong ứng dụng",
			"Check the application for unusual changes of data, permissions and settings"},
		stepAccounts, stepProcesses, stepEDR, stepConnections, stepIOC,
	},
	"data_store": {
		{"db_audit", "Rà soát nhật ký truy vấn và đăng nhập cơ sở dữ liệu: truy vấn hàng loạt, xuất dữ liệu, đăng nhập từ IP lạ",
			"Review database query and sign-in logs: bulk queries, exports, sign-ins from unknown addresses"},
		{"db_objects", "Kiểm tra đối tượng mới hoặc bị sửa: thủ tục, trigger, người dùng, liên kết cơ sở dữ liệu",
			"Check for new or changed objects: procedures, triggers, users, database links"},
		{"backups", "Kiểm tra bản sao lưu còn nguyên vẹn và không bị truy cập trái phép",
			"Check that backups are intact and were not accessed without authorisation"},
		stepAccounts, stepConnections, stepIOC,
	},
	"email": {
		{"mail_rules", "Kiểm tra quy tắc chuyển tiếp và chuyển hướng thư bất thường trên các hộp thư",
			"Check mailboxes for unusual forwarding and redirect rules"},
		{"mail_logins", "Rà soát nhật ký đăng nhập thư: IP nước ngoài, giao thức cũ (POP/IMAP), đăng nhập hàng loạt",
			"Review mail sign-in logs: foreign addresses, legacy protocols (POP/IMAP), mass sign-ins"},
		{"mail_spam", "Kiểm tra máy chủ có bị lợi dụng gửi thư rác, lừa đảo (hàng đợi, danh sách đen)",
			"Check whether the server is abused to send spam or phishing (queues, blocklists)"},
		stepAccounts, stepEDR, stepIOC,
	},
	"network": {
		{"device_config", "So sánh cấu hình thiết bị mạng, tường lửa với bản lưu: luật mới, NAT, VPN lạ",
			"Compare network device and firewall configurations with the saved copy: new rules, NAT, unknown VPNs"},
		{"firmware", "Kiểm tra phiên bản firmware và tính toàn vẹn của thiết bị",
			"Check device firmware versions and integrity"},
		{"flows", "Rà soát nhật ký tường lửa và luồng mạng: quét nội bộ, kết nối ra ngoài bất thường",
			"Review firewall logs and network flows: internal scanning, unusual outbound connections"},
		stepAccounts, stepIOC,
	},
	"other": {
		{"logs", "Rà soát nhật ký hệ thống và ứng dụng 90 ngày gần nhất",
			"Review the last 90 days of system and application logs"},
		stepAccounts, stepProcesses, stepEDR, stepConnections, stepIOC,
	},
}

// labels are every step's text by code.
var labels = func() map[string]step {
	out := map[string]step{}
	for _, steps := range templates {
		for _, s := range steps {
			out[s.code] = s
		}
	}
	return out
}()

// Checklist is a new hunt's checklist for a system of kind: its kind's
// template, or the general one for a kind without.
func Checklist(kind string) []Item {
	steps, ok := templates[kind]
	if !ok {
		steps = templates["other"]
	}
	out := make([]Item, len(steps))
	for i, s := range steps {
		out[i] = Item{Item: s.code}
	}
	return out
}

// Label is a checklist item's text in lang (Vietnamese unless "en"); an
// unknown code is shown as it is.
func Label(code, lang string) string {
	s, ok := labels[code]
	switch {
	case !ok:
		return code
	case lang == "en":
		return s.en
	}
	return s.vi
}
