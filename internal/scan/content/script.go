package content

import (
	"context"
	_ "embed"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/dop251/goja"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/khien/khien/internal/scan/check"
)

// Bounds of one script run (one page, one visitor). A page that needs more
// is analysed as far as it got.
const (
	maxScripts     = 32        // scripts run per page, inline and loaded together
	maxScriptSize  = 256 << 10 // bytes of one script; larger ones are skipped
	maxWritten     = 256 << 10 // bytes of markup scripts may write in one run
	maxOps         = 4000      // DOM operations in one run
	maxDecoded     = 64        // decoder outputs kept for attributing writes
	maxDecodedSize = 16 << 10
	minDecoded     = 8
	runTime        = 500 * time.Millisecond // CPU time of one run, all its scripts
	heapGrowth     = 256 << 20              // heap growth that stops the runs in progress
	maxCallDepth   = 512
	maxRuns        = 2 // runs at the same time in the process
)

func init() {
	// goja hands regular expressions RE2 cannot run to regexp2, which
	// backtracks and checks no interrupt: a time limit per match keeps a
	// hostile pattern from hanging the scan. Only goja uses regexp2 here.
	regexp2.DefaultMatchTimeout = 100 * time.Millisecond
}

//go:embed dom.js
var domJS string

var domProgram = sync.OnceValue(func() *goja.Program { return goja.MustCompile("dom.js", domJS, true) })

// runSlots bounds the runs in progress, so that the heap watchdog sees
// mostly their growth and two cores are not swamped by one scan.
var runSlots = make(chan struct{}, maxRuns)

// Visitor is who a page's scripts believe is looking at it.
type Visitor struct {
	Who       string     // the finding's subject: "visitors", "Googlebot", "visitors from Google search"
	Seen      check.Text // how evidence names them, in the reader's language
	UserAgent string
	Referrer  string
}

// Script is one script of a page, with the name evidence gives it.
type Script struct {
	Name        string // "inline script 2", or the script's URL
	Code        string
	ContentType string // of a fetched script, as the site sent it
}

// Effect is one thing scripts did to the page.
type Effect struct {
	Kind   string // "html" (markup written into the page) or "redirect"
	Value  string // the markup, or where the visitor is sent
	How    string // document.write, innerHTML, appendChild, location.href, window.open…
	Script string // name of the script that did it
	// Decoding says how the value was hidden in the script: the decoders
	// whose output contains it (atob, String.fromCharCode, unescape, eval),
	// or "hex escapes" or "string concatenation" when it is not in the
	// source as written; "" when it is.
	Decoding string
}

// Origin describes where an effect came from, for evidence.
func (e Effect) Origin() check.Text {
	var script any = e.Script
	if n, ok := strings.CutPrefix(e.Script, "inline script "); ok {
		script = check.Evidencef("inline script %s", n)
	}
	if e.Decoding == "" {
		return check.Evidencef("%s via %s", script, e.How)
	}
	return check.Evidencef("%s via %s of %s", script, e.How, decodingText(e.Decoding))
}

// decodingText names a Decoding in the reader's language; the decoders'
// names are code and stay as they are.
func decodingText(d string) check.Text {
	switch d {
	case "hex escapes":
		return check.Evidencef("hex escapes")
	case "string concatenation":
		return check.Evidencef("string concatenation")
	}
	decoders := strings.Split(d, " and ")
	t := check.Evidencef("%s", decoders[0])
	for _, next := range decoders[1:] {
		t = check.Evidencef("%s and %s", t, next)
	}
	return t
}

// Run is the outcome of running a page's scripts for one visitor.
type Run struct {
	Effects []Effect
	Loaded  []string // URLs of scripts the page loaded or created, run or not
	Stopped string   // why the run was cut short ("" when it finished)
	Errors  []string // the first errors scripts threw, for the debug log
}

// maxErrors bounds the script errors a run keeps.
const maxErrors = 4

// Loader returns the code of an external script, or false when it is not
// fetched (another site, over the caps, an error).
type Loader func(ctx context.Context, src string) (Script, bool)

