package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/validation"
)

func (h *Handler) auditRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/api/v1/audit", Tag: "audit",
			Summary:  "The audit log, newest first (?actor=, ?action= prefix, ?object_type=, ?object_id=, ?org_id=, ?from=, ?to= RFC 3339 or YYYY-MM-DD, ?cursor=)",
			Response: List[audit.Entry]{}, Handler: h.listAudit},
	}
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	q, err := ParseAuditQuery(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	entries, next, err := audit.List(r.Context(), h.Store, Actor(r), q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	cursor := ""
	if next != 0 {
		cursor = strconv.FormatInt(next, 10)
	}
	WriteJSON(w, http.StatusOK, NewList(entries, len(entries), cursor))
}

// ParseAuditQuery reads the audit log filters from the query string (the web
// page uses the same names).
func ParseAuditQuery(r *http.Request) (audit.Query, error) {
	v := r.URL.Query()
	q := audit.Query{Actor: v.Get("actor"), Action: v.Get("action"), ObjectType: v.Get("object_type"), ObjectID: v.Get("object_id")}
	var es validation.Errors
	parseInt := func(field string) int64 {
		s := v.Get(field)
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			es.Add(field, "validation.non_negative")
		}
		return n
	}
	q.OrgID, q.BeforeID, q.Limit = parseInt("org_id"), parseInt("cursor"), int(parseInt("limit"))
	parseTime := func(field string, endOfDay bool) time.Time {
		s := v.Get(field)
		if s == "" {
			return time.Time{}
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC()
		}
		d, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("ICT", 7*3600))
		if err != nil {
			es.Add(field, "validation.time")
			return time.Time{}
		}
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return d.UTC()
	}
	q.From, q.To = parseTime("from", false), parseTime("to", true)
	return q, es.Err()
}
