package architecture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// module is the module path; the rule table names packages relative to it.
const module = "github.com/khien/khien"

// A layer is one row of the rule table. A package belongs to the layer that lists the longest
// prefix of its path, so internal/inventory/xlsx belongs to inventory. It may import its own
// layer, the layers and packages in may, and anything outside the module (but see noSQL).
type layer struct {
	name     string   // used in messages and in other rows' may
	pkgs     []string // module-relative paths, each with its subpackages
	may      []string // layer names, or module-relative package paths (with subpackages)
	why      string   // the rule, quoted when it is broken
	noSQL    bool     // a handler package: no database/sql, SQL driver or SQL method call
	testOnly bool     // only _test.go files and other test-only packages may import it
}

// Capabilities, from the bottom: each may import those before it, never one after it.
// importing (the plan every import shares) sits above identity: its uploads
// are scoped to an organisation. orgsheet (the organisation file, an import)
// sits above importing, though it lives under identity.
var capabilities = []string{"identity", "importing", "orgsheet", "inventory", "hunt", "finding", "campaign", "agent", "scanning", "incident", "notify", "alert", "responseplan",
	"compliance", "monitor", "accountreview", "awareness", "dashboard", "report"}

// Groups of layer names, to keep the rows short.
var (
	base     = of("kernel", "kernel helpers", "audit", "jobs")
	domain   = with(slices.Concat(base, capabilities), "auth") // what the HTTP layer and the top use
	httpRows = of("httpx", "router", "web", "api", "server")
)

// table is the layout. To move a package, edit its row (or the order of capabilities); a
// package in no row fails TestLayers, so every new package is placed deliberately. Rows may
// name packages that do not exist yet.
var table = slices.Concat(
	[]layer{
		{name: "kernel", pkgs: of("internal/storage", "internal/database", "internal/access", "internal/i18n", "internal/validation", "internal/metrics"),
			why: "the kernel imports only the kernel: no domain types in storage"},
		{name: "kernel helpers", pkgs: of("internal/remediation", "internal/blob", "internal/chart"), may: of("kernel"),
			why: "remediation, blob and chart sit at kernel level and import only the kernel"},
		{name: "audit", pkgs: of("internal/audit"), may: of("kernel"), why: "the audit chain imports only the kernel"},
		// The job engine: capabilities define workers and insert jobs; the app wires them.
		{name: "jobs", pkgs: of("internal/jobs"), may: of("kernel"), why: "the job engine imports only the kernel: workers live in their capabilities"},
	},
	capabilityRows(),
	[]layer{
		// The document model and its writers, under report but below it: no data, no SQL.
		{name: "report document", pkgs: of("internal/report/document"), may: of("internal/i18n"), noSQL: true,
			why: "the report document and its writers read no database and no capability: i18n only"},

		{name: "auth", pkgs: of("internal/auth"), may: of("kernel", "audit", "identity", "httpx"),
			why: "auth sits just above identity: kernel, audit, identity and the request helpers only"},

		// HTTP. Handlers (web, api, httpx, router) run no SQL; web and api never import each other.
		{name: "router", pkgs: of("internal/router"), may: of("kernel"), noSQL: true, why: "the router imports only the kernel"},
		{name: "httpx", pkgs: of("internal/httpx"), may: of("kernel", "router"), noSQL: true,
			why: "httpx holds shared request helpers: kernel (access, i18n, validation) and router only"},
		{name: "web", pkgs: of("internal/web"), may: with(domain, "httpx", "router"), noSQL: true,
			why: "web uses capabilities, auth, httpx and router, never api: shared code goes in httpx"},
		{name: "api", pkgs: of("internal/api"), may: with(domain, "httpx", "router"), noSQL: true,
			why: "api uses capabilities, auth, httpx and router, never web: shared code goes in httpx"},
		{name: "server", pkgs: of("internal/server"), may: with(domain, "httpx", "router", "web", "api"),
			why: "the server imports the HTTP layer below it, never app, cli or demo"},

		// The scanner needs no server, no database and no domain.
		{name: "scanner", pkgs: of("internal/scan", "internal/vulndb"), may: of("internal/remediation", "internal/i18n"),
			why: "the scanner stands alone: only scan/..., vulndb, remediation and i18n"},

		// Top: wiring and commands. Nothing below imports them.
		{name: "app", pkgs: of("internal/app"), may: slices.Concat(domain, httpRows),
			why: "app wires the server; it does not import cli, demo or the scanner"},
		{name: "demo", pkgs: of("internal/demo"), may: domain, why: "demo fills capabilities through their packages, not through web or api"},
		{name: "cli", pkgs: of("internal/cli"), may: with(slices.Concat(domain, httpRows), "app", "demo", "scanner"),
			why: "cli may import everything but the test helpers"},
		{name: "main", pkgs: of("cmd/khien"), may: of("cli", "app"), why: "main only runs cli"},

		// Test helpers: only in TestImports and XTestImports, or in other test helpers.
		{name: "test helpers", pkgs: of("internal/apptest", "internal/browsertest", "internal/database/dbtest"), testOnly: true,
			may: with(slices.Concat(domain, httpRows), "app", "demo"), why: "test helpers do not import cli or the scanner"},
		{name: "scanner test helpers", pkgs: of("internal/scan/scantest"), testOnly: true,
			may: of("scanner", "internal/remediation", "internal/i18n"), why: "the scanner's test helpers stand alone like the scanner"},
		{name: "architecture", pkgs: of("internal/architecture"), testOnly: true, why: "this package has only its test"},
	},
)

