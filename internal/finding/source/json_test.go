package source

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parsed is what a parser handed to its handler.
type parsed struct {
	obs     []Observation
	reached []Host
}

func parseBytes(format string, data []byte) (parsed, error) {
	var p parsed
	_, err := Parse(context.Background(), bytes.NewReader(data), format, Handler{
		Finding: func(o Observation) error { p.obs = append(p.obs, o); return nil },
		Reached: func(h Host) error { p.reached = append(p.reached, h); return nil },
	})
	return p, err
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// parseTestdata detects the format of a sample, checks it is want, and
// parses it.
func parseTestdata(t *testing.T, name, want string) parsed {
	t.Helper()
	data := readTestdata(t, name)
	f, _, err := Detect(bytes.NewReader(data))
	if err != nil || f.Name != want {
		t.Fatalf("%s detected as %q (%v), want %s", name, f.Name, err, want)
	}
	p, err := parseBytes(want, data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// seedTestdata adds the samples whose names match to a fuzz corpus.
func seedTestdata(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		names, _ := filepath.Glob(filepath.Join("testdata", pat))
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// fuzzParse parses data and checks what any parser promises: no panic,
// observations within the limits, and errors that are ParseErrors.
func fuzzParse(t *testing.T, format string, data []byte) {
	p, err := parseBytes(format, data)
	var pe *ParseError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	for _, o := range p.obs {
		if o.Severity.Rank() < 0 || o.Tool == "" {
			t.Fatalf("observation with severity %q tool %q", o.Severity, o.Tool)
		}
		if len(o.Evidence) > MaxExcerpt || len(o.Request) > MaxExcerpt || len(o.Response) > MaxExcerpt || len(o.CVEs) > maxListSize || len(o.Description) > MaxText {
			t.Fatalf("observation over the limits: %d evidence bytes, %d CVEs", len(o.Evidence), len(o.CVEs))
		}
		for _, c := range o.CVEs {
			if c != strings.ToUpper(c) {
				t.Fatalf("CVE %q not upper-case", c)
			}
		}
	}
}

// wantParseError checks err is a *ParseError whose message holds each of
// places.
func wantParseError(t *testing.T, err error, places ...string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *ParseError", err, err)
	}
	for _, p := range places {
		if !strings.Contains(pe.Error(), p) {
			t.Errorf("error %q lacks %q", pe.Error(), p)
		}
	}
}
