package service

import (
	"encoding/binary"
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

func TestParseRDP(t *testing.T) {
	confirm := func(typ byte, value uint32) []byte {
		return binary.LittleEndian.AppendUint32([]byte{0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, typ, 0, 0x08, 0}, value)
	}
	tests := []struct {
		name  string
		b     []byte
		noNLA bool
	}{
		{"NLA required", confirm(0x03, 0x05), false},
		{"TLS accepted", confirm(0x02, 0x01), true},
		{"standard RDP security selected", confirm(0x02, 0x00), true},
		{"TLS refused", confirm(0x03, 0x02), true},
		{"CredSSP selected anyway", confirm(0x02, 0x02), false},
		{"no negotiation", []byte{0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0, 0, 0x12, 0x34, 0}, true},
		{"other failure", confirm(0x03, 0x04), false},
	}
	for _, tt := range tests {
		info, ok := ParseRDP(tt.b)
		if !ok || info.Name != "rdp" {
			t.Errorf("%s: not recognised", tt.name)
		}
		if got := len(info.Risks) == 1 && info.Risks[0].Check == "service.rdp-no-nla"; got != tt.noNLA {
			t.Errorf("%s: no NLA %v, want %v (%+v)", tt.name, got, tt.noNLA, info.Risks)
		}
	}
	if _, ok := ParseRDP([]byte("HTTP/1.1 400")); ok {
		t.Error("HTTP reply recognised as RDP")
	}
}

func TestParseSMB(t *testing.T) {
	smb2 := func(dialect uint16) []byte {
		b := append([]byte{0, 0, 0, 0x48, 0xfe, 'S', 'M', 'B'}, make([]byte, 60)...)
		return binary.LittleEndian.AppendUint16(append(b, 0x41, 0x00, 0x01, 0x00), dialect)
	}
	smb1 := func(index uint16) []byte {
		b := append([]byte{0, 0, 0, 35, 0xff, 'S', 'M', 'B', 0x72}, make([]byte, 27)...)
		return binary.LittleEndian.AppendUint16(append(b, 1), index)
	}
	tests := []struct {
		name, banner string
		b            []byte
		smbv1        bool
	}{
		{"SMB 2.1 or later", "SMB2 negotiate response (dialect 2.1 or later)", smb2(0x02ff), false},
		{"SMB 2.0.2", "SMB2 negotiate response (dialect 2.0.2)", smb2(0x0202), false},
		{"unknown dialect", "SMB2 negotiate response", smb2(0x0999), false},
		{"SMB1 chosen", "SMB1 negotiate response (SMBv1 enabled)", smb1(0), true},
		{"SMB1 nothing chosen", "SMB1 negotiate response, no dialect accepted", smb1(0xffff), false},
	}
	for _, tt := range tests {
		info, ok := ParseSMB(tt.b)
		if !ok || info.Name != "smb" || info.Banner != tt.banner {
			t.Errorf("%s: got %+v, want banner %q", tt.name, info, tt.banner)
		}
		if got := len(info.Risks) == 1 && info.Risks[0].Check == "service.smbv1"; got != tt.smbv1 {
			t.Errorf("%s: SMBv1 %v, want %v", tt.name, got, tt.smbv1)
		}
	}
}

func FuzzParseRDP(f *testing.F) {
	f.Add([]byte{0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 0x03, 0, 0x08, 0, 0x05, 0, 0, 0})
	f.Add([]byte{0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0, 0, 0, 0, 0, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseRDP(b)
	})
}

func FuzzParseSMB(f *testing.F) {
	f.Add(append(append([]byte{0, 0, 0, 0x48, 0xfe, 'S', 'M', 'B'}, make([]byte, 60)...), 0x41, 0, 1, 0, 0xff, 0x02))
	f.Add(append(append([]byte{0, 0, 0, 35, 0xff, 'S', 'M', 'B', 0x72}, make([]byte, 27)...), 1, 0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseSMB(b)
	})
}

// pgError is an ErrorResponse with fields, each a code and a value.
func pgError(fields ...string) []byte {
	var body []byte
	for _, f := range fields {
		body = append(append(body, f...), 0)
	}
	body = append(body, 0)
	return append(binary.BigEndian.AppendUint32([]byte{'E'}, uint32(4+len(body))), body...)
}

func TestPostgresRange(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"18", []byte("EFATAL:  unsupported frontend protocol 1.0: server supports 3.0 to 3.2\n\x00"), "18 or later"},
		{"15", []byte("EFATAL:  unsupported frontend protocol 1.0: server supports 3.0 to 3.0\n\x00"), "14 to 17"},
		{"12", []byte("EFATAL:  unsupported frontend protocol 1.0: server supports 2.0 to 3.0\n\x00"), "7.4 to 13"},
		{"protocol 3 format", pgError("SFATAL", "VFATAL", "C0A000", "Munsupported frontend protocol 1.0: server supports 3.0 to 3.0", "Fpostmaster.c", "L2136", "RProcessStartupPacket"), "14 to 17"},
		{"localised", []byte("EFATAL:  protocole frontal 1.0 non supporté : le serveur supporte de 3.0 à 3.0\n\x00"), "14 to 17"},
		{"other error", pgError("SFATAL", "VFATAL", "C08P01", "Minvalid length of startup packet"), ""},
		{"truncated", pgError("SFATAL", "Munsupported frontend protocol 1.0: server supports 3.0 to 3.0")[:20], ""},
		{"not an error", []byte("N"), ""},
	}
	for _, tt := range tests {
		if got := PostgresRange(tt.b); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLDAPAttribute(t *testing.T) {
	attr := func(name, value string) []byte {
		b := append([]byte{0x30, byte(4 + len(name) + len(value) + 2), 0x04, byte(len(name))}, name...)
		return append(append(b, 0x31, byte(2+len(value)), 0x04, byte(len(value))), value...)
	}
	entry := append(attr("vendorName", "389 Project"), attr("vendorVersion", "389-Directory/2.4.5 B2024.017.0000")...)
	if got := LDAPAttribute(entry, "vendorVersion"); got != "389-Directory/2.4.5 B2024.017.0000" {
		t.Errorf("vendorVersion %q", got)
	}
	if got := LDAPAttribute(entry, "vendorName"); got != "389 Project" {
		t.Errorf("vendorName %q", got)
	}
	for _, b := range [][]byte{attr("objectClass", "OpenLDAProotDSE"), entry[:len(entry)-20]} {
		if got := LDAPAttribute(b, "vendorVersion"); got != "" {
			t.Errorf("%q in %x", got, b)
		}
	}
}

func FuzzPostgresRange(f *testing.F) {
	f.Add(pgError("SFATAL", "VFATAL", "C0A000", "Munsupported frontend protocol 1.0: server supports 3.0 to 3.2"))
	f.Add([]byte{'E', 0, 0, 0, 4})
	f.Add([]byte("EFATAL:  unsupported frontend protocol 1.0: server supports 3.0 to 3.0\n\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = PostgresRange(b)
	})
}

func FuzzLDAPAttribute(f *testing.F) {
	f.Add([]byte("\x04\x0dvendorVersion\x31\x0a\x04\x08389-Dir/"), "vendorVersion")
	f.Add([]byte("\x04\x0dvendorVersion\x31\x82\x00\x05\x04\x81\xff"), "vendorVersion")
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		if len(name) > 127 {
			return
		}
		_ = LDAPAttribute(b, name)
	})
}
