package service_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/scantest"
)

// Fake services written from the protocols' documentation: each answers
// its own protocol as the real server does and reacts to other protocols'
// probes the way real servers do (an error, or closing the connection), so
// that the fallback sequence meets what it meets on a network.

// fake is one fake service: how to start it on addr ("127.0.0.1:0" for a
// free port) and where it usually listens.
type fake struct {
	usualPort int
	tls       bool // TLS from the first byte
	start     func(t testing.TB, addr string, cfg *tls.Config) net.Listener
}

// reply answers one request: out (nil: hang up without a word), and
// whether to hang up after it, as servers do after a protocol error.
type reply func(req []byte) (out []byte, hangUp bool)

func more(b []byte) ([]byte, bool) { return b, false }
func last(b []byte) ([]byte, bool) { return b, true }

// serveHTTP serves h on addr, in TLS when cfg is set.
func serveHTTP(t testing.TB, addr string, cfg *tls.Config, h http.HandlerFunc) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	if cfg != nil {
		srv.TLS = cfg
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return ln
}

func banner(greeting string) func(testing.TB, string, *tls.Config) net.Listener {
	return func(t testing.TB, addr string, cfg *tls.Config) net.Listener {
		return scantest.Serve(t, addr, cfg, []byte(greeting), func([]byte) ([]byte, bool) { return nil, true })
	}
}

func jsonReply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// redisFake answers INFO (or NOAUTH) and "-ERR" to any other command; an
// HTTP request makes Redis drop the connection.
func redisFake(auth bool) func(testing.TB, string, *tls.Config) net.Listener {
	return func(t testing.TB, addr string, cfg *tls.Config) net.Listener {
		return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
			switch {
			case bytes.Contains(req, []byte("Host:")):
				return nil, true
			case !bytes.HasPrefix(req, []byte("INFO")):
				return more([]byte("-ERR unknown command\r\n"))
			case auth:
				return more([]byte("-NOAUTH Authentication required.\r\n"))
			}
			body := "# Server\r\nredis_version:6.2.6\r\nredis_mode:standalone\r\n"
			return more([]byte("$" + strconv.Itoa(len(body)) + "\r\n" + body + "\r\n"))
		})
	}
}

// mongoFake answers OP_MSG buildInfo and listDatabases (refused with auth);
// MongoDB tells HTTP clients they reached the wrong port.
func mongoFake(auth bool) func(testing.TB, string, *tls.Config) net.Listener {
	return func(t testing.TB, addr string, cfg *tls.Config) net.Listener {
		return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
			if bytes.HasPrefix(req, []byte("GET ")) {
				body := "It looks like you are trying to access MongoDB over HTTP on the native driver port.\r\n"
				return last([]byte("HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body))
			}
			if len(req) < 27 || binary.LittleEndian.Uint32(req[12:]) != 2013 {
				return nil, true
			}
			end := bytes.IndexByte(req[26:], 0)
			if end < 0 {
				return nil, true
			}
			var doc []byte
			switch cmd := string(req[26 : 26+end]); {
			case cmd == "buildInfo":
				doc = bsonDoc(bsonStr("version", "4.4.6"), bsonDouble("ok", 1))
			case auth:
				doc = bsonDoc(bsonDouble("ok", 0), bsonStr("errmsg", "command listDatabases requires authentication"))
			default:
				doc = bsonDoc(bsonDouble("ok", 1), bsonDouble("totalSize", 4096))
			}
			msg := make([]byte, 16, 16+5+len(doc))
			msg = append(msg, 0, 0, 0, 0, 0)
			msg = append(msg, doc...)
			binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
			binary.LittleEndian.PutUint32(msg[12:], 2013)
			return more(msg)
		})
	}
}

// memcachedFake answers "version"; other lines get ERROR.
func memcachedFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
		if bytes.HasPrefix(req, []byte("version")) {
			return more([]byte("VERSION 1.6.18\r\n"))
		}
		return more([]byte("ERROR\r\n"))
	})
}

// postgresFake answers SSLRequest with N and anything else with a FATAL
// error, as the postmaster does.
func postgresFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
		if bytes.Equal(req, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) {
			return more([]byte("N"))
		}
		msg := "SFATAL\x00C08P01\x00Minvalid length of startup packet\x00\x00"
		out := []byte{'E', 0, 0, 0, 0}
		binary.BigEndian.PutUint32(out[1:], uint32(4+len(msg)))
		return last(append(out, msg...))
	})
}

// mssqlFake answers a TDS PRELOGIN with version 15.0.2000; anything else is dropped.
func mssqlFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
		if len(req) < 8 || req[0] != 0x12 {
			return nil, true
		}
		return more([]byte{0x04, 0x01, 0x00, 0x14, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x06, 0xff, 0x0f, 0x00, 0x07, 0xd0, 0x00, 0x00})
	})
}

