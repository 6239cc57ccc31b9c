package service

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// The MongoDB probe sends two read-only commands in OP_MSG frames on one
// connection: buildInfo (answered without credentials by design) for the
// version, then listDatabases with nameOnly, which succeeds only when
// authentication is disabled.

func (d *Detector) mongo(ctx context.Context, t probeTarget) (Info, bool) {
	c, err := d.open(ctx, t.port, t.tls, t.wait)
	if err != nil {
		return Info{}, false
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	build, err := mongoCommand(c, 1, bsonDoc(bsonInt("buildInfo", 1), bsonStr("$db", "admin")))
	if err != nil {
		return Info{}, false
	}
	info := Info{Name: "mongodb", Product: "mongodb", TLS: t.tls, Banner: "MongoDB buildInfo answered"}
	if v, ok := build["version"].(string); ok {
		info.Version = v
		info.Banner = "MongoDB " + v
	}
	list, err := mongoCommand(c, 2, bsonDoc(bsonInt("listDatabases", 1), bsonBool("nameOnly", true), bsonStr("$db", "admin")))
	if err == nil && bsonOK(list) {
		info.Unauth = check.Evidencef("listDatabases succeeded without authentication")
	}
	return info, true
}

func mongoCommand(rw io.ReadWriter, id int32, doc []byte) (map[string]any, error) {
	msg := make([]byte, 16, 16+5+len(doc))
	msg = append(msg, 0, 0, 0, 0, 0) // flagBits, section kind 0
	msg = append(msg, doc...)
	binary.LittleEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[4:], uint32(id))
	binary.LittleEndian.PutUint32(msg[12:], 2013) // OP_MSG
	if _, err := rw.Write(msg); err != nil {
		return nil, fmt.Errorf("mongodb: write: %w", err)
	}
	var hdr [16]byte
	if _, err := io.ReadFull(rw, hdr[:]); err != nil {
		return nil, fmt.Errorf("mongodb: read header: %w", err)
	}
	n := int(binary.LittleEndian.Uint32(hdr[0:]))
	if n < 21 || n > 1<<20 || binary.LittleEndian.Uint32(hdr[12:]) != 2013 {
		return nil, fmt.Errorf("mongodb: unexpected reply")
	}
	body := make([]byte, n-16)
	if _, err := io.ReadFull(rw, body); err != nil {
		return nil, fmt.Errorf("mongodb: read body: %w", err)
	}
	return ParseBSON(body[5:])
}

func bsonOK(m map[string]any) bool {
	switch v := m["ok"].(type) {
	case float64:
		return v == 1
	case int32:
		return v == 1
	case int64:
		return v == 1
	}
	return false
}

func bsonDoc(elems ...[]byte) []byte {
	body := bytes.Join(elems, nil)
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(body)+5))
	return append(append(out, body...), 0)
}

func bsonInt(k string, v int32) []byte {
	return binary.LittleEndian.AppendUint32(append(append([]byte{0x10}, k...), 0), uint32(v))
}

func bsonBool(k string, v bool) []byte {
	b := byte(0)
	if v {
		b = 1
	}
	return append(append(append([]byte{0x08}, k...), 0), b)
}

func bsonStr(k, v string) []byte {
	out := append(append([]byte{0x02}, k...), 0)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(v)+1))
	return append(append(out, v...), 0)
}

// ParseBSON decodes the top-level scalar fields of a BSON document (strings,
// numbers, booleans); nested documents and arrays are skipped.
func ParseBSON(b []byte) (map[string]any, error) {
	if len(b) < 5 {
		return nil, fmt.Errorf("bson: short document")
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 5 || n > len(b) {
		return nil, fmt.Errorf("bson: bad length %d", n)
	}
	b = b[4 : n-1]
	out := map[string]any{}
	for len(b) > 0 {
		t := b[0]
		end := bytes.IndexByte(b[1:], 0)
		if end < 0 {
			return nil, fmt.Errorf("bson: unterminated key")
		}
		key := string(b[1 : 1+end])
		b = b[2+end:]
		var size int
		switch t {
		case 0x01, 0x09, 0x11, 0x12: // double, datetime, timestamp, int64
			size = 8
			if len(b) < 8 {
				return nil, fmt.Errorf("bson: short value")
			}
			switch t {
			case 0x01:
				out[key] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			case 0x12:
				out[key] = int64(binary.LittleEndian.Uint64(b))
			}
		case 0x02, 0x0d, 0x0e: // string, JavaScript, symbol
			if len(b) < 4 {
				return nil, fmt.Errorf("bson: short string")
			}
			l := int(binary.LittleEndian.Uint32(b))
			if l < 1 || 4+l > len(b) {
				return nil, fmt.Errorf("bson: bad string length")
			}
			out[key] = string(b[4 : 4+l-1])
			size = 4 + l
		case 0x03, 0x04: // document, array
			if len(b) < 4 {
				return nil, fmt.Errorf("bson: short document")
			}
			size = int(binary.LittleEndian.Uint32(b))
		case 0x05: // binary
			if len(b) < 4 {
				return nil, fmt.Errorf("bson: short binary")
			}
			size = 5 + int(binary.LittleEndian.Uint32(b))
		case 0x07:
			size = 12
		case 0x08:
			size = 1
			if len(b) >= 1 {
				out[key] = b[0] == 1
			}
		case 0x0a, 0x06, 0x7f, 0xff:
			size = 0
		case 0x10:
			size = 4
			if len(b) >= 4 {
				out[key] = int32(binary.LittleEndian.Uint32(b))
			}
		case 0x13:
			size = 16
		default:
			return nil, fmt.Errorf("bson: unsupported type 0x%02x", t)
		}
		if size < 0 || size > len(b) {
			return nil, fmt.Errorf("bson: value overruns document")
		}
		b = b[size:]
	}
	return out, nil
}
