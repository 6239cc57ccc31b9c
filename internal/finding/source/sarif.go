package source

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scan/check"
)

// SARIF 2.1.0, from any tool (CodeQL, Semgrep, gosec, Bandit, ESLint,
// Khiên…). Runs and results are streamed: the rules of a run are kept (they
// are few), each result is decoded, mapped and handed on alone.
//
// Rules normally come before results (tool before results in each run). When
// a run lists its results first (a file rewritten with sorted keys), they
// are kept until the tool is read, up to maxPendingResults bytes of them;
// beyond that the file is refused with an error saying why, rather than
// imported with the severities and titles of the rules missing.

var sarifFormat = Format{Name: "sarif", Detect: detectSARIF, Parse: parseSARIF}

// Bounds on what a run keeps besides the result being read.
const (
	maxPendingResults = 32 << 20 // results read before the rules
	maxRules          = 64 << 20 // the rules of one run
)

func detectSARIF(head []byte) bool {
	h, ok := sniffJSON(head)
	return ok && !h.array && h.keys["runs"] && (h.keys["version"] || h.keys["$schema"] || h.keys["runs.tool"] || h.keys["runs.results"])
}

type sarifText struct {
	Text      string   `json:"text"`
	Markdown  string   `json:"markdown"`
	Arguments []string `json:"arguments"`
}