// ldapFake answers a search request with an empty searchResDone.
func ldapFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
		if len(req) < 8 || req[0] != 0x30 || !bytes.Contains(req[:8], []byte{0x63}) {
			return nil, true
		}
		// searchResEntry "" with objectClass: OpenLDAProotDSE, then searchResDone.
		entry := []byte{0x30, 0x2c, 0x02, 0x01, 0x01, 0x64, 0x27, 0x04, 0x00, 0x30, 0x23, 0x30, 0x21, 0x04, 0x0b}
		entry = append(entry, "objectClass"...)
		entry = append(entry, 0x31, 0x12, 0x04, 0x0f)
		entry = append(entry, "OpenLDAProotDSE"...)
		return more(append(entry, 0x30, 0x0c, 0x02, 0x01, 0x01, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00))
	})
}

// rdpFake answers an X.224 Connection Request with a Connection Confirm.
func rdpFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
		if len(req) < 6 || req[0] != 0x03 || req[5] != 0xe0 {
			return nil, true
		}
		return more([]byte{0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0, 0x08, 0, 0x02, 0, 0, 0})
	})
}

// smbFake answers an SMB NEGOTIATE with an SMB2 header.
func smbFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
		if len(req) < 9 || req[0] != 0 || !bytes.Equal(req[4:8], []byte("\xffSMB")) {
			return nil, true
		}
		return more(append([]byte{0, 0, 0, 0x40, 0xfe, 'S', 'M', 'B'}, make([]byte, 60)...))
	})
}

// mqttFake is a broker: CONNACK (0, or 5 "not authorized" with auth), a
// SUBACK and the retained $SYS version for a subscriber.
func mqttFake(auth bool) func(testing.TB, string, *tls.Config) net.Listener {
	return func(t testing.TB, addr string, cfg *tls.Config) net.Listener {
		return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
			switch {
			case len(req) >= 2 && req[0] == 0x10 && auth:
				return last([]byte{0x20, 0x02, 0x00, 0x05})
			case len(req) >= 2 && req[0] == 0x10:
				return more([]byte{0x20, 0x02, 0x00, 0x00})
			case len(req) >= 2 && req[0] == 0x82:
				topic, payload := "$SYS/broker/version", "mosquitto version 2.0.11"
				pub := append([]byte{0x31, byte(2 + len(topic) + len(payload)), 0, byte(len(topic))}, topic...)
				return more(append(append([]byte{0x90, 0x03, 0x00, 0x01, 0x00}, pub...), payload...))
			}
			return nil, true
		})
	}
}

// amqpFake answers the AMQP 0-9-1 header with Connection.Start, and any
// other bytes with its protocol header before closing, as RabbitMQ does.
func amqpFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return scantest.Serve(t, addr, cfg, nil, func(req []byte) ([]byte, bool) {
		if !bytes.HasPrefix(req, []byte("AMQP\x00\x00\x09\x01")) {
			return last([]byte("AMQP\x00\x00\x09\x01"))
		}
		return more(amqpStart("RabbitMQ", "3.10.8"))
	})
}

func amqpStart(product, version string) []byte {
	field := func(k, v string) []byte {
		out := append([]byte{byte(len(k))}, k...)
		out = append(out, 'S')
		out = binary.BigEndian.AppendUint32(out, uint32(len(v)))
		return append(out, v...)
	}
	caps := append([]byte{byte(len("publisher_confirms"))}, "publisher_confirms"...)
	caps = append(caps, 't', 1)
	table := field("product", product)
	table = append(table, byte(len("capabilities")))
	table = append(table, "capabilities"...)
	table = append(table, 'F')
	table = binary.BigEndian.AppendUint32(table, uint32(len(caps)))
	table = append(table, caps...)
	table = append(table, field("version", version)...)
	payload := []byte{0, 10, 0, 10, 0, 9}
	payload = binary.BigEndian.AppendUint32(payload, uint32(len(table)))
	payload = append(payload, table...)
	for _, s := range []string{"PLAIN AMQPLAIN", "en_US"} {
		payload = binary.BigEndian.AppendUint32(payload, uint32(len(s)))
		payload = append(payload, s...)
	}
	frame := []byte{1, 0, 0}
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(payload)))
	return append(append(frame, payload...), 0xce)
}

func webFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return serveHTTP(t, addr, cfg, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Server", "nginx/1.18.0") })
}

func elasticFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return serveHTTP(t, addr, cfg, func(w http.ResponseWriter, r *http.Request) {
		jsonReply(w, http.StatusOK, map[string]any{"name": "node-1", "version": map[string]string{"number": "1.4.2"}, "tagline": "You Know, for Search"})
	})
}

func dockerFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return serveHTTP(t, addr, cfg, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "Docker/24.0.7 (linux)")
		w.Header().Set("Api-Version", "1.43")
		if r.URL.Path == "/version" {
			jsonReply(w, http.StatusOK, map[string]string{"Version": "24.0.7", "ApiVersion": "1.43"})
			return
		}
		jsonReply(w, http.StatusNotFound, map[string]string{"message": "page not found"})
	})
}

// kubernetesFake is an API server: /version is public, / is forbidden to
// anonymous clients, /api is open when anonymous is set.
func kubernetesFake(anonymous bool) func(testing.TB, string, *tls.Config) net.Listener {
	return func(t testing.TB, addr string, cfg *tls.Config) net.Listener {
		return serveHTTP(t, addr, cfg, func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/version":
				jsonReply(w, http.StatusOK, map[string]string{"major": "1", "minor": "28", "gitVersion": "v1.28.2", "platform": "linux/amd64"})
			case r.URL.Path == "/api" && anonymous:
				jsonReply(w, http.StatusOK, map[string]any{"kind": "APIVersions", "versions": []string{"v1"}})
			default:
				jsonReply(w, http.StatusForbidden, map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403})
			}
		})
	}
}

// etcdFake serves /version and the v3 gateway's range request; v2 is off.
func etcdFake(t testing.TB, addr string, cfg *tls.Config) net.Listener {
	return serveHTTP(t, addr, cfg, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/version":
			jsonReply(w, http.StatusOK, map[string]string{"etcdserver": "3.4.23", "etcdcluster": "3.4.0"})
		case r.URL.Path == "/v3/kv/range" && r.Method == http.MethodPost:
			jsonReply(w, http.StatusOK, map[string]any{"header": map[string]string{"cluster_id": "1", "revision": "7"}, "count": "3"})
		default:
			http.NotFound(w, r)
		}
	})
}

// fakes are the services of the benchmark and of the tests, by name.
var fakes = map[string]fake{
	"ssh":             {22, false, banner("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n")},
	"ftp":             {21, false, banner("220 (vsFTPd 3.0.5)\r\n")},
	"smtp":            {25, false, banner("220 mx.example.vn ESMTP Exim 4.89\r\n")},
	"pop3":            {110, false, banner("+OK Dovecot ready.\r\n")},
	"imap":            {143, false, banner("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n")},
	"imaps":           {993, true, banner("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n")},
	"mysql":           {3306, false, banner("\x4a\x00\x00\x00\x0a5.7.44-log\x00\x08\x00\x00\x00")},
	"vnc":             {5900, false, banner("RFB 003.008\n")},
	"telnet":          {23, false, banner("\xff\xfd\x18\xff\xfd\x20")},
	"nats":            {4222, false, banner("INFO {\"server_id\":\"N1\",\"version\":\"2.9.10\",\"proto\":1,\"max_payload\":1048576} \r\n")},
	"redis":           {6379, false, redisFake(false)},
	"redis-auth":      {6379, false, redisFake(true)},
	"mongodb":         {27017, false, mongoFake(false)},
	"mongodb-auth":    {27017, false, mongoFake(true)},
	"memcached":       {11211, false, memcachedFake},
	"postgresql":      {5432, false, postgresFake},
	"mssql":           {1433, false, mssqlFake},
	"ldap":            {389, false, ldapFake},
	"rdp":             {3389, false, rdpFake},
	"smb":             {445, false, smbFake},
	"mqtt":            {1883, false, mqttFake(false)},
	"mqtt-auth":       {1883, false, mqttFake(true)},
	"amqp":            {5672, false, amqpFake},
	"http":            {80, false, webFake},
	"https":           {443, true, webFake},
	"elasticsearch":   {9200, false, elasticFake},
	"docker":          {2375, false, dockerFake},
	"kubernetes":      {6443, true, kubernetesFake(true)},
	"kubernetes-rbac": {6443, true, kubernetesFake(false)},
	"etcd":            {2379, false, etcdFake},
}

// TestFakeServices serves the fakes named in KHIEN_FAKE_SERVICES
// ("mongodb=47017,https=48443") until interrupted, for
// scripts/bench-services.sh; without it the test is skipped.
func TestFakeServices(t *testing.T) {
	spec := os.Getenv("KHIEN_FAKE_SERVICES")
	if spec == "" {
		t.Skip("KHIEN_FAKE_SERVICES not set: no fake services to serve")
	}
	cfg := testTLS(t)
	for _, item := range strings.Split(spec, ",") {
		name, port, _ := strings.Cut(item, "=")
		f, ok := fakes[name]
		if !ok {
			t.Fatalf("no fake service %q", name)
		}
		var scfg *tls.Config
		if f.tls {
			scfg = cfg
		}
		f.start(t, "127.0.0.1:"+port, scfg)
	}
	fmt.Println("fake services ready")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}