// capabilityPaths are the capabilities not at internal/<name>.
var capabilityPaths = map[string]string{"orgsheet": "internal/identity/orgsheet"}

// capabilityExtras are what a capability may import beyond the rule: scan
// operations run the scanner (and agents run it inside agency networks); reports
// are written as documents.
var capabilityExtras = map[string][]string{"scanning": of("scanner"), "agent": of("scanner"), "report": of("internal/report/document")}

// capabilityRows gives each capability the base layers, the capabilities below it and the
// scanner's wire type (findings may carry check.Finding).
func capabilityRows() []layer {
	var rows []layer
	for i, c := range capabilities {
		path := "internal/" + c
		if p, ok := capabilityPaths[c]; ok {
			path = p
		}
		rows = append(rows, layer{name: c, pkgs: of(path), may: with(slices.Concat(base, capabilities[:i], capabilityExtras[c]), "internal/scan/check"),
			why: "a capability imports the kernel, audit, jobs and capabilities below it (" + strings.Join(capabilities, " → ") + ")"})
	}
	return rows
}

func of(names ...string) []string                 { return names }
func with(list []string, more ...string) []string { return append(slices.Clip(list), more...) }

// sqlImports are the packages that run SQL: handlers import none of them.
var sqlImports = []string{"database/sql", module + "/internal/database", "github.com/jackc/pgx",
	"github.com/lib/pq", "modernc.org/sqlite", "github.com/mattn/go-sqlite3", "github.com/go-sql-driver/mysql",
	"github.com/pressly/goose"}

// sqlMethods are the calls that run SQL (or open a transaction): handlers make none of them.
var sqlMethods = []string{"Exec", "Query", "QueryRow", "QueryContext", "ExecContext", "QueryRowContext", "InTx", "InReadTx", "BeginTx"}

// A violation is one broken rule; String is the one-line failure message.
type violation struct {
	pkg  string // module-relative importing package
	what string // "imports internal/api", "calls db.QueryRow at api.go:12", "is in no layer"
	rule string
}

func (v violation) String() string { return v.pkg + " " + v.what + ": " + v.rule }

// under reports whether path is prefix or one of its subpackages.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// layerOf returns the row that lists the longest prefix of rel, or nil.
func layerOf(rel string) *layer {
	var best *layer
	n := -1
	for i := range table {
		for _, p := range table[i].pkgs {
			if under(rel, p) && len(p) > n {
				best, n = &table[i], len(p)
			}
		}
	}
	return best
}

// checkImports is the rule function: a package's import path and its non-test imports (full
// paths, as go list gives them) in, the broken rules out. It reads only the table.
func checkImports(pkg string, imports []string) []violation {
	rel, ok := strings.CutPrefix(pkg, module+"/")
	if !ok {
		return nil
	}
	l := layerOf(rel)
	if l == nil {
		return []violation{{rel, "is in no layer", "add it to the rule table in internal/architecture/architecture_test.go"}}
	}
	var out []violation
	for _, imp := range imports {
		if l.noSQL && slices.ContainsFunc(sqlImports, func(s string) bool { return under(imp, s) }) {
			out = append(out, violation{rel, "imports " + strings.TrimPrefix(imp, module+"/"), "handler packages run no SQL: call a capability or storage"})
			continue
		}
		irel, ok := strings.CutPrefix(imp, module+"/")
		if !ok {
			continue // standard library or third party
		}
		il := layerOf(irel)
		switch {
		case il == nil, il == l:
			// An unknown package is reported once, as itself.
		case il.testOnly && !l.testOnly:
			out = append(out, violation{rel, "imports " + irel, il.name + " may be imported only from _test.go files"})
		case !l.allows(il.name, irel):
			out = append(out, violation{rel, "imports " + irel, l.name + " may not import " + il.name + " (" + l.why + ")"})
		}
	}
	return out
}

// allows reports whether l's may names the layer or a prefix of the package.
func (l *layer) allows(layerName, rel string) bool {
	return slices.ContainsFunc(l.may, func(m string) bool {
		if strings.Contains(m, "/") {
			return under(rel, m)
		}
		return m == layerName
	})
}

