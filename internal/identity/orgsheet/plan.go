package orgsheet

import (
	"cmp"
	"slices"
	"strings"

	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/validation"
)

// Result is an import or its preview: the plan (counts, every update field
// by field), the organisations it creates, and the problems found.
type Result struct {
	importing.Plan
	Created  []Created `json:"created,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
}

// Created is an organisation the import creates.
type Created struct {
	Line       int    `json:"row"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	ParentCode string `json:"parent_code"`
}

// state is an organisation as the file shows it (kind by its label,
// archived as "Có" or blank), so a plan's changes read like the file.
type state struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	ParentCode string `json:"parent_code"`
	Archived   string `json:"archived"`
}

func stateOf(code, name, kind, parentCode string, archived bool) state {
	s := state{Code: code, Name: name, Kind: kindLabel(kind), ParentCode: parentCode}
	if archived {
		s.Archived = archivedYes
	}
	return s
}

// step is the plan of one row: old is the stored organisation it matches
// (nil: the row creates one).
type step struct {
	row *Row
	old *identity.Org
	op  importing.Op
}

// plan is a whole file's plan, kept typed for apply.
type plan struct {
	Result
	steps []step
	depth map[string]int // folded code → depth in the final tree, for the order of moves
}

func key(code string) string { return strings.ToLower(code) }

// planImport checks every row of f against the stored organisations (all
// of them, archived ones included) and decides what importing it does. It
// writes nothing; problems are added to f. Rows may come in any order:
// parents are resolved by code, in the file or in the database.
func planImport(stored []identity.Org, f *File) *plan {
	byCode := map[string]*identity.Org{}
	codeOf := map[int64]string{}
	rootCode := ""
	for i := range stored {
		o := &stored[i]
		byCode[key(o.Code)], codeOf[o.ID] = o, o.Code
		if o.ParentID == 0 {
			rootCode = o.Code
		}
	}
	// parent is the final tree: stored parents, overridden by the file.
	parent := map[string]string{}
	for _, o := range stored {
		if o.ParentID != 0 {
			parent[key(o.Code)] = key(codeOf[o.ParentID])
		}
	}
	inFile := map[string]*Row{}
	for i := range f.Rows {
		r := &f.Rows[i]
		in := identity.OrgInput{Code: r.Code, Name: r.Name, Kind: r.Kind}
		if es, ok := validation.As(in.Validate()); ok {
			for _, e := range es {
				f.fail(r.Line, e.Field, e.Key, e.Args...)
			}
		}
		k := key(r.Code)
		if first, dup := inFile[k]; dup {
			f.fail(r.Line, "code", "orgsheet.err.duplicate", r.Code, first.Line)
			continue
		}
		if r.Code == "" {
			continue // reported by Validate
		}
		inFile[k] = r
		delete(parent, k)
		if r.ParentCode != "" {
			parent[k] = key(r.ParentCode)
		}
	}
	p := &plan{depth: map[string]int{}}
	for i := range f.Rows {
		r := &f.Rows[i]
		k := key(r.Code)
		if inFile[k] != r { // a duplicate or a row without a code, reported
			p.steps = append(p.steps, step{row: r})
			continue
		}
		old := byCode[k]
		pk := key(r.ParentCode)
		switch {
		case r.ParentCode == "" && (old == nil || old.ParentID != 0):
			f.fail(r.Line, "parent_code", "orgsheet.err.parent_required", rootCode)
		case r.ParentCode != "" && old != nil && old.ParentID == 0:
			f.fail(r.Line, "parent_code", "identity.err.root_move")
		case r.ParentCode != "" && inFile[pk] == nil && byCode[pk] == nil:
			f.fail(r.Line, "parent_code", "orgsheet.err.no_parent", r.ParentCode)
		case r.ParentCode != "" && inCycle(parent, k):
			f.fail(r.Line, "parent_code", "orgsheet.err.cycle", r.ParentCode)
		case r.ParentCode != "" && old == nil && inFile[pk] == nil && byCode[pk].ArchivedAt != nil:
			f.fail(r.Line, "parent_code", "identity.err.parent_archived")
		default:
			p.depth[k] = depthOf(parent, k)
		}
		if r.Archived && (old != nil && old.ParentID == 0) {
			f.fail(r.Line, "archived", "identity.err.root_archive")
		}
		p.steps = append(p.steps, step{row: r, old: old})
	}
	// Problems in reading order, as the user fixes them.
	slices.SortStableFunc(f.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(len(a.Column), len(b.Column)), cmp.Compare(a.Column, b.Column))
	})
	p.Plan = *importing.NewPlan(SheetName)
	p.Problems = f.Problems
	p.Plan.Problems = len(f.Problems)
	for i := range p.steps {
		s := &p.steps[i]
		r := s.row
		switch {
		case p.Plan.Problems > 0:
			s.op = importing.Skip
			p.Count(SheetName, s.op)
		case s.old == nil:
			s.op = importing.Create
			p.Count(SheetName, s.op)
			p.Created = append(p.Created, Created{Line: r.Line, Code: r.Code, Name: r.Name, ParentCode: r.ParentCode})
		default:
			was := stateOf(s.old.Code, s.old.Name, s.old.Kind, codeOf[s.old.ParentID], s.old.ArchivedAt != nil)
			now := stateOf(r.Code, r.Name, r.Kind, r.ParentCode, r.Archived)
			if strings.EqualFold(was.ParentCode, now.ParentCode) {
				now.ParentCode = was.ParentCode // parents match by code in any case
			}
			if fields := importing.Diff(was, now); len(fields) > 0 {
				s.op = importing.Update
				p.Updated(SheetName, r.Line, r.Code, fields)
			} else {
				s.op = importing.Unchanged
				p.Count(SheetName, s.op)
			}
		}
	}
	return p
}

// inCycle reports whether following parents from k comes back to k.
func inCycle(parent map[string]string, k string) bool {
	for at, n := parent[k], 0; at != "" && n <= len(parent); at, n = parent[at], n+1 {
		if at == k {
			return true
		}
	}
	return false
}

// depthOf is k's distance from the root of the final tree (acyclic here).
func depthOf(parent map[string]string, k string) int {
	n := 0
	for at := parent[k]; at != "" && n <= len(parent); at = parent[at] {
		n++
	}
	return n
}