// PageInfo is what the fake document knows about the page.
type PageInfo struct {
	URL      string
	Title    string
	Elements map[string]Element // page elements by id
}

// Element is an element of the page that scripts may look up by id.
type Element struct {
	Tag   string            `json:"tag"`
	Attrs map[string]string `json:"attrs"`
}

var reEscapes = regexp.MustCompile(`\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})`)

// Emulate runs scripts in order in a fake browser as v, loading the
// external scripts they name or create through load, and returns what they
// did. It never touches the network itself and is bounded in time, size
// and DOM operations.
func Emulate(ctx context.Context, info PageInfo, v Visitor, scripts []Script, load Loader) Run {
	select {
	case runSlots <- struct{}{}:
	case <-ctx.Done():
		return Run{Stopped: "cancelled"}
	}
	defer func() { <-runSlots }()
	e := &sandbox{ctx: ctx, vm: goja.New(), load: load, sources: map[string]string{}}
	stop := e.watch(ctx)
	defer stop()
	if err := e.setup(info, v); err != nil {
		return Run{Stopped: "setup: " + err.Error()}
	}
	for _, s := range scripts {
		if e.run.Stopped != "" {
			break
		}
		e.exec(s)
	}
	if e.run.Stopped == "" {
		if fin, ok := goja.AssertFunction(e.vm.Get("__khienFinish")); ok {
			e.current = "a load handler"
			_, err := fin(goja.Undefined())
			e.stopped(err)
		}
	}
	e.attribute()
	return e.run
}

type sandbox struct {
	ctx      context.Context
	vm       *goja.Runtime
	load     Loader
	run      Run
	current  string            // name of the script running
	sources  map[string]string // script name → code, for attribution
	scripts  int
	ops      int
	written  int
	decoded  []decodedValue
	stopOnce sync.Once
}

// decodedValue is one call of a decoder: its name ("" for a step such as
// escape that hides nothing by itself), its input and its output.
type decodedValue struct{ by, in, out string }

func (e *sandbox) interrupt(why string) {
	e.stopOnce.Do(func() { e.vm.Interrupt(why) })
}

