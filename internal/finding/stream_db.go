package finding

import (
	"context"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/storage"
)

// Stream brings in a scan's findings while it runs, as the scanner finds
// them, rather than from a file at its end: Add writes each batch in one
// transaction, HostDone verifies what a host no longer shows once the scan
// has been over all of it, and Close audits the whole. A scan that stops part
// way and runs again re-adds what it had found (matched by fingerprint, so
// nothing doubles) and skips the hosts it had finished.
type Stream struct {
	im *importer
}

// OpenStream continues the stream of a scan that began at since (the
// server's clock): findings go into req's system (or into the systems of
// the organisation's assets they match). Each request of a remote runner
// may open its own: what a host showed is told by the findings' last
// sighting, not by what one process remembers.
func OpenStream(ctx context.Context, db *storage.Store, actor access.Actor, req ImportRequest, since time.Time, vulns Enricher) (*Stream, error) {
	if vulns == nil {
		vulns = noEnrichment{}
	}
	im := &importer{db: db, actor: actor, req: req, vulns: vulns, now: db.Now(), sum: Summary{Format: "khien", Skips: []Skip{}},
		seen: map[[16]byte]struct{}{}, reached: map[string]struct{}{}, tools: map[string]struct{}{}, hunts: map[int64]int64{}, since: since.UTC().Truncate(time.Microsecond)}
	var err error
	if im.scope, err = loadScope(ctx, db, actor, req); err != nil {
		return nil, err
	}
	if im.policy, err = LoadPolicy(ctx, db); err != nil {
		return nil, err
	}
	return &Stream{im: im}, nil
}

// Add writes observations. An observation that does not read as a finding
// is skipped with its reason in the summary, never half-written.
func (s *Stream) Add(ctx context.Context, obs []source.Observation) error {
	for _, o := range obs {
		s.im.record++
		s.im.sum.Read++
		o.SeenAt = time.Time{} // the server's clock, not the runner's: HostDone compares with since
		f, err := FromObservation(o, s.im.vulns)
		if err != nil {
			s.im.sum.skip(s.im.record, o.Host, err.Error())
			continue
		}
		s.im.take(f, o.SeenAt)
	}
	return s.im.flush(ctx)
}

// HostDone verifies the findings Khiên's scanner had reported on hosts (the
// addresses and names of one host scanned to the end) that it has not seen
// since the scan began.
func (s *Stream) HostDone(ctx context.Context, hosts []string) error {
	im := s.im
	im.reached = map[string]struct{}{}
	for _, h := range hosts {
		if h = normaliseHost(h); h != "" {
			im.reached[h] = struct{}{}
		}
	}
	im.tools = map[string]struct{}{"khien": {}} // a host with nothing found still clears what was fixed
	return im.db.InTx(ctx, func(tx *storage.Tx) error { return im.verifyIn(ctx, tx) })
}

// Close audits the stream and gives its summary.
func (s *Stream) Close(ctx context.Context) (Summary, error) {
	s.im.reached = map[string]struct{}{}
	s.im.hostless = false
	return s.im.sum, s.im.finish(ctx)
}

// Summary is what the stream has done so far.
func (s *Stream) Summary() Summary { return s.im.sum }

// Now is the time the stream records findings at.
func (s *Stream) Now() time.Time { return s.im.now }