type sarifRule struct {
	ID                   string    `json:"id"`
	Name                 string    `json:"name"`
	ShortDescription     sarifText `json:"shortDescription"`
	FullDescription      sarifText `json:"fullDescription"`
	Help                 sarifText `json:"help"`
	HelpURI              string    `json:"helpUri"`
	DefaultConfiguration struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
	Properties struct {
		Tags             []string  `json:"tags"`
		SecuritySeverity flexFloat `json:"security-severity"`
		ProblemSeverity  string    `json:"problem.severity"`
	} `json:"properties"`
	Relationships []struct {
		Target struct {
			ID            string `json:"id"`
			ToolComponent struct {
				Name string `json:"name"`
			} `json:"toolComponent"`
		} `json:"target"`
	} `json:"relationships"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex *int   `json:"ruleIndex"`
	Rule      *struct {
		ID            string `json:"id"`
		Index         *int   `json:"index"`
		ToolComponent *struct {
			Index *int `json:"index"`
		} `json:"toolComponent"`
	} `json:"rule"`
	Kind      string    `json:"kind"`
	Level     string    `json:"level"`
	Message   sarifText `json:"message"`
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
				Snippet   struct {
					Text string `json:"text"`
				} `json:"snippet"`
			} `json:"region"`
		} `json:"physicalLocation"`
	} `json:"locations"`
	Suppressions []struct {
		Status string `json:"status"`
	} `json:"suppressions"`
	BaselineState string          `json:"baselineState"`
	Properties    json.RawMessage `json:"properties"`
}

// sarifComponent is the driver or an extension of a run's tool.
type sarifComponent struct {
	rules []sarifRule
	byID  map[string]int
}

// sarifRun is what a run keeps while its results are read.
type sarifRun struct {
	d          *jsonDoc
	h          Handler
	tool       string // the Observation's Tool
	khien      bool
	toolRead   bool
	driver     sarifComponent
	extensions []sarifComponent
	ruleBytes  int64
	pending    []sarifResult
	pendingAt  []string // the path of each pending result, for errors
	pendBytes  int64
}

func parseSARIF(ctx context.Context, r io.Reader, h Handler) error {
	d := newJSONDoc(ctx, r, "sarif")
	err := d.object(func(key string) error {
		if key != "runs" {
			return d.skip()
		}
		return d.array(func() error {
			run := &sarifRun{d: d, h: h, tool: "sarif"}
			if err := d.object(run.field); err != nil {
				return err
			}
			return run.flush()
		})
	})
	if err != nil {
		return err
	}
	return d.end()
}

func (run *sarifRun) field(key string) error {
	d := run.d
	switch key {
	case "tool":
		err := d.object(func(key string) error {
			switch key {
			case "driver":
				return run.component(&run.driver, true)
			case "extensions":
				return d.array(func() error {
					run.extensions = append(run.extensions, sarifComponent{})
					return run.component(&run.extensions[len(run.extensions)-1], false)
				})
			}
			return d.skip()
		})
		if err != nil {
			return err
		}
		run.toolRead = true
		return run.flush()
	case "results":
		return d.array(func() error {
			var res sarifResult
			if err := d.decode(&res); err != nil {
				return err
			}
			if run.toolRead {
				return run.emit(&res, "")
			}
			run.pendBytes += d.dec.InputOffset() - d.start
			if run.pendBytes > maxPendingResults {
				return d.failf("the results come before tool.driver and are more than %d MiB: write the tool first", maxPendingResults>>20)
			}
			run.pending = append(run.pending, res)
			run.pendingAt = append(run.pendingAt, d.where())
			return nil
		})
	}
	return d.skip()
}

// component reads a tool component's name (the driver's) and rules.
func (run *sarifRun) component(c *sarifComponent, driver bool) error {
	d := run.d
	c.byID = map[string]int{}
	return d.object(func(key string) error {
		switch {
		case key == "name" && driver:
			var name string
			if err := d.decode(&name); err != nil {
				return err
			}
			folded := i18n.Fold(name)
			run.khien = folded == "khien" || strings.HasPrefix(folded, "khien ")
			run.tool = "sarif:" + strings.ToLower(strings.TrimSpace(name))
			if run.khien {
				run.tool = "khien"
			}
			return nil
		case key == "rules":
			return d.array(func() error {
				var rule sarifRule
				if err := d.decode(&rule); err != nil {
					return err
				}
				if run.ruleBytes += d.dec.InputOffset() - d.start; run.ruleBytes > maxRules {
					return d.failf("the rules of the run are more than %d MiB", maxRules>>20)
				}
				rule.FullDescription.Text = text(rule.FullDescription.Text)
				rule.Help.Text, rule.Help.Markdown = text(rule.Help.Text), text(rule.Help.Markdown)
				if _, dup := c.byID[rule.ID]; !dup {
					c.byID[rule.ID] = len(c.rules)
				}
				c.rules = append(c.rules, rule)
				return nil
			})
		}
		return d.skip()
	})
}

// flush maps the results kept while the rules were not known.
func (run *sarifRun) flush() error {
	for i := range run.pending {
		if err := run.emit(&run.pending[i], run.pendingAt[i]); err != nil {
			return err
		}
	}
	run.pending, run.pendingAt, run.pendBytes = nil, nil, 0
	return nil
}

// emit maps a result and hands it on; at is its path when it was kept.
func (run *sarifRun) emit(res *sarifResult, at string) error {
	o, ok, err := run.observation(res)
	if err != nil {
		path, base := at, int64(0)
		if at == "" {
			path, base = run.d.where(), run.d.start
		}
		if pe := jsonError(run.d.format, base, path, err); pe != nil {
			return pe
		}
		return err
	}
	if !ok {
		return nil
	}
	return run.h.Finding(o)
}

// rule finds the rule of a result: by index in its component, else by id.
func (run *sarifRun) rule(res *sarifResult) (string, *sarifRule) {
	c := &run.driver
	id, index := res.RuleID, res.RuleIndex
	if res.Rule != nil {
		id = firstOf(id, res.Rule.ID)
		if index == nil {
			index = res.Rule.Index
		}
		if tc := res.Rule.ToolComponent; tc != nil && tc.Index != nil && *tc.Index >= 0 && *tc.Index < len(run.extensions) {
			c = &run.extensions[*tc.Index]
		}
	}
	if index != nil && *index >= 0 && *index < len(c.rules) {
		return firstOf(id, c.rules[*index].ID), &c.rules[*index]
	}
	if i, ok := run.driver.byID[id]; ok {
		return id, &run.driver.rules[i]
	}
	for k := range run.extensions {
		if i, ok := run.extensions[k].byID[id]; ok {
			return id, &run.extensions[k].rules[i]
		}
	}
	return id, nil
}

// sarifLevels maps result levels, and CodeQL's problem.severity, to severities.
var sarifLevels = map[string]check.Severity{
	"error": check.High, "warning": check.Medium, "note": check.Low, "none": check.Info, "recommendation": check.Low,
}

// observation maps a result; false when it is not a finding (a pass, a
// suppressed result, one gone since the baseline).
func (run *sarifRun) observation(res *sarifResult) (Observation, bool, error) {
	switch res.Kind {
	case "pass", "notApplicable":
		return Observation{}, false, nil
	}
	if res.BaselineState == "absent" {
		return Observation{}, false, nil
	}
	for _, s := range res.Suppressions {
		if s.Status == "" || s.Status == "accepted" {
			return Observation{}, false, nil
		}
	}
	if run.khien && len(res.Properties) > 0 {
		var f check.Finding
		if err := json.Unmarshal(res.Properties, &f); err != nil {
			return Observation{}, false, badField("properties", khienTimeError(err))
		}
		if f.CheckID != "" {
			o, err := khienObservation(&f)
			return o, err == nil, err
		}
	}
	id, rule := run.rule(res)
	if rule == nil {
		rule = &sarifRule{}
	}
	o := Observation{
		Tool:        run.tool,
		RuleID:      id,
		Title:       firstOf(rule.ShortDescription.Text, rule.Name, id),
		Description: text(firstOf(rule.FullDescription.Text, rule.FullDescription.Markdown)),
		Remediation: text(firstOf(rule.Help.Text, rule.Help.Markdown)),
		References:  itemList(rule.HelpURI),
		Tags:        itemList(rule.Properties.Tags...),
		CVEs:        cveList(append([]string{id}, rule.Properties.Tags...)...),
	}
	if score := float64(rule.Properties.SecuritySeverity); score > 0 {
		o.Severity, o.Score = check.SeverityFromScore(score), score
	} else {
		level := firstOf(res.Level, rule.DefaultConfiguration.Level, rule.Properties.ProblemSeverity, "warning")
		var ok bool
		if o.Severity, ok = sarifLevels[level]; !ok {
			return Observation{}, false, badField("level", fmt.Errorf("unknown level %q (want error, warning, note or none)", Excerpt(level)))
		}
	}
	for _, t := range rule.Properties.Tags {
		if strings.Contains(strings.ToLower(t), "cwe") {
			if o.CWE = cweID(t); o.CWE != "" {
				break
			}
		}
	}
	for _, rel := range rule.Relationships {
		if o.CWE == "" && strings.EqualFold(rel.Target.ToolComponent.Name, "cwe") {
			o.CWE = cweID(rel.Target.ID)
		}
	}
	msg := res.Message.Text
	for i, a := range res.Message.Arguments {
		msg = strings.ReplaceAll(msg, "{"+strconv.Itoa(i)+"}", a)
	}
	evidence := []string{msg}
	if len(res.Locations) > 0 {
		pl := res.Locations[0].PhysicalLocation
		o.Location = pl.ArtifactLocation.URI
		if pl.Region.StartLine > 0 {
			o.Location += ":" + strconv.Itoa(pl.Region.StartLine)
		}
		o.Location = check.Truncate(o.Location, maxItem)
		evidence = append(evidence, pl.Region.Snippet.Text)
	}
	o.Evidence = Excerpt(strings.TrimSpace(strings.Join(evidence, "\n")))
	return o, true, nil
}
