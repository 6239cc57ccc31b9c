package demo

import "github.com/khien/khien/internal/finding"

// The weaknesses the demo's scanners and auditors find, as each tool names
// them: Khiên's own check IDs (internal/scan/check), Nuclei template IDs,
// Nessus plugin IDs, Greenbone NVT OIDs, ZAP alert IDs, Burp issue types and
// the numbered items of a manual penetration test report. CVEs carry their
// NVD CVSS 3.1 vectors; "{host}" in an evidence is the host it was seen on.

// weakness is one kind of issue as one tool reports it.
type weakness struct {
	tool, rule, title string
	sev               finding.Severity
	cvss, cwe         string
	score             float64 // a tool's own score when it gives no vector
	cves, tags        []string
	port              int
	proto             string
	path, param       string // web findings: where on the site
	evidence          string
	request, response string
	// fix is what the agency writes when it claims the fix; fp, when set,
	// is why an auditor may call the finding a false positive.
	fix, fp string
}

// Vectors used by several weaknesses.
const (
	vecRCE       = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" // 9.8
	vecReadAll   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N" // 7.5
	vecHeaders   = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N" // 3.1
	vecFraming   = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N" // 3.1
	vecInfoLow   = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N" // 3.7
	vecInfo      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N" // 5.3
	vecCert      = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:L/A:N" // 5.9
	vecCrypto    = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N" // 5.9
	vecSpoof     = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N" // 4.3
	vecSecrets   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N" // 9.1
	vecDataLeak  = vecReadAll
	vecExposed   = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N" // 6.5
	vecCompromis = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N" // 7.5
	vecNessusTLS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N" // 6.5, as Nessus scores its TLS plugins
)

// kevCVEs are the demo's CVEs in CISA's catalogue of known exploited
// vulnerabilities, with an EPSS probability of the order FIRST publishes
// for them (illustrative: the demo has no vulnerability database loaded).
var kevCVEs = map[string]float64{
	"CVE-2021-44228": 0.94, "CVE-2023-4966": 0.94, "CVE-2024-4577": 0.94, "CVE-2021-41773": 0.94,
	"CVE-2019-0708": 0.94, "CVE-2017-0144": 0.94, "CVE-2017-0143": 0.93, "CVE-2023-23752": 0.94, "CVE-2020-25213": 0.94,
	"CVE-2020-1938": 0.94, "CVE-2020-7961": 0.94,
}

// demoVulns is the demo's stand-in for the vulnerability database.
type demoVulns struct{}

func (demoVulns) KEV(cve string) bool { _, ok := kevCVEs[cve]; return ok }
func (demoVulns) EPSS(cve string) (float64, bool) {
	s, ok := kevCVEs[cve]
	return s, ok
}

