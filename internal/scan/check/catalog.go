package check

import (
	"slices"
	"strings"
)

// Def describes one check. IDs are stable: the server, saved reports and the
// knowledge base key on them.
type Def struct {
	ID         string   `json:"id"`
	TitleVI    string   `json:"title_vi"`
	TitleEN    string   `json:"title_en"`
	Severity   Severity `json:"severity"`
	CVSS       string   `json:"cvss_vector,omitempty"`
	CWE        string   `json:"cwe,omitempty"`
	Tags       []string `json:"tags"`
	Safe       bool     `json:"safe"` // false: intrusive, runs only in the thorough profile
	References []string `json:"references,omitempty"`
}

// Title returns the title in lang ("vi" or "en").
func (d Def) Title(lang string) string {
	if lang == "en" {
		return d.TitleEN
	}
	return d.TitleVI
}

// Frequently used CVSS 3.1 vectors, named by what they describe.
const (
	vecInfoLeakLow   = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N"
	vecInfoLeak      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"
	vecDataLeak      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
	vecSecretsLeak   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"
	vecFullAccess    = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
	vecExposed       = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N"
	vecHardening     = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"
	vecFraming       = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N"
	vecCrypto        = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"
	vecCertTrust     = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:L/A:N"
	vecCryptoLow     = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N"
	vecSpoofing      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N"
	vecSpoofingLow   = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N"
	vecTakeover      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:N"
	vecCompromised   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"
	vecDefaced       = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:L"
	vecCORS          = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N"
	vecCleartextHTTP = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"
	// A protocol with a history of pre-authentication remote code execution
	// (SMBv1: EternalBlue): harmful when a flaw is unpatched.
	vecObsoleteProtocol = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"
	// A session reachable before any authentication (RDP without NLA).
	vecPreAuthSurface = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L"
	// Reflection: the harm falls on the spoofed victim, another scope.
	vecAmplification = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:L"
)

const (
	refOWASPHeaders = "https://owasp.org/www-project-secure-headers/"
	refMozObs       = "https://developer.mozilla.org/en-US/observatory"
	refMozTLS       = "https://wiki.mozilla.org/Security/Server_Side_TLS"
	refDMARC        = "https://www.rfc-editor.org/rfc/rfc7489"
	refSPF          = "https://www.rfc-editor.org/rfc/rfc7208"
)

