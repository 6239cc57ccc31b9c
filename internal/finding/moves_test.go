package finding

import (
	"slices"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
)

func TestMoves(t *testing.T) {
	tests := []struct {
		from Status
		role access.Role
		want []Status
	}{
		{New, access.AgencyOperator, []Status{Confirmed, InRemediation, Fixed}},
		{New, access.Coordinator, []Status{Confirmed, InRemediation, Fixed, FalsePositive, RiskAccepted}},
		{New, access.AgencyAdmin, []Status{Confirmed, InRemediation, Fixed, RiskAccepted}},
		{Fixed, access.AgencyOperator, []Status{InRemediation}},
		{Fixed, access.Auditor, []Status{InRemediation, Verified, Closed, FalsePositive}},
		{Verified, access.AgencyOperator, nil},
		{Verified, access.AgencyAdmin, []Status{Reopened}},
		{Closed, access.Viewer, nil},
		{New, access.Responder, nil},
	}
	for _, tt := range tests {
		if got := Moves(tt.from, tt.role); !slices.Equal(got, tt.want) {
			t.Errorf("Moves(%s, %s) = %v, want %v", tt.from, tt.role, got, tt.want)
		}
	}
}

// TestMovesAgreeWithCheckMove: every move offered is one CheckMove allows
// the role (given a note and the acceptance fields), and no other is.
func TestMovesAgreeWithCheckMove(t *testing.T) {
	today := time.Date(2026, 3, 1, 0, 0, 0, 0, zone)
	for _, from := range Statuses {
		for _, role := range access.Roles {
			offered := Moves(from, role)
			for _, to := range Statuses {
				m := Move{To: to, Note: "ghi chú", Approver: "Giám đốc", Until: "2026-06-01"}
				allowed := CheckMove(from, role, m, today) == nil
				if allowed != slices.Contains(offered, to) {
					t.Errorf("%s → %s as %s: CheckMove allows=%v, Moves offers=%v", from, to, role, allowed, !allowed)
				}
			}
		}
	}
}
