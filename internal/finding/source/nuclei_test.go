package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// nucleiLines generates n Nuclei v3 result lines of about 1.3 KB, with the
// request and response that v3 writes by default.
func nucleiLines(n int) []byte {
	var buf bytes.Buffer
	for i := range n {
		fmt.Fprintf(&buf, `{"template":"http/misconfiguration/http-missing-security-headers.yaml","template-url":"https://cloud.projectdiscovery.io/public/http-missing-security-headers","template-id":"http-missing-security-headers","template-path":"/root/nuclei-templates/http/misconfiguration/http-missing-security-headers.yaml","info":{"name":"HTTP Missing Security Headers","author":["socketz","geeknik","pdteam","G4L1T0","convisoappsec","kurohost","dawid-czarnecki","forgedhallpass","jub0bs"],"tags":["misconfig","headers","generic"],"description":"This template searches for missing HTTP security headers. The impact of these missing headers can vary.","severity":"info","metadata":{"max-request":1}},"matcher-name":"x-frame-options","type":"http","host":"host%d.example.gov.vn","port":"443","scheme":"https","url":"https://host%d.example.gov.vn","matched-at":"https://host%d.example.gov.vn/","request":"GET / HTTP/1.1\r\nHost: host%d.example.gov.vn\r\nUser-Agent: Mozilla/5.0\r\nConnection: close\r\n\r\n","response":"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: nginx\r\n\r\n<html>ok</html>","ip":"10.%d.%d.%d","timestamp":"2024-03-05T09:12:41.123456789+07:00","curl-command":"curl -X 'GET' -H 'Host: host%d.example.gov.vn' 'https://host%d.example.gov.vn/'","matcher-status":true}`+"\n",
			i, i, i, i, i>>16&255, i>>8&255, i&255, i, i)
	}
	return buf.Bytes()
}

// BenchmarkParseNuclei parses 100,000 lines of Nuclei JSONL, mapping included.
func BenchmarkParseNuclei(b *testing.B) {
	const lines = 100_000
	data := nucleiLines(lines)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		n := 0
		err := parseNuclei(context.Background(), bytes.NewReader(data), Handler{
			Finding: func(Observation) error { n++; return nil },
			Reached: func(Host) error { return nil },
		})
		if err != nil || n != lines {
			b.Fatalf("%d findings, %v", n, err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/time.Since(start).Seconds(), "lines/s")
}

// BenchmarkNucleiDecode compares, side by side, decoding one line with the
// lexer and with encoding/json.
func BenchmarkNucleiDecode(b *testing.B) {
	line := bytes.TrimSpace(nucleiLines(1))
	b.Run("lexer", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		l := &lexer{}
		for b.Loop() {
			var res nucleiResult
			*l = lexer{b: line, path: l.path[:0], buf: l.buf}
			if err := res.read(l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		for b.Loop() {
			var res nucleiResult
			if err := json.Unmarshal(line, &res); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// nucleiKeys are the keys the lexer reads, for the differential test.
var nucleiKeys = []string{"template-id", "templateID", "info", "matcher-name", "extractor-name", "type", "host", "port", "scheme", "url",
	"matched-at", "matched", "extracted-results", "request", "response", "ip", "timestamp", "curl-command", "matcher-status",
	"name", "severity", "description", "remediation", "reference", "tags", "classification", "cve-id", "cwe-id", "cvss-metrics", "cvss-score"}

// caseVariantKeys reports whether data has a key that encoding/json would
// match to one of the lexer's without being it ("Host" for "host").
func caseVariantKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		if k, ok := t.(string); ok {
			for _, known := range nucleiKeys {
				if k != known && strings.EqualFold(k, known) {
					return true
				}
			}
		}
	}
}

// FuzzNucleiLexer checks the lexer against encoding/json: same result for
// every line both accept, an error from both for the others.
func FuzzNucleiLexer(f *testing.F) {
	for _, name := range []string{"nuclei-v3.jsonl", "nuclei-v2.jsonl"} {
		for line := range bytes.Lines(readTestdata(f, name)) {
			f.Add(bytes.TrimSpace(line))
		}
	}
	f.Add([]byte(`{"info":{"tags":"a,b","classification":null},"port":"08","host":"\u00e9\ud83d\ude00\"x","matcher-status":false}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if caseVariantKeys(line) {
			return
		}
		var want nucleiResult
		wantErr := json.Unmarshal(line, &want)
		var got nucleiResult
		l := &lexer{b: line}
		gotErr := got.read(l)
		if gotErr == nil {
			gotErr = l.end()
		}
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("lexer error %v, encoding/json error %v", gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("lexer read\n%+v\nencoding/json\n%+v", got, want)
		}
	})
}

// A cancelled context stops a long parse.
func TestParseNucleiCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := parseNuclei(ctx, bytes.NewReader(nucleiLines(2000)), Handler{
		Finding: func(Observation) error {
			if n++; n == 10 {
				cancel()
			}
			return nil
		},
		Reached: func(Host) error { return nil },
	})
	if !errors.Is(err, context.Canceled) || n >= 2000 {
		t.Errorf("%v after %d findings, want context.Canceled before the end", err, n)
	}
}