var catalog = []Def{
	// Ports and services.
	{ID: "port.open", TitleVI: "Cổng mạng đang mở", TitleEN: "Open port", Severity: Info, Tags: []string{"port"}, Safe: true},
	{ID: "port.risky-service", TitleVI: "Dịch vụ rủi ro cao mở ra mạng", TitleEN: "Risky service exposed to the network", Severity: Medium, CVSS: vecExposed, CWE: "CWE-668", Tags: []string{"port", "service"}, Safe: true},
	{ID: "service.unauthenticated", TitleVI: "Dịch vụ cho truy cập không cần xác thực", TitleEN: "Service answers without authentication", Severity: Critical, CVSS: vecFullAccess, CWE: "CWE-306", Tags: []string{"service"}, Safe: true},
	{ID: "service.version-disclosure", TitleVI: "Dịch vụ để lộ tên và phiên bản phần mềm", TitleEN: "Service discloses its software version", Severity: Low, CVSS: vecInfoLeakLow, CWE: "CWE-200", Tags: []string{"service"}, Safe: true},
	{ID: "service.vulnerable-version", TitleVI: "Phiên bản dịch vụ có lỗ hổng đã biết (CVE)", TitleEN: "Service version with known vulnerabilities (CVE)", Severity: High, CWE: "CWE-1395", Tags: []string{"service", "cve"}, Safe: true},
	{ID: "service.smbv1", TitleVI: "Máy chủ SMB còn bật giao thức SMBv1 lỗi thời", TitleEN: "SMB server still accepts obsolete SMBv1", Severity: High, CVSS: vecObsoleteProtocol, CWE: "CWE-477", Tags: []string{"service"}, Safe: true, References: []string{"https://learn.microsoft.com/en-us/windows-server/storage/file-server/troubleshoot/detect-enable-and-disable-smbv1-v2-v3"}},
	{ID: "service.rdp-no-nla", TitleVI: "RDP không bắt buộc xác thực ở mức mạng (NLA)", TitleEN: "RDP does not require Network Level Authentication (NLA)", Severity: Medium, CVSS: vecPreAuthSurface, CWE: "CWE-287", Tags: []string{"service"}, Safe: true},
	{ID: "service.ftp-anonymous", TitleVI: "FTP cho phép đăng nhập ẩn danh", TitleEN: "FTP allows anonymous login", Severity: Medium, CVSS: vecInfoLeak, CWE: "CWE-284", Tags: []string{"service", "intrusive"}, Safe: false},
	// TLS.
	{ID: "tls.expired", TitleVI: "Chứng thư số đã hết hạn", TitleEN: "Certificate has expired", Severity: Medium, CVSS: vecCertTrust, CWE: "CWE-298", Tags: []string{"tls", "certificate"}, Safe: true, References: []string{refMozTLS}},
	{ID: "tls.expiring-soon", TitleVI: "Chứng thư số sắp hết hạn (dưới 30 ngày)", TitleEN: "Certificate expires within 30 days", Severity: Low, CWE: "CWE-298", Tags: []string{"tls", "certificate"}, Safe: true},
	{ID: "tls.self-signed", TitleVI: "Chứng thư số tự ký", TitleEN: "Self-signed certificate", Severity: Medium, CVSS: vecCertTrust, CWE: "CWE-295", Tags: []string{"tls", "certificate"}, Safe: true},
	{ID: "tls.untrusted-chain", TitleVI: "Chuỗi chứng thư số không được tin cậy", TitleEN: "Untrusted certificate chain", Severity: Medium, CVSS: vecCertTrust, CWE: "CWE-295", Tags: []string{"tls", "certificate"}, Safe: true},
	{ID: "tls.hostname-mismatch", TitleVI: "Chứng thư số không khớp tên máy chủ", TitleEN: "Certificate does not match the host name", Severity: Medium, CVSS: vecCertTrust, CWE: "CWE-297", Tags: []string{"tls", "certificate"}, Safe: true},
	{ID: "tls.weak-protocol", TitleVI: "Hỗ trợ giao thức TLS 1.0/1.1 đã lỗi thời", TitleEN: "Obsolete TLS 1.0/1.1 offered", Severity: Medium, CVSS: vecCrypto, CWE: "CWE-327", Tags: []string{"tls"}, Safe: true, References: []string{"https://www.rfc-editor.org/rfc/rfc8996", refMozTLS}},
	{ID: "tls.weak-cipher", TitleVI: "Chấp nhận bộ mã hóa yếu", TitleEN: "Weak cipher suite accepted", Severity: Medium, CVSS: vecCrypto, CWE: "CWE-327", Tags: []string{"tls"}, Safe: true, References: []string{refMozTLS}},
	{ID: "tls.weak-key", TitleVI: "Khóa RSA của chứng thư ngắn hơn 2048 bit", TitleEN: "Certificate RSA key shorter than 2048 bits", Severity: Medium, CVSS: vecCrypto, CWE: "CWE-326", Tags: []string{"tls", "certificate"}, Safe: true},
	{ID: "tls.sha1-signature", TitleVI: "Chứng thư số ký bằng SHA-1", TitleEN: "Certificate signed with SHA-1", Severity: Medium, CVSS: vecCryptoLow, CWE: "CWE-328", Tags: []string{"tls", "certificate"}, Safe: true},
	// HTTP.
	{ID: "http.no-https-redirect", TitleVI: "HTTP không chuyển hướng sang HTTPS", TitleEN: "HTTP does not redirect to HTTPS", Severity: Medium, CVSS: vecCleartextHTTP, CWE: "CWE-319", Tags: []string{"http", "headers"}, Safe: true, References: []string{refMozObs}},
	{ID: "http.missing-hsts", TitleVI: "Thiếu tiêu đề Strict-Transport-Security (HSTS)", TitleEN: "Missing Strict-Transport-Security (HSTS)", Severity: Low, CVSS: vecHardening, CWE: "CWE-523", Tags: []string{"http", "headers"}, Safe: true, References: []string{refOWASPHeaders}},
	{ID: "http.missing-csp", TitleVI: "Thiếu chính sách Content-Security-Policy", TitleEN: "Missing Content-Security-Policy", Severity: Low, CVSS: vecHardening, CWE: "CWE-693", Tags: []string{"http", "headers"}, Safe: true, References: []string{refOWASPHeaders}},
	{ID: "http.missing-frame-protection", TitleVI: "Thiếu chống nhúng khung (X-Frame-Options/frame-ancestors)", TitleEN: "Missing framing protection (X-Frame-Options/frame-ancestors)", Severity: Low, CVSS: vecFraming, CWE: "CWE-1021", Tags: []string{"http", "headers"}, Safe: true, References: []string{refOWASPHeaders}},
	{ID: "http.missing-nosniff", TitleVI: "Thiếu X-Content-Type-Options: nosniff", TitleEN: "Missing X-Content-Type-Options: nosniff", Severity: Low, CVSS: vecHardening, CWE: "CWE-693", Tags: []string{"http", "headers"}, Safe: true, References: []string{refOWASPHeaders}},
	{ID: "http.insecure-cookie", TitleVI: "Cookie thiếu thuộc tính Secure/HttpOnly", TitleEN: "Cookie without Secure/HttpOnly", Severity: Low, CVSS: vecHardening, CWE: "CWE-614", Tags: []string{"http", "cookies"}, Safe: true},
	{ID: "http.server-version-disclosure", TitleVI: "Máy chủ web để lộ phiên bản phần mềm", TitleEN: "Web server discloses software versions", Severity: Low, CVSS: vecInfoLeakLow, CWE: "CWE-200", Tags: []string{"http", "headers"}, Safe: true},
	{ID: "http.directory-listing", TitleVI: "Liệt kê nội dung thư mục", TitleEN: "Directory listing enabled", Severity: Medium, CVSS: vecInfoLeak, CWE: "CWE-548", Tags: []string{"http"}, Safe: true},
	{ID: "http.trace-enabled", TitleVI: "Phương thức HTTP TRACE được bật", TitleEN: "HTTP TRACE method enabled", Severity: Low, CVSS: vecHardening, CWE: "CWE-693", Tags: []string{"http"}, Safe: true},
	{ID: "http.cors-permissive", TitleVI: "CORS phản chiếu mọi Origin kèm thông tin xác thực", TitleEN: "CORS reflects any Origin with credentials", Severity: Medium, CVSS: vecCORS, CWE: "CWE-942", Tags: []string{"http", "headers"}, Safe: true},
	{ID: "http.header-grade", TitleVI: "Điểm tiêu đề bảo mật HTTP", TitleEN: "HTTP security header grade", Severity: Info, Tags: []string{"http", "headers"}, Safe: true, References: []string{refMozObs}},
	// Exposed files and panels.
	{ID: "exposure.git", TitleVI: "Lộ kho mã nguồn .git", TitleEN: "Exposed .git repository", Severity: High, CVSS: vecDataLeak, CWE: "CWE-527", Tags: []string{"exposure"}, Safe: true},
	{ID: "exposure.svn", TitleVI: "Lộ kho mã nguồn .svn", TitleEN: "Exposed .svn repository", Severity: High, CVSS: vecDataLeak, CWE: "CWE-527", Tags: []string{"exposure"}, Safe: true},
	{ID: "exposure.env", TitleVI: "Lộ tệp cấu hình .env (mật khẩu, khóa bí mật)", TitleEN: "Exposed .env file (passwords, secret keys)", Severity: Critical, CVSS: vecSecretsLeak, CWE: "CWE-538", Tags: []string{"exposure"}, Safe: true},
	{ID: "exposure.backup-file", TitleVI: "Lộ tệp sao lưu hoặc bản kết xuất CSDL", TitleEN: "Exposed backup archive or database dump", Severity: High, CVSS: vecDataLeak, CWE: "CWE-530", Tags: []string{"exposure"}, Safe: true},
	{ID: "exposure.phpinfo", TitleVI: "Lộ trang phpinfo()", TitleEN: "Exposed phpinfo() page", Severity: Medium, CVSS: vecInfoLeak, CWE: "CWE-200", Tags: []string{"exposure"}, Safe: true},
	{ID: "exposure.server-status", TitleVI: "Lộ trang trạng thái máy chủ web", TitleEN: "Exposed web server status page", Severity: Medium, CVSS: vecInfoLeak, CWE: "CWE-200", Tags: []string{"exposure"}, Safe: true},
	{ID: "exposure.admin-panel", TitleVI: "Trang quản trị truy cập được từ bên ngoài", TitleEN: "Administration panel reachable", Severity: Medium, CVSS: vecCryptoLow, CWE: "CWE-284", Tags: []string{"exposure"}, Safe: true},
	// Technology.
	{ID: "tech.detected", TitleVI: "Công nghệ web được nhận diện", TitleEN: "Web technology detected", Severity: Info, Tags: []string{"tech"}, Safe: true},
	{ID: "tech.vulnerable-component", TitleVI: "Thành phần web có lỗ hổng đã biết (CVE)", TitleEN: "Web component with known vulnerabilities (CVE)", Severity: High, CWE: "CWE-1395", Tags: []string{"tech", "cve"}, Safe: true},
	{ID: "tech.end-of-life", TitleVI: "Thành phần đã hết hỗ trợ (end-of-life)", TitleEN: "End-of-life component", Severity: Medium, CVSS: vecCryptoLow, CWE: "CWE-1104", Tags: []string{"tech"}, Safe: true},
	// DNS and e-mail.
	{ID: "dns.spf-missing", TitleVI: "Tên miền không có bản ghi SPF", TitleEN: "Domain has no SPF record", Severity: Medium, CVSS: vecSpoofing, CWE: "CWE-290", Tags: []string{"dns", "email"}, Safe: true, References: []string{refSPF}},
	{ID: "dns.spf-permissive", TitleVI: "Bản ghi SPF quá lỏng hoặc không hợp lệ", TitleEN: "SPF record too permissive or invalid", Severity: Medium, CVSS: vecSpoofing, CWE: "CWE-290", Tags: []string{"dns", "email"}, Safe: true, References: []string{refSPF}},
	{ID: "dns.dmarc-missing", TitleVI: "Tên miền không có bản ghi DMARC", TitleEN: "Domain has no DMARC record", Severity: Medium, CVSS: vecSpoofing, CWE: "CWE-290", Tags: []string{"dns", "email"}, Safe: true, References: []string{refDMARC}},
	{ID: "dns.dmarc-weak", TitleVI: "Chính sách DMARC chỉ giám sát (p=none)", TitleEN: "DMARC policy only monitors (p=none)", Severity: Low, CVSS: vecSpoofingLow, CWE: "CWE-290", Tags: []string{"dns", "email"}, Safe: true, References: []string{refDMARC}},
	{ID: "dns.dnssec-missing", TitleVI: "Tên miền chưa ký DNSSEC", TitleEN: "Domain not signed with DNSSEC", Severity: Low, CVSS: vecSpoofingLow, CWE: "CWE-345", Tags: []string{"dns"}, Safe: true},
	{ID: "dns.axfr-open", TitleVI: "Máy chủ tên miền cho phép chuyển vùng (AXFR)", TitleEN: "Name server allows zone transfer (AXFR)", Severity: Medium, CVSS: vecInfoLeak, CWE: "CWE-200", Tags: []string{"dns"}, Safe: true},
	{ID: "dns.dangling-cname", TitleVI: "Bản ghi CNAME trỏ tới tên không còn tồn tại", TitleEN: "Dangling CNAME (possible subdomain takeover)", Severity: High, CVSS: vecTakeover, CWE: "CWE-672", Tags: []string{"dns"}, Safe: true},
	// UDP services that are commonly abused.
	{ID: "udp.dns-open-resolver", TitleVI: "Máy chủ DNS cho phép truy vấn đệ quy từ bên ngoài (open resolver)", TitleEN: "DNS server resolves recursively for anyone (open resolver)", Severity: Medium, CVSS: vecAmplification, CWE: "CWE-406", Tags: []string{"udp", "dns"}, Safe: true, References: []string{"https://www.cisa.gov/news-events/alerts/2013/03/29/dns-amplification-attacks"}},
	{ID: "udp.snmp-public", TitleVI: "SNMP chấp nhận community mặc định \"public\"", TitleEN: "SNMP accepts the default community \"public\"", Severity: Medium, CVSS: vecInfoLeak, CWE: "CWE-200", Tags: []string{"udp"}, Safe: true},
	{ID: "udp.ntp-amplification", TitleVI: "NTP trả lời truy vấn điều khiển mode 6/7 (nguy cơ khuếch đại DDoS)", TitleEN: "NTP answers mode 6/7 control queries (amplification risk)", Severity: Medium, CVSS: vecAmplification, CWE: "CWE-406", Tags: []string{"udp"}, Safe: true, References: []string{"https://www.cisa.gov/news-events/alerts/2014/01/13/ntp-amplification-attacks-using-cve-2013-5211"}},
	{ID: "udp.ssdp-exposed", TitleVI: "Dịch vụ SSDP/UPnP trả lời từ mạng (nguy cơ khuếch đại DDoS)", TitleEN: "SSDP/UPnP answers from the network (amplification risk)", Severity: Medium, CVSS: vecAmplification, CWE: "CWE-406", Tags: []string{"udp"}, Safe: true},
	{ID: "udp.netbios-exposed", TitleVI: "Dịch vụ tên NetBIOS để lộ tên máy và nhóm làm việc", TitleEN: "NetBIOS name service discloses host and group names", Severity: Low, CVSS: vecInfoLeakLow, CWE: "CWE-200", Tags: []string{"udp"}, Safe: true},
	{ID: "udp.tftp-exposed", TitleVI: "Máy chủ TFTP trả lời yêu cầu không cần xác thực", TitleEN: "TFTP server answers without authentication", Severity: Medium, CVSS: vecInfoLeak, CWE: "CWE-284", Tags: []string{"udp"}, Safe: true},
	// Content integrity.
	{ID: "content.gambling-injection", TitleVI: "Trang web bị chèn liên kết/nội dung cờ bạc", TitleEN: "Injected gambling links or content", Severity: High, CVSS: vecCompromised, CWE: "CWE-506", Tags: []string{"content", "compromise"}, Safe: true},
	{ID: "content.cloaking", TitleVI: "Nội dung khác nhau cho máy tìm kiếm và người dùng (cloaking)", TitleEN: "Different content for search engines (cloaking)", Severity: High, CVSS: vecCompromised, CWE: "CWE-506", Tags: []string{"content", "compromise"}, Safe: true},
	{ID: "content.malicious-redirect", TitleVI: "Chuyển hướng độc hại sang trang ngoài", TitleEN: "Malicious off-site redirect", Severity: High, CVSS: vecCompromised, CWE: "CWE-601", Tags: []string{"content", "compromise"}, Safe: true},
	{ID: "content.cryptominer", TitleVI: "Trang web chứa mã đào tiền ảo", TitleEN: "Cryptocurrency miner script", Severity: High, CVSS: vecCompromised, CWE: "CWE-506", Tags: []string{"content", "compromise"}, Safe: true},
	{ID: "content.defacement", TitleVI: "Dấu hiệu trang web bị thay đổi giao diện (deface)", TitleEN: "Website defacement signature", Severity: Critical, CVSS: vecDefaced, CWE: "CWE-506", Tags: []string{"content", "compromise"}, Safe: true},
}

