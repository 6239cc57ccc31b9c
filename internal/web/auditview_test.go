package web

import (
	"reflect"
	"testing"

	"github.com/khien/khien/internal/audit"
)

func TestAuditChanges(t *testing.T) {
	tests := []struct {
		name    string
		details audit.Details
		want    []fieldChange
	}{
		{"no details", "", nil},
		{"not JSON", "login from a new address", nil},
		{"other shape", `{"new":{"method":"totp"}}`, []fieldChange{{"method", "", "totp"}}},
		{"update keeps only what changed", `{"old":{"name":"Sở A","level":2,"updated_at":"x"},"new":{"name":"Sở B","level":2,"updated_at":"y"}}`,
			[]fieldChange{{"name", "Sở A", "Sở B"}}},
		{"creation lists the set fields", `{"new":{"code":"SYT","parent_id":1,"archived":false,"tags":[]}}`,
			[]fieldChange{{"code", "", "SYT"}, {"parent_id", "", "1"}}},
		{"nested values are compact", `{"old":{"counts":{"a": 1}},"new":{"counts":{"a": 2}}}`,
			[]fieldChange{{"counts", `{"a":1}`, `{"a":2}`}}},
	}
	for _, tt := range tests {
		if got := auditChanges(tt.details); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
