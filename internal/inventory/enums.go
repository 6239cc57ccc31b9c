// Package inventory is the domain of the inventory capability: information
// systems, their assets, security controls, device counts, staff and
// qualifications [000 II.1, 003]. It knows the enumerations (codes for the
// API, Vietnamese labels for people and spreadsheets), validates and
// normalises input, and reads and writes the Excel template (package
// inventory/xlsx). It holds no SQL: internal/storage persists these types.
package inventory

import (
	"github.com/khien/khien/internal/i18n"
)

// Option is one value of an enumeration: the code stored and used by the
// API, and the Vietnamese label shown in the UI and in spreadsheets.
type Option struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Enum is an ordered set of options.
type Enum []Option

// Valid reports whether code is one of the options.
func (e Enum) Valid(code string) bool {
	for _, o := range e {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Label returns the Vietnamese label of code ("" for the empty code).
func (e Enum) Label(code string) string {
	for _, o := range e {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}

// Parse accepts a code or a label, with or without diacritics and in any
// case, as people type them into spreadsheets.
func (e Enum) Parse(s string) (string, bool) {
	f := i18n.Fold(s)
	for _, o := range e {
		if f == o.Code || f == i18n.Fold(o.Label) {
			return o.Code, true
		}
	}
	return "", false
}

// Labels lists the labels in order (spreadsheet dropdowns).
func (e Enum) Labels() []string {
	out := make([]string, len(e))
	for i, o := range e {
		out[i] = o.Label
	}
	return out
}

// System kinds; the codes are the API contract.
var SystemKinds = Enum{
	{"web_portal", "Cổng/Trang thông tin điện tử"},
	{"internal_app", "Phần mềm nội bộ"},
	{"data_store", "Cơ sở dữ liệu"},
	{"email", "Thư điện tử"},
	{"network", "Hạ tầng mạng"},
	{"other", "Khác"},
}

// Security levels 1–5 (Decree 85/2016/NĐ-CP); 0 is "not yet classified".
var Levels = Enum{
	{"0", "Chưa xác định cấp độ"},
	{"1", "Cấp độ 1"},
	{"2", "Cấp độ 2"},
	{"3", "Cấp độ 3"},
	{"4", "Cấp độ 4"},
	{"5", "Cấp độ 5"},
}

// Hosting places.
var Hostings = Enum{
	{"on_premises", "Tại cơ quan"},
	{"provincial_dc", "Trung tâm dữ liệu tỉnh/thành phố"},
	{"provider", "Thuê nhà cung cấp"},
	{"cloud", "Điện toán đám mây"},
}

// System statuses.
var Statuses = Enum{
	{"planned", "Đang xây dựng"},
	{"operating", "Đang vận hành"},
	{"retired", "Ngừng sử dụng"},
}

// Asset kinds; the codes are the API contract.
var AssetKinds = Enum{
	{"domain", "Tên miền"},
	{"url", "Địa chỉ URL"},
	{"ip", "Địa chỉ IP"},
	{"cidr", "Dải địa chỉ IP"},
	{"server", "Máy chủ"},
	{"device", "Thiết bị mạng/bảo mật"},
}

// Device kinds of network and security devices.
var DeviceKinds = Enum{
	{"router", "Bộ định tuyến"},
	{"switch", "Bộ chuyển mạch"},
	{"firewall", "Tường lửa"},
	{"ids_ips", "IDS/IPS"},
	{"waf", "WAF"},
	{"load_balancer", "Cân bằng tải"},
	{"wireless", "Thiết bị không dây"},
	{"other", "Khác"},
}

// Controls are the security measures asked about per system [000 II.1.c, 002 II.6].
var Controls = Enum{
	{"firewall", "Tường lửa"},
	{"ids_ips", "Phát hiện/ngăn chặn xâm nhập (IDS/IPS)"},
	{"waf", "Tường lửa ứng dụng web (WAF)"},
	{"antivirus", "Phòng chống mã độc (Antivirus/EDR)"},
	{"encryption_rest", "Mã hóa dữ liệu lưu trữ"},
	{"encryption_transit", "Mã hóa đường truyền"},
	{"backup", "Sao lưu, khôi phục"},
	{"logging", "Giám sát, tập trung nhật ký (SIEM)"},
	{"mfa", "Xác thực đa yếu tố (MFA)"},
	{"incident_response", "Quy trình ứng cứu sự cố"},
	{"vuln_scanning", "Rà quét lỗ hổng định kỳ"},
}

// Control statuses.
var ControlStatuses = Enum{
	{"yes", "Có"},
	{"partial", "Một phần"},
	{"no", "Không"},
}

// YesNo is the spreadsheet form of a boolean.
var YesNo = Enum{
	{"yes", "Có"},
	{"no", "Không"},
}