// Catalog returns every check, in a stable order.
func Catalog() []Def { return slices.Clone(catalog) }

// Lookup finds a check by ID.
func Lookup(id string) (Def, bool) {
	for _, d := range catalog {
		if d.ID == id {
			return d, true
		}
	}
	return Def{}, false
}

// Selection decides which checks run: the profile gates intrusive checks,
// Include (when not empty) and Exclude name check IDs or tags.
type Selection struct {
	Thorough bool
	Include  []string
	Exclude  []string
}

// Enabled reports whether the check id runs under the selection.
func (s Selection) Enabled(id string) bool {
	d, ok := Lookup(id)
	if !ok || (!d.Safe && !s.Thorough) {
		return false
	}
	if len(s.Include) > 0 && !d.matchesAny(s.Include) {
		return false
	}
	return !d.matchesAny(s.Exclude)
}

// AnyEnabled reports whether at least one of ids runs; check families use it
// to skip their network traffic entirely.
func (s Selection) AnyEnabled(ids ...string) bool {
	return slices.ContainsFunc(ids, s.Enabled)
}

// Validate rejects names that are neither a check ID nor a tag, so that a
// typo in --checks does not silently run nothing.
func (s Selection) Validate() error {
	for _, n := range append(slices.Clone(s.Include), s.Exclude...) {
		if !slices.ContainsFunc(catalog, func(d Def) bool { return d.matches(n) }) {
			return &UnknownCheckError{Name: n}
		}
	}
	return nil
}

// UnknownCheckError names a --checks/--exclude-checks entry that matches nothing.
type UnknownCheckError struct{ Name string }

func (e *UnknownCheckError) Error() string {
	return "unknown check ID or tag " + `"` + e.Name + `"` + " (see `khien checks`)"
}

func (d Def) matches(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	return d.ID == name || slices.Contains(d.Tags, name)
}

func (d Def) matchesAny(names []string) bool {
	return slices.ContainsFunc(names, d.matches)
}
