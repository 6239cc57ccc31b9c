package api

import (
	"net/http"
	"time"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/router"
)

// Example values describing the report settings' JSON bodies in the OpenAPI document.
var (
	exReportSettings = report.Settings{NumberPrefix: "BC-SKHCN", SignerAuthority: "KT. GIÁM ĐỐC", SignerTitle: "Phó Giám đốc", SignerName: "Trần Thị Minh Thư",
		Recipients: []string{"Sở Thông tin và Truyền thông", "Lưu: VT, CNTT"}}
	exSettingsAt       = time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	exReportSettingsOf = report.SettingsView{OrgID: 4, Stored: exReportSettings,
		Defaults: report.Settings{Issuer: "Sở Khoa học và Công nghệ", Parent: "UBND thành phố Cần Thơ", Place: "Cần Thơ", NumberPrefix: "BC-SKHCN",
			SignerTitle: "Thủ trưởng cơ quan", Recipients: []string{"UBND thành phố Cần Thơ", "Lưu: VT"}},
		Effective: report.Settings{Issuer: "Sở Khoa học và Công nghệ", Parent: "UBND thành phố Cần Thơ", Place: "Cần Thơ", NumberPrefix: "BC-SKHCN",
			SignerAuthority: "KT. GIÁM ĐỐC", SignerTitle: "Phó Giám đốc", SignerName: "Trần Thị Minh Thư", Recipients: exReportSettings.Recipients},
		UpdatedBy: "quantri@skhcn.cantho.gov.vn", UpdatedAt: &exSettingsAt, CanEdit: true}
)

// reportSettingsRoutes are an organisation's settings of the documents it issues.
func (h *Handler) reportSettingsRoutes() []router.Route {
	const tag = "reports"
	return []router.Route{
		{Method: "GET", Path: "/api/v1/orgs/{id}/report-settings", Tag: tag,
			Summary:  "An organisation's report header settings: what it stored, the defaults from the organisation tree (in the request's language) and what its documents print",
			Response: exReportSettingsOf, Handler: h.getReportSettings},
		{Method: "PUT", Path: "/api/v1/orgs/{id}/report-settings", Tag: tag,
			Summary: "Replace an organisation's report header settings; an empty field or list takes the default (the coordinator, the administrator, the agency's administrators); audited",
			Request: exReportSettings, Response: exReportSettingsOf, Handler: h.putReportSettings},
	}
}

func (h *Handler) getReportSettings(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	h.writeReportSettings(w, r, id)
}

func (h *Handler) writeReportSettings(w http.ResponseWriter, r *http.Request, orgID int64) {
	v, err := report.GetSettings(r.Context(), h.Store, httpx.Caller(r), orgID, httpx.Lang(r))
	respond(w, r, http.StatusOK, v, err)
}

func (h *Handler) putReportSettings(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var s report.Settings
	if err := httpx.Decode(w, r, &s); err != nil {
		Fail(w, r, err)
		return
	}
	if err := report.SaveSettings(r.Context(), h.Store, httpx.Caller(r), id, s); err != nil {
		Fail(w, r, err)
		return
	}
	h.writeReportSettings(w, r, id)
}
