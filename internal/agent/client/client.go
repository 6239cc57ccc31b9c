// Package client is the agent's side of its conversation with the server:
// JSON requests with the agent's token over HTTPS (the agent only ever
// connects out, so it runs behind NAT and outbound-only firewalls), and the
// loop that `khien agent` runs, sending heartbeats and doing work each
// interval, backing off while the server cannot be reached.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/khien/khien/internal/agent"
)

// Client calls the server's agent API with one agent's token.
type Client struct {
	server string
	token  string
	http   *http.Client
	// UserAgent names the agent's build in requests ("khien-agent/1.4.0").
	UserAgent string
}

// New returns a client of server ("https://khien.example.gov.vn") with the
// agent's token; a nil httpClient is one with a 30-second timeout.
func New(server, token string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{server: strings.TrimRight(server, "/"), token: token, http: httpClient, UserAgent: "khien-agent"}
}

// StatusError is an answer of the server that is not a success, with the
// code and message of its error envelope.
type StatusError struct {
	Status  int
	Code    string
	Message string
}

func (e *StatusError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("server answered %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("server answered %d", e.Status)
}

// IsUnauthorized reports whether err is the server refusing the token
// (unknown or revoked): retrying cannot help.
func IsUnauthorized(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == http.StatusUnauthorized
}

// maxAnswer bounds what the client reads of one answer.
const maxAnswer = 32 << 20

// Do sends method to path ("/api/v1/agent/heartbeat") with body as JSON
// (nil: none) and decodes the answer into out (nil: discarded). An answer
// that is not 2xx is a *StatusError.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{Status: resp.StatusCode}
		var envelope struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &envelope) == nil {
			se.Code, se.Message = envelope.Error.Code, envelope.Error.Message
		}
		return se
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
	}
	return nil
}

// Hello is the server's answer to a heartbeat: who it takes the agent for.
type Hello struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	ServerTime time.Time `json:"server_time"`
}

// Heartbeat tells the server the agent is alive.
func (c *Client) Heartbeat(ctx context.Context, hb agent.HeartbeatInfo) error {
	_, err := c.Hello(ctx, hb)
	return err
}

// Hello is Heartbeat with the server's answer.
func (c *Client) Hello(ctx context.Context, hb agent.HeartbeatInfo) (Hello, error) {
	var h Hello
	err := c.Do(ctx, http.MethodPost, "/api/v1/agent/heartbeat", hb, &h)
	return h, err
}

// Loop is what `khien agent` runs: a heartbeat, then Work, every Interval.
type Loop struct {
	Client   *Client
	Interval time.Duration // agent.DefaultInterval when 0
	// MaxBackoff caps the wait after failures (DefaultMaxBackoff when 0).
	MaxBackoff time.Duration
	Info       agent.HeartbeatInfo
	// Work, when set, runs after each heartbeat that succeeded (claiming
	// and running scans); its error counts as a failure for the back-off.
	Work func(ctx context.Context, c *Client) error
	Log  *slog.Logger
}

// DefaultMaxBackoff is the longest wait between attempts while failing.
const DefaultMaxBackoff = 5 * time.Minute

// Run loops until ctx ends (nil: a clean stop, SIGINT) or the server
// refuses the token (the agent was revoked: its error). Other failures are
// logged and retried after Backoff.
func (l Loop) Run(ctx context.Context) error {
	interval, maxWait := l.Interval, l.MaxBackoff
	if interval <= 0 {
		interval = agent.DefaultInterval
	}
	if maxWait <= 0 {
		maxWait = DefaultMaxBackoff
	}
	log := l.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	failures := 0
	for {
		err := l.once(ctx, log)
		switch {
		case ctx.Err() != nil:
			return nil
		case IsUnauthorized(err):
			return err
		case err != nil:
			failures++
			log.WarnContext(ctx, "agent: server unreachable or failing, retrying", "err", err, "failures", failures)
		default:
			if failures > 0 {
				log.InfoContext(ctx, "agent: server reachable again", "after_failures", failures)
			}
			failures = 0
		}
		t := time.NewTimer(Backoff(interval, maxWait, failures))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

func (l Loop) once(ctx context.Context, log *slog.Logger) error {
	h, err := l.Client.Hello(ctx, l.Info)
	if err != nil {
		return err
	}
	log.DebugContext(ctx, "agent: heartbeat", "agent", h.Name)
	if l.Work == nil {
		return nil
	}
	return l.Work(ctx, l.Client)
}

// Backoff is the wait before the next attempt: the interval while all is
// well, then doubling with each failure in a row, never above max.
func Backoff(interval, max time.Duration, failures int) time.Duration {
	wait := interval
	for i := 0; i < failures && wait < max; i++ {
		wait *= 2
	}
	return min(wait, max)
}
