package service

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestParseAMQP(t *testing.T) {
	tests := []struct {
		name                   string
		in                     []byte
		ok                     bool
		product, version, bann string
	}{
		{"rabbitmq", connectionStart("RabbitMQ", "3.10.8"), true, "rabbitmq", "3.10.8", "RabbitMQ 3.10.8 (AMQP 0-9)"},
		{"amqp 1.0 header", []byte("AMQP\x00\x01\x00\x00"), true, "", "", "AMQP 1.0.0 protocol header"},
		{"http", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), false, "", "", ""},
		{"short", []byte{1, 0, 0, 0}, false, "", "", ""},
	}
	for _, tt := range tests {
		info, ok := ParseAMQP(tt.in)
		if ok != tt.ok || info.Product != tt.product || info.Version != tt.version || (ok && info.Banner != tt.bann) {
			t.Errorf("%s: got %+v %v", tt.name, info, ok)
		}
	}
}

func TestParseMemcached(t *testing.T) {
	if info, ok := ParseMemcached([]byte("VERSION 1.6.18\r\n")); !ok || info.Version != "1.6.18" || info.Unauth.IsZero() {
		t.Errorf("got %+v %v", info, ok)
	}
	for _, s := range []string{"ERROR\r\n", "-ERR unknown command 'version'\r\n", ""} {
		if _, ok := ParseMemcached([]byte(s)); ok {
			t.Errorf("%q recognised as memcached", s)
		}
	}
}

func TestParseMQTTVersion(t *testing.T) {
	body := mqttPublish("$SYS/broker/version", "mosquitto version 2.0.11")
	if p, v, b := ParseMQTTVersion(body); p != "mosquitto" || v != "2.0.11" || b != "mosquitto version 2.0.11" {
		t.Errorf("got %q %q %q", p, v, b)
	}
	if p, v, _ := ParseMQTTVersion(mqttPublish("$SYS/broker/version", "HiveMQ")); p != "" || v != "" {
		t.Errorf("got %q %q for a payload without version", p, v)
	}
}

func TestParseVersionDoc(t *testing.T) {
	tests := []struct{ in, name, version string }{
		{`{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}`, "etcd", "3.4.23"},
		{`{"major":"1","minor":"28","gitVersion":"v1.28.2+k3s1"}`, "kubernetes", "1.28.2+k3s1"},
		{`{"Version":"24.0.7","ApiVersion":"1.43","Os":"linux"}`, "docker", "24.0.7"},
		{`{"kind":"Status","apiVersion":"v1","status":"Failure","code":401}`, "kubernetes", ""},
		{`{"apiVersion":"v2"}`, "", ""},
		{`not json`, "", ""},
	}
	for _, tt := range tests {
		if got := ParseVersionDoc([]byte(tt.in)); got.Name != tt.name || got.Version != tt.version {
			t.Errorf("ParseVersionDoc(%s) = %+v, want %s %s", tt.in, got, tt.name, tt.version)
		}
	}
}

// connectionStart builds an AMQP 0-9-1 Connection.Start frame.
func connectionStart(product, version string) []byte {
	var table []byte
	for _, kv := range [][2]string{{"product", product}, {"version", version}} {
		table = append(table, byte(len(kv[0])))
		table = append(table, kv[0]...)
		table = append(table, 'S')
		table = binary.BigEndian.AppendUint32(table, uint32(len(kv[1])))
		table = append(table, kv[1]...)
	}
	payload := binary.BigEndian.AppendUint32([]byte{0, 10, 0, 10, 0, 9}, uint32(len(table)))
	payload = append(payload, table...)
	frame := binary.BigEndian.AppendUint32([]byte{1, 0, 0}, uint32(len(payload)))
	return append(append(frame, payload...), 0xce)
}

func mqttPublish(topic, payload string) []byte {
	return append(append([]byte{0, byte(len(topic))}, topic...), payload...)
}

func FuzzParseAMQP(f *testing.F) {
	f.Add(connectionStart("RabbitMQ", "3.10.8"))
	f.Add([]byte("AMQP\x00\x00\x09\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if info, ok := ParseAMQP(b); ok && info.Name != "amqp" {
			t.Fatalf("recognised as %q", info.Name)
		}
	})
}

func FuzzReadMQTT(f *testing.F) {
	f.Add([]byte{0x20, 0x02, 0x00, 0x00})
	f.Add(append([]byte{0x30, 0x2f}, mqttPublish("$SYS/broker/version", "mosquitto version 2.0.11")...))
	f.Add([]byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		for {
			typ, body, err := readMQTT(r)
			if err != nil {
				return
			}
			if typ == 3 {
				ParseMQTTVersion(body)
			}
		}
	})
}

func FuzzParseMemcached(f *testing.F) {
	f.Add([]byte("VERSION 1.6.18\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ParseMemcached(b) })
}

func FuzzParseVersionDoc(f *testing.F) {
	f.Add([]byte(`{"etcdserver":"3.4.23"}`))
	f.Add([]byte(`{"major":"1","gitVersion":"v1.28.2"}`))
	f.Fuzz(func(t *testing.T, b []byte) { _ = ParseVersionDoc(b) })
}
