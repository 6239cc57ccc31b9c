package finding

import (
	"slices"

	"github.com/khien/khien/internal/access"
)

// Moves lists the statuses a person of role may move a finding in status
// from to, in lifecycle order: what a finding page offers. CheckMove still
// judges the move's note, approver and expiry.
func Moves(from Status, role access.Role) []Status {
	var out []Status
	for _, to := range Statuses {
		t, ok := transitions[to]
		if ok && slices.Contains(t.from, from) && slices.Contains(t.roles, role) {
			out = append(out, to)
		}
	}
	return out
}
