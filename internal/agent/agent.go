// Package agent is the identity of scan agents: `khien agent` processes that
// run inside agency networks and pull work from the server over HTTPS. The
// coordinator registers an agent (its token is shown once; only its SHA-256
// is kept), sees its heartbeats, revokes it, and pins systems to it so that
// an internal-only system is scanned from inside its network. What agents do
// (claiming scans, sending results) is internal/scanning's; this package is
// who they are.
package agent

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/validation"
)

// TokenPrefix starts every agent token. It differs from user tokens'
// ("khien_"), so neither kind is ever mistaken for the other.
const TokenPrefix = "khag_"

// OnlineWithin is how recent a heartbeat must be for an agent to be online:
// four missed heartbeats at the default interval.
const OnlineWithin = 2 * time.Minute

// DefaultInterval is how often `khien agent` sends a heartbeat by default.
const DefaultInterval = 30 * time.Second

// Statuses of an agent (StatusOf).
const (
	StatusOnline  = "online"
	StatusOffline = "offline"
	StatusNever   = "never" // registered, no heartbeat yet
	StatusRevoked = "revoked"
)

// Statuses lists them, for the API's enumeration.
var Statuses = []string{StatusOnline, StatusOffline, StatusNever, StatusRevoked}

// Agent is a registered agent.
type Agent struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// TokenPrefix is the start of the token, to tell tokens apart.
	TokenPrefix     string     `json:"token_prefix"`
	EnrolledAt      *time.Time `json:"enrolled_at,omitempty"`
	LastHeartbeatAt *time.Time `json:"last_heartbeat_at,omitempty"`
	Version         string     `json:"version"`
	Hostname        string     `json:"hostname"`
	// Address is where the last heartbeat came from, as the server saw it.
	Address   string     `json:"address"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	// Status is StatusOf at the time of reading.
	Status string `json:"status"`
	// Systems are the ids of the systems pinned to the agent.
	Systems []int64 `json:"system_ids"`
}

// HeartbeatInfo is what an agent says about itself with each heartbeat.
type HeartbeatInfo struct {
	Version  string `json:"version"`
	Hostname string `json:"hostname"`
	// Address is set by the server from the request, never by the agent.
	Address string `json:"-"`
}

// StatusOf is the agent's status at now: revoked, never seen, online (a
// heartbeat within OnlineWithin) or offline.
func StatusOf(a Agent, now time.Time) string {
	switch {
	case a.RevokedAt != nil:
		return StatusRevoked
	case a.LastHeartbeatAt == nil:
		return StatusNever
	case now.Sub(*a.LastHeartbeatAt) <= OnlineWithin:
		return StatusOnline
	}
	return StatusOffline
}

// NewToken returns a new agent token and its hash (what is stored) and
// display prefix, in the house style of internal/auth's user tokens.
func NewToken() (secret, hash, prefix string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), secret[:len(TokenPrefix)+6]
}

// HashToken is the stored form of a token: it is random, so SHA-256 is
// enough and lookups stay indexable.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// normaliseName trims an agent's name and checks it: 1 to 100 characters,
// no control characters.
func normaliseName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return name, validation.Invalid("name", "agent.err.name")
	}
	if _, bad := validation.ControlChar(name, false); bad {
		return name, validation.Invalid("name", "agent.err.name")
	}
	return name, nil
}

// clip keeps what an agent says about itself to a sane length.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	for utf8.RuneCountInString(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// manages reports whether the actor manages agents: they serve the whole
// province, so only the platform's administrators and the coordinator do.
func manages(a access.Actor) error {
	if a.Global() {
		return nil
	}
	return access.Denied(a.Role, access.Scan)
}

// Command is the command line that runs the agent against server with its
// token, for the coordinator to copy onto the agent's machine.
func Command(server, token string) string {
	return "khien agent --server " + quote(server) + " --token " + token
}

// quote puts s in single quotes for a POSIX shell when it needs them.
func quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
