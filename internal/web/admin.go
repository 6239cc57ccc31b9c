package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Administration: organisations, users and the audit log. Every page asks
// storage with the caller's actor, which decides what they see and may change.
func (h *Handler) adminRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/admin", Handler: h.adminPage},
		{Method: "GET", Path: "/admin/orgs", Handler: h.orgsPage},
		{Method: "POST", Path: "/admin/orgs", Handler: h.createOrg},
		{Method: "GET", Path: "/admin/orgs/{id}", Handler: h.orgPage},
		{Method: "POST", Path: "/admin/orgs/{id}", Handler: h.updateOrg},
		{Method: "POST", Path: "/admin/orgs/{id}/move", Handler: h.moveOrg},
		{Method: "POST", Path: "/admin/orgs/{id}/archive", Handler: h.archiveOrg},
		{Method: "GET", Path: "/admin/users", Handler: h.usersPage},
		{Method: "POST", Path: "/admin/users", Handler: h.createUser},
		{Method: "GET", Path: "/admin/users/{id}", Handler: h.userPage},
		{Method: "POST", Path: "/admin/users/{id}", Handler: h.updateUser},
		{Method: "POST", Path: "/admin/users/{id}/assignments", Handler: h.assignUser},
		{Method: "POST", Path: "/admin/users/{id}/password", Handler: h.resetPassword},
		{Method: "POST", Path: "/admin/users/{id}/mfa-reset", Handler: h.resetMFA},
		{Method: "GET", Path: "/admin/audit", Handler: h.auditPage},
		{Method: "GET", Path: "/admin/audit/export.csv", Handler: h.exportAudit},
	}
}

// adminData tells the admin pages which parts the actor may use.
type adminData struct {
	ManageOrgs, ReadUsers, ReadAudit bool
}

func adminRights(a access.Actor) adminData {
	return adminData{
		ManageOrgs: a.CanSomewhere(access.ManageOrgs),
		ReadUsers:  a.CanSomewhere(access.ReadUsers),
		ReadAudit:  a.CanSomewhere(access.ReadAudit),
	}
}

func (h *Handler) adminPage(w http.ResponseWriter, r *http.Request) {
	h.Render.Render(w, r, http.StatusOK, "identity/admin", NewPage(r, "admin.title", "nav.admin", adminRights(httpx.Caller(r))))
}

// orgsData is the organisation list page's data.
type orgsData struct {
	adminData
	Orgs  []identity.Org
	Kinds []string
	Form  identity.OrgInput
	Query identity.OrgQuery
}

func (h *Handler) orgsPage(w http.ResponseWriter, r *http.Request) {
	h.renderOrgs(w, r, http.StatusOK, identity.OrgInput{}, nil)
}

func (h *Handler) renderOrgs(w http.ResponseWriter, r *http.Request, status int, form identity.OrgInput, formErr error) {
	a := httpx.Caller(r)
	q := identity.OrgQuery{Search: r.URL.Query().Get("q"), IncludeArchived: r.URL.Query().Get("archived") == "1"}
	orgs, err := identity.AllOrgs(r.Context(), h.Store, a, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if form.Kind == "" {
		form.Kind = identity.OrgUnit
	}
	p := NewPage(r, "orgs.title", "nav.admin", orgsData{adminData: adminRights(a), Orgs: orgs, Kinds: identity.OrgKinds, Form: form, Query: q})
	p.Flash = flash(r)
	if formErr != nil {
		p.Error = errorText(r, formErr)
	}
	h.Render.Render(w, r, status, "identity/orgs", p)
}

func formID(r *http.Request, field string) int64 {
	id, _ := strconv.ParseInt(r.PostFormValue(field), 10, 64)
	return id
}

func (h *Handler) createOrg(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	in := identity.OrgInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), ParentID: formID(r, "parent_id")}
	o, err := identity.CreateOrg(r.Context(), h.Store, httpx.Caller(r), in)
	if _, ok := validation.As(err); ok {
		h.renderOrgs(w, r, http.StatusUnprocessableEntity, in, err)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/orgs/"+strconv.FormatInt(o.ID, 10)+"?done=saved", http.StatusSeeOther)
}

// orgData is the organisation page's data.
type orgData struct {
	adminData
	inventory.OrgProfile
	Parents  []identity.Org // where it may move
	Kinds    []string
	Findings findingSummary
	// StaleScans counts its systems without a complete scan for six months.
	StaleScans int
}

func (h *Handler) orgPage(w http.ResponseWriter, r *http.Request) {
	h.renderOrg(w, r, http.StatusOK, nil)
}

