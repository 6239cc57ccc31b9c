package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/storage"
)

// Metrics are the figures of the cases detected in a period: how many by
// category and by organisation, how many still open, and the mean times
// from detection to containment and to recovery over the cases that got there.
type Metrics struct {
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Cases         int       `json:"cases"`
	Open          int       `json:"open"`
	Serious       int       `json:"serious"`
	ByCategory    []Count   `json:"by_category"`
	ByOrg         []Count   `json:"by_org"`
	MeanToContain *float64  `json:"mean_hours_to_contain,omitempty"`
	MeanToRecover *float64  `json:"mean_hours_to_recover,omitempty"`
}

// Count is a number of cases under a key (a category code, an organisation code).
type Count struct {
	Key   string `json:"key"`
	Name  string `json:"name,omitempty"`
	Cases int    `json:"cases"`
}

// Summarise computes the metrics of cases (all detected in the period).
func Summarise(cases []Case, from, to time.Time) Metrics {
	m := Metrics{From: from, To: to, Cases: len(cases), ByCategory: []Count{}, ByOrg: []Count{}}
	cats, orgs := map[string]int{}, map[string]int{}
	names := map[string]string{}
	var contain, recover []time.Duration
	for _, c := range cases {
		cats[c.Category]++
		orgs[c.OrgCode]++
		names[c.OrgCode] = c.OrgName
		if c.Open() {
			m.Open++
		}
		if c.Serious {
			m.Serious++
		}
		d := c.Durations()
		if d.ToContain != nil {
			contain = append(contain, *d.ToContain)
		}
		if d.ToRecover != nil {
			recover = append(recover, *d.ToRecover)
		}
	}
	for _, cat := range Categories {
		if n := cats[cat]; n > 0 {
			m.ByCategory = append(m.ByCategory, Count{Key: cat, Cases: n})
		}
	}
	for code, n := range orgs {
		m.ByOrg = append(m.ByOrg, Count{Key: code, Name: names[code], Cases: n})
	}
	slices.SortFunc(m.ByOrg, func(a, b Count) int {
		if a.Cases != b.Cases {
			return b.Cases - a.Cases
		}
		return strings.Compare(a.Key, b.Key)
	})
	m.MeanToContain, m.MeanToRecover = meanHours(contain), meanHours(recover)
	return m
}

func meanHours(ds []time.Duration) *float64 {
	if len(ds) == 0 {
		return nil
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	h := sum.Hours() / float64(len(ds))
	return &h
}

// maxMetricCases bounds the cases one summary reads.
const maxMetricCases = 100_000

// ReadMetrics summarises the cases the actor sees detected in [from, to).
func ReadMetrics(ctx context.Context, q storage.Querier, actor access.Actor, from, to time.Time) (Metrics, error) {
	cond, args := Visible(actor)
	cases, err := storage.Collect[Case](q.Query(ctx, caseSelect+caseFrom+" WHERE c.detected_at >= ? AND c.detected_at < ? AND "+cond+
		fmt.Sprintf(" ORDER BY c.id LIMIT %d", maxMetricCases), append([]any{from.UTC(), to.UTC()}, args...)...))(scanCase)
	if err != nil {
		return Metrics{}, fmt.Errorf("incident metrics: %w", err)
	}
	return Summarise(cases, from, to), nil
}