// Khiên's external scan of the portals (check IDs of internal/scan/check).
var (
	khienAnchor = weakness{tool: "khien", rule: "http.header-grade", title: "Điểm tiêu đề bảo mật HTTP", sev: finding.Info, port: 443, evidence: "Điểm D (35/100): thiếu HSTS, CSP, X-Frame-Options"}
	khienChecks = []struct {
		w weakness
		p float64 // chance a portal of an ordinary agency has it
	}{
		{weakness{tool: "khien", rule: "http.missing-hsts", title: "Thiếu tiêu đề Strict-Transport-Security (HSTS)", sev: finding.Low, cvss: vecHeaders, cwe: "CWE-523", port: 443, path: "/",
			evidence: "HTTP/1.1 200 OK — không có tiêu đề Strict-Transport-Security", fix: "Đã thêm add_header Strict-Transport-Security \"max-age=31536000\" vào cấu hình nginx."}, 0.55},
		{weakness{tool: "khien", rule: "http.missing-csp", title: "Thiếu chính sách Content-Security-Policy", sev: finding.Low, cvss: vecHeaders, cwe: "CWE-693", port: 443, path: "/",
			evidence: "Không có tiêu đề Content-Security-Policy", fix: "Đã cấu hình Content-Security-Policy ở chế độ enforce cho cổng."}, 0.65},
		{weakness{tool: "khien", rule: "http.missing-frame-protection", title: "Thiếu chống nhúng khung (X-Frame-Options/frame-ancestors)", sev: finding.Low, cvss: vecFraming, cwe: "CWE-1021", port: 443, path: "/",
			evidence: "Không có X-Frame-Options và không có frame-ancestors trong CSP"}, 0.45},
		{weakness{tool: "khien", rule: "http.server-version-disclosure", title: "Máy chủ web để lộ phiên bản phần mềm", sev: finding.Low, cvss: vecInfoLow, cwe: "CWE-200", port: 443, path: "/",
			evidence: "Server: Microsoft-IIS/8.5; X-Powered-By: ASP.NET; X-AspNet-Version: 4.0.30319", fix: "Đã tắt tiêu đề Server và X-Powered-By trên IIS."}, 0.4},
		{weakness{tool: "khien", rule: "tls.weak-protocol", title: "Hỗ trợ giao thức TLS 1.0/1.1 đã lỗi thời", sev: finding.Medium, cvss: vecCrypto, cwe: "CWE-327", port: 443,
			evidence: "Máy chủ chấp nhận TLSv1.0 (TLS_RSA_WITH_AES_128_CBC_SHA) và TLSv1.1", fix: "Đã chỉ bật TLS 1.2 và 1.3 trên bộ cân bằng tải."}, 0.3},
		{weakness{tool: "khien", rule: "tls.expired", title: "Chứng thư số đã hết hạn", sev: finding.Medium, cvss: vecCert, cwe: "CWE-298", port: 443,
			evidence: "CN={host}, hết hạn 2026-03-14, nhà phát hành: Sectigo RSA Domain Validation Secure Server CA", fix: "Đã gia hạn chứng thư số và cài lên máy chủ."}, 0.08},
		{weakness{tool: "khien", rule: "http.no-https-redirect", title: "HTTP không chuyển hướng sang HTTPS", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N", cwe: "CWE-319", port: 80, path: "/",
			evidence: "GET http://{host}/ → 200 OK, trang đăng nhập phục vụ qua HTTP"}, 0.2},
		{weakness{tool: "khien", rule: "dns.dmarc-missing", title: "Tên miền không có bản ghi DMARC", sev: finding.Medium, cvss: vecSpoof, cwe: "CWE-290",
			evidence: "_dmarc.{host}: NXDOMAIN", fix: "Đã tạo bản ghi _dmarc TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@cantho.gov.vn\"."}, 0.35},
		{weakness{tool: "khien", rule: "exposure.admin-panel", title: "Trang quản trị truy cập được từ bên ngoài", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", cwe: "CWE-284", port: 443, path: "/administrator/",
			evidence: "GET /administrator/ → 200 OK, biểu mẫu đăng nhập quản trị", fp: "Đường dẫn /administrator/ chỉ là trang chuyển tiếp sang cổng đăng nhập một lần (SSO) của thành phố, có xác thực hai lớp; không phải trang quản trị lộ ra Internet."}, 0.15},
		{weakness{tool: "khien", rule: "http.directory-listing", title: "Liệt kê nội dung thư mục", sev: finding.Medium, cvss: vecInfo, cwe: "CWE-548", port: 443, path: "/uploads/",
			evidence: "GET /uploads/ → \"Index of /uploads\" (312 tệp, có tệp .docx, .pdf)"}, 0.1},
		{weakness{tool: "khien", rule: "tech.end-of-life", title: "Thành phần đã hết hỗ trợ (end-of-life)", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", cwe: "CWE-1104", port: 443, path: "/",
			evidence: "X-Powered-By: PHP/5.6.40 (hết hỗ trợ từ 31/12/2018)",
			fp:       "Tiêu đề X-Powered-By do tường lửa ứng dụng web chèn lại từ cấu hình cũ; máy chủ đã chạy PHP 8.2 (đã đối chiếu php -v trên máy chủ)."}, 0.2},
		{weakness{tool: "khien", rule: "exposure.phpinfo", title: "Lộ trang phpinfo()", sev: finding.Medium, cvss: vecInfo, cwe: "CWE-200", port: 443, path: "/info.php",
			evidence: "GET /info.php → 200 OK, \"PHP Version 7.4.33\", DOCUMENT_ROOT C:\\xampp\\htdocs", fix: "Đã xóa tệp info.php khỏi thư mục web."}, 0.06},
		{weakness{tool: "khien", rule: "exposure.git", title: "Lộ kho mã nguồn .git", sev: finding.High, cvss: vecDataLeak, cwe: "CWE-527", port: 443, path: "/.git/config",
			evidence: "GET /.git/config → 200 OK: [remote \"origin\"] url = https://gitlab.vnpt-software.vn/cong-ttdt/portal.git", fix: "Đã chặn truy cập thư mục ẩn (location ~ /\\. { deny all; }) và xóa .git khỏi máy chủ."}, 0.05},
		{weakness{tool: "khien", rule: "exposure.env", title: "Lộ tệp cấu hình .env (mật khẩu, khóa bí mật)", sev: finding.Critical, cvss: vecSecrets, cwe: "CWE-538", port: 443, path: "/.env",
			evidence: "GET /.env → 200 OK: APP_KEY=base64:…; DB_HOST=10.20.0.5; DB_PASSWORD=******** (đã che)", fix: "Đã xóa .env khỏi thư mục public, đổi mật khẩu CSDL và APP_KEY."}, 0.03},
		{weakness{tool: "khien", rule: "content.gambling-injection", title: "Trang web bị chèn liên kết/nội dung cờ bạc", sev: finding.High, cvss: vecCompromis, cwe: "CWE-506", tags: []string{"content", "compromise"}, port: 443, path: "/",
			evidence: "Trang chủ chứa 47 liên kết ẩn (display:none) tới các trang cá cược: \"nhà cái uy tín\", \"nổ hũ\", \"tài xỉu online\"", fix: "Đã gỡ mã độc khỏi theme, đổi mật khẩu quản trị, khôi phục từ bản sao lưu sạch."}, 0.05},
	}
	// The mail domain of the city's e-mail system.
	khienMail = []weakness{
		{tool: "khien", rule: "dns.spf-permissive", title: "Bản ghi SPF quá lỏng hoặc không hợp lệ", sev: finding.Medium, cvss: vecSpoof, cwe: "CWE-290", evidence: "v=spf1 a mx ip4:203.113.0.0/16 ?all"},
		{tool: "khien", rule: "dns.dmarc-weak", title: "Chính sách DMARC chỉ giám sát (p=none)", sev: finding.Low, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N", cwe: "CWE-290", evidence: "v=DMARC1; p=none; rua=mailto:postmaster@cantho.gov.vn"},
	}
)

// cmsWeaknesses are what a portal's content management system exposes,
// reported by Khiên (tech.vulnerable-component) and Nuclei alike: the same
// CVE on the same host is one finding with two sources.
var cmsWeaknesses = map[string][]struct {
	w weakness
	p float64
}{
	"joomla": {{weakness{rule: "CVE-2023-23752", title: "Joomla! 4.0.0–4.2.7: truy cập trái phép endpoint API (lộ cấu hình, mật khẩu CSDL)", sev: finding.Medium, cvss: vecInfo, cwe: "CWE-284",
		cves: []string{"CVE-2023-23752"}, port: 443, path: "/api/index.php/v1/config/application", param: "public",
		evidence: "GET /api/index.php/v1/config/application?public=true → 200 OK, \"user\":\"joomla_cms\",\"password\":\"********\"", fix: "Đã nâng cấp Joomla lên 4.4.9 và đổi mật khẩu CSDL."}, 0.5}},
	"wordpress": {
		{weakness{rule: "CVE-2020-25213", title: "WordPress File Manager < 6.9: tải lên tệp tùy ý, thực thi mã từ xa", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-434",
			cves: []string{"CVE-2020-25213"}, port: 443, path: "/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php",
			evidence: "connector.minimal.php trả về {\"error\":[\"errUnknownCmd\"]} — plugin wp-file-manager 6.0", fix: "Đã gỡ plugin wp-file-manager, rà soát thư mục uploads."}, 0.12},
		{weakness{rule: "CVE-2023-6553", title: "WordPress Backup Migration <= 1.3.7: thực thi mã từ xa không cần xác thực", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-94",
			cves: []string{"CVE-2023-6553"}, port: 443, path: "/wp-content/plugins/backup-backup/includes/backup-heart.php",
			evidence: "readme.txt: Stable tag: 1.3.6"}, 0.08},
	},
	"liferay": {{weakness{rule: "CVE-2020-7961", title: "Liferay Portal < 7.2.1 CE GA2: giải tuần tự hóa JSON-WS, thực thi mã từ xa", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-502",
		cves: []string{"CVE-2020-7961"}, port: 443, path: "/api/jsonws/invoke",
		evidence: "Liferay-Portal: Liferay Portal Community Edition 7.0.4 CE GA5; /api/jsonws/invoke trả về 200", fix: "Đã nâng cấp Liferay lên 7.4 GA112 và chặn /api/jsonws từ Internet."}, 0.1}},
}

// Nuclei's weaknesses that Khiên's checks do not report.
var (
	nucleiAnchor = weakness{tool: "nuclei", rule: "tech-detect", title: "Wappalyzer Technology Detection", sev: finding.Info, port: 443, path: "/", evidence: "nginx, PHP, jQuery 1.12.4, Bootstrap 3.3.7"}
	nucleiExtra  = []struct {
		w weakness
		p float64
	}{
		{weakness{tool: "nuclei", rule: "phpmyadmin-panel", title: "phpMyAdmin Panel - Detect", sev: finding.Info, port: 443, path: "/phpmyadmin/", evidence: "<title>phpMyAdmin</title> — phpMyAdmin 4.9.7"}, 0.08},
		{weakness{tool: "nuclei", rule: "CVE-2024-4577", title: "PHP CGI - Argument Injection (CVE-2024-4577)", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-78", cves: []string{"CVE-2024-4577"}, port: 443, path: "/php-cgi/php-cgi.exe",
			request: "POST /php-cgi/php-cgi.exe?%ADd+allow_url_include%3d1+%ADd+auto_prepend_file%3dphp://input HTTP/1.1\nHost: {host}", response: "HTTP/1.1 200 OK\nServer: Apache/2.4.58 (Win64) PHP/8.1.25\n\n7f0e1d2c…(chuỗi đánh dấu của template)",
			fix: "Đã nâng cấp PHP lên 8.1.29 và chuyển sang PHP-FPM, bỏ XAMPP."}, 0.04},
		{weakness{tool: "nuclei", rule: "CVE-2021-41773", title: "Apache 2.4.49 - Path Traversal and Remote Code Execution", sev: finding.High, cvss: vecReadAll, cwe: "CWE-22", cves: []string{"CVE-2021-41773"}, port: 443, path: "/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd",
			response: "HTTP/1.1 200 OK\nServer: Apache/2.4.49 (Unix)\n\nroot:x:0:0:root:/root:/bin/bash", fix: "Đã nâng cấp Apache httpd lên 2.4.62."}, 0.03},
	}
)

// Nessus's credentialed scan of the servers in the city's data centre.
var (
	nessusAnchor  = weakness{tool: "nessus", rule: "19506", title: "Nessus Scan Information", sev: finding.Info, evidence: "Nessus version : 10.8.3; Plugin feed version : 202511250612; Scan type : Normal; Credentialed checks : yes"}
	nessusWindows = []struct {
		w weakness
		p float64
	}{
		{weakness{tool: "nessus", rule: "57608", title: "SMB Signing not required", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", cwe: "CWE-347", port: 445, proto: "tcp",
			evidence: "Signing is not required on the remote SMB server.", fix: "Đã bật GPO \"Microsoft network server: Digitally sign communications (always)\"."}, 0.6},
		{weakness{tool: "nessus", rule: "58453", title: "Terminal Services Doesn't Use Network Level Authentication (NLA) Only", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", cwe: "CWE-287", port: 3389, proto: "tcp",
			evidence: "Nessus was able to negotiate non-NLA (Standard RDP Security) with the remote host.",
			fp:       "Cổng 3389 thuộc cổng kết nối RD Gateway, NLA đã bắt buộc bằng GPO; Nessus thương lượng với dịch vụ chuyển tiếp, không phải máy chủ đích."}, 0.35},
		{weakness{tool: "nessus", rule: "97833", title: "MS17-010: Security Update for Microsoft Windows SMB Server (4013389) (ETERNALBLUE) (ETERNALCHAMPION) (ETERNALROMANCE) (ETERNALSYNERGY) (WannaCry) (EternalRocks) (Petya) (uncredentialed check)",
			sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", cwe: "CWE-20", cves: []string{"CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145", "CVE-2017-0146", "CVE-2017-0147", "CVE-2017-0148"}, port: 445, proto: "tcp",
			evidence: "The remote host is missing MS17-010 (KB4012212). SMBv1 is enabled.", fix: "Đã cài KB4012212 và tắt SMBv1 (Set-SmbServerConfiguration -EnableSMB1Protocol $false)."}, 0.08},
		{weakness{tool: "nessus", rule: "125313", title: "Microsoft RDP RCE (CVE-2019-0708) (BlueKeep) (uncredentialed check)", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-416", cves: []string{"CVE-2019-0708"}, port: 3389, proto: "tcp",
			evidence: "The remote host is affected by a remote code execution vulnerability in Remote Desktop Protocol (RDP).", fix: "Đã cài bản vá KB4499175, bật NLA và chặn 3389 từ ngoài VLAN quản trị."}, 0.05},
		{weakness{tool: "nessus", rule: "104743", title: "TLS Version 1.0 Protocol Detection", sev: finding.Medium, cvss: vecNessusTLS, cwe: "CWE-327", port: 443, proto: "tcp",
			evidence: "TLSv1 is enabled and the server supports at least one cipher."}, 0.4},
	}
	nessusLinux = []struct {
		w weakness
		p float64
	}{
		{weakness{tool: "nessus", rule: "187315", title: "SSH Terrapin Prefix Truncation Weakness (CVE-2023-48795)", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N", cwe: "CWE-354", cves: []string{"CVE-2023-48795"}, port: 22, proto: "tcp",
			evidence: "Supports following vulnerable cipher suites: chacha20-poly1305@openssh.com; OpenSSH_8.9p1 Ubuntu-3ubuntu0.4", fix: "Đã nâng cấp OpenSSH 8.9p1-3ubuntu0.6 (bản vá của Ubuntu)."}, 0.5},
		{weakness{tool: "nessus", rule: "51192", title: "SSL Certificate Cannot Be Trusted", sev: finding.Medium, cvss: vecNessusTLS, cwe: "CWE-295", port: 8443, proto: "tcp",
			evidence: "|-Subject : CN=localhost.localdomain |-Issuer : CN=localhost.localdomain", fp: "Cổng 8443 là giao diện quản trị nội bộ, chỉ truy cập qua VPN quản trị; chứng thư tự ký đã được đăng ký trong kho tin cậy của máy quản trị."}, 0.35},
		{weakness{tool: "nessus", rule: "42873", title: "SSL Medium Strength Cipher Suites Supported (SWEET32)", sev: finding.High, cvss: vecReadAll, cwe: "CWE-326", cves: []string{"CVE-2016-2183"}, port: 443, proto: "tcp",
			evidence: "Medium Strength Ciphers: DES-CBC3-SHA (0x00, 0x0A)"}, 0.25},
		{weakness{tool: "nessus", rule: "134862", title: "Apache Tomcat AJP Connector Request Injection (Ghostcat)", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-269", cves: []string{"CVE-2020-1938"}, port: 8009, proto: "tcp",
			evidence: "Nessus was able to read /WEB-INF/web.xml through the AJP connector on port 8009 (Apache Tomcat/8.5.32).", fix: "Đã tắt AJP connector trong server.xml, nâng cấp Tomcat 9.0.98."}, 0.06},
		{weakness{tool: "nessus", rule: "155999", title: "Apache Log4j < 2.15.0 Remote Code Execution (Nix)", sev: finding.Critical, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", cwe: "CWE-917", cves: []string{"CVE-2021-44228"}, port: 9443, proto: "tcp",
			evidence: "Path : /opt/wso2am-3.2.0/repository/components/plugins/log4j-core_2.11.0.jar; Installed version : 2.11.0; Fixed version : 2.16.0", fix: "Đã cài bản vá WSO2-CARBON-PATCH-4.4.0-xxxx, log4j-core 2.17.1."}, 0.05},
	}
)

// Greenbone (OpenVAS) scans of the wards' and communes' servers and LANs.
var (
	openvasAnchor = weakness{tool: "openvas", rule: "1.3.6.1.4.1.25623.1.0.105937", title: "OS Detection Consolidation and Reporting", sev: finding.Info, evidence: "Best matching OS: Microsoft Windows Server 2012 R2"}
	openvasChecks = []struct {
		w weakness
		p float64
	}{
		{weakness{tool: "openvas", rule: "1.3.6.1.4.1.25623.1.0.117274", title: "SSL/TLS: Deprecated TLSv1.0 and TLSv1.1 Protocol Detection", sev: finding.Medium, score: 4.3, cwe: "CWE-327", cves: []string{"CVE-2011-3389", "CVE-2015-0204"}, port: 443, proto: "tcp",
			evidence: "The service is only providing the deprecated TLSv1.0 protocol and supports one or more ciphers."}, 0.5},
		{weakness{tool: "openvas", rule: "1.3.6.1.4.1.25623.1.0.111012", title: "SSL/TLS: Deprecated SSLv2 and SSLv3 Protocol Detection", sev: finding.Medium, cvss: vecCrypto, cwe: "CWE-327", cves: []string{"CVE-2014-3566", "CVE-2016-0800"}, port: 443, proto: "tcp",
			evidence: "In addition to TLSv1.0+ the service is also providing the deprecated SSLv3 protocol."}, 0.2},
		{weakness{tool: "openvas", rule: "1.3.6.1.4.1.25623.1.0.103674", title: "Operating System (OS) End of Life (EOL) Detection", sev: finding.High, score: 10.0, cwe: "CWE-1104", port: 0, proto: "tcp",
			evidence: "Installed version: Windows Server 2008 R2; EOL date: 2020-01-14", fix: "Đã chuyển phần mềm một cửa sang máy chủ ảo Windows Server 2022 tại Trung tâm dữ liệu thành phố."}, 0.2},
		{weakness{tool: "openvas", rule: "1.3.6.1.4.1.25623.1.0.810676", title: "Microsoft Windows SMB Server Multiple Vulnerabilities-Remote (4013389)", sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", cwe: "CWE-20",
			cves: []string{"CVE-2017-0143", "CVE-2017-0144", "CVE-2017-0145", "CVE-2017-0146", "CVE-2017-0147", "CVE-2017-0148"}, port: 445, proto: "tcp", evidence: "SMBv1 trả lời yêu cầu Trans2 với STATUS_NOT_IMPLEMENTED"}, 0.06},
	}
	// What the wards' LANs hold beyond their servers.
	openvasLAN = []struct {
		w weakness
		p float64
	}{
		{weakness{tool: "openvas", rule: "1.3.6.1.4.1.25623.1.0.108522", title: "Telnet Unencrypted Cleartext Login", sev: finding.Medium, cvss: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", cwe: "CWE-319", port: 23, proto: "tcp",
			evidence: "Máy in Ricoh MP 3055 trả lời Telnet không mã hóa"}, 0.2},
	}
)

// OWASP ZAP's scan of the public-service portals.
var zapAlerts = []weakness{
	{tool: "zap", rule: "10038", title: "Content Security Policy (CSP) Header Not Set", sev: finding.Medium, cvss: vecSpoof, cwe: "CWE-693", port: 443, path: "/"},
	{tool: "zap", rule: "10020", title: "Missing Anti-clickjacking Header", sev: finding.Medium, cvss: vecFraming, cwe: "CWE-1021", port: 443, path: "/dichvucong/"},
	{tool: "zap", rule: "10202", title: "Absence of Anti-CSRF Tokens", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N", cwe: "CWE-352", port: 443, path: "/dichvucong/nop-ho-so",
		evidence: "<form id=\"frmNopHoSo\" method=\"post\" action=\"/dichvucong/nop-ho-so\"> — không có token chống CSRF",
		fp:       "Biểu mẫu dùng AntiForgeryToken của ASP.NET MVC gửi qua tiêu đề RequestVerificationToken; ZAP không nhận ra token trong tiêu đề."},
	{tool: "zap", rule: "10010", title: "Cookie No HttpOnly Flag", sev: finding.Low, cvss: vecHeaders, cwe: "CWE-1004", port: 443, path: "/", param: "ASP.NET_SessionId", evidence: "Set-Cookie: ASP.NET_SessionId=…; path=/"},
	{tool: "zap", rule: "10036", title: "Server Leaks Version Information via \"Server\" HTTP Response Header Field", sev: finding.Low, cvss: vecInfoLow, cwe: "CWE-497", port: 443, path: "/", evidence: "Server: Microsoft-IIS/10.0"},
	{tool: "zap", rule: "40012", title: "Cross Site Scripting (Reflected)", sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", cwe: "CWE-79", port: 443, path: "/tra-cuu-ho-so", param: "keyword",
		request: "GET /tra-cuu-ho-so?keyword=%3C%2Fscript%3E%3CscrIpt%3Ealert%281%29%3B%3C%2FscRipt%3E HTTP/1.1\nHost: {host}", response: "HTTP/1.1 200 OK\n\n…Kết quả tra cứu cho: </script><scrIpt>alert(1);</scRipt>…",
		fix: "Đã mã hóa đầu ra (HtmlEncode) cho tham số keyword và bật CSP."},
	{tool: "zap", rule: "40018", title: "SQL Injection", sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:N", cwe: "CWE-89", port: 443, path: "/tra-cuu-ho-so", param: "maHoSo",
		request: "GET /tra-cuu-ho-so?maHoSo=000.00.21.H13-250312-0001%27+AND+%271%27%3D%271 HTTP/1.1\nHost: {host}", response: "HTTP/1.1 200 OK (giống trang gốc; với AND '1'='2' trang trả về không có kết quả)",
		fp: "Đã kiểm tra thủ công: tham số maHoSo được truy vấn bằng câu lệnh tham số hóa; khác biệt nội dung do bộ đệm trang, không khai thác được."},
}

// Burp Suite and the manual penetration test of the auditors' team, on the
// systems they are assigned to.
var (
	burpIssues = []weakness{
		{tool: "burp", rule: "1049088", title: "SQL injection", sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N", cwe: "CWE-89", port: 443, path: "/api/hoso/timkiem", param: "tuKhoa",
			request: "POST /api/hoso/timkiem HTTP/1.1\nHost: {host}\nContent-Type: application/json\n\n{\"tuKhoa\":\"a'||pg_sleep(10)--\"}", response: "HTTP/1.1 200 OK (trả lời sau 10 021 ms)",
			fix: "Đã chuyển truy vấn tìm kiếm sang tham số hóa (Npgsql parameters)."},
		{tool: "burp", rule: "2097920", title: "Cross-site scripting (reflected)", sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", cwe: "CWE-79", port: 443, path: "/thong-bao", param: "id",
			request: "GET /thong-bao?id=12%22%3e%3cscript%3ealert(document.domain)%3c%2fscript%3e HTTP/1.1\nHost: {host}"},
		{tool: "burp", rule: "3145984", title: "Cleartext submission of password", sev: finding.High, cvss: "CVSS:3.1/AV:A/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N", cwe: "CWE-319", port: 80, path: "/dang-nhap", param: "matKhau",
			evidence: "<form action=\"http://{host}/dang-nhap\" method=\"post\"> … <input type=\"password\" name=\"matKhau\">"},
	}
	pentest = []weakness{
		{tool: "manual", rule: "KTXN-2026-01", title: "Lỗ hổng IDOR cho phép xem hồ sơ thủ tục hành chính của công dân khác", sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:L/A:N", cwe: "CWE-639", port: 443, path: "/api/hoso/chitiet", param: "id",
			evidence: "Đăng nhập bằng tài khoản công dân A, đổi id=102345 thành id=102346 nhận được hồ sơ (họ tên, số CCCD, địa chỉ) của công dân B.", fix: "Đã kiểm tra quyền sở hữu hồ sơ ở phía máy chủ trước khi trả dữ liệu."},
		{tool: "manual", rule: "KTXN-2026-02", title: "Tài khoản quản trị dùng mật khẩu mặc định của nhà cung cấp", sev: finding.Critical, cvss: vecRCE, cwe: "CWE-1392", port: 443, path: "/quantri/dang-nhap",
			evidence: "Đăng nhập thành công trang quản trị bằng tài khoản admin với mật khẩu mặc định ghi trong tài liệu hướng dẫn của nhà cung cấp.", fix: "Đã đổi mật khẩu, bật xác thực hai lớp cho tài khoản quản trị."},
		{tool: "manual", rule: "KTXN-2026-03", title: "Không giới hạn số lần đăng nhập sai, cho phép dò mật khẩu", sev: finding.Medium, cvss: vecExposed, cwe: "CWE-307", port: 443, path: "/dang-nhap",
			evidence: "Gửi 500 yêu cầu đăng nhập sai liên tiếp trong 2 phút, không bị khóa tài khoản hay yêu cầu CAPTCHA."},
		{tool: "manual", rule: "KTXN-2026-04", title: "Tải lên tệp không kiểm tra định dạng dẫn tới thực thi mã (webshell)", sev: finding.High, cvss: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", cwe: "CWE-434", port: 443, path: "/hoso/dinhkem",
			evidence: "Tải lên tệp kiemthu.aspx qua chức năng đính kèm hồ sơ, truy cập /Uploads/2026/kiemthu.aspx thực thi được lệnh whoami → iis apppool\\motcua.", fix: "Đã chỉ cho phép PDF, DOCX, JPG; lưu tệp ngoài thư mục web; tắt thực thi trong /Uploads."},
		{tool: "manual", rule: "KTXN-2026-05", title: "API trả về số CCCD, số điện thoại của công dân mà không cần xác thực", sev: finding.High, cvss: vecReadAll, cwe: "CWE-306", port: 443, path: "/api/congdan/tracuu",
			evidence: "GET /api/congdan/tracuu?soDienThoai=09… trả về họ tên, số CCCD, ngày sinh khi không gửi token."},
		{tool: "manual", rule: "KTXN-2026-06", title: "Phiên đăng nhập không bị hủy sau khi đăng xuất", sev: finding.Medium, cvss: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", cwe: "CWE-613", port: 443, path: "/dang-xuat",
			evidence: "Sau khi đăng xuất, gửi lại cookie phiên cũ vẫn truy cập được trang quản lý hồ sơ.", fp: "Kiểm tra lại: phiên bị hủy ở máy chủ sau 30 giây do cơ chế đồng bộ bộ đệm phiên; hành vi đã ghi nhận là do thời điểm kiểm thử, không phải lỗi."},
		{tool: "manual", rule: "KTXN-2026-07", title: "Thông báo lỗi để lộ chuỗi kết nối cơ sở dữ liệu", sev: finding.Medium, cvss: vecInfo, cwe: "CWE-209", port: 443, path: "/bao-cao/xuat",
			evidence: "Lỗi 500 hiển thị \"Server=10.21.1.10;Database=QLVB;User Id=sa;…\" kèm stack trace ASP.NET."},
	}
)
