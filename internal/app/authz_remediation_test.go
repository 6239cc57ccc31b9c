package app_test

import (
	"net/url"

	"github.com/khien/khien/internal/access"
)

// remediationRows: the knowledge base is the same for every organisation;
// everyone reads it, the coordinator and the administrator edit it.
var remediationRows = map[string]rule{
	"GET /api/v1/remediation":                   unscoped(everyone...),
	"GET /api/v1/remediation/{key}":             knowledge(everyone, nil),
	"PUT /api/v1/remediation/{key}":             knowledge(global, adviceJSON),
	"DELETE /api/v1/remediation/{key}/override": knowledge(global, nil),
	"GET /remediation":                          unscoped(everyone...),
	"GET /remediation/{key}":                    knowledge(everyone, nil),
	"POST /remediation/{key}":                   knowledge(global, adviceForm),
}

// knowledge is a route on one knowledge-base entry: no organisation, so
// only the roles matter.
func knowledge(roles []access.Role, body func(*cell) any) rule {
	return rule{kind: "unscoped", own: roles, target: func(*cell) string { return "CWE-79" }, body: body}
}

func adviceJSON(c *cell) any {
	return map[string]any{"lang": "vi", "summary": "Lỗi XSS " + c.unique(""), "fix": "Mã hóa đầu ra.", "stacks": map[string]string{"nginx": "Thêm CSP."}}
}

func adviceForm(c *cell) any {
	return url.Values{"vi.summary": {"Lỗi XSS " + c.unique("")}, "vi.fix": {"Mã hóa đầu ra."}, "en.summary": {"XSS"}, "en.fix": {"Encode output."}}
}