func (h *Handler) renderOrg(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	a := httpx.Caller(r)
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	prof, err := inventory.GetOrgProfile(r.Context(), h.Store, a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o := prof.Org
	d := orgData{adminData: adminRights(a), OrgProfile: prof, Kinds: identity.OrgKinds}
	if d.Findings, err = h.summaryOf(r, finding.Filter{OrgID: id}, fmt.Sprintf("/findings?org=%d", id)); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.StaleScans, err = scanning.StaleSystems(r.Context(), h.Store, a, id, h.Store.Now()); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.ManageOrgs {
		all, err := identity.AllOrgs(r.Context(), h.Store, a, identity.OrgQuery{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, p := range all {
			if p.ID != o.ParentID && (len(p.Path) < len(o.Path) || p.Path[:len(o.Path)] != o.Path) {
				d.Parents = append(d.Parents, p)
			}
		}
	}
	p := NewPage(r, "orgs.one_title", "nav.admin", d)
	p.Flash = flash(r)
	if formErr != nil {
		p.Error = errorText(r, formErr)
	}
	h.Render.Render(w, r, status, "identity/org", p)
}

// orgChange runs a change on the organisation of the path and answers with
// the organisation page: again with the error for bad input, else redirected.
func (h *Handler) orgChange(w http.ResponseWriter, r *http.Request, change func(a access.Actor, id int64) error) {
	h.adminChange(w, r, "/admin/orgs/", change, func(err error) { h.renderOrg(w, r, http.StatusUnprocessableEntity, err) })
}

// adminChange runs a change on the object of the path (an organisation or a
// user): bad input shows the object's page again with the error, success
// redirects to it (base + id).
func (h *Handler) adminChange(w http.ResponseWriter, r *http.Request, base string, change func(a access.Actor, id int64) error, showInvalid func(error)) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = change(httpx.Caller(r), id)
	}
	if _, ok := validation.As(err); ok {
		showInvalid(err)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base+strconv.FormatInt(id, 10)+"?done=saved", http.StatusSeeOther)
}

func (h *Handler) updateOrg(w http.ResponseWriter, r *http.Request) {
	h.orgChange(w, r, func(a access.Actor, id int64) error {
		_, err := identity.UpdateOrg(r.Context(), h.Store, a, id, identity.OrgInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind")})
		return err
	})
}

func (h *Handler) moveOrg(w http.ResponseWriter, r *http.Request) {
	h.orgChange(w, r, func(a access.Actor, id int64) error {
		_, err := identity.MoveOrg(r.Context(), h.Store, a, id, formID(r, "parent_id"))
		return err
	})
}

func (h *Handler) archiveOrg(w http.ResponseWriter, r *http.Request) {
	h.orgChange(w, r, func(a access.Actor, id int64) error {
		_, err := identity.SetOrgArchived(r.Context(), h.Store, a, id, r.PostFormValue("archived") == "1")
		return err
	})
}

// usersData is the user list page's data.
type usersData struct {
	adminData
	Users []identity.User
	pager
	Orgs  []identity.Org
	Roles []access.Role // roles the actor may grant
	Form  identity.UserInput
	Query string
}

func grantable(a access.Actor) []access.Role {
	var out []access.Role
	for _, role := range access.Roles {
		if a.CanGrant(role) {
			out = append(out, role)
		}
	}
	return out
}

func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request) {
	h.renderUsers(w, r, http.StatusOK, identity.UserInput{}, nil)
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, status int, form identity.UserInput, formErr error) {
	a := httpx.Caller(r)
	q := r.URL.Query().Get("q")
	orgID, _ := strconv.ParseInt(r.URL.Query().Get("org_id"), 10, 64)
	pg := listPage(r)
	users, err := identity.ListUsers(r.Context(), h.Store, a, identity.UserQuery{Search: q, Role: access.Role(r.URL.Query().Get("role")), OrgID: orgID}, pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := identity.AllOrgs(r.Context(), h.Store, a, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := NewPage(r, "users.title", "nav.admin", usersData{adminData: adminRights(a), Users: users.Items, pager: pagerOf(r, "/admin/users", pg, users.Next), Orgs: orgs, Roles: grantable(a), Form: form, Query: q})
	p.Flash = flash(r)
	if formErr != nil {
		p.Error = errorText(r, formErr)
	}
	h.Render.Render(w, r, status, "identity/users", p)
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	in := identity.UserInput{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: access.Role(r.PostFormValue("role")), OrgID: formID(r, "org_id")}
	password := r.PostFormValue("password")
	var err error
	if in.PasswordHash, err = auth.NewPassword(r.Context(), "password", password, auth.PasswordOwner{Email: in.Email, Name: in.Name}); err == nil {
		var u identity.User
		if u, err = identity.CreateUser(r.Context(), h.Store, httpx.Caller(r), in); err == nil {
			http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"?done=saved", http.StatusSeeOther)
			return
		}
	}
	if _, ok := validation.As(err); ok {
		h.renderUsers(w, r, http.StatusUnprocessableEntity, in, err)
		return
	}
	h.fail(w, r, err)
}

// userData is the user page's data.
type userData struct {
	adminData
	User     identity.User
	Orgs     []identity.Org
	Roles    []access.Role
	Assigned map[int64]bool
	// Password is a password just set by a reset, shown this once.
	Password string
}

func (h *Handler) userPage(w http.ResponseWriter, r *http.Request) {
	h.renderUser(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderUser(w http.ResponseWriter, r *http.Request, status int, password string, formErr error) {
	a := httpx.Caller(r)
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := identity.GetUser(r.Context(), h.Store, a, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := identity.AllOrgs(r.Context(), h.Store, a, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := userData{adminData: adminRights(a), User: u, Orgs: orgs, Roles: grantable(a), Assigned: map[int64]bool{}, Password: password}
	for _, id := range u.AssignedOrgIDs {
		d.Assigned[id] = true
	}
	p := NewPage(r, "users.one_title", "nav.admin", d)
	p.Flash = flash(r)
	if formErr != nil {
		p.Error = errorText(r, formErr)
	}
	h.Render.Render(w, r, status, "identity/user", p)
}

// userChange runs a change on the user of the path, like orgChange.
func (h *Handler) userChange(w http.ResponseWriter, r *http.Request, change func(a access.Actor, id int64) error) {
	h.adminChange(w, r, "/admin/users/", change, func(err error) { h.renderUser(w, r, http.StatusUnprocessableEntity, "", err) })
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	h.userChange(w, r, func(a access.Actor, id int64) error {
		name, role, org := r.PostFormValue("name"), access.Role(r.PostFormValue("role")), formID(r, "org_id")
		disabled := r.PostFormValue("disabled") == "1"
		_, err := identity.UpdateUser(r.Context(), h.Store, a, id, identity.UserUpdate{Name: &name, Role: &role, OrgID: &org, Disabled: &disabled})
		return err
	})
}

func (h *Handler) assignUser(w http.ResponseWriter, r *http.Request) {
	h.userChange(w, r, func(a access.Actor, id int64) error {
		var ids []int64
		for _, v := range r.PostForm["org_id"] {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		return identity.SetAssignments(r.Context(), h.Store, a, id, ids)
	})
}

func (h *Handler) resetMFA(w http.ResponseWriter, r *http.Request) {
	h.userChange(w, r, func(a access.Actor, id int64) error { return identity.ResetMFA(r.Context(), h.Store, a, id) })
}

// resetPassword sets a generated password and shows it once, for the
// administrator to hand over; the user's sessions end.
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := identity.GetUser(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	password := auth.GeneratePassword()
	hash, err := auth.NewPassword(r.Context(), "password", password, auth.PasswordOwner{Email: u.Email, Name: u.Name})
	if err == nil {
		err = identity.SetPassword(r.Context(), h.Store, httpx.Caller(r), id, hash, "")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderUser(w, r, http.StatusOK, password, nil)
}

// auditData is the audit log page's data.
type auditData struct {
	Entries []audit.Entry
	Filter  url.Values
	Next    template.URL // the following page
	Export  template.URL // the CSV export of this filter
}

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request) {
	q, err := audit.ParseQuery(r.URL.Query())
	pg, perr := httpx.ParsePage(r)
	if err == nil {
		err = perr
	}
	if _, ok := validation.As(err); ok {
		p := NewPage(r, "audit.title", "nav.admin", auditData{Filter: r.URL.Query()})
		p.Error = errorText(r, err)
		h.Render.Render(w, r, http.StatusUnprocessableEntity, "identity/audit", p)
		return
	}
	res, err := audit.List(r.Context(), h.Store, httpx.Caller(r), q, pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := auditData{Entries: res.Items, Filter: r.URL.Query()}
	filter := r.URL.Query()
	filter.Del("cursor")
	// Built from url.Values.Encode, so safe as a URL.
	d.Export = template.URL("/admin/audit/export.csv?" + filter.Encode())
	if res.Next != "" {
		v := r.URL.Query()
		v.Set("cursor", res.Next)
		d.Next = template.URL("/admin/audit?" + v.Encode())
	}
	h.Render.Render(w, r, http.StatusOK, "identity/audit", NewPage(r, "audit.title", "nav.admin", d))
}

// exportAudit downloads the filtered audit log (every entry, newest first,
// read page by page) as CSV. The export is itself audited.
func (h *Handler) exportAudit(w http.ResponseWriter, r *http.Request) {
	q, err := audit.ParseQuery(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := httpx.Caller(r)
	entries, err := storage.All(func(p storage.Page) (storage.Paged[audit.Entry], error) {
		return audit.List(r.Context(), h.Store, a, q, p)
	})
	if err == nil {
		err = audit.Write(r.Context(), h.Store, a, audit.Change{Action: "audit.export", ObjectType: "audit_log",
			New: map[string]any{"filter": r.URL.Query(), "entries": len(entries)}})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="khien-audit-`+h.Store.Now().Format("20060102-150405")+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "actor_id", "actor", "ip", "action", "object_type", "object_id", "org_id", "details", "prev_hash", "hash"})
	for _, e := range entries {
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10), csvCell(e.Actor), e.IP,
			e.Action, e.ObjectType, e.ObjectID, strconv.FormatInt(e.OrgID, 10), csvCell(string(e.Details)), e.PrevHash, e.Hash})
	}
	cw.Flush()
}

// csvCell stops a spreadsheet from running a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