// watch interrupts the run at the time limit, on cancellation, or when the
// heap grows by heapGrowth (a script building huge strings), and returns
// the function that ends the watch.
func (e *sandbox) watch(ctx context.Context) func() {
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	base := heap()
	go func() {
		deadline := time.NewTimer(runTime)
		defer deadline.Stop()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				e.interrupt("cancelled")
				return
			case <-deadline.C:
				e.interrupt("time limit")
				return
			case <-tick.C:
				if heap() > base+heapGrowth {
					e.interrupt("memory limit")
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

func (e *sandbox) setup(info PageInfo, v Visitor) error {
	vm := e.vm
	vm.SetFieldNameMapper(goja.TagFieldNameMapper("json", true))
	vm.SetMaxCallStackSize(maxCallDepth)
	vm.SetRandSource(rand.New(rand.NewPCG(1, 2)).Float64) // the same page gives the same run
	u := urlParts(info.URL)
	elements := info.Elements
	if elements == nil {
		elements = map[string]Element{}
	}
	native := vm.NewObject()
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		"record":  e.record,
		"decoded": e.noteDecoded,
		"opcount": func(goja.FunctionCall) goja.Value { e.op(); return goja.Undefined() },
		"load":    e.loadScript,
		"run":     e.runCreated,
		"parse":   e.parseMarkup,
		"current": func(goja.FunctionCall) goja.Value { return e.vm.ToValue(e.current) },
		"setCurrent": func(call goja.FunctionCall) goja.Value {
			e.current = call.Argument(0).String()
			return goja.Undefined()
		},
	} {
		if err := native.Set(name, fn); err != nil {
			return err
		}
	}
	for name, value := range map[string]any{
		"__k":    native,
		"__page": map[string]any{"url": u, "referrer": v.Referrer, "userAgent": v.UserAgent, "title": info.Title, "elements": elements},
		"atob":   atob,
		"btoa":   btoa,
	} {
		if err := vm.Set(name, value); err != nil {
			return err
		}
	}
	_, err := vm.RunProgram(domProgram())
	return err
}

// exec runs one script, unless the page has had its share.
func (e *sandbox) exec(s Script) {
	if e.scripts >= maxScripts || len(s.Code) > maxScriptSize {
		return
	}
	e.scripts++
	prev := e.current
	e.current = s.Name
	e.sources[s.Name] = s.Code
	_, err := e.vm.RunScript(s.Name, s.Code)
	e.stopped(err)
	e.current = prev
}

// stopped notes an interrupt; a script's own errors end only that script,
// as in a browser.
func (e *sandbox) stopped(err error) {
	if ie, ok := err.(*goja.InterruptedError); ok {
		if e.run.Stopped == "" {
			e.run.Stopped = fmt.Sprint(ie.Value())
		}
		return
	}
	if err != nil && len(e.run.Errors) < maxErrors {
		e.run.Errors = append(e.run.Errors, e.current+": "+check.Truncate(err.Error(), 200))
	}
}

func (e *sandbox) op() {
	e.ops++
	if e.ops > maxOps {
		e.interrupt("DOM operation limit")
	}
}

func (e *sandbox) record(call goja.FunctionCall) goja.Value {
	e.op()
	kind, value, how := call.Argument(0).String(), call.Argument(1).String(), call.Argument(2).String()
	if e.written+len(value) > maxWritten {
		value = value[:max(0, maxWritten-e.written)]
		e.interrupt("output limit")
	}
	e.written += len(value)
	if value != "" || kind == "redirect" {
		e.run.Effects = append(e.run.Effects, Effect{Kind: kind, Value: value, How: how, Script: e.current})
	}
	if strings.HasPrefix(how, "document.write") {
		e.runWritten(value)
	}
	return goja.Undefined()
}

// node is an HTML node handed to the fake DOM: an element (tag, attrs,
// kids) or a text (tag "").
type node struct {
	Tag   string            `json:"tag"`
	Attrs map[string]string `json:"attrs"`
	Kids  []node            `json:"kids"`
	Text  string            `json:"text"`
}

// parseMarkup parses markup set with innerHTML and the like, each node
// counting as a DOM operation.
func (e *sandbox) parseMarkup(call goja.FunctionCall) goja.Value {
	s := call.Argument(0).String()
	e.written += len(s)
	if e.written > maxWritten {
		e.interrupt("output limit")
		return e.vm.ToValue([]node{})
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return e.vm.ToValue([]node{})
	}
	var conv func(n *html.Node) (node, bool)
	conv = func(n *html.Node) (node, bool) {
		e.op()
		switch n.Type {
		case html.TextNode:
			return node{Text: n.Data}, true
		case html.ElementNode:
			out := node{Tag: n.Data, Attrs: map[string]string{}, Kids: []node{}}
			for _, a := range n.Attr {
				out.Attrs[a.Key] = a.Val
			}
			for c := n.FirstChild; c != nil && e.ops <= maxOps; c = c.NextSibling {
				if k, ok := conv(c); ok {
					out.Kids = append(out.Kids, k)
				}
			}
			return out, true
		}
		return node{}, false
	}
	out := []node{}
	for _, n := range nodes {
		if k, ok := conv(n); ok && e.ops <= maxOps {
			out = append(out, k)
		}
	}
	return e.vm.ToValue(out)
}

func (e *sandbox) noteDecoded(call goja.FunctionCall) goja.Value {
	// Outputs shorter than minDecoded (one character of a loop) cannot be
	// told apart in what scripts write.
	in, out := call.Argument(1).String(), call.Argument(2).String()
	if len(e.decoded) < maxDecoded && len(out) >= minDecoded {
		e.decoded = append(e.decoded, decodedValue{by: call.Argument(0).String(), in: in[:min(len(in), maxDecodedSize)], out: out[:min(len(out), maxDecodedSize)]})
	}
	return goja.Undefined()
}

func (e *sandbox) loadScript(call goja.FunctionCall) goja.Value {
	e.loadSrc(call.Argument(0).String())
	return goja.Undefined()
}

// loadSrc notes an external script and runs it when load fetches it.
func (e *sandbox) loadSrc(src string) {
	if len(e.run.Loaded) < maxScripts {
		e.run.Loaded = append(e.run.Loaded, src)
	}
	if e.load == nil {
		return
	}
	if s, ok := e.load(e.ctx, src); ok {
		e.exec(s)
	}
}

// runWritten runs the scripts that document.write put into the page, as a
// browser does (markup set with innerHTML runs no scripts).
func (e *sandbox) runWritten(markup string) {
	if !strings.Contains(strings.ToLower(markup), "<script") {
		return
	}
	writer := e.current
	for _, t := range Parse([]byte(markup)).ScriptTags {
		switch {
		case !t.IsJavaScript():
		case t.Src != "":
			e.loadSrc(t.Src)
		default:
			e.exec(Script{Name: "a script written by " + writer, Code: t.Code})
		}
	}
}

func (e *sandbox) runCreated(call goja.FunctionCall) goja.Value {
	e.exec(Script{Name: "a script created by " + e.current, Code: call.Argument(0).String()})
	return goja.Undefined()
}

// atob decodes base64 as browsers do: each byte becomes one character.
func atob(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(" \t\n\r\f", r) {
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil {
		return "", fmt.Errorf("InvalidCharacterError: atob: %w", err)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r), nil
}

func btoa(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return "", fmt.Errorf("InvalidCharacterError: btoa: character outside Latin-1")
		}
		b = append(b, byte(r))
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// attribute says for each effect how its value was hidden in its script.
func (e *sandbox) attribute() {
	for i := range e.run.Effects {
		ef := &e.run.Effects[i]
		src := e.sources[ef.Script]
		switch by := e.decoders(ef.Value); {
		case len(by) > 0:
			ef.Decoding = strings.Join(by, " and ")
		case strings.Contains(src, ef.Value):
		case reEscapes.MatchString(src) && strings.Contains(unescapeLiterals(src), ef.Value):
			ef.Decoding = "hex escapes"
		default:
			ef.Decoding = "string concatenation"
		}
	}
}

// decoders returns the decoders that produced value, innermost first:
// those whose output contains it (or is contained in it), and the decoders
// whose output fed those, and so on.
func (e *sandbox) decoders(value string) []string {
	var chain []string
	related := func(a, b string) bool {
		return len(a) >= minDecoded && len(b) >= minDecoded && (strings.Contains(a, b) || strings.Contains(b, a))
	}
	used := make([]bool, len(e.decoded))
	want := []string{value}
	for len(want) > 0 && len(chain) < maxDecoded {
		v := want[0]
		want = want[1:]
		for i, d := range e.decoded {
			if used[i] || !related(d.out, v) {
				continue
			}
			used[i] = true
			if name := d.by + "(…)"; d.by != "" && !slices.Contains(chain, name) {
				chain = append([]string{name}, chain...)
			}
			if d.in != "" {
				want = append(want, d.in)
			}
		}
	}
	return chain
}

// unescapeLiterals replaces the \xNN and \uNNNN escapes of JavaScript
// source with the characters they stand for.
func unescapeLiterals(src string) string {
	return reEscapes.ReplaceAllStringFunc(src, func(m string) string {
		n, err := strconv.ParseUint(m[2:], 16, 32)
		if err != nil {
			return m
		}
		return string(rune(n))
	})
}

// urlParts splits a page URL as window.location does.
func urlParts(raw string) map[string]string {
	u, err := url.Parse(raw)
	if err != nil {
		u = &url.URL{}
	}
	out := map[string]string{
		"href": u.String(), "protocol": u.Scheme + ":", "host": u.Host, "hostname": u.Hostname(), "port": u.Port(),
		"pathname": u.EscapedPath(), "search": "", "hash": "", "origin": u.Scheme + "://" + u.Host,
	}
	if out["pathname"] == "" {
		out["pathname"] = "/"
	}
	if u.RawQuery != "" {
		out["search"] = "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out["hash"] = "#" + u.Fragment
	}
	return out
}
