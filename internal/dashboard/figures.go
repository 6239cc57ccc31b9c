package dashboard

import (
	"fmt"
	"slices"

	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/chart"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
)

// A Figure is one chart of a dashboard with its kind, ready to draw as SVG
// for a page or PNG for a report.
type Figure struct {
	Key  string // severity, trend, mttr, coverage, campaigns, levels
	Kind string // bar, stacked or line
	chart.Data
}

// Draw draws the figure.
func (f Figure) Draw(format chart.Format) ([]byte, error) {
	switch f.Kind {
	case "stacked":
		return chart.StackedBar(f.Data, format)
	case "line":
		return chart.Line(f.Data, format)
	}
	return chart.Bar(f.Data, format)
}

// StatusGroups are the series of the severity chart: what still needs work,
// what is remediated, and what was set aside (false positive, risk accepted).
var StatusGroups = []string{"open", "resolved", "set_aside"}

// group is the StatusGroups entry of a status.
func group(s finding.Status) string {
	switch {
	case s.Open():
		return "open"
	case slices.Contains(Resolved, s):
		return "resolved"
	}
	return "set_aside"
}

// Figures are the dashboard's charts with their labels in lang. Figures
// with nothing to show (no campaign, no systems) are left out.
func (d Dashboard) Figures(lang string) []Figure {
	sevs := make([]string, len(Severities))
	for i, s := range Severities {
		sevs[i] = i18n.T(lang, "finding.severity."+string(s))
	}
	var figs []Figure

	bySev := make([]chart.Series, len(StatusGroups))
	for i, g := range StatusGroups {
		bySev[i] = chart.Series{Name: i18n.T(lang, "dashboard.group."+g), Values: make([]float64, len(Severities))}
	}
	for i, row := range d.Severities {
		for st, n := range row.ByStatus {
			for j, g := range StatusGroups {
				if g == group(st) {
					bySev[j].Values[i] += float64(n)
				}
			}
		}
	}
	figs = append(figs, Figure{Key: "severity", Kind: "stacked", Data: chart.Data{Title: i18n.T(lang, "dashboard.severity.title"), Categories: sevs, Series: bySev}})

	months := make([]string, len(d.Trend))
	found := chart.Series{Name: i18n.T(lang, "dashboard.trend.found"), Values: make([]float64, len(d.Trend))}
	resolved := chart.Series{Name: i18n.T(lang, "dashboard.trend.resolved"), Values: make([]float64, len(d.Trend))}
	for i, m := range d.Trend {
		months[i] = monthShort(m.Month)
		found.Values[i], resolved.Values[i] = float64(m.Found), float64(m.Resolved)
	}
	figs = append(figs, Figure{Key: "trend", Kind: "line", Data: chart.Data{Title: i18n.T(lang, "dashboard.trend.title"), Categories: months, Series: []chart.Series{found, resolved}}})

	mttr := chart.Series{Name: i18n.T(lang, "dashboard.mttr.days"), Values: make([]float64, len(d.MTTR))}
	for i, m := range d.MTTR {
		mttr.Values[i] = m.MeanDays
	}
	figs = append(figs, Figure{Key: "mttr", Kind: "bar", Data: chart.Data{Title: i18n.T(lang, "dashboard.mttr.title"), Categories: sevs, Series: []chart.Series{mttr}}})

	if d.Coverage.Systems > 0 {
		cats := []string{i18n.T(lang, "dashboard.coverage.systems")}
		vals := []float64{float64(d.Coverage.Systems)}
		for _, w := range d.Coverage.Windows {
			cats = append(cats, i18n.T(lang, "dashboard.coverage.window", w.Months))
			vals = append(vals, float64(w.Scanned))
		}
		figs = append(figs, Figure{Key: "coverage", Kind: "bar", Data: chart.Data{Title: i18n.T(lang, "dashboard.coverage.title"), Categories: cats,
			Series: []chart.Series{{Name: i18n.T(lang, "dashboard.coverage.count"), Values: vals}}}})
	}

	if len(d.Campaigns) > 0 {
		cats := make([]string, len(d.Campaigns))
		series := make([]chart.Series, len(campaign.ObligationStatuses))
		for j, st := range campaign.ObligationStatuses {
			series[j] = chart.Series{Name: i18n.T(lang, "campaign.ob."+st), Values: make([]float64, len(d.Campaigns))}
		}
		for i, c := range d.Campaigns {
			cats[i] = c.Title
			for j, st := range campaign.ObligationStatuses {
				series[j].Values[i] = float64(c.ByStatus[campaign.ObligationStatus(st)])
			}
		}
		figs = append(figs, Figure{Key: "campaigns", Kind: "stacked", Data: chart.Data{Title: i18n.T(lang, "dashboard.campaigns.title"), Categories: cats, Series: series}})
	}

	if len(d.Levels) > 0 {
		cats := make([]string, len(d.Levels))
		vals := make([]float64, len(d.Levels))
		for i, l := range d.Levels {
			cats[i] = i18n.T(lang, fmt.Sprintf("inv.level.%d", l.Level))
			vals[i] = float64(l.Systems)
		}
		figs = append(figs, Figure{Key: "levels", Kind: "bar", Data: chart.Data{Title: i18n.T(lang, "dashboard.levels.title"), Categories: cats,
			Series: []chart.Series{{Name: i18n.T(lang, "dashboard.levels.systems"), Values: vals}}}})
	}
	return figs
}

// monthShort is "07/2026" for "2026-07", as Vietnamese dates are written.
func monthShort(month string) string {
	if len(month) != 7 {
		return month
	}
	return month[5:] + "/" + month[:4]
}