// sqlCalls parses one Go file of a handler package and reports its calls of SQL methods. A
// call without arguments is skipped: every SQL method takes at least a context or a query,
// while r.URL.Query() takes none (no type information is needed to tell them apart). src is
// the file's text, or nil to read filename.
func sqlCalls(pkg, filename string, src any) ([]violation, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []violation
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && slices.Contains(sqlMethods, sel.Sel.Name) {
			pos := fset.Position(call.Pos())
			out = append(out, violation{pkg, fmt.Sprintf("calls %s at %s:%d", types.ExprString(sel), filepath.Base(pos.Filename), pos.Line),
				"handler packages run no SQL: call a capability or storage"})
		}
		return true
	})
	return out, nil
}

// goPackage is the part of go list -json that the tests read.
type goPackage struct {
	ImportPath string
	Dir        string
	Imports    []string
	Module     *struct{ Path string }
	Error      *struct{ Err string }
}

// listPackages runs go list once for all the tests of this file.
var listPackages = sync.OnceValues(func() ([]goPackage, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return nil, fmt.Errorf("no go.mod found (go env GOMOD: %q, %v)", gomod, err)
	}
	root := filepath.Dir(gomod)
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Dir,Imports,Module,Error", "./...")
	cmd.Dir, cmd.Stderr = root, os.Stderr
	if out, err = cmd.Output(); err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var pkgs []goPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var p goPackage
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("decoding go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	// go test caches a result by the files the test opened, not those go list read: walking
	// the tree makes a new package or an edited file run the test again.
	return pkgs, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		return err
	})
})

func packages(t *testing.T) []goPackage {
	t.Helper()
	pkgs, err := listPackages()
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestLayers checks every package's non-test imports against the table.
func TestLayers(t *testing.T) {
	seen := map[*layer]bool{}
	for _, p := range packages(t) {
		if p.Error != nil {
			t.Errorf("%s: %s", p.ImportPath, p.Error.Err)
		}
		if p.Module == nil || p.Module.Path != module {
			t.Fatalf("%s is not in module %s: update the module constant", p.ImportPath, module)
		}
		seen[layerOf(strings.TrimPrefix(p.ImportPath, module+"/"))] = true
		for _, v := range checkImports(p.ImportPath, p.Imports) {
			t.Error(v)
		}
	}
	var empty []string
	for i := range table {
		if !seen[&table[i]] {
			empty = append(empty, table[i].name)
		}
	}
	t.Logf("layers with no package yet: %s", strings.Join(empty, ", "))
}

// TestHandlersRunNoSQL parses the non-test files of the handler packages.
func TestHandlersRunNoSQL(t *testing.T) {
	for _, p := range packages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if l := layerOf(rel); l == nil || !l.noSQL {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(p.Dir, "*.go")) // all build tags
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			vs, err := sqlCalls(rel, name, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				t.Error(v)
			}
		}
	}
}

// TestTable keeps the table consistent: every name in may is a row, no package is in two rows.
func TestTable(t *testing.T) {
	owner := map[string]string{}
	for _, l := range table {
		for _, p := range l.pkgs {
			if o, dup := owner[p]; dup {
				t.Errorf("%s is in layers %q and %q", p, o, l.name)
			}
			owner[p] = l.name
		}
	}
	for _, l := range table {
		for _, m := range l.may {
			if !strings.Contains(m, "/") && !slices.ContainsFunc(table, func(o layer) bool { return o.name == m }) {
				t.Errorf("layer %q may import %q, which is no layer", l.name, m)
			}
		}
	}
}

