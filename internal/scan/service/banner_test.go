package service

import (
	"testing"
)

func TestParseBanner(t *testing.T) {
	tests := []struct {
		name, hint, banner     string
		want, product, version string
	}{
		{"openssh ubuntu", "", "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n", "ssh", "openssh", "8.9p1"},
		{"dropbear", "", "SSH-2.0-dropbear_2022.83\r\n", "ssh", "dropbear", "2022.83"},
		{"ssh no version", "", "SSH-2.0-Server\r\n", "ssh", "server", ""},
		{"vsftpd", "ftp", "220 (vsFTPd 3.0.3)\r\n", "ftp", "vsftpd", "3.0.3"},
		{"proftpd", "", "220 ProFTPD 1.3.5 Server (Debian) [::ffff:10.0.0.1]\r\n", "ftp", "proftpd", "1.3.5"},
		{"filezilla", "", "220-FileZilla Server 0.9.60 beta\r\n", "ftp", "filezilla", "0.9.60"},
		{"microsoft ftp", "", "220 Microsoft FTP Service\r\n", "ftp", "iis-ftp", ""},
		{"postfix", "", "220 mail.example.gov.vn ESMTP Postfix (Ubuntu)\r\n", "smtp", "postfix", ""},
		{"exim", "", "220 mx.example.vn ESMTP Exim 4.94.2 Mon, 01 Jan 2024 00:00:00 +0700\r\n", "smtp", "exim", "4.94.2"},
		{"smtp by hint", "smtp", "220 mail ready\r\n", "smtp", "", ""},
		{"pop3 dovecot", "", "+OK Dovecot (Ubuntu) ready.\r\n", "pop3", "dovecot", ""},
		{"imap", "", "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Dovecot ready.\r\n", "imap", "dovecot", ""},
		{"vnc", "", "RFB 003.008\n", "vnc", "", "3.8"},
		{"telnet iac", "", "\xff\xfd\x18\xff\xfd\x20", "telnet", "", ""},
		{"telnet login", "telnet", "Ubuntu 22.04 LTS\r\nlogin: ", "telnet", "", ""},
		{"mysql", "", "\x4a\x00\x00\x00\x0a8.0.35-0ubuntu0.22.04.1\x00\x08\x00\x00\x00", "mysql", "mysql", "8.0.35"},
		{"mariadb", "", "\x5b\x00\x00\x00\x0a5.5.5-10.6.12-MariaDB-0ubuntu0.22.04.1\x00\x08\x00", "mysql", "mariadb", "10.6.12"},
		{"nats", "", "INFO {\"server_id\":\"N1\",\"version\":\"2.9.10\",\"auth_required\":true} \r\n", "nats", "nats-server", "2.9.10"},
		{"telnet bare login prompt", "", "\r\nrouter1 login: ", "telnet", "", ""},
		{"mysql host refused", "", "\x45\x00\x00\x00\xff\x6a\x04Host '10.0.0.9' is not allowed to connect to this MySQL server", "mysql", "mysql", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseBanner(tt.hint, []byte(tt.banner))
			if !ok {
				t.Fatalf("not recognised")
			}
			if got.Name != tt.want || got.Product != tt.product || got.Version != tt.version {
				t.Errorf("got %s/%s/%s, want %s/%s/%s", got.Name, got.Product, got.Version, tt.want, tt.product, tt.version)
			}
		})
	}
	for _, junk := range []string{"", "hello world", "HTTP/1.1 400 Bad Request\r\n"} {
		if info, ok := ParseBanner("", []byte(junk)); ok {
			t.Errorf("ParseBanner(%q) = %+v, want not recognised", junk, info)
		}
	}
}

func TestParseServerHeader(t *testing.T) {
	tests := []struct{ in, product, version string }{
		{"Apache/2.4.58 (Ubuntu)", "apache", "2.4.58"},
		{"nginx/1.18.0", "nginx", "1.18.0"},
		{"Microsoft-IIS/10.0", "iis", "10.0"},
		{"nginx", "nginx", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		p, v := ParseServerHeader(tt.in)
		if p != tt.product || v != tt.version {
			t.Errorf("ParseServerHeader(%q) = %q %q, want %q %q", tt.in, p, v, tt.product, tt.version)
		}
	}
}

func TestParseMSSQL(t *testing.T) {
	resp := []byte{0x04, 0x01, 0x00, 0x25, 0x00, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x06, 0x00, 0x06, 0xff,
		0x0f, 0x00, 0x07, 0xd0, 0x00, 0x00}
	info, ok := ParseMSSQL(resp)
	if !ok || info.Version != "15.0.2000" {
		t.Fatalf("got %+v %v, want version 15.0.2000", info, ok)
	}
	if _, ok := ParseMSSQL([]byte("HTTP/1.1 200")); ok {
		t.Error("HTTP reply recognised as MSSQL")
	}
}

func FuzzParseBanner(f *testing.F) {
	for _, s := range []string{"SSH-2.0-OpenSSH_8.9p1", "220 (vsFTPd 3.0.3)", "\x4a\x00\x00\x00\x0a8.0.35\x00", "RFB 003.008\n", "+OK", "\xff\xfb\x01", "\x05\x00\x00\x00\xff", "INFO {\"version\":\"2.9.10\"}\r\n"} {
		f.Add("", []byte(s))
	}
	f.Fuzz(func(t *testing.T, hint string, b []byte) {
		info, ok := ParseBanner(hint, b)
		if ok && info.Name == "" {
			t.Fatalf("recognised without a name: %+v", info)
		}
	})
}

func FuzzParseBSON(f *testing.F) {
	f.Add(bsonDoc(bsonStr("version", "7.0.5"), bsonInt("ok", 1), bsonBool("x", true)))
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseBSON(b)
	})
}

func FuzzParseMSSQL(f *testing.F) {
	f.Add([]byte{0x04, 0x01, 0x00, 0x25, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x06, 0xff, 0x0f, 0x00, 0x07, 0xd0, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseMSSQL(b)
	})
}
