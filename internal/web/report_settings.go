package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/router"
)

// An organisation's report document settings: the form (for those who may edit them) with
// each default as its placeholder, and a preview of the header and closing its documents
// print.

func (h *Handler) reportSettingsRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/admin/orgs/{id}/report-settings", Handler: h.reportSettingsPage},
		{Method: "POST", Path: "/admin/orgs/{id}/report-settings", Handler: h.saveReportSettings},
	}
}

// reportSettingsData is the settings page.
type reportSettingsData struct {
	View report.SettingsView
	// Form is what the fields hold: the stored settings, or what was sent when a save was
	// refused; Recipients and DefaultRecipients are lists one per line.
	Form                          report.Settings
	Recipients, DefaultRecipients string
	MaxRecipients                 int
	Preview                       report.Frame
	UpdatedAt                     time.Time // of the last save; zero: never saved
	Problems                      map[string]string
}

func (h *Handler) reportSettingsPage(w http.ResponseWriter, r *http.Request) {
	h.renderReportSettings(w, r, http.StatusOK, nil, nil)
}

// renderReportSettings shows the page; form, when set, refills the fields after a refused save.
func (h *Handler) renderReportSettings(w http.ResponseWriter, r *http.Request, status int, form *report.Settings, problems map[string]string) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := report.GetSettings(r.Context(), h.Store, httpx.Caller(r), id, httpx.Lang(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := reportSettingsData{View: v, Form: v.Stored, DefaultRecipients: strings.Join(v.Defaults.Recipients, "\n"),
		MaxRecipients: report.MaxRecipients, Preview: v.Preview(h.Store.Now()), Problems: problems}
	if v.UpdatedAt != nil {
		d.UpdatedAt = *v.UpdatedAt
	}
	if form != nil {
		d.Form = *form
	}
	d.Recipients = strings.Join(d.Form.Recipients, "\n")
	p := NewPage(r, "report.settings.title", "nav.admin", d)
	p.Title = v.Defaults.Issuer + " · " + p.Title
	p.Flash = flash(r)
	h.Render.Render(w, r, status, "report/settings", p)
}

func (h *Handler) saveReportSettings(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := report.Settings{Issuer: r.PostFormValue("issuer"), Parent: r.PostFormValue("parent"), Place: r.PostFormValue("place"),
		NumberPrefix: r.PostFormValue("number_prefix"), SignerAuthority: r.PostFormValue("signer_authority"),
		SignerTitle: r.PostFormValue("signer_title"), SignerName: r.PostFormValue("signer_name"),
		Recipients: strings.Split(r.PostFormValue("recipients"), "\n")}
	err = report.SaveSettings(r.Context(), h.Store, httpx.Caller(r), id, s)
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderReportSettings(w, r, http.StatusUnprocessableEntity, &s, recipientProblems(r, problems))
	}, "/admin/orgs/"+strconv.FormatInt(id, 10)+"/report-settings?done=saved", "")
}

// recipientProblems gathers the problems of single recipients ("recipients.2") under the
// one field the form has for them, each naming its recipient, in order.
func recipientProblems(r *http.Request, problems map[string]string) map[string]string {
	var lines []string
	if p, ok := problems["recipients"]; ok {
		lines = append(lines, p)
	}
	var at []int
	for field := range problems {
		if n, ok := strings.CutPrefix(field, "recipients."); ok {
			i, _ := strconv.Atoi(n)
			at = append(at, i)
		}
	}
	slices.Sort(at)
	for _, i := range at {
		lines = append(lines, i18n.T(httpx.Lang(r), "report.settings.line", i+1, problems["recipients."+strconv.Itoa(i)]))
	}
	if len(lines) > 0 {
		problems["recipients"] = strings.Join(lines, "; ")
	}
	return problems
}