// TestCheckImports proves the rule function on synthetic imports, so each rule is known to
// fire without a wrong import in the tree.
func TestCheckImports(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	tests := []struct {
		pkg, imp string
		want     string // part of the message; "" means allowed
	}{
		{"internal/inventory", m("internal/finding"), "internal/inventory imports internal/finding: inventory may not import finding (a capability"},
		{"internal/finding", m("internal/inventory"), ""},
		{"internal/inventory/xlsx", m("internal/inventory"), ""},
		{"internal/identity", m("internal/auth"), "identity may not import auth"},
		{"internal/report", m("internal/web"), "report may not import web"},
		{"internal/inventory", m("internal/scan/check"), ""},
		{"internal/inventory", m("internal/scan"), "inventory may not import scanner"},
		{"internal/web", m("internal/api"), "web may not import api"},
		{"internal/api", m("internal/web"), "api may not import web"},
		{"internal/web", m("internal/inventory"), ""},
		{"internal/httpx", m("internal/identity"), "httpx may not import identity"},
		{"internal/storage", m("internal/identity"), "kernel may not import identity"},
		{"internal/storage", m("internal/inventory"), "kernel may not import inventory"},
		{"internal/storage", "database/sql", ""},
		{"internal/audit", m("internal/inventory"), "audit may not import inventory"},
		{"internal/remediation", m("internal/audit"), "kernel helpers may not import audit"},
		{"internal/jobs", m("internal/storage"), ""},
		{"internal/jobs", m("internal/audit"), "jobs may not import audit"},
		{"internal/jobs", m("internal/finding"), "jobs may not import finding"},
		{"internal/audit", m("internal/jobs"), "audit may not import jobs"},
		{"internal/finding", m("internal/jobs"), ""},
		{"internal/app", m("internal/jobs"), ""},
		{"internal/importing", m("internal/inventory"), "importing may not import inventory"},
		{"internal/identity", m("internal/identity/orgsheet"), "identity may not import orgsheet"},
		{"internal/importing", m("internal/identity/orgsheet"), "importing may not import orgsheet"},
		{"internal/identity/orgsheet", m("internal/importing"), ""},
		{"internal/identity/orgsheet", m("internal/inventory"), "orgsheet may not import inventory"},
		{"internal/inventory", m("internal/identity/orgsheet"), ""},
		{"internal/auth", m("internal/identity"), ""},
		{"internal/auth", m("internal/inventory"), "auth may not import inventory"},
		{"internal/api", "database/sql", "handler packages run no SQL"},
		{"internal/web", "modernc.org/sqlite", "handler packages run no SQL"},
		{"internal/router", "github.com/jackc/pgx/v5/stdlib", "handler packages run no SQL"},
		{"internal/httpx", m("internal/database"), "handler packages run no SQL"},
		{"internal/scan/check", m("internal/storage"), "scanner may not import kernel"},
		{"internal/vulndb", m("internal/remediation"), ""},
		{"internal/report", m("internal/report/document"), ""},
		{"internal/report/document", m("internal/i18n"), ""},
		{"internal/report/document", m("internal/storage"), "report document may not import kernel"},
		{"internal/report/document", "database/sql", "handler packages run no SQL"},
		{"internal/finding", m("internal/report/document"), "finding may not import report document"},
		{"internal/scan/scantest", m("internal/inventory"), "scanner test helpers may not import inventory"},
		{"internal/demo", m("internal/web"), "demo may not import web"},
		{"internal/demo", m("internal/auth"), ""},
		{"internal/app", m("internal/cli"), "app may not import cli"},
		{"internal/cli", m("internal/scan"), ""},
		{"internal/web", m("internal/apptest"), "test helpers may be imported only from _test.go files"},
		{"internal/storage", m("internal/database/dbtest"), "may be imported only from _test.go files"},
		{"internal/apptest", m("internal/browsertest"), ""},
		{"internal/newthing", "fmt", "is in no layer: add it to the rule table"},
		{"cmd/other", m("internal/cli"), "is in no layer"},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range checkImports(m(tt.pkg), []string{tt.imp}) {
			got = append(got, v.String())
		}
		switch {
		case tt.want == "" && len(got) > 0:
			t.Errorf("%s → %s: want allowed, got %q", tt.pkg, tt.imp, got)
		case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
			t.Errorf("%s → %s: want one violation with %q, got %q", tt.pkg, tt.imp, tt.want, got)
		}
	}
}

// TestSQLCalls proves the AST check on synthetic handler files.
func TestSQLCalls(t *testing.T) {
	tests := []struct {
		src  string
		want []string // call expressions reported
	}{
		{`func f(db *sql.DB) { db.QueryRow("select 1").Scan(&x) }`, []string{"db.QueryRow"}},
		{`func (h *Handler) f(ctx context.Context) error {
			return h.Store.InTx(ctx, func(tx *storage.Tx) error { _, err := tx.Exec(ctx, "delete"); return err })
		}`, []string{"h.Store.InTx", "tx.Exec"}},
		{`func f() { rows, _ := db.QueryContext(ctx, q); tx, _ := db.BeginTx(ctx, nil); _, _ = rows, tx }`, []string{"db.QueryContext", "db.BeginTx"}},
		{`func f(r *http.Request) string { return r.URL.Query().Get("q") }`, nil},
		{`func (s *S) QueryRow(q string) {}; func g() { s.QueryRows(q); tmpl.Execute(w, d) }`, nil},
	}
	for _, tt := range tests {
		vs, err := sqlCalls("internal/api", "x.go", "package api\n"+tt.src)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range vs {
			got = append(got, strings.Fields(v.what)[1])
			if !strings.HasPrefix(v.String(), "internal/api calls ") || !strings.Contains(v.String(), "run no SQL") {
				t.Errorf("message %q", v)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.src, got, tt.want)
		}
	}
}
