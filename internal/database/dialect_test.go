package database

import "testing"

func TestPostgresRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"name = '?' AND id = ?", "name = '?' AND id = $1"},
		{"x IN (?, ?, ?)", "x IN ($1, $2, $3)"},
	}
	for _, tt := range tests {
		if got := (postgresDialect{}).Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := redact("postgres://u:secret@h/db"); got != "postgres://u:***@h/db" {
		t.Fatalf("got %q", got)
	}
	if got := redact("postgres://h/db"); got != "postgres://h/db" {
		t.Fatalf("got %q", got)
	}
}
